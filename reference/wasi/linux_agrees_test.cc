// Where reference/wasi/README.md says WASI answers as Linux, Linux is asked:
// each case runs once through p9::wasi::Host (over the model) and once as
// the nearest system calls on a host directory, and the errnos must be the
// same name. The rules the front end writes itself (trailing slashes, "."
// and "..", symlinks followed by path_open) are the ones checked here.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <functional>
#include <string>

#include "reference/model/model.h"
#include "reference/posix/posix_backend.h"
#include "reference/wasi/host.h"

namespace p9::wasi {
namespace {

const fs::Cred kRoot{0, 0, {}};
constexpr Fd kPre = Host::kPreopenFd;
constexpr std::uint32_t kFollow = lookupflag::SYMLINK_FOLLOW;

// The tree every case starts from: d/x, e/ (empty), f, dangling -> made,
// ld -> d.
void setup(Host& h) {
  ASSERT_EQ(h.path_create_directory(kPre, "d"), Errno::SUCCESS);
  ASSERT_EQ(h.path_create_directory(kPre, "e"), Errno::SUCCESS);
  for (const char* name : {"d/x", "f"}) {
    auto fd = h.path_open(kPre, 0, name, oflag::CREAT, right::FILE, 0, 0);
    ASSERT_TRUE(fd.ok());
    ASSERT_EQ(h.fd_close(*fd), Errno::SUCCESS);
  }
  ASSERT_EQ(h.path_symlink("made", kPre, "dangling"), Errno::SUCCESS);
  ASSERT_EQ(h.path_symlink("d", kPre, "ld"), Errno::SUCCESS);
}
void setup(int dir) {
  ASSERT_EQ(::mkdirat(dir, "d", 0755), 0);
  ASSERT_EQ(::mkdirat(dir, "e", 0755), 0);
  for (const char* name : {"d/x", "f"}) {
    int fd = ::openat(dir, name, O_CREAT | O_RDWR, 0644);
    ASSERT_GE(fd, 0);
    ::close(fd);
  }
  ASSERT_EQ(::symlinkat("made", dir, "dangling"), 0);
  ASSERT_EQ(::symlinkat("d", dir, "ld"), 0);
}

// 0 or the errno of a system call's result.
int sys(int r) { return r < 0 ? errno : 0; }
int sys_open(int dir, const char* path, int flags) {
  int fd = ::openat(dir, path, flags, 0644);
  if (fd < 0) return errno;
  ::close(fd);
  return 0;
}
Errno open_result(const Result<Fd>& r) { return r.ok() ? Errno::SUCCESS : r.error(); }

struct Case {
  const char* what;
  std::function<Errno(Host&)> wasi;
  std::function<int(int dir)> linux_call;
};

const Case kCases[] = {
    {"unlink f/", [](Host& h) { return h.path_unlink_file(kPre, "f/"); },
     [](int d) { return sys(::unlinkat(d, "f/", 0)); }},
    {"unlink d", [](Host& h) { return h.path_unlink_file(kPre, "d"); },
     [](int d) { return sys(::unlinkat(d, "d", 0)); }},
    {"unlink d/", [](Host& h) { return h.path_unlink_file(kPre, "d/"); },
     [](int d) { return sys(::unlinkat(d, "d/", 0)); }},
    {"unlink missing/", [](Host& h) { return h.path_unlink_file(kPre, "missing/"); },
     [](int d) { return sys(::unlinkat(d, "missing/", 0)); }},
    {"rmdir f", [](Host& h) { return h.path_remove_directory(kPre, "f"); },
     [](int d) { return sys(::unlinkat(d, "f", AT_REMOVEDIR)); }},
    {"rmdir d", [](Host& h) { return h.path_remove_directory(kPre, "d"); },
     [](int d) { return sys(::unlinkat(d, "d", AT_REMOVEDIR)); }},
    {"rmdir e/", [](Host& h) { return h.path_remove_directory(kPre, "e/"); },
     [](int d) { return sys(::unlinkat(d, "e/", AT_REMOVEDIR)); }},
    {"rmdir e/.", [](Host& h) { return h.path_remove_directory(kPre, "e/."); },
     [](int d) { return sys(::unlinkat(d, "e/.", AT_REMOVEDIR)); }},
    {"rmdir d/..", [](Host& h) { return h.path_remove_directory(kPre, "d/.."); },
     [](int d) { return sys(::unlinkat(d, "d/..", AT_REMOVEDIR)); }},
    {"mkdir d/..", [](Host& h) { return h.path_create_directory(kPre, "d/.."); },
     [](int d) { return sys(::mkdirat(d, "d/..", 0755)); }},
    {"mkdir .", [](Host& h) { return h.path_create_directory(kPre, "."); },
     [](int d) { return sys(::mkdirat(d, ".", 0755)); }},
    {"mkdir new/", [](Host& h) { return h.path_create_directory(kPre, "new/"); },
     [](int d) { return sys(::mkdirat(d, "new/", 0755)); }},
    {"mkdir ld (a symlink)", [](Host& h) { return h.path_create_directory(kPre, "ld"); },
     [](int d) { return sys(::mkdirat(d, "ld", 0755)); }},
    {"rename f/ g", [](Host& h) { return h.path_rename(kPre, "f/", kPre, "g"); },
     [](int d) { return sys(::renameat(d, "f/", d, "g")); }},
    {"rename f g/", [](Host& h) { return h.path_rename(kPre, "f", kPre, "g/"); },
     [](int d) { return sys(::renameat(d, "f", d, "g/")); }},
    {"rename e/ n/", [](Host& h) { return h.path_rename(kPre, "e/", kPre, "n/"); },
     [](int d) { return sys(::renameat(d, "e/", d, "n/")); }},
    {"rename e d (not empty)", [](Host& h) { return h.path_rename(kPre, "e", kPre, "d"); },
     [](int d) { return sys(::renameat(d, "e", d, "d")); }},
    {"rename d e (empty)", [](Host& h) { return h.path_rename(kPre, "d", kPre, "e"); },
     [](int d) { return sys(::renameat(d, "d", d, "e")); }},
    {"rename f d", [](Host& h) { return h.path_rename(kPre, "f", kPre, "d"); },
     [](int d) { return sys(::renameat(d, "f", d, "d")); }},
    {"rename d f", [](Host& h) { return h.path_rename(kPre, "d", kPre, "f"); },
     [](int d) { return sys(::renameat(d, "d", d, "f")); }},
    {"rename d d/sub", [](Host& h) { return h.path_rename(kPre, "d", kPre, "d/sub"); },
     [](int d) { return sys(::renameat(d, "d", d, "d/sub")); }},
    {"rename d/x d/..", [](Host& h) { return h.path_rename(kPre, "d/x", kPre, "d/.."); },
     [](int d) { return sys(::renameat(d, "d/x", d, "d/..")); }},
    {"rename ld d (a symlink over a directory)", [](Host& h) { return h.path_rename(kPre, "ld", kPre, "d"); },
     [](int d) { return sys(::renameat(d, "ld", d, "d")); }},
    {"open f/",
     [](Host& h) { return open_result(h.path_open(kPre, kFollow, "f/", 0, right::FD_READ, 0, 0)); },
     [](int d) { return sys_open(d, "f/", O_RDONLY); }},
    {"open new/ O_CREAT",
     [](Host& h) { return open_result(h.path_open(kPre, kFollow, "new/", oflag::CREAT, right::FILE, 0, 0)); },
     [](int d) { return sys_open(d, "new/", O_CREAT | O_RDWR); }},
    {"open dangling O_CREAT|O_EXCL",
     [](Host& h) {
       return open_result(
           h.path_open(kPre, kFollow, "dangling", oflag::CREAT | oflag::EXCL, right::FILE, 0, 0));
     },
     [](int d) { return sys_open(d, "dangling", O_CREAT | O_EXCL | O_RDWR); }},
    {"open dangling O_CREAT, then stat made",
     [](Host& h) {
       Errno e = open_result(h.path_open(kPre, kFollow, "dangling", oflag::CREAT, right::FILE, 0, 0));
       if (e != Errno::SUCCESS) return e;
       auto s = h.path_filestat_get(kPre, 0, "made");
       return s.ok() ? Errno::SUCCESS : s.error();
     },
     [](int d) {
       int e = sys_open(d, "dangling", O_CREAT | O_RDWR);
       struct stat st;
       return e ? e : sys(::fstatat(d, "made", &st, AT_SYMLINK_NOFOLLOW));
     }},
    {"open f O_DIRECTORY",
     [](Host& h) {
       return open_result(h.path_open(kPre, kFollow, "f", oflag::DIRECTORY, right::FD_READ, 0, 0));
     },
     [](int d) { return sys_open(d, "f", O_DIRECTORY | O_RDONLY); }},
    {"open . O_CREAT",
     [](Host& h) { return open_result(h.path_open(kPre, kFollow, ".", oflag::CREAT, right::FD_READ, 0, 0)); },
     [](int d) { return sys_open(d, ".", O_CREAT | O_RDONLY); }},
    {"open d/.. O_CREAT|O_EXCL",
     [](Host& h) {
       return open_result(
           h.path_open(kPre, kFollow, "d/..", oflag::CREAT | oflag::EXCL, right::FD_READ, 0, 0));
     },
     [](int d) { return sys_open(d, "d/..", O_CREAT | O_EXCL | O_RDONLY); }},
    {"open d O_CREAT (an existing directory)",
     [](Host& h) { return open_result(h.path_open(kPre, kFollow, "d", oflag::CREAT, right::FD_READ, 0, 0)); },
     [](int d) { return sys_open(d, "d", O_CREAT | O_RDONLY); }},
    {"open ld O_CREAT (a symlink to a directory)",
     [](Host& h) {
       return open_result(h.path_open(kPre, kFollow, "ld", oflag::CREAT, right::FD_READ, 0, 0));
     },
     [](int d) { return sys_open(d, "ld", O_CREAT | O_RDONLY); }},
    {"open d for writing",
     [](Host& h) { return open_result(h.path_open(kPre, kFollow, "d", 0, right::FD_WRITE, 0, 0)); },
     [](int d) { return sys_open(d, "d", O_WRONLY); }},
    {"open ld without following",
     [](Host& h) { return open_result(h.path_open(kPre, 0, "ld", 0, right::FD_READ, 0, 0)); },
     [](int d) { return sys_open(d, "ld", O_RDONLY | O_NOFOLLOW); }},
    {"open ld/ without following (a trailing slash follows)",
     [](Host& h) { return open_result(h.path_open(kPre, 0, "ld/", 0, right::FD_READ, 0, 0)); },
     [](int d) { return sys_open(d, "ld/", O_RDONLY | O_NOFOLLOW); }},
    {"open ld/x without following",
     [](Host& h) { return open_result(h.path_open(kPre, 0, "ld/x", 0, right::FD_READ, 0, 0)); },
     [](int d) { return sys_open(d, "ld/x", O_RDONLY | O_NOFOLLOW); }},
    {"link d d2", [](Host& h) { return h.path_link(kPre, 0, "d", kPre, "d2"); },
     [](int d) { return sys(::linkat(d, "d", d, "d2", 0)); }},
    {"link f d/..", [](Host& h) { return h.path_link(kPre, 0, "f", kPre, "d/.."); },
     [](int d) { return sys(::linkat(d, "f", d, "d/..", 0)); }},
    {"link dangling (following) n", [](Host& h) { return h.path_link(kPre, kFollow, "dangling", kPre, "n"); },
     [](int d) { return sys(::linkat(d, "dangling", d, "n", AT_SYMLINK_FOLLOW)); }},
    {"link f n/ (a new name with a trailing slash)",
     [](Host& h) { return h.path_link(kPre, 0, "f", kPre, "n/"); },
     [](int d) { return sys(::linkat(d, "f", d, "n/", 0)); }},
    {"link f d/x/ (an existing name with a trailing slash)",
     [](Host& h) { return h.path_link(kPre, 0, "f", kPre, "d/x/"); },
     [](int d) { return sys(::linkat(d, "f", d, "d/x/", 0)); }},
    {"symlink x s/ (a new name with a trailing slash)",
     [](Host& h) { return h.path_symlink("x", kPre, "s/"); },
     [](int d) { return sys(::symlinkat("x", d, "s/")); }},
    {"symlink x f/ (an existing file with a trailing slash)",
     [](Host& h) { return h.path_symlink("x", kPre, "f/"); },
     [](int d) { return sys(::symlinkat("x", d, "f/")); }},
    {"symlink empty target", [](Host& h) { return h.path_symlink("", kPre, "s"); },
     [](int d) { return sys(::symlinkat("", d, "s")); }},
    {"symlink over f", [](Host& h) { return h.path_symlink("x", kPre, "f"); },
     [](int d) { return sys(::symlinkat("x", d, "f")); }},
    {"readlink f",
     [](Host& h) {
       auto r = h.path_readlink(kPre, "f");
       return r.ok() ? Errno::SUCCESS : r.error();
     },
     [](int d) {
       char b[64];
       return sys(static_cast<int>(::readlinkat(d, "f", b, sizeof b)));
     }},
    {"readlink ld/ (follows to a directory)",
     [](Host& h) {
       auto r = h.path_readlink(kPre, "ld/");
       return r.ok() ? Errno::SUCCESS : r.error();
     },
     [](int d) {
       char b[64];
       return sys(static_cast<int>(::readlinkat(d, "ld/", b, sizeof b)));
     }},
};

std::string make_temp_dir() {
  const char* t = std::getenv("TMPDIR");
  std::string tmpl = std::string(t != nullptr && *t != '\0' ? t : "/tmp") + "/p9wasi-linux.XXXXXX";
  char* p = ::mkdtemp(tmpl.data());
  return p ? tmpl : std::string();
}

TEST(WasiLinuxAgrees, SameErrnoAsTheSystemCalls) {
  for (const Case& c : kCases) {
    model::Model m;
    auto root = m.root();
    ASSERT_TRUE(root.ok());
    auto host = Host::create(m, kRoot, *root, "/");
    ASSERT_TRUE(host.ok());
    setup(**host);
    std::string tmp = make_temp_dir();
    ASSERT_FALSE(tmp.empty());
    int dir = ::open(tmp.c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(dir, 0);
    setup(dir);
    Errno got = c.wasi(**host);
    int native = c.linux_call(dir);
    Errno want = native == 0 ? Errno::SUCCESS : from_linux(posix::from_host_errno(native));
    EXPECT_STREQ(errno_name(got), errno_name(want)) << c.what << " (Linux: " << native << ")";
    ::close(dir);
    std::error_code ec;
    std::filesystem::remove_all(tmp, ec);
    EXPECT_EQ(m.check_invariants(), "") << c.what;
  }
}

}  // namespace
}  // namespace p9::wasi
