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

// ---- file data --------------------------------------------------------------

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

TEST_F(ModelTest, TruncateToZeroFreesBlocks) {
  auto f = mkfile(root(), "f");
  put(f, 0, std::string(9000, 'x'));
  ASSERT_TRUE(truncate(f, 0).ok());
  EXPECT_EQ(attr(f).blocks, 0u);
  EXPECT_EQ(m.allocated_blocks(), 0u);
}

// A range passing the maximum is EINVAL before any size limit
// (fs/read_write.c rw_verify_area; fs::check_io_range); the maximum is
// MAX_LFS_FILESIZE, so EFBIG is left for an append at a file of that size
// (mm/filemap.c generic_write_check_limits: pos >= s_maxbytes).
TEST_F(ModelTest, WriteRangePastMaximumIsEINVALAppendAtMaximumIsEFBIG) {
  auto n = mkfile(root(), "f");
  auto f = open(n, WR);
  std::uint8_t b[4] = {};
  EXPECT_EQ(E(f->write(Model::kMaxFileSize, b, 4)), Errno::INVAL);
  EXPECT_EQ(E(f->write(Model::kMaxFileSize - 2, b, 4)), Errno::INVAL);
  auto r = f->write(Model::kMaxFileSize - 4, b, 4);  // ends exactly at the maximum
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 4u);
  EXPECT_EQ(attr(n).size, Model::kMaxFileSize);
  auto a = open(n, WR | oflag::APPEND);
  EXPECT_EQ(E(a->write(0, b, 1)), Errno::FBIG);
}

// ---- open -------------------------------------------------------------------

TEST_F(ModelTest, OpenSpecialFileIsENXIO) {
  auto p = m.mknod(kRoot, *root(), "p", file_type::FIFO | 0666, 0, 0).value();
  EXPECT_EQ(E(m.open(kRoot, *p, RD)), Errno::NXIO);
}

// ---- rename -------------------------------------------------------------------

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

// ---- links --------------------------------------------------------------------

// ---- symlinks, mknod ------------------------------------------------------------

// ---- xattrs ---------------------------------------------------------------------

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

// ---- locks ----------------------------------------------------------------------

// ---- permissions ----------------------------------------------------------------

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

TEST_F(ModelTest, ReadUpdatesAtimeByRelatime) {
  auto f = mkfile(root(), "f");
  put(f, 0, "abc");  // mtime now newer than atime
  get(f);
  Attr a1 = attr(f);
  EXPECT_EQ(a1.atime.sec, a1.mtime.sec + 1);  // the clock moved on one tick since the write
  get(f);
  EXPECT_EQ(attr(f).atime, a1.atime);  // atime newer than mtime/ctime: relatime leaves it
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

// ---- model decisions the contract suite leaves open ------------------------------

// Linux iterate_dir()/__lookup_slow(): IS_DEADDIR gives ENOENT; the model
// reports it (glibc's readdir would turn it into end of directory).
TEST_F(ModelTest, RemovedDirectoryReadsAsENOENT) {
  auto r = root();
  auto d = mkdir(r, "d");
  auto f = open(d, RD);
  ASSERT_TRUE(m.unlink(kRoot, *r, "d", true).ok());
  EXPECT_EQ(E(f->readdir(0, [](const fs::DirEntry&) { return true; })), Errno::NOENT);
  EXPECT_EQ(E(m.lookup(kRoot, *d, "..")), Errno::NOENT);
}

// Cookies are insertion order: an entry added after the cookie is listed
// after it, a removed one is not listed (readdir(3) leaves both open).
TEST_F(ModelTest, ReaddirAfterCookieSeesAddedNotRemoved) {
  auto d = mkdir(root(), "d");
  for (int i = 0; i < 4; ++i) mkfile(d, "f" + std::to_string(i));
  auto listed = entries(d);
  std::uint64_t after_f1 = listed[3].next_cookie;  // ".", "..", "f0", "f1"
  mkfile(d, "new");
  ASSERT_TRUE(m.unlink(kRoot, *d, "f3", false).ok());
  std::vector<std::string> rest;
  ASSERT_TRUE(open(d, RD)
                  ->readdir(after_f1,
                            [&](const fs::DirEntry& e) {
                              rest.push_back(e.name);
                              return true;
                            })
                  .ok());
  EXPECT_EQ(rest, (std::vector<std::string>{"f2", "new"}));
}

// The largest position reads end of file (the model takes a read that would
// pass OFFSET_MAX as a short read).
TEST_F(ModelTest, LargestPositionReadsEndOfFile) {
  auto n = mkfile(root(), "f");
  std::uint8_t b[4] = {};
  auto r = open(n, RD)->read(Model::kMaxFileSize - 4, b, 4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 0u);
  EXPECT_EQ(E(open(n, RD)->read(Model::kMaxFileSize, b, 4)), Errno::INVAL);  // the range passes it
}

TEST_F(ModelTest, WriteBumpsDataVersion) {
  auto f = mkfile(root(), "f");
  Attr before = attr(f);
  put(f, 0, "x");
  EXPECT_GT(attr(f).data_version, before.data_version);
}

}  // namespace
}  // namespace p9::model
