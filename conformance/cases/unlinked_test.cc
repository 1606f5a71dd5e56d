// Fids whose file lost its name: the open-unlinked file of POSIX, and fids
// whose file was renamed by someone else. Linux keeps using such fids (an
// open file descriptor is the fid), so every operation on them must work.
#include "conformance/cases/fixture.h"

namespace p9::conformance {
namespace {

struct Unlinked : Fixture {
  // Removes dir()/name as Linux does (unlink_at); flags at::REMOVEDIR for a directory.
  void unlink_name(const std::string& name, std::uint32_t flags = 0) {
    auto r = unlink_at(dir(), name, flags);
    if (!r.ok()) ADD_FAILURE() << "setup unlink " << name << " failed\n" << c().transcript();
  }
};

TEST_F(Unlinked, ReadOnOpenFidKeepsWorking) {
  P9_RULE("an open fid reads its file after the name is unlinked",
          "unlink(2): 'the file remains in existence until the last descriptor is closed'");
  std::uint32_t f = create(dir(), "f", "survivor");
  unlink_name("f");
  auto r = c().call<msg::Rread>(msg::Tread{f, 0, 100});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->data, std::string("survivor"));
}

TEST_F(Unlinked, WriteOnOpenFidKeepsWorking) {
  P9_RULE("an open fid writes its file after the name is unlinked, and reads the write back", "unlink(2)");
  std::uint32_t f = create(dir(), "f", "abc");
  unlink_name("f");
  auto w = c().call<msg::Rwrite>(msg::Twrite{f, 3, "def"});
  P9_EXPECT_OK(w);
  P9_EXPECT_EQ(read(f, 0, 100), std::string("abcdef"));
}

TEST_F(Unlinked, GetattrShowsNlinkZero) {
  P9_RULE("getattr on an open fid of an unlinked file works and shows nlink 0",
          "fstat(2) of an unlinked file: st_nlink 0");
  std::uint32_t f = create(dir(), "f", "12345");
  unlink_name("f");
  auto a = c().call<msg::Rgetattr>(msg::Tgetattr{f, GETATTR_ALL});
  P9_EXPECT_OK(a);
  if (a.ok()) {
    P9_EXPECT_EQ(a->nlink, 0u);
    P9_EXPECT_EQ(a->size, 5u);
  }
}

TEST_F(Unlinked, TruncateOnOpenFidWorks) {
  P9_RULE("setattr size on an open fid of an unlinked file works (ftruncate)",
          "ftruncate(2); Linux fs/9p/vfs_inode_dotl.c v9fs_vfs_setattr_dotl sends Tsetattr on the open "
          "file's fid (ATTR_FILE)");
  std::uint32_t f = create(dir(), "f", "0123456789");
  unlink_name("f");
  auto r = setattr_size(f, 4);
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  P9_EXPECT_EQ(read(f, 0, 100), std::string("0123"));
}

TEST_F(Unlinked, ChmodOnOpenFidWorks) {
  P9_RULE("setattr mode on an open fid of an unlinked file works (fchmod)", "fchmod(2)");
  std::uint32_t f = create(dir(), "f", "x");
  unlink_name("f");
  auto r = setattr_mode(f, 0600);
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  auto a = c().call<msg::Rgetattr>(msg::Tgetattr{f, GETATTR_BASIC});
  P9_EXPECT_OK(a);
  if (a.ok()) P9_EXPECT_EQ(a->mode & 07777, 0600u);
}

TEST_F(Unlinked, FsyncOnOpenFidWorks) {
  P9_RULE("fsync of an open, unlinked file succeeds", "fsync(2)");
  std::uint32_t f = create(dir(), "f", "x");
  unlink_name("f");
  auto r = c().call<msg::Rfsync>(msg::Tfsync{f, 0});
  P9_EXPECT_OK(r);
}

TEST_F(Unlinked, NameIsGoneFromReaddir) {
  P9_RULE("the unlinked name no longer appears in readdir, though a fid still holds the file",
          "unlink(2); readdir(3)");
  std::uint32_t f = create(dir(), "f", "x");
  make_file(dir(), "other");
  unlink_name("f");
  P9_EXPECT_EQ(list({}), std::vector<std::string>{"other"});
  (void)f;
}

TEST_F(Unlinked, NewFileWithTheSameNameIsIndependent) {
  P9_RULE("a new file under the old name is a different file; the old fid keeps the old data",
          "unlink(2); open(2) O_CREAT");
  std::uint32_t old_fid = create(dir(), "f", "old data");
  unlink_name("f");
  std::uint32_t new_fid = create(dir(), "f", "NEW");
  P9_EXPECT_EQ(read(old_fid, 0, 100), std::string("old data"));
  P9_EXPECT_EQ(read(new_fid, 0, 100), std::string("NEW"));
  P9_EXPECT_EQ(getattr(old_fid).qid.path == getattr(new_fid).qid.path, false);
  write(old_fid, 0, "OLD");
  P9_EXPECT_EQ(content_at({"f"}), std::string("NEW"));
}

TEST_F(Unlinked, UnopenedFidGetattrWorks) {
  P9_RULE("getattr on a walked (not open) fid of an unlinked file works, nlink 0",
          "Linux keeps dentry fids of open files; fstat(2) on an O_PATH descriptor");
  make_file(dir(), "f", "abc");
  std::uint32_t f = walk(dir(), {"f"});
  unlink_name("f");
  auto a = c().call<msg::Rgetattr>(msg::Tgetattr{f, GETATTR_ALL});
  P9_EXPECT_OK(a);
  if (a.ok()) P9_EXPECT_EQ(a->nlink, 0u);
}

TEST_F(Unlinked, OverwrittenByRenameKeepsOldData) {
  P9_RULE("a file replaced by rename stays readable through its open fid, with nlink 0",
          "rename(2): the replaced file is unlinked; unlink(2) open-file rule");
  std::uint32_t victim = create(dir(), "b", "victim");
  make_file(dir(), "a", "winner");
  auto r = rename_at(dir(), "a", dir(), "b");
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  P9_EXPECT_EQ(read(victim, 0, 100), std::string("victim"));
  P9_EXPECT_EQ(getattr(victim).nlink, 0u);
  P9_EXPECT_EQ(content_at({"b"}), std::string("winner"));
}

TEST_F(Unlinked, TwoOpenFidsShareTheOrphan) {
  P9_RULE("two open fids of one unlinked file see each other's writes",
          "unlink(2); one inode, many descriptors");
  std::uint32_t a = create(dir(), "f", "");
  std::uint32_t b = open({"f"}, access::RDWR);
  unlink_name("f");
  write(a, 0, "shared");
  P9_EXPECT_EQ(read(b, 0, 100), std::string("shared"));
}

TEST_F(Unlinked, RenamedByAnotherClientFidStillWorks) {
  P9_RULE("a fid keeps its file when another client renames it (setattr and read still work)",
          "rename(2); QEMU hw/9pfs/9p.c v9fs_fix_fid_paths (fids follow a rename)");
  std::uint32_t f = create(dir(), "f", "data");
  std::uint32_t w = walk(dir(), {"f"});
  auto other = connect_as(0);
  ASSERT_TRUE(other.client);
  auto r = rename_at(*other.client, other.dir, "f", other.dir, "g");
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  auto sa = setattr_mode(w, 0640);
  P9_EXPECT_OK(sa);
  if (!sa.ok()) return;
  P9_EXPECT_EQ(read(f, 0, 100), std::string("data"));
  P9_EXPECT_EQ(attr_at({"g"}).mode & 07777, 0640u);
}

TEST_F(Unlinked, RemovedDirectoryRefusesNewEntries) {
  P9_RULE("creating in a removed directory through an old fid fails with ENOENT",
          "fs/namei.c: IS_DEADDIR -> ENOENT (mkdir/open O_CREAT in a deleted directory)");
  mkdir(dir(), "d");
  std::uint32_t d = walk(dir(), {"d"});
  unlink_name("d", at::REMOVEDIR);
  auto m = c().call<msg::Rmkdir>(msg::Tmkdir{d, "x", 0755, 0});
  P9_EXPECT_ERRNO(m, NOENT);
  std::uint32_t d2 = walk(d, {});
  auto cr = c().call<msg::Rlcreate>(msg::Tlcreate{d2, "f", 2, 0644, 0});
  P9_EXPECT_ERRNO(cr, NOENT);
  auto a = c().call<msg::Rgetattr>(msg::Tgetattr{d, GETATTR_BASIC});
  P9_EXPECT_OK(a);
  if (a.ok()) P9_EXPECT_EQ(a->nlink, 0u);
}

TEST_F(Unlinked, ReaddirOfARemovedOpenDirectoryListsNothing) {
  P9_RULE("readdir of an open directory that was removed lists no entries (ENOENT, or an empty listing)",
          "fs/readdir.c iterate_dir: IS_DEADDIR -> ENOENT; glibc readdir turns that ENOENT into "
          "end-of-directory");
  mkdir(dir(), "d");
  make_file(walk(dir(), {"d"}), "f");
  std::uint32_t d = open({"d"}, access::RDONLY);
  auto rmf = unlink_at(walk(dir(), {"d"}), "f");
  P9_EXPECT_OK(rmf);
  unlink_name("d", at::REMOVEDIR);
  auto r = c().call<msg::Rreaddir>(msg::Treaddir{d, 0, 8192});
  std::vector<std::string> listed;
  if (r.ok())
    listed = names(r->entries);
  else
    P9_EXPECT_ERRNO(r, NOENT);
  P9_EXPECT_EQ(listed, std::vector<std::string>{});
}

}  // namespace
}  // namespace p9::conformance
