// Per-user permissions (Linux access=user: each user attaches with its own
// uid and the server checks as that user): path_resolution(7), open(2),
// chmod(2), chown(2), the sticky bit (unlink(2) EPERM), utimensat(2).
#include "conformance/cases/fixture.h"

namespace p9::conformance {
namespace {

struct Permissions : Fixture {
  // Root makes dir()/name with content and mode (and owner), returns nothing.
  void root_file(const std::string& name, std::uint32_t mode, std::uint32_t uid = 0, std::uint32_t gid = 0) {
    std::uint32_t f = create(dir(), name, "secret", 2, mode);
    if (!f) return;
    if (uid || gid) chown(f, uid, gid);
    chmod(f, mode);
    clunk(f);
  }

  // Root makes dir()/f ("secret", mode, owned by `owner`: 0 is root), then user
  // 1000 sends `s` on a fid of it. A setup step that fails is a failure.
  Result<msg::Rsetattr> setattr_as_user(std::uint32_t mode, std::uint32_t owner, msg::Tsetattr s) {
    root_file("f", mode, owner, owner);
    auto [u, f] = walk_as(1000, {"f"});
    if (!f) return Errno::PROTO;  // walk_as added the failure
    s.fid = f;
    return u.client->call<msg::Rsetattr>(s);
  }

  // dir()/tmp (mode 01777) holding "mine", created there by user 1000, whose
  // connection is returned.
  Conn users_file_in_sticky_dir() {
    mkdir(dir(), "tmp", 01777);
    auto owner = connect_as(1000);
    if (!owner.client) return owner;
    auto od = try_walk(owner, {"tmp"});
    if (!od.ok()) {
      ADD_FAILURE() << "setup: user 1000 cannot walk to tmp\n" << owner.client->transcript();
      return owner;
    }
    auto cr = owner.client->call<msg::Rlcreate>(msg::Tlcreate{*od, "mine", 2 | lopen::CREAT, 0666, 1000});
    P9_EXPECT_OK(cr);
    return owner;
  }
};

TEST_F(Permissions, ReadingARootOnlyFileIsEACCES) {
  P9_RULE("another user cannot open a 0600 root file for reading: EACCES",
          "open(2) EACCES; path_resolution(7)");
  P9_REQUIRE(Ownership);
  root_file("f", 0600);
  auto [u, f] = walk_as(1000, {"f"});
  ASSERT_TRUE(f);
  auto o = u.client->call<msg::Rlopen>(msg::Tlopen{f, access::RDONLY});
  P9_EXPECT_ERRNO(o, ACCES);
}

TEST_F(Permissions, WritingA0644RootFileIsEACCES) {
  P9_RULE("another user cannot open a 0644 root file for writing: EACCES", "open(2) EACCES");
  P9_REQUIRE(Ownership);
  root_file("f", 0644);
  auto [u, f] = walk_as(1000, {"f"});
  ASSERT_TRUE(f);
  auto o = u.client->call<msg::Rlopen>(msg::Tlopen{f, access::WRONLY});
  P9_EXPECT_ERRNO(o, ACCES);
}

TEST_F(Permissions, ReadingA0644RootFileIsAllowed) {
  P9_RULE("another user may read a 0644 root file", "path_resolution(7): 'other' permission bits");
  P9_REQUIRE(Ownership);
  root_file("f", 0644);
  auto [u, f] = walk_as(1000, {"f"});
  ASSERT_TRUE(f);
  auto o = u.client->call<msg::Rlopen>(msg::Tlopen{f, access::RDONLY});
  P9_EXPECT_OK(o);
  auto r = u.client->call<msg::Rread>(msg::Tread{f, 0, 100});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->data, std::string("secret"));
}

TEST_F(Permissions, CreatingInA0755RootDirectoryIsEACCES) {
  P9_RULE("another user cannot create a file in a 0755 root directory: EACCES",
          "open(2) EACCES: no write permission on the parent");
  P9_REQUIRE(Ownership);
  mkdir(dir(), "sub", 0755);
  auto [u, d] = walk_as(1000, {"sub"});
  ASSERT_TRUE(d);
  auto r = u.client->call<msg::Rlcreate>(msg::Tlcreate{d, "mine", 2 | lopen::CREAT, 0644, 1000});
  P9_EXPECT_ERRNO(r, ACCES);
}

TEST_F(Permissions, MkdirInA0755RootDirectoryIsEACCES) {
  P9_RULE("another user cannot mkdir in a 0755 root directory: EACCES", "mkdir(2) EACCES");
  P9_REQUIRE(Ownership);
  mkdir(dir(), "sub", 0755);
  auto [u, d] = walk_as(1000, {"sub"});
  ASSERT_TRUE(d);
  auto r = u.client->call<msg::Rmkdir>(msg::Tmkdir{d, "mine", 0755, 1000});
  P9_EXPECT_ERRNO(r, ACCES);
}

TEST_F(Permissions, RemovingFromA0755RootDirectoryIsEACCES) {
  P9_RULE("another user cannot remove a name from a 0755 root directory: EACCES",
          "unlink(2) EACCES: no write permission on the parent");
  P9_REQUIRE(Ownership);
  mkdir(dir(), "sub", 0755);
  make_file(walk(dir(), {"sub"}), "f", "x");
  auto [u, d] = walk_as(1000, {"sub"});
  ASSERT_TRUE(d);
  auto r = unlink_at(*u.client, d, "f");
  P9_EXPECT_ERRNO(r, ACCES);
  P9_EXPECT_EQ(list({"sub"}), std::vector<std::string>{"f"});
}

TEST_F(Permissions, WalkingIntoA0700RootDirectoryIsEACCES) {
  P9_RULE("another user cannot look up names in a 0700 root directory: EACCES",
          "path_resolution(7): search permission");
  P9_REQUIRE(Ownership);
  mkdir(dir(), "priv", 0700);
  make_file(walk(dir(), {"priv"}), "f", "x");
  auto [u, d] = walk_as(1000, {"priv"});
  ASSERT_TRUE(d);
  auto w = u.client->call<msg::Rwalk>(msg::Twalk{d, u.client->new_fid(), {"f"}});
  P9_EXPECT_ERRNO(w, ACCES);
}

TEST_F(Permissions, RootReadsAndWritesAnything) {
  P9_RULE("root opens a mode-0000 file of another user for reading and writing",
          "capabilities(7) CAP_DAC_OVERRIDE");
  P9_REQUIRE(Ownership);
  root_file("f", 0000, 1000, 1000);
  std::uint32_t f = walk(dir(), {"f"});
  auto o = c().call<msg::Rlopen>(msg::Tlopen{f, access::RDWR});
  P9_EXPECT_OK(o);
  if (o.ok()) P9_EXPECT_EQ(read(f, 0, 100), std::string("secret"));
}

TEST_F(Permissions, StickyDirectoryProtectsOtherUsersFiles) {
  P9_RULE("in a sticky directory a user cannot remove another user's file: EPERM",
          "unlink(2) EPERM: sticky bit; fs/namei.c may_delete / check_sticky");
  P9_REQUIRE(Ownership);
  auto owner = users_file_in_sticky_dir();
  ASSERT_TRUE(owner.client);
  auto [other, d] = walk_as(1001, {"tmp"});
  ASSERT_TRUE(d);
  auto r = unlink_at(*other.client, d, "mine");
  P9_EXPECT_ERRNO(r, PERM);
  P9_EXPECT_EQ(list({"tmp"}), std::vector<std::string>{"mine"});
}

TEST_F(Permissions, StickyDirectoryForbidsRenamingOtherUsersFiles) {
  P9_RULE("in a sticky directory a user cannot rename another user's file: EPERM",
          "rename(2) EPERM: sticky bit");
  P9_REQUIRE(Ownership);
  auto owner = users_file_in_sticky_dir();
  ASSERT_TRUE(owner.client);
  auto other = connect_as(1001);
  ASSERT_TRUE(other.client);
  auto t = try_walk(other, {"tmp"});
  ASSERT_TRUE(t.ok());
  auto r = rename_at(*other.client, *t, "mine", *t, "stolen");
  P9_EXPECT_ERRNO(r, PERM);
}

TEST_F(Permissions, StickyDirectoryLetsTheOwnerRemove) {
  P9_RULE("in a sticky directory the file's owner may remove it",
          "unlink(2): sticky bit allows the file's owner");
  P9_REQUIRE(Ownership);
  auto owner = users_file_in_sticky_dir();
  ASSERT_TRUE(owner.client);
  auto d = try_walk(owner, {"tmp"});
  ASSERT_TRUE(d.ok());
  auto r = unlink_at(*owner.client, *d, "mine");
  P9_EXPECT_OK(r);
}

TEST_F(Permissions, ChownByNonRootIsEPERM) {
  P9_RULE("a user cannot give its file to another user: EPERM",
          "chown(2) EPERM: only a privileged process may change the owner");
  P9_REQUIRE(Ownership);
  auto r = setattr_as_user(0644, 1000, msg::Tsetattr{.valid = setattr::UID, .uid = 1001});
  P9_EXPECT_ERRNO(r, PERM);
  P9_EXPECT_EQ(attr_at({"f"}).uid, 1000u);
}

TEST_F(Permissions, ChmodByNonOwnerIsEPERM) {
  P9_RULE("a user cannot chmod a file it does not own: EPERM",
          "chmod(2) EPERM: effective UID does not match the owner");
  P9_REQUIRE(Ownership);
  auto r = setattr_as_user(0666, 0, msg::Tsetattr{.valid = setattr::MODE, .mode = 0777});
  P9_EXPECT_ERRNO(r, PERM);
  P9_EXPECT_EQ(attr_at({"f"}).mode & 07777, 0666u);
}

TEST_F(Permissions, ChmodByOwnerIsAllowed) {
  P9_RULE("a file's owner may chmod it", "chmod(2)");
  P9_REQUIRE(Ownership);
  auto r = setattr_as_user(0644, 1000, msg::Tsetattr{.valid = setattr::MODE, .mode = 0600});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(attr_at({"f"}).mode & 07777, 0600u);
}

TEST_F(Permissions, TruncateWithoutWritePermissionIsEACCES) {
  P9_RULE("a user cannot truncate a file it may not write: EACCES", "truncate(2) EACCES");
  P9_REQUIRE(Ownership);
  auto r = setattr_as_user(0644, 0, msg::Tsetattr{.valid = setattr::SIZE, .size = 0});
  P9_EXPECT_ERRNO(r, ACCES);
  P9_EXPECT_EQ(attr_at({"f"}).size, 6u);
}

TEST_F(Permissions, ExplicitTimesByNonOwnerIsEPERM) {
  P9_RULE("only the owner may set explicit times, even with write permission: EPERM",
          "utimensat(2) EPERM: times not NULL/UTIME_NOW and caller is not the owner");
  P9_REQUIRE(Ownership);
  auto r = setattr_as_user(0666, 0,
                           msg::Tsetattr{.valid = setattr::MTIME | setattr::MTIME_SET, .mtime_sec = 1000000});
  P9_EXPECT_ERRNO(r, PERM);
}

TEST_F(Permissions, TimesNowWithoutWritePermissionIsEACCES) {
  P9_RULE("setting times to now needs ownership or write permission: EACCES",
          "utimensat(2) EACCES: times is NULL/UTIME_NOW, not owner, no write permission");
  P9_REQUIRE(Ownership);
  auto r = setattr_as_user(0644, 0, msg::Tsetattr{.valid = setattr::MTIME | setattr::ATIME});
  P9_EXPECT_ERRNO(r, ACCES);
}

TEST_F(Permissions, WriteByAnotherUserClearsSetIdBits) {
  P9_RULE(
      "a write by a user other than root clears S_ISUID, and S_ISGID when group-exec is set; S_ISGID without "
      "group-exec stays, and root's writes keep both",
      "write(2) and chmod(2): 'the S_ISUID bit is turned off ... when a process without CAP_FSETID writes'; "
      "Linux fs/inode.c file_remove_privs, should_remove_suid");
  P9_REQUIRE(Ownership);
  root_file("suid", 06777);
  // Set-gid without group-exec, group 1000: kept for a writer in the group
  // (Linux 6.2 and later drop it for a writer outside the group too: fs/attr.c
  // setattr_should_drop_sgid, in_group_or_capable).
  root_file("sgid", 02766, 0, 1000);
  root_file("root", 06777);
  auto write_as = [&](client::Client& cl, std::uint32_t fid) {
    auto o = cl.call<msg::Rlopen>(msg::Tlopen{fid, access::WRONLY});
    P9_EXPECT_OK(o);
    auto w = cl.call<msg::Rwrite>(msg::Twrite{fid, 0, "x"});
    P9_EXPECT_OK(w);
    (void)cl.call<msg::Rclunk>(msg::Tclunk{fid});
  };
  {
    auto [u, f] = walk_as(1000, {"suid"});
    ASSERT_TRUE(f);
    write_as(*u.client, f);
    auto g = try_walk(u, {"sgid"});
    ASSERT_TRUE(g.ok());
    write_as(*u.client, *g);
  }
  std::uint32_t r = walk(dir(), {"root"});
  ASSERT_TRUE(r);
  write_as(c(), r);
  P9_EXPECT_EQ(perm_bits(attr_at({"suid"}).mode), 0777u);
  P9_EXPECT_EQ(perm_bits(attr_at({"sgid"}).mode), 02766u);
  P9_EXPECT_EQ(perm_bits(attr_at({"root"}).mode), 06777u);
}

TEST_F(Permissions, NewFilesBelongToTheAttachedUser) {
  P9_RULE("a file created by a user is owned by that user (and the gid it gave)",
          "open(2) O_CREAT: owner is the effective UID; diod protocol.md lcreate gid");
  P9_REQUIRE(Ownership);
  auto [u, d] = walk_as(1000, {});
  ASSERT_TRUE(d);
  auto cr = u.client->call<msg::Rlcreate>(msg::Tlcreate{d, "mine", 2 | lopen::CREAT, 0644, 1000});
  P9_EXPECT_OK(cr);
  if (!cr.ok()) return;
  auto a = attr_at({"mine"});
  P9_EXPECT_EQ(a.uid, 1000u);
  P9_EXPECT_EQ(a.gid, 1000u);
}

}  // namespace
}  // namespace p9::conformance
