// Contract: looking names up and creating them (path_resolution(7), open(2) O_CREAT|O_EXCL, mkdir(2)).
#include "reference/fs/contract/contract.h"

namespace p9::fs::contract {
namespace {

class Names : public Contract {};
P9_CONTRACT_TOPIC(Names);

TEST_P(Names, CreateThenLookupFindsSameNode) {
  auto r = root();
  auto f = mkfile(r, "f");
  auto g = look(r, "f");
  ASSERT_TRUE(g);
  EXPECT_TRUE(be->same(*f, *g));
  EXPECT_EQ(attr(g).type, FileType::Regular);
  EXPECT_EQ(attr(g).nlink, 1u);
}

TEST_P(Names, LookupMissingIsENOENT) { EXPECT_EQ(E(be->lookup(kRoot, *root(), "nope")), Errno::NOENT); }

TEST_P(Names, LookupInFileIsENOTDIR) {
  auto f = mkfile(root(), "f");
  EXPECT_EQ(E(be->lookup(kRoot, *f, "x")), Errno::NOTDIR);
  EXPECT_EQ(E(be->create(kRoot, *f, "x", RW, 0644, 0)), Errno::NOTDIR);
}

TEST_P(Names, LookupDotDotIsParent) {
  auto d = mkdir(root(), "d");
  auto e = mkdir(d, "e");
  EXPECT_TRUE(be->same(*look(e, ".."), *d));
  EXPECT_TRUE(be->same(*look(e, "."), *e));
}

TEST_P(Names, NameTooLongIsENAMETOOLONG) {
  auto r = root();
  std::string n255(255, 'x'), n256(256, 'x');
  EXPECT_TRUE(be->create(kRoot, *r, n255, RW, 0644, 0).ok());
  EXPECT_EQ(E(be->create(kRoot, *r, n256, RW, 0644, 0)), Errno::NAMETOOLONG);
  EXPECT_EQ(E(be->mkdir(kRoot, *r, n256, 0755, 0)), Errno::NAMETOOLONG);
  EXPECT_EQ(E(be->lookup(kRoot, *r, n256)), Errno::NAMETOOLONG);
  EXPECT_EQ(E(be->rename(kRoot, *r, n255, *r, n256)), Errno::NAMETOOLONG);
}

TEST_P(Names, CreateOnExistingNameIsEEXIST) {
  P9_NEEDS(hardlinks);
  P9_NEEDS(symlinks);
  P9_NEEDS(mknod);
  auto r = root();
  auto f = mkfile(r, "f");
  EXPECT_EQ(E(be->create(kRoot, *r, "f", RW, 0644, 0)), Errno::EXIST);
  EXPECT_EQ(E(be->mkdir(kRoot, *r, "f", 0755, 0)), Errno::EXIST);
  EXPECT_EQ(E(be->symlink(kRoot, *r, "f", "t", 0)), Errno::EXIST);
  EXPECT_EQ(E(be->mknod(kRoot, *r, "f", file_type::FIFO | 0644, 0, 0)), Errno::EXIST);
  EXPECT_EQ(E(be->link(kRoot, *f, *r, "f")), Errno::EXIST);
  EXPECT_EQ(E(be->mkdir(kRoot, *r, ".", 0755, 0)), Errno::EXIST);
  EXPECT_EQ(E(be->mkdir(kRoot, *r, "..", 0755, 0)), Errno::EXIST);
}

TEST_P(Names, CreateModeUidGid) {
  P9_NEEDS(ownership);
  auto d = shared_dir();
  auto r = be->create(kAlice, *d, "f", RW, 0100644 | 04755, 4242);
  ASSERT_TRUE(r.ok());
  Attr a = attr(r->node);
  EXPECT_EQ(a.mode, file_type::REG | 04755);
  EXPECT_EQ(a.uid, 1000u);
  EXPECT_EQ(a.gid, 4242u);  // the gid argument, the directory is not set-gid
}

TEST_P(Names, CreateOpensNewFileWhateverItsMode) {
  P9_NEEDS(ownership);
  auto d = shared_dir();
  auto r = be->create(kAlice, *d, "ro", RW, 0444, kAlice.gid);
  ASSERT_TRUE(r.ok());
  std::uint8_t b = 'x';
  EXPECT_EQ(E(r->file->write(0, &b, 1)), Errno::OK);
  EXPECT_EQ(E(be->open(kAlice, *r->node, WR)), Errno::ACCES);  // but a later open is checked
}

}  // namespace
}  // namespace p9::fs::contract
