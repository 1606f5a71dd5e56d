// Operations through an open fid act on the open file description, whose
// permission was checked when it was opened (open(2): "the file's access
// mode is checked at open"; ftruncate(2) needs only a descriptor open for
// writing, not write permission on the file now). The Linux client sends an
// ftruncate as Tsetattr on the open fid (fs/9p/vfs_inode_dotl.c
// v9fs_vfs_setattr_dotl: ATTR_FILE -> the file's fid) and fstat as Tgetattr
// on it. Each case acts as an unprivileged user (uid 1000), for whom the
// permission bits matter.
#include "conformance/cases/fixture.h"

namespace p9::conformance {
namespace {

struct OpenFile : Fixture {
  // dir()/home, owned by uid 1000 (mode 0755), and a fid of it walked by a
  // connection attached as uid 1000.
  ConnFid user_home() {
    mkdir(dir(), "home", 0755);
    std::uint32_t h = walk(dir(), {"home"});
    if (h) {
      chown(h, 1000, 1000);
      clunk(h);
    }
    return walk_as(1000, {"home"});
  }
  // As uid 1000: Tlcreate home/name with flags and mode; the open fid (0 on failure).
  std::uint32_t user_create(ConnFid& home, const std::string& name, std::uint32_t flags, std::uint32_t mode) {
    std::uint32_t f = walk_on(home, {});
    if (!f) return 0;
    auto r = home.conn.client->call<msg::Rlcreate>(msg::Tlcreate{f, name, flags | lopen::CREAT, mode, 1000});
    if (!r.ok()) {
      ADD_FAILURE() << "setup: uid 1000 cannot create " << name << "\n" << home.conn.client->transcript();
      return 0;
    }
    return f;
  }
  std::uint32_t walk_on(ConnFid& home, const std::vector<std::string>& names) {
    auto f = try_walk(*home.conn.client, home.fid, names);
    if (!f.ok()) {
      ADD_FAILURE() << "setup: uid 1000 cannot walk\n" << home.conn.client->transcript();
      return 0;
    }
    return *f;
  }
  Result<msg::Rsetattr> user_truncate(ConnFid& home, std::uint32_t fid, std::uint64_t size) {
    return home.conn.client->call<msg::Rsetattr>(msg::Tsetattr{.fid = fid, .valid = setattr::SIZE, .size = size});
  }
};

TEST_F(OpenFile, CreatedReadOnlyFileCanBeWrittenAndTruncatedThroughItsFid) {
  P9_RULE("a user who created a 0444 file O_RDWR writes and ftruncates it through that open fid",
          "open(2) (O_CREAT: the new file's mode applies to later opens only); ftruncate(2)");
  P9_REQUIRE(Ownership);
  auto home = user_home();
  if (!home.fid) return;
  std::uint32_t f = user_create(home, "ro", access::RDWR, 0444);
  if (!f) return;
  auto w = home.conn.client->call<msg::Rwrite>(msg::Twrite{f, 0, "hello"});
  P9_EXPECT_OK(w);
  auto t = user_truncate(home, f, 2);
  P9_EXPECT_OK(t);
  auto a = home.conn.client->call<msg::Rgetattr>(msg::Tgetattr{f, GETATTR_BASIC});
  P9_EXPECT_OK(a);
  if (a.ok()) P9_EXPECT_EQ(a->size, 2u);
}

TEST_F(OpenFile, TruncateByNameStillChecksThePermissionBits) {
  P9_RULE("the same 0444 file truncated through an unopened fid (truncate(2) by path) is EACCES",
          "truncate(2) EACCES: write permission is denied for the file");
  P9_REQUIRE(Ownership);
  auto home = user_home();
  if (!home.fid) return;
  std::uint32_t f = user_create(home, "ro", access::RDWR, 0444);
  if (!f) return;
  std::uint32_t g = walk_on(home, {"ro"});
  if (!g) return;
  auto t = user_truncate(home, g, 0);
  P9_EXPECT_ERRNO(t, ACCES);
}

TEST_F(OpenFile, ChmodAfterOpenDoesNotStopTheWriter) {
  P9_RULE("a file opened O_WRONLY, then chmod 0444 by its owner: writes and ftruncate through the open fid still succeed",
          "open(2): access is checked when the file is opened; write(2), ftruncate(2)");
  P9_REQUIRE(Ownership);
  auto home = user_home();
  if (!home.fid) return;
  std::uint32_t f = user_create(home, "w", access::WRONLY, 0644);
  if (!f) return;
  std::uint32_t g = walk_on(home, {"w"});
  if (!g) return;
  auto c = home.conn.client->call<msg::Rsetattr>(msg::Tsetattr{.fid = g, .valid = setattr::MODE, .mode = 0444});
  P9_EXPECT_OK(c);
  auto w = home.conn.client->call<msg::Rwrite>(msg::Twrite{f, 0, "data"});
  P9_EXPECT_OK(w);
  auto t = user_truncate(home, f, 1);
  P9_EXPECT_OK(t);
  auto a = home.conn.client->call<msg::Rgetattr>(msg::Tgetattr{g, GETATTR_BASIC});
  P9_EXPECT_OK(a);
  if (a.ok()) P9_EXPECT_EQ(a->size, 1u);
}

TEST_F(OpenFile, GetattrThroughTheOpenFidOfAnUnlinkedFile) {
  P9_RULE("fstat of an open file whose name uid 1000 removed: nlink 0, its size, its mode",
          "fstat(2); unlink(2): the file lives while a descriptor refers to it");
  P9_REQUIRE(Ownership);
  auto home = user_home();
  if (!home.fid) return;
  std::uint32_t f = user_create(home, "gone", access::RDWR, 0600);
  if (!f) return;
  auto w = home.conn.client->call<msg::Rwrite>(msg::Twrite{f, 0, "abc"});
  P9_EXPECT_OK(w);
  auto u = home.conn.client->call<msg::Runlinkat>(msg::Tunlinkat{home.fid, "gone", 0});
  P9_EXPECT_OK(u);
  auto a = home.conn.client->call<msg::Rgetattr>(msg::Tgetattr{f, GETATTR_BASIC});
  P9_EXPECT_OK(a);
  if (a.ok()) {
    P9_EXPECT_EQ(a->nlink, 0u);
    P9_EXPECT_EQ(a->size, 3u);
    P9_EXPECT_EQ(perm_bits(a->mode), 0600u);
  }
}

TEST_F(OpenFile, ReadOnlyFidDoesNotTruncateWithoutPermission) {
  P9_RULE("a fid opened O_RDONLY gives no right to truncate: Tsetattr size on it, for a 0444 file, is refused",
          "ftruncate(2) EINVAL/EBADF (fd not open for writing); truncate(2) EACCES");
  P9_REQUIRE(Ownership);
  auto home = user_home();
  if (!home.fid) return;
  std::uint32_t f = user_create(home, "ro", access::RDWR, 0444);
  if (!f) return;
  std::uint32_t g = walk_on(home, {"ro"});
  if (!g) return;
  auto o = home.conn.client->call<msg::Rlopen>(msg::Tlopen{g, access::RDONLY});
  P9_EXPECT_OK(o);
  auto t = user_truncate(home, g, 0);
  P9_EXPECT_EQ(outcome(t), std::string("Rlerror"));
}

}  // namespace
}  // namespace p9::conformance
