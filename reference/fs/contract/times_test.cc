// Contract: which calls mark which times (stat(2), POSIX "marks for update"). Times are first set to an old
// value, and a tick is waited before a ctime change, so coarse host clocks do not matter.
#include "reference/fs/contract/contract.h"

namespace p9::fs::contract {
namespace {

class Times : public Contract {};
P9_CONTRACT_TOPIC(Times);

TEST_P(Times, WriteStampsMtimeAndCtime) {
  auto f = mkfile(root(), "f");
  Attr before = attr(f);
  tick();
  put(f, 0, "x");
  Attr after = attr(f);
  EXPECT_NE(after.mtime, before.mtime);
  EXPECT_EQ(after.mtime, after.ctime);
  EXPECT_EQ(after.btime, before.btime);
}

TEST_P(Times, ChmodStampsCtimeOnly) {
  auto f = mkfile(root(), "f");
  Attr before = attr(f);
  tick();
  ASSERT_TRUE(chmod(f, 0600).ok());
  Attr after = attr(f);
  EXPECT_NE(after.ctime, before.ctime);
  EXPECT_EQ(after.mtime, before.mtime);
}

TEST_P(Times, CtimeOnlyTouchesCtime) {
  auto f = mkfile(root(), "f");
  Attr before = attr(f);
  tick();
  SetAttr a;
  a.ctime_only = true;
  ASSERT_TRUE(be->setattr(kRoot, *f, a).ok());
  EXPECT_NE(attr(f).ctime, before.ctime);
  EXPECT_EQ(attr(f).mtime, before.mtime);
}

TEST_P(Times, UnlinkStampsDirectory) {
  auto r = root();
  auto d = mkdir(r, "d");
  mkfile(d, "f");
  Attr before = attr(d);
  tick();
  ASSERT_TRUE(be->unlink(kRoot, *d, "f", false).ok());
  Attr after = attr(d);
  EXPECT_NE(after.mtime, before.mtime);
  EXPECT_EQ(after.mtime, after.ctime);
}

}  // namespace
}  // namespace p9::fs::contract
