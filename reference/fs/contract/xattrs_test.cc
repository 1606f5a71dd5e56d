// Contract: extended attributes (getxattr(2) family, xattr(7)).
#include "reference/fs/contract/contract.h"

namespace p9::fs::contract {
namespace {

class Xattrs : public Contract {};
P9_CONTRACT_TOPIC(Xattrs);

TEST_P(Xattrs, XattrSetGetListRemove) {
  P9_NEEDS_USER_XATTRS;
  auto f = mkfile(root(), "f");
  ASSERT_TRUE(be->setxattr(kRoot, *f, "user.b", "2", XattrFlags::Any).ok());
  ASSERT_TRUE(be->setxattr(kRoot, *f, "user.a", std::string("1\0x", 3), XattrFlags::Any).ok());
  EXPECT_EQ(be->getxattr(kRoot, *f, "user.a").value(), std::string("1\0x", 3));
  auto names = be->listxattr(kRoot, *f).value();
  std::sort(names.begin(), names.end());  // listxattr(2) gives no order
  EXPECT_EQ(names, (std::vector<std::string>{"user.a", "user.b"}));
  ASSERT_TRUE(be->removexattr(kRoot, *f, "user.a").ok());
  EXPECT_EQ(E(be->getxattr(kRoot, *f, "user.a")), Errno::NODATA);
  EXPECT_EQ(E(be->removexattr(kRoot, *f, "user.a")), Errno::NODATA);
}

TEST_P(Xattrs, XattrCreateAndReplaceFlags) {
  P9_NEEDS_USER_XATTRS;
  auto f = mkfile(root(), "f");
  EXPECT_EQ(E(be->setxattr(kRoot, *f, "user.x", "1", XattrFlags::Replace)), Errno::NODATA);
  EXPECT_TRUE(be->setxattr(kRoot, *f, "user.x", "1", XattrFlags::Create).ok());
  EXPECT_EQ(E(be->setxattr(kRoot, *f, "user.x", "2", XattrFlags::Create)), Errno::EXIST);
  EXPECT_TRUE(be->setxattr(kRoot, *f, "user.x", "3", XattrFlags::Replace).ok());
  EXPECT_EQ(be->getxattr(kRoot, *f, "user.x").value(), "3");
  EXPECT_EQ(E(be->setxattr(kRoot, *f, "user.x", "3", static_cast<XattrFlags>(4))), Errno::INVAL);
}

TEST_P(Xattrs, XattrUserOnSymlinkIsEPERM) {
  P9_NEEDS(symlinks);
  P9_NEEDS_USER_XATTRS;
  auto l = be->symlink(kRoot, *root(), "l", "t", 0).value();
  EXPECT_EQ(E(be->setxattr(kRoot, *l, "user.x", "1", XattrFlags::Any)), Errno::PERM);
  EXPECT_EQ(E(be->getxattr(kRoot, *l, "user.x")), Errno::NODATA);
}

TEST_P(Xattrs, XattrUserNeedsFilePermission) {
  P9_NEEDS(ownership);
  P9_NEEDS_USER_XATTRS;
  auto d = shared_dir();
  auto f = mkfile(d, "f", 0644, kAlice);
  ASSERT_TRUE(be->setxattr(kAlice, *f, "user.x", "1", XattrFlags::Any).ok());
  EXPECT_EQ(be->getxattr(kBob, *f, "user.x").value(), "1");
  EXPECT_EQ(E(be->setxattr(kBob, *f, "user.x", "2", XattrFlags::Any)), Errno::ACCES);
  EXPECT_EQ(E(be->removexattr(kBob, *f, "user.x")), Errno::ACCES);
  ASSERT_TRUE(chmod(f, 0600, kAlice).ok());
  EXPECT_EQ(E(be->getxattr(kBob, *f, "user.x")), Errno::ACCES);
}

TEST_P(Xattrs, XattrChangeStampsCtime) {
  P9_NEEDS_USER_XATTRS;
  auto f = mkfile(root(), "f");
  Attr before = attr(f);
  tick();
  ASSERT_TRUE(be->setxattr(kRoot, *f, "user.x", "1", XattrFlags::Any).ok());
  EXPECT_NE(attr(f).ctime, before.ctime);
  EXPECT_EQ(attr(f).mtime, before.mtime);
}

}  // namespace
}  // namespace p9::fs::contract
