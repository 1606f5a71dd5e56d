// Trenameat and Trename: rename(2)'s overwrite rules, and what a fid refers to
// after its file moved.
#include "conformance/cases/fixture.h"

namespace p9::conformance {
namespace {

struct Renameat : Fixture {
  Result<msg::Rrenameat> ren(const std::string& from, const std::string& to) {
    return c().call<msg::Rrenameat>(msg::Trenameat{dir(), from, dir(), to});
  }
};

TEST_F(Renameat, FileOverFileReplacesIt) {
  P9_RULE("renaming a file over another file replaces it atomically", "rename(2): newpath is replaced");
  make_file(dir(), "a", "AAA");
  make_file(dir(), "b", "B");
  auto r = ren("a", "b");
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  P9_EXPECT_EQ(content_at({"b"}), std::string("AAA"));
  P9_EXPECT_EQ(list({}), std::vector<std::string>{"b"});
}

TEST_F(Renameat, FileOverDirectoryIsEISDIR) {
  P9_RULE("renaming a file over a directory fails with EISDIR", "rename(2) EISDIR");
  make_file(dir(), "a");
  mkdir(dir(), "d");
  auto r = ren("a", "d");
  P9_EXPECT_ERRNO(r, ISDIR);
  P9_EXPECT_EQ(list({}), (std::vector<std::string>{"a", "d"}));
}

TEST_F(Renameat, DirectoryOverFileIsENOTDIR) {
  P9_RULE("renaming a directory over a file fails with ENOTDIR", "rename(2) ENOTDIR");
  mkdir(dir(), "d");
  make_file(dir(), "f");
  auto r = ren("d", "f");
  P9_EXPECT_ERRNO(r, NOTDIR);
}

TEST_F(Renameat, DirectoryOverEmptyDirectoryReplacesIt) {
  P9_RULE("a directory may replace an empty directory",
          "rename(2): 'if newpath exists it must be an empty directory'");
  mkdir(dir(), "d");
  make_file(walk(dir(), {"d"}), "inside", "x");
  mkdir(dir(), "e");
  auto r = ren("d", "e");
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  P9_EXPECT_EQ(list({"e"}), std::vector<std::string>{"inside"});
  P9_EXPECT_EQ(exists(dir(), "d"), false);
}

TEST_F(Renameat, DirectoryOverNonEmptyDirectoryIsENOTEMPTY) {
  P9_RULE("a directory cannot replace a non-empty directory: ENOTEMPTY",
          "rename(2) ENOTEMPTY or EEXIST; Linux gives ENOTEMPTY");
  mkdir(dir(), "d");
  mkdir(dir(), "e");
  make_file(walk(dir(), {"e"}), "keep");
  auto r = ren("d", "e");
  P9_EXPECT_ERRNO(r, NOTEMPTY);
  P9_EXPECT_EQ(list({"e"}), std::vector<std::string>{"keep"});
}

TEST_F(Renameat, DirectoryIntoItsOwnSubtreeIsEINVAL) {
  P9_RULE("a directory cannot become a subdirectory of itself: EINVAL",
          "rename(2) EINVAL; fs/namei.c do_renameat2: source is an ancestor of target");
  mkdir(dir(), "d");
  std::uint32_t d = walk(dir(), {"d"});
  mkdir(d, "sub");
  std::uint32_t sub = walk(dir(), {"d", "sub"});
  auto r = c().call<msg::Rrenameat>(msg::Trenameat{dir(), "d", sub, "x"});
  P9_EXPECT_ERRNO(r, INVAL);
  auto r2 = c().call<msg::Rrenameat>(msg::Trenameat{dir(), "d", d, "x"});
  P9_EXPECT_ERRNO(r2, INVAL);
  P9_EXPECT_EQ(exists(dir(), "d"), true);
}

TEST_F(Renameat, DirectoryOntoItsAncestorIsENOTEMPTY) {
  P9_RULE("renaming a directory over one of its ancestors fails with ENOTEMPTY",
          "fs/namei.c do_renameat2: 'target should not be an ancestor of source' -> ENOTEMPTY");
  mkdir(dir(), "a");
  std::uint32_t a = walk(dir(), {"a"});
  mkdir(a, "b");
  auto r = c().call<msg::Rrenameat>(msg::Trenameat{a, "b", dir(), "a"});
  P9_EXPECT_ERRNO(r, NOTEMPTY);
  P9_EXPECT_EQ(list({"a"}), std::vector<std::string>{"b"});
}

TEST_F(Renameat, SameNameIsANoOp) {
  P9_RULE("renaming a name to itself succeeds and changes nothing",
          "rename(2): same file -> does nothing, success");
  make_file(dir(), "a", "same");
  auto r = ren("a", "a");
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  P9_EXPECT_EQ(content_at({"a"}), std::string("same"));
}

TEST_F(Renameat, HardLinksOfOneInodeIsANoOp) {
  P9_RULE("renaming one hard link over another of the same inode does nothing; both names stay",
          "rename(2): 'If oldpath and newpath are existing hard links referring to the same file, rename() "
          "does nothing'");
  P9_REQUIRE(HardLinks);
  std::uint32_t f = create(dir(), "a", "x");
  auto l = c().call<msg::Rlink>(msg::Tlink{dir(), f, "b"});
  P9_EXPECT_OK(l);
  auto r = ren("a", "b");
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  P9_EXPECT_EQ(list({}), (std::vector<std::string>{"a", "b"}));
  P9_EXPECT_EQ(getattr(f).nlink, 2u);
}

TEST_F(Renameat, MissingSourceIsENOENT) {
  P9_RULE("renaming a name that does not exist fails with ENOENT", "rename(2) ENOENT");
  auto r = ren("ghost", "b");
  P9_EXPECT_ERRNO(r, NOENT);
}

TEST_F(Renameat, DotSourceIsEBUSY) {
  P9_RULE("renaming \".\" fails with EBUSY",
          "fs/namei.c do_renameat2: old last component not LAST_NORM -> EBUSY");
  auto r = ren(".", "x");
  P9_EXPECT_ERRNO(r, BUSY);
}

TEST_F(Renameat, DotDotTargetIsEBUSY) {
  P9_RULE("renaming onto \"..\" fails with EBUSY",
          "fs/namei.c do_renameat2: new last component not LAST_NORM -> EBUSY");
  make_file(dir(), "a");
  auto r = ren("a", "..");
  P9_EXPECT_ERRNO(r, BUSY);
  P9_EXPECT_EQ(exists(dir(), "a"), true);
}

TEST_F(Renameat, IntoAnotherDirectory) {
  P9_RULE("rename moves a name between directories; a moved directory's \"..\" follows",
          "rename(2); stat(2) nlink of directories");
  mkdir(dir(), "from");
  mkdir(dir(), "to");
  std::uint32_t from = walk(dir(), {"from"});
  std::uint32_t to = walk(dir(), {"to"});
  mkdir(from, "d");
  std::uint64_t from_links = getattr(from).nlink, to_links = getattr(to).nlink;
  auto r = c().call<msg::Rrenameat>(msg::Trenameat{from, "d", to, "d"});
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  P9_EXPECT_EQ(getattr(from).nlink, from_links - 1);
  P9_EXPECT_EQ(getattr(to).nlink, to_links + 1);
  P9_EXPECT_EQ(attr_at({"to", "d", ".."}).qid.path, getattr(to).qid.path);
}

TEST_F(Renameat, NewNameWithSlashIsRefused) {
  P9_RULE("a new name holding '/' is refused with EINVAL, nothing moved",
          "path_resolution(7): components never hold '/'; diod/ioctx.c path_append joins names with '/' "
          "unchecked");
  mkdir(dir(), "sub");
  make_file(dir(), "a");
  auto r = ren("a", "sub/b");
  P9_EXPECT_ERRNO(r, INVAL);
  P9_EXPECT_EQ(exists(dir(), "a"), true);
}

TEST_F(Renameat, NewParentNotADirectoryIsENOTDIR) {
  P9_RULE("a new parent that is a file fails with ENOTDIR", "rename(2) ENOTDIR");
  make_file(dir(), "a");
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rrenameat>(msg::Trenameat{dir(), "a", f, "b"});
  P9_EXPECT_ERRNO(r, NOTDIR);
}

TEST_F(Renameat, OpenFidFollowsTheFile) {
  P9_RULE("an open fid keeps reading its file after the file is renamed",
          "rename(2): open descriptors are unaffected");
  std::uint32_t f = create(dir(), "a", "payload");
  auto r = ren("a", "b");
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  P9_EXPECT_EQ(read(f, 0, 100), std::string("payload"));
  P9_EXPECT_EQ(getattr(f).qid.path, attr_at({"b"}).qid.path);
}

TEST_F(Renameat, Name256BytesIsENAMETOOLONG) {
  P9_RULE("a 256-byte new name fails with ENAMETOOLONG", "rename(2) ENAMETOOLONG");
  make_file(dir(), "a");
  auto r = ren("a", std::string(256, 'r'));
  P9_EXPECT_ERRNO(r, NAMETOOLONG);
}

// The Rename cases test Trename, which Linux sends only when the server
// refuses Trenameat (fs/9p/vfs_inode.c v9fs_vfs_rename); their rules say so.
#define P9_TRENAME_IS_LEGACY " (Trename: a legacy form Linux sends only when Trenameat is refused)"

struct Rename : Fixture {};

TEST_F(Rename, FidStillRefersToTheFile) {
  P9_RULE(
      "after Trename the fid names the file at its new place (getattr, setattr, remove "
      "work)" P9_TRENAME_IS_LEGACY,
      "diod protocol.md rename; QEMU hw/9pfs/9p.c v9fs_fix_fid_paths (fids follow a rename)");
  make_file(dir(), "a", "abc");
  std::uint32_t f = walk(dir(), {"a"});
  std::uint64_t ino = getattr(f).qid.path;
  auto r = c().call<msg::Rrename>(msg::Trename{f, dir(), "b"});
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  P9_EXPECT_EQ(getattr(f).qid.path, ino);
  auto sa = setattr_size(f, 1);
  P9_EXPECT_OK(sa);
  P9_EXPECT_EQ(content_at({"b"}), std::string("a"));
  auto rm = c().call<msg::Rremove>(msg::Tremove{f});
  P9_EXPECT_OK(rm);
  P9_EXPECT_EQ(list({}), std::vector<std::string>{});
}

TEST_F(Rename, MovesIntoAnotherDirectory) {
  P9_RULE("Trename's dfid is the new parent" P9_TRENAME_IS_LEGACY, "diod protocol.md rename");
  mkdir(dir(), "to");
  make_file(dir(), "a", "x");
  std::uint32_t f = walk(dir(), {"a"});
  std::uint32_t to = walk(dir(), {"to"});
  auto r = c().call<msg::Rrename>(msg::Trename{f, to, "moved"});
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  P9_EXPECT_EQ(list({"to"}), std::vector<std::string>{"moved"});
  P9_EXPECT_EQ(exists(dir(), "a"), false);
}

TEST_F(Rename, FileOverFileReplacesIt) {
  P9_RULE("Trename over an existing file replaces it" P9_TRENAME_IS_LEGACY, "rename(2)");
  make_file(dir(), "a", "new");
  make_file(dir(), "b", "old");
  std::uint32_t f = walk(dir(), {"a"});
  auto r = c().call<msg::Rrename>(msg::Trename{f, dir(), "b"});
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  P9_EXPECT_EQ(content_at({"b"}), std::string("new"));
}

TEST_F(Rename, FileOverDirectoryIsEISDIR) {
  P9_RULE("Trename of a file over a directory fails with EISDIR" P9_TRENAME_IS_LEGACY, "rename(2) EISDIR");
  make_file(dir(), "a");
  mkdir(dir(), "d");
  std::uint32_t f = walk(dir(), {"a"});
  auto r = c().call<msg::Rrename>(msg::Trename{f, dir(), "d"});
  P9_EXPECT_ERRNO(r, ISDIR);
}

TEST_F(Rename, DirectoryOverNonEmptyIsENOTEMPTY) {
  P9_RULE("Trename of a directory over a non-empty one fails with ENOTEMPTY" P9_TRENAME_IS_LEGACY,
          "rename(2) ENOTEMPTY");
  mkdir(dir(), "d");
  mkdir(dir(), "e");
  make_file(walk(dir(), {"e"}), "f");
  std::uint32_t d = walk(dir(), {"d"});
  auto r = c().call<msg::Rrename>(msg::Trename{d, dir(), "e"});
  P9_EXPECT_ERRNO(r, NOTEMPTY);
}

TEST_F(Rename, DirectoryIntoItsOwnSubtreeIsEINVAL) {
  P9_RULE("Trename of a directory into itself fails with EINVAL" P9_TRENAME_IS_LEGACY, "rename(2) EINVAL");
  mkdir(dir(), "d");
  std::uint32_t d = walk(dir(), {"d"});
  mkdir(d, "sub");
  std::uint32_t sub = walk(dir(), {"d", "sub"});
  auto r = c().call<msg::Rrename>(msg::Trename{d, sub, "x"});
  P9_EXPECT_ERRNO(r, INVAL);
}

TEST_F(Rename, OpenFileKeepsWorkingWhenAnotherFidRenamesIt) {
  P9_RULE(
      "Trename through a walked fid leaves another, open fid of the file reading and "
      "writing" P9_TRENAME_IS_LEGACY,
      "rename(2): open descriptors are unaffected; fs/9p/vfs_inode.c v9fs_vfs_rename renames the "
      "dentry's fid");
  std::uint32_t f = create(dir(), "a", "12345");
  std::uint32_t w = walk(dir(), {"a"});
  auto r = c().call<msg::Rrename>(msg::Trename{w, dir(), "b"});
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  write(f, 5, "67");
  P9_EXPECT_EQ(read(f, 0, 100), std::string("1234567"));
  P9_EXPECT_EQ(content_at({"b"}), std::string("1234567"));
}

TEST_F(Rename, OpenFidCanBeRenamed) {
  P9_RULE("an open fid can itself be renamed and keeps reading and writing" P9_TRENAME_IS_LEGACY,
          "rename(2): open descriptors are unaffected; diod protocol.md rename");
  std::uint32_t f = create(dir(), "a", "12345");
  auto r = c().call<msg::Rrename>(msg::Trename{f, dir(), "b"});
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  write(f, 5, "67");
  P9_EXPECT_EQ(read(f, 0, 100), std::string("1234567"));
  P9_EXPECT_EQ(content_at({"b"}), std::string("1234567"));
}

TEST_F(Rename, FidsBelowAMovedDirectoryFollowIt) {
  P9_RULE("fids on files inside a renamed directory still reach them" P9_TRENAME_IS_LEGACY,
          "rename(2); diod protocol.md rename");
  mkdir(dir(), "d");
  make_file(walk(dir(), {"d"}), "f", "inner");
  std::uint32_t f = walk(dir(), {"d", "f"});
  std::uint32_t d = walk(dir(), {"d"});
  auto r = c().call<msg::Rrename>(msg::Trename{d, dir(), "e"});
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  auto o = c().call<msg::Rlopen>(msg::Tlopen{f, access::RDONLY});
  P9_EXPECT_OK(o);
  if (o.ok()) P9_EXPECT_EQ(read(f, 0, 100), std::string("inner"));
}

TEST_F(Rename, DotDotNewNameIsEBUSY) {
  P9_RULE("Trename to \"..\" fails with EBUSY" P9_TRENAME_IS_LEGACY,
          "fs/namei.c do_renameat2: LAST_DOTDOT -> EBUSY");
  make_file(dir(), "a");
  std::uint32_t f = walk(dir(), {"a"});
  auto r = c().call<msg::Rrename>(msg::Trename{f, dir(), ".."});
  P9_EXPECT_ERRNO(r, BUSY);
}

TEST_F(Rename, SameNameIsANoOp) {
  P9_RULE("Trename to the file's own name succeeds and changes nothing" P9_TRENAME_IS_LEGACY,
          "rename(2): same file");
  make_file(dir(), "a", "same");
  std::uint32_t f = walk(dir(), {"a"});
  auto r = c().call<msg::Rrename>(msg::Trename{f, dir(), "a"});
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  P9_EXPECT_EQ(content_at({"a"}), std::string("same"));
}

}  // namespace
}  // namespace p9::conformance
