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
  ConnFid home;  // dir()/home (owned by uid 1000), walked by a connection attached as uid 1000

  // dir()/home for uid 1000, and home/name created there by uid 1000 with
  // flags and mode: its open fid (0 after a failed setup step, reported).
  std::uint32_t user_file(const std::string& name, std::uint32_t flags, std::uint32_t mode) {
    mkdir(dir(), "home", 0755);
    std::uint32_t h = walk(dir(), {"home"});
    if (!h) return 0;
    chown(h, 1000, 1000);
    clunk(h);
    home = walk_as(1000, {"home"});
    if (!home.fid) return 0;
    std::uint32_t f = user_walk({});
    if (!f) return 0;
    auto r = user<msg::Rlcreate>(msg::Tlcreate{f, name, flags | lopen::CREAT, mode, 1000});
    if (!r.ok()) {
      ADD_FAILURE() << "setup: uid 1000 cannot create " << name << "\n" << home.conn.client->transcript();
      return 0;
    }
    return f;
  }
  // A request sent as uid 1000.
  template <class R, class T>
  Result<R> user(const T& request) {
    return home.conn.client->call<R>(request);
  }
  std::uint32_t user_walk(const std::vector<std::string>& names) {
    auto f = try_walk(*home.conn.client, home.fid, names);
    if (!f.ok()) ADD_FAILURE() << "setup: uid 1000 cannot walk\n" << home.conn.client->transcript();
    return f.ok() ? *f : 0;
  }
  Result<msg::Rsetattr> user_truncate(std::uint32_t fid, std::uint64_t size) {
    return user<msg::Rsetattr>(msg::Tsetattr{.fid = fid, .valid = setattr::SIZE, .size = size});
  }
};

TEST_F(OpenFile, CreatedReadOnlyFileCanBeWrittenAndTruncatedThroughItsFid) {
  P9_RULE("a user who created a 0444 file O_RDWR writes and ftruncates it through that open fid",
          "open(2) (O_CREAT: the new file's mode applies to later opens only); ftruncate(2)");
  P9_REQUIRE(Ownership);
  std::uint32_t f = user_file("ro", access::RDWR, 0444);
  if (!f) return;
  auto w = user<msg::Rwrite>(msg::Twrite{f, 0, "hello"});
  P9_EXPECT_OK(w);
  auto t = user_truncate(f, 2);
  P9_EXPECT_OK(t);
  if (!t.ok()) return;  // the size below follows from it
  auto a = user<msg::Rgetattr>(msg::Tgetattr{f, GETATTR_BASIC});
  P9_EXPECT_OK(a);
  if (a.ok()) P9_EXPECT_EQ(a->size, 2u);
}

TEST_F(OpenFile, TruncateByNameStillChecksThePermissionBits) {
  P9_RULE("the same 0444 file truncated through an unopened fid (truncate(2) by path) is EACCES",
          "truncate(2) EACCES: write permission is denied for the file");
  P9_REQUIRE(Ownership);
  if (!user_file("ro", access::RDWR, 0444)) return;
  std::uint32_t g = user_walk({"ro"});
  if (!g) return;
  auto t = user_truncate(g, 0);
  P9_EXPECT_ERRNO(t, ACCES);
}

TEST_F(OpenFile, ChmodAfterOpenDoesNotStopTheWriter) {
  P9_RULE(
      "a file opened O_WRONLY, then chmod 0444 by its owner: writes and ftruncate through the open fid still "
      "succeed",
      "open(2): access is checked when the file is opened; write(2), ftruncate(2)");
  P9_REQUIRE(Ownership);
  std::uint32_t f = user_file("w", access::WRONLY, 0644);
  if (!f) return;
  std::uint32_t g = user_walk({"w"});
  if (!g) return;
  auto c = user<msg::Rsetattr>(msg::Tsetattr{.fid = g, .valid = setattr::MODE, .mode = 0444});
  P9_EXPECT_OK(c);
  auto w = user<msg::Rwrite>(msg::Twrite{f, 0, "data"});
  P9_EXPECT_OK(w);
  auto t = user_truncate(f, 1);
  P9_EXPECT_OK(t);
  if (!t.ok()) return;  // the size below follows from it
  auto a = user<msg::Rgetattr>(msg::Tgetattr{g, GETATTR_BASIC});
  P9_EXPECT_OK(a);
  if (a.ok()) P9_EXPECT_EQ(a->size, 1u);
}

TEST_F(OpenFile, GetattrThroughTheOpenFidOfAnUnlinkedFile) {
  P9_RULE("fstat of an open file whose name uid 1000 removed: nlink 0, its size, its mode",
          "fstat(2); unlink(2): the file lives while a descriptor refers to it");
  P9_REQUIRE(Ownership);
  std::uint32_t f = user_file("gone", access::RDWR, 0600);
  if (!f) return;
  auto w = user<msg::Rwrite>(msg::Twrite{f, 0, "abc"});
  P9_EXPECT_OK(w);
  auto u = user<msg::Runlinkat>(msg::Tunlinkat{home.fid, "gone", 0});
  P9_EXPECT_OK(u);
  if (!u.ok()) return;  // not unlinked: nothing more to check
  auto a = user<msg::Rgetattr>(msg::Tgetattr{f, GETATTR_BASIC});
  P9_EXPECT_OK(a);
  if (a.ok()) {
    P9_EXPECT_EQ(a->nlink, 0u);
    P9_EXPECT_EQ(a->size, 3u);
    P9_EXPECT_EQ(perm_bits(a->mode), 0600u);
  }
}

TEST_F(OpenFile, ReadOnlyFidDoesNotTruncateWithoutPermission) {
  P9_RULE(
      "a fid opened O_RDONLY gives no right to truncate: Tsetattr size on it, for a 0444 file, is refused",
      "ftruncate(2) EINVAL/EBADF (fd not open for writing); truncate(2) EACCES");
  P9_REQUIRE(Ownership);
  if (!user_file("ro", access::RDWR, 0444)) return;
  std::uint32_t g = user_walk({"ro"});
  if (!g) return;
  auto o = user<msg::Rlopen>(msg::Tlopen{g, access::RDONLY});
  P9_EXPECT_OK(o);
  auto t = user_truncate(g, 0);
  P9_EXPECT_EQ(outcome(t), std::string("Rlerror"));
}

}  // namespace
}  // namespace p9::conformance
