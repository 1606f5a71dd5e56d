// Contract: hard links (link(2)), symbolic links (symlink(2), readlink(2)) and special files (mknod(2)).
#include "reference/fs/contract/contract.h"

namespace p9::fs::contract {
namespace {

class Links : public Contract {};
P9_CONTRACT_TOPIC(Links);

TEST_P(Links, HardLinksCountNames) {
  P9_NEEDS(hardlinks);
  auto r = root();
  auto d = mkdir(r, "d");
  auto f = mkfile(r, "f");
  Attr before = attr(f);
  tick();
  ASSERT_TRUE(be->link(kRoot, *f, *d, "g").ok());
  Attr a = attr(f);
  EXPECT_EQ(a.nlink, 2u);
  EXPECT_NE(a.ctime, before.ctime);
  EXPECT_EQ(attr(d).mtime, a.ctime);
  ASSERT_TRUE(be->unlink(kRoot, *r, "f", false).ok());
  EXPECT_EQ(attr(f).nlink, 1u);
  EXPECT_TRUE(be->same(*look(d, "g"), *f));
}

TEST_P(Links, LinkToDirectoryIsEPERM) {
  P9_NEEDS(hardlinks);
  auto r = root();
  auto d = mkdir(r, "d");
  EXPECT_EQ(E(be->link(kRoot, *d, *r, "d2")), Errno::PERM);
}

TEST_P(Links, SymlinkAndReadlink) {
  P9_NEEDS(ownership);
  P9_NEEDS(symlinks);
  auto l = be->symlink(kAlice, *shared_dir(), "l", "../some/where", 77).value();
  Attr a = attr(l);
  EXPECT_EQ(a.type, FileType::Symlink);
  EXPECT_EQ(a.mode, file_type::LNK | 0777);
  EXPECT_EQ(a.size, 13u);
  EXPECT_EQ(a.uid, 1000u);
  EXPECT_EQ(a.gid, 77u);
  EXPECT_EQ(be->readlink(*l).value(), "../some/where");
}

TEST_P(Links, ReadlinkOfNonSymlinkIsEINVAL) {
  EXPECT_EQ(E(be->readlink(*mkfile(root(), "f"))), Errno::INVAL);
}

TEST_P(Links, SymlinkTargetLimits) {
  P9_NEEDS(symlinks);
  auto r = root();
  EXPECT_EQ(E(be->symlink(kRoot, *r, "l", "", 0)), Errno::NOENT);
  EXPECT_EQ(E(be->symlink(kRoot, *r, "l", std::string(4096, 'a'), 0)), Errno::NAMETOOLONG);
  EXPECT_TRUE(be->symlink(kRoot, *r, "l", std::string(4095, 'a'), 0).ok());
}

TEST_P(Links, MknodTypesAndRdev) {
  P9_NEEDS(mknod);
  auto r = root();
  std::uint64_t dev = make_rdev(8, 1);
  auto fifo = be->mknod(kRoot, *r, "fifo", file_type::FIFO | 0640, dev, 0).value();
  auto chr = be->mknod(kRoot, *r, "chr", file_type::CHR | 0600, dev, 0).value();
  auto blk = be->mknod(kRoot, *r, "blk", file_type::BLK | 0600, dev, 0).value();
  auto sock = be->mknod(kRoot, *r, "sock", file_type::SOCK | 0755, dev, 0).value();
  auto reg = be->mknod(kRoot, *r, "reg", file_type::REG | 0644, dev, 0).value();
  auto reg0 = be->mknod(kRoot, *r, "reg0", 0644, 0, 0).value();
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
    return std::find_if(es.begin(), es.end(), [&](const DirEntry& e) { return e.name == n; })->type;
  };
  EXPECT_EQ(find("fifo"), FileType::Fifo);
  EXPECT_EQ(find("blk"), FileType::BlockDev);
}

TEST_P(Links, MknodBadTypes) {
  P9_NEEDS(mknod);
  auto r = root();
  EXPECT_EQ(E(be->mknod(kRoot, *r, "d", file_type::DIR | 0755, 0, 0)), Errno::PERM);
  EXPECT_EQ(E(be->mknod(kRoot, *r, "x", 0070000 | 0755, 0, 0)), Errno::INVAL);
}

TEST_P(Links, MknodDeviceNeedsRoot) {
  P9_NEEDS(ownership);
  P9_NEEDS(mknod);
  auto d = shared_dir();
  EXPECT_EQ(E(be->mknod(kAlice, *d, "c", file_type::CHR | 0600, 1, kAlice.gid)), Errno::PERM);
  EXPECT_TRUE(be->mknod(kAlice, *d, "p", file_type::FIFO | 0600, 0, kAlice.gid).ok());
}

TEST_P(Links, HardLinkToSymlinkLinksTheSymlink) {
  auto s = be->symlink(kRoot, *root(), "s", "/etc/passwd", 0);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(be->link(kRoot, **s, *root(), "s2").ok());
  auto s2 = look(root(), "s2");
  EXPECT_EQ(attr(s2).type, FileType::Symlink);
  EXPECT_EQ(attr(s2).nlink, 2u);
  EXPECT_EQ(*be->readlink(*s2), "/etc/passwd");
}

}  // namespace
}  // namespace p9::fs::contract
