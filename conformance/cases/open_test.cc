// Tlopen and Tlcreate: access modes, O_TRUNC, O_DIRECTORY, O_EXCL, directories
// opened for writing, fids opened twice, flags servers must tolerate, and the
// fid that Tlcreate turns into the new, open file.
#include "conformance/cases/fixture.h"

namespace p9::conformance {
namespace {

struct Lopen : Fixture {};

TEST_F(Lopen, FileGivesItsQid) {
  P9_RULE("Rlopen carries the opened file's qid",
          "diod protocol.md lopen; Linux net/9p/client.c p9_client_open");
  make_file(dir(), "f", "x");
  std::uint32_t f = walk(dir(), {"f"});
  auto q = getattr(f).qid;
  auto r = c().call<msg::Rlopen>(msg::Tlopen{f, access::RDONLY});
  P9_EXPECT_OK(r);
  if (r.ok()) {
    P9_EXPECT_EQ(r->qid.path, q.path);
    P9_EXPECT_EQ(static_cast<int>(r->qid.type), static_cast<int>(QID_TYPE_FILE));
  }
}

TEST_F(Lopen, IounitFitsTheMsize) {
  P9_RULE("Rlopen iounit is 0 or at most msize - IOHDRSZ",
          "intro(5) open: iounit; Linux uses it to size I/O (p9_client_read)");
  make_file(dir(), "f", "x");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rlopen>(msg::Tlopen{f, access::RDWR});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->iounit == 0 || r->iounit <= c().msize() - IOHDRSZ, true);
}

TEST_F(Lopen, DirectoryReadOnly) {
  P9_RULE("a directory opens read-only; its qid has QTDIR", "open(2); diod protocol.md lopen");
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rlopen>(msg::Tlopen{d, access::RDONLY});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(static_cast<int>(r->qid.type & qid_type::DIR), static_cast<int>(qid_type::DIR));
}

TEST_F(Lopen, DirectoryWriteOnlyIsEISDIR) {
  P9_RULE("opening a directory write-only fails with EISDIR",
          "open(2) EISDIR: 'pathname refers to a directory and the access requested involved writing'");
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rlopen>(msg::Tlopen{d, access::WRONLY});
  P9_EXPECT_ERRNO(r, ISDIR);
}

TEST_F(Lopen, DirectoryReadWriteIsEISDIR) {
  P9_RULE("opening a directory read-write fails with EISDIR", "open(2) EISDIR");
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rlopen>(msg::Tlopen{d, access::RDWR});
  P9_EXPECT_ERRNO(r, ISDIR);
}

TEST_F(Lopen, DirectoryWithTruncIsEISDIR) {
  P9_RULE("O_TRUNC on a directory asks for writing: EISDIR even with O_RDONLY",
          "Linux fs/open.c build_open_flags (O_TRUNC adds MAY_WRITE), fs/namei.c may_open (directory + "
          "MAY_WRITE -> EISDIR)");
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rlopen>(msg::Tlopen{d, access::RDONLY | lopen::TRUNC});
  P9_EXPECT_ERRNO(r, ISDIR);
}

TEST_F(Lopen, DirectoryFlagOnAFileIsENOTDIR) {
  P9_RULE("O_DIRECTORY on a regular file fails with ENOTDIR",
          "open(2) ENOTDIR: 'O_DIRECTORY was specified and pathname was not a directory'");
  make_file(dir(), "f", "x");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rlopen>(msg::Tlopen{f, access::RDONLY | lopen::DIRECTORY});
  P9_EXPECT_ERRNO(r, NOTDIR);
}

TEST_F(Lopen, DirectoryFlagOnADirectory) {
  P9_RULE("O_DIRECTORY on a directory opens it", "open(2) O_DIRECTORY; Linux opendir sends it");
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rlopen>(msg::Tlopen{d, access::RDONLY | lopen::DIRECTORY});
  P9_EXPECT_OK(r);
}

TEST_F(Lopen, TruncEmptiesTheFile) {
  P9_RULE("O_TRUNC on a regular file opened for writing truncates it to 0", "open(2) O_TRUNC");
  make_file(dir(), "f", "some content");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rlopen>(msg::Tlopen{f, access::WRONLY | lopen::TRUNC});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(getattr(f).size, 0u);
  P9_EXPECT_EQ(content_at({"f"}), std::string());
}

TEST_F(Lopen, WithoutTruncKeepsTheContent) {
  P9_RULE("opening for writing without O_TRUNC keeps the content", "open(2)");
  make_file(dir(), "f", "keep me");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rlopen>(msg::Tlopen{f, access::RDWR});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(read(f, 0, 100), std::string("keep me"));
}

TEST_F(Lopen, AlreadyOpenFidIsRefused) {
  P9_RULE("Tlopen of a fid that is already open fails; the fid stays open as it was",
          "intro(5) open: 'It is illegal to open a fid that is already open'");
  make_file(dir(), "f", "abc");
  std::uint32_t f = open({"f"}, access::RDONLY);
  ASSERT_NE(f, 0u);
  auto r = c().call<msg::Rlopen>(msg::Tlopen{f, access::RDONLY});
  P9_EXPECT_EQ(outcome(r), std::string("Rlerror"));
  P9_EXPECT_EQ(read(f, 0, 10), std::string("abc"));
}

TEST_F(Lopen, LargefileCloexecNocttyAreTolerated) {
  P9_RULE("O_LARGEFILE, O_CLOEXEC and O_NOCTTY are accepted and change nothing",
          "Linux fs/9p/vfs_inode_dotl.c v9fs_open_to_dotl_flags passes them; open(2)");
  make_file(dir(), "f", "abc");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rlopen>(
      msg::Tlopen{f, access::RDONLY | lopen::LARGEFILE | lopen::CLOEXEC | lopen::NOCTTY});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(read(f, 0, 10), std::string("abc"));
}

TEST_F(Lopen, NonblockAndNoatimeAreTolerated) {
  P9_RULE("O_NONBLOCK and O_NOATIME (as root, the owner) are accepted on a regular file",
          "open(2) O_NONBLOCK, O_NOATIME; Linux v9fs_open_to_dotl_flags passes them");
  make_file(dir(), "f", "abc");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rlopen>(msg::Tlopen{f, access::RDWR | lopen::NONBLOCK | lopen::NOATIME});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(read(f, 0, 10), std::string("abc"));
}

TEST_F(Lopen, NofollowOnASymlinkIsELOOP) {
  P9_RULE("O_NOFOLLOW on a symbolic link fails with ELOOP",
          "open(2) ELOOP: 'O_NOFOLLOW was specified but pathname was a symbolic link'");
  P9_REQUIRE(Symlinks);
  make_file(dir(), "t", "x");
  make_symlink(dir(), "l", "t");
  std::uint32_t l = walk(dir(), {"l"});
  auto r = c().call<msg::Rlopen>(msg::Tlopen{l, access::RDONLY | lopen::NOFOLLOW});
  P9_EXPECT_ERRNO(r, LOOP);
}

TEST_F(Lopen, UnknownFidIsEBADF) {
  P9_RULE("Tlopen of an unknown fid fails with EBADF", "intro(5) open");
  auto r = c().call<msg::Rlopen>(msg::Tlopen{888888, access::RDONLY});
  P9_EXPECT_ERRNO(r, BADF);
}

TEST_F(Lopen, ReadOnlyFileForWritingAsOtherUserIsEACCES) {
  P9_RULE("opening for writing without write permission fails with EACCES", "open(2) EACCES");
  P9_REQUIRE(Ownership);
  make_file(dir(), "f", "x");
  std::uint32_t f = walk(dir(), {"f"});
  auto m = setattr_mode(f, 0444);
  P9_EXPECT_OK(m);
  auto [u, uf] = walk_as(1000, {"f"});
  ASSERT_TRUE(uf);
  auto r = u.client->call<msg::Rlopen>(msg::Tlopen{uf, access::WRONLY});
  P9_EXPECT_ERRNO(r, ACCES);
}

struct Lcreate : Fixture {};

TEST_F(Lcreate, FidBecomesTheNewFile) {
  P9_RULE("after Tlcreate the fid names the new file (not the directory)",
          "diod protocol.md lcreate: 'fid ... is changed to the newly created file'");
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, "f", access::RDWR | lopen::CREAT, 0644, 0});
  P9_EXPECT_OK(r);
  ASSERT_TRUE(r.ok());
  auto a = getattr(d);
  P9_EXPECT_EQ(a.qid.path, r->qid.path);
  P9_EXPECT_EQ(type_bits(a.mode), file_type::REG);
  P9_EXPECT_EQ(static_cast<int>(r->qid.type), static_cast<int>(QID_TYPE_FILE));
}

TEST_F(Lcreate, QidMatchesAWalkToTheName) {
  P9_RULE("Rlcreate's qid is the qid a walk to the new name returns",
          "intro(5) qid; diod protocol.md lcreate");
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, "f", access::RDWR | lopen::CREAT, 0644, 0});
  P9_EXPECT_OK(r);
  std::uint32_t nf = c().new_fid();
  auto w = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"f"}});
  P9_EXPECT_OK(w);
  if (r.ok() && w.ok() && w->wqid.size() == 1) P9_EXPECT_EQ(w->wqid[0].path, r->qid.path);
}

TEST_F(Lcreate, FidIsOpenForReadAndWrite) {
  P9_RULE("the fid of Tlcreate O_RDWR is open: data written through it reads back",
          "diod protocol.md lcreate; open(2) O_CREAT");
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, "f", access::RDWR | lopen::CREAT, 0644, 0});
  P9_EXPECT_OK(r);
  auto w = c().call<msg::Rwrite>(msg::Twrite{d, 0, "hello"});
  P9_EXPECT_OK(w);
  if (w.ok()) P9_EXPECT_EQ(w->count, 5u);
  P9_EXPECT_EQ(read(d, 0, 100), std::string("hello"));
}

TEST_F(Lcreate, FidCannotBeOpenedAgain) {
  P9_RULE("the fid Tlcreate opened is open: Tlopen on it fails",
          "intro(5) open: an open fid cannot be opened again; diod protocol.md lcreate");
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, "f", access::RDWR | lopen::CREAT, 0644, 0});
  P9_EXPECT_OK(r);
  auto o = c().call<msg::Rlopen>(msg::Tlopen{d, access::RDONLY});
  P9_EXPECT_EQ(outcome(o), std::string("Rlerror"));
}

TEST_F(Lcreate, NewFileIsEmptyAndRegular) {
  P9_RULE("the created file is an empty regular file with one link", "open(2) O_CREAT");
  std::uint32_t f = create(dir(), "f");
  ASSERT_NE(f, 0u);
  auto a = getattr(f);
  P9_EXPECT_EQ(type_bits(a.mode), file_type::REG);
  P9_EXPECT_EQ(a.size, 0u);
  P9_EXPECT_EQ(a.nlink, 1u);
}

TEST_F(Lcreate, WriteOnlyFidCannotRead) {
  P9_RULE("a file created O_WRONLY is open for writing only: Tread is EBADF", "open(2); read(2) EBADF");
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, "f", access::WRONLY | lopen::CREAT, 0644, 0});
  P9_EXPECT_OK(r);
  auto w = c().call<msg::Rwrite>(msg::Twrite{d, 0, "x"});
  P9_EXPECT_OK(w);
  auto rd = c().call<msg::Rread>(msg::Tread{d, 0, 10});
  P9_EXPECT_ERRNO(rd, BADF);
}

TEST_F(Lcreate, ReadOnlyFidCannotWrite) {
  P9_RULE("a file created O_RDONLY exists and is open for reading only: Twrite is EBADF",
          "open(2) O_CREAT; write(2) EBADF");
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, "f", access::RDONLY | lopen::CREAT, 0644, 0});
  P9_EXPECT_OK(r);
  auto w = c().call<msg::Rwrite>(msg::Twrite{d, 0, "x"});
  P9_EXPECT_ERRNO(w, BADF);
  auto rd = c().call<msg::Rread>(msg::Tread{d, 0, 10});
  P9_EXPECT_OK(rd);
}

TEST_F(Lcreate, ReadOnlyModeStillWritableThroughTheNewFid) {
  P9_RULE("a file created with mode 0444 and O_RDWR can be written through the fid that created it",
          "open(2): 'this mode applies only to future accesses of the newly created file'");
  P9_REQUIRE(Ownership);
  auto [u, d] = walk_as(1000, {});
  ASSERT_TRUE(d);
  auto r = u.client->call<msg::Rlcreate>(msg::Tlcreate{d, "f", access::RDWR | lopen::CREAT, 0444, 1000});
  P9_EXPECT_OK(r);
  auto wr = u.client->call<msg::Rwrite>(msg::Twrite{d, 0, "abc"});
  P9_EXPECT_OK(wr);
  P9_EXPECT_EQ(content_at({"f"}), std::string("abc"));
}

TEST_F(Lcreate, ExclOnAnExistingDirectoryIsEEXIST) {
  P9_RULE("Tlcreate O_EXCL of a name that is a directory fails with EEXIST",
          "open(2) EEXIST: 'pathname already exists and O_CREAT and O_EXCL were used'");
  mkdir(dir(), "d");
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, "d", access::RDWR | lopen::CREAT | lopen::EXCL, 0644, 0});
  P9_EXPECT_ERRNO(r, EXIST);
  P9_EXPECT_EQ(type_bits(attr_at({"d"}).mode), file_type::DIR);
}

TEST_F(Lcreate, ExclOnADanglingSymlinkIsEEXIST) {
  P9_RULE(
      "Tlcreate O_EXCL of a name that is a dangling symlink fails with EEXIST and creates nothing at the "
      "target",
      "open(2): 'If O_CREAT and O_EXCL are set ... symbolic links are not followed'");
  P9_REQUIRE(Symlinks);
  make_symlink(dir(), "l", "target");
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, "l", access::RDWR | lopen::CREAT | lopen::EXCL, 0644, 0});
  P9_EXPECT_ERRNO(r, EXIST);
  std::uint32_t nf = c().new_fid();
  auto w = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"target"}});
  P9_EXPECT_ERRNO(w, NOENT);
}

TEST_F(Lcreate, ExistingNameWithoutExclOpensIt) {
  P9_RULE(
      "Tlcreate without O_EXCL of an existing file opens that file and keeps its data",
      "open(2) O_CREAT without O_EXCL; QEMU hw/9pfs and diod open the existing file; the Linux client sends "
      "Tlcreate for a name its cache believed absent");
  make_file(dir(), "f", "keep");
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, "f", access::RDWR | lopen::CREAT, 0644, 0});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(read(d, 0, 100), std::string("keep"));
  P9_EXPECT_EQ(content_at({"f"}), std::string("keep"));
}

TEST_F(Lcreate, OnAFileFidIsENOTDIR) {
  P9_RULE("Tlcreate with a regular file as the directory fails with ENOTDIR", "open(2) ENOTDIR");
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{f, "x", access::RDWR | lopen::CREAT, 0644, 0});
  P9_EXPECT_ERRNO(r, NOTDIR);
}

TEST_F(Lcreate, OnAnOpenedDirectoryFidIsRefused) {
  P9_RULE("Tlcreate on a fid that is already open fails (it would open the fid twice)",
          "intro(5) create: fid must not be open; diod protocol.md lcreate");
  std::uint32_t d = open({}, access::RDONLY);
  ASSERT_NE(d, 0u);
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, "f", access::RDWR | lopen::CREAT, 0644, 0});
  P9_EXPECT_EQ(outcome(r), std::string("Rlerror"));
}

TEST_F(Lcreate, FlagsServersMustTolerate) {
  P9_RULE("Tlcreate accepts O_LARGEFILE | O_CLOEXEC | O_NOCTTY",
          "Linux v9fs_vfs_atomic_open_dotl sends them (v9fs_open_to_dotl_flags)");
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{
      d, "f", access::RDWR | lopen::CREAT | lopen::LARGEFILE | lopen::CLOEXEC | lopen::NOCTTY, 0644, 0});
  P9_EXPECT_OK(r);
  auto w = c().call<msg::Rwrite>(msg::Twrite{d, 0, "x"});
  P9_EXPECT_OK(w);
}

TEST_F(Lcreate, GidIsTheOneGivenAsRoot) {
  P9_RULE("Tlcreate by root gives the new file the gid of the request",
          "Linux v9fs_vfs_atomic_open_dotl sends the caller's fsgid; diod protocol.md lcreate");
  P9_REQUIRE(Ownership);
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, "f", access::RDWR | lopen::CREAT, 0644, 4321});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(attr_at({"f"}).gid, 4321u);
}

TEST_F(Lcreate, DirectoryFidLeftUnchangedOnFailure) {
  P9_RULE("a failed Tlcreate leaves the fid on the directory, unopened",
          "diod protocol.md lcreate; intro(5) create");
  make_file(dir(), "f");
  std::uint32_t d = walk(dir(), {});
  auto dq = getattr(d).qid.path;
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, "f", access::RDWR | lopen::CREAT | lopen::EXCL, 0644, 0});
  P9_EXPECT_ERRNO(r, EXIST);
  P9_EXPECT_EQ(getattr(d).qid.path, dq);
  auto again = c().call<msg::Rlcreate>(msg::Tlcreate{d, "g", access::RDWR | lopen::CREAT, 0644, 0});
  P9_EXPECT_OK(again);
}

TEST_F(Lcreate, TruncFlagOnANewFileIsHarmless) {
  P9_RULE("O_TRUNC with O_CREAT on a new name creates an empty file", "open(2) O_CREAT|O_TRUNC");
  std::uint32_t d = walk(dir(), {});
  auto r =
      c().call<msg::Rlcreate>(msg::Tlcreate{d, "f", access::RDWR | lopen::CREAT | lopen::TRUNC, 0644, 0});
  P9_EXPECT_OK(r);
  auto w = c().call<msg::Rwrite>(msg::Twrite{d, 0, "abc"});
  P9_EXPECT_OK(w);
  P9_EXPECT_EQ(content_at({"f"}), std::string("abc"));
}

}  // namespace
}  // namespace p9::conformance
