#include "opfs/store/records.h"

#include <array>
#include <cstring>

namespace p9::opfs {

namespace {
constexpr char kJournalMagic[8] = {'p', '9', 'o', 'p', 'f', 's', 'J', '1'};
constexpr char kCheckpointMagic[8] = {'p', '9', 'o', 'p', 'f', 's', 'C', '1'};
constexpr std::size_t kCheckpointHeader = 28;  // magic[8] generation[8] length[8] crc[4]

std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}

std::uint64_t load64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
std::uint32_t load32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
         std::uint32_t(p[3]) << 24;
}
}  // namespace

std::uint32_t crc32(const std::uint8_t* p, std::size_t n, std::uint32_t crc) {
  static const std::array<std::uint32_t, 256> table = make_table();
  crc = ~crc;
  for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

void Writer::u32(std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void Writer::u64(std::uint64_t v) {
  for (int i = 0; i < 8; ++i) b_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void Writer::str(std::string_view s) {
  u32(static_cast<std::uint32_t>(s.size()));
  bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

bool Reader::u8(std::uint8_t* v) {
  if (n_ - pos_ < 1) return false;
  *v = p_[pos_++];
  return true;
}
bool Reader::u32(std::uint32_t* v) {
  if (n_ - pos_ < 4) return false;
  *v = load32(p_ + pos_);
  pos_ += 4;
  return true;
}
bool Reader::u64(std::uint64_t* v) {
  if (n_ - pos_ < 8) return false;
  *v = load64(p_ + pos_);
  pos_ += 8;
  return true;
}
bool Reader::str(std::string* s) {
  std::uint32_t len;
  if (!u32(&len) || n_ - pos_ < len) return false;
  s->assign(reinterpret_cast<const char*>(p_ + pos_), len);
  pos_ += len;
  return true;
}

namespace {
void put_time(Writer& w, const fs::Timespec& t) {
  w.u64(static_cast<std::uint64_t>(t.sec));
  w.u32(t.nsec);
}
bool get_time(Reader& r, fs::Timespec* t) {
  std::uint64_t sec;
  std::uint32_t nsec;
  if (!r.u64(&sec) || !r.u32(&nsec) || nsec >= 1000000000u) return false;
  t->sec = static_cast<decltype(t->sec)>(sec);
  t->nsec = nsec;
  return true;
}
bool get_inode(Reader& r, model::InodeRecord* x) {
  std::uint8_t type;
  if (!r.u64(&x->ino) || !r.u8(&type) || type > static_cast<std::uint8_t>(fs::FileType::Socket)) return false;
  x->type = static_cast<fs::FileType>(type);
  return r.u32(&x->perm) && r.u32(&x->uid) && r.u32(&x->gid) && r.u64(&x->nlink) && r.u64(&x->rdev) &&
         get_time(r, &x->atime) && get_time(r, &x->mtime) && get_time(r, &x->ctime) &&
         get_time(r, &x->btime) && r.u64(&x->data_version) && r.u64(&x->next_cookie) && r.str(&x->target);
}
}  // namespace

void put_inode(Writer& w, const model::InodeRecord& r) {
  w.u64(r.ino);
  w.u8(static_cast<std::uint8_t>(r.type));
  w.u32(r.perm);
  w.u32(r.uid);
  w.u32(r.gid);
  w.u64(r.nlink);
  w.u64(r.rdev);
  put_time(w, r.atime);
  put_time(w, r.mtime);
  put_time(w, r.ctime);
  put_time(w, r.btime);
  w.u64(r.data_version);
  w.u64(r.next_cookie);
  w.str(r.target);
}

bool apply(StoreImage& s, const std::uint8_t* payload, std::size_t len, std::string* why) {
  Reader r(payload, len);
  model::Image& img = s.image;
  while (!r.done()) {
    std::uint8_t op;
    r.u8(&op);
    bool ok = false;
    switch (static_cast<Op>(op)) {
      case Op::Inode: {
        model::InodeRecord x;
        if ((ok = get_inode(r, &x))) {
          img.next_ino = std::max(img.next_ino, x.ino + 1);
          img.inodes[x.ino] = std::move(x);
        }
        break;
      }
      case Op::EntryAdded: {
        std::uint64_t dir, cookie, child;
        std::string name;
        if ((ok = r.u64(&dir) && r.str(&name) && r.u64(&cookie) && r.u64(&child)))
          img.entries[dir][name] = model::Image::Entry{cookie, child};
        break;
      }
      case Op::EntryRemoved: {
        std::uint64_t dir;
        std::string name;
        if ((ok = r.u64(&dir) && r.str(&name))) {
          auto it = img.entries.find(dir);
          if (it != img.entries.end()) it->second.erase(name);
        }
        break;
      }
      case Op::XattrSet: {
        std::uint64_t ino;
        std::string name, value;
        if ((ok = r.u64(&ino) && r.str(&name) && r.str(&value))) img.xattrs[ino][name] = std::move(value);
        break;
      }
      case Op::XattrRemoved: {
        std::uint64_t ino;
        std::string name;
        if ((ok = r.u64(&ino) && r.str(&name))) {
          auto it = img.xattrs.find(ino);
          if (it != img.xattrs.end()) it->second.erase(name);
        }
        break;
      }
      case Op::Freed: {
        std::uint64_t ino;
        if ((ok = r.u64(&ino))) {
          img.inodes.erase(ino);
          img.entries.erase(ino);
          img.xattrs.erase(ino);
          s.slots.erase(ino);
        }
        break;
      }
      case Op::DataSlot: {
        std::uint64_t ino;
        std::uint32_t slot;
        if ((ok = r.u64(&ino) && r.u32(&slot) && slot >= kFirstData)) s.slots[ino] = slot;
        break;
      }
    }
    if (!ok) {
      *why = "malformed operation " + std::to_string(op);
      return false;
    }
  }
  return true;
}

std::vector<std::uint8_t> encode_checkpoint(const StoreImage& s, std::uint64_t generation) {
  Writer w;
  const model::Image& img = s.image;
  w.u64(img.next_ino);
  w.u64(img.inodes.size());
  for (const auto& [ino, r] : img.inodes) put_inode(w, r);
  w.u64(img.entries.size());
  for (const auto& [dir, ents] : img.entries) {
    w.u64(dir);
    w.u64(ents.size());
    for (const auto& [name, e] : ents) {
      w.str(name);
      w.u64(e.cookie);
      w.u64(e.child);
    }
  }
  w.u64(img.xattrs.size());
  for (const auto& [ino, xs] : img.xattrs) {
    w.u64(ino);
    w.u64(xs.size());
    for (const auto& [name, value] : xs) {
      w.str(name);
      w.str(value);
    }
  }
  w.u64(s.slots.size());
  for (const auto& [ino, slot] : s.slots) {
    w.u64(ino);
    w.u32(slot);
  }
  Writer out;
  out.bytes(reinterpret_cast<const std::uint8_t*>(kCheckpointMagic), 8);
  out.u64(generation);
  out.u64(w.size());
  out.u32(crc32(w.buf().data(), w.size()));
  out.bytes(w.buf().data(), w.size());
  return std::move(out.buf());
}

bool decode_checkpoint(const std::vector<std::uint8_t>& blob, StoreImage* s, std::uint64_t* generation,
                       std::string* why) {
  if (blob.size() < kCheckpointHeader || std::memcmp(blob.data(), kCheckpointMagic, 8) != 0) {
    *why = blob.empty() ? "empty" : "no checkpoint header";
    return false;
  }
  std::uint64_t len = load64(blob.data() + 16);
  if (len != blob.size() - kCheckpointHeader) {
    *why = "length " + std::to_string(len) + " but " + std::to_string(blob.size() - kCheckpointHeader) +
           " bytes follow the header (torn write)";
    return false;
  }
  const std::uint8_t* p = blob.data() + kCheckpointHeader;
  if (crc32(p, len) != load32(blob.data() + 24)) {
    *why = "checksum mismatch";
    return false;
  }
  *generation = load64(blob.data() + 8);
  Reader r(p, len);
  StoreImage out;
  model::Image& img = out.image;
  std::uint64_t n;
  bool ok = r.u64(&img.next_ino) && r.u64(&n);
  for (std::uint64_t i = 0; ok && i < n; ++i) {
    model::InodeRecord x;
    ok = get_inode(r, &x);
    if (ok) img.inodes[x.ino] = std::move(x);
  }
  ok = ok && r.u64(&n);
  for (std::uint64_t i = 0; ok && i < n; ++i) {
    std::uint64_t dir = 0, m = 0;
    ok = r.u64(&dir) && r.u64(&m);
    auto& ents = img.entries[dir];
    for (std::uint64_t j = 0; ok && j < m; ++j) {
      std::string name;
      model::Image::Entry e;
      ok = r.str(&name) && r.u64(&e.cookie) && r.u64(&e.child);
      if (ok) ents.emplace(std::move(name), e);
    }
  }
  ok = ok && r.u64(&n);
  for (std::uint64_t i = 0; ok && i < n; ++i) {
    std::uint64_t ino = 0, m = 0;
    ok = r.u64(&ino) && r.u64(&m);
    auto& xs = img.xattrs[ino];
    for (std::uint64_t j = 0; ok && j < m; ++j) {
      std::string name, value;
      ok = r.str(&name) && r.str(&value);
      if (ok) xs.emplace(std::move(name), std::move(value));
    }
  }
  ok = ok && r.u64(&n);
  for (std::uint64_t i = 0; ok && i < n; ++i) {
    std::uint64_t ino;
    std::uint32_t slot;
    ok = r.u64(&ino) && r.u32(&slot);
    if (ok) out.slots[ino] = slot;
  }
  if (!ok || !r.done()) {
    *why = "malformed contents";
    return false;
  }
  *s = std::move(out);
  return true;
}

std::vector<std::uint8_t> encode_journal_header(std::uint64_t generation) {
  Writer w;
  w.bytes(reinterpret_cast<const std::uint8_t*>(kJournalMagic), 8);
  w.u64(generation);
  w.u32(crc32(w.buf().data(), 16));
  w.buf().resize(kJournalHeader, 0);
  return std::move(w.buf());
}

bool decode_journal_header(const std::uint8_t* p, std::size_t n, std::uint64_t* generation) {
  if (n < 20 || std::memcmp(p, kJournalMagic, 8) != 0 || crc32(p, 16) != load32(p + 16)) return false;
  *generation = load64(p + 8);
  return true;
}

std::uint32_t record_crc(std::uint64_t generation, const std::uint8_t* payload, std::size_t len) {
  std::uint8_t g[8];
  for (int i = 0; i < 8; ++i) g[i] = static_cast<std::uint8_t>(generation >> (8 * i));
  return crc32(payload, len, crc32(g, 8));
}

}  // namespace p9::opfs
