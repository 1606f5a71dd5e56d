// Unit tests of the model file system: one focused test per rule.
#include "reference/model/model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace p9 {
void PrintTo(Errno e, std::ostream* os) {
  const char* n = errno_name(static_cast<std::uint32_t>(e));
  *os << (e == Errno::OK ? "OK" : n ? n : "E?") << "(" << static_cast<std::uint32_t>(e) << ")";
}
}  // namespace p9

namespace p9::model {
namespace {

using fs::Attr;
using fs::Cred;
using fs::FileType;
using fs::LockRange;
using fs::LockResult;
using fs::LockType;
using fs::NodeRef;
using fs::OpenRef;
using fs::SetAttr;
using fs::Timespec;
using fs::XattrFlags;

template <class T>
Errno E(const Result<T>& r) {
  return r.ok() ? Errno::OK : r.error();
}

const Cred kRoot{0, 0, {}};
const Cred kAlice{1000, 1000, {}};
const Cred kBob{1001, 1001, {}};
const Cred kCarol{1002, 1002, {1000}};  // also in alice's group

constexpr std::uint32_t RD = access::RDONLY, WR = access::WRONLY, RW = access::RDWR;

class ModelTest : public ::testing::Test {
 protected:
  // A fake clock: every reading is one second after the previous one.
  std::int64_t ticks_ = 1000;
  Model m{[this] { return Timespec{++ticks_, 500}; }};

  void TearDown() override { EXPECT_EQ(m.check_invariants(), ""); }

  NodeRef root() { return m.root().value(); }
  NodeRef mkdir(NodeRef dir, std::string_view name, std::uint32_t mode = 0755, const Cred& c = kRoot) {
    auto r = m.mkdir(c, *dir, name, mode, c.gid);
    EXPECT_TRUE(r.ok()) << name;
    return r.ok() ? r.value() : nullptr;
  }
  NodeRef mkfile(NodeRef dir, std::string_view name, std::uint32_t mode = 0644, const Cred& c = kRoot) {
    auto r = m.create(c, *dir, name, RW, mode, c.gid);
    EXPECT_TRUE(r.ok()) << name;
    return r.ok() ? r->node : nullptr;
  }
  NodeRef look(NodeRef dir, std::string_view name, const Cred& c = kRoot) {
    auto r = m.lookup(c, *dir, name);
    return r.ok() ? r.value() : nullptr;
  }
  Attr attr(NodeRef n) { return m.getattr(*n).value(); }
  OpenRef open(NodeRef n, std::uint32_t flags, const Cred& c = kRoot) {
    auto r = m.open(c, *n, flags);
    EXPECT_TRUE(r.ok());
    return r.ok() ? std::move(r.value()) : nullptr;
  }
  void put(NodeRef n, std::uint64_t off, std::string_view data, const Cred& c = kRoot) {
    auto f = open(n, WR, c);
    auto r = f->write(off, reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), data.size());
  }
  std::string get(NodeRef n, std::uint64_t off = 0, std::size_t len = 1 << 16) {
    auto f = open(n, RD);
    std::string out(len, '\0');
    auto r = f->read(off, reinterpret_cast<std::uint8_t*>(out.data()), len);
    EXPECT_TRUE(r.ok());
    out.resize(r.ok() ? r.value() : 0);
    return out;
  }
  // All entries of a directory, "." and ".." included.
  std::vector<fs::DirEntry> entries(NodeRef dir) {
    auto f = open(dir, RD);
    std::vector<fs::DirEntry> out;
    EXPECT_TRUE(f->readdir(0, [&](const fs::DirEntry& e) {
                   out.push_back(e);
                   return true;
                 }).ok());
    return out;
  }
  std::vector<std::string> names(NodeRef dir) {
    std::vector<std::string> out;
    for (auto& e : entries(dir)) out.push_back(e.name);
    return out;
  }
  Result<void> chmod(NodeRef n, std::uint32_t mode, const Cred& c = kRoot) {
    SetAttr a;
    a.mode = mode;
    return m.setattr(c, *n, a);
  }
  Result<void> chown(NodeRef n, std::optional<std::uint32_t> uid, std::optional<std::uint32_t> gid,
                     const Cred& c = kRoot) {
    SetAttr a;
    a.uid = uid;
    a.gid = gid;
    return m.setattr(c, *n, a);
  }
  Result<void> truncate(NodeRef n, std::uint64_t size, const Cred& c = kRoot) {
    SetAttr a;
    a.size = size;
    return m.setattr(c, *n, a);
  }
  std::uint32_t perm(NodeRef n) { return attr(n).mode & 07777; }
  // A directory everyone may write in, for tests of ordinary users.
  NodeRef shared_dir(std::string_view name = "shared") { return mkdir(root(), name, 0777); }
};

LockRange lk(LockType t, std::uint64_t start, std::uint64_t len, std::uint32_t proc,
             std::string client = "c") {
  LockRange r;
  r.type = t;
  r.start = start;
  r.length = len;
  r.proc_id = proc;
  r.client_id = std::move(client);
  return r;
}

// ---- root, lookup, create ---------------------------------------------------

TEST_F(ModelTest, RootIsInodeOneAndItsOwnParent) {
  auto r = root();
  Attr a = attr(r);
  EXPECT_EQ(a.ino, Model::kRootIno);
  EXPECT_EQ(a.type, FileType::Directory);
  EXPECT_EQ(a.mode, file_type::DIR | 0755);
  EXPECT_EQ(a.nlink, 2u);
  EXPECT_TRUE(m.same(*look(r, ".."), *r));
  EXPECT_TRUE(m.same(*look(r, "."), *r));
}

TEST_F(ModelTest, InodeNumbersHandedOutInOrder) {
  auto r = root();
  EXPECT_EQ(attr(mkfile(r, "a")).ino, 2u);
  EXPECT_EQ(attr(mkdir(r, "b")).ino, 3u);
  ASSERT_TRUE(m.unlink(kRoot, *r, "a", false).ok());
  EXPECT_EQ(attr(mkfile(r, "c")).ino, 4u);  // never reused
}

TEST_F(ModelTest, CreateThenLookupFindsSameNode) {
  auto r = root();
  auto f = mkfile(r, "f");
  auto g = look(r, "f");
  ASSERT_TRUE(g);
  EXPECT_TRUE(m.same(*f, *g));
  EXPECT_EQ(attr(g).type, FileType::Regular);
  EXPECT_EQ(attr(g).nlink, 1u);
}

TEST_F(ModelTest, LookupMissingIsENOENT) { EXPECT_EQ(E(m.lookup(kRoot, *root(), "nope")), Errno::NOENT); }

TEST_F(ModelTest, LookupInFileIsENOTDIR) {
  auto f = mkfile(root(), "f");
  EXPECT_EQ(E(m.lookup(kRoot, *f, "x")), Errno::NOTDIR);
  EXPECT_EQ(E(m.create(kRoot, *f, "x", RW, 0644, 0)), Errno::NOTDIR);
}

TEST_F(ModelTest, LookupDotDotIsParent) {
  auto d = mkdir(root(), "d");
  auto e = mkdir(d, "e");
  EXPECT_TRUE(m.same(*look(e, ".."), *d));
  EXPECT_TRUE(m.same(*look(e, "."), *e));
}

TEST_F(ModelTest, NameTooLongIsENAMETOOLONG) {
  auto r = root();
  std::string n255(255, 'x'), n256(256, 'x');
  EXPECT_TRUE(m.create(kRoot, *r, n255, RW, 0644, 0).ok());
  EXPECT_EQ(E(m.create(kRoot, *r, n256, RW, 0644, 0)), Errno::NAMETOOLONG);
  EXPECT_EQ(E(m.mkdir(kRoot, *r, n256, 0755, 0)), Errno::NAMETOOLONG);
  EXPECT_EQ(E(m.lookup(kRoot, *r, n256)), Errno::NAMETOOLONG);
  EXPECT_EQ(E(m.rename(kRoot, *r, n255, *r, n256)), Errno::NAMETOOLONG);
}

TEST_F(ModelTest, CreateOnExistingNameIsEEXIST) {
  auto r = root();
  auto f = mkfile(r, "f");
  EXPECT_EQ(E(m.create(kRoot, *r, "f", RW, 0644, 0)), Errno::EXIST);
  EXPECT_EQ(E(m.mkdir(kRoot, *r, "f", 0755, 0)), Errno::EXIST);
  EXPECT_EQ(E(m.symlink(kRoot, *r, "f", "t", 0)), Errno::EXIST);
  EXPECT_EQ(E(m.mknod(kRoot, *r, "f", file_type::FIFO | 0644, 0, 0)), Errno::EXIST);
  EXPECT_EQ(E(m.link(kRoot, *f, *r, "f")), Errno::EXIST);
  EXPECT_EQ(E(m.mkdir(kRoot, *r, ".", 0755, 0)), Errno::EXIST);
  EXPECT_EQ(E(m.mkdir(kRoot, *r, "..", 0755, 0)), Errno::EXIST);
}

TEST_F(ModelTest, CreateModeUidGid) {
  auto d = shared_dir();
  auto r = m.create(kAlice, *d, "f", RW, 0100644 | 04755, 4242);
  ASSERT_TRUE(r.ok());
  Attr a = attr(r->node);
  EXPECT_EQ(a.mode, file_type::REG | 04755);
  EXPECT_EQ(a.uid, 1000u);
  EXPECT_EQ(a.gid, 4242u);  // the gid argument, the directory is not set-gid
}

TEST_F(ModelTest, CreateOpensNewFileWhateverItsMode) {
  auto d = shared_dir();
  auto r = m.create(kAlice, *d, "ro", RW, 0444, kAlice.gid);
  ASSERT_TRUE(r.ok());
  std::uint8_t b = 'x';
  EXPECT_EQ(E(r->file->write(0, &b, 1)), Errno::OK);
  EXPECT_EQ(E(m.open(kAlice, *r->node, WR)), Errno::ACCES);  // but a later open is checked
}

// ---- readdir ----------------------------------------------------------------

TEST_F(ModelTest, ReaddirListsDotAndDotDotFirst) {
  auto d = mkdir(root(), "d");
  mkfile(d, "a");
  mkdir(d, "b");
  auto es = entries(d);
  ASSERT_EQ(es.size(), 4u);
  EXPECT_EQ(es[0].name, ".");
  EXPECT_EQ(es[0].ino, attr(d).ino);
  EXPECT_EQ(es[0].next_cookie, Model::kDotCookie);
  EXPECT_EQ(es[1].name, "..");
  EXPECT_EQ(es[1].ino, Model::kRootIno);
  EXPECT_EQ(es[1].next_cookie, Model::kDotDotCookie);
  EXPECT_EQ(es[2].name, "a");
  EXPECT_EQ(es[2].type, FileType::Regular);
  EXPECT_EQ(es[3].name, "b");
  EXPECT_EQ(es[3].type, FileType::Directory);
  EXPECT_EQ(es[3].ino, attr(look(d, "b")).ino);
}

TEST_F(ModelTest, ReaddirOfRootDotDotIsRoot) {
  auto es = entries(root());
  ASSERT_GE(es.size(), 2u);
  EXPECT_EQ(es[1].ino, Model::kRootIno);
}

TEST_F(ModelTest, ReaddirRefusedEntryComesAgain) {
  auto d = mkdir(root(), "d");
  for (auto n : {"a", "b", "c"}) mkfile(d, n);
  auto f = open(d, RD);
  std::vector<std::string> got;
  std::uint64_t cookie = 0;
  // Accept two entries per call.
  for (int call = 0; call < 10; ++call) {
    int room = 2;
    bool any = false;
    ASSERT_TRUE(f->readdir(cookie, [&](const fs::DirEntry& e) {
                   if (room-- == 0) return false;
                   got.push_back(e.name);
                   cookie = e.next_cookie;
                   any = true;
                   return true;
                 }).ok());
    if (!any) break;
  }
  EXPECT_EQ(got, (std::vector<std::string>{".", "..", "a", "b", "c"}));
}

TEST_F(ModelTest, ReaddirCookiesStableWhileAdding) {
  auto d = mkdir(root(), "d");
  for (int i = 0; i < 10; ++i) mkfile(d, "f" + std::to_string(i));
  auto f = open(d, RD);
  std::vector<std::string> got;
  std::uint64_t cookie = 0;
  ASSERT_TRUE(f->readdir(0, [&](const fs::DirEntry& e) {
                 got.push_back(e.name);
                 cookie = e.next_cookie;
                 return got.size() < 6;
               }).ok());
  for (int i = 0; i < 5; ++i) mkfile(d, "new" + std::to_string(i));
  ASSERT_TRUE(f->readdir(cookie, [&](const fs::DirEntry& e) {
                 got.push_back(e.name);
                 return true;
               }).ok());
  std::multiset<std::string> seen(got.begin(), got.end());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(seen.count("f" + std::to_string(i)), 1u);
  EXPECT_EQ(seen.count("."), 1u);
  EXPECT_EQ(seen.count(".."), 1u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(seen.count("new" + std::to_string(i)), 1u);  // appended after
}

TEST_F(ModelTest, ReaddirCookiesStableWhileRemoving) {
  auto d = mkdir(root(), "d");
  for (int i = 0; i < 10; ++i) mkfile(d, "f" + std::to_string(i));
  auto f = open(d, RD);
  std::vector<std::string> got;
  std::uint64_t cookie = 0;
  ASSERT_TRUE(f->readdir(0, [&](const fs::DirEntry& e) {
                 got.push_back(e.name);
                 cookie = e.next_cookie;
                 return e.name != "f4";
               }).ok());
  // Remove the entry the cookie came from, one already listed, and one not yet listed.
  ASSERT_TRUE(m.unlink(kRoot, *d, "f3", false).ok());
  ASSERT_TRUE(m.unlink(kRoot, *d, "f1", false).ok());
  ASSERT_TRUE(m.unlink(kRoot, *d, "f7", false).ok());
  ASSERT_TRUE(f->readdir(cookie, [&](const fs::DirEntry& e) {
                 got.push_back(e.name);
                 return true;
               }).ok());
  std::multiset<std::string> seen(got.begin(), got.end());
  for (int i : {0, 2, 4, 5, 6, 8, 9}) EXPECT_EQ(seen.count("f" + std::to_string(i)), 1u) << i;
  EXPECT_EQ(seen.count("f7"), 0u);
}

TEST_F(ModelTest, ReaddirOfFileIsENOTDIR) {
  auto f = open(mkfile(root(), "f"), RD);
  EXPECT_EQ(E(f->readdir(0, [](const fs::DirEntry&) { return true; })), Errno::NOTDIR);
}

TEST_F(ModelTest, RemovedDirectoryIsDead) {
  auto r = root();
  auto d = mkdir(r, "d");
  auto f = open(d, RD);
  ASSERT_TRUE(m.unlink(kRoot, *r, "d", true).ok());
  EXPECT_EQ(E(f->readdir(0, [](const fs::DirEntry&) { return true; })), Errno::NOENT);
  EXPECT_EQ(E(m.create(kRoot, *d, "x", RW, 0644, 0)), Errno::NOENT);
  EXPECT_EQ(E(m.lookup(kRoot, *d, "..")), Errno::NOENT);
  EXPECT_EQ(attr(d).nlink, 0u);
  EXPECT_EQ(attr(r).nlink, 2u);
}

TEST_F(ModelTest, LargeDirectory) {
  auto d = mkdir(root(), "big");
  for (int i = 0; i < 2000; ++i) mkfile(d, "file-" + std::to_string(i));
  EXPECT_EQ(entries(d).size(), 2002u);
  for (int i = 0; i < 2000; i += 97) EXPECT_TRUE(look(d, "file-" + std::to_string(i)));
  for (int i = 0; i < 2000; i += 2) ASSERT_TRUE(m.unlink(kRoot, *d, "file-" + std::to_string(i), false).ok());
  EXPECT_EQ(entries(d).size(), 1002u);
}

// ---- file data --------------------------------------------------------------

TEST_F(ModelTest, WriteThenRead) {
  auto f = mkfile(root(), "f");
  put(f, 0, "hello world");
  EXPECT_EQ(get(f), "hello world");
  EXPECT_EQ(get(f, 6, 3), "wor");
  EXPECT_EQ(attr(f).size, 11u);
}

TEST_F(ModelTest, ReadAtOrPastEofReturnsNothing) {
  auto f = mkfile(root(), "f");
  put(f, 0, "abc");
  EXPECT_EQ(get(f, 3), "");
  EXPECT_EQ(get(f, 1000), "");
}

TEST_F(ModelTest, HoleAtOneTebibyteAllocatesOneBlock) {
  auto f = mkfile(root(), "sparse");
  const std::uint64_t tib = 1ULL << 40;
  put(f, tib, "z");
  Attr a = attr(f);
  EXPECT_EQ(a.size, tib + 1);
  EXPECT_EQ(a.blocks, 8u);  // one 4 KiB block in 512-byte units
  EXPECT_EQ(m.allocated_blocks(), 1u);
  EXPECT_EQ(get(f, tib / 2, 4), std::string(4, '\0'));
  EXPECT_EQ(get(f, tib - 1, 2), std::string("\0z", 2));
}

TEST_F(ModelTest, BlocksCountAllocatedUnits) {
  auto f = mkfile(root(), "f");
  put(f, 0, std::string(10000, 'a'));  // blocks 0..2
  EXPECT_EQ(attr(f).blocks, 24u);
  put(f, 100000, "b");  // block 24
  EXPECT_EQ(attr(f).blocks, 32u);
}

// A pattern that differs at every offset, so misplaced bytes show.
std::string pattern(std::uint64_t off, std::size_t len) {
  std::string s(len, '\0');
  for (std::size_t i = 0; i < len; ++i) s[i] = static_cast<char>('a' + (off + i) % 23);
  return s;
}

TEST_F(ModelTest, StreamingWriteAcrossChunksReadsBack) {
  auto f = mkfile(root(), "big");
  const std::uint64_t total = (5u << 20) + 1234;  // several 2 MiB chunks and a partial block
  const std::size_t piece = (1u << 20) - 24;      // what a 1 MiB-msize client sends
  for (std::uint64_t off = 0; off < total; off += piece)
    put(f, off, pattern(off, static_cast<std::size_t>(std::min<std::uint64_t>(piece, total - off))));
  EXPECT_EQ(attr(f).size, total);
  EXPECT_EQ(attr(f).blocks, (total + 4095) / 4096 * 8);  // every block allocated, none twice
  const std::vector<std::uint64_t> probes{0, 4090, (2u << 20) - 10, (4u << 20) - 3, total - 100};
  for (std::uint64_t off : probes) {
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(300, total - off));
    EXPECT_EQ(get(f, off, 300), pattern(off, n)) << off;
  }
  EXPECT_EQ(get(f, 0, static_cast<std::size_t>(total)), pattern(0, static_cast<std::size_t>(total)));
}

TEST_F(ModelTest, WriteFromTheStartTakesOverSparseBlocks) {
  auto f = mkfile(root(), "f");
  put(f, 3 * 4096 + 100, "three");  // a lone block (3) past a hole
  put(f, 6 * 4096, "six");          // and another (6)
  EXPECT_EQ(attr(f).blocks, 16u);
  put(f, 0, std::string(2 * 4096, 'a'));  // blocks 0-1 from the start
  EXPECT_EQ(attr(f).blocks, 32u);
  put(f, 2 * 4096 + 4090, std::string(20, 'b'));  // blocks 2-3: reaches into block 3
  EXPECT_EQ(attr(f).blocks, 40u);                 // 0-3 and 6
  EXPECT_EQ(get(f, 3 * 4096 - 6, 21), std::string(20, 'b') + std::string(1, '\0'));
  EXPECT_EQ(get(f, 3 * 4096 + 100, 5), "three");         // kept when block 3 joined the dense part
  EXPECT_EQ(get(f, 4 * 4096, 8), std::string(8, '\0'));  // block 4 is still a hole
  EXPECT_EQ(get(f, 6 * 4096, 3), "six");
}

TEST_F(ModelTest, TruncateAcrossChunksThenGrowReadsZeros) {
  auto f = mkfile(root(), "f");
  const std::uint64_t total = 5u << 20;
  put(f, 0, pattern(0, total));
  const std::uint64_t cut = (2u << 20) + 100;  // just past the first chunk
  ASSERT_TRUE(truncate(f, cut).ok());
  EXPECT_EQ(attr(f).blocks, (cut + 4095) / 4096 * 8);
  ASSERT_TRUE(truncate(f, total).ok());
  EXPECT_EQ(attr(f).blocks, (cut + 4095) / 4096 * 8);  // growing makes a hole
  EXPECT_EQ(get(f, cut - 50, 50), pattern(cut - 50, 50));
  EXPECT_EQ(get(f, cut, 5000), std::string(5000, '\0'));
  EXPECT_EQ(get(f, total - 10, 10), std::string(10, '\0'));
  put(f, cut, "x");  // writing right at the cut grows the dense part again
  EXPECT_EQ(get(f, cut - 1, 3), pattern(cut - 1, 1) + "x" + std::string(1, '\0'));
  ASSERT_TRUE(truncate(f, 2u << 20).ok());  // exactly one chunk
  EXPECT_EQ(attr(f).blocks, 512u * 8);
  ASSERT_TRUE(truncate(f, 0).ok());
  EXPECT_EQ(attr(f).blocks, 0u);
  EXPECT_EQ(m.allocated_blocks(), 0u);
}

TEST_F(ModelTest, AppendWritesAtEof) {
  auto n = mkfile(root(), "log");
  put(n, 0, "one");
  auto f = open(n, WR | oflag::APPEND);
  std::string two = "two";
  ASSERT_TRUE(f->write(0, reinterpret_cast<const std::uint8_t*>(two.data()), 3).ok());
  ASSERT_TRUE(f->write(1, reinterpret_cast<const std::uint8_t*>(two.data()), 3).ok());
  EXPECT_EQ(get(n), "onetwotwo");
}

TEST_F(ModelTest, TruncateDownThenUpReadsZeros) {
  auto f = mkfile(root(), "f");
  put(f, 0, std::string(5000, 'x'));
  ASSERT_TRUE(truncate(f, 10).ok());
  EXPECT_EQ(attr(f).size, 10u);
  EXPECT_EQ(attr(f).blocks, 8u);
  ASSERT_TRUE(truncate(f, 9000).ok());
  EXPECT_EQ(attr(f).size, 9000u);
  EXPECT_EQ(attr(f).blocks, 8u);  // growing makes a hole
  std::string all = get(f);
  EXPECT_EQ(all.substr(0, 10), std::string(10, 'x'));
  EXPECT_EQ(all.substr(10), std::string(8990, '\0'));
}

TEST_F(ModelTest, TruncateToZeroFreesBlocks) {
  auto f = mkfile(root(), "f");
  put(f, 0, std::string(9000, 'x'));
  ASSERT_TRUE(truncate(f, 0).ok());
  EXPECT_EQ(attr(f).blocks, 0u);
  EXPECT_EQ(m.allocated_blocks(), 0u);
}

TEST_F(ModelTest, TruncateTypeErrors) {
  auto r = root();
  auto d = mkdir(r, "d");
  auto l = m.symlink(kRoot, *r, "l", "d", 0).value();
  auto p = m.mknod(kRoot, *r, "p", file_type::FIFO | 0644, 0, 0).value();
  EXPECT_EQ(E(truncate(d, 0)), Errno::ISDIR);
  EXPECT_EQ(E(truncate(l, 0)), Errno::INVAL);
  EXPECT_EQ(E(truncate(p, 0)), Errno::INVAL);
  // A size above OFFSET_MAX is a negative loff_t: EINVAL (fs/open.c do_sys_truncate).
  EXPECT_EQ(E(truncate(mkfile(r, "f"), Model::kMaxFileSize + 1)), Errno::INVAL);
}

TEST_F(ModelTest, ReadWriteNeedMatchingOpenMode) {
  auto n = mkfile(root(), "f");
  std::uint8_t b = 0;
  EXPECT_EQ(E(open(n, RD)->write(0, &b, 1)), Errno::BADF);
  EXPECT_EQ(E(open(n, WR)->read(0, &b, 1)), Errno::BADF);
}

TEST_F(ModelTest, ReadOfDirectoryIsEISDIR) {
  auto f = open(root(), RD);
  std::uint8_t b[8];
  EXPECT_EQ(E(f->read(0, b, 8)), Errno::ISDIR);
}

TEST_F(ModelTest, NegativePositionIsEINVAL) {
  // One past OFFSET_MAX is a negative loff_t: pread/pwrite EINVAL (fs/read_write.c), even for 0 bytes.
  auto n = mkfile(root(), "f");
  std::uint8_t b[4] = {};
  EXPECT_EQ(E(open(n, RD)->read(Model::kMaxFileSize + 1, b, 4)), Errno::INVAL);
  EXPECT_EQ(E(open(n, WR)->write(Model::kMaxFileSize + 1, b, 0)), Errno::INVAL);
  EXPECT_EQ(E(open(n, WR)->write(~0ULL, b, 4)), Errno::INVAL);
  EXPECT_EQ(E(open(n, WR)->read(~0ULL, b, 4)), Errno::INVAL);  // before the descriptor's mode (EBADF)
  EXPECT_EQ(E(open(n, RD)->write(~0ULL, b, 4)), Errno::INVAL);
  auto r = open(n, RD)->read(Model::kMaxFileSize, b, 4);  // the largest position reads end of file
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 0u);
}

TEST_F(ModelTest, WritePastMaximumIsEFBIG) {
  auto f = open(mkfile(root(), "f"), WR);
  std::uint8_t b[4] = {};
  EXPECT_EQ(E(f->write(Model::kMaxFileSize, b, 4)), Errno::FBIG);
  auto r = f->write(Model::kMaxFileSize - 2, b, 4);  // short write up to the maximum
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 2u);
}

TEST_F(ModelTest, OpenTruncTruncatesAndStampsTimes) {
  auto n = mkfile(root(), "f");
  put(n, 0, "data");
  Attr before = attr(n);
  open(n, WR | oflag::TRUNC);
  Attr after = attr(n);
  EXPECT_EQ(after.size, 0u);
  EXPECT_NE(after.mtime, before.mtime);
  EXPECT_EQ(after.mtime, after.ctime);
}

// ---- open -------------------------------------------------------------------

TEST_F(ModelTest, OpenSymlinkIsELOOP) {
  auto l = m.symlink(kRoot, *root(), "l", "target", 0).value();
  EXPECT_EQ(E(m.open(kRoot, *l, RD)), Errno::LOOP);
}

TEST_F(ModelTest, OpenDirectoryForWritingIsEISDIR) {
  auto d = mkdir(root(), "d");
  EXPECT_EQ(E(m.open(kRoot, *d, WR)), Errno::ISDIR);
  EXPECT_EQ(E(m.open(kRoot, *d, RW)), Errno::ISDIR);
  EXPECT_EQ(E(m.open(kRoot, *d, RD | oflag::TRUNC)), Errno::ISDIR);
  EXPECT_EQ(E(m.open(kRoot, *d, RD | oflag::DIRECTORY)), Errno::OK);
}

TEST_F(ModelTest, ODirectoryOnFileIsENOTDIR) {
  auto f = mkfile(root(), "f");
  EXPECT_EQ(E(m.open(kRoot, *f, RD | oflag::DIRECTORY)), Errno::NOTDIR);
}

TEST_F(ModelTest, OpenSpecialFileIsENXIO) {
  auto p = m.mknod(kRoot, *root(), "p", file_type::FIFO | 0666, 0, 0).value();
  EXPECT_EQ(E(m.open(kRoot, *p, RD)), Errno::NXIO);
}

TEST_F(ModelTest, OpenAccessModeChecks) {
  auto d = shared_dir();
  auto ro = mkfile(d, "ro", 0400, kAlice);
  auto wo = mkfile(d, "wo", 0200, kAlice);
  EXPECT_EQ(E(m.open(kAlice, *ro, RD)), Errno::OK);
  EXPECT_EQ(E(m.open(kAlice, *ro, WR)), Errno::ACCES);
  EXPECT_EQ(E(m.open(kAlice, *ro, RW)), Errno::ACCES);
  EXPECT_EQ(E(m.open(kAlice, *ro, RD | oflag::TRUNC)), Errno::ACCES);  // O_TRUNC needs write
  EXPECT_EQ(E(m.open(kAlice, *wo, RD)), Errno::ACCES);
  EXPECT_EQ(E(m.open(kAlice, *wo, WR)), Errno::OK);
}

TEST_F(ModelTest, OwnerClassDecidesEvenIfGroupAllows) {
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0070, kAlice);  // owner ---, group rwx
  ASSERT_TRUE(chown(f, std::nullopt, 1000).ok());
  EXPECT_EQ(E(m.open(kAlice, *f, RD)), Errno::ACCES);
  EXPECT_EQ(E(m.open(kCarol, *f, RD)), Errno::OK);  // carol is in group 1000
  EXPECT_EQ(E(m.open(kBob, *f, RD)), Errno::ACCES);
}

TEST_F(ModelTest, RootBypassesReadWriteChecks) {
  auto f = mkfile(root(), "f", 0000);
  EXPECT_EQ(E(m.open(kRoot, *f, RW)), Errno::OK);
  auto d = mkdir(root(), "locked", 0000);
  EXPECT_TRUE(m.create(kRoot, *d, "x", RW, 0644, 0).ok());
  EXPECT_EQ(E(m.lookup(kAlice, *d, "x")), Errno::ACCES);
}

// ---- rename -------------------------------------------------------------------

TEST_F(ModelTest, RenameFileOverFileReplacesIt) {
  auto r = root();
  auto a = mkfile(r, "a");
  mkfile(r, "b");
  std::size_t before = m.inode_count();
  ASSERT_TRUE(m.rename(kRoot, *r, "a", *r, "b").ok());
  EXPECT_EQ(E(m.lookup(kRoot, *r, "a")), Errno::NOENT);
  EXPECT_TRUE(m.same(*look(r, "b"), *a));
  EXPECT_EQ(m.inode_count(), before - 1);  // the old "b" is gone
}

TEST_F(ModelTest, RenameFileOverDirIsEISDIR) {
  auto r = root();
  mkfile(r, "f");
  mkdir(r, "d");
  EXPECT_EQ(E(m.rename(kRoot, *r, "f", *r, "d")), Errno::ISDIR);
}

TEST_F(ModelTest, RenameDirOverFileIsENOTDIR) {
  auto r = root();
  mkfile(r, "f");
  mkdir(r, "d");
  EXPECT_EQ(E(m.rename(kRoot, *r, "d", *r, "f")), Errno::NOTDIR);
}

TEST_F(ModelTest, RenameDirOverEmptyDir) {
  auto r = root();
  auto a = mkdir(r, "a");
  mkdir(a, "sub");
  auto b = mkdir(r, "b");
  ASSERT_TRUE(m.rename(kRoot, *r, "a", *r, "b").ok());
  EXPECT_TRUE(m.same(*look(r, "b"), *a));
  EXPECT_EQ(attr(r).nlink, 3u);
  EXPECT_EQ(attr(b).nlink, 0u);  // the replaced directory is dead
  EXPECT_EQ(attr(a).nlink, 3u);
}

TEST_F(ModelTest, RenameDirOverNonEmptyDirIsENOTEMPTY) {
  auto r = root();
  mkdir(r, "a");
  auto b = mkdir(r, "b");
  mkfile(b, "x");
  EXPECT_EQ(E(m.rename(kRoot, *r, "a", *r, "b")), Errno::NOTEMPTY);
}

TEST_F(ModelTest, RenameBetweenHardLinksIsNoOp) {
  auto r = root();
  auto f = mkfile(r, "a");
  ASSERT_TRUE(m.link(kRoot, *f, *r, "b").ok());
  Attr before = attr(r);
  ASSERT_TRUE(m.rename(kRoot, *r, "a", *r, "b").ok());
  EXPECT_TRUE(look(r, "a"));
  EXPECT_TRUE(look(r, "b"));
  EXPECT_EQ(attr(f).nlink, 2u);
  EXPECT_EQ(attr(r).mtime, before.mtime);
}

TEST_F(ModelTest, RenameToSameNameIsNoOp) {
  auto r = root();
  mkfile(r, "a");
  EXPECT_TRUE(m.rename(kRoot, *r, "a", *r, "a").ok());
  EXPECT_TRUE(look(r, "a"));
}

TEST_F(ModelTest, RenameDirIntoItsOwnSubtreeIsEINVAL) {
  auto r = root();
  auto a = mkdir(r, "a");
  auto b = mkdir(a, "b");
  auto c = mkdir(b, "c");
  EXPECT_EQ(E(m.rename(kRoot, *r, "a", *c, "x")), Errno::INVAL);
  EXPECT_EQ(E(m.rename(kRoot, *r, "a", *a, "x")), Errno::INVAL);
}

TEST_F(ModelTest, RenameOverAncestorIsENOTEMPTY) {
  auto r = root();
  auto a = mkdir(r, "a");
  auto b = mkdir(a, "b");
  mkfile(b, "f");
  // Linux do_renameat2() checks the ancestor trap before the type rules.
  EXPECT_EQ(E(m.rename(kRoot, *b, "f", *r, "a")), Errno::NOTEMPTY);
  mkdir(b, "d");
  EXPECT_EQ(E(m.rename(kRoot, *b, "d", *r, "a")), Errno::NOTEMPTY);
}

TEST_F(ModelTest, RenameDotNamesIsEBUSY) {
  auto r = root();
  mkdir(r, "d");
  EXPECT_EQ(E(m.rename(kRoot, *r, ".", *r, "x")), Errno::BUSY);
  EXPECT_EQ(E(m.rename(kRoot, *r, "d", *r, "..")), Errno::BUSY);
}

TEST_F(ModelTest, RenameMissingIsENOENT) {
  auto r = root();
  EXPECT_EQ(E(m.rename(kRoot, *r, "none", *r, "x")), Errno::NOENT);
}

TEST_F(ModelTest, RenameDirAcrossParentsMovesDotDot) {
  auto r = root();
  auto p = mkdir(r, "p");
  auto q = mkdir(r, "q");
  auto d = mkdir(p, "d");
  ASSERT_TRUE(m.rename(kRoot, *p, "d", *q, "d2").ok());
  EXPECT_TRUE(m.same(*look(d, ".."), *q));
  EXPECT_EQ(attr(p).nlink, 2u);
  EXPECT_EQ(attr(q).nlink, 3u);
  auto es = entries(d);
  EXPECT_EQ(es[1].ino, attr(q).ino);
}

TEST_F(ModelTest, RenameStampsBothDirsAndTheFile) {
  auto r = root();
  auto p = mkdir(r, "p");
  auto q = mkdir(r, "q");
  auto f = mkfile(p, "f");
  ASSERT_TRUE(m.rename(kRoot, *p, "f", *q, "g").ok());
  Timespec t = attr(f).ctime;
  EXPECT_EQ(attr(p).mtime, t);
  EXPECT_EQ(attr(p).ctime, t);
  EXPECT_EQ(attr(q).mtime, t);
  EXPECT_NE(attr(f).mtime, t);
}

TEST_F(ModelTest, RenamedEntryGetsNewCookie) {
  auto d = mkdir(root(), "d");
  mkfile(d, "a");
  mkfile(d, "b");
  ASSERT_TRUE(m.rename(kRoot, *d, "a", *d, "c").ok());
  EXPECT_EQ(names(d), (std::vector<std::string>{".", "..", "b", "c"}));
}

// ---- unlink / rmdir -------------------------------------------------------------

TEST_F(ModelTest, UnlinkOfDirIsEISDIR) {
  auto r = root();
  mkdir(r, "d");
  EXPECT_EQ(E(m.unlink(kRoot, *r, "d", false)), Errno::ISDIR);
}

TEST_F(ModelTest, RmdirOfFileIsENOTDIR) {
  auto r = root();
  mkfile(r, "f");
  EXPECT_EQ(E(m.unlink(kRoot, *r, "f", true)), Errno::NOTDIR);
}

TEST_F(ModelTest, RmdirNonEmptyIsENOTEMPTY) {
  auto r = root();
  auto d = mkdir(r, "d");
  mkfile(d, "f");
  EXPECT_EQ(E(m.unlink(kRoot, *r, "d", true)), Errno::NOTEMPTY);
  ASSERT_TRUE(m.unlink(kRoot, *d, "f", false).ok());
  EXPECT_TRUE(m.unlink(kRoot, *r, "d", true).ok());
}

TEST_F(ModelTest, RemoveDotNames) {
  auto d = mkdir(root(), "d");
  EXPECT_EQ(E(m.unlink(kRoot, *d, ".", true)), Errno::INVAL);
  EXPECT_EQ(E(m.unlink(kRoot, *d, "..", true)), Errno::NOTEMPTY);
  EXPECT_EQ(E(m.unlink(kRoot, *d, ".", false)), Errno::ISDIR);
}

TEST_F(ModelTest, UnlinkMissingIsENOENT) { EXPECT_EQ(E(m.unlink(kRoot, *root(), "x", false)), Errno::NOENT); }

TEST_F(ModelTest, UnlinkStampsDirectory) {
  auto r = root();
  auto d = mkdir(r, "d");
  mkfile(d, "f");
  Attr before = attr(d);
  ASSERT_TRUE(m.unlink(kRoot, *d, "f", false).ok());
  Attr after = attr(d);
  EXPECT_NE(after.mtime, before.mtime);
  EXPECT_EQ(after.mtime, after.ctime);
}

TEST_F(ModelTest, OpenUnlinkedFileLivesUntilReleased) {
  auto r = root();
  std::size_t base = m.inode_count();
  {
    auto c = m.create(kRoot, *r, "f", RW, 0644, 0).value();
    std::string data = "still here";
    ASSERT_TRUE(c.file->write(0, reinterpret_cast<const std::uint8_t*>(data.data()), data.size()).ok());
    ASSERT_TRUE(m.unlink(kRoot, *r, "f", false).ok());
    c.node.reset();
    EXPECT_EQ(m.inode_count(), base + 1);
    std::string out(32, '\0');
    auto n = c.file->read(0, reinterpret_cast<std::uint8_t*>(out.data()), out.size());
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(out.substr(0, n.value()), data);
    ASSERT_TRUE(c.file->write(0, reinterpret_cast<const std::uint8_t*>("S"), 1).ok());
    EXPECT_EQ(m.check_invariants(), "");
  }
  EXPECT_EQ(m.inode_count(), base);
}

TEST_F(ModelTest, NodeRefKeepsUnlinkedInode) {
  auto r = root();
  auto f = mkfile(r, "f");
  put(f, 0, "abc");
  ASSERT_TRUE(m.unlink(kRoot, *r, "f", false).ok());
  Attr a = attr(f);
  EXPECT_EQ(a.nlink, 0u);
  EXPECT_EQ(a.size, 3u);
  EXPECT_TRUE(chmod(f, 0600).ok());
  EXPECT_TRUE(truncate(f, 1).ok());
  EXPECT_EQ(get(f), "a");
  EXPECT_EQ(E(m.link(kRoot, *f, *r, "back")), Errno::NOENT);
  std::size_t n = m.inode_count();
  f.reset();
  EXPECT_EQ(m.inode_count(), n - 1);
}

// ---- links --------------------------------------------------------------------

TEST_F(ModelTest, HardLinksCountNames) {
  auto r = root();
  auto d = mkdir(r, "d");
  auto f = mkfile(r, "f");
  Attr before = attr(f);
  ASSERT_TRUE(m.link(kRoot, *f, *d, "g").ok());
  Attr a = attr(f);
  EXPECT_EQ(a.nlink, 2u);
  EXPECT_NE(a.ctime, before.ctime);
  EXPECT_EQ(attr(d).mtime, a.ctime);
  ASSERT_TRUE(m.unlink(kRoot, *r, "f", false).ok());
  EXPECT_EQ(attr(f).nlink, 1u);
  EXPECT_TRUE(m.same(*look(d, "g"), *f));
}

TEST_F(ModelTest, LinkToDirectoryIsEPERM) {
  auto r = root();
  auto d = mkdir(r, "d");
  EXPECT_EQ(E(m.link(kRoot, *d, *r, "d2")), Errno::PERM);
}

TEST_F(ModelTest, DirectoryNlinkIsTwoPlusSubdirs) {
  auto r = root();
  auto d = mkdir(r, "d");
  EXPECT_EQ(attr(d).nlink, 2u);
  mkdir(d, "a");
  mkdir(d, "b");
  mkfile(d, "f");
  EXPECT_EQ(attr(d).nlink, 4u);
  EXPECT_EQ(attr(r).nlink, 3u);
}

// ---- symlinks, mknod ------------------------------------------------------------

TEST_F(ModelTest, SymlinkAndReadlink) {
  auto l = m.symlink(kAlice, *shared_dir(), "l", "../some/where", 77).value();
  Attr a = attr(l);
  EXPECT_EQ(a.type, FileType::Symlink);
  EXPECT_EQ(a.mode, file_type::LNK | 0777);
  EXPECT_EQ(a.size, 13u);
  EXPECT_EQ(a.uid, 1000u);
  EXPECT_EQ(a.gid, 77u);
  EXPECT_EQ(m.readlink(*l).value(), "../some/where");
}

TEST_F(ModelTest, ReadlinkOfNonSymlinkIsEINVAL) {
  EXPECT_EQ(E(m.readlink(*mkfile(root(), "f"))), Errno::INVAL);
}

TEST_F(ModelTest, SymlinkTargetLimits) {
  auto r = root();
  EXPECT_EQ(E(m.symlink(kRoot, *r, "l", "", 0)), Errno::NOENT);
  EXPECT_EQ(E(m.symlink(kRoot, *r, "l", std::string(4096, 'a'), 0)), Errno::NAMETOOLONG);
  EXPECT_TRUE(m.symlink(kRoot, *r, "l", std::string(4095, 'a'), 0).ok());
}

TEST_F(ModelTest, MknodTypesAndRdev) {
  auto r = root();
  std::uint64_t dev = fs::make_rdev(8, 1);
  auto fifo = m.mknod(kRoot, *r, "fifo", file_type::FIFO | 0640, dev, 0).value();
  auto chr = m.mknod(kRoot, *r, "chr", file_type::CHR | 0600, dev, 0).value();
  auto blk = m.mknod(kRoot, *r, "blk", file_type::BLK | 0600, dev, 0).value();
  auto sock = m.mknod(kRoot, *r, "sock", file_type::SOCK | 0755, dev, 0).value();
  auto reg = m.mknod(kRoot, *r, "reg", file_type::REG | 0644, dev, 0).value();
  auto reg0 = m.mknod(kRoot, *r, "reg0", 0644, 0, 0).value();
  EXPECT_EQ(attr(fifo).mode, file_type::FIFO | 0640);
  EXPECT_EQ(attr(fifo).rdev, 0u);
  EXPECT_EQ(attr(chr).type, FileType::CharDev);
  EXPECT_EQ(attr(chr).rdev, dev);
  EXPECT_EQ(attr(blk).type, FileType::BlockDev);
  EXPECT_EQ(attr(blk).rdev, dev);
  EXPECT_EQ(attr(sock).type, FileType::Socket);
  EXPECT_EQ(attr(reg).type, FileType::Regular);
  EXPECT_EQ(attr(reg).rdev, 0u);
  EXPECT_EQ(attr(reg0).type, FileType::Regular);
  auto es = entries(r);
  auto find = [&](const std::string& n) {
    return std::find_if(es.begin(), es.end(), [&](const fs::DirEntry& e) { return e.name == n; })->type;
  };
  EXPECT_EQ(find("fifo"), FileType::Fifo);
  EXPECT_EQ(find("blk"), FileType::BlockDev);
}

TEST_F(ModelTest, MknodBadTypes) {
  auto r = root();
  EXPECT_EQ(E(m.mknod(kRoot, *r, "d", file_type::DIR | 0755, 0, 0)), Errno::PERM);
  EXPECT_EQ(E(m.mknod(kRoot, *r, "x", 0070000 | 0755, 0, 0)), Errno::INVAL);
}

TEST_F(ModelTest, MknodDeviceNeedsRoot) {
  auto d = shared_dir();
  EXPECT_EQ(E(m.mknod(kAlice, *d, "c", file_type::CHR | 0600, 1, kAlice.gid)), Errno::PERM);
  EXPECT_TRUE(m.mknod(kAlice, *d, "p", file_type::FIFO | 0600, 0, kAlice.gid).ok());
}

// ---- xattrs ---------------------------------------------------------------------

TEST_F(ModelTest, XattrSetGetListRemove) {
  auto f = mkfile(root(), "f");
  ASSERT_TRUE(m.setxattr(kRoot, *f, "user.b", "2", XattrFlags::Any).ok());
  ASSERT_TRUE(m.setxattr(kRoot, *f, "user.a", std::string("1\0x", 3), XattrFlags::Any).ok());
  EXPECT_EQ(m.getxattr(kRoot, *f, "user.a").value(), std::string("1\0x", 3));
  EXPECT_EQ(m.listxattr(kRoot, *f).value(), (std::vector<std::string>{"user.a", "user.b"}));
  ASSERT_TRUE(m.removexattr(kRoot, *f, "user.a").ok());
  EXPECT_EQ(E(m.getxattr(kRoot, *f, "user.a")), Errno::NODATA);
  EXPECT_EQ(E(m.removexattr(kRoot, *f, "user.a")), Errno::NODATA);
}

TEST_F(ModelTest, XattrCreateAndReplaceFlags) {
  auto f = mkfile(root(), "f");
  EXPECT_EQ(E(m.setxattr(kRoot, *f, "user.x", "1", XattrFlags::Replace)), Errno::NODATA);
  EXPECT_TRUE(m.setxattr(kRoot, *f, "user.x", "1", XattrFlags::Create).ok());
  EXPECT_EQ(E(m.setxattr(kRoot, *f, "user.x", "2", XattrFlags::Create)), Errno::EXIST);
  EXPECT_TRUE(m.setxattr(kRoot, *f, "user.x", "3", XattrFlags::Replace).ok());
  EXPECT_EQ(m.getxattr(kRoot, *f, "user.x").value(), "3");
  EXPECT_EQ(E(m.setxattr(kRoot, *f, "user.x", "3", static_cast<XattrFlags>(4))), Errno::INVAL);
}

TEST_F(ModelTest, XattrOfOneMebibyte) {
  auto f = mkfile(root(), "f");
  std::string big(1 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  ASSERT_TRUE(m.setxattr(kRoot, *f, "user.big", big, XattrFlags::Any).ok());
  EXPECT_EQ(m.getxattr(kRoot, *f, "user.big").value(), big);
  ASSERT_TRUE(m.setxattr(kRoot, *f, "user.empty", "", XattrFlags::Any).ok());
  EXPECT_EQ(m.getxattr(kRoot, *f, "user.empty").value(), "");
}

TEST_F(ModelTest, XattrNamespaces) {
  auto f = mkfile(root(), "f", 0666);
  EXPECT_EQ(E(m.setxattr(kRoot, *f, "bogus.x", "1", XattrFlags::Any)), Errno::OPNOTSUPP);
  EXPECT_EQ(E(m.setxattr(kRoot, *f, "system.posix_acl_access", "1", XattrFlags::Any)), Errno::OPNOTSUPP);
  EXPECT_EQ(E(m.setxattr(kRoot, *f, "user.", "1", XattrFlags::Any)), Errno::INVAL);
  EXPECT_EQ(E(m.setxattr(kRoot, *f, "user." + std::string(251, 'n'), "1", XattrFlags::Any)), Errno::RANGE);
  ASSERT_TRUE(m.setxattr(kRoot, *f, "trusted.t", "1", XattrFlags::Any).ok());
  ASSERT_TRUE(m.setxattr(kRoot, *f, "security.s", "1", XattrFlags::Any).ok());
  EXPECT_EQ(E(m.setxattr(kAlice, *f, "trusted.t", "2", XattrFlags::Any)), Errno::PERM);
  EXPECT_EQ(E(m.getxattr(kAlice, *f, "trusted.t")), Errno::NODATA);
  EXPECT_EQ(m.listxattr(kAlice, *f).value(), (std::vector<std::string>{"security.s"}));
  EXPECT_EQ(m.listxattr(kRoot, *f).value().size(), 2u);
}

TEST_F(ModelTest, XattrUserOnSymlinkIsEPERM) {
  auto l = m.symlink(kRoot, *root(), "l", "t", 0).value();
  EXPECT_EQ(E(m.setxattr(kRoot, *l, "user.x", "1", XattrFlags::Any)), Errno::PERM);
  EXPECT_EQ(E(m.getxattr(kRoot, *l, "user.x")), Errno::NODATA);
}

TEST_F(ModelTest, XattrUserNeedsFilePermission) {
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0644, kAlice);
  ASSERT_TRUE(m.setxattr(kAlice, *f, "user.x", "1", XattrFlags::Any).ok());
  EXPECT_EQ(m.getxattr(kBob, *f, "user.x").value(), "1");
  EXPECT_EQ(E(m.setxattr(kBob, *f, "user.x", "2", XattrFlags::Any)), Errno::ACCES);
  EXPECT_EQ(E(m.removexattr(kBob, *f, "user.x")), Errno::ACCES);
  ASSERT_TRUE(chmod(f, 0600, kAlice).ok());
  EXPECT_EQ(E(m.getxattr(kBob, *f, "user.x")), Errno::ACCES);
}

TEST_F(ModelTest, XattrChangeStampsCtime) {
  auto f = mkfile(root(), "f");
  Attr before = attr(f);
  ASSERT_TRUE(m.setxattr(kRoot, *f, "user.x", "1", XattrFlags::Any).ok());
  EXPECT_NE(attr(f).ctime, before.ctime);
  EXPECT_EQ(attr(f).mtime, before.mtime);
}

// ---- locks ----------------------------------------------------------------------

TEST_F(ModelTest, LocksConflictAcrossOwners) {
  auto n = mkfile(root(), "f");
  auto f = open(n, RW);
  auto g = open(n, RW);
  EXPECT_EQ(f->lock(lk(LockType::Read, 0, 100, 1)).value(), LockResult::Granted);
  EXPECT_EQ(g->lock(lk(LockType::Read, 50, 100, 2)).value(), LockResult::Granted);  // read + read
  EXPECT_EQ(g->lock(lk(LockType::Write, 50, 10, 2)).value(), LockResult::WouldBlock);
  EXPECT_EQ(g->lock(lk(LockType::Write, 100, 10, 2)).value(), LockResult::Granted);  // after 0..99
  EXPECT_EQ(g->lock(lk(LockType::Write, 0, 10, 2, "other-host")).value(), LockResult::WouldBlock);
  EXPECT_EQ(f->lock(lk(LockType::Write, 0, 50, 1)).value(), LockResult::Granted);  // own upgrade
}

TEST_F(ModelTest, GetlockReportsConflictOrUnlock) {
  auto n = mkfile(root(), "f");
  auto f = open(n, RW);
  ASSERT_EQ(f->lock(lk(LockType::Write, 10, 10, 7)).value(), LockResult::Granted);
  LockRange got = f->getlock(lk(LockType::Read, 0, 0, 8)).value();
  EXPECT_EQ(got.type, LockType::Write);
  EXPECT_EQ(got.start, 10u);
  EXPECT_EQ(got.length, 10u);
  EXPECT_EQ(got.proc_id, 7u);
  EXPECT_EQ(got.client_id, "c");
  LockRange none = f->getlock(lk(LockType::Write, 20, 5, 8)).value();
  EXPECT_EQ(none.type, LockType::Unlock);
  EXPECT_EQ(none.start, 20u);
  EXPECT_EQ(f->getlock(lk(LockType::Write, 10, 1, 7)).value().type, LockType::Unlock);  // own lock
  EXPECT_EQ(E(f->getlock(lk(LockType::Unlock, 0, 0, 8))), Errno::INVAL);
}

TEST_F(ModelTest, UnlockOfSubRangeSplitsLock) {
  auto n = mkfile(root(), "f");
  auto f = open(n, RW);
  ASSERT_EQ(f->lock(lk(LockType::Write, 0, 100, 1)).value(), LockResult::Granted);
  ASSERT_EQ(f->lock(lk(LockType::Unlock, 40, 20, 1)).value(), LockResult::Granted);
  EXPECT_EQ(f->getlock(lk(LockType::Write, 45, 10, 2)).value().type, LockType::Unlock);
  LockRange left = f->getlock(lk(LockType::Write, 0, 50, 2)).value();
  EXPECT_EQ(left.start, 0u);
  EXPECT_EQ(left.length, 40u);
  LockRange right = f->getlock(lk(LockType::Write, 50, 0, 2)).value();
  EXPECT_EQ(right.start, 60u);
  EXPECT_EQ(right.length, 40u);
}

TEST_F(ModelTest, AdjacentLocksMerge) {
  auto n = mkfile(root(), "f");
  auto f = open(n, RW);
  ASSERT_EQ(f->lock(lk(LockType::Read, 0, 10, 1)).value(), LockResult::Granted);
  ASSERT_EQ(f->lock(lk(LockType::Read, 20, 10, 1)).value(), LockResult::Granted);
  ASSERT_EQ(f->lock(lk(LockType::Read, 10, 10, 1)).value(), LockResult::Granted);
  LockRange got = f->getlock(lk(LockType::Write, 0, 0, 2)).value();
  EXPECT_EQ(got.start, 0u);
  EXPECT_EQ(got.length, 30u);
}

TEST_F(ModelTest, TypeChangeInMiddleSplitsLock) {
  auto n = mkfile(root(), "f");
  auto f = open(n, RW);
  ASSERT_EQ(f->lock(lk(LockType::Write, 0, 100, 1)).value(), LockResult::Granted);
  ASSERT_EQ(f->lock(lk(LockType::Read, 20, 10, 1)).value(), LockResult::Granted);
  EXPECT_EQ(f->lock(lk(LockType::Read, 20, 10, 2)).value(), LockResult::Granted);
  EXPECT_EQ(f->lock(lk(LockType::Read, 10, 5, 2)).value(), LockResult::WouldBlock);
  EXPECT_EQ(f->lock(lk(LockType::Read, 30, 5, 2)).value(), LockResult::WouldBlock);
}

TEST_F(ModelTest, LockToEndOfFile) {
  auto n = mkfile(root(), "f");
  auto f = open(n, RW);
  ASSERT_EQ(f->lock(lk(LockType::Write, 100, 0, 1)).value(), LockResult::Granted);
  EXPECT_EQ(f->lock(lk(LockType::Write, 1ULL << 50, 1, 2)).value(), LockResult::WouldBlock);
  EXPECT_EQ(f->getlock(lk(LockType::Read, 5000, 1, 2)).value().length, 0u);
}

TEST_F(ModelTest, LockRangeErrors) {
  auto f = open(mkfile(root(), "f"), RW);
  EXPECT_EQ(E(f->lock(lk(LockType::Write, Model::kMaxFileSize + 1, 1, 1))), Errno::INVAL);
  EXPECT_EQ(E(f->lock(lk(LockType::Write, Model::kMaxFileSize, 2, 1))), Errno::OVERFLOW);
}

TEST_F(ModelTest, LockNeedsMatchingOpenMode) {
  auto n = mkfile(root(), "f");
  EXPECT_EQ(E(open(n, RD)->lock(lk(LockType::Write, 0, 1, 1))), Errno::BADF);
  EXPECT_EQ(E(open(n, WR)->lock(lk(LockType::Read, 0, 1, 1))), Errno::BADF);
  EXPECT_EQ(open(n, WR)->lock(lk(LockType::Unlock, 0, 1, 1)).value(), LockResult::Granted);
}

TEST_F(ModelTest, LocksReleasedWhenOpenFileCloses) {
  auto n = mkfile(root(), "f");
  auto other = open(n, RW);
  {
    auto f = open(n, RW);
    ASSERT_EQ(f->lock(lk(LockType::Write, 0, 0, 1)).value(), LockResult::Granted);
    EXPECT_EQ(other->lock(lk(LockType::Write, 0, 1, 2)).value(), LockResult::WouldBlock);
  }
  EXPECT_EQ(other->lock(lk(LockType::Write, 0, 1, 2)).value(), LockResult::Granted);
  {
    auto g = open(n, RW);  // closing a file the owner never locked through keeps its locks
  }
  EXPECT_EQ(other->getlock(lk(LockType::Write, 0, 1, 3)).value().proc_id, 2u);
}

// ---- permissions ----------------------------------------------------------------

TEST_F(ModelTest, SearchPermissionNeededForLookup) {
  auto d = mkdir(root(), "d", 0700);
  mkfile(d, "f");
  EXPECT_EQ(E(m.lookup(kAlice, *d, "f")), Errno::ACCES);
  EXPECT_EQ(E(m.lookup(kAlice, *d, "missing")), Errno::ACCES);
  ASSERT_TRUE(chmod(d, 0701).ok());
  EXPECT_TRUE(m.lookup(kAlice, *d, "f").ok());
}

TEST_F(ModelTest, CreateAndRemoveNeedWriteOnDirectory) {
  auto d = mkdir(root(), "d", 0755);
  mkfile(d, "f");
  EXPECT_EQ(E(m.create(kAlice, *d, "new", RW, 0644, 0)), Errno::ACCES);
  EXPECT_EQ(E(m.create(kAlice, *d, "f", RW, 0644, 0)), Errno::EXIST);  // EEXIST before EACCES
  EXPECT_EQ(E(m.mkdir(kAlice, *d, "sub", 0755, 0)), Errno::ACCES);
  EXPECT_EQ(E(m.unlink(kAlice, *d, "f", false)), Errno::ACCES);
  EXPECT_EQ(E(m.rename(kAlice, *d, "f", *d, "g")), Errno::ACCES);
}

TEST_F(ModelTest, ReadWritePermissionsForUsers) {
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0640, kAlice);
  EXPECT_EQ(E(m.open(kAlice, *f, RW)), Errno::OK);
  EXPECT_EQ(E(m.open(kCarol, *f, RD)), Errno::OK);  // group
  EXPECT_EQ(E(m.open(kCarol, *f, WR)), Errno::ACCES);
  EXPECT_EQ(E(m.open(kBob, *f, RD)), Errno::ACCES);  // other
}

TEST_F(ModelTest, StickyDirectoryRestrictsRemoval) {
  auto t = mkdir(root(), "tmp", 01777);
  mkfile(t, "a", 0644, kAlice);
  mkfile(t, "b", 0644, kAlice);
  mkfile(t, "c", 0644, kAlice);
  EXPECT_EQ(E(m.unlink(kBob, *t, "a", false)), Errno::PERM);
  EXPECT_EQ(E(m.rename(kBob, *t, "a", *t, "z")), Errno::PERM);
  mkfile(t, "bobs", 0644, kBob);
  EXPECT_EQ(E(m.rename(kBob, *t, "bobs", *t, "a")), Errno::PERM);  // over alice's file
  EXPECT_TRUE(m.unlink(kAlice, *t, "a", false).ok());              // file owner
  EXPECT_TRUE(m.unlink(kRoot, *t, "b", false).ok());               // root (also the dir owner)
  ASSERT_TRUE(chown(t, 1001, std::nullopt).ok());
  EXPECT_TRUE(m.unlink(kBob, *t, "c", false).ok());  // directory owner
}

TEST_F(ModelTest, SetgidDirectoryInheritance) {
  auto d = mkdir(root(), "g", 0777);
  ASSERT_TRUE(chown(d, std::nullopt, 500).ok());
  ASSERT_TRUE(chmod(d, 02777).ok());
  auto f = mkfile(d, "f", 0644, kAlice);
  EXPECT_EQ(attr(f).gid, 500u);
  auto sub = mkdir(d, "sub", 0755, kAlice);
  EXPECT_EQ(attr(sub).gid, 500u);
  EXPECT_EQ(perm(sub), 02755u);
  auto deeper = mkdir(sub, "deeper", 0700, kAlice);
  EXPECT_EQ(perm(deeper), 02700u);
  auto l = m.symlink(kAlice, *d, "l", "f", kAlice.gid).value();
  EXPECT_EQ(attr(l).gid, 500u);
}

TEST_F(ModelTest, SetgidStrippedFromNewFileOfNonMember) {
  auto d = mkdir(root(), "g", 0777);
  ASSERT_TRUE(chown(d, std::nullopt, 500).ok());
  ASSERT_TRUE(chmod(d, 02777).ok());
  EXPECT_EQ(perm(mkfile(d, "f", 02755, kAlice)), 0755u);
  EXPECT_EQ(perm(mkfile(d, "r", 02755, kRoot)), 02755u);
}

TEST_F(ModelTest, MkdirDropsSetIdBitsFromMode) {
  auto d = mkdir(root(), "d", 06777);
  EXPECT_EQ(perm(d), 0777u);
  auto s = mkdir(root(), "s", 01777);
  EXPECT_EQ(perm(s), 01777u);
}

TEST_F(ModelTest, ChownRules) {
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0644, kAlice);
  EXPECT_EQ(E(chown(f, 1001, std::nullopt, kAlice)), Errno::PERM);  // only root gives files away
  EXPECT_TRUE(chown(f, 1000, std::nullopt, kAlice).ok());           // "changing" to itself
  EXPECT_EQ(E(chown(f, std::nullopt, 1001, kAlice)), Errno::PERM);  // not her group
  EXPECT_EQ(E(chown(f, std::nullopt, 1000, kBob)), Errno::PERM);    // not his file
  Cred alice2 = kAlice;
  alice2.groups = {77};
  EXPECT_TRUE(chown(f, std::nullopt, 77, alice2).ok());
  EXPECT_EQ(attr(f).gid, 77u);
  EXPECT_TRUE(chown(f, 1001, 1001).ok());
  EXPECT_EQ(attr(f).uid, 1001u);
}

TEST_F(ModelTest, ChownClearsSetIdBits) {
  auto f = mkfile(root(), "f", 06755);
  ASSERT_TRUE(chown(f, 1000, std::nullopt).ok());
  EXPECT_EQ(perm(f), 0755u);
  auto g = mkfile(root(), "g", 02644);  // set-gid without group exec: mandatory-locking mark
  ASSERT_TRUE(chown(g, std::nullopt, 5).ok());
  EXPECT_EQ(perm(g), 02644u);
  auto d = mkdir(root(), "d", 0755);
  ASSERT_TRUE(chmod(d, 02755).ok());
  ASSERT_TRUE(chown(d, std::nullopt, 5).ok());
  EXPECT_EQ(perm(d), 02755u);  // directories keep theirs
}

TEST_F(ModelTest, ChmodOnlyByOwnerOrRoot) {
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0644, kAlice);
  EXPECT_EQ(E(chmod(f, 0600, kBob)), Errno::PERM);
  EXPECT_TRUE(chmod(f, 0600, kAlice).ok());
  EXPECT_TRUE(chmod(f, 0640, kRoot).ok());
  EXPECT_EQ(perm(f), 0640u);
}

TEST_F(ModelTest, ChmodClearsSetgidOfNonMember) {
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0644, kAlice);
  ASSERT_TRUE(chown(f, std::nullopt, 999).ok());
  ASSERT_TRUE(chmod(f, 02755, kAlice).ok());
  EXPECT_EQ(perm(f), 0755u);
  ASSERT_TRUE(chmod(f, 04755, kAlice).ok());
  EXPECT_EQ(perm(f), 04755u);
}

TEST_F(ModelTest, WriteClearsSetIdBitsForNonRoot) {
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0666, kAlice);
  ASSERT_TRUE(chmod(f, 06777, kRoot).ok());
  put(f, 0, "x", kRoot);
  EXPECT_EQ(perm(f), 06777u);  // root has CAP_FSETID
  put(f, 0, "x", kBob);
  EXPECT_EQ(perm(f), 0777u);
}

TEST_F(ModelTest, TruncateNeedsWritePermission) {
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0444, kAlice);
  EXPECT_EQ(E(truncate(f, 0, kAlice)), Errno::ACCES);
  EXPECT_EQ(E(truncate(f, 0, kBob)), Errno::ACCES);
  EXPECT_TRUE(truncate(f, 0, kRoot).ok());
}

TEST_F(ModelTest, UtimensPermissions) {
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0666, kAlice);
  auto g = mkfile(d, "g", 0644, kAlice);
  SetAttr now;
  now.atime.how = now.mtime.how = fs::TimeSet::How::Now;
  SetAttr value;
  value.mtime.how = fs::TimeSet::How::Value;
  value.mtime.value = Timespec{5, 6};
  EXPECT_TRUE(m.setattr(kBob, *f, now).ok());             // write permission suffices
  EXPECT_EQ(E(m.setattr(kBob, *g, now)), Errno::ACCES);   // neither owner nor writer
  EXPECT_EQ(E(m.setattr(kBob, *f, value)), Errno::PERM);  // values need the owner
  EXPECT_TRUE(m.setattr(kAlice, *g, value).ok());
  EXPECT_EQ(attr(g).mtime, (Timespec{5, 6}));
}

TEST_F(ModelTest, MovingDirectoryNeedsWriteOnIt) {
  auto r = root();
  auto a = mkdir(r, "a", 0777);
  auto b = mkdir(r, "b", 0777);
  mkdir(a, "d", 0555, kAlice);
  EXPECT_EQ(E(m.rename(kAlice, *a, "d", *b, "d")), Errno::ACCES);
  EXPECT_TRUE(m.rename(kAlice, *a, "d", *a, "e").ok());  // same parent: ".." unchanged
}

// ---- times ----------------------------------------------------------------------

TEST_F(ModelTest, CreateStampsNewFileAndParent) {
  auto r = root();
  auto f = mkfile(r, "f");
  Attr a = attr(f);
  EXPECT_EQ(a.atime, a.mtime);
  EXPECT_EQ(a.ctime, a.mtime);
  EXPECT_EQ(a.btime, a.mtime);
  EXPECT_EQ(attr(r).mtime, a.mtime);
  EXPECT_EQ(attr(r).ctime, a.mtime);
}

TEST_F(ModelTest, WriteStampsMtimeAndCtime) {
  auto f = mkfile(root(), "f");
  Attr before = attr(f);
  put(f, 0, "x");
  Attr after = attr(f);
  EXPECT_NE(after.mtime, before.mtime);
  EXPECT_EQ(after.mtime, after.ctime);
  EXPECT_EQ(after.btime, before.btime);
  EXPECT_GT(after.data_version, before.data_version);
}

TEST_F(ModelTest, EmptyWriteChangesNothing) {
  auto n = mkfile(root(), "f");
  Attr before = attr(n);
  auto f = open(n, WR);
  EXPECT_EQ(f->write(0, nullptr, 0).value(), 0u);
  EXPECT_EQ(attr(n).mtime, before.mtime);
}

TEST_F(ModelTest, ChmodStampsCtimeOnly) {
  auto f = mkfile(root(), "f");
  Attr before = attr(f);
  ASSERT_TRUE(chmod(f, 0600).ok());
  Attr after = attr(f);
  EXPECT_NE(after.ctime, before.ctime);
  EXPECT_EQ(after.mtime, before.mtime);
}

TEST_F(ModelTest, ReadUpdatesAtimeByRelatime) {
  auto f = mkfile(root(), "f");
  put(f, 0, "abc");  // mtime now newer than atime
  get(f);
  Attr a1 = attr(f);
  EXPECT_EQ(a1.atime.sec, a1.mtime.sec + 1);  // the clock moved on one tick since the write
  get(f);
  EXPECT_EQ(attr(f).atime, a1.atime);  // atime newer than mtime/ctime: relatime leaves it
}

TEST_F(ModelTest, CtimeOnlyTouchesCtime) {
  auto f = mkfile(root(), "f");
  Attr before = attr(f);
  SetAttr a;
  a.ctime_only = true;
  ASSERT_TRUE(m.setattr(kRoot, *f, a).ok());
  EXPECT_NE(attr(f).ctime, before.ctime);
  EXPECT_EQ(attr(f).mtime, before.mtime);
}

// ---- statfs, profile, misc ------------------------------------------------------

TEST_F(ModelTest, StatFsNumbers) {
  auto r = root();
  auto before = m.statfs(*r).value();
  EXPECT_EQ(before.type, 0x01021997u);
  EXPECT_EQ(before.bsize, 4096u);
  EXPECT_EQ(before.namelen, 255u);
  put(mkfile(r, "f"), 0, std::string(8192, 'a'));
  auto after = m.statfs(*r).value();
  EXPECT_EQ(after.blocks, before.blocks);
  EXPECT_EQ(after.bfree, before.bfree - 2);
  EXPECT_EQ(after.bavail, after.bfree);
  EXPECT_EQ(after.ffree, before.ffree - 1);
}

TEST_F(ModelTest, ProfileSupportsEverything) {
  fs::Profile p = m.profile();
  EXPECT_EQ(p.name, "model");
  EXPECT_TRUE(p.hardlinks && p.xattrs && p.locks && p.mknod && p.ownership);
}

TEST_F(ModelTest, NodeOfAnotherModelIsEXDEV) {
  Model other;
  auto theirs = other.root().value();
  EXPECT_EQ(E(m.lookup(kRoot, *theirs, "x")), Errno::XDEV);
  EXPECT_FALSE(m.same(*theirs, *root()));
  EXPECT_EQ(other.check_invariants(), "");
}

TEST_F(ModelTest, RealClockByDefault) {
  Model real;
  auto r = real.root().value();
  EXPECT_GT(real.getattr(*r).value().mtime.sec, 1600000000);  // after 2020
}

TEST_F(ModelTest, NodeRefsMayOutliveTheModel) {
  NodeRef kept;
  OpenRef file;
  {
    Model temp;
    auto c = temp.create(kRoot, *temp.root().value(), "f", RW, 0644, 0).value();
    kept = c.node;
    file = std::move(c.file);
  }
  std::uint8_t b = 1;
  EXPECT_TRUE(file->write(0, &b, 1).ok());
}

TEST_F(ModelTest, ConcurrentUse) {
  auto r = root();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, r, t] {
      auto d = m.mkdir(kRoot, *r, "t" + std::to_string(t), 0755, 0).value();
      for (int i = 0; i < 200; ++i) {
        std::string name = "f" + std::to_string(i);
        auto c = m.create(kRoot, *d, name, RW, 0644, 0).value();
        std::uint8_t b = static_cast<std::uint8_t>(i);
        (void)c.file->write(0, &b, 1);
        if (i % 2) (void)m.unlink(kRoot, *d, name, false);
        (void)m.lookup(kRoot, *r, "t0");
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(m.inode_count(), 1u + 4u + 4u * 100u);
}

}  // namespace
}  // namespace p9::model
