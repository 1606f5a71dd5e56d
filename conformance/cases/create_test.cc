// Making names: Tmkdir, Tmknod, Tsymlink, Treadlink, Tlink, and the name
// rules every creating message shares (EEXIST, "." and "..", '/', NAME_MAX).
#include "conformance/cases/fixture.h"

namespace p9::conformance {
namespace {

constexpr std::uint32_t kDirType = file_type::DIR;
constexpr std::uint32_t kRegType = file_type::REG;

struct Mkdir : Fixture {};

TEST_F(Mkdir, MakesADirectory) {
  P9_RULE("Tmkdir makes a directory; its qid and mode say so", "diod protocol.md mkdir; mkdir(2)");
  auto r = c().call<msg::Rmkdir>(msg::Tmkdir{dir(), "d", 0755, 0});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(static_cast<int>(r->qid.type & qid_type::DIR), static_cast<int>(qid_type::DIR));
  auto a = attr_at({"d"});
  P9_EXPECT_EQ(type_bits(a.mode), kDirType);
}

TEST_F(Mkdir, ExistingFileIsEEXIST) {
  P9_RULE("mkdir over an existing file fails with EEXIST", "mkdir(2) EEXIST");
  make_file(dir(), "f", "x");
  auto r = c().call<msg::Rmkdir>(msg::Tmkdir{dir(), "f", 0755, 0});
  P9_EXPECT_ERRNO(r, EXIST);
  P9_EXPECT_EQ(content_at({"f"}), std::string("x"));
}

TEST_F(Mkdir, ExistingDirectoryIsEEXIST) {
  P9_RULE("mkdir over an existing directory fails with EEXIST", "mkdir(2) EEXIST");
  mkdir(dir(), "d");
  auto r = c().call<msg::Rmkdir>(msg::Tmkdir{dir(), "d", 0755, 0});
  P9_EXPECT_ERRNO(r, EXIST);
}

TEST_F(Mkdir, DotIsEEXIST) {
  P9_RULE("mkdir of \".\" fails with EEXIST", "fs/namei.c filename_create: LAST_DOT -> EEXIST");
  auto r = c().call<msg::Rmkdir>(msg::Tmkdir{dir(), ".", 0755, 0});
  P9_EXPECT_ERRNO(r, EXIST);
}

TEST_F(Mkdir, DotDotIsEEXIST) {
  P9_RULE("mkdir of \"..\" fails with EEXIST", "fs/namei.c filename_create: LAST_DOTDOT -> EEXIST");
  auto r = c().call<msg::Rmkdir>(msg::Tmkdir{dir(), "..", 0755, 0});
  P9_EXPECT_ERRNO(r, EXIST);
}

TEST_F(Mkdir, SlashInNameIsRefused) {
  P9_RULE("a name holding '/' is not one component: refused with EINVAL, nothing made",
          "path_resolution(7): components never hold '/'; diod/ioctx.c path_append joins names with '/' "
          "unchecked");
  mkdir(dir(), "sub");
  auto r = c().call<msg::Rmkdir>(msg::Tmkdir{dir(), "sub/x", 0755, 0});
  P9_EXPECT_ERRNO(r, INVAL);
  if (r.ok()) return;  // the difference is reported once
  P9_EXPECT_EQ(list({"sub"}), std::vector<std::string>{});
}

TEST_F(Mkdir, EmptyNameIsENOENT) {
  P9_RULE("an empty name fails with ENOENT", "path_resolution(7): empty pathname -> ENOENT");
  auto r = c().call<msg::Rmkdir>(msg::Tmkdir{dir(), "", 0755, 0});
  P9_EXPECT_ERRNO(r, NOENT);
}

TEST_F(Mkdir, Name255BytesIsAccepted) {
  P9_RULE("a 255-byte name (NAME_MAX) is accepted", "limits.h NAME_MAX; path_resolution(7)");
  std::string name(255, 'n');
  auto r = c().call<msg::Rmkdir>(msg::Tmkdir{dir(), name, 0755, 0});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(exists(dir(), name), true);
}

TEST_F(Mkdir, Name256BytesIsENAMETOOLONG) {
  P9_RULE("a 256-byte name fails with ENAMETOOLONG", "path_resolution(7) ENAMETOOLONG; mkdir(2)");
  auto r = c().call<msg::Rmkdir>(msg::Tmkdir{dir(), std::string(256, 'n'), 0755, 0});
  P9_EXPECT_ERRNO(r, NAMETOOLONG);
}

TEST_F(Mkdir, InAFileIsENOTDIR) {
  P9_RULE("mkdir with a regular file as the parent fails with ENOTDIR", "mkdir(2) ENOTDIR");
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rmkdir>(msg::Tmkdir{f, "d", 0755, 0});
  P9_EXPECT_ERRNO(r, NOTDIR);
}

TEST_F(Mkdir, ModeIsAsGivenWithoutUmask) {
  P9_RULE("the mode is used as given: the client applied the umask already",
          "fs/9p/vfs_inode_dotl.c v9fs_vfs_mkdir_dotl sends the umasked mode; diod protocol.md mkdir");
  mkdir(dir(), "open", 0777);
  mkdir(dir(), "mine", 0701);
  P9_EXPECT_EQ(attr_at({"open"}).mode & 07777, 0777u);
  P9_EXPECT_EQ(attr_at({"mine"}).mode & 07777, 0701u);
}

TEST_F(Mkdir, StickyBitIsKept) {
  P9_RULE("mkdir keeps the sticky bit of the mode", "fs/namei.c vfs_mkdir: mode & (S_IRWXUGO|S_ISVTX)");
  mkdir(dir(), "t", 01777);
  P9_EXPECT_EQ(attr_at({"t"}).mode & 07777, 01777u);
}

TEST_F(Mkdir, SetuidBitIsDropped) {
  P9_RULE("mkdir ignores S_ISUID in the mode", "fs/namei.c vfs_mkdir: mode & (S_IRWXUGO|S_ISVTX); mkdir(2)");
  mkdir(dir(), "s", 04755);
  P9_EXPECT_EQ(attr_at({"s"}).mode & 07777, 0755u);
}

TEST_F(Mkdir, ParentLinkCountGrows) {
  P9_RULE("a new subdirectory adds one to its parent's link count (its \"..\")",
          "stat(2) st_nlink; Linux inc_nlink in mkdir");
  std::uint64_t before = getattr(dir()).nlink;
  mkdir(dir(), "d");
  P9_EXPECT_EQ(getattr(dir()).nlink, before + 1);
  P9_EXPECT_EQ(attr_at({"d"}).nlink, 2u);
}

TEST_F(Mkdir, GidIsTheOneGiven) {
  P9_RULE("the new directory's group is the gid in Tmkdir (the caller's fsgid)",
          "diod protocol.md mkdir: gid; fs/9p/vfs_inode_dotl.c v9fs_get_fsgid_for_create");
  P9_REQUIRE(Ownership);
  auto r = c().call<msg::Rmkdir>(msg::Tmkdir{dir(), "g", 0755, 123});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(attr_at({"g"}).gid, 123u);
}

TEST_F(Mkdir, SetgidParentIsInherited) {
  P9_RULE("in a set-gid directory, new entries take its group and subdirectories its set-gid bit",
          "fs/inode.c inode_init_owner; mkdir(2) NOTES; open(2) bsdgroups");
  P9_REQUIRE(Ownership);
  mkdir(dir(), "sg", 0775);
  std::uint32_t sg = walk(dir(), {"sg"});
  chown(sg, 0, 4321);
  chmod(sg, 02775);
  auto m = c().call<msg::Rmkdir>(msg::Tmkdir{sg, "sub", 0755, 0});
  P9_EXPECT_OK(m);
  std::uint32_t f = create(sg, "file", "", 2, 0644);
  if (f) clunk(f);
  auto sub = attr_at({"sg", "sub"});
  P9_EXPECT_EQ(sub.gid, 4321u);
  P9_EXPECT_EQ(sub.mode & 02000, 02000u);
  P9_EXPECT_EQ(attr_at({"sg", "file"}).gid, 4321u);
}

struct LcreateNames : Fixture {};

TEST_F(LcreateNames, ModeIsAsGivenWithoutUmask) {
  P9_RULE("Tlcreate uses the mode as given (no umask on the server)",
          "fs/9p/vfs_inode_dotl.c v9fs_vfs_atomic_open_dotl sends the umasked mode");
  std::uint32_t f = create(dir(), "f", "", 2, 0666);
  ASSERT_NE(f, 0u);
  auto a = getattr(f);
  P9_EXPECT_EQ(a.mode, kRegType | 0666u);
}

TEST_F(LcreateNames, DotWithExclIsEEXIST) {
  P9_RULE("creating \".\" with O_CREAT|O_EXCL fails with EEXIST",
          "fs/namei.c do_open: O_EXCL and not created -> EEXIST; open(2) EEXIST");
  std::uint32_t d = dir_clone();
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, ".", 2 | lopen::CREAT | lopen::EXCL, 0644, 0});
  P9_EXPECT_ERRNO(r, EXIST);
}

TEST_F(LcreateNames, DotWithoutExclIsEISDIR) {
  P9_RULE("creating \".\" with O_CREAT but no O_EXCL fails with EISDIR (it names a directory)",
          "fs/namei.c do_open: O_CREAT on a directory -> EISDIR; open(2) EISDIR");
  std::uint32_t d = dir_clone();
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, ".", 2 | lopen::CREAT, 0644, 0});
  P9_EXPECT_ERRNO(r, ISDIR);
}

TEST_F(LcreateNames, SlashInNameIsRefused) {
  P9_RULE("Tlcreate with '/' in the name is refused with EINVAL, nothing made",
          "path_resolution(7); diod/ioctx.c path_append joins names with '/' unchecked");
  mkdir(dir(), "sub");
  std::uint32_t d = dir_clone();
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, "sub/f", 2 | lopen::CREAT, 0644, 0});
  P9_EXPECT_ERRNO(r, INVAL);
  if (r.ok()) return;  // the difference is reported once
  P9_EXPECT_EQ(list({"sub"}), std::vector<std::string>{});
}

TEST_F(LcreateNames, NulInNameIsRefused) {
  P9_RULE("a name holding NUL is refused with EINVAL, nothing made",
          "a C path cannot hold NUL; diod protocol.md strings are counted");
  std::uint32_t d = dir_clone();
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, std::string("ab\0cd", 5), 2 | lopen::CREAT, 0644, 0});
  P9_EXPECT_ERRNO(r, INVAL);
  if (r.ok()) return;
  P9_EXPECT_EQ(exists(dir(), "ab"), false);
}

TEST_F(LcreateNames, ExistingNameIsEEXIST) {
  P9_RULE("Tlcreate of an existing name fails with EEXIST (Linux sends O_CREAT|O_EXCL semantics)",
          "open(2) O_CREAT|O_EXCL EEXIST; diod protocol.md lcreate");
  make_file(dir(), "f", "keep");
  std::uint32_t d = dir_clone();
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, "f", 2 | lopen::CREAT | lopen::EXCL, 0644, 0});
  P9_EXPECT_ERRNO(r, EXIST);
  P9_EXPECT_EQ(content_at({"f"}), std::string("keep"));
}

TEST_F(LcreateNames, Name256BytesIsENAMETOOLONG) {
  P9_RULE("Tlcreate with a 256-byte name fails with ENAMETOOLONG", "open(2) ENAMETOOLONG");
  std::uint32_t d = dir_clone();
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{d, std::string(256, 'f'), 2 | lopen::CREAT, 0644, 0});
  P9_EXPECT_ERRNO(r, NAMETOOLONG);
}

struct Mknod : Fixture {};

TEST_F(Mknod, FifoIsMade) {
  P9_RULE("Tmknod with S_IFIFO makes a FIFO with the given permission bits",
          "mknod(2); diod protocol.md mknod");
  P9_REQUIRE(Mknod);
  auto r = c().call<msg::Rmknod>(msg::Tmknod{dir(), "p", file_type::FIFO | 0640, 0, 0, 0});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(attr_at({"p"}).mode, file_type::FIFO | 0640u);
}

TEST_F(Mknod, CharacterDeviceAsRoot) {
  P9_RULE("root makes a character device; rdev carries major and minor", "mknod(2); makedev(3)");
  P9_REQUIRE(Mknod);
  auto r = c().call<msg::Rmknod>(msg::Tmknod{dir(), "null", file_type::CHR | 0666, 1, 3, 0});
  P9_EXPECT_OK(r);
  auto a = attr_at({"null"});
  P9_EXPECT_EQ(type_bits(a.mode), static_cast<std::uint32_t>(file_type::CHR));
  P9_EXPECT_EQ(a.rdev, 0x103u);
}

TEST_F(Mknod, BlockDeviceAsRoot) {
  P9_RULE("root makes a block device; rdev carries major and minor", "mknod(2); makedev(3)");
  P9_REQUIRE(Mknod);
  auto r = c().call<msg::Rmknod>(msg::Tmknod{dir(), "loop", file_type::BLK | 0660, 7, 2, 0});
  P9_EXPECT_OK(r);
  auto a = attr_at({"loop"});
  P9_EXPECT_EQ(type_bits(a.mode), static_cast<std::uint32_t>(file_type::BLK));
  P9_EXPECT_EQ(a.rdev, 0x702u);
}

TEST_F(Mknod, SocketIsMade) {
  P9_RULE("Tmknod with S_IFSOCK makes a socket node", "mknod(2)");
  P9_REQUIRE(Mknod);
  auto r = c().call<msg::Rmknod>(msg::Tmknod{dir(), "s", file_type::SOCK | 0755, 0, 0, 0});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(type_bits(attr_at({"s"}).mode), static_cast<std::uint32_t>(file_type::SOCK));
}

TEST_F(Mknod, ExistingNameIsEEXIST) {
  P9_RULE("mknod over an existing name fails with EEXIST", "mknod(2) EEXIST");
  P9_REQUIRE(Mknod);
  make_file(dir(), "f");
  auto r = c().call<msg::Rmknod>(msg::Tmknod{dir(), "f", file_type::FIFO | 0644, 0, 0, 0});
  P9_EXPECT_ERRNO(r, EXIST);
}

TEST_F(Mknod, DirectoryTypeIsEPERM) {
  P9_RULE("mknod cannot make a directory: EPERM", "fs/namei.c may_mknod: S_IFDIR -> EPERM; mknod(2) EPERM");
  P9_REQUIRE(Mknod);
  auto r = c().call<msg::Rmknod>(msg::Tmknod{dir(), "d", file_type::DIR | 0755, 0, 0, 0});
  P9_EXPECT_ERRNO(r, PERM);
  P9_EXPECT_EQ(exists(dir(), "d"), false);
}

TEST_F(Mknod, DeviceByNonRootIsEPERM) {
  P9_RULE("an unprivileged user cannot make a device node: EPERM",
          "mknod(2) EPERM; fs/namei.c vfs_mknod CAP_MKNOD");
  P9_REQUIRE(Mknod);
  P9_REQUIRE(Ownership);
  auto u = connect_as(1000);
  ASSERT_TRUE(u.client);
  auto r = u.client->call<msg::Rmknod>(msg::Tmknod{u.dir, "dev", file_type::CHR | 0666, 1, 3, 1000});
  P9_EXPECT_ERRNO(r, PERM);
}

TEST_F(Mknod, DotDotIsEEXIST) {
  P9_RULE("mknod of \"..\" fails with EEXIST", "fs/namei.c filename_create: LAST_DOTDOT -> EEXIST");
  P9_REQUIRE(Mknod);
  auto r = c().call<msg::Rmknod>(msg::Tmknod{dir(), "..", file_type::FIFO | 0644, 0, 0, 0});
  P9_EXPECT_ERRNO(r, EXIST);
}

struct Symlink : Fixture {};

TEST_F(Symlink, TargetIsReturnedByteExact) {
  P9_RULE("Treadlink returns the symlink's target exactly as given, whatever its bytes",
          "symlink(2): the contents are not interpreted; readlink(2)");
  P9_REQUIRE(Symlinks);
  const std::string target = std::string("../a  b//c/./\x01\x7f\xff\xfe/") + "\xc3\xa9" + "end";
  auto r = c().call<msg::Rsymlink>(msg::Tsymlink{dir(), "l", target, 0});
  P9_EXPECT_OK(r);
  std::uint32_t l = walk(dir(), {"l"});
  auto t = c().call<msg::Rreadlink>(msg::Treadlink{l});
  P9_EXPECT_OK(t);
  if (t.ok()) P9_EXPECT_EQ(t->target, target);
}

TEST_F(Symlink, DanglingTargetIsFine) {
  P9_RULE("a symlink may point at nothing", "symlink(2): 'a dangling link'");
  P9_REQUIRE(Symlinks);
  auto r = c().call<msg::Rsymlink>(msg::Tsymlink{dir(), "l", "no/such/file", 0});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(exists(dir(), "l"), true);
}

TEST_F(Symlink, QidAndModeSayLink) {
  P9_RULE("a symlink's qid has QTSYMLINK and its mode S_IFLNK; its size is the target's length",
          "Linux 9p.h P9_QTSYMLINK; lstat(2) st_size of a symlink");
  P9_REQUIRE(Symlinks);
  auto r = c().call<msg::Rsymlink>(msg::Tsymlink{dir(), "l", "target-of-12", 0});
  P9_EXPECT_OK(r);
  if (r.ok())
    P9_EXPECT_EQ(static_cast<int>(r->qid.type & qid_type::SYMLINK), static_cast<int>(qid_type::SYMLINK));
  auto a = attr_at({"l"});
  P9_EXPECT_EQ(type_bits(a.mode), static_cast<std::uint32_t>(file_type::LNK));
  P9_EXPECT_EQ(a.size, 12u);
}

TEST_F(Symlink, ExistingNameIsEEXIST) {
  P9_RULE("symlink over an existing name fails with EEXIST", "symlink(2) EEXIST");
  P9_REQUIRE(Symlinks);
  make_file(dir(), "f", "data");
  auto r = c().call<msg::Rsymlink>(msg::Tsymlink{dir(), "f", "x", 0});
  P9_EXPECT_ERRNO(r, EXIST);
  P9_EXPECT_EQ(content_at({"f"}), std::string("data"));
}

TEST_F(Symlink, EmptyTargetIsENOENT) {
  P9_RULE("a symlink to the empty string fails with ENOENT", "symlink(2) ENOENT: target is an empty string");
  P9_REQUIRE(Symlinks);
  auto r = c().call<msg::Rsymlink>(msg::Tsymlink{dir(), "l", "", 0});
  P9_EXPECT_ERRNO(r, NOENT);
}

TEST_F(Symlink, LongTargetIsKept) {
  P9_RULE("a 1000-byte target is kept whole", "symlink(2): targets up to PATH_MAX");
  P9_REQUIRE(Symlinks);
  std::string target;
  while (target.size() < 1000) target += "segment/";
  target.resize(1000);
  auto r = c().call<msg::Rsymlink>(msg::Tsymlink{dir(), "l", target, 0});
  P9_EXPECT_OK(r);
  std::uint32_t l = walk(dir(), {"l"});
  auto t = c().call<msg::Rreadlink>(msg::Treadlink{l});
  P9_EXPECT_OK(t);
  if (t.ok()) P9_EXPECT_EQ(t->target.size(), 1000u);
}

TEST_F(Symlink, SlashInNameIsRefused) {
  P9_RULE("Tsymlink with '/' in the name is refused with EINVAL", "path_resolution(7)");
  P9_REQUIRE(Symlinks);
  mkdir(dir(), "sub");
  auto r = c().call<msg::Rsymlink>(msg::Tsymlink{dir(), "sub/l", "x", 0});
  P9_EXPECT_ERRNO(r, INVAL);
  if (r.ok()) return;  // the difference is reported once
  P9_EXPECT_EQ(list({"sub"}), std::vector<std::string>{});
}

TEST_F(Symlink, DotIsEEXIST) {
  P9_RULE("symlink named \".\" fails with EEXIST", "fs/namei.c filename_create: LAST_DOT -> EEXIST");
  P9_REQUIRE(Symlinks);
  auto r = c().call<msg::Rsymlink>(msg::Tsymlink{dir(), ".", "x", 0});
  P9_EXPECT_ERRNO(r, EXIST);
}

struct Readlink : Fixture {};

TEST_F(Readlink, RegularFileIsEINVAL) {
  P9_RULE("readlink of a regular file fails with EINVAL", "readlink(2) EINVAL: not a symbolic link");
  make_file(dir(), "f", "x");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rreadlink>(msg::Treadlink{f});
  P9_EXPECT_ERRNO(r, INVAL);
}

TEST_F(Readlink, DirectoryIsEINVAL) {
  P9_RULE("readlink of a directory fails with EINVAL", "readlink(2) EINVAL");
  auto r = c().call<msg::Rreadlink>(msg::Treadlink{dir()});
  P9_EXPECT_ERRNO(r, INVAL);
}

struct Link : Fixture {};

TEST_F(Link, NlinkCountsNames) {
  P9_RULE("each hard link adds one to nlink and unlinking one removes one",
          "link(2); unlink(2); stat(2) st_nlink");
  P9_REQUIRE(HardLinks);
  std::uint32_t f = create(dir(), "a", "x");
  P9_EXPECT_EQ(getattr(f).nlink, 1u);
  auto l = c().call<msg::Rlink>(msg::Tlink{dir(), f, "b"});
  P9_EXPECT_OK(l);
  auto l2 = c().call<msg::Rlink>(msg::Tlink{dir(), f, "c"});
  P9_EXPECT_OK(l2);
  P9_EXPECT_EQ(getattr(f).nlink, 3u);
  auto rm = unlink_at(dir(), "a");
  P9_EXPECT_OK(rm);
  P9_EXPECT_EQ(attr_at({"b"}).nlink, 2u);
}

TEST_F(Link, BothNamesAreOneFile) {
  P9_RULE("a hard link names the same inode: same qid path, shared data", "link(2)");
  P9_REQUIRE(HardLinks);
  std::uint32_t f = create(dir(), "a", "first");
  auto l = c().call<msg::Rlink>(msg::Tlink{dir(), f, "b"});
  P9_EXPECT_OK(l);
  P9_EXPECT_EQ(attr_at({"b"}).qid.path, getattr(f).qid.path);
  write(f, 0, "FIRST");
  P9_EXPECT_EQ(content_at({"b"}), std::string("FIRST"));
}

TEST_F(Link, DirectoryIsEPERM) {
  P9_RULE("a hard link to a directory fails with EPERM",
          "link(2) EPERM: oldpath is a directory; fs/namei.c vfs_link");
  P9_REQUIRE(HardLinks);
  mkdir(dir(), "d");
  std::uint32_t d = walk(dir(), {"d"});
  auto r = c().call<msg::Rlink>(msg::Tlink{dir(), d, "d2"});
  P9_EXPECT_ERRNO(r, PERM);
  P9_EXPECT_EQ(exists(dir(), "d2"), false);
}

TEST_F(Link, ExistingNameIsEEXIST) {
  P9_RULE("link to an existing name fails with EEXIST and leaves it alone", "link(2) EEXIST");
  P9_REQUIRE(HardLinks);
  std::uint32_t f = create(dir(), "a", "A");
  make_file(dir(), "b", "B");
  auto r = c().call<msg::Rlink>(msg::Tlink{dir(), f, "b"});
  P9_EXPECT_ERRNO(r, EXIST);
  P9_EXPECT_EQ(content_at({"b"}), std::string("B"));
}

TEST_F(Link, DotDotIsEEXIST) {
  P9_RULE("link named \"..\" fails with EEXIST", "fs/namei.c filename_create: LAST_DOTDOT -> EEXIST");
  P9_REQUIRE(HardLinks);
  std::uint32_t f = create(dir(), "a");
  auto r = c().call<msg::Rlink>(msg::Tlink{dir(), f, ".."});
  P9_EXPECT_ERRNO(r, EXIST);
}

TEST_F(Link, IntoAFileIsENOTDIR) {
  P9_RULE("link with a regular file as the new parent fails with ENOTDIR", "link(2) ENOTDIR");
  P9_REQUIRE(HardLinks);
  std::uint32_t f = create(dir(), "a");
  std::uint32_t g = walk(dir(), {"a"});
  auto r = c().call<msg::Rlink>(msg::Tlink{g, f, "x"});
  P9_EXPECT_ERRNO(r, NOTDIR);
}

TEST_F(Link, OfASymlinkLinksTheLinkItself) {
  P9_RULE("a hard link of a symlink is another name of the link, not of its target",
          "link(2): 'linkat without AT_SYMLINK_FOLLOW does not dereference'");
  P9_REQUIRE(Symlinks);
  P9_REQUIRE(HardLinks);
  make_symlink(dir(), "l", "somewhere");
  std::uint32_t l = walk(dir(), {"l"});
  auto r = c().call<msg::Rlink>(msg::Tlink{dir(), l, "l2"});
  P9_EXPECT_OK(r);
  std::uint32_t l2 = walk(dir(), {"l2"});
  auto t = c().call<msg::Rreadlink>(msg::Treadlink{l2});
  P9_EXPECT_OK(t);
  if (t.ok()) P9_EXPECT_EQ(t->target, std::string("somewhere"));
}

TEST_F(Link, SurvivesUnlinkOfTheFirstName) {
  P9_RULE("the data lives while any name does",
          "unlink(2): 'the file is deleted when the last link is gone'");
  P9_REQUIRE(HardLinks);
  std::uint32_t f = create(dir(), "a", "kept");
  auto l = c().call<msg::Rlink>(msg::Tlink{dir(), f, "b"});
  P9_EXPECT_OK(l);
  clunk(f);
  auto rm = unlink_at(dir(), "a");
  P9_EXPECT_OK(rm);
  P9_EXPECT_EQ(content_at({"b"}), std::string("kept"));
  P9_EXPECT_EQ(attr_at({"b"}).nlink, 1u);
}

TEST_F(Link, SlashInNameIsRefused) {
  P9_RULE("Tlink with '/' in the name is refused with EINVAL", "path_resolution(7)");
  P9_REQUIRE(HardLinks);
  mkdir(dir(), "sub");
  std::uint32_t f = create(dir(), "a");
  auto r = c().call<msg::Rlink>(msg::Tlink{dir(), f, "sub/b"});
  P9_EXPECT_ERRNO(r, INVAL);
  if (r.ok()) return;  // the difference is reported once
  P9_EXPECT_EQ(list({"sub"}), std::vector<std::string>{});
}

}  // namespace
}  // namespace p9::conformance
