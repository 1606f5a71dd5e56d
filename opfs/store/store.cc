// The OPFS store (store.h): model::Store over Files. Layout, durability
// contract and recovery: opfs/README.md.
#include "opfs/store/store.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "opfs/store/records.h"

namespace p9::opfs {

namespace {

constexpr std::uint64_t kBlock = model::Model::kBlockSize;
// Offsets cross the JS boundary as doubles (opfs/wasm/api.h): exact below 2^53.
constexpr std::uint64_t kMaxStoredSize = std::uint64_t{1} << 53;

// Allocated 4 KiB blocks of a file, as [first, end) runs, so that a file
// written from its start costs one entry however large it is.
class Blocks {
 public:
  std::uint64_t count() const { return count_; }
  // Blocks of [first, end) not yet in the set.
  std::uint64_t missing(std::uint64_t first, std::uint64_t end) const {
    std::uint64_t have = 0;
    auto it = runs_.upper_bound(first);
    if (it != runs_.begin()) --it;
    for (; it != runs_.end() && it->first < end; ++it)
      if (it->second > first) have += std::min(end, it->second) - std::max(first, it->first);
    return (end - first) - have;
  }
  void add(std::uint64_t first, std::uint64_t end) {
    if (first >= end) return;
    auto it = runs_.upper_bound(first);
    if (it != runs_.begin() && std::prev(it)->second >= first) --it;
    while (it != runs_.end() && it->first <= end) {
      first = std::min(first, it->first);
      end = std::max(end, it->second);
      count_ -= it->second - it->first;
      it = runs_.erase(it);
    }
    runs_.emplace(first, end);
    count_ += end - first;
  }
  // Drops every block from `from` on.
  void cut(std::uint64_t from) {
    auto it = runs_.lower_bound(from);
    if (it != runs_.begin() && std::prev(it)->second > from) {
      --it;
      count_ -= it->second - from;
      it->second = from;
      ++it;
    }
    while (it != runs_.end()) {
      count_ -= it->second - it->first;
      it = runs_.erase(it);
    }
  }

 private:
  std::map<std::uint64_t, std::uint64_t> runs_;
  std::uint64_t count_ = 0;
};

class OpfsStore;

// A regular file's bytes: one data slot, written in place at their offset.
// The slot is taken at the first byte the file holds (an empty file has
// none); its OPFS file's size is the file's size.
class SlotContent final : public model::Content {
 public:
  SlotContent(OpfsStore& store, std::uint64_t ino, Slot slot, std::uint64_t size)
      : store_(store), ino_(ino), slot_(slot), size_(size) {
    // After a restart the store does not know where the holes were: every
    // block up to the size counts as allocated (st_blocks may be larger
    // than before, never smaller than the bytes held).
    blocks_.add(0, (size + kBlock - 1) / kBlock);
  }
  std::uint64_t size() const override { return size_; }
  std::uint64_t blocks() const override { return blocks_.count(); }
  Result<std::size_t> read(std::uint64_t off, std::uint8_t* out, std::size_t len) override;
  Result<void> write(std::uint64_t off, const std::uint8_t* data, std::size_t len) override;
  Result<void> set_size(std::uint64_t size) override;
  std::uint64_t blocks_to_allocate(std::uint64_t off, std::uint64_t len) const override {
    return blocks_.missing(off / kBlock, (off + len + kBlock - 1) / kBlock);
  }
  Result<void> allocate(std::uint64_t off, std::uint64_t len) override;
  Result<void> sync() override;
  std::string check() const override;

 private:
  Result<void> ensure_slot();
  OpfsStore& store_;
  std::uint64_t ino_;
  Slot slot_;  // 0: none yet
  std::uint64_t size_;
  Blocks blocks_;
};

class OpfsStore final : public model::Store {
 public:
  static constexpr std::uint64_t kMargin = 64 * 1024;
  OpfsStore(std::shared_ptr<Files> files, std::uint64_t generation, std::uint64_t tail,
            std::map<std::uint64_t, Slot> slots, std::size_t checkpoint_bytes)
      : files_(std::move(files)),
        gen_(generation),
        tail_(tail),
        slots_(std::move(slots)),
        checkpoint_bytes_(checkpoint_bytes) {}

  Files& files() { return *files_; }

  std::unique_ptr<model::Content> content(std::uint64_t ino, bool existing) override {
    Slot slot = 0;
    std::uint64_t size = 0;
    if (existing) {
      auto it = slots_.find(ino);
      if (it != slots_.end()) {
        slot = it->second;
        Result<std::uint64_t> sz = files_->size(slot);
        size = sz ? *sz : 0;
      }
    }
    return std::make_unique<SlotContent>(*this, ino, slot, size);
  }

  // A data slot for inode ino: taken from the pool and recorded.
  Result<Slot> assign(std::uint64_t ino) {
    if (failed_) return Errno::IO;
    Result<Slot> s = files_->acquire();
    if (!s) return s.error();
    slots_[ino] = *s;
    pending_.u8(static_cast<std::uint8_t>(Op::DataSlot));
    pending_.u64(ino);
    pending_.u32(*s);
    return *s;
  }

  Errno reserve(std::size_t bytes, bool frees) override {
    if (failed_) return Errno::IO;
    // Room in the journal for what is pending, this call's records and a
    // margin of kMargin for the small records written outside calls (a
    // freed inode, a slot taken by a write), so that those never meet a full
    // origin. A call that removes a name may use the margin (but its last
    // 16 KiB): on a full store, removing files is how room is made.
    std::uint64_t need =
        tail_ + kRecordHeader + pending_.size() + bytes + 4096 + (frees ? 16 * 1024 : kMargin);
    if (need <= allocated_) return Errno::OK;
    std::uint64_t want = (need + kJournalStep - 1) / kJournalStep * kJournalStep;
    if (!files_->truncate(kJournal, want)) return Errno::NOSPC;
    allocated_ = want;
    return Errno::OK;
  }

  void inode(const model::InodeRecord& r) override {
    pending_.u8(static_cast<std::uint8_t>(Op::Inode));
    put_inode(pending_, r);
  }
  void entry_added(std::uint64_t dir, std::string_view name, std::uint64_t cookie,
                   std::uint64_t child) override {
    pending_.u8(static_cast<std::uint8_t>(Op::EntryAdded));
    pending_.u64(dir);
    pending_.str(name);
    pending_.u64(cookie);
    pending_.u64(child);
  }
  void entry_removed(std::uint64_t dir, std::string_view name) override {
    pending_.u8(static_cast<std::uint8_t>(Op::EntryRemoved));
    pending_.u64(dir);
    pending_.str(name);
  }
  void xattr_set(std::uint64_t ino, std::string_view name, std::string_view value) override {
    pending_.u8(static_cast<std::uint8_t>(Op::XattrSet));
    pending_.u64(ino);
    pending_.str(name);
    pending_.str(value);
  }
  void xattr_removed(std::uint64_t ino, std::string_view name) override {
    pending_.u8(static_cast<std::uint8_t>(Op::XattrRemoved));
    pending_.u64(ino);
    pending_.str(name);
  }
  // The inode's slot is released (Files::release: its file removed) only once the record saying it is freed
  // is durable (the next durable commit): released earlier, a crash before the record lands would bring the
  // file back without its bytes (p9crash found exactly that with an unlink killed in flight).
  void freed(std::uint64_t ino) override {
    pending_.u8(static_cast<std::uint8_t>(Op::Freed));
    pending_.u64(ino);
    auto it = slots_.find(ino);
    if (it != slots_.end()) {
      to_release_.push_back(it->second);
      slots_.erase(it);
    }
  }

  Errno commit(bool durable) override {
    if (failed_) return Errno::IO;
    if (pending_.size() > 0) {
      // One record per call: a torn record is dropped whole (its crc).
      std::vector<std::uint8_t>& p = pending_.buf();
      Writer rec;
      rec.u32(static_cast<std::uint32_t>(p.size()));
      rec.u32(record_crc(gen_, p.data(), p.size()));
      rec.bytes(p.data(), p.size());
      rec.u64(0);  // the end mark: the next record's length overwrites it
      if (!files_->write(kJournal, tail_, rec.buf().data(), rec.size())) return fail();
      tail_ += rec.size() - 8;
      allocated_ = std::max<std::uint64_t>(allocated_, tail_ + 8);
      pending_.clear();
      unflushed_ = true;
    }
    if (durable && unflushed_) {
      if (!files_->flush(kJournal)) return fail();
      unflushed_ = false;
    }
    if (durable) return release_freed();
    return Errno::OK;
  }

  // Empties the slots of freed inodes whose records are durable.
  Errno release_freed() {
    for (Slot s : to_release_)
      if (!files_->release(s)) return fail();
    to_release_.clear();
    return Errno::OK;
  }

  bool checkpoint_due() const override {
    return tail_ > std::max<std::uint64_t>(kJournalStep, 2 * checkpoint_bytes_);
  }

  // The older checkpoint is overwritten with the whole state (generation
  // g+1) and flushed; only then does the journal restart at g+1. A crash
  // before that finds checkpoint g+1 and the journal of g, whose records
  // the checkpoint holds: it replays nothing. A full origin leaves the
  // older checkpoint damaged and the newer one and the journal as they
  // were: nothing is lost, and the checkpoint is tried again later.
  Errno checkpoint(const model::Image& image) override {
    if (failed_) return Errno::IO;
    StoreImage s{image, slots_};
    std::vector<std::uint8_t> blob = encode_checkpoint(s, gen_ + 1);
    Slot target = (gen_ + 1) % 2 == 0 ? kCheckpoint0 : kCheckpoint1;
    if (!files_->truncate(target, 0) || !files_->write(target, 0, blob.data(), blob.size()) ||
        !files_->flush(target)) {
      checkpoint_bytes_ =
          std::max<std::size_t>(checkpoint_bytes_, tail_);  // try again when the journal doubled
      return Errno::OK;
    }
    if (Errno e = commit(true); e != Errno::OK) return e;  // pending records are in the blob too; keep order
    ++gen_;
    std::vector<std::uint8_t> head = encode_journal_header(gen_);
    head.resize(kJournalHeader + 8, 0);
    if (!files_->write(kJournal, 0, head.data(), head.size()) || !files_->flush(kJournal)) return fail();
    tail_ = kJournalHeader;
    checkpoint_bytes_ = blob.size();
    return release_freed();
  }

  std::uint64_t generation() const { return gen_; }
  void set_allocated(std::uint64_t a) { allocated_ = a; }

 private:
  Errno fail() {
    failed_ = true;
    return Errno::IO;
  }

  std::shared_ptr<Files> files_;
  std::uint64_t gen_;
  std::uint64_t tail_;           // where the next record goes
  std::uint64_t allocated_ = 0;  // the journal file's size
  std::map<std::uint64_t, Slot> slots_;
  std::size_t checkpoint_bytes_;
  Writer pending_;
  std::vector<Slot> to_release_;  // freed inodes' slots, released at the next durable commit
  bool unflushed_ = false;
  bool failed_ = false;
};

Result<void> SlotContent::ensure_slot() {
  if (slot_ != 0) return {};
  Result<Slot> s = store_.assign(ino_);
  if (!s) return s.error();
  slot_ = *s;
  return {};
}

Result<std::size_t> SlotContent::read(std::uint64_t off, std::uint8_t* out, std::size_t len) {
  if (off >= size_ || len == 0) return std::size_t{0};
  std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(len, size_ - off));
  Result<std::size_t> r = store_.files().read(slot_, off, out, n);
  if (!r) return r.error();
  // A file shorter than its size says (a crash cut it) reads as zeros.
  if (*r < n) std::fill(out + *r, out + n, 0);
  return n;
}

Result<void> SlotContent::write(std::uint64_t off, const std::uint8_t* data, std::size_t len) {
  if (off + len > kMaxStoredSize) return Errno::FBIG;
  P9_TRY(ensure_slot());
  Result<void> r = store_.files().write(slot_, off, data, len);
  if (!r) {
    // The size stays what it was (a partial write past it is cut off).
    (void)store_.files().truncate(slot_, std::max(size_, std::min<std::uint64_t>(off, size_)));
    return r;
  }
  size_ = std::max<std::uint64_t>(size_, off + len);
  blocks_.add(off / kBlock, (off + len + kBlock - 1) / kBlock);
  return {};
}

Result<void> SlotContent::set_size(std::uint64_t size) {
  if (size > kMaxStoredSize) return Errno::FBIG;
  if (size == size_) return {};
  P9_TRY(ensure_slot());
  // A truncate is part of a metadata call: durable before its reply.
  P9_TRY(store_.files().truncate(slot_, size));
  P9_TRY(store_.files().flush(slot_));
  if (size < size_) blocks_.cut((size + kBlock - 1) / kBlock);
  size_ = size;
  return {};
}

Result<void> SlotContent::allocate(std::uint64_t off, std::uint64_t len) {
  if (off + len > kMaxStoredSize) return Errno::FBIG;
  if (off + len > size_) {
    P9_TRY(ensure_slot());
    P9_TRY(store_.files().truncate(slot_, off + len));
    size_ = off + len;
  }
  blocks_.add(off / kBlock, (off + len + kBlock - 1) / kBlock);
  return {};
}

Result<void> SlotContent::sync() {
  if (slot_ == 0) return {};
  return store_.files().flush(slot_);
}

std::string SlotContent::check() const {
  if (slot_ == 0 && size_ != 0) return "size " + std::to_string(size_) + " but no data file; ";
  if (slot_ == 0) return {};
  Result<std::uint64_t> sz = store_.files().size(slot_);
  if (!sz || *sz != size_)
    return "data file " + slot_name(slot_) + " holds " + (sz ? std::to_string(*sz) : "?") +
           " bytes, size says " + std::to_string(size_) + "; ";
  return {};
}

Result<std::vector<std::uint8_t>> read_all(Files& f, Slot s) {
  Result<std::uint64_t> size = f.size(s);
  if (!size) return size.error();
  std::vector<std::uint8_t> out(static_cast<std::size_t>(*size));
  std::size_t got = 0;
  while (got < out.size()) {
    Result<std::size_t> r = f.read(s, got, out.data() + got, out.size() - got);
    if (!r) return r.error();
    if (*r == 0) break;
    got += *r;
  }
  out.resize(got);
  return out;
}

}  // namespace

std::unique_ptr<model::Model> open_store(std::shared_ptr<Files> files, model::Model::Clock clock,
                                         OpenReport* report, std::string* error) {
  OpenReport local;
  OpenReport& rep = report ? *report : local;
  std::ostringstream fsck;
  // 1. The newest intact checkpoint; none at all is the empty image of
  //    generation 0 (a new store, or one whose first checkpoint was torn).
  StoreImage base;
  std::uint64_t base_gen = 0;
  std::size_t base_bytes = 0;
  std::string why[2];
  bool damaged[2] = {false, false};
  for (Slot c : {kCheckpoint0, kCheckpoint1}) {
    Result<std::vector<std::uint8_t>> blob = read_all(*files, c);
    if (!blob) {
      *error = "cannot read " + slot_name(c);
      return nullptr;
    }
    StoreImage img;
    std::uint64_t g = 0;
    int i = c == kCheckpoint0 ? 0 : 1;
    if (!decode_checkpoint(*blob, &img, &g, &why[i])) {
      damaged[i] = !blob->empty();
      continue;
    }
    if (g > base_gen) {
      base = std::move(img);
      base_gen = g;
      base_bytes = blob->size();
    }
  }
  // 2. The journal: replayed only if it continues that checkpoint.
  Result<std::vector<std::uint8_t>> journal = read_all(*files, kJournal);
  if (!journal) {
    *error = "cannot read the journal";
    return nullptr;
  }
  const std::vector<std::uint8_t>& j = *journal;
  std::uint64_t jgen = 0;
  bool jvalid = decode_journal_header(j.data(), j.size(), &jgen);
  if (base_gen == 0 && damaged[0] && damaged[1]) {
    *error = "both checkpoints are damaged (checkpoint.0: " + why[0] + "; checkpoint.1: " + why[1] + ")";
    return nullptr;
  }
  if (jvalid && jgen > base_gen) {
    *error = "the journal continues checkpoint generation " + std::to_string(jgen) +
             ", but the newest intact one is " + std::to_string(base_gen) +
             " (checkpoint.0: " + (why[0].empty() ? "ok" : why[0]) +
             "; checkpoint.1: " + (why[1].empty() ? "ok" : why[1]) + ")";
    return nullptr;
  }
  std::uint64_t tail = kJournalHeader;
  std::size_t replayed = 0;
  std::string end_reason = "end mark";
  if (jvalid && jgen == base_gen) {
    std::uint64_t pos = kJournalHeader;
    for (;;) {
      if (j.size() - std::min<std::size_t>(pos, j.size()) < kRecordHeader) {
        end_reason = "end of file";
        break;
      }
      Reader hr(j.data() + pos, kRecordHeader);
      std::uint32_t len, crc;
      (void)hr.u32(&len);
      (void)hr.u32(&crc);
      if (len == 0) break;
      if (j.size() - pos - kRecordHeader < len ||
          record_crc(jgen, j.data() + pos + kRecordHeader, len) != crc) {
        end_reason = "torn record at offset " + std::to_string(pos);
        break;
      }
      std::string bad;
      if (!apply(base, j.data() + pos + kRecordHeader, len, &bad)) {
        // An intact record that does not parse is not a crash: refuse, never guess.
        *error = "journal record at offset " + std::to_string(pos) + " is intact but " + bad;
        return nullptr;
      }
      ++replayed;
      pos += kRecordHeader + len;
    }
    tail = pos;
  } else {
    // A new store, or a checkpoint taken just before the journal restarted:
    // start the journal of this generation.
    std::vector<std::uint8_t> head = encode_journal_header(base_gen);
    head.resize(kJournalHeader + 8, 0);
    if (!files->write(kJournal, 0, head.data(), head.size()) || !files->flush(kJournal)) {
      *error = "cannot write the journal header";
      return nullptr;
    }
  }
  // 3. Data slots: each file's slot must exist and be its own; a slot no
  //    file claims joins the pool when it is empty and is removed otherwise
  //    (Files::release: a file released just before a crash).
  std::size_t removed = 0;
  for (auto it = base.slots.begin(); it != base.slots.end();) {
    auto ino = base.image.inodes.find(it->first);
    bool regular = ino != base.image.inodes.end() && ino->second.type == fs::FileType::Regular;
    if (!regular || !files->claim(it->second)) {
      if (regular)
        fsck << "inode " << it->first << ": data file " << slot_name(it->second)
             << " missing or shared, file emptied; ";
      it = base.slots.erase(it);
    } else {
      ++it;
    }
  }
  std::vector<Slot> slots = files->data_slots();
  std::set<Slot> used;
  for (const auto& [ino, slot] : base.slots) used.insert(slot);
  for (Slot s : slots) {
    if (used.count(s)) continue;
    Result<std::uint64_t> sz = files->size(s);
    if (sz && *sz > 0) {
      if (!files->claim(s) || !files->release(s)) {
        *error = "cannot remove the unused data file " + slot_name(s);
        return nullptr;
      }
      ++removed;
    }
  }
  auto store = std::make_unique<OpfsStore>(files, base_gen, tail, base.slots, base_bytes);
  Result<std::uint64_t> jsize = files->size(kJournal);
  store->set_allocated(jsize ? *jsize : 0);
  std::size_t inodes = base.image.inodes.size();
  model::Model::RestoreReport restored;
  std::unique_ptr<model::Model> m =
      model::Model::restore(std::move(clock), std::move(store), base.image, &restored, error);
  if (!m) return nullptr;
  fsck << restored.repairs;
  rep.fsck = fsck.str();
  std::ostringstream sum;
  sum << "checkpoint generation " << base_gen << ", " << replayed << " journal records replayed ("
      << end_reason << "), " << inodes << " inodes, " << restored.reclaimed << " unlinked inodes reclaimed, "
      << removed << " unused data files removed, " << slots.size() << " data files";
  rep.summary = sum.str();
  return m;
}

}  // namespace p9::opfs
