// Contract: permissions and ownership (path_resolution(7) "Permission checking", chmod(2), chown(2),
// utimensat(2), sticky and set-group-ID directories).
#include "reference/fs/contract/contract.h"

namespace p9::fs::contract {
namespace {

class Permissions : public Contract {};
P9_CONTRACT_TOPIC(Permissions);

TEST_P(Permissions, OpenAccessModeChecks) {
  P9_NEEDS(ownership);
  auto d = shared_dir();
  auto ro = mkfile(d, "ro", 0400, kAlice);
  auto wo = mkfile(d, "wo", 0200, kAlice);
  EXPECT_EQ(E(be->open(kAlice, *ro, RD)), Errno::OK);
  EXPECT_EQ(E(be->open(kAlice, *ro, WR)), Errno::ACCES);
  EXPECT_EQ(E(be->open(kAlice, *ro, RW)), Errno::ACCES);
  EXPECT_EQ(E(be->open(kAlice, *ro, RD | oflag::TRUNC)), Errno::ACCES);  // O_TRUNC needs write
  EXPECT_EQ(E(be->open(kAlice, *wo, RD)), Errno::ACCES);
  EXPECT_EQ(E(be->open(kAlice, *wo, WR)), Errno::OK);
}

TEST_P(Permissions, OwnerClassDecidesEvenIfGroupAllows) {
  P9_NEEDS(ownership);
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0070, kAlice);  // owner ---, group rwx
  ASSERT_TRUE(chown(f, std::nullopt, 1000).ok());
  EXPECT_EQ(E(be->open(kAlice, *f, RD)), Errno::ACCES);
  EXPECT_EQ(E(be->open(kCarol, *f, RD)), Errno::OK);  // carol is in group 1000
  EXPECT_EQ(E(be->open(kBob, *f, RD)), Errno::ACCES);
}

TEST_P(Permissions, RootBypassesReadWriteChecks) {
  P9_NEEDS(ownership);
  auto f = mkfile(root(), "f", 0000);
  EXPECT_EQ(E(be->open(kRoot, *f, RW)), Errno::OK);
  auto d = mkdir(root(), "locked", 0000);
  EXPECT_TRUE(be->create(kRoot, *d, "x", RW, 0644, 0).ok());
  EXPECT_EQ(E(be->lookup(kAlice, *d, "x")), Errno::ACCES);
}

TEST_P(Permissions, SearchPermissionNeededForLookup) {
  P9_NEEDS(ownership);
  auto d = mkdir(root(), "d", 0700);
  mkfile(d, "f");
  EXPECT_EQ(E(be->lookup(kAlice, *d, "f")), Errno::ACCES);
  EXPECT_EQ(E(be->lookup(kAlice, *d, "missing")), Errno::ACCES);
  ASSERT_TRUE(chmod(d, 0701).ok());
  EXPECT_TRUE(be->lookup(kAlice, *d, "f").ok());
}

TEST_P(Permissions, CreateAndRemoveNeedWriteOnDirectory) {
  P9_NEEDS(ownership);
  auto d = mkdir(root(), "d", 0755);
  mkfile(d, "f");
  EXPECT_EQ(E(be->create(kAlice, *d, "new", RW, 0644, 0)), Errno::ACCES);
  EXPECT_EQ(E(be->create(kAlice, *d, "f", RW, 0644, 0)), Errno::EXIST);  // EEXIST before EACCES
  EXPECT_EQ(E(be->mkdir(kAlice, *d, "sub", 0755, 0)), Errno::ACCES);
  EXPECT_EQ(E(be->unlink(kAlice, *d, "f", false)), Errno::ACCES);
  EXPECT_EQ(E(be->rename(kAlice, *d, "f", *d, "g")), Errno::ACCES);
}

TEST_P(Permissions, ReadWritePermissionsForUsers) {
  P9_NEEDS(ownership);
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0640, kAlice);
  EXPECT_EQ(E(be->open(kAlice, *f, RW)), Errno::OK);
  EXPECT_EQ(E(be->open(kCarol, *f, RD)), Errno::OK);  // group
  EXPECT_EQ(E(be->open(kCarol, *f, WR)), Errno::ACCES);
  EXPECT_EQ(E(be->open(kBob, *f, RD)), Errno::ACCES);  // other
}

TEST_P(Permissions, StickyDirectoryRestrictsRemoval) {
  P9_NEEDS(ownership);
  auto t = mkdir(root(), "tmp", 01777);
  mkfile(t, "a", 0644, kAlice);
  mkfile(t, "b", 0644, kAlice);
  mkfile(t, "c", 0644, kAlice);
  EXPECT_EQ(E(be->unlink(kBob, *t, "a", false)), Errno::PERM);
  EXPECT_EQ(E(be->rename(kBob, *t, "a", *t, "z")), Errno::PERM);
  mkfile(t, "bobs", 0644, kBob);
  EXPECT_EQ(E(be->rename(kBob, *t, "bobs", *t, "a")), Errno::PERM);  // over alice's file
  EXPECT_TRUE(be->unlink(kAlice, *t, "a", false).ok());              // file owner
  EXPECT_TRUE(be->unlink(kRoot, *t, "b", false).ok());               // root (also the dir owner)
  ASSERT_TRUE(chown(t, 1001, std::nullopt).ok());
  EXPECT_TRUE(be->unlink(kBob, *t, "c", false).ok());  // directory owner
}

TEST_P(Permissions, SetgidDirectoryInheritance) {
  P9_NEEDS(ownership);
  P9_NEEDS(symlinks);
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
  auto l = be->symlink(kAlice, *d, "l", "f", kAlice.gid).value();
  EXPECT_EQ(attr(l).gid, 500u);
}

TEST_P(Permissions, SetgidStrippedFromNewFileOfNonMember) {
  P9_NEEDS(ownership);
  auto d = mkdir(root(), "g", 0777);
  ASSERT_TRUE(chown(d, std::nullopt, 500).ok());
  ASSERT_TRUE(chmod(d, 02777).ok());
  EXPECT_EQ(perm(mkfile(d, "f", 02755, kAlice)), 0755u);
  EXPECT_EQ(perm(mkfile(d, "r", 02755, kRoot)), 02755u);
}

TEST_P(Permissions, MkdirDropsSetIdBitsFromMode) {
  auto d = mkdir(root(), "d", 06777);
  EXPECT_EQ(perm(d), 0777u);
  auto s = mkdir(root(), "s", 01777);
  EXPECT_EQ(perm(s), 01777u);
}

TEST_P(Permissions, ChownRules) {
  P9_NEEDS(ownership);
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

TEST_P(Permissions, ChownClearsSetIdBits) {
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

TEST_P(Permissions, ChmodOnlyByOwnerOrRoot) {
  P9_NEEDS(ownership);
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0644, kAlice);
  EXPECT_EQ(E(chmod(f, 0600, kBob)), Errno::PERM);
  EXPECT_TRUE(chmod(f, 0600, kAlice).ok());
  EXPECT_TRUE(chmod(f, 0640, kRoot).ok());
  EXPECT_EQ(perm(f), 0640u);
}

TEST_P(Permissions, ChmodClearsSetgidOfNonMember) {
  P9_NEEDS(ownership);
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0644, kAlice);
  ASSERT_TRUE(chown(f, std::nullopt, 999).ok());
  ASSERT_TRUE(chmod(f, 02755, kAlice).ok());
  EXPECT_EQ(perm(f), 0755u);
  ASSERT_TRUE(chmod(f, 04755, kAlice).ok());
  EXPECT_EQ(perm(f), 04755u);
}

TEST_P(Permissions, WriteClearsSetIdBitsForNonRoot) {
  P9_NEEDS(ownership);
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0666, kAlice);
  ASSERT_TRUE(chmod(f, 06777, kRoot).ok());
  put(f, 0, "x", kRoot);
  EXPECT_EQ(perm(f), 06777u);  // root has CAP_FSETID
  put(f, 0, "x", kBob);
  EXPECT_EQ(perm(f), 0777u);
}

TEST_P(Permissions, TruncateNeedsWritePermission) {
  P9_NEEDS(ownership);
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0444, kAlice);
  EXPECT_EQ(E(truncate(f, 0, kAlice)), Errno::ACCES);
  EXPECT_EQ(E(truncate(f, 0, kBob)), Errno::ACCES);
  EXPECT_TRUE(truncate(f, 0, kRoot).ok());
}

TEST_P(Permissions, UtimensPermissions) {
  P9_NEEDS(ownership);
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0666, kAlice);
  auto g = mkfile(d, "g", 0644, kAlice);
  SetAttr now;
  now.atime.how = now.mtime.how = TimeSet::How::Now;
  SetAttr value;
  value.mtime.how = TimeSet::How::Value;
  value.mtime.value = Timespec{5, 6};
  EXPECT_TRUE(be->setattr(kBob, *f, now).ok());             // write permission suffices
  EXPECT_EQ(E(be->setattr(kBob, *g, now)), Errno::ACCES);   // neither owner nor writer
  EXPECT_EQ(E(be->setattr(kBob, *f, value)), Errno::PERM);  // values need the owner
  EXPECT_TRUE(be->setattr(kAlice, *g, value).ok());
  EXPECT_EQ(attr(g).mtime, (Timespec{5, 6}));
}

TEST_P(Permissions, MovingDirectoryNeedsWriteOnIt) {
  P9_NEEDS(ownership);
  auto r = root();
  auto a = mkdir(r, "a", 0777);
  auto b = mkdir(r, "b", 0777);
  mkdir(a, "d", 0555, kAlice);
  EXPECT_EQ(E(be->rename(kAlice, *a, "d", *b, "d")), Errno::ACCES);
  EXPECT_TRUE(be->rename(kAlice, *a, "d", *a, "e").ok());  // same parent: ".." unchanged
}

}  // namespace
}  // namespace p9::fs::contract
