// Tests of the posix:DIR backend against a fresh temporary directory.
// The expected errnos are what Linux gives for the same system calls.
#include "reference/posix/posix_backend.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace p9::posix {
namespace {

using fs::Cred;
using fs::FileType;
using fs::NodeRef;

const Cred kRoot{0, 0, {}};
const Cred kUser{1000, 1000, {}};

std::string make_temp_dir() {
  const char* t = std::getenv("TMPDIR");
  std::string tmpl = std::string(t != nullptr && *t != '\0' ? t : "/tmp") + "/p9posix.XXXXXX";
  char* p = ::mkdtemp(tmpl.data());
  if (p == nullptr) return {};
  return tmpl;
}

class PosixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    ASSERT_FALSE(dir_.empty()) << "mkdtemp failed";
    std::string err;
    be_ = PosixBackend::open(dir_, &err);
    ASSERT_NE(be_, nullptr) << err;
    auto r = be_->root();
    ASSERT_TRUE(r.ok());
    root_ = *r;
  }
  void TearDown() override {
    root_.reset();
    be_.reset();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  std::string host(const std::string& rel) const { return dir_ + "/" + rel; }

  NodeRef look(const NodeRef& d, std::string_view name, const Cred& c = kRoot) {
    auto r = be_->lookup(c, *d, name);
    EXPECT_TRUE(r.ok()) << name << ": " << errno_name(static_cast<std::uint32_t>(r.error()));
    return r.ok() ? *r : nullptr;
  }
  Errno look_err(const NodeRef& d, std::string_view name, const Cred& c = kRoot) {
    auto r = be_->lookup(c, *d, name);
    return r.ok() ? Errno::OK : r.error();
  }
  fs::Backend::Created make_file(const NodeRef& d, std::string_view name, const std::string& data = "",
                                 std::uint32_t mode = 0644, const Cred& c = kRoot) {
    auto r = be_->create(c, *d, name, access::RDWR, mode, c.gid);
    EXPECT_TRUE(r.ok()) << name;
    if (!r.ok()) return {};
    if (!data.empty()) {
      auto w = r->file->write(0, reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
      EXPECT_TRUE(w.ok());
    }
    return std::move(*r);
  }
  std::string read_all(fs::OpenFile& f) {
    std::string out;
    std::uint8_t buf[4096];
    for (;;) {
      auto r = f.read(out.size(), buf, sizeof buf);
      EXPECT_TRUE(r.ok());
      if (!r.ok() || *r == 0) return out;
      out.append(reinterpret_cast<char*>(buf), *r);
    }
  }
  fs::Attr attr(const NodeRef& n) {
    auto r = be_->getattr(*n);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : fs::Attr{};
  }
  // Whole listing, name → entry.
  std::map<std::string, fs::DirEntry> list(const NodeRef& d) {
    std::map<std::string, fs::DirEntry> out;
    auto f = be_->open(kRoot, *d, access::RDONLY | oflag::DIRECTORY);
    EXPECT_TRUE(f.ok());
    if (!f.ok()) return out;
    auto r = (*f)->readdir(0, [&](const fs::DirEntry& e) {
      EXPECT_EQ(out.count(e.name), 0u) << "listed twice: " << e.name;
      out[e.name] = e;
      return true;
    });
    EXPECT_TRUE(r.ok());
    return out;
  }

  std::string dir_;
  std::unique_ptr<PosixBackend> be_;
  NodeRef root_;
};

const std::uint8_t* bytes(const std::string& s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }

// ---- construction, errno mapping ----

TEST(PosixOpen, MissingDirectoryIsAnError) {
  std::string err;
  EXPECT_EQ(PosixBackend::open("/nonexistent/p9posix-test", &err), nullptr);
  EXPECT_NE(err.find("No such file"), std::string::npos) << err;
}

TEST(PosixOpen, RegularFileIsNotADirectory) {
  std::string d = make_temp_dir();
  ASSERT_FALSE(d.empty());
  std::string f = d + "/file";
  int fd = ::open(f.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::string err;
  EXPECT_EQ(PosixBackend::open(f, &err), nullptr);
  EXPECT_NE(err.find("Not a directory"), std::string::npos) << err;
  PosixBackend b(f);
  auto r = b.root();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Errno::NOTDIR);
  std::filesystem::remove_all(d);
}

TEST(PosixErrno, MapsHostErrnoAndUnknownToEio) {
  EXPECT_EQ(from_host_errno(ENOENT), Errno::NOENT);
  EXPECT_EQ(from_host_errno(EACCES), Errno::ACCES);
  EXPECT_EQ(from_host_errno(ENOTEMPTY), Errno::NOTEMPTY);
  EXPECT_EQ(from_host_errno(EOPNOTSUPP), Errno::OPNOTSUPP);
  EXPECT_EQ(from_host_errno(ENODATA), Errno::NODATA);
  EXPECT_EQ(from_host_errno(ENOTCONN), Errno::IO);  // not in spec/errno.def
  EXPECT_EQ(from_host_errno(0), Errno::IO);
}

TEST(PosixFlags, KeepsWhatMattersDropsTheRest) {
  EXPECT_EQ(host_open_flags(access::RDWR | oflag::TRUNC | oflag::APPEND), O_RDWR | O_TRUNC | O_APPEND);
  EXPECT_EQ(host_open_flags(access::RDONLY | oflag::DIRECTORY), O_RDONLY | O_DIRECTORY);
  EXPECT_EQ(host_open_flags(access::WRONLY | oflag::DIRECT | oflag::NOATIME | oflag::CREAT | oflag::EXCL |
                            oflag::NOFOLLOW | oflag::LARGEFILE | oflag::CLOEXEC),
            O_WRONLY);
}

TEST_F(PosixTest, ProfileAndRoot) {
  auto p = be_->profile();
  EXPECT_EQ(p.name, "posix");
  EXPECT_EQ(p.ownership, ::geteuid() == 0);
  auto a = attr(root_);
  EXPECT_EQ(a.type, FileType::Directory);
  struct stat st;
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(a.ino, st.st_ino);
  EXPECT_EQ(a.mode, st.st_mode);
  EXPECT_EQ(be_->check_invariants(), "");
}

// ---- confinement ----

TEST_F(PosixTest, DotDotOfRootIsRoot) {
  auto up = look(root_, "..");
  ASSERT_NE(up, nullptr);
  EXPECT_TRUE(be_->same(*up, *root_));
  auto upup = look(up, "..");
  ASSERT_NE(upup, nullptr);
  EXPECT_TRUE(be_->same(*upup, *root_));
  auto dot = look(root_, ".");
  ASSERT_NE(dot, nullptr);
  EXPECT_TRUE(be_->same(*dot, *root_));
  // A root reached through "." is still recognised as the root.
  auto up2 = look(dot, "..");
  ASSERT_NE(up2, nullptr);
  EXPECT_TRUE(be_->same(*up2, *root_));
}

TEST_F(PosixTest, DotDotOfSubdirectoryIsItsParent) {
  auto a = be_->mkdir(kRoot, *root_, "a", 0755, 0);
  ASSERT_TRUE(a.ok());
  auto b = be_->mkdir(kRoot, **a, "b", 0755, 0);
  ASSERT_TRUE(b.ok());
  auto p = look(*b, "..");
  EXPECT_TRUE(be_->same(*p, **a));
  auto pp = look(p, "..");
  EXPECT_TRUE(be_->same(*pp, *root_));
  auto ppp = look(pp, "..");
  EXPECT_TRUE(be_->same(*ppp, *root_));
}

TEST_F(PosixTest, SymlinkOutsideIsNeverFollowed) {
  ASSERT_EQ(::symlink("/etc", host("x").c_str()), 0);
  ASSERT_EQ(::symlink("../..", host("y").c_str()), 0);
  for (const char* nm : {"x", "y"}) {
    auto n = look(root_, nm);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(attr(n).type, FileType::Symlink) << nm;
    // Walking "through" it does not work: it is not a directory.
    EXPECT_EQ(look_err(n, "passwd"), Errno::NOTDIR) << nm;
    EXPECT_EQ(look_err(n, ".."), Errno::NOTDIR) << nm;
    auto o = be_->open(kRoot, *n, access::RDONLY);
    ASSERT_FALSE(o.ok());
    EXPECT_EQ(o.error(), Errno::LOOP) << nm;
    auto o2 = be_->open(kRoot, *n, access::RDONLY | oflag::DIRECTORY);
    ASSERT_FALSE(o2.ok());
    // setattr size and xattrs do not reach the target either.
    fs::SetAttr sa;
    sa.size = 0;
    EXPECT_EQ(be_->setattr(kRoot, *n, sa).error(), Errno::INVAL);
    // Linux fs/xattr.c xattr_permission(): user.* on a symlink reads as ENODATA,
    // other namespaces cannot be reached through the node at all.
    EXPECT_EQ(be_->getxattr(kRoot, *n, "user.x").error(), Errno::NODATA);
    EXPECT_EQ(be_->getxattr(kRoot, *n, "trusted.x").error(), Errno::OPNOTSUPP);
  }
  EXPECT_EQ(*be_->readlink(*look(root_, "x")), "/etc");
  EXPECT_EQ(*be_->readlink(*look(root_, "y")), "../..");
}

TEST_F(PosixTest, SymlinkSetattrActsOnTheLinkItself) {
  ASSERT_EQ(::symlink("/etc/passwd", host("l").c_str()), 0);
  struct stat before;
  ASSERT_EQ(::stat("/etc/passwd", &before), 0);
  auto n = look(root_, "l");
  fs::SetAttr sa;
  sa.mtime.how = fs::TimeSet::How::Value;
  sa.mtime.value = {12345, 0};
  ASSERT_TRUE(be_->setattr(kRoot, *n, sa).ok());
  EXPECT_EQ(attr(n).mtime.sec, 12345);
  if (::geteuid() == 0) {  // giving a file away needs CAP_CHOWN
    fs::SetAttr own;
    own.uid = 4321;
    own.gid = 4321;
    ASSERT_TRUE(be_->setattr(kRoot, *n, own).ok());
    EXPECT_EQ(attr(n).uid, 4321u);
  }
  fs::SetAttr md;
  md.mode = 0600;
  EXPECT_EQ(be_->setattr(kRoot, *n, md).error(), Errno::OPNOTSUPP);
  struct stat after;
  ASSERT_EQ(::stat("/etc/passwd", &after), 0);
  EXPECT_EQ(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
  EXPECT_EQ(before.st_uid, after.st_uid);
  EXPECT_EQ(before.st_mode, after.st_mode);
}

TEST_F(PosixTest, LookupErrors) {
  EXPECT_EQ(look_err(root_, "missing"), Errno::NOENT);
  auto f = make_file(root_, "f");
  EXPECT_EQ(look_err(f.node, "x"), Errno::NOTDIR);
  EXPECT_EQ(look_err(f.node, ".."), Errno::NOTDIR);
}

// ---- files ----

TEST_F(PosixTest, CreateWriteRead) {
  auto c = make_file(root_, "f", "hello, world");
  ASSERT_NE(c.node, nullptr);
  EXPECT_EQ(read_all(*c.file), "hello, world");
  auto a = attr(c.node);
  EXPECT_EQ(a.type, FileType::Regular);
  EXPECT_EQ(a.size, 12u);
  EXPECT_EQ(a.nlink, 1u);
  EXPECT_EQ(a.mode & 07777, 0644u);
  auto n = look(root_, "f");
  EXPECT_TRUE(be_->same(*n, *c.node));
  auto o = be_->open(kRoot, *n, access::RDONLY);
  ASSERT_TRUE(o.ok());
  std::uint8_t buf[5];
  auto r = (*o)->read(7, buf, 5);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), *r), "world");
  EXPECT_EQ(*(*o)->read(100, buf, 5), 0u);
}

TEST_F(PosixTest, CreateExistingIsEexist) {
  make_file(root_, "f");
  auto r = be_->create(kRoot, *root_, "f", access::RDWR, 0644, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Errno::EXIST);
  ASSERT_TRUE(be_->mkdir(kRoot, *root_, "d", 0755, 0).ok());
  EXPECT_EQ(be_->create(kRoot, *root_, "d", access::RDWR, 0644, 0).error(), Errno::EXIST);
  // A dangling symlink's name is taken too (O_CREAT|O_EXCL never follows).
  ASSERT_EQ(::symlink("/tmp/p9posix-nowhere", host("dangling").c_str()), 0);
  EXPECT_EQ(be_->create(kRoot, *root_, "dangling", access::RDWR, 0644, 0).error(), Errno::EXIST);
  EXPECT_NE(::access("/tmp/p9posix-nowhere", F_OK), 0);
}

TEST_F(PosixTest, CreateModeIsNotNarrowedByUmask) {
  mode_t old = ::umask(022);
  auto c = make_file(root_, "f", "", 0666);
  auto d = be_->mkdir(kRoot, *root_, "d", 0777, 0);
  ::umask(old);
  EXPECT_EQ(attr(c.node).mode & 07777, 0666u);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(attr(*d).mode & 07777, 0777u);
}

TEST_F(PosixTest, OpenTruncAndAppend) {
  auto c = make_file(root_, "f", "0123456789");
  c.file.reset();
  auto o = be_->open(kRoot, *c.node, access::WRONLY | oflag::APPEND);
  ASSERT_TRUE(o.ok());
  ASSERT_TRUE((*o)->write(0, bytes("ab"), 2).ok());  // at EOF whatever the offset
  EXPECT_EQ(attr(c.node).size, 12u);
  auto r = be_->open(kRoot, *c.node, access::RDONLY);
  EXPECT_EQ(read_all(**r), "0123456789ab");
  auto t = be_->open(kRoot, *c.node, access::WRONLY | oflag::TRUNC);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(attr(c.node).size, 0u);
}

TEST_F(PosixTest, OpenModeErrors) {
  auto c = make_file(root_, "f", "data");
  auto ro = be_->open(kRoot, *c.node, access::RDONLY);
  ASSERT_TRUE(ro.ok());
  EXPECT_EQ((*ro)->write(0, bytes("x"), 1).error(), Errno::BADF);
  auto wo = be_->open(kRoot, *c.node, access::WRONLY);
  ASSERT_TRUE(wo.ok());
  std::uint8_t b[4];
  EXPECT_EQ((*wo)->read(0, b, 4).error(), Errno::BADF);
  EXPECT_EQ(be_->open(kRoot, *c.node, access::RDONLY | oflag::DIRECTORY).error(), Errno::NOTDIR);
  EXPECT_EQ((*ro)->readdir(0, [](const fs::DirEntry&) { return true; }).error(), Errno::NOTDIR);
  EXPECT_EQ(be_->open(kRoot, *root_, access::WRONLY).error(), Errno::ISDIR);
  EXPECT_EQ(be_->open(kRoot, *root_, access::RDWR).error(), Errno::ISDIR);
  auto dr = be_->open(kRoot, *root_, access::RDONLY);
  ASSERT_TRUE(dr.ok());
  EXPECT_EQ((*dr)->read(0, b, 4).error(), Errno::ISDIR);
}

TEST_F(PosixTest, OpenUnlinkedFileKeepsWorking) {
  auto c = make_file(root_, "f", "still here");
  ASSERT_TRUE(be_->unlink(kRoot, *root_, "f", false).ok());
  EXPECT_EQ(look_err(root_, "f"), Errno::NOENT);
  auto a = attr(c.node);
  EXPECT_EQ(a.nlink, 0u);
  EXPECT_EQ(a.size, 10u);
  EXPECT_EQ(read_all(*c.file), "still here");
  // A new open of the unlinked node, and a setattr, still work.
  auto o = be_->open(kRoot, *c.node, access::RDWR);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(read_all(**o), "still here");
  fs::SetAttr sa;
  sa.size = 5;
  sa.mode = 0600;
  ASSERT_TRUE(be_->setattr(kRoot, *c.node, sa).ok());
  EXPECT_EQ(read_all(**o), "still");
  EXPECT_EQ(attr(c.node).mode & 07777, 0600u);
  // A new name cannot be given to it (link(2) of an unlinked file: ENOENT).
  EXPECT_EQ(be_->link(kRoot, *c.node, *root_, "again").error(), Errno::NOENT);
}

TEST_F(PosixTest, NodeSurvivesRename) {
  auto c = make_file(root_, "f", "abc");
  ASSERT_TRUE(be_->mkdir(kRoot, *root_, "d", 0755, 0).ok());
  auto d = look(root_, "d");
  ASSERT_TRUE(be_->rename(kRoot, *root_, "f", *d, "g").ok());
  fs::SetAttr sa;
  sa.size = 1;
  ASSERT_TRUE(be_->setattr(kRoot, *c.node, sa).ok());
  struct stat st;
  ASSERT_EQ(::stat(host("d/g").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 1);
}

TEST_F(PosixTest, SetattrRules) {
  auto c = make_file(root_, "f", "0123456789");
  fs::SetAttr sa;
  sa.size = 3;
  sa.mode = 0640;
  const bool root = ::geteuid() == 0;  // giving a file away needs CAP_CHOWN
  if (root) {
    sa.uid = 1234;
    sa.gid = 5678;
  }
  sa.atime.how = fs::TimeSet::How::Value;
  sa.atime.value = {1000, 5};
  sa.mtime.how = fs::TimeSet::How::Value;
  sa.mtime.value = {2000, 7};
  ASSERT_TRUE(be_->setattr(kRoot, *c.node, sa).ok());
  auto a = attr(c.node);
  EXPECT_EQ(a.size, 3u);
  EXPECT_EQ(a.mode & 07777, 0640u);
  if (root) {
    EXPECT_EQ(a.uid, 1234u);
    EXPECT_EQ(a.gid, 5678u);
  }
  EXPECT_EQ(a.atime, (fs::Timespec{1000, 5}));
  EXPECT_EQ(a.mtime, (fs::Timespec{2000, 7}));
  fs::SetAttr sz;
  sz.size = 0;
  EXPECT_EQ(be_->setattr(kRoot, *root_, sz).error(), Errno::ISDIR);
  auto fifo = be_->mknod(kRoot, *root_, "p", file_type::FIFO | 0644, 0, 0);
  ASSERT_TRUE(fifo.ok());
  EXPECT_EQ(be_->setattr(kRoot, **fifo, sz).error(), Errno::INVAL);
}

TEST_F(PosixTest, SetattrCtimeOnlyTouchesCtime) {
  auto c = make_file(root_, "f");
  fs::SetAttr old;
  old.mtime.how = fs::TimeSet::How::Value;
  old.mtime.value = {100, 0};
  ASSERT_TRUE(be_->setattr(kRoot, *c.node, old).ok());
  auto before = attr(c.node);
  ::usleep(20000);
  fs::SetAttr sa;
  sa.ctime_only = true;
  ASSERT_TRUE(be_->setattr(kRoot, *c.node, sa).ok());
  auto after = attr(c.node);
  EXPECT_TRUE(after.ctime.sec > before.ctime.sec ||
              (after.ctime.sec == before.ctime.sec && after.ctime.nsec > before.ctime.nsec));
  EXPECT_EQ(after.mtime, before.mtime);
  EXPECT_EQ(after.mode, before.mode);
}

// ---- directories ----

TEST_F(PosixTest, ReaddirListsEverythingWithDots) {
  make_file(root_, "a");
  ASSERT_TRUE(be_->mkdir(kRoot, *root_, "d", 0755, 0).ok());
  ASSERT_TRUE(be_->symlink(kRoot, *root_, "l", "a", 0).ok());
  auto l = list(root_);
  ASSERT_EQ(l.size(), 5u);
  EXPECT_EQ(l["a"].type, FileType::Regular);
  EXPECT_EQ(l["d"].type, FileType::Directory);
  EXPECT_EQ(l["l"].type, FileType::Symlink);
  EXPECT_EQ(l["."].type, FileType::Directory);
  auto rino = attr(root_).ino;
  EXPECT_EQ(l["."].ino, rino);
  EXPECT_EQ(l[".."].ino, rino);  // the root's parent is never shown
  EXPECT_EQ(l["a"].ino, attr(look(root_, "a")).ino);
  // In a subdirectory ".." is the real parent.
  auto sub = list(look(root_, "d"));
  EXPECT_EQ(sub[".."].ino, rino);
  EXPECT_EQ(sub.size(), 2u);
}

TEST_F(PosixTest, ReaddirResumesFromCookiesAndResendsRefused) {
  for (int i = 0; i < 50; ++i) make_file(root_, "f" + std::to_string(i));
  auto o = be_->open(kRoot, *root_, access::RDONLY);
  ASSERT_TRUE(o.ok());
  std::vector<std::string> seen;
  std::uint64_t cookie = 0;
  std::string refused;
  for (int round = 0; round < 100; ++round) {
    int taken = 0;
    bool more = false;
    ASSERT_TRUE((*o)->readdir(cookie, [&](const fs::DirEntry& e) {
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
                   }).ok());
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

TEST_F(PosixTest, ReaddirCookiesSurviveChanges) {
  for (int i = 0; i < 200; ++i) make_file(root_, "keep" + std::to_string(i));
  for (int i = 0; i < 50; ++i) make_file(root_, "gone" + std::to_string(i));
  auto o = be_->open(kRoot, *root_, access::RDONLY);
  ASSERT_TRUE(o.ok());
  std::multiset<std::string> seen;
  std::uint64_t cookie = 0;
  int n = 0;
  ASSERT_TRUE((*o)->readdir(0, [&](const fs::DirEntry& e) {
                   if (n == 100) return false;
                   seen.insert(e.name);
                   cookie = e.next_cookie;
                   ++n;
                   return true;
                 }).ok());
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(be_->unlink(kRoot, *root_, "gone" + std::to_string(i), false).ok());
  for (int i = 0; i < 50; ++i) make_file(root_, "new" + std::to_string(i));
  // Resume with a fresh OpenFile too: the cookie belongs to the directory.
  auto o2 = be_->open(kRoot, *root_, access::RDONLY);
  ASSERT_TRUE((*o2)->readdir(cookie, [&](const fs::DirEntry& e) {
                    seen.insert(e.name);
                    return true;
                  }).ok());
  for (int i = 0; i < 200; ++i) EXPECT_EQ(seen.count("keep" + std::to_string(i)), 1u) << i;
  EXPECT_EQ(seen.count("."), 1u);
  EXPECT_EQ(seen.count(".."), 1u);
}

TEST_F(PosixTest, MkdirRmdirErrnos) {
  auto d = be_->mkdir(kRoot, *root_, "d", 0755, 0);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(be_->mkdir(kRoot, *root_, "d", 0755, 0).error(), Errno::EXIST);
  make_file(*d, "inner");
  make_file(root_, "f");
  EXPECT_EQ(be_->unlink(kRoot, *root_, "d", true).error(), Errno::NOTEMPTY);
  EXPECT_EQ(be_->unlink(kRoot, *root_, "d", false).error(), Errno::ISDIR);
  EXPECT_EQ(be_->unlink(kRoot, *root_, "f", true).error(), Errno::NOTDIR);
  EXPECT_EQ(be_->unlink(kRoot, *root_, "missing", false).error(), Errno::NOENT);
  EXPECT_EQ(be_->unlink(kRoot, *root_, "missing", true).error(), Errno::NOENT);
  ASSERT_TRUE(be_->unlink(kRoot, **d, "inner", false).ok());
  ASSERT_TRUE(be_->unlink(kRoot, *root_, "d", true).ok());
  EXPECT_EQ(look_err(root_, "d"), Errno::NOENT);
  // The removed directory's node: creating in it fails as on Linux.
  EXPECT_EQ(be_->create(kRoot, **d, "x", access::RDWR, 0644, 0).error(), Errno::NOENT);
}

TEST_F(PosixTest, RenameErrnos) {
  make_file(root_, "f1", "one");
  make_file(root_, "f2", "two");
  auto d1 = *be_->mkdir(kRoot, *root_, "d1", 0755, 0);
  auto d2 = *be_->mkdir(kRoot, *root_, "d2", 0755, 0);
  auto full = *be_->mkdir(kRoot, *root_, "full", 0755, 0);
  make_file(full, "x");
  auto sub = *be_->mkdir(kRoot, *d1, "sub", 0755, 0);
  EXPECT_EQ(be_->rename(kRoot, *root_, "f1", *root_, "d2").error(), Errno::ISDIR);
  EXPECT_EQ(be_->rename(kRoot, *root_, "d2", *root_, "f1").error(), Errno::NOTDIR);
  EXPECT_EQ(be_->rename(kRoot, *root_, "d1", *root_, "full").error(), Errno::NOTEMPTY);
  EXPECT_EQ(be_->rename(kRoot, *root_, "d1", *sub, "x").error(), Errno::INVAL);
  EXPECT_EQ(be_->rename(kRoot, *root_, "nope", *root_, "y").error(), Errno::NOENT);
  // Overwrites that are allowed.
  ASSERT_TRUE(be_->rename(kRoot, *root_, "f1", *root_, "f2").ok());
  EXPECT_EQ(read_all(**be_->open(kRoot, *look(root_, "f2"), access::RDONLY)), "one");
  ASSERT_TRUE(be_->rename(kRoot, *root_, "d1", *root_, "d2").ok());  // over an empty directory
  EXPECT_EQ(look_err(root_, "d1"), Errno::NOENT);
  auto moved = look(root_, "d2");
  EXPECT_EQ(look_err(moved, "sub"), Errno::OK);
  // Same name: nothing happens.
  ASSERT_TRUE(be_->rename(kRoot, *root_, "f2", *root_, "f2").ok());
}

// ---- links ----

TEST_F(PosixTest, HardLinksCountNlink) {
  auto c = make_file(root_, "f", "x");
  auto d = *be_->mkdir(kRoot, *root_, "d", 0755, 0);
  ASSERT_TRUE(be_->link(kRoot, *c.node, *d, "g").ok());
  EXPECT_EQ(attr(c.node).nlink, 2u);
  EXPECT_TRUE(be_->same(*look(d, "g"), *c.node));
  EXPECT_EQ(be_->link(kRoot, *c.node, *d, "g").error(), Errno::EXIST);
  EXPECT_EQ(be_->link(kRoot, *d, *root_, "dirlink").error(), Errno::PERM);
  ASSERT_TRUE(be_->unlink(kRoot, *root_, "f", false).ok());
  EXPECT_EQ(attr(c.node).nlink, 1u);
  EXPECT_EQ(attr(d).nlink, 2u);
  EXPECT_EQ(attr(root_).nlink, 3u);
}

TEST_F(PosixTest, HardLinkToSymlinkLinksTheSymlink) {
  auto s = be_->symlink(kRoot, *root_, "s", "/etc/passwd", 0);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(be_->link(kRoot, **s, *root_, "s2").ok());
  auto s2 = look(root_, "s2");
  EXPECT_EQ(attr(s2).type, FileType::Symlink);
  EXPECT_EQ(attr(s2).nlink, 2u);
  EXPECT_EQ(*be_->readlink(*s2), "/etc/passwd");
}

TEST_F(PosixTest, SymlinkAndReadlink) {
  auto s = be_->symlink(kRoot, *root_, "s", "some/where/far", 0);
  ASSERT_TRUE(s.ok());
  auto a = attr(*s);
  EXPECT_EQ(a.type, FileType::Symlink);
  EXPECT_EQ(a.size, 14u);
  EXPECT_EQ(*be_->readlink(**s), "some/where/far");
  std::string longt(3000, 'z');
  auto l = be_->symlink(kRoot, *root_, "long", longt, 0);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(*be_->readlink(**l), longt);
  auto f = make_file(root_, "f");
  EXPECT_EQ(be_->readlink(*f.node).error(), Errno::INVAL);
  EXPECT_EQ(be_->readlink(*root_).error(), Errno::INVAL);
  EXPECT_EQ(be_->symlink(kRoot, *root_, "s", "x", 0).error(), Errno::EXIST);
}

// ---- special files ----

TEST_F(PosixTest, MknodFifoAndSocket) {
  auto p = be_->mknod(kRoot, *root_, "p", file_type::FIFO | 0640, 0, 0);
  ASSERT_TRUE(p.ok());
  auto a = attr(*p);
  EXPECT_EQ(a.type, FileType::Fifo);
  EXPECT_EQ(a.mode & 07777, 0640u);
  // Opening it for reading does not wait for a writer.
  auto o = be_->open(kRoot, **p, access::RDONLY);
  ASSERT_TRUE(o.ok());
  auto s = be_->mknod(kRoot, *root_, "sock", file_type::SOCK | 0600, 0, 0);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(attr(*s).type, FileType::Socket);
  EXPECT_EQ(be_->open(kRoot, **s, access::RDONLY).error(), Errno::NXIO);
  EXPECT_EQ(list(root_)["p"].type, FileType::Fifo);
  EXPECT_EQ(be_->mknod(kRoot, *root_, "p", file_type::FIFO | 0640, 0, 0).error(), Errno::EXIST);
}

TEST_F(PosixTest, MknodDeviceNeedsRootAndIsNeverOpened) {
  auto rdev = fs::make_rdev(1, 3);  // /dev/null
  auto as_user = be_->mknod(kUser, *root_, "u", file_type::CHR | 0666, rdev, kUser.gid);
  if (::geteuid() != 0) {
    // Not root: even "root" credentials are the process's own.
    EXPECT_EQ(be_->mknod(kRoot, *root_, "n", file_type::CHR | 0666, rdev, 0).error(), Errno::PERM);
    GTEST_SKIP() << "not running as root: cannot create device nodes";
  }
  EXPECT_FALSE(as_user.ok());  // uid 1000 cannot write the 0700 root-owned temp dir, nor mknod a device
  auto n = be_->mknod(kRoot, *root_, "n", file_type::CHR | 0666, rdev, 0);
  if (!n.ok() && n.error() == Errno::PERM) GTEST_SKIP() << "no CAP_MKNOD in this container";
  ASSERT_TRUE(n.ok());
  auto a = attr(*n);
  EXPECT_EQ(a.type, FileType::CharDev);
  EXPECT_EQ(a.rdev, rdev);
  EXPECT_EQ(be_->open(kRoot, **n, access::RDWR).error(), Errno::ACCES);  // nodev policy
}

// ---- xattrs ----

bool user_xattrs_supported(const std::string& dir) {
  std::string f = dir + "/.xattr-probe";
  int fd = ::open(f.c_str(), O_CREAT | O_WRONLY, 0644);
  if (fd < 0) return false;
  ::close(fd);
  int r = ::setxattr(f.c_str(), "user.probe", "1", 1, 0);
  ::unlink(f.c_str());
  return r == 0;
}

TEST_F(PosixTest, Xattrs) {
  if (!user_xattrs_supported(dir_))
    GTEST_SKIP() << "the file system of " << dir_ << " refuses user.* xattrs (tmpfs before Linux 6.6?)";
  auto c = make_file(root_, "f");
  auto& n = *c.node;
  EXPECT_EQ(be_->getxattr(kRoot, n, "user.a").error(), Errno::NODATA);
  ASSERT_TRUE(be_->setxattr(kRoot, n, "user.a", std::string("v\0al", 4), fs::XattrFlags::Create).ok());
  EXPECT_EQ(be_->setxattr(kRoot, n, "user.a", "x", fs::XattrFlags::Create).error(), Errno::EXIST);
  EXPECT_EQ(be_->setxattr(kRoot, n, "user.b", "x", fs::XattrFlags::Replace).error(), Errno::NODATA);
  EXPECT_EQ(*be_->getxattr(kRoot, n, "user.a"), std::string("v\0al", 4));
  ASSERT_TRUE(be_->setxattr(kRoot, n, "user.b", "", fs::XattrFlags::Any).ok());
  EXPECT_EQ(*be_->getxattr(kRoot, n, "user.b"), "");
  auto names = be_->listxattr(kRoot, n);
  ASSERT_TRUE(names.ok());
  std::set<std::string> s(names->begin(), names->end());
  EXPECT_EQ(s.count("user.a"), 1u);
  EXPECT_EQ(s.count("user.b"), 1u);
  ASSERT_TRUE(be_->removexattr(kRoot, n, "user.a").ok());
  EXPECT_EQ(be_->removexattr(kRoot, n, "user.a").error(), Errno::NODATA);
  EXPECT_EQ(be_->getxattr(kRoot, n, "user.a").error(), Errno::NODATA);
  // Directories carry them too.
  ASSERT_TRUE(be_->setxattr(kRoot, *root_, "user.d", "dir", fs::XattrFlags::Any).ok());
  EXPECT_EQ(*be_->getxattr(kRoot, *root_, "user.d"), "dir");
  // Unknown namespace.
  EXPECT_EQ(be_->setxattr(kRoot, n, "bogus.x", "1", fs::XattrFlags::Any).error(), Errno::OPNOTSUPP);
}

// ---- locks ----

fs::LockRange lk(fs::LockType t, std::uint64_t start, std::uint64_t len, std::uint32_t pid,
                 const std::string& client = "c") {
  fs::LockRange r;
  r.type = t;
  r.start = start;
  r.length = len;
  r.proc_id = pid;
  r.client_id = client;
  return r;
}

TEST_F(PosixTest, LocksConflictBetweenOwnersOnly) {
  auto c = make_file(root_, "f", "data");
  auto o2 = be_->open(kRoot, *c.node, access::RDWR).value();
  auto& a = *c.file;
  auto& b = *o2;
  using fs::LockResult;
  using fs::LockType;
  EXPECT_EQ(*a.lock(lk(LockType::Write, 0, 10, 1)), LockResult::Granted);
  EXPECT_EQ(*b.lock(lk(LockType::Read, 5, 1, 2)), LockResult::WouldBlock);
  EXPECT_EQ(*b.lock(lk(LockType::Read, 5, 1, 1, "other-host")), LockResult::WouldBlock);
  EXPECT_EQ(*b.lock(lk(LockType::Write, 10, 0, 2)), LockResult::Granted);  // [10, EOF)
  // The same owner through another OpenFile: no conflict, it converts.
  EXPECT_EQ(*b.lock(lk(LockType::Read, 0, 5, 1)), LockResult::Granted);
  auto g = a.getlock(lk(LockType::Read, 0, 0, 3));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->type, LockType::Write);  // [5,10) of owner 1 is still a write lock
  EXPECT_EQ(g->start, 5u);
  EXPECT_EQ(g->length, 5u);
  EXPECT_EQ(g->proc_id, 1u);
  EXPECT_EQ(g->client_id, "c");
  auto g2 = a.getlock(lk(LockType::Read, 20, 5, 3));
  EXPECT_EQ(g2->type, LockType::Write);
  EXPECT_EQ(g2->start, 10u);
  EXPECT_EQ(g2->length, 0u);  // to end of file
  EXPECT_EQ(g2->proc_id, 2u);
  auto none = a.getlock(lk(LockType::Read, 0, 5, 3));  // owner 1 holds a read lock there
  EXPECT_EQ(none->type, LockType::Unlock);
  EXPECT_EQ(none->start, 0u);
  EXPECT_EQ(none->length, 5u);
  // Own locks are never reported.
  EXPECT_EQ(a.getlock(lk(LockType::Write, 5, 5, 1))->type, LockType::Unlock);
  EXPECT_EQ(a.getlock(lk(LockType::Unlock, 0, 0, 1)).error(), Errno::INVAL);
}

TEST_F(PosixTest, LockSplitMergeAndUnlock) {
  auto c = make_file(root_, "f");
  auto& f = *c.file;
  using fs::LockResult;
  using fs::LockType;
  ASSERT_EQ(*f.lock(lk(LockType::Write, 0, 100, 1)), LockResult::Granted);
  ASSERT_EQ(*f.lock(lk(LockType::Unlock, 40, 20, 1)), LockResult::Granted);  // hole [40,60)
  EXPECT_EQ(*f.lock(lk(LockType::Write, 40, 20, 2)), LockResult::Granted);
  EXPECT_EQ(*f.lock(lk(LockType::Write, 39, 2, 3)), LockResult::WouldBlock);
  ASSERT_EQ(*f.lock(lk(LockType::Unlock, 0, 0, 2)), LockResult::Granted);
  // Re-lock the hole as owner 1: merges back to one [0,100) lock.
  ASSERT_EQ(*f.lock(lk(LockType::Write, 40, 20, 1)), LockResult::Granted);
  auto g = f.getlock(lk(LockType::Read, 0, 0, 9));
  EXPECT_EQ(g->start, 0u);
  EXPECT_EQ(g->length, 100u);
  // Downgrade the middle to read: another owner may read-lock there.
  ASSERT_EQ(*f.lock(lk(LockType::Read, 10, 10, 1)), LockResult::Granted);
  EXPECT_EQ(*f.lock(lk(LockType::Read, 12, 2, 4)), LockResult::Granted);
  EXPECT_EQ(*f.lock(lk(LockType::Read, 9, 2, 4)), LockResult::WouldBlock);
  // Range checks of fcntl.
  EXPECT_EQ(f.lock(lk(LockType::Write, std::uint64_t(1) << 63, 1, 1)).error(), Errno::INVAL);
  EXPECT_EQ(f.lock(lk(LockType::Write, 10, ~std::uint64_t(0), 1)).error(), Errno::OVERFLOW);
}

TEST_F(PosixTest, LocksNeedTheRightOpenModeAndDieWithTheFile) {
  auto c = make_file(root_, "f");
  using fs::LockResult;
  using fs::LockType;
  auto ro = be_->open(kRoot, *c.node, access::RDONLY).value();
  auto wo = be_->open(kRoot, *c.node, access::WRONLY).value();
  EXPECT_EQ(ro->lock(lk(LockType::Write, 0, 1, 1)).error(), Errno::BADF);
  EXPECT_EQ(wo->lock(lk(LockType::Read, 0, 1, 1)).error(), Errno::BADF);
  EXPECT_EQ(*ro->lock(lk(LockType::Read, 0, 1, 1)), LockResult::Granted);
  EXPECT_EQ(*wo->lock(lk(LockType::Write, 5, 1, 2)), LockResult::Granted);
  // Another node object for the same file sees the same locks.
  auto again = look(root_, "f");
  auto other = be_->open(kRoot, *again, access::RDWR).value();
  EXPECT_EQ(*other->lock(lk(LockType::Write, 0, 0, 3)), LockResult::WouldBlock);
  ro.reset();  // close: owner 1's locks go
  wo.reset();  // owner 2's too
  EXPECT_EQ(*other->lock(lk(LockType::Write, 0, 0, 3)), LockResult::Granted);
}

int open_fd_count() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

TEST_F(PosixTest, NoDescriptorLeaks) {
  int before = open_fd_count();
  for (int i = 0; i < 20; ++i) {
    auto c = make_file(root_, "f", "x");
    auto d = be_->mkdir(kRoot, *root_, "d", 0755, 0);
    auto s = be_->symlink(kRoot, *root_, "s", "f", 0);
    auto l = list(root_);
    auto up = look(root_, "..");
    EXPECT_EQ(be_->lookup(kRoot, *root_, "missing").error(), Errno::NOENT);
    auto o = be_->open(kRoot, *c.node, access::RDWR);
    ASSERT_TRUE((*o)->lock(lk(fs::LockType::Write, 0, 0, 1)).ok());
    ASSERT_TRUE(be_->unlink(kRoot, *root_, "f", false).ok());
    ASSERT_TRUE(be_->unlink(kRoot, *root_, "d", true).ok());
    ASSERT_TRUE(be_->unlink(kRoot, *root_, "s", false).ok());
  }
  EXPECT_EQ(open_fd_count(), before);
}

// ---- credentials ----

class PosixAsUserTest : public PosixTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "not running as root: credentials are not switched";
    PosixTest::SetUp();
    ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  }
};

TEST_F(PosixAsUserTest, OwnerOnlyFileIsRefused) {
  auto c = make_file(root_, "secret", "s3cr3t", 0600);
  auto o = be_->open(kUser, *c.node, access::RDONLY);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error(), Errno::ACCES);
  EXPECT_TRUE(be_->open(kRoot, *c.node, access::RDONLY).ok());
  // Root's own credentials came back on this thread.
  EXPECT_EQ(::syscall(SYS_setfsuid, -1), 0);
  EXPECT_EQ(be_->check_invariants(), "");
}

TEST_F(PosixAsUserTest, SearchPermissionAndWritePermission) {
  auto d = *be_->mkdir(kRoot, *root_, "private", 0700, 0);
  make_file(d, "inside");
  EXPECT_EQ(look_err(d, "inside", kUser), Errno::ACCES);
  EXPECT_EQ(look_err(d, ".", kUser), Errno::ACCES);
  EXPECT_EQ(look_err(root_, "private", kUser), Errno::OK);
  EXPECT_EQ(be_->create(kUser, *root_, "x", access::RDWR, 0644, kUser.gid).error(), Errno::ACCES);
  EXPECT_EQ(be_->mkdir(kUser, *root_, "x", 0755, kUser.gid).error(), Errno::ACCES);
  EXPECT_EQ(be_->unlink(kUser, *root_, "private", true).error(), Errno::ACCES);
  auto f = make_file(root_, "rootfile", "x", 0644);
  fs::SetAttr md;
  md.mode = 0777;
  EXPECT_EQ(be_->setattr(kUser, *f.node, md).error(), Errno::PERM);
  fs::SetAttr sz;
  sz.size = 0;
  EXPECT_EQ(be_->setattr(kUser, *f.node, sz).error(), Errno::ACCES);
}

TEST_F(PosixAsUserTest, CreatedObjectsBelongToTheCaller) {
  auto d = *be_->mkdir(kRoot, *root_, "pub", 0777, 0);
  Cred u{1000, 1000, {2000}};
  auto c = be_->create(u, *d, "mine", access::RDWR, 0640, 2000);
  ASSERT_TRUE(c.ok());
  auto a = attr(c->node);
  EXPECT_EQ(a.uid, 1000u);
  EXPECT_EQ(a.gid, 2000u);  // the gid asked for
  auto m = be_->mkdir(u, *d, "dir", 0750, 1000);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(attr(*m).uid, 1000u);
  EXPECT_EQ(attr(*m).gid, 1000u);
  auto s = be_->symlink(u, *d, "sl", "mine", 1000);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(attr(*s).uid, 1000u);
  // The owner may chmod but not give the file away.
  fs::SetAttr md;
  md.mode = 0600;
  EXPECT_TRUE(be_->setattr(u, *c->node, md).ok());
  fs::SetAttr own;
  own.uid = 0;
  EXPECT_EQ(be_->setattr(u, *c->node, own).error(), Errno::PERM);
  // A group the caller is in (supplementary) may be given; another may not.
  fs::SetAttr grp;
  grp.gid = 1000;
  EXPECT_TRUE(be_->setattr(u, *c->node, grp).ok());
  grp.gid = 3000;
  EXPECT_EQ(be_->setattr(u, *c->node, grp).error(), Errno::PERM);
  // In a sticky directory only the owner (or the directory's owner) may unlink.
  fs::SetAttr sticky;
  sticky.mode = 01777;
  ASSERT_TRUE(be_->setattr(kRoot, *d, sticky).ok());
  EXPECT_EQ(be_->unlink(Cred{1001, 1001, {}}, *d, "mine", false).error(), Errno::PERM);
  EXPECT_TRUE(be_->unlink(u, *d, "mine", false).ok());
}

TEST_F(PosixAsUserTest, SupplementaryGroupsGrantAccess) {
  auto c = make_file(root_, "g", "group data", 0640);
  fs::SetAttr grp;
  grp.gid = 4242;
  ASSERT_TRUE(be_->setattr(kRoot, *c.node, grp).ok());
  EXPECT_EQ(be_->open(kUser, *c.node, access::RDONLY).error(), Errno::ACCES);
  EXPECT_TRUE(be_->open(Cred{1000, 1000, {4242}}, *c.node, access::RDONLY).ok());
  EXPECT_TRUE(be_->open(Cred{1000, 4242, {}}, *c.node, access::RDONLY).ok());
  // The process's own groups are untouched afterwards.
  std::vector<gid_t> g(static_cast<std::size_t>(::getgroups(0, nullptr)));
  ::getgroups(static_cast<int>(g.size()), g.data());
  EXPECT_EQ(std::count(g.begin(), g.end(), 4242), 0);
}

TEST_F(PosixAsUserTest, CredentialsArePerThread) {
  auto c = make_file(root_, "secret", "s", 0600);
  std::atomic<bool> stop{false};
  std::atomic<int> root_failures{0};
  std::thread t([&] {
    while (!stop) {
      auto o = be_->open(kRoot, *c.node, access::RDONLY);
      if (!o.ok()) ++root_failures;
    }
  });
  int user_successes = 0;
  for (int i = 0; i < 2000; ++i)
    if (be_->open(kUser, *c.node, access::RDONLY).ok()) ++user_successes;
  stop = true;
  t.join();
  EXPECT_EQ(user_successes, 0);
  EXPECT_EQ(root_failures, 0);
}

// ---- statfs, getattr ----

TEST_F(PosixTest, StatfsMatchesHost) {
  auto s = be_->statfs(*root_);
  ASSERT_TRUE(s.ok());
  struct statfs h;
  ASSERT_EQ(::statfs(dir_.c_str(), &h), 0);
  EXPECT_EQ(s->type, static_cast<std::uint32_t>(h.f_type));
  EXPECT_EQ(s->bsize, static_cast<std::uint32_t>(h.f_bsize));
  EXPECT_EQ(s->blocks, h.f_blocks);
  EXPECT_EQ(s->files, h.f_files);
  EXPECT_EQ(s->namelen, static_cast<std::uint32_t>(h.f_namelen));
  auto f = make_file(root_, "f");
  EXPECT_EQ(be_->statfs(*f.node)->type, s->type);
}

TEST_F(PosixTest, GetattrMatchesLstat) {
  auto c = make_file(root_, "f", std::string(10000, 'x'));
  struct stat st;
  ASSERT_EQ(::lstat(host("f").c_str(), &st), 0);
  auto a = attr(c.node);
  EXPECT_EQ(a.ino, st.st_ino);
  EXPECT_EQ(a.mode, st.st_mode);
  EXPECT_EQ(a.uid, st.st_uid);
  EXPECT_EQ(a.gid, st.st_gid);
  EXPECT_EQ(a.size, 10000u);
  EXPECT_EQ(a.blocks, static_cast<std::uint64_t>(st.st_blocks));
  EXPECT_EQ(a.blksize, static_cast<std::uint64_t>(st.st_blksize));
  EXPECT_EQ(a.mtime.sec, st.st_mtim.tv_sec);
  EXPECT_EQ(a.mtime.nsec, static_cast<std::uint32_t>(st.st_mtim.tv_nsec));
  EXPECT_EQ(a.gen, 0u);
  EXPECT_EQ(a.data_version, 0u);
}

TEST_F(PosixTest, SameComparesObjects) {
  auto a = make_file(root_, "a");
  auto b = make_file(root_, "b");
  EXPECT_TRUE(be_->same(*a.node, *look(root_, "a")));
  EXPECT_FALSE(be_->same(*a.node, *b.node));
  EXPECT_FALSE(be_->same(*a.node, *root_));
}

TEST_F(PosixTest, FsyncWorksOnFilesAndDirectories) {
  auto c = make_file(root_, "f", "x");
  EXPECT_TRUE(c.file->fsync(false).ok());
  EXPECT_TRUE(c.file->fsync(true).ok());
  auto d = be_->open(kRoot, *root_, access::RDONLY);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE((*d)->fsync(false).ok());
}

}  // namespace
}  // namespace p9::posix
