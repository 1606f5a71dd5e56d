// Tunlinkat and Tremove: unlink(2)/rmdir(2) rules, and Tremove's clunk.
#include "conformance/cases/fixture.h"

namespace p9::conformance {
namespace {

struct Unlinkat : Fixture {
  Result<msg::Runlinkat> unl(const std::string& name, std::uint32_t flags) {
    return c().call<msg::Runlinkat>(msg::Tunlinkat{dir(), name, flags});
  }
};

TEST_F(Unlinkat, RemovesAFile) {
  P9_RULE("Tunlinkat without flags removes a file", "unlink(2); diod protocol.md unlinkat");
  make_file(dir(), "f", "x");
  auto r = unl("f", 0);
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  P9_EXPECT_EQ(exists(dir(), "f"), false);
}

TEST_F(Unlinkat, RemovesAnEmptyDirectoryWithRemovedir) {
  P9_RULE("Tunlinkat with AT_REMOVEDIR removes an empty directory; the parent loses a link",
          "unlinkat(2) AT_REMOVEDIR; rmdir(2)");
  mkdir(dir(), "d");
  std::uint64_t links = getattr(dir()).nlink;
  auto r = unl("d", at::REMOVEDIR);
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  P9_EXPECT_EQ(exists(dir(), "d"), false);
  P9_EXPECT_EQ(getattr(dir()).nlink, links - 1);
}

TEST_F(Unlinkat, RemovedirOnAFileIsENOTDIR) {
  P9_RULE("AT_REMOVEDIR on a file fails with ENOTDIR", "rmdir(2) ENOTDIR");
  make_file(dir(), "f");
  auto r = unl("f", at::REMOVEDIR);
  P9_EXPECT_ERRNO(r, NOTDIR);
  P9_EXPECT_EQ(exists(dir(), "f"), true);
}

TEST_F(Unlinkat, WithoutRemovedirOnADirectoryIsEISDIR) {
  P9_RULE("unlink of a directory fails with EISDIR (Linux)", "unlink(2) EISDIR: 'Linux returns EISDIR'");
  mkdir(dir(), "d");
  auto r = unl("d", 0);
  P9_EXPECT_ERRNO(r, ISDIR);
  P9_EXPECT_EQ(exists(dir(), "d"), true);
}

TEST_F(Unlinkat, NonEmptyDirectoryIsENOTEMPTY) {
  P9_RULE("rmdir of a non-empty directory fails with ENOTEMPTY", "rmdir(2) ENOTEMPTY");
  mkdir(dir(), "d");
  make_file(walk(dir(), {"d"}), "f");
  auto r = unl("d", at::REMOVEDIR);
  P9_EXPECT_ERRNO(r, NOTEMPTY);
  P9_EXPECT_EQ(list({"d"}), std::vector<std::string>{"f"});
}

TEST_F(Unlinkat, MissingNameIsENOENT) {
  P9_RULE("unlink of a missing name fails with ENOENT", "unlink(2) ENOENT");
  auto r = unl("ghost", 0);
  P9_EXPECT_ERRNO(r, NOENT);
  auto r2 = unl("ghost", at::REMOVEDIR);
  P9_EXPECT_ERRNO(r2, NOENT);
}

TEST_F(Unlinkat, UnknownFlagBitsAreEINVAL) {
  P9_RULE("flag bits other than AT_REMOVEDIR fail with EINVAL", "unlinkat(2) EINVAL: invalid flag value");
  make_file(dir(), "f");
  auto r = unl("f", 0x100);
  P9_EXPECT_ERRNO(r, INVAL);
  auto r2 = unl("f", 0x80000000u);
  P9_EXPECT_ERRNO(r2, INVAL);
  P9_EXPECT_EQ(exists(dir(), "f"), true);
}

TEST_F(Unlinkat, DotWithRemovedirIsEINVAL) {
  P9_RULE("rmdir of \".\" fails with EINVAL", "rmdir(2) EINVAL: last component is '.'; fs/namei.c do_rmdir");
  auto r = unl(".", at::REMOVEDIR);
  P9_EXPECT_ERRNO(r, INVAL);
}

TEST_F(Unlinkat, DotDotWithRemovedirIsENOTEMPTY) {
  P9_RULE("rmdir of \"..\" fails with ENOTEMPTY",
          "rmdir(2) ENOTEMPTY: last component is '..'; fs/namei.c do_rmdir");
  mkdir(dir(), "d");
  std::uint32_t d = walk(dir(), {"d"});
  auto r = c().call<msg::Runlinkat>(msg::Tunlinkat{d, "..", at::REMOVEDIR});
  P9_EXPECT_ERRNO(r, NOTEMPTY);
}

TEST_F(Unlinkat, DotWithoutRemovedirIsEISDIR) {
  P9_RULE("unlink of \".\" fails with EISDIR",
          "fs/namei.c do_unlinkat: last component not LAST_NORM -> EISDIR");
  auto r = unl(".", 0);
  P9_EXPECT_ERRNO(r, ISDIR);
}

TEST_F(Unlinkat, SymlinkIsRemovedNotItsTarget) {
  P9_RULE("unlink of a symlink removes the link, not what it points to",
          "unlink(2): 'If the name referred to a symbolic link, the link is removed'");
  P9_REQUIRE(Symlinks);
  make_file(dir(), "target", "t");
  make_symlink(dir(), "l", "target");
  auto r = unl("l", 0);
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  P9_EXPECT_EQ(list({}), std::vector<std::string>{"target"});
}

TEST_F(Unlinkat, DirfidNotADirectoryIsENOTDIR) {
  P9_RULE("a dirfid that is a file fails with ENOTDIR", "unlinkat(2) ENOTDIR");
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Runlinkat>(msg::Tunlinkat{f, "x", 0});
  P9_EXPECT_ERRNO(r, NOTDIR);
}

TEST_F(Unlinkat, SlashInNameIsRefused) {
  P9_RULE("a name holding '/' is refused with EINVAL, nothing removed",
          "path_resolution(7): components never hold '/'; diod/ioctx.c path_append joins names with '/' "
          "unchecked");
  mkdir(dir(), "sub");
  make_file(walk(dir(), {"sub"}), "f");
  auto r = unl("sub/f", 0);
  P9_EXPECT_ERRNO(r, INVAL);
  P9_EXPECT_EQ(list({"sub"}), std::vector<std::string>{"f"});
}

struct Remove : Fixture {};

// The Remove cases test Tremove, which Linux sends only when the server
// refuses Tunlinkat (fs/9p/vfs_inode.c v9fs_remove); their rules say so.
#define P9_TREMOVE_IS_LEGACY " (Tremove: a legacy form Linux sends only when Tunlinkat is refused)"

TEST_F(Remove, RemovesTheFileAndClunks) {
  P9_RULE("Tremove removes the file and clunks the fid" P9_TREMOVE_IS_LEGACY, "intro(5) remove");
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rremove>(msg::Tremove{f});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(exists(dir(), "f"), false);
  auto g = c().call<msg::Rgetattr>(msg::Tgetattr{f, GETATTR_BASIC});
  P9_EXPECT_EQ(g.ok() ? "fid still usable" : "fid gone", "fid gone");
}

TEST_F(Remove, ClunksTheFidEvenWhenItFails) {
  P9_RULE("Tremove clunks the fid even when the remove fails" P9_TREMOVE_IS_LEGACY,
          "intro(5) remove: 'the fid is clunked even if the remove fails'");
  mkdir(dir(), "d");
  make_file(walk(dir(), {"d"}), "f");
  std::uint32_t d = walk(dir(), {"d"});
  auto r = c().call<msg::Rremove>(msg::Tremove{d});
  P9_EXPECT_ERRNO(r, NOTEMPTY);
  auto cl = c().call<msg::Rclunk>(msg::Tclunk{d});
  P9_EXPECT_EQ(cl.ok() ? "fid still usable" : "fid gone", "fid gone");
  P9_EXPECT_EQ(exists(dir(), "d"), true);
}

TEST_F(Remove, RemovesAnEmptyDirectory) {
  P9_RULE("Tremove of an empty directory removes it" P9_TREMOVE_IS_LEGACY, "intro(5) remove; rmdir(2)");
  mkdir(dir(), "d");
  std::uint32_t d = walk(dir(), {"d"});
  auto r = c().call<msg::Rremove>(msg::Tremove{d});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(exists(dir(), "d"), false);
}

TEST_F(Remove, OpenFidCanBeRemoved) {
  P9_RULE("Tremove works on an open fid" P9_TREMOVE_IS_LEGACY, "intro(5) remove");
  std::uint32_t f = create(dir(), "f", "x");
  auto r = c().call<msg::Rremove>(msg::Tremove{f});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(exists(dir(), "f"), false);
}

TEST_F(Remove, OtherFidsOnTheFileStayValid) {
  P9_RULE("removing through one fid leaves other open fids on the file usable" P9_TREMOVE_IS_LEGACY,
          "unlink(2): open descriptors keep the file");
  std::uint32_t keep = create(dir(), "f", "still here");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rremove>(msg::Tremove{f});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(read(keep, 0, 100), std::string("still here"));
}

}  // namespace
}  // namespace p9::conformance
