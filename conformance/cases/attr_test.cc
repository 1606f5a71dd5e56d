// Tgetattr and Tsetattr: masks, file-type bits, nlink, size, blocks, and
// setting size (both ways), mode, ownership and times; ctime; setattr through
// a fid whose file was renamed.
#include <chrono>
#include <thread>

#include "conformance/cases/fixture.h"

namespace p9::conformance {
namespace {

std::int64_t now_sec() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Time stamps are compared as (sec, nsec) pairs.
struct Stamp {
  std::uint64_t sec = 0, nsec = 0;
  bool operator<(const Stamp& o) const { return sec != o.sec ? sec < o.sec : nsec < o.nsec; }
  bool operator==(const Stamp& o) const = default;
};
Stamp mtime_of(const msg::Rgetattr& a) { return {a.mtime_sec, a.mtime_nsec}; }
Stamp ctime_of(const msg::Rgetattr& a) { return {a.ctime_sec, a.ctime_nsec}; }

// Long enough for the coarsest file-system clock in use (ext4's coarse clock ticks every few ms).
void let_the_clock_tick() { std::this_thread::sleep_for(std::chrono::milliseconds(25)); }

struct Getattr : Fixture {};

TEST_F(Getattr, RegularFileModeHasSIFREG) {
  P9_RULE(
      "Rgetattr mode carries the file-type bits: S_IFREG for a regular file",
      "stat(2) st_mode; Linux fs/9p v9fs_init_inode refuses a mode without S_IFMT bits ('BAD mode', EINVAL)");
  make_file(dir(), "f");
  auto a = attr_at({"f"});
  P9_EXPECT_EQ(type_bits(a.mode), file_type::REG);
  P9_EXPECT_EQ(static_cast<int>(a.qid.type), static_cast<int>(QID_TYPE_FILE));
}

TEST_F(Getattr, DirectoryModeHasSIFDIR) {
  P9_RULE("a directory's mode carries S_IFDIR and its qid QTDIR", "stat(2) st_mode");
  mkdir(dir(), "d");
  auto a = attr_at({"d"});
  P9_EXPECT_EQ(type_bits(a.mode), file_type::DIR);
  P9_EXPECT_EQ(static_cast<int>(a.qid.type & qid_type::DIR), static_cast<int>(qid_type::DIR));
}

TEST_F(Getattr, SymlinkModeHasSIFLNK) {
  P9_RULE("a symlink's mode carries S_IFLNK (the link itself, not its target)", "lstat(2) st_mode");
  P9_REQUIRE(Symlinks);
  make_file(dir(), "t");
  make_symlink(dir(), "l", "t");
  auto a = attr_at({"l"});
  P9_EXPECT_EQ(type_bits(a.mode), file_type::LNK);
  P9_EXPECT_EQ(static_cast<int>(a.qid.type), static_cast<int>(qid_type::SYMLINK));
}

TEST_F(Getattr, FifoModeHasSIFIFO) {
  P9_RULE("a fifo's mode carries S_IFIFO", "stat(2) st_mode; mknod(2)");
  P9_REQUIRE(Mknod);
  auto m = c().call<msg::Rmknod>(msg::Tmknod{dir(), "p", file_type::FIFO | 0640, 0, 0, 0});
  P9_EXPECT_OK(m);
  auto a = attr_at({"p"});
  P9_EXPECT_EQ(type_bits(a.mode), file_type::FIFO);
  P9_EXPECT_EQ(perm_bits(a.mode), 0640u);
}

TEST_F(Getattr, BasicMaskIsAnsweredInFull) {
  P9_RULE("Tgetattr with P9_GETATTR_BASIC is answered with every basic bit valid",
          "Linux fs/9p/vfs_inode_dotl.c v9fs_vfs_getattr_dotl asks for P9_GETATTR_BASIC; diod protocol.md "
          "getattr");
  auto r = c().call<msg::Rgetattr>(msg::Tgetattr{dir(), GETATTR_BASIC});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->valid & GETATTR_BASIC, GETATTR_BASIC);
}

TEST_F(Getattr, NarrowMaskStillGivesTheAskedField) {
  P9_RULE("Tgetattr asking for P9_GETATTR_MODE only is answered with MODE valid and the right mode",
          "diod protocol.md getattr: 'request_mask ... valid says which fields are valid'");
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rgetattr>(msg::Tgetattr{f, getattr::MODE});
  P9_EXPECT_OK(r);
  if (r.ok()) {
    P9_EXPECT_EQ(r->valid & getattr::MODE, static_cast<std::uint64_t>(getattr::MODE));
    P9_EXPECT_EQ(r->mode, file_type::REG | 0644u);
  }
}

TEST_F(Getattr, QidMatchesTheWalk) {
  P9_RULE("Rgetattr's qid is the qid the walk returned", "intro(5) qid; diod protocol.md getattr");
  make_file(dir(), "f");
  std::uint32_t nf = c().new_fid();
  auto w = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"f"}});
  ASSERT_TRUE(w.ok() && w->wqid.size() == 1);
  P9_EXPECT_EQ(getattr(nf).qid.path, w->wqid[0].path);
}

TEST_F(Getattr, NewFileHasOneLink) {
  P9_RULE("a new regular file has nlink 1", "stat(2) st_nlink; open(2) O_CREAT");
  make_file(dir(), "f");
  P9_EXPECT_EQ(attr_at({"f"}).nlink, 1u);
}

TEST_F(Getattr, DirectoryNlinkCountsSubdirectories) {
  P9_RULE("a directory's nlink is 2 plus its subdirectories",
          "Linux local file systems (ext4, tmpfs) st_nlink; mkdir(2)");
  mkdir(dir(), "d");
  std::uint32_t d = walk(dir(), {"d"});
  P9_EXPECT_EQ(getattr(d).nlink, 2u);
  mkdir(d, "s1");
  mkdir(d, "s2");
  make_file(d, "f");
  P9_EXPECT_EQ(getattr(d).nlink, 4u);
}

TEST_F(Getattr, SizeOfAFileIsItsLength) {
  P9_RULE("a regular file's size is the number of bytes in it", "stat(2) st_size");
  make_file(dir(), "f", std::string(12345, 'x'));
  P9_EXPECT_EQ(attr_at({"f"}).size, 12345u);
}

TEST_F(Getattr, SizeOfASymlinkIsItsTargetLength) {
  P9_RULE("a symlink's size is the length of its target",
          "lstat(2): 'the length of the pathname it contains'");
  P9_REQUIRE(Symlinks);
  make_symlink(dir(), "l", "some/where/else");
  P9_EXPECT_EQ(attr_at({"l"}).size, 15u);
}

TEST_F(Getattr, NewFileBelongsToItsCreator) {
  P9_RULE("a file created by root with gid 0 has uid 0 and gid 0",
          "open(2) O_CREAT: owner is the caller's fsuid");
  make_file(dir(), "f");
  auto a = attr_at({"f"});
  P9_EXPECT_EQ(a.uid, 0u);
  P9_EXPECT_EQ(a.gid, 0u);
}

TEST_F(Getattr, SparseFileHasFewBlocks) {
  P9_RULE("blocks counts allocated 512-byte units: a 16 MiB hole allocates (almost) nothing",
          "stat(2) st_blocks; lseek(2) holes");
  std::uint32_t f = create(dir(), "f");
  write(f, 16u << 20, "x");
  auto a = getattr(f);
  P9_EXPECT_EQ(a.size, (16u << 20) + 1);
  P9_EXPECT_EQ(a.blocks * 512 < (1u << 20), true);
}

TEST_F(Getattr, BlocksCoverWrittenData) {
  P9_RULE("blocks of a file holding 64 KiB of data cover at least 64 KiB", "stat(2) st_blocks");
  std::uint32_t f = create(dir(), "f", std::string(65536, 'd'));
  P9_EXPECT_EQ(getattr(f).blocks * 512 >= 65536, true);
}

TEST_F(Getattr, OfAnOpenFid) {
  P9_RULE("Tgetattr works on an open fid too", "fstat(2); Linux fs/9p getattr through open fids");
  std::uint32_t f = create(dir(), "f", "abc");
  auto r = c().call<msg::Rgetattr>(msg::Tgetattr{f, GETATTR_ALL});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->size, 3u);
}

TEST_F(Getattr, WriteMovesMtimeAndCtime) {
  P9_RULE("a write updates mtime and ctime", "write(2): 'st_mtime and st_ctime ... updated'");
  std::uint32_t f = create(dir(), "f", "a");
  auto before = getattr(f);
  let_the_clock_tick();
  write(f, 1, "b");
  auto after = getattr(f);
  P9_EXPECT_EQ(mtime_of(before) < mtime_of(after), true);
  P9_EXPECT_EQ(ctime_of(before) < ctime_of(after), true);
}

TEST_F(Getattr, CreateMovesTheParentsMtime) {
  P9_RULE("creating a name updates the parent directory's mtime and ctime", "open(2) O_CREAT; mkdir(2)");
  auto before = getattr(dir());
  let_the_clock_tick();
  make_file(dir(), "f");
  auto after = getattr(dir());
  P9_EXPECT_EQ(mtime_of(before) < mtime_of(after), true);
  P9_EXPECT_EQ(ctime_of(before) < ctime_of(after), true);
}

struct Setattr : Fixture {};

TEST_F(Setattr, SizeDownTruncates) {
  P9_RULE("P9_ATTR_SIZE smaller than the file cuts it", "truncate(2)");
  std::uint32_t f = create(dir(), "f", "hello world");
  auto r = setattr_size(f, 5);
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(getattr(f).size, 5u);
  P9_EXPECT_EQ(content_at({"f"}), std::string("hello"));
}

TEST_F(Setattr, SizeAboveOffsetMaxIsEINVAL) {
  P9_RULE("P9_ATTR_SIZE above 2^63-1 is a negative length: EINVAL, the file unchanged",
          "truncate(2) EINVAL 'length is negative'; Linux fs/open.c do_sys_truncate");
  std::uint32_t f = create(dir(), "f", "abc");
  P9_EXPECT_ERRNO(setattr_size(f, 1ULL << 63), INVAL);
  P9_EXPECT_EQ(getattr(f).size, 3u);
}

TEST_F(Setattr, SizeOffsetMaxIsTakenOrEFBIG) {
  P9_RULE(
      "P9_ATTR_SIZE 2^63-1 is a valid length: the file takes it (a file system whose s_maxbytes is "
      "MAX_LFS_FILESIZE, as tmpfs) or EFBIG (a smaller s_maxbytes, as ext4), never EINVAL",
      "truncate(2) EFBIG; Linux fs/attr.c inode_newsize_ok: offset > s_maxbytes is EFBIG");
  std::uint32_t f = create(dir(), "f", "abc");
  auto r = setattr_size(f, (1ULL << 63) - 1);
  std::string got = r.ok() || r.error() == Errno::FBIG ? "taken or EFBIG" : outcome(r);
  P9_EXPECT_EQ(got, std::string("taken or EFBIG"));
  P9_EXPECT_EQ(getattr(f).size, r.ok() ? (1ULL << 63) - 1 : 3u);
}

TEST_F(Setattr, SizeUpExtendsWithZeros) {
  P9_RULE("P9_ATTR_SIZE larger than the file extends it with a hole reading as zeros",
          "truncate(2): 'the extended part reads as null bytes'");
  std::uint32_t f = create(dir(), "f", "abc");
  auto r = setattr_size(f, 100);
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(getattr(f).size, 100u);
  P9_EXPECT_EQ(content_at({"f"}) == "abc" + std::string(97, '\0'), true);
}

TEST_F(Setattr, ShrinkThenGrowLeavesZeros) {
  P9_RULE("data cut by a truncate does not come back when the file grows again", "truncate(2)");
  std::uint32_t f = create(dir(), "f", "0123456789");
  auto r1 = setattr_size(f, 2);
  auto r2 = setattr_size(f, 10);
  P9_EXPECT_OK(r1);
  P9_EXPECT_OK(r2);
  P9_EXPECT_EQ(content_at({"f"}) == "01" + std::string(8, '\0'), true);
}

TEST_F(Setattr, SizeZeroEmptiesTheFile) {
  P9_RULE("P9_ATTR_SIZE 0 empties the file", "truncate(2)");
  std::uint32_t f = create(dir(), "f", "abc");
  auto r = setattr_size(f, 0);
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(getattr(f).size, 0u);
}

TEST_F(Setattr, SizeOnAnUnopenedFid) {
  P9_RULE("Tsetattr size works on a fid that is not open (truncate by name)",
          "truncate(2); Linux sends Tsetattr on any fid of the inode");
  make_file(dir(), "f", "abcdef");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = setattr_size(f, 3);
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(content_at({"f"}), std::string("abc"));
}

TEST_F(Setattr, SizeOnADirectoryIsEISDIR) {
  P9_RULE("P9_ATTR_SIZE on a directory fails with EISDIR", "truncate(2) EISDIR");
  mkdir(dir(), "d");
  std::uint32_t d = walk(dir(), {"d"});
  auto r = setattr_size(d, 0);
  P9_EXPECT_ERRNO(r, ISDIR);
}

TEST_F(Setattr, SizeChangeMovesMtimeAndCtime) {
  P9_RULE("a truncate that changes the size updates mtime and ctime",
          "truncate(2): 'st_ctime and st_mtime ... updated'");
  std::uint32_t f = create(dir(), "f", "abc");
  auto before = getattr(f);
  let_the_clock_tick();
  auto r = setattr_size(f, 1);
  P9_EXPECT_OK(r);
  auto after = getattr(f);
  P9_EXPECT_EQ(mtime_of(before) < mtime_of(after), true);
  P9_EXPECT_EQ(ctime_of(before) < ctime_of(after), true);
}

TEST_F(Setattr, ModeChangesPermissionBitsOnly) {
  P9_RULE(
      "P9_ATTR_MODE without type bits (a form Linux never sends: it sends the whole st_mode) sets "
      "the permission bits and keeps the file type",
      "chmod(2); fs/9p/vfs_inode_dotl.c v9fs_vfs_setattr_dotl");
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = setattr_mode_bits_only(f, 0600);
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(getattr(f).mode, file_type::REG | 0600u);
}

TEST_F(Setattr, ModeOnADirectoryKeepsItADirectory) {
  P9_RULE("chmod of a directory with a mode without type bits (a form Linux never sends) keeps S_IFDIR",
          "chmod(2); fs/9p/vfs_inode_dotl.c v9fs_vfs_setattr_dotl");
  mkdir(dir(), "d");
  std::uint32_t d = walk(dir(), {"d"});
  auto r = setattr_mode_bits_only(d, 0711);
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(getattr(d).mode, file_type::DIR | 0711u);
}

TEST_F(Setattr, SpecialModeBitsAsRoot) {
  P9_RULE("root may set set-uid, set-gid and sticky bits", "chmod(2): S_ISUID, S_ISGID, S_ISVTX");
  make_file(dir(), "f");
  mkdir(dir(), "d");
  std::uint32_t f = walk(dir(), {"f"}), d = walk(dir(), {"d"});
  auto r1 = setattr_mode(f, 06755);
  auto r2 = setattr_mode(d, 01777);
  P9_EXPECT_OK(r1);
  P9_EXPECT_OK(r2);
  P9_EXPECT_EQ(perm_bits(getattr(f).mode), 06755u);
  P9_EXPECT_EQ(perm_bits(getattr(d).mode), 01777u);
}

TEST_F(Setattr, ModeMovesCtime) {
  P9_RULE("chmod updates ctime and leaves mtime alone", "chmod(2): 'st_ctime ... updated'; inode(7)");
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto before = getattr(f);
  let_the_clock_tick();
  auto r = setattr_mode(f, 0600);
  P9_EXPECT_OK(r);
  auto after = getattr(f);
  P9_EXPECT_EQ(ctime_of(before) < ctime_of(after), true);
  P9_EXPECT_EQ(mtime_of(after), mtime_of(before));
}

TEST_F(Setattr, ChownAsRoot) {
  P9_RULE("root may change uid and gid", "chown(2)");
  P9_REQUIRE(Ownership);
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rsetattr>(
      msg::Tsetattr{.fid = f, .valid = setattr::UID | setattr::GID, .uid = 1234, .gid = 5678});
  P9_EXPECT_OK(r);
  auto a = getattr(f);
  P9_EXPECT_EQ(a.uid, 1234u);
  P9_EXPECT_EQ(a.gid, 5678u);
}

TEST_F(Setattr, GidOnlyLeavesUid) {
  P9_RULE("P9_ATTR_GID alone changes the group and not the owner", "chown(2) with owner -1");
  P9_REQUIRE(Ownership);
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rsetattr>(msg::Tsetattr{.fid = f,
                                                 .valid = setattr::GID,
                                                 .uid = 999,  // not valid: must be ignored
                                                 .gid = 77});
  P9_EXPECT_OK(r);
  auto a = getattr(f);
  P9_EXPECT_EQ(a.uid, 0u);
  P9_EXPECT_EQ(a.gid, 77u);
}

TEST_F(Setattr, ChownClearsSetuid) {
  P9_RULE("changing the owner of a set-uid regular file clears its set-uid bit",
          "chown(2): 'the S_ISUID and S_ISGID mode bits are cleared'");
  P9_REQUIRE(Ownership);
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto m = setattr_mode(f, 04755);
  P9_EXPECT_OK(m);
  auto r = c().call<msg::Rsetattr>(msg::Tsetattr{.fid = f, .valid = setattr::UID, .uid = 1234});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(perm_bits(getattr(f).mode), 0755u);
}

TEST_F(Setattr, ChmodByAnotherUserIsEPERM) {
  P9_RULE("chmod by a user who does not own the file fails with EPERM", "chmod(2) EPERM");
  P9_REQUIRE(Ownership);
  make_file(dir(), "f");
  auto [u, uf] = walk_as(1000, {"f"});
  ASSERT_TRUE(uf);
  auto r = u.client->call<msg::Rsetattr>(msg::Tsetattr{.fid = uf, .valid = setattr::MODE, .mode = 0777});
  P9_EXPECT_ERRNO(r, PERM);
  P9_EXPECT_EQ(perm_bits(attr_at({"f"}).mode), 0644u);
}

TEST_F(Setattr, ChownByANonRootUserIsEPERM) {
  P9_RULE("giving a file away by a non-root owner fails with EPERM",
          "chown(2) EPERM: 'only a privileged process may change the owner'");
  P9_REQUIRE(Ownership);
  auto [u, d] = walk_as(1000, {});
  ASSERT_TRUE(d);
  auto cr = u.client->call<msg::Rlcreate>(msg::Tlcreate{d, "f", access::RDWR | lopen::CREAT, 0644, 1000});
  ASSERT_TRUE(cr.ok()) << u.client->transcript();
  auto r = u.client->call<msg::Rsetattr>(msg::Tsetattr{.fid = d, .valid = setattr::UID, .uid = 0});
  P9_EXPECT_ERRNO(r, PERM);
  P9_EXPECT_EQ(attr_at({"f"}).uid, 1000u);
}

TEST_F(Setattr, ExplicitTimesAreStoredExactly) {
  P9_RULE("P9_ATTR_ATIME|ATIME_SET and MTIME|MTIME_SET store the given times, nanoseconds included",
          "utimensat(2); Linux fs/9p/vfs_inode_dotl.c v9fs_vfs_setattr_dotl");
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rsetattr>(
      msg::Tsetattr{.fid = f,
                    .valid = setattr::ATIME | setattr::ATIME_SET | setattr::MTIME | setattr::MTIME_SET,
                    .atime_sec = 1000000000,
                    .atime_nsec = 123456789,
                    .mtime_sec = 1100000000,
                    .mtime_nsec = 987654321});
  P9_EXPECT_OK(r);
  auto a = getattr(f);
  P9_EXPECT_EQ(a.atime_sec, 1000000000u);
  P9_EXPECT_EQ(a.atime_nsec, 123456789u);
  P9_EXPECT_EQ(a.mtime_sec, 1100000000u);
  P9_EXPECT_EQ(a.mtime_nsec, 987654321u);
}

TEST_F(Setattr, TimeBitWithoutSetMeansNow) {
  P9_RULE("P9_ATTR_ATIME/MTIME without their _SET bits set the times to now, ignoring the values sent",
          "Linux fs/9p/vfs_inode_dotl.c v9fs_vfs_setattr_dotl; utimensat(2) UTIME_NOW");
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto r0 = c().call<msg::Rsetattr>(
      msg::Tsetattr{.fid = f,
                    .valid = setattr::ATIME | setattr::ATIME_SET | setattr::MTIME | setattr::MTIME_SET,
                    .atime_sec = 1000000000,
                    .mtime_sec = 1000000000});
  P9_EXPECT_OK(r0);
  // Times without their _SET bits mean "now": the values given must be ignored.
  auto r = c().call<msg::Rsetattr>(
      msg::Tsetattr{.fid = f, .valid = setattr::ATIME | setattr::MTIME, .atime_sec = 5, .mtime_sec = 5});
  P9_EXPECT_OK(r);
  auto a = getattr(f);
  std::int64_t now = now_sec();
  auto near_now = [&](std::uint64_t t) {
    return static_cast<std::int64_t>(t) > now - 120 && static_cast<std::int64_t>(t) < now + 120;
  };
  P9_EXPECT_EQ(near_now(a.atime_sec), true);
  P9_EXPECT_EQ(near_now(a.mtime_sec), true);
}

TEST_F(Setattr, MtimeAloneLeavesAtime) {
  P9_RULE("setting mtime only leaves atime as it was", "utimensat(2) UTIME_OMIT");
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto r1 = c().call<msg::Rsetattr>(
      msg::Tsetattr{.fid = f, .valid = setattr::ATIME | setattr::ATIME_SET, .atime_sec = 1000000000});
  P9_EXPECT_OK(r1);
  auto r2 = c().call<msg::Rsetattr>(
      msg::Tsetattr{.fid = f, .valid = setattr::MTIME | setattr::MTIME_SET, .mtime_sec = 1200000000});
  P9_EXPECT_OK(r2);
  auto a = getattr(f);
  P9_EXPECT_EQ(a.atime_sec, 1000000000u);
  P9_EXPECT_EQ(a.mtime_sec, 1200000000u);
}

TEST_F(Setattr, SettingTimesMovesCtimeToNow) {
  P9_RULE("setting mtime to a past value moves ctime to now, not to that value",
          "utimensat(2): ctime is set to the current time; inode(7)");
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto before = getattr(f);
  let_the_clock_tick();
  auto r = c().call<msg::Rsetattr>(
      msg::Tsetattr{.fid = f, .valid = setattr::MTIME | setattr::MTIME_SET, .mtime_sec = 1000000000});
  P9_EXPECT_OK(r);
  auto after = getattr(f);
  P9_EXPECT_EQ(ctime_of(before) < ctime_of(after), true);
  P9_EXPECT_EQ(after.ctime_sec != 1000000000u, true);
}

TEST_F(Setattr, NanosecondsOutOfRangeIsEINVAL) {
  P9_RULE("an explicit time with tv_nsec >= 1e9 fails with EINVAL",
          "utimensat(2) EINVAL: 'invalid value in one of the tv_nsec fields'");
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rsetattr>(msg::Tsetattr{.fid = f,
                                                 .valid = setattr::MTIME | setattr::MTIME_SET,
                                                 .mtime_sec = 1000000000,
                                                 .mtime_nsec = 1000000000});
  P9_EXPECT_ERRNO(r, INVAL);
}

TEST_F(Setattr, CtimeBitAloneIsAccepted) {
  P9_RULE("P9_ATTR_CTIME alone is accepted (Linux sends it with other bits from notify_change)",
          "Linux fs/9p/vfs_inode_dotl.c v9fs_mapped_iattr_valid maps ATTR_CTIME");
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto before = getattr(f);
  auto r = c().call<msg::Rsetattr>(msg::Tsetattr{.fid = f, .valid = setattr::CTIME});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(getattr(f).size, before.size);
}

TEST_F(Setattr, NothingValidChangesNothing) {
  P9_RULE("Tsetattr with valid 0 succeeds and changes nothing, whatever the other fields hold",
          "diod protocol.md setattr: only valid fields are used");
  std::uint32_t f = create(dir(), "f", "abc");
  auto before = getattr(f);
  auto r = c().call<msg::Rsetattr>(msg::Tsetattr{.fid = f, .valid = 0, .mode = 0, .uid = 4242, .size = 0});
  P9_EXPECT_OK(r);
  auto after = getattr(f);
  P9_EXPECT_EQ(after.size, 3u);
  P9_EXPECT_EQ(after.mode, before.mode);
  P9_EXPECT_EQ(after.uid, before.uid);
}

TEST_F(Setattr, SeveralAttributesInOneCall) {
  P9_RULE("one Tsetattr may change mode, size and mtime together",
          "Linux notify_change passes several ATTR_* at once; diod protocol.md setattr");
  std::uint32_t f = create(dir(), "f", "abcdef");
  auto r = c().call<msg::Rsetattr>(
      msg::Tsetattr{.fid = f,
                    .valid = setattr::MODE | setattr::SIZE | setattr::MTIME | setattr::MTIME_SET,
                    .mode = 0640,
                    .size = 2,
                    .mtime_sec = 1300000000});
  P9_EXPECT_OK(r);
  auto a = getattr(f);
  P9_EXPECT_EQ(perm_bits(a.mode), 0640u);
  P9_EXPECT_EQ(a.size, 2u);
  P9_EXPECT_EQ(a.mtime_sec, 1300000000u);
}

TEST_F(Setattr, ThroughAFidAfterRename) {
  P9_RULE("Tsetattr on a fid whose file was renamed (through another fid) changes the renamed file",
          "intro(5): fids name files, not paths; QEMU hw/9pfs/9p.c v9fs_fix_fid_paths moves every fid along "
          "with a rename");
  make_file(dir(), "old", "0123456789");
  std::uint32_t f = walk(dir(), {"old"});
  auto rn = rename_at(dir(), "old", dir(), "new");
  P9_EXPECT_OK(rn);
  auto r = setattr_size(f, 4);
  P9_EXPECT_OK(r);
  if (!r.ok()) return;  // the fid lost its file: what follows would fail for the same reason
  auto m = setattr_mode(f, 0600);
  P9_EXPECT_OK(m);
  auto a = attr_at({"new"});
  P9_EXPECT_EQ(a.size, 4u);
  P9_EXPECT_EQ(perm_bits(a.mode), 0600u);
}

TEST_F(Setattr, ThroughAFidAfterItsDirectoryWasRenamed) {
  P9_RULE("Tsetattr on a fid below a renamed directory changes the file at its new place",
          "intro(5): fids name files, not paths; QEMU hw/9pfs/9p.c v9fs_fix_fid_paths moves fids below a "
          "renamed directory");
  mkdir(dir(), "d");
  std::uint32_t d = walk(dir(), {"d"});
  make_file(d, "f", "0123456789");
  std::uint32_t f = walk(dir(), {"d", "f"});
  auto rn = rename_at(dir(), "d", dir(), "e");
  P9_EXPECT_OK(rn);
  auto r = setattr_size(f, 3);
  P9_EXPECT_OK(r);
  if (!r.ok()) return;  // the fid lost its file: the size check would fail for the same reason
  P9_EXPECT_EQ(attr_at({"e", "f"}).size, 3u);
}

}  // namespace
}  // namespace p9::conformance
