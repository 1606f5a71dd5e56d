// Contract: calls on an open file (fstat, ftruncate, fchmod/fchown/futimens,
// fcntl(F_SETFL, O_APPEND), posix_fallocate) — permission was checked at
// open, and everything works on an open file whose name is gone.
#include "reference/fs/contract/contract.h"

namespace p9::fs::contract {
namespace {

class OpenFileOps : public Contract {};
P9_CONTRACT_TOPIC(OpenFileOps);

TEST_P(OpenFileOps, FstatMatchesGetattr) {
  auto c = be->create(kRoot, *root(), "f", RW, 0640, 0);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->file->write(0, bytes("hello"), 5).ok());
  auto a = c->file->getattr();
  ASSERT_TRUE(a.ok());
  Attr b = attr(c->node);
  EXPECT_EQ(a->type, FileType::Regular);
  EXPECT_EQ(a->mode, file_type::REG | 0640);
  EXPECT_EQ(a->size, 5u);
  EXPECT_EQ(a->ino, b.ino);
  EXPECT_EQ(a->nlink, 1u);
  EXPECT_EQ(a->mtime, b.mtime);
  // A directory too.
  auto d = mkdir(root(), "d");
  auto df = open(d, RD | oflag::DIRECTORY);
  ASSERT_TRUE(df);
  auto da = df->getattr();
  ASSERT_TRUE(da.ok());
  EXPECT_EQ(da->type, FileType::Directory);
  EXPECT_EQ(da->ino, attr(d).ino);
}

// fstat(2) of an open file whose last name was unlinked: nlink 0, and the
// data and size are still there.
TEST_P(OpenFileOps, FstatOfOpenUnlinkedFile) {
  auto c = be->create(kRoot, *root(), "f", RW, 0644, 0);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->file->write(0, bytes("abc"), 3).ok());
  std::uint64_t ino = attr(c->node).ino;
  ASSERT_TRUE(be->unlink(kRoot, *root(), "f", false).ok());
  c->node.reset();
  auto a = c->file->getattr();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->nlink, 0u);
  EXPECT_EQ(a->size, 3u);
  EXPECT_EQ(a->ino, ino);
  // ftruncate and fallocate work on it too.
  ASSERT_TRUE(c->file->truncate(10).ok());
  EXPECT_EQ(c->file->getattr()->size, 10u);
  EXPECT_EQ(read_all(*c->file), std::string("abc") + std::string(7, '\0'));
  ASSERT_TRUE(c->file->allocate(0, 20).ok());
  EXPECT_EQ(c->file->getattr()->size, 20u);
}

// ftruncate(2) EINVAL: "fd does not reference a regular file", and "fd is
// not open for writing" (Linux produces EINVAL, do_sys_ftruncate); a
// negative length (above FILE_SIZE_MAX as u64) is EINVAL.
TEST_P(OpenFileOps, FtruncateNeedsRegularFileOpenForWriting) {
  auto f = mkfile(root(), "f");
  put(f, 0, "data");
  auto ro = open(f, RD);
  EXPECT_EQ(E(ro->truncate(0)), Errno::INVAL);
  EXPECT_EQ(attr(f).size, 4u);
  auto d = mkdir(root(), "d");
  auto df = open(d, RD | oflag::DIRECTORY);
  EXPECT_EQ(E(df->truncate(0)), Errno::INVAL);
  auto rw = open(f, RW);
  EXPECT_EQ(E(rw->truncate(FILE_SIZE_MAX + 1)), Errno::INVAL);
  EXPECT_EQ(E(rw->truncate(2)), Errno::OK);
  EXPECT_EQ(get(f), "da");
  EXPECT_EQ(E(rw->truncate(6)), Errno::OK);
  EXPECT_EQ(get(f), std::string("da\0\0\0\0", 6));
}

// Permission is checked at open: a user who created a 0444 file with
// O_CREAT|O_RDWR may write and ftruncate it, and so may one whose file was
// made 0444 after an O_WRONLY open; truncate(2) by path is refused.
TEST_P(OpenFileOps, FtruncateAfterOpenIgnoresPermissionBits) {
  P9_NEEDS(ownership);
  auto d = shared_dir();
  auto c = be->create(kAlice, *d, "ro", RW, 0444, kAlice.gid);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(E(c->file->write(0, bytes("abcdef"), 6)), Errno::OK);
  EXPECT_EQ(E(c->file->truncate(3)), Errno::OK);
  EXPECT_EQ(attr(c->node).size, 3u);
  SetAttr sz;
  sz.size = 1;
  EXPECT_EQ(E(c->file->setattr(kAlice, sz)), Errno::OK);
  EXPECT_EQ(attr(c->node).size, 1u);
  EXPECT_EQ(E(truncate(c->node, 0, kAlice)), Errno::ACCES);  // truncate(2) checks the bits

  auto g = mkfile(d, "g", 0644, kAlice);
  auto w = open(g, WR, kAlice);
  ASSERT_TRUE(w);
  ASSERT_TRUE(chmod(g, 0444).ok());
  EXPECT_EQ(E(w->write(0, bytes("xy"), 2)), Errno::OK);
  EXPECT_EQ(E(w->truncate(1)), Errno::OK);
  EXPECT_EQ(attr(g).size, 1u);
  EXPECT_EQ(E(be->open(kAlice, *g, WR)), Errno::ACCES);  // a new open is checked
}

// ftruncate(2) marks mtime and ctime even when the size stays (Linux
// do_sys_ftruncate passes ATTR_MTIME|ATTR_CTIME).
TEST_P(OpenFileOps, FtruncateStampsTimes) {
  auto f = mkfile(root(), "f");
  put(f, 0, "abc");
  auto w = open(f, WR);
  age(f);
  Attr before = attr(f);
  ASSERT_TRUE(w->truncate(3).ok());
  Attr after = attr(f);
  EXPECT_EQ(after.size, 3u);
  EXPECT_TRUE(before.mtime < after.mtime);
  EXPECT_FALSE(after.ctime < before.ctime);
  EXPECT_EQ(after.atime, before.atime);
}

// Linux file_remove_privs()/do_truncate(): a truncation by a user without
// CAP_FSETID clears S_ISUID, and S_ISGID when group-exec is set; root's
// keeps them.
TEST_P(OpenFileOps, FtruncateClearsSetIdBitsOfNonRoot) {
  P9_NEEDS(ownership);
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0644, kAlice);
  ASSERT_TRUE(chmod(f, 06775).ok());
  auto rf = open(f, WR, kRoot);
  ASSERT_TRUE(rf->truncate(1).ok());
  EXPECT_EQ(perm(f), 06775u);
  auto af = open(f, WR, kAlice);
  ASSERT_TRUE(af->truncate(2).ok());
  EXPECT_EQ(perm(f), 0775u);
  // S_ISGID without group-exec (mandatory locking) stays.
  ASSERT_TRUE(chmod(f, 02764).ok());
  ASSERT_TRUE(af->truncate(0).ok());
  EXPECT_EQ(perm(f), 02764u);
}

// fchmod/fchown/futimens through the open file keep the ownership rules of
// chmod(2)/chown(2)/utimensat(2).
TEST_P(OpenFileOps, SetattrKeepsOwnershipRules) {
  P9_NEEDS(ownership);
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0666, kAlice);
  auto bf = open(f, RW, kBob);
  ASSERT_TRUE(bf);
  SetAttr mode;
  mode.mode = 0600;
  EXPECT_EQ(E(bf->setattr(kBob, mode)), Errno::PERM);  // fchmod(2): not the owner
  SetAttr owner;
  owner.uid = kBob.uid;
  EXPECT_EQ(E(bf->setattr(kBob, owner)), Errno::PERM);
  SetAttr when;
  when.mtime.how = TimeSet::How::Value;
  when.mtime.value = kOld;
  EXPECT_EQ(E(bf->setattr(kBob, when)), Errno::PERM);  // explicit times need ownership
  SetAttr now;  // both times to now (futimens(fd, NULL)): write permission is enough
  now.atime.how = now.mtime.how = TimeSet::How::Now;
  EXPECT_EQ(E(bf->setattr(kBob, now)), Errno::OK);
  EXPECT_EQ(E(bf->setattr(kAlice, mode)), Errno::OK);
  EXPECT_EQ(perm(f), 0600u);
  // Now bob has no write permission: futimens(UTIME_NOW) is EACCES (Linux
  // may_setattr checks the inode, not the descriptor), but ftruncate works.
  EXPECT_EQ(E(bf->setattr(kBob, now)), Errno::ACCES);
  SetAttr sz;
  sz.size = 0;
  EXPECT_EQ(E(bf->setattr(kBob, sz)), Errno::OK);
  SetAttr grp;
  grp.gid = kBob.gid;
  EXPECT_EQ(E(bf->setattr(kRoot, grp)), Errno::OK);
  EXPECT_EQ(attr(f).gid, kBob.gid);
}

TEST_P(OpenFileOps, SetattrSizeFollowsTheOpenFileRule) {
  auto f = mkfile(root(), "f");
  put(f, 0, "abcd");
  auto ro = open(f, RD);
  SetAttr sz;
  sz.size = 1;
  EXPECT_EQ(E(ro->setattr(kRoot, sz)), Errno::INVAL);  // ftruncate(2): not open for writing
  auto d = mkdir(root(), "d");
  auto df = open(d, RD | oflag::DIRECTORY);
  EXPECT_EQ(E(df->setattr(kRoot, sz)), Errno::INVAL);
  auto rw = open(f, RW);
  SetAttr both;
  both.size = 2;
  both.mode = 0600;
  ASSERT_EQ(E(rw->setattr(kRoot, both)), Errno::OK);
  Attr a = attr(f);
  EXPECT_EQ(a.size, 2u);
  EXPECT_EQ(a.mode & 07777, 0600u);
  EXPECT_EQ(get(f), "ab");
}

// fcntl(F_SETFL): O_APPEND on and off for later writes.
TEST_P(OpenFileOps, SetAppendSwitchesAppendMode) {
  auto f = mkfile(root(), "f");
  auto w = open(f, WR);
  ASSERT_TRUE(w->write(0, bytes("abc"), 3).ok());
  ASSERT_TRUE(w->set_append(true).ok());
  ASSERT_TRUE(w->write(0, bytes("de"), 2).ok());
  EXPECT_EQ(get(f), "abcde");
  ASSERT_TRUE(w->set_append(false).ok());
  ASSERT_TRUE(w->write(0, bytes("X"), 1).ok());
  EXPECT_EQ(get(f), "Xbcde");
  auto a = open(f, WR | oflag::APPEND);
  ASSERT_TRUE(a->write(0, bytes("!"), 1).ok());
  EXPECT_EQ(get(f), "Xbcde!");
  ASSERT_TRUE(a->set_append(false).ok());
  ASSERT_TRUE(a->write(1, bytes("Y"), 1).ok());
  EXPECT_EQ(get(f), "XYcde!");
}

// posix_fallocate(3): allocates, extends the size, changes no data.
TEST_P(OpenFileOps, AllocateExtendsAndAllocates) {
  auto f = mkfile(root(), "f");
  auto w = open(f, RW);
  ASSERT_TRUE(w->write(0, bytes("hello"), 5).ok());
  ASSERT_EQ(E(w->allocate(0, 3)), Errno::OK);
  EXPECT_EQ(attr(f).size, 5u);  // inside the file: the size stays
  EXPECT_EQ(get(f), "hello");
  ASSERT_EQ(E(w->allocate(4096, 8192)), Errno::OK);
  Attr a = attr(f);
  EXPECT_EQ(a.size, 12288u);
  EXPECT_GE(a.blocks, 24u);  // 12 KiB in 512-byte units
  EXPECT_EQ(get(f), std::string("hello") + std::string(12288 - 5, '\0'));
  // A hole far out, then allocated: zeros.
  ASSERT_TRUE(w->write(1 << 20, bytes("z"), 1).ok());
  std::uint64_t blocks = attr(f).blocks;
  ASSERT_EQ(E(w->allocate(65536, 65536)), Errno::OK);
  EXPECT_GE(attr(f).blocks, blocks + 128);
  EXPECT_EQ(get(f, 65536).substr(0, 65536), std::string(65536, '\0'));
  EXPECT_EQ(attr(f).size, (1u << 20) + 1);
}

// Linux vfs_fallocate(), in its order.
TEST_P(OpenFileOps, AllocateErrors) {
  auto f = mkfile(root(), "f");
  auto w = open(f, RW);
  EXPECT_EQ(E(w->allocate(0, 0)), Errno::INVAL);                    // len <= 0
  EXPECT_EQ(E(w->allocate(FILE_SIZE_MAX + 1, 1)), Errno::INVAL);    // offset < 0
  EXPECT_EQ(E(w->allocate(0, FILE_SIZE_MAX + 1)), Errno::INVAL);    // len < 0
  EXPECT_EQ(E(w->allocate(FILE_SIZE_MAX - 10, 100)), Errno::FBIG);  // past s_maxbytes
  auto r = open(f, RD);
  EXPECT_EQ(E(r->allocate(0, 1)), Errno::BADF);
  EXPECT_EQ(E(r->allocate(0, 0)), Errno::INVAL);  // the range is checked first
  auto d = mkdir(root(), "d");
  auto df = open(d, RD | oflag::DIRECTORY);
  EXPECT_EQ(E(df->allocate(0, 1)), Errno::BADF);  // a directory is never open for writing
  EXPECT_EQ(attr(f).size, 0u);
}

TEST_P(OpenFileOps, FsyncOnFilesAndDirectories) {
  auto f = mkfile(root(), "f");
  put(f, 0, "x");
  auto w = open(f, RW);
  EXPECT_EQ(E(w->fsync(false)), Errno::OK);
  EXPECT_EQ(E(w->fsync(true)), Errno::OK);
  auto d = open(root(), RD | oflag::DIRECTORY);
  EXPECT_EQ(E(d->fsync(false)), Errno::OK);
}

}  // namespace
}  // namespace p9::fs::contract
