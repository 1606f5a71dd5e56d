// Contract: directories: getdents(2) listing and cookies, rename(2), unlink(2), rmdir(2), link counts.
#include "reference/fs/contract/contract.h"

namespace p9::fs::contract {
namespace {

class Directories : public Contract {};
P9_CONTRACT_TOPIC(Directories);

TEST_P(Directories, ReaddirOfRootDotDotIsRoot) {
  EXPECT_EQ(entry(root(), "..").ino, attr(root()).ino);
  EXPECT_EQ(entry(root(), ".").ino, attr(root()).ino);
}

TEST_P(Directories, ReaddirCookiesStableWhileAdding) {
  auto d = mkdir(root(), "d");
  for (int i = 0; i < 10; ++i) mkfile(d, "f" + std::to_string(i));
  auto f = open(d, RD);
  std::vector<std::string> got;
  std::uint64_t cookie = list_from(*f, 0, got, [&](const DirEntry&) { return got.size() < 6; });
  for (int i = 0; i < 5; ++i) mkfile(d, "new" + std::to_string(i));
  list_from(*f, cookie, got);
  std::multiset<std::string> seen(got.begin(), got.end());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(seen.count("f" + std::to_string(i)), 1u);
  EXPECT_EQ(seen.count("."), 1u);
  EXPECT_EQ(seen.count(".."), 1u);
  // readdir(3): whether an entry added meanwhile is listed is unspecified;
  // it is not listed twice.
  for (int i = 0; i < 5; ++i) EXPECT_LE(seen.count("new" + std::to_string(i)), 1u);
}

TEST_P(Directories, ReaddirCookiesStableWhileRemoving) {
  auto d = mkdir(root(), "d");
  for (int i = 0; i < 10; ++i) mkfile(d, "f" + std::to_string(i));
  auto f = open(d, RD);
  std::vector<std::string> got;
  std::uint64_t cookie = list_from(*f, 0, got, [](const DirEntry& e) { return e.name != "f4"; });
  // Remove the entry the cookie came from, one already listed, and one not yet listed.
  ASSERT_TRUE(be->unlink(kRoot, *d, "f3", false).ok());
  ASSERT_TRUE(be->unlink(kRoot, *d, "f1", false).ok());
  ASSERT_TRUE(be->unlink(kRoot, *d, "f7", false).ok());
  list_from(*f, cookie, got);
  std::multiset<std::string> seen(got.begin(), got.end());
  for (int i : {0, 2, 4, 5, 6, 8, 9}) EXPECT_EQ(seen.count("f" + std::to_string(i)), 1u) << i;
  EXPECT_LE(seen.count("f7"), 1u);  // readdir(3): a removed entry may still be listed
}

TEST_P(Directories, ReaddirOfFileIsENOTDIR) {
  auto f = open(mkfile(root(), "f"), RD);
  EXPECT_EQ(E(f->readdir(0, [](const DirEntry&) { return true; })), Errno::NOTDIR);
}

// A cookie above FILE_SIZE_MAX is a negative position: lseek(2) EINVAL
// (fs/read_write.c vfs_setpos), never a listing from somewhere.
TEST_P(Directories, ReaddirCookieAboveOffsetMaxIsEINVAL) {
  mkfile(root(), "f");
  auto d = open(root(), RD | oflag::DIRECTORY);
  int listed = 0;
  EXPECT_EQ(E(d->readdir(FILE_SIZE_MAX + 1, [&](const DirEntry&) { return ++listed, true; })), Errno::INVAL);
  EXPECT_EQ(E(d->readdir(~0ULL, [&](const DirEntry&) { return ++listed, true; })), Errno::INVAL);
  EXPECT_EQ(listed, 0);
}

// A removed directory cannot gain entries (Linux IS_DEADDIR: ENOENT) and has
// no links. (What readdir and ".." give on it differs: Linux iterate_dir
// says ENOENT, which glibc's readdir turns into the end of the directory.)
TEST_P(Directories, RemovedDirectoryIsDead) {
  auto r = root();
  auto d = mkdir(r, "d");
  ASSERT_TRUE(be->unlink(kRoot, *r, "d", true).ok());
  EXPECT_EQ(E(be->create(kRoot, *d, "x", RW, 0644, 0)), Errno::NOENT);
  EXPECT_EQ(E(be->mkdir(kRoot, *d, "x", 0755, 0)), Errno::NOENT);
  EXPECT_EQ(attr(d).nlink, 0u);
  EXPECT_EQ(attr(r).nlink, 2u);
}

TEST_P(Directories, LargeDirectory) {
  auto d = mkdir(root(), "big");
  for (int i = 0; i < 2000; ++i) mkfile(d, "file-" + std::to_string(i));
  EXPECT_EQ(entries(d).size(), 2002u);
  for (int i = 0; i < 2000; i += 97) EXPECT_TRUE(look(d, "file-" + std::to_string(i)));
  for (int i = 0; i < 2000; i += 2)
    ASSERT_TRUE(be->unlink(kRoot, *d, "file-" + std::to_string(i), false).ok());
  EXPECT_EQ(entries(d).size(), 1002u);
}

TEST_P(Directories, RenameFileOverFileReplacesIt) {
  auto r = root();
  auto a = mkfile(r, "a");
  auto b = mkfile(r, "b");
  ASSERT_TRUE(be->rename(kRoot, *r, "a", *r, "b").ok());
  EXPECT_EQ(E(be->lookup(kRoot, *r, "a")), Errno::NOENT);
  EXPECT_TRUE(be->same(*look(r, "b"), *a));
  EXPECT_EQ(attr(b).nlink, 0u);  // the old "b" has no name left
}

TEST_P(Directories, RenameFileOverDirIsEISDIR) {
  auto r = root();
  mkfile(r, "f");
  mkdir(r, "d");
  EXPECT_EQ(E(be->rename(kRoot, *r, "f", *r, "d")), Errno::ISDIR);
}

TEST_P(Directories, RenameDirOverFileIsENOTDIR) {
  auto r = root();
  mkfile(r, "f");
  mkdir(r, "d");
  EXPECT_EQ(E(be->rename(kRoot, *r, "d", *r, "f")), Errno::NOTDIR);
}

TEST_P(Directories, RenameDirOverEmptyDir) {
  auto r = root();
  auto a = mkdir(r, "a");
  mkdir(a, "sub");
  auto b = mkdir(r, "b");
  ASSERT_TRUE(be->rename(kRoot, *r, "a", *r, "b").ok());
  EXPECT_TRUE(be->same(*look(r, "b"), *a));
  EXPECT_EQ(attr(r).nlink, 3u);
  EXPECT_EQ(attr(b).nlink, 0u);  // the replaced directory is dead
  EXPECT_EQ(attr(a).nlink, 3u);
}

TEST_P(Directories, RenameDirOverNonEmptyDirIsENOTEMPTY) {
  auto r = root();
  mkdir(r, "a");
  auto b = mkdir(r, "b");
  mkfile(b, "x");
  EXPECT_EQ(E(be->rename(kRoot, *r, "a", *r, "b")), Errno::NOTEMPTY);
}

TEST_P(Directories, RenameBetweenHardLinksIsNoOp) {
  P9_NEEDS(hardlinks);
  auto r = root();
  auto f = mkfile(r, "a");
  ASSERT_TRUE(be->link(kRoot, *f, *r, "b").ok());
  Attr before = attr(r);
  tick();
  ASSERT_TRUE(be->rename(kRoot, *r, "a", *r, "b").ok());
  EXPECT_TRUE(look(r, "a"));
  EXPECT_TRUE(look(r, "b"));
  EXPECT_EQ(attr(f).nlink, 2u);
  EXPECT_EQ(attr(r).mtime, before.mtime);
}

TEST_P(Directories, RenameToSameNameIsNoOp) {
  auto r = root();
  mkfile(r, "a");
  EXPECT_TRUE(be->rename(kRoot, *r, "a", *r, "a").ok());
  EXPECT_TRUE(look(r, "a"));
}

TEST_P(Directories, RenameDirIntoItsOwnSubtreeIsEINVAL) {
  auto r = root();
  auto a = mkdir(r, "a");
  auto b = mkdir(a, "b");
  auto c = mkdir(b, "c");
  EXPECT_EQ(E(be->rename(kRoot, *r, "a", *c, "x")), Errno::INVAL);
  EXPECT_EQ(E(be->rename(kRoot, *r, "a", *a, "x")), Errno::INVAL);
}

TEST_P(Directories, RenameOverAncestorIsENOTEMPTY) {
  auto r = root();
  auto a = mkdir(r, "a");
  auto b = mkdir(a, "b");
  mkfile(b, "f");
  // Linux do_renameat2() checks the ancestor trap before the type rules.
  EXPECT_EQ(E(be->rename(kRoot, *b, "f", *r, "a")), Errno::NOTEMPTY);
  mkdir(b, "d");
  EXPECT_EQ(E(be->rename(kRoot, *b, "d", *r, "a")), Errno::NOTEMPTY);
}

TEST_P(Directories, RenameDotNamesIsEBUSY) {
  auto r = root();
  mkdir(r, "d");
  EXPECT_EQ(E(be->rename(kRoot, *r, ".", *r, "x")), Errno::BUSY);
  EXPECT_EQ(E(be->rename(kRoot, *r, "d", *r, "..")), Errno::BUSY);
}

TEST_P(Directories, RenameMissingIsENOENT) {
  auto r = root();
  EXPECT_EQ(E(be->rename(kRoot, *r, "none", *r, "x")), Errno::NOENT);
}

TEST_P(Directories, RenameDirAcrossParentsMovesDotDot) {
  auto r = root();
  auto p = mkdir(r, "p");
  auto q = mkdir(r, "q");
  auto d = mkdir(p, "d");
  ASSERT_TRUE(be->rename(kRoot, *p, "d", *q, "d2").ok());
  EXPECT_TRUE(be->same(*look(d, ".."), *q));
  EXPECT_EQ(attr(p).nlink, 2u);
  EXPECT_EQ(attr(q).nlink, 3u);
  EXPECT_EQ(entry(d, "..").ino, attr(q).ino);
}

TEST_P(Directories, UnlinkOfDirIsEISDIR) {
  auto r = root();
  mkdir(r, "d");
  EXPECT_EQ(E(be->unlink(kRoot, *r, "d", false)), Errno::ISDIR);
}

TEST_P(Directories, RmdirOfFileIsENOTDIR) {
  auto r = root();
  mkfile(r, "f");
  EXPECT_EQ(E(be->unlink(kRoot, *r, "f", true)), Errno::NOTDIR);
}

TEST_P(Directories, RmdirNonEmptyIsENOTEMPTY) {
  auto r = root();
  auto d = mkdir(r, "d");
  mkfile(d, "f");
  EXPECT_EQ(E(be->unlink(kRoot, *r, "d", true)), Errno::NOTEMPTY);
  ASSERT_TRUE(be->unlink(kRoot, *d, "f", false).ok());
  EXPECT_TRUE(be->unlink(kRoot, *r, "d", true).ok());
}

TEST_P(Directories, RemoveDotNames) {
  auto d = mkdir(root(), "d");
  EXPECT_EQ(E(be->unlink(kRoot, *d, ".", true)), Errno::INVAL);
  EXPECT_EQ(E(be->unlink(kRoot, *d, "..", true)), Errno::NOTEMPTY);
  EXPECT_EQ(E(be->unlink(kRoot, *d, ".", false)), Errno::ISDIR);
}

TEST_P(Directories, UnlinkMissingIsENOENT) {
  EXPECT_EQ(E(be->unlink(kRoot, *root(), "x", false)), Errno::NOENT);
}

TEST_P(Directories, DirectoryNlinkIsTwoPlusSubdirs) {
  auto r = root();
  auto d = mkdir(r, "d");
  EXPECT_EQ(attr(d).nlink, 2u);
  mkdir(d, "a");
  mkdir(d, "b");
  mkfile(d, "f");
  EXPECT_EQ(attr(d).nlink, 4u);
  EXPECT_EQ(attr(r).nlink, 3u);
}

TEST_P(Directories, ReaddirResumesFromCookiesAndResendsRefused) {
  for (int i = 0; i < 50; ++i) make_file(root(), "f" + std::to_string(i));
  auto o = be->open(kRoot, *root(), access::RDONLY);
  ASSERT_TRUE(o.ok());
  std::vector<std::string> seen;
  std::uint64_t cookie = 0;
  std::string refused;
  for (int round = 0; round < 100; ++round) {
    int taken = 0;
    bool more = false;
    ASSERT_TRUE((*o)->readdir(cookie,
                              [&](const fs::DirEntry& e) {
                                if (taken == 7) {
                                  refused = e.name;
                                  more = true;
                                  return false;
                                }
                                if (!refused.empty()) {
                                  EXPECT_EQ(e.name, refused) << "refused entry must come first next time";
                                  refused.clear();
                                }
                                seen.push_back(e.name);
                                cookie = e.next_cookie;
                                ++taken;
                                return true;
                              })
                    .ok());
    if (!more) break;
  }
  std::set<std::string> uniq(seen.begin(), seen.end());
  EXPECT_EQ(seen.size(), 52u);
  EXPECT_EQ(uniq.size(), 52u);
  // Past the end: nothing more.
  int extra = 0;
  ASSERT_TRUE((*o)->readdir(cookie, [&](const fs::DirEntry&) { return ++extra, true; }).ok());
  EXPECT_EQ(extra, 0);
}

}  // namespace
}  // namespace p9::fs::contract
