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

// The export removed while the server runs: a new attach (root()) is ENOENT;
// what was attached before stays usable for what Linux allows in a deleted
// directory (creating in it is ENOENT).
TEST_F(PosixTest, RemovedExportIsNoLongerAttached) {
  ASSERT_EQ(::rmdir(dir_.c_str()), 0);
  auto r = be_->root();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Errno::NOENT);
  auto f = be_->create(kRoot, *root_, "f", access::RDWR, 0644, 0);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error(), Errno::NOENT);
}

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

// ---- files ----

// A dangling symlink's name is taken (O_CREAT|O_EXCL never follows), and
// nothing is created where it points.
TEST_F(PosixTest, CreateOverDanglingSymlinkIsEexist) {
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

// ---- directories ----

// ---- links ----

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

}  // namespace
}  // namespace p9::posix
