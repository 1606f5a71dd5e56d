// The OPFS store outside the browser: what it keeps survives a reopen and
// any crash (MemFiles::crash), recovery repairs and reports, a full origin
// answers ENOSPC and leaves the store consistent.
#include "opfs/store/store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>

#include "opfs/store/local_files.h"
#include "opfs/store/records.h"

namespace p9::opfs {
namespace {

using fs::Cred;
using fs::NodeRef;

const Cred kRoot{};

fs::Timespec fixed_clock() { return {1700000000, 5}; }

std::unique_ptr<model::Model> open_ok(std::shared_ptr<Files> f, OpenReport* rep = nullptr) {
  std::string err;
  OpenReport local;
  auto m = open_store(std::move(f), fixed_clock, rep ? rep : &local, &err);
  EXPECT_TRUE(m) << err;
  return m;
}

NodeRef walk(fs::Backend& b, const std::string& path) {
  NodeRef n = *b.root();
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    auto r = b.lookup(kRoot, *n, part);
    if (!r) return nullptr;
    n = *r;
  }
  return n;
}

std::string content(fs::Backend& b, fs::Node& n) {
  auto f = b.open(kRoot, n, access::RDONLY);
  if (!f) return "<open failed>";
  std::string out;
  std::uint8_t buf[65536];
  for (std::uint64_t off = 0;;) {
    auto r = (*f)->read(off, buf, sizeof buf);
    if (!r || *r == 0) break;
    out.append(reinterpret_cast<char*>(buf), *r);
    off += *r;
  }
  return out;
}

struct DumpOptions {
  bool times = false;     // mtime/ctime/btime of everything (atime never: reads move it)
  bool contents = false;  // regular files' bytes and sizes
};

// The tree as text: one line per name, sorted.
std::string dump(fs::Backend& b, DumpOptions o = {}) {
  std::ostringstream out;
  std::vector<std::pair<std::string, NodeRef>> todo{{"", *b.root()}};
  while (!todo.empty()) {
    auto [path, dir] = todo.back();
    todo.pop_back();
    auto f = b.open(kRoot, *dir, access::RDONLY | oflag::DIRECTORY);
    if (!f) {
      out << path << ": cannot open\n";
      continue;
    }
    std::vector<std::string> names;
    (void)(*f)->readdir(0, [&](const fs::DirEntry& e) {
      if (e.name != "." && e.name != "..") names.push_back(e.name);
      return true;
    });
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      std::string p = path + "/" + name;
      auto n = b.lookup(kRoot, *dir, name);
      if (!n) {
        out << p << ": lookup failed\n";
        continue;
      }
      fs::Attr a = *b.getattr(**n);
      out << p << " ino=" << a.ino << " mode=" << std::oct << a.mode << std::dec << " uid=" << a.uid
          << " gid=" << a.gid << " nlink=" << a.nlink << " rdev=" << a.rdev;
      if (a.type != fs::FileType::Regular || o.contents) out << " size=" << a.size;
      if (o.times && (a.type != fs::FileType::Regular || o.contents))
        out << " mtime=" << a.mtime.sec << "." << a.mtime.nsec << " ctime=" << a.ctime.sec << "."
            << a.ctime.nsec;
      if (a.type == fs::FileType::Symlink) out << " -> " << *b.readlink(**n);
      auto xs = b.listxattr(kRoot, **n);
      if (xs)
        for (const auto& x : *xs) out << " [" << x << "=" << *b.getxattr(kRoot, **n, x) << "]";
      if (a.type == fs::FileType::Regular && o.contents)
        out << " data=" << std::hash<std::string>{}(content(b, **n));
      out << "\n";
      if (a.type == fs::FileType::Directory) todo.emplace_back(p, *n);
    }
  }
  return out.str();
}

void write_file(fs::Backend& b, const std::string& dir, const std::string& name, const std::string& data,
                bool sync = false) {
  NodeRef d = walk(b, dir);
  ASSERT_TRUE(d) << dir;
  auto c = b.create(kRoot, *d, name, access::RDWR, 0644, 0);
  ASSERT_TRUE(c) << name;
  ASSERT_TRUE(c->file->write(0, reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
  if (sync) {
    ASSERT_TRUE(c->file->fsync(false));
  }
}

// A tree with every kind of thing the store records.
void build_tree(fs::Backend& b) {
  NodeRef root = *b.root();
  NodeRef a = *b.mkdir(kRoot, *root, "a", 0755, 0);
  NodeRef sub = *b.mkdir(kRoot, *a, "sub dir\\with..odd names", 02770, 7);
  write_file(b, "/a", "file", "hello, world");
  write_file(b, "/a/sub dir\\with..odd names", "big", std::string(3 << 20, 'x') + "end");
  ASSERT_TRUE(b.symlink(kRoot, *a, "link", "../nowhere/..", 0));
  ASSERT_TRUE(b.mknod(kRoot, *root, "fifo", 010640, 0, 0));
  ASSERT_TRUE(b.mknod(kRoot, *root, "chr", 020600, fs::make_rdev(1, 3), 0));
  NodeRef file = walk(b, "/a/file");
  ASSERT_TRUE(b.link(kRoot, *file, *root, "hardlink"));
  ASSERT_TRUE(b.setxattr(kRoot, *file, "user.k", std::string("v\0w", 3), fs::XattrFlags::Any));
  ASSERT_TRUE(b.setxattr(kRoot, *sub, "trusted.t", "1", fs::XattrFlags::Any));
  fs::SetAttr chown;
  chown.uid = 1000;
  chown.gid = 1000;
  ASSERT_TRUE(b.setattr(kRoot, *file, chown));
  // A populated directory renamed: one record, whatever it holds.
  ASSERT_TRUE(b.rename(kRoot, *root, "a", *root, "renamed"));
}

TEST(OpfsStore, NewStoreHasARoot) {
  auto files = std::make_shared<MemFiles>();
  OpenReport rep;
  auto m = open_ok(files, &rep);
  ASSERT_TRUE(m);
  fs::Attr a = *m->getattr(**m->root());
  EXPECT_EQ(a.mode, 040755u);
  EXPECT_EQ(a.nlink, 2u);
  EXPECT_EQ(rep.fsck, "");
  m.reset();
  auto again = open_ok(files->crash(nullptr));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->getattr(**again->root())->mode, 040755u);
}

TEST(OpfsStore, ReopenKeepsEverything) {
  auto files = std::make_shared<MemFiles>();
  auto m = open_ok(files);
  build_tree(*m);
  ASSERT_EQ(m->flush(), Errno::OK);
  DumpOptions all{true, true};
  std::string before = dump(*m, all);
  m.reset();
  OpenReport rep;
  auto again = open_ok(files->crash(nullptr), &rep);
  ASSERT_TRUE(again);
  EXPECT_EQ(dump(*again, all), before);
  EXPECT_EQ(rep.fsck, "");
  EXPECT_EQ(again->check_invariants(), "");
  EXPECT_NE(before.find("/renamed/sub dir\\with..odd names/big"), std::string::npos) << before;
}

TEST(OpfsStore, HostDirectoryReopens) {
  std::string dir = testing::TempDir() + "p9opfs-dir-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::string err;
  std::string before;
  {
    auto files = DirFiles::open(dir, &err);
    ASSERT_TRUE(files) << err;
    auto m = open_ok(files);
    build_tree(*m);
    ASSERT_EQ(m->flush(), Errno::OK);
    before = dump(*m, {true, true});
  }
  auto files = DirFiles::open(dir, &err);
  ASSERT_TRUE(files) << err;
  auto m = open_ok(files);
  EXPECT_EQ(dump(*m, {true, true}), before);
  std::filesystem::remove_all(dir);
}

TEST(OpfsStore, CheckpointsReplaceTheJournal) {
  auto files = std::make_shared<MemFiles>();
  auto m = open_ok(files);
  NodeRef root = *m->root();
  // Enough metadata records to pass the 1 MiB journal threshold a few times.
  for (int i = 0; i < 6000; ++i) {
    std::string name = "entry-with-a-longish-name-" + std::to_string(i);
    ASSERT_TRUE(m->mkdir(kRoot, *root, name, 0700, 0));
    fs::SetAttr s;
    s.mode = 0755;
    ASSERT_TRUE(m->setattr(kRoot, **m->lookup(kRoot, *root, name), s));
    if (i % 3 == 0) {
      ASSERT_TRUE(m->unlink(kRoot, *root, name, true));
    }
  }
  std::string before = dump(*m, {true, true});
  EXPECT_GT(files->bytes(kCheckpoint0).size() + files->bytes(kCheckpoint1).size(), 0u);
  m.reset();
  OpenReport rep;
  auto again = open_ok(files->crash(nullptr), &rep);
  ASSERT_TRUE(again);
  EXPECT_EQ(dump(*again, {true, true}), before);
  EXPECT_EQ(rep.summary.find("checkpoint generation 0"), std::string::npos) << rep.summary;
}

TEST(OpfsStore, OpenUnlinkedFileIsReclaimedAfterACrash) {
  auto files = std::make_shared<MemFiles>();
  auto m = open_ok(files);
  NodeRef root = *m->root();
  auto c = m->create(kRoot, *root, "tmp", access::RDWR, 0600, 0);
  ASSERT_TRUE(c);
  std::string data(100000, 'q');
  ASSERT_TRUE(c->file->write(0, reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
  ASSERT_TRUE(c->file->fsync(false));
  ASSERT_TRUE(m->unlink(kRoot, *root, "tmp", false));
  // Still open: the bytes are there.
  std::uint8_t b[4];
  EXPECT_EQ(*c->file->read(99996, b, 4), 4u);
  OpenReport rep;
  auto after = open_ok(files->crash(nullptr), &rep);
  ASSERT_TRUE(after);
  EXPECT_NE(rep.summary.find("1 unlinked inodes reclaimed"), std::string::npos) << rep.summary;
  EXPECT_EQ(after->inode_count(), 1u);
  EXPECT_EQ(after->allocated_blocks(), 0u);
  EXPECT_EQ(rep.fsck, "");
}

TEST(OpfsStore, UnclaimedDataFileIsRemoved) {
  auto files = std::make_shared<MemFiles>();
  auto m = open_ok(files);
  write_file(*m, "/", "f", "data", true);
  std::string before = dump(*m, {false, true});
  // A data file no record names (its slot record was lost in a crash).
  auto crashed = files->crash(nullptr);
  crashed->set_bytes(40, std::vector<std::uint8_t>(10, 'x'));
  crashed->add(40);
  OpenReport rep;
  auto after = open_ok(crashed, &rep);
  ASSERT_TRUE(after);
  EXPECT_NE(rep.summary.find("1 unused data files removed"), std::string::npos) << rep.summary;
  EXPECT_FALSE(crashed->exists(40));
  for (Slot s : crashed->data_slots()) EXPECT_NE(s, 40u);
  EXPECT_EQ(dump(*after, {false, true}), before);
  EXPECT_EQ(after->check_invariants(), "");
}

// The pool of empty data files the host keeps ready (Files::wanted) follows
// its target: 16 unless set; a host that cannot top it up during a long run
// (a WASI program in one call: opfs/web/worker.js) raises it, and the run may
// then fill that many new files before ENOSPC.
TEST(OpfsStore, PoolTargetSaysHowManyEmptyDataFilesTheHostKeeps) {
  // Data files only the host makes, between calls (as the browser's).
  struct HostMade final : Files {
    Result<std::size_t> read(Slot, std::uint64_t, std::uint8_t*, std::size_t) override { return Errno::IO; }
    Result<void> write(Slot, std::uint64_t, const std::uint8_t*, std::size_t) override { return Errno::IO; }
    Result<void> truncate(Slot, std::uint64_t) override { return Errno::IO; }
    Result<std::uint64_t> size(Slot) override { return Errno::IO; }
    Result<void> flush(Slot) override { return Errno::IO; }
  } f;
  EXPECT_EQ(f.wanted(), Files::kPoolTarget);
  EXPECT_TRUE(f.pool_empty());
  f.set_pool_target(40);
  ASSERT_EQ(f.wanted(), 40u);
  for (int i = 0; i < 40; ++i) f.add(f.next_slot());
  EXPECT_EQ(f.wanted(), 0u);
  for (int i = 0; i < 40; ++i) {
    EXPECT_FALSE(f.pool_empty());
    ASSERT_TRUE(f.acquire()) << i;
  }
  EXPECT_TRUE(f.pool_empty());
  auto none = f.acquire();
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error(), Errno::NOSPC);
  EXPECT_EQ(f.wanted(), 40u);
  f.set_pool_target(0);  // at least one
  EXPECT_EQ(f.wanted(), 1u);
}

// An unlinked file's data file is removed once the unlink is durable (not
// emptied and kept: emptying is a truncate and a flush inside the request),
// and never handed out again; a crash that brings it back (the removal not
// yet durable) leaves a file no record claims, removed at the next start-up.
TEST(OpfsStore, ReleasedDataFileIsRemovedNotReused) {
  auto files = std::make_shared<MemFiles>();
  auto m = open_ok(files);
  write_file(*m, "/", "f", "data", true);
  std::vector<Slot> before = files->data_slots();
  NodeRef root = *m->root();
  ASSERT_TRUE(m->unlink(kRoot, *root, "f", false));
  std::vector<Slot> after = files->data_slots();
  ASSERT_EQ(after.size() + 1, before.size());
  Slot gone = 0;
  for (Slot s : before)
    if (std::find(after.begin(), after.end(), s) == after.end()) gone = s;
  ASSERT_NE(gone, 0u);
  EXPECT_FALSE(files->exists(gone));
  EXPECT_GT(files->next_slot(), gone);
  write_file(*m, "/", "g", "new", true);
  for (Slot s : files->data_slots()) EXPECT_NE(s, gone);
  // The removal undone by a crash: the old bytes come back unclaimed.
  auto crashed = files->crash(nullptr);
  crashed->set_bytes(gone, std::vector<std::uint8_t>{'d', 'a', 't', 'a'});
  crashed->add(gone);
  OpenReport rep;
  auto reopened = open_ok(crashed, &rep);
  ASSERT_TRUE(reopened);
  EXPECT_NE(rep.summary.find("1 unused data files removed"), std::string::npos) << rep.summary;
  EXPECT_FALSE(crashed->exists(gone));
  EXPECT_EQ(reopened->check_invariants(), "");
}

TEST(OpfsStore, TornRecordIsDroppedWhole) {
  auto files = std::make_shared<MemFiles>();
  auto m = open_ok(files);
  NodeRef root = *m->root();
  ASSERT_TRUE(m->mkdir(kRoot, *root, "kept", 0755, 0));
  ASSERT_TRUE(m->mkdir(kRoot, *root, "src", 0755, 0));
  ASSERT_TRUE(m->mkdir(kRoot, **m->lookup(kRoot, *root, "src"), "child", 0755, 0));
  ASSERT_TRUE(m->rename(kRoot, *root, "src", *root, "dst"));
  // Tear the last record (the rename): flip a byte in its payload.
  auto crashed = files->crash(nullptr);
  auto j = crashed->bytes(kJournal);
  std::uint64_t gen = 0;
  ASSERT_TRUE(decode_journal_header(j.data(), j.size(), &gen));
  std::size_t pos = kJournalHeader, last = 0;
  for (;;) {
    Reader r(j.data() + pos, 8);
    std::uint32_t len, crc;
    ASSERT_TRUE(r.u32(&len) && r.u32(&crc));
    if (len == 0) break;
    last = pos;
    pos += 8 + len;
  }
  j[last + 10] ^= 0xff;
  crashed->set_bytes(kJournal, j);
  OpenReport rep;
  auto after = open_ok(crashed, &rep);
  ASSERT_TRUE(after);
  EXPECT_NE(rep.summary.find("torn record"), std::string::npos) << rep.summary;
  // Before the rename, whole: src with its child, no dst.
  EXPECT_TRUE(walk(*after, "/src/child"));
  EXPECT_FALSE(walk(*after, "/dst"));
  EXPECT_EQ(after->check_invariants(), "");
}

TEST(OpfsStore, DamagedCheckpointsAreReportedNotGuessed) {
  auto files = std::make_shared<MemFiles>();
  auto m = open_ok(files);
  m->flush();
  auto crashed = files->crash(nullptr);
  crashed->set_bytes(kCheckpoint0, std::vector<std::uint8_t>(100, 7));
  crashed->set_bytes(kCheckpoint1, std::vector<std::uint8_t>(100, 7));
  std::string err;
  auto bad = open_store(crashed, fixed_clock, nullptr, &err);
  EXPECT_FALSE(bad);
  EXPECT_NE(err.find("both checkpoints are damaged"), std::string::npos) << err;
}

TEST(OpfsStore, FullOriginAnswersEnospcAndStaysConsistent) {
  auto files = std::make_shared<MemFiles>();
  auto m = open_ok(files);
  NodeRef root = *m->root();
  files->set_quota(files->total_size() + (4 << 20));
  auto c = m->create(kRoot, *root, "fill", access::RDWR, 0644, 0);
  ASSERT_TRUE(c);
  std::string chunk(1 << 20, 'z');
  Errno last = Errno::OK;
  std::uint64_t off = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = c->file->write(off, reinterpret_cast<const std::uint8_t*>(chunk.data()), chunk.size());
    if (!r) {
      last = r.error();
      break;
    }
    off += *r;
  }
  EXPECT_EQ(last, Errno::NOSPC);
  EXPECT_EQ(c->file->getattr()->size, off);  // a failed write changes nothing
  // Creates fail too once the journal cannot grow.
  Errno create_err = Errno::OK;
  for (int i = 0; i < 100000 && create_err == Errno::OK; ++i) {
    auto r = m->mkdir(kRoot, *root, "d" + std::to_string(i), 0755, 0);
    if (!r) create_err = r.error();
  }
  EXPECT_EQ(create_err, Errno::NOSPC);
  // A full store still removes names: that is how room is made again.
  EXPECT_TRUE(m->unlink(kRoot, *root, "d0", true));
  EXPECT_EQ(m->check_invariants(), "");
  std::string before = dump(*m);
  c.value().file.reset();
  OpenReport rep;
  auto after = open_ok(files->crash(nullptr), &rep);
  ASSERT_TRUE(after);
  EXPECT_EQ(rep.fsck, "");
  EXPECT_EQ(dump(*after), before);
  // Freeing space makes room again.
  ASSERT_TRUE(after->unlink(kRoot, **after->root(), "fill", false));
  EXPECT_TRUE(after->mkdir(kRoot, **after->root(), "room-again", 0755, 0));
}

// A write-heavy random workload; at random points the files are crashed
// (durable state plus a random prefix of each file's later changes, the last
// maybe torn) and reopened. Every reopen must succeed without repairs, give
// exactly the namespace and metadata of every call replied to, and the
// bytes of every file fsynced since its last write.
TEST(OpfsStore, CrashAnywhereKeepsWhatWasReplied) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    auto files = std::make_shared<MemFiles>();
    auto m = open_ok(files);
    NodeRef root = *m->root();
    std::vector<std::string> dirs{"/"};
    std::vector<std::string> regs;
    std::map<std::string, std::string> synced;  // path -> bytes, fsynced since last write
    int crashes = 0;
    for (int step = 0; step < 300; ++step) {
      auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
      std::string dir = pick(dirs);
      std::string name = "n" + std::to_string(step);
      std::string path = (dir == "/" ? "" : dir) + "/" + name;
      NodeRef d = walk(*m, dir);
      if (!d) continue;
      switch (rng() % 8) {
        case 0:
          if (m->mkdir(kRoot, *d, name, 0755, 0)) dirs.push_back(path);
          break;
        case 1:
        case 2: {
          auto c = m->create(kRoot, *d, name, access::RDWR, 0644, 0);
          if (!c) break;
          std::string data(rng() % 20000, static_cast<char>('a' + step % 26));
          (void)c->file->write(0, reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
          if (rng() % 2) {
            ASSERT_TRUE(c->file->fsync(false));
            synced[path] = data;
          }
          regs.push_back(path);
          break;
        }
        case 3: {  // append, maybe fsync
          if (regs.empty()) break;
          std::string p = pick(regs);
          NodeRef n = walk(*m, p);
          if (!n) break;
          auto f = m->open(kRoot, *n, access::WRONLY | oflag::APPEND);
          if (!f) break;
          std::string more(rng() % 5000 + 1, 'A');
          (void)(*f)->write(0, reinterpret_cast<const std::uint8_t*>(more.data()), more.size());
          synced.erase(p);
          if (rng() % 2) {
            ASSERT_TRUE((*f)->fsync(false));
            synced[p] = content(*m, *n);
          }
          break;
        }
        case 4: {  // rename a (maybe populated) directory
          if (dirs.size() < 2) break;
          std::string from = pick(dirs);
          if (from == "/") break;
          std::string to = pick(dirs);
          if (to.rfind(from, 0) == 0) break;  // into itself
          auto slash = from.rfind('/');
          NodeRef fp = walk(*m, from.substr(0, slash == 0 ? 1 : slash));
          NodeRef tp = walk(*m, to);
          if (!fp || !tp) break;
          std::string dst = (to == "/" ? "" : to) + "/" + name;
          if (!m->rename(kRoot, *fp, from.substr(slash + 1), *tp, name)) break;
          auto moved = [&](std::string& p) {
            if (p == from || p.rfind(from + "/", 0) == 0) p = dst + p.substr(from.size());
          };
          for (auto& p : dirs) moved(p);
          for (auto& p : regs) moved(p);
          std::map<std::string, std::string> s2;
          for (const auto& [p, v] : synced) {
            std::string q = p;
            moved(q);
            s2[q] = v;
          }
          synced = s2;
          break;
        }
        case 5: {  // unlink a file (maybe kept open)
          if (regs.empty()) break;
          std::string p = pick(regs);
          auto slash = p.rfind('/');
          NodeRef pd = walk(*m, p.substr(0, slash == 0 ? 1 : slash));
          if (pd && m->unlink(kRoot, *pd, p.substr(slash + 1), false)) {
            regs.erase(std::find(regs.begin(), regs.end(), p));
            synced.erase(p);
          }
          break;
        }
        case 6: {  // metadata: chmod, xattr, link, symlink
          if (regs.empty()) break;
          std::string p = pick(regs);
          NodeRef n = walk(*m, p);
          if (!n) break;
          fs::SetAttr s;
          s.mode = 0600 + step % 64;
          ASSERT_TRUE(m->setattr(kRoot, *n, s));
          ASSERT_TRUE(m->setxattr(kRoot, *n, "user.s" + std::to_string(step % 3), name, fs::XattrFlags::Any));
          if (m->link(kRoot, *n, *d, name)) regs.push_back(path);
          (void)m->symlink(kRoot, *d, name + "l", p, 0);
          break;
        }
        case 7: {  // truncate through the path (durable)
          if (regs.empty()) break;
          std::string p = pick(regs);
          NodeRef n = walk(*m, p);
          if (!n) break;
          fs::SetAttr s;
          s.size = rng() % 3000;
          ASSERT_TRUE(m->setattr(kRoot, *n, s));
          synced.erase(p);
          break;
        }
      }
      if (rng() % 15 != 0) continue;
      // Crash here.
      ++crashes;
      std::string want = dump(*m);
      OpenReport rep;
      auto after = open_ok(files->crash(&rng), &rep);
      ASSERT_TRUE(after) << "seed " << seed << " step " << step;
      EXPECT_EQ(rep.fsck, "") << "seed " << seed << " step " << step;
      EXPECT_EQ(after->check_invariants(), "") << "seed " << seed << " step " << step;
      ASSERT_EQ(dump(*after), want) << "seed " << seed << " step " << step << "\n" << rep.summary;
      for (const auto& [p, bytes] : synced) {
        NodeRef n = walk(*after, p);
        ASSERT_TRUE(n) << p;
        // Other names of the same inode may have been written since: skip those.
        if (content(*m, *walk(*m, p)) == bytes) {
          EXPECT_EQ(content(*after, *n), bytes) << "seed " << seed << " step " << step << " " << p;
        }
      }
    }
    EXPECT_GT(crashes, 5);
  }
}

}  // namespace
}  // namespace p9::opfs
