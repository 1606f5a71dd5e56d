// The group rule of reference/fs/cred.h and the users file parser.
#include "reference/fs/cred.h"

#include <gtest/gtest.h>

namespace p9::fs {
namespace {

const char* kDb =
    "# passwd and group lines mixed\n"
    "alice:x:1000:1000::/home/alice:/bin/sh\n"
    "bob:x:1001:1001::/home/bob:/bin/sh\n"
    "staff:x:3000:alice,nobody\n"
    "alice:x:1000:\n";

TEST(UserDb, ParsesPasswdAndGroupLines) {
  UserDb db;
  std::string why;
  ASSERT_TRUE(db.parse(kDb, &why)) << why;
  Cred a = db.cred(1000, GroupTrust::Db);
  EXPECT_EQ(a.gid, 1000u);
  EXPECT_EQ(a.groups, std::vector<std::uint32_t>{3000});
  Cred b = db.cred(1001, GroupTrust::Db);
  EXPECT_TRUE(b.groups.empty());
  Cred unknown = db.cred(4242, GroupTrust::Client);  // not in the database: gid = uid
  EXPECT_EQ(unknown.gid, 4242u);
  EXPECT_EQ(unknown.unconfirmed, GroupTrust::Client);
  UserDb bad;
  EXPECT_FALSE(bad.parse("alice:x:1000\n", &why));
  EXPECT_NE(why.find("line 1"), std::string::npos);
}

TEST(GroupRule, DbRefusesWhatItCannotConfirm) {
  Cred bob{1001, 1001, {}, GroupTrust::Db};
  EXPECT_FALSE(permits(bob, 0, 3000, 0640, false, kMayRead));  // group class only
  EXPECT_TRUE(permits(bob, 0, 3000, 0604, false, kMayRead));   // other class
  EXPECT_FALSE(may_chgrp(bob, 1001, 1001, 3000));
  EXPECT_TRUE(may_chgrp(bob, 1001, 1001, 1001));
  EXPECT_FALSE(keeps_sgid(bob, 3000));
  Cred alice{1000, 1000, {3000}, GroupTrust::Db};
  EXPECT_TRUE(permits(alice, 0, 3000, 0640, false, kMayRead));
  EXPECT_FALSE(permits(alice, 0, 3000, 0604, false, kMayRead));  // a member gets the group class, not other
  EXPECT_TRUE(may_chgrp(alice, 1000, 1000, 3000));
  EXPECT_FALSE(may_chgrp(alice, 1001, 1001, 3000));  // not the owner
  EXPECT_TRUE(keeps_sgid(alice, 3000));
}

TEST(GroupRule, ClientTrustsUnconfirmedMembershipButNotOwnership) {
  Cred bob{1001, 1001, {}, GroupTrust::Client};
  EXPECT_TRUE(permits(bob, 0, 3000, 0640, false, kMayRead));  // the client may have seen group 3000
  EXPECT_TRUE(permits(bob, 0, 3000, 0604, false, kMayRead));  // or decided by the other class
  EXPECT_FALSE(permits(bob, 0, 3000, 0644, false, kMayWrite));
  EXPECT_FALSE(permits(bob, 0, 3000, 0600, false, kMayRead));  // hostile cases' owner/other rule holds
  EXPECT_TRUE(may_chgrp(bob, 1001, 1001, 3000));
  EXPECT_FALSE(may_chgrp(bob, 0, 0, 3000));  // ownership is never trusted
  EXPECT_TRUE(keeps_sgid(bob, 3000));
  Cred root{0, 0, {}, GroupTrust::Db};
  EXPECT_TRUE(permits(root, 5, 5, 0, true, kMayExec));
  EXPECT_FALSE(permits(root, 5, 5, 0644, false, kMayExec));  // root executes only with some x bit
}

}  // namespace
}  // namespace p9::fs
