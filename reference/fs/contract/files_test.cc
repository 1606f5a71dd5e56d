// Contract: regular files: read(2), write(2), truncate(2), open(2) modes and flags, the open-unlinked file.
#include "reference/fs/contract/contract.h"

namespace p9::fs::contract {
namespace {

class Files : public Contract {};
P9_CONTRACT_TOPIC(Files);

TEST_P(Files, WriteThenRead) {
  auto f = mkfile(root(), "f");
  put(f, 0, "hello world");
  EXPECT_EQ(get(f), "hello world");
  EXPECT_EQ(get(f, 6, 3), "wor");
  EXPECT_EQ(attr(f).size, 11u);
}

TEST_P(Files, ReadAtOrPastEofReturnsNothing) {
  auto f = mkfile(root(), "f");
  put(f, 0, "abc");
  EXPECT_EQ(get(f, 3), "");
  EXPECT_EQ(get(f, 1000), "");
}

TEST_P(Files, AppendWritesAtEof) {
  auto n = mkfile(root(), "log");
  put(n, 0, "one");
  auto f = open(n, WR | oflag::APPEND);
  std::string two = "two";
  ASSERT_TRUE(f->write(0, reinterpret_cast<const std::uint8_t*>(two.data()), 3).ok());
  ASSERT_TRUE(f->write(1, reinterpret_cast<const std::uint8_t*>(two.data()), 3).ok());
  EXPECT_EQ(get(n), "onetwotwo");
}

TEST_P(Files, TruncateDownThenUpReadsZeros) {
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

TEST_P(Files, TruncateTypeErrors) {
  P9_NEEDS(symlinks);
  P9_NEEDS(mknod);
  auto r = root();
  auto d = mkdir(r, "d");
  auto l = be->symlink(kRoot, *r, "l", "d", 0).value();
  auto p = be->mknod(kRoot, *r, "p", file_type::FIFO | 0644, 0, 0).value();
  EXPECT_EQ(E(truncate(d, 0)), Errno::ISDIR);
  EXPECT_EQ(E(truncate(l, 0)), Errno::INVAL);
  EXPECT_EQ(E(truncate(p, 0)), Errno::INVAL);
  // A size above OFFSET_MAX is a negative loff_t: EINVAL (fs/open.c do_sys_truncate).
  EXPECT_EQ(E(truncate(mkfile(r, "f"), FILE_SIZE_MAX + 1)), Errno::INVAL);
}

TEST_P(Files, ReadWriteNeedMatchingOpenMode) {
  auto n = mkfile(root(), "f");
  std::uint8_t b = 0;
  EXPECT_EQ(E(open(n, RD)->write(0, &b, 1)), Errno::BADF);
  EXPECT_EQ(E(open(n, WR)->read(0, &b, 1)), Errno::BADF);
}

TEST_P(Files, ReadOfDirectoryIsEISDIR) {
  auto f = open(root(), RD);
  std::uint8_t b[8];
  EXPECT_EQ(E(f->read(0, b, 8)), Errno::ISDIR);
}

TEST_P(Files, NegativePositionIsEINVAL) {
  // One past OFFSET_MAX is a negative loff_t: pread/pwrite EINVAL (fs/read_write.c), even for 0 bytes.
  auto n = mkfile(root(), "f");
  std::uint8_t b[4] = {};
  EXPECT_EQ(E(open(n, RD)->read(FILE_SIZE_MAX + 1, b, 4)), Errno::INVAL);
  EXPECT_EQ(E(open(n, WR)->write(FILE_SIZE_MAX + 1, b, 0)), Errno::INVAL);
  EXPECT_EQ(E(open(n, WR)->write(~0ULL, b, 4)), Errno::INVAL);
  EXPECT_EQ(E(open(n, WR)->read(~0ULL, b, 4)), Errno::INVAL);  // before the descriptor's mode (EBADF)
  EXPECT_EQ(E(open(n, RD)->write(~0ULL, b, 4)), Errno::INVAL);
}

TEST_P(Files, RangePastOffsetMaxIsEINVAL) {
  // A range ending past OFFSET_MAX (pos + count a negative loff_t) is EINVAL
  // (fs/read_write.c rw_verify_area), after the descriptor's mode and before
  // EFBIG: a 1-byte write at 2^63-1 is EINVAL. 0 bytes there are fine.
  auto n = mkfile(root(), "f");
  put(n, 0, "abc");
  std::uint8_t b[4] = {'x', 'y', 'z', 'w'};
  EXPECT_EQ(E(open(n, WR)->write(FILE_SIZE_MAX, b, 1)), Errno::INVAL);
  EXPECT_EQ(E(open(n, WR)->write(FILE_SIZE_MAX - 1, b, 2)), Errno::INVAL);
  EXPECT_EQ(E(open(n, WR | oflag::APPEND)->write(FILE_SIZE_MAX, b, 1)), Errno::INVAL);  // before O_APPEND
  EXPECT_EQ(E(open(n, RD)->write(FILE_SIZE_MAX, b, 1)), Errno::BADF);                   // after the mode
  EXPECT_EQ(E(open(n, RD)->read(FILE_SIZE_MAX, b, 1)), Errno::INVAL);
  EXPECT_EQ(E(open(n, WR)->read(FILE_SIZE_MAX, b, 1)), Errno::BADF);
  auto z = open(n, WR)->write(FILE_SIZE_MAX, b, 0);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(*z, 0u);
  auto r = open(n, RD)->read(FILE_SIZE_MAX, b, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 0u);
  EXPECT_EQ(attr(n).size, 3u);
}

// A write by a user without CAP_FSETID (not root) clears S_ISUID, and
// S_ISGID when group-exec is set (Linux fs/inode.c file_remove_privs,
// should_remove_suid); root's writes keep them.
TEST_P(Files, WriteByNonRootClearsSetIdBits) {
  P9_NEEDS(ownership);
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0644);
  std::uint8_t b[1] = {'x'};
  ASSERT_TRUE(chmod(f, 06777).ok());
  ASSERT_TRUE(open(f, WR, kRoot)->write(0, b, 1).ok());
  EXPECT_EQ(perm(f), 06777u);
  ASSERT_TRUE(open(f, WR, kBob)->write(0, b, 1).ok());
  EXPECT_EQ(perm(f), 0777u);
  // Set-gid without group-exec stays when the writer is in the file's group
  // (Linux 6.2 and later also drop it for a writer outside the group:
  // fs/attr.c setattr_should_drop_sgid, in_group_or_capable).
  SetAttr group;
  group.gid = kBob.gid;
  ASSERT_TRUE(be->setattr(kRoot, *f, group).ok());
  ASSERT_TRUE(chmod(f, 02766).ok());
  ASSERT_TRUE(open(f, WR, kBob)->write(0, b, 1).ok());
  EXPECT_EQ(perm(f), 02766u);
}

TEST_P(Files, OpenTruncTruncatesAndStampsTimes) {
  auto n = mkfile(root(), "f");
  put(n, 0, "data");
  Attr before = attr(n);
  tick();
  open(n, WR | oflag::TRUNC);
  Attr after = attr(n);
  EXPECT_EQ(after.size, 0u);
  EXPECT_NE(after.mtime, before.mtime);
  EXPECT_EQ(after.mtime, after.ctime);
}

TEST_P(Files, OpenSymlinkIsELOOP) {
  P9_NEEDS(symlinks);
  auto l = be->symlink(kRoot, *root(), "l", "target", 0).value();
  EXPECT_EQ(E(be->open(kRoot, *l, RD)), Errno::LOOP);
}

TEST_P(Files, OpenDirectoryForWritingIsEISDIR) {
  auto d = mkdir(root(), "d");
  EXPECT_EQ(E(be->open(kRoot, *d, WR)), Errno::ISDIR);
  EXPECT_EQ(E(be->open(kRoot, *d, RW)), Errno::ISDIR);
  EXPECT_EQ(E(be->open(kRoot, *d, RD | oflag::TRUNC)), Errno::ISDIR);
  EXPECT_EQ(E(be->open(kRoot, *d, RD | oflag::DIRECTORY)), Errno::OK);
}

TEST_P(Files, ODirectoryOnFileIsENOTDIR) {
  auto f = mkfile(root(), "f");
  EXPECT_EQ(E(be->open(kRoot, *f, RD | oflag::DIRECTORY)), Errno::NOTDIR);
}

TEST_P(Files, NodeRefKeepsUnlinkedInode) {
  P9_NEEDS(hardlinks);
  auto r = root();
  auto f = mkfile(r, "f");
  put(f, 0, "abc");
  ASSERT_TRUE(be->unlink(kRoot, *r, "f", false).ok());
  Attr a = attr(f);
  EXPECT_EQ(a.nlink, 0u);
  EXPECT_EQ(a.size, 3u);
  EXPECT_TRUE(chmod(f, 0600).ok());
  EXPECT_TRUE(truncate(f, 1).ok());
  EXPECT_EQ(get(f), "a");
  EXPECT_EQ(E(be->link(kRoot, *f, *r, "back")), Errno::NOENT);
}

TEST_P(Files, EmptyWriteChangesNothing) {
  auto n = mkfile(root(), "f");
  Attr before = attr(n);
  tick();
  auto f = open(n, WR);
  EXPECT_EQ(f->write(0, nullptr, 0).value(), 0u);
  EXPECT_EQ(attr(n).mtime, before.mtime);
}

TEST_P(Files, SetattrRules) {
  auto c = make_file(root(), "f", "0123456789");
  fs::SetAttr sa;
  sa.size = 3;
  sa.mode = 0640;
  const bool privileged = profile().ownership;  // giving a file away needs CAP_CHOWN
  if (privileged) {
    sa.uid = 1234;
    sa.gid = 5678;
  }
  sa.atime.how = fs::TimeSet::How::Value;
  sa.atime.value = {1000, 5};
  sa.mtime.how = fs::TimeSet::How::Value;
  sa.mtime.value = {2000, 7};
  ASSERT_TRUE(be->setattr(kRoot, *c.node, sa).ok());
  auto a = attr(c.node);
  EXPECT_EQ(a.size, 3u);
  EXPECT_EQ(a.mode & 07777, 0640u);
  if (privileged) {
    EXPECT_EQ(a.uid, 1234u);
    EXPECT_EQ(a.gid, 5678u);
  }
  EXPECT_EQ(a.atime, (fs::Timespec{1000, 5}));
  EXPECT_EQ(a.mtime, (fs::Timespec{2000, 7}));
  fs::SetAttr sz;
  sz.size = 0;
  EXPECT_EQ(be->setattr(kRoot, *root(), sz).error(), Errno::ISDIR);
  auto fifo = be->mknod(kRoot, *root(), "p", file_type::FIFO | 0644, 0, 0);
  ASSERT_TRUE(fifo.ok());
  EXPECT_EQ(be->setattr(kRoot, **fifo, sz).error(), Errno::INVAL);
}

}  // namespace
}  // namespace p9::fs::contract
