// Supplementary groups (conformance/cases/users.db: user 1000 is in group
// 3000 besides its own, user 1001 is not): the group class of
// path_resolution(7), chown(2) to a group the owner is in, set-group-ID
// directories (mkdir(2), open(2) O_CREAT; fs/inode.c inode_init_owner) and
// S_ISGID on chmod(2) (fs/attr.c setattr_prepare, in_group_or_capable), the
// sticky bit for a group member (fs/namei.c __check_sticky), utimensat(2)
// by a group member. Linux decides membership with in_group_p
// (kernel/groups.c): the fsgid or a supplementary group.
#include "conformance/cases/fixture.h"

namespace p9::conformance {
namespace {

constexpr std::uint32_t kStaff = 3000;  // users.db: u1000 is a member, u1001 is not

struct Groups : Fixture {
  // Root makes dir()/name ("secret") owned by uid:gid with mode.
  void root_file(const std::string& name, std::uint32_t mode, std::uint32_t uid, std::uint32_t gid) {
    std::uint32_t f = create(dir(), name, "secret", 2, mode);
    if (!f) return;
    chown(f, uid, gid);
    chmod(f, mode);
    clunk(f);
  }
  // Root makes the directory dir()/name owned by uid:gid with mode.
  void root_dir(const std::string& name, std::uint32_t mode, std::uint32_t uid, std::uint32_t gid) {
    mkdir(dir(), name, mode);
    std::uint32_t d = walk(dir(), {name});
    if (!d) return;
    chown(d, uid, gid);
    chmod(d, mode);
    clunk(d);
  }
  // User `uid` sends `s` on a fid of dir()/path.
  Result<msg::Rsetattr> setattr_as(std::uint32_t uid, const std::vector<std::string>& path, msg::Tsetattr s) {
    auto [u, f] = walk_as(uid, path);
    if (!f) return Errno::PROTO;  // walk_as added the failure
    s.fid = f;
    return u.client->call<msg::Rsetattr>(s);
  }
};

TEST_F(Groups, OpenThroughASupplementaryGroup) {
  P9_RULE(
      "a member of the file's group (a supplementary group) gets the group class: a 0640 file opens for "
      "reading; a non-member gets the other class: EACCES",
      "path_resolution(7) 'Permission checking'; fs/namei.c acl_permission_check, kernel/groups.c "
      "in_group_p");
  P9_REQUIRE(Ownership);
  P9_REQUIRE(Groups);
  root_file("f", 0640, 0, kStaff);
  {
    auto [u, f] = walk_as(1000, {"f"});
    ASSERT_TRUE(f);
    auto o = u.client->call<msg::Rlopen>(msg::Tlopen{f, access::RDONLY});
    P9_EXPECT_OK(o);
  }
  auto [o, g] = walk_as(1001, {"f"});
  ASSERT_TRUE(g);
  auto r = o.client->call<msg::Rlopen>(msg::Tlopen{g, access::RDONLY});
  P9_EXPECT_ERRNO(r, ACCES);
}

TEST_F(Groups, ChgrpToAGroupTheOwnerIsIn) {
  P9_RULE("the owner may change its file's group to a group it is in", "chown(2); fs/attr.c chgrp_ok");
  P9_REQUIRE(Ownership);
  P9_REQUIRE(Groups);
  root_file("f", 0644, 1000, 1000);
  auto r = setattr_as(1000, {"f"}, msg::Tsetattr{.valid = setattr::GID, .gid = kStaff});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(attr_at({"f"}).gid, kStaff);
}

TEST_F(Groups, ChgrpToAGroupTheOwnerIsNotInIsEPERM) {
  P9_RULE("the owner may not change its file's group to a group it is not in: EPERM",
          "chown(2) EPERM; fs/attr.c chgrp_ok");
  P9_REQUIRE(Ownership);
  P9_REQUIRE(Groups);
  root_file("f", 0644, 1001, 1001);
  auto r = setattr_as(1001, {"f"}, msg::Tsetattr{.valid = setattr::GID, .gid = kStaff});
  P9_EXPECT_ERRNO(r, PERM);
  P9_EXPECT_EQ(attr_at({"f"}).gid, 1001u);
}

TEST_F(Groups, SetgidDirectoryGivesItsGroupToNewEntries) {
  P9_RULE(
      "in a set-group-ID directory a member's new file gets the directory's group whatever gid it asks "
      "for, and a new subdirectory the group and S_ISGID; the member writes there through its group",
      "mkdir(2), open(2) O_CREAT; fs/inode.c inode_init_owner");
  P9_REQUIRE(Ownership);
  P9_REQUIRE(Groups);
  root_dir("shared", 02775, 0, kStaff);
  auto [u, d] = walk_as(1000, {"shared"});
  ASSERT_TRUE(d);
  auto d2 = try_walk(*u.client, d, {});
  ASSERT_TRUE(d2.ok());
  auto cr = u.client->call<msg::Rlcreate>(msg::Tlcreate{d, "file", 2 | lopen::CREAT, 0664, 1000});
  P9_EXPECT_OK(cr);
  auto mk = u.client->call<msg::Rmkdir>(msg::Tmkdir{*d2, "sub", 0775, 1000});
  P9_EXPECT_OK(mk);
  if (cr.ok()) P9_EXPECT_EQ(attr_at({"shared", "file"}).gid, kStaff);
  if (mk.ok()) {
    auto a = attr_at({"shared", "sub"});
    P9_EXPECT_EQ(a.gid, kStaff);
    P9_EXPECT_EQ(perm_bits(a.mode) & 02000u, 02000u);
  }
}

TEST_F(Groups, ChmodKeepsSetgidForAMember) {
  P9_RULE("chmod by the owner keeps S_ISGID when the owner is in the file's group",
          "chmod(2); fs/attr.c setattr_prepare, in_group_or_capable");
  P9_REQUIRE(Ownership);
  P9_REQUIRE(Groups);
  root_file("f", 0644, 1000, kStaff);
  auto r = setattr_as(1000, {"f"}, msg::Tsetattr{.valid = setattr::MODE, .mode = file_type::REG | 02755});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(perm_bits(attr_at({"f"}).mode), 02755u);
}

TEST_F(Groups, ChmodClearsSetgidForANonMember) {
  P9_RULE("chmod by an owner who is not in the file's group clears S_ISGID, without error",
          "chmod(2) 'the S_ISGID bit is turned off'; fs/attr.c setattr_prepare");
  P9_REQUIRE(Ownership);
  P9_REQUIRE(Groups);
  root_file("f", 0644, 1001, kStaff);
  auto r = setattr_as(1001, {"f"}, msg::Tsetattr{.valid = setattr::MODE, .mode = file_type::REG | 02755});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(perm_bits(attr_at({"f"}).mode), 0755u);
}

TEST_F(Groups, StickyDirectoryRefusesAGroupMemberWhoDoesNotOwn) {
  P9_RULE(
      "in a sticky directory writable through the group, a member may create but not remove a file it "
      "does not own: EPERM",
      "unlink(2) EPERM; fs/namei.c may_delete, __check_sticky");
  P9_REQUIRE(Ownership);
  P9_REQUIRE(Groups);
  root_dir("tmp", 01770, 0, kStaff);
  make_file(walk(dir(), {"tmp"}), "roots", "x");
  auto [u, d] = walk_as(1000, {"tmp"});
  ASSERT_TRUE(d);
  auto d2 = try_walk(*u.client, d, {});
  ASSERT_TRUE(d2.ok());
  auto cr = u.client->call<msg::Rlcreate>(msg::Tlcreate{*d2, "mine", 2 | lopen::CREAT, 0644, 1000});
  P9_EXPECT_OK(cr);
  auto r = unlink_at(*u.client, d, "roots");
  P9_EXPECT_ERRNO(r, PERM);
  auto own = unlink_at(*u.client, d, "mine");
  P9_EXPECT_OK(own);
  P9_EXPECT_EQ(list({"tmp"}), std::vector<std::string>{"roots"});
}

TEST_F(Groups, TimesNowThroughGroupWritePermission) {
  P9_RULE(
      "a non-owner with write permission through a supplementary group may set times to now, not to "
      "explicit values (EPERM); a non-member without write permission gets EACCES",
      "utimensat(2) 'Permissions requirements'; fs/attr.c setattr_prepare");
  P9_REQUIRE(Ownership);
  P9_REQUIRE(Groups);
  root_file("f", 0664, 0, kStaff);
  auto now = setattr_as(1000, {"f"}, msg::Tsetattr{.valid = setattr::MTIME | setattr::ATIME});
  P9_EXPECT_OK(now);
  auto set = setattr_as(1000, {"f"},
                        msg::Tsetattr{.valid = setattr::MTIME | setattr::MTIME_SET, .mtime_sec = 1000000});
  P9_EXPECT_ERRNO(set, PERM);
  auto other = setattr_as(1001, {"f"}, msg::Tsetattr{.valid = setattr::MTIME | setattr::ATIME});
  P9_EXPECT_ERRNO(other, ACCES);
}

}  // namespace
}  // namespace p9::conformance
