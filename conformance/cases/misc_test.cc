// Tstatfs and Tfsync.
#include "conformance/cases/fixture.h"

namespace p9::conformance {
namespace {

struct Statfs : Fixture {};

TEST_F(Statfs, FieldsAreSane) {
  P9_RULE("Rstatfs is self-consistent: bsize > 0, namelen >= 255, blocks >= bfree >= bavail, files >= ffree",
          "statfs(2) struct statfs; Linux fs/9p/vfs_super.c v9fs_statfs copies the fields");
  auto r = c().call<msg::Rstatfs>(msg::Tstatfs{dir()});
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  P9_EXPECT_EQ(r->bsize > 0, true);
  P9_EXPECT_EQ(r->namelen >= 255, true);
  P9_EXPECT_EQ(r->blocks >= r->bfree, true);
  P9_EXPECT_EQ(r->bfree >= r->bavail, true);
  P9_EXPECT_EQ(r->files >= r->ffree, true);
}

TEST_F(Statfs, WorksOnAFileFid) {
  P9_RULE("Tstatfs works on any fid of the file system, a file's too",
          "statfs(2): 'path is any file within the mounted file system'");
  make_file(dir(), "f", "x");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rstatfs>(msg::Tstatfs{f});
  P9_EXPECT_OK(r);
  auto d = c().call<msg::Rstatfs>(msg::Tstatfs{dir()});
  if (r.ok() && d.ok()) P9_EXPECT_EQ(r->bsize, d->bsize);
}

TEST_F(Statfs, WorksOnAnOpenFid) {
  P9_RULE("Tstatfs works on an open fid (fstatfs)", "fstatfs(2)");
  std::uint32_t f = create(dir(), "f", "x");
  auto r = c().call<msg::Rstatfs>(msg::Tstatfs{f});
  P9_EXPECT_OK(r);
}

TEST_F(Statfs, SameAnswerForTheWholeTree) {
  P9_RULE("every fid of one tree reports the same fsid and fstype", "statfs(2) f_fsid, f_type");
  mkdir(dir(), "sub");
  std::uint32_t s = walk(dir(), {"sub"});
  auto a = c().call<msg::Rstatfs>(msg::Tstatfs{root()});
  auto b = c().call<msg::Rstatfs>(msg::Tstatfs{s});
  P9_EXPECT_OK(a);
  P9_EXPECT_OK(b);
  if (a.ok() && b.ok()) {
    P9_EXPECT_EQ(a->fsid, b->fsid);
    P9_EXPECT_EQ(a->fstype, b->fstype);
  }
}

struct Fsync : Fixture {};

TEST_F(Fsync, OnAnOpenFidSucceeds) {
  P9_RULE("Tfsync on an open fid succeeds", "fsync(2); diod protocol.md fsync");
  std::uint32_t f = create(dir(), "f", "data");
  auto r = c().call<msg::Rfsync>(msg::Tfsync{f, 0});
  P9_EXPECT_OK(r);
}

TEST_F(Fsync, DatasyncSucceeds) {
  P9_RULE("Tfsync with datasync 1 (fdatasync) succeeds",
          "fdatasync(2); Linux net/9p/client.c p9_client_fsync sends datasync");
  std::uint32_t f = create(dir(), "f", "data");
  auto r = c().call<msg::Rfsync>(msg::Tfsync{f, 1});
  P9_EXPECT_OK(r);
}

TEST_F(Fsync, OnAnUnopenedFidIsEBADF) {
  P9_RULE("Tfsync on a fid that is not open fails with EBADF",
          "fsync(2) EBADF: fd is not a valid open file descriptor");
  make_file(dir(), "f", "data");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rfsync>(msg::Tfsync{f, 0});
  P9_EXPECT_ERRNO(r, BADF);
}

TEST_F(Fsync, OnAnOpenDirectorySucceeds) {
  P9_RULE("fsync of an open directory succeeds (how programs persist a rename)",
          "fsync(2): 'an fsync on a file descriptor for the directory'");
  std::uint32_t d = open({}, access::RDONLY);
  auto r = c().call<msg::Rfsync>(msg::Tfsync{d, 0});
  P9_EXPECT_OK(r);
}

TEST_F(Fsync, DataIsReadableAfterFsync) {
  P9_RULE("data written before fsync is read back after it", "fsync(2)");
  std::uint32_t f = create(dir(), "f", "persist me");
  auto r = c().call<msg::Rfsync>(msg::Tfsync{f, 1});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(content_at({"f"}), std::string("persist me"));
}

}  // namespace
}  // namespace p9::conformance
