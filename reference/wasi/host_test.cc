// p9::wasi::Host over the model and the posix backend: each call's success
// path and its errno edges, the capability rules (no path leaves its
// directory fd, rights), and the classes of WASI hosts' mistakes (O_APPEND
// with pwrite, O_EXCL through a dangling symlink, renames over non-empty
// directories, ".." that stays inside vs leaves, symlink loops, nlink after
// link/unlink, readdir cookies with "." and "..").
#include "reference/wasi/host.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "reference/model/model.h"
#include "reference/posix/posix_backend.h"
#include "reference/wasi/dirent.h"

namespace p9::wasi {
namespace {

const fs::Cred kRoot{0, 0, {}};
constexpr std::uint32_t kFollow = lookupflag::SYMLINK_FOLLOW;
constexpr std::uint64_t kRW = right::FILE;  // every file right: read and write
constexpr std::uint64_t kRO = right::FD_READ | right::FD_SEEK | right::FD_TELL | right::FD_FILESTAT_GET;
constexpr Fd kPre = Host::kPreopenFd;

std::string make_temp_dir() {
  const char* t = std::getenv("TMPDIR");
  std::string tmpl = std::string(t != nullptr && *t != '\0' ? t : "/tmp") + "/p9wasi.XXXXXX";
  char* p = ::mkdtemp(tmpl.data());
  return p ? tmpl : std::string();
}

// Each test runs over the model and over a host directory (posix backend);
// the preopen is /top of the store, next to a file /outside that no path
// may reach.
class HostTest : public ::testing::TestWithParam<const char*> {
 protected:
  std::unique_ptr<fs::Backend> be;
  std::string tmp;
  std::unique_ptr<Host> h;
  std::vector<std::pair<Fd, std::string>> out;

  void SetUp() override {
    if (std::string(GetParam()) == "model") {
      be = std::make_unique<model::Model>();
    } else {
      tmp = make_temp_dir();
      ASSERT_FALSE(tmp.empty());
      std::string err;
      be = posix::PosixBackend::open(tmp, &err);
      ASSERT_NE(be, nullptr) << err;
    }
    auto root = be->root();
    ASSERT_TRUE(root.ok());
    auto top = be->mkdir(kRoot, **root, "top", 0755, 0);
    ASSERT_TRUE(top.ok());
    auto outside = be->create(kRoot, **root, "outside", access::RDWR, 0644, 0);
    ASSERT_TRUE(outside.ok());
    ASSERT_TRUE(outside->file->write(0, reinterpret_cast<const std::uint8_t*>("secret"), 6).ok());
    auto host = Host::create(*be, kRoot, *top, "/sandbox");
    ASSERT_TRUE(host.ok());
    h = std::move(*host);
    h->set_output([this](Fd fd, std::string_view s) { out.emplace_back(fd, std::string(s)); });
  }
  void TearDown() override {
    h.reset();
    if (be) {
      EXPECT_EQ(be->check_invariants(), "");
    }
    be.reset();
    std::error_code ec;
    if (!tmp.empty()) std::filesystem::remove_all(tmp, ec);
  }

  Result<Fd> open(std::string_view path, std::uint16_t oflags = 0, std::uint64_t base = kRW,
                  std::uint16_t fdflags = 0, std::uint32_t lookup = kFollow, Fd at = kPre) {
    return h->path_open(at, lookup, path, oflags, base, 0, fdflags);
  }
  Result<std::size_t> write(Fd fd, std::string_view s) {
    Ciovec v(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
    return h->fd_write(fd, std::span<const Ciovec>(&v, 1));
  }
  Result<std::size_t> pwrite(Fd fd, std::string_view s, std::uint64_t off) {
    Ciovec v(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
    return h->fd_pwrite(fd, std::span<const Ciovec>(&v, 1), off);
  }
  std::string read(Fd fd, std::size_t n = 100) {
    std::string s(n, '\0');
    Iovec v(reinterpret_cast<std::uint8_t*>(s.data()), s.size());
    auto r = h->fd_read(fd, std::span<const Iovec>(&v, 1));
    if (!r.ok()) return std::string("error ") + errno_name(r.error());
    s.resize(*r);
    return s;
  }
  std::string pread(Fd fd, std::uint64_t off, std::size_t n = 100) {
    std::string s(n, '\0');
    Iovec v(reinterpret_cast<std::uint8_t*>(s.data()), s.size());
    auto r = h->fd_pread(fd, std::span<const Iovec>(&v, 1), off);
    if (!r.ok()) return std::string("error ") + errno_name(r.error());
    s.resize(*r);
    return s;
  }
  // A file with the given contents, closed.
  void file(std::string_view path, std::string_view contents = "") {
    auto fd = open(path, oflag::CREAT | oflag::TRUNC);
    ASSERT_TRUE(fd.ok()) << path << ": " << errno_name(fd.error());
    if (!contents.empty()) {
      ASSERT_TRUE(write(*fd, contents).ok());
    }
    ASSERT_EQ(h->fd_close(*fd), Errno::SUCCESS);
  }
  std::string contents(std::string_view path) {
    auto fd = open(path, 0, kRO);
    if (!fd.ok()) return std::string("error ") + errno_name(fd.error());
    std::string s = read(*fd, 4096);
    EXPECT_EQ(h->fd_close(*fd), Errno::SUCCESS);
    return s;
  }
  // The fd of a path_open that must succeed.
  Fd ok(const Result<Fd>& r) {
    EXPECT_TRUE(r.ok()) << errno_name(r.error());
    return r.ok() ? *r : 9999;
  }
  Errno err(const Result<Fd>& r) { return r.ok() ? Errno::SUCCESS : r.error(); }
  template <class T>
  Errno err(const Result<T>& r) {
    return r.ok() ? Errno::SUCCESS : r.error();
  }
  // Every entry of a directory fd, read with a buffer of `buf` bytes,
  // continuing from the last whole entry's d_next when the buffer fills.
  std::vector<std::string> list(Fd fd, std::size_t buf = 4096, int* calls = nullptr) {
    std::vector<std::string> names;
    std::vector<std::uint8_t> b(buf);
    std::uint64_t cookie = 0;
    for (int n = 0; n < 1000; ++n) {
      if (calls) ++*calls;
      auto used = h->fd_readdir(fd, b, cookie);
      EXPECT_TRUE(used.ok());
      if (!used.ok()) break;
      std::size_t at = 0, size = 0;
      Dirent d;
      bool any = false;
      while (parse_dirent(b.data() + at, *used - at, d, size)) {
        names.emplace_back(d.name);
        cookie = d.next;
        at += size;
        any = true;
      }
      if (*used < b.size()) break;       // the end of the directory
      if (!any) b.resize(b.size() * 2);  // not even one entry fit: a larger buffer
    }
    return names;
  }
  std::uint64_t nlink(std::string_view path) {
    auto s = h->path_filestat_get(kPre, 0, path);
    return s.ok() ? s->nlink : 0;
  }
};

// ---- preopen, stdio, fd table ----

TEST_P(HostTest, PreopenIsFdThreeWithItsName) {
  EXPECT_EQ(h->fds(), (std::vector<Fd>{0, 1, 2, 3}));
  auto p = h->fd_prestat_get(kPre);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name_len, 8u);
  EXPECT_EQ(*h->fd_prestat_dir_name(kPre), "/sandbox");
  EXPECT_EQ(err(h->fd_prestat_get(4)), Errno::BADF);  // the end of the preopens
  EXPECT_EQ(err(h->fd_prestat_get(1)), Errno::BADF);  // stdout is no preopen
  auto st = h->fd_fdstat_get(kPre);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->filetype, Filetype::DIRECTORY);
  EXPECT_EQ(st->rights_base, right::DIRECTORY);
  EXPECT_EQ(st->rights_inheriting, right::ALL);
}

TEST_P(HostTest, StdioWritesGoOutStdinIsEmptyAndNothingSeeks) {
  ASSERT_EQ(*write(1, "to stdout"), 9u);
  ASSERT_EQ(*write(2, "err"), 3u);
  EXPECT_EQ(out, (std::vector<std::pair<Fd, std::string>>{{1, "to stdout"}, {2, "err"}}));
  EXPECT_EQ(read(0), "");
  EXPECT_EQ(err(h->fd_seek(1, 0, Whence::SET)), Errno::SPIPE);
  EXPECT_EQ(err(write(0, "x")), Errno::NOTCAPABLE);  // stdin has no FD_WRITE
  EXPECT_EQ(h->fd_fdstat_get(1)->filetype, Filetype::CHARACTER_DEVICE);
}

TEST_P(HostTest, NewFdsTakeTheLowestFreeNumberAndCloseOnce) {
  auto a = open("a", oflag::CREAT);
  auto b = open("b", oflag::CREAT);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, 4u);
  EXPECT_EQ(*b, 5u);
  EXPECT_EQ(h->fd_close(*a), Errno::SUCCESS);
  EXPECT_EQ(h->fd_close(*a), Errno::BADF);
  EXPECT_EQ(ok(open("c", oflag::CREAT)), 4u);
  EXPECT_EQ(err(h->fd_fdstat_get(99)), Errno::BADF);
}

TEST_P(HostTest, RenumberMovesAnFdOverAnotherAndClosesIt) {
  file("a", "AAA");
  file("b", "BBB");
  Fd a = ok(open("a")), b = ok(open("b"));
  EXPECT_EQ(h->fd_renumber(a, b), Errno::SUCCESS);
  EXPECT_EQ(read(b), "AAA");  // b is now a's file; b's own is closed
  EXPECT_EQ(err(h->fd_fdstat_get(a)), Errno::BADF);
  EXPECT_EQ(h->fd_renumber(b, 42), Errno::BADF);  // no fd 42
  EXPECT_EQ(h->fd_renumber(42, b), Errno::BADF);
  EXPECT_EQ(h->fd_renumber(b, b), Errno::SUCCESS);
}

// ---- path_open, read, write, seek ----

TEST_P(HostTest, CreateWriteSeekReadTell) {
  auto fd = open("f", oflag::CREAT);
  ASSERT_TRUE(fd.ok());
  EXPECT_EQ(*write(*fd, "hello world"), 11u);
  EXPECT_EQ(*h->fd_tell(*fd), 11u);
  EXPECT_EQ(*h->fd_seek(*fd, 0, Whence::SET), 0u);
  EXPECT_EQ(read(*fd, 5), "hello");
  EXPECT_EQ(*h->fd_seek(*fd, 1, Whence::CUR), 6u);
  EXPECT_EQ(read(*fd), "world");
  EXPECT_EQ(read(*fd), "");  // end of file
  EXPECT_EQ(*h->fd_seek(*fd, -3, Whence::END), 8u);
  EXPECT_EQ(err(h->fd_seek(*fd, -100, Whence::CUR)), Errno::INVAL);  // lseek(2): before the start
  EXPECT_EQ(*h->fd_tell(*fd), 8u);                                   // unchanged by the failure
  EXPECT_EQ(*h->fd_seek(*fd, 20, Whence::SET), 20u);                 // past the end is fine
  EXPECT_EQ(*write(*fd, "!"), 1u);
  EXPECT_EQ(h->fd_filestat_get(*fd)->size, 21u);  // a hole before it
  EXPECT_EQ(pread(*fd, 11, 3), std::string(3, '\0'));
}

TEST_P(HostTest, ReadAndWriteSpreadOverSeveralBuffers) {
  auto fd = open("f", oflag::CREAT);
  ASSERT_TRUE(fd.ok());
  std::string a = "abc", b = "", c = "defg";
  Ciovec w[3] = {{reinterpret_cast<const std::uint8_t*>(a.data()), a.size()},
                 {reinterpret_cast<const std::uint8_t*>(b.data()), b.size()},
                 {reinterpret_cast<const std::uint8_t*>(c.data()), c.size()}};
  EXPECT_EQ(*h->fd_write(*fd, w), 7u);
  std::uint8_t x[2], y[10];
  Iovec r[2] = {{x, 2}, {y, 10}};
  EXPECT_EQ(*h->fd_pread(*fd, r, 0), 7u);  // short in the second buffer: end of file
  EXPECT_EQ(std::string(reinterpret_cast<char*>(x), 2), "ab");
  EXPECT_EQ(std::string(reinterpret_cast<char*>(y), 5), "cdefg");
}

TEST_P(HostTest, OpenFlagsExclTruncDirectoryAndMissing) {
  file("f", "data");
  EXPECT_EQ(err(open("f", oflag::CREAT | oflag::EXCL)), Errno::EXIST);
  EXPECT_EQ(err(open("nothing")), Errno::NOENT);
  EXPECT_EQ(err(open("f", oflag::DIRECTORY)), Errno::NOTDIR);
  EXPECT_EQ(err(open("f/")), Errno::NOTDIR);
  EXPECT_EQ(err(open("new/", oflag::CREAT)), Errno::ISDIR);  // open(2): O_CREAT of "name/"
  EXPECT_EQ(err(open("nodir/f", oflag::CREAT)), Errno::NOENT);
  EXPECT_EQ(err(open("f/x")), Errno::NOTDIR);
  EXPECT_EQ(err(open("")), Errno::NOENT);
  EXPECT_EQ(err(open("f", 0x10)), Errno::INVAL);          // an oflags bit witx does not define
  EXPECT_EQ(err(open("f", 0, kRW, 0x20)), Errno::INVAL);  // an fdflags bit likewise
  auto t = open("f", oflag::TRUNC);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(h->fd_filestat_get(*t)->size, 0u);
  EXPECT_EQ(err(open(".", oflag::CREAT)), Errno::ISDIR);                // open(2): O_CREAT of an existing dir
  EXPECT_EQ(err(open(".", oflag::CREAT | oflag::EXCL)), Errno::EXIST);  // and with O_EXCL
}

TEST_P(HostTest, NoDescriptorIsASocket) {
  EXPECT_EQ(h->sock_call(1), Errno::NOTSOCK);     // stdout
  EXPECT_EQ(h->sock_call(kPre), Errno::NOTSOCK);  // a directory
  EXPECT_EQ(h->sock_call(77), Errno::BADF);       // not open
}

TEST_P(HostTest, DirectoriesOpenForReadingOnly) {
  ASSERT_EQ(h->path_create_directory(kPre, "d"), Errno::SUCCESS);
  auto d = open("d", oflag::DIRECTORY, right::FD_READDIR | right::PATH_OPEN | right::FD_SEEK);
  ASSERT_TRUE(d.ok());
  auto st = h->fd_fdstat_get(*d);
  EXPECT_EQ(st->filetype, Filetype::DIRECTORY);
  // FD_SEEK does not apply to a directory and is dropped (witx path_open).
  EXPECT_EQ(st->rights_base, right::FD_READDIR | right::PATH_OPEN);
  EXPECT_EQ(err(open("d", 0, right::FD_WRITE)), Errno::ISDIR);  // open(2): a directory for writing
  EXPECT_EQ(err(open("d/", 0, kRO)), Errno::SUCCESS);
  // FD_WRITE is EISDIR with DIRECTORY too (wasmtime; wasi-testsuite
  // path_open_preopen); a directory's own rights (FD_DATASYNC among them)
  // open it for reading, with or without DIRECTORY, and the rights that do
  // not apply to a directory are dropped (witx path_open: "fewer rights").
  EXPECT_EQ(err(open("d", oflag::DIRECTORY, right::ALL)), Errno::ISDIR);
  for (std::uint16_t of : {std::uint16_t(0), oflag::DIRECTORY}) {
    auto own = open("d", of, right::DIRECTORY | right::FD_SEEK);
    ASSERT_TRUE(own.ok()) << of;
    EXPECT_EQ(h->fd_fdstat_get(*own)->rights_base, right::DIRECTORY);
    EXPECT_EQ(err(h->fd_write(*own, std::span<const Ciovec>())), Errno::NOTCAPABLE);
  }
}

TEST_P(HostTest, AppendWritesGoToTheEndAndPwriteOnAppendAppendsAsLinux) {
  file("log", "0123");
  auto fd = open("log", 0, kRW, fdflag::APPEND);
  ASSERT_TRUE(fd.ok());
  EXPECT_EQ(h->fd_fdstat_get(*fd)->flags, fdflag::APPEND);
  EXPECT_EQ(*write(*fd, "ab"), 2u);
  EXPECT_EQ(*h->fd_tell(*fd), 6u);  // the position follows the append
  ASSERT_TRUE(h->fd_seek(*fd, 0, Whence::SET).ok());
  EXPECT_EQ(*write(*fd, "cd"), 2u);  // still at the end, whatever the position
  EXPECT_EQ(contents("log"), "0123abcd");
  // pwrite(2) BUGS: on Linux, pwrite on an O_APPEND file appends whatever
  // the offset; the fd's position stays.
  ASSERT_TRUE(h->fd_seek(*fd, 1, Whence::SET).ok());
  EXPECT_EQ(*pwrite(*fd, "XY", 0), 2u);
  EXPECT_EQ(contents("log"), "0123abcdXY");
  EXPECT_EQ(*h->fd_tell(*fd), 1u);
  // Without APPEND, pwrite writes where it is told and the position stays.
  auto plain = open("log");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*pwrite(*plain, "zz", 2), 2u);
  EXPECT_EQ(*h->fd_tell(*plain), 0u);
  EXPECT_EQ(contents("log"), "01zzabcdXY");
}

TEST_P(HostTest, FdstatSetFlagsTurnsAppendOnAndOffAndIgnoresSyncFlags) {
  file("f", "12");
  Fd fd = ok(open("f"));
  ASSERT_EQ(h->fd_fdstat_set_flags(*&fd, fdflag::APPEND), Errno::SUCCESS);
  EXPECT_EQ(*write(fd, "34"), 2u);
  EXPECT_EQ(contents("f"), "1234");
  ASSERT_EQ(h->fd_fdstat_set_flags(fd, 0), Errno::SUCCESS);
  ASSERT_TRUE(h->fd_seek(fd, 0, Whence::SET).ok());
  EXPECT_EQ(*write(fd, "x"), 1u);
  EXPECT_EQ(contents("f"), "x234");
  // fcntl(2) F_SETFL changes neither O_SYNC nor O_DSYNC on Linux.
  ASSERT_EQ(h->fd_fdstat_set_flags(fd, fdflag::SYNC | fdflag::NONBLOCK), Errno::SUCCESS);
  EXPECT_EQ(h->fd_fdstat_get(fd)->flags, fdflag::NONBLOCK);
  EXPECT_EQ(h->fd_fdstat_set_flags(fd, 0x40), Errno::INVAL);
}

// ---- rights ----

TEST_P(HostTest, RightsAreCheckedPerCall) {
  file("f", "abc");
  auto ro = open("f", 0, kRO);
  ASSERT_TRUE(ro.ok());
  EXPECT_EQ(err(write(*ro, "x")), Errno::NOTCAPABLE);  // Linux: EBADF
  EXPECT_EQ(h->fd_filestat_set_size(*ro, 0), Errno::NOTCAPABLE);
  EXPECT_EQ(h->fd_datasync(*ro), Errno::NOTCAPABLE);
  EXPECT_EQ(read(*ro), "abc");
  auto wo = open("f", 0, right::FD_WRITE);
  ASSERT_TRUE(wo.ok());
  EXPECT_EQ(read(*wo), "error ENOTCAPABLE");
  EXPECT_EQ(err(h->fd_seek(*wo, 0, Whence::SET)), Errno::NOTCAPABLE);
  EXPECT_EQ(err(h->fd_filestat_get(*wo)), Errno::NOTCAPABLE);
  EXPECT_EQ(h->fd_readdir(*ro, std::span<std::uint8_t>(), 0).error(), Errno::NOTCAPABLE);
}

TEST_P(HostTest, RightsOnlyShrink) {
  Fd fd = ok(open("f", oflag::CREAT));
  EXPECT_EQ(h->fd_fdstat_set_rights(fd, right::FD_READ, 0), Errno::SUCCESS);
  EXPECT_EQ(h->fd_fdstat_get(fd)->rights_base, right::FD_READ);
  EXPECT_EQ(h->fd_fdstat_set_rights(fd, right::FD_READ | right::FD_WRITE, 0), Errno::NOTCAPABLE);
  EXPECT_EQ(err(write(fd, "x")), Errno::NOTCAPABLE);
}

TEST_P(HostTest, ADirectoryGrantsOnlyWhatItHas) {
  ASSERT_EQ(h->path_create_directory(kPre, "d"), Errno::SUCCESS);
  file("d/f", "x");
  // A directory fd that may open files for reading only, create nothing.
  Fd d = ok(h->path_open(kPre, 0, "d", oflag::DIRECTORY, right::PATH_OPEN | right::FD_READDIR, kRO, 0));
  EXPECT_TRUE(h->path_open(d, 0, "f", 0, kRO, 0, 0).ok());
  EXPECT_EQ(err(h->path_open(d, 0, "f", 0, kRO | right::FD_WRITE, 0, 0)), Errno::NOTCAPABLE);
  EXPECT_EQ(err(h->path_open(d, 0, "g", oflag::CREAT, kRO, 0, 0)), Errno::NOTCAPABLE);  // no PATH_CREATE_FILE
  EXPECT_EQ(err(h->path_open(d, 0, "f", oflag::TRUNC, kRO, 0, 0)),
            Errno::NOTCAPABLE);  // no FILESTAT_SET_SIZE
  EXPECT_EQ(h->path_create_directory(d, "sub"), Errno::NOTCAPABLE);
  EXPECT_EQ(h->path_unlink_file(d, "f"), Errno::NOTCAPABLE);
  EXPECT_EQ(err(h->path_filestat_get(d, 0, "f")), Errno::NOTCAPABLE);
  EXPECT_EQ(contents("d/f"), "x");
}

TEST_P(HostTest, PathCallsOnAFileFdAreENOTDIR) {
  file("f");
  Fd fd = ok(open("f"));
  EXPECT_EQ(err(open("x", 0, kRW, 0, kFollow, fd)), Errno::NOTDIR);
  EXPECT_EQ(h->path_create_directory(fd, "x"), Errno::NOTDIR);
  EXPECT_EQ(err(h->path_filestat_get(fd, 0, "x")), Errno::NOTDIR);
  EXPECT_EQ(h->path_create_directory(77, "x"), Errno::BADF);
}

// ---- capability: no path leaves its directory fd ----

TEST_P(HostTest, AbsolutePathsAreRefused) {
  EXPECT_EQ(err(open("/outside")), Errno::PERM);
  EXPECT_EQ(err(open("/top/x", oflag::CREAT)), Errno::PERM);
  EXPECT_EQ(err(h->path_filestat_get(kPre, 0, "/")), Errno::PERM);
  EXPECT_EQ(h->path_create_directory(kPre, "/d"), Errno::PERM);
  EXPECT_EQ(h->path_unlink_file(kPre, "/outside"), Errno::PERM);
  EXPECT_EQ(contents("../outside"), "error EPERM");
}

TEST_P(HostTest, DotDotThatStaysInsideWorksAndOneThatLeavesDoesNotEvenForAMoment) {
  ASSERT_EQ(h->path_create_directory(kPre, "sub"), Errno::SUCCESS);
  file("f", "inside");
  EXPECT_EQ(contents("sub/../f"), "inside");
  EXPECT_EQ(contents("sub/./../sub/../f"), "inside");
  EXPECT_EQ(err(open("..", 0, kRO)), Errno::PERM);
  EXPECT_EQ(contents("../outside"), "error EPERM");
  // Out and back in: /top/.. is the store's root, outside the preopen.
  EXPECT_EQ(contents("../top/f"), "error EPERM");
  EXPECT_EQ(contents("sub/../../top/f"), "error EPERM");
  EXPECT_EQ(h->path_create_directory(kPre, "../top/new"), Errno::PERM);
  EXPECT_EQ(err(h->path_filestat_get(kPre, 0, "../top")), Errno::PERM);
  // A last ".." of the directory fd itself names what is outside it.
  EXPECT_EQ(h->path_create_directory(kPre, ".."), Errno::PERM);
  EXPECT_EQ(h->path_remove_directory(kPre, ".."), Errno::PERM);
  EXPECT_EQ(h->path_unlink_file(kPre, "sub/../.."), Errno::PERM);
  EXPECT_EQ(h->path_rename(kPre, "..", kPre, "x"), Errno::PERM);
  EXPECT_EQ(h->path_symlink("f", kPre, ".."), Errno::PERM);
  EXPECT_EQ(h->path_symlink("f", kPre, "../evil"), Errno::PERM);
  EXPECT_EQ(err(h->path_readlink(kPre, "../outside")), Errno::PERM);
  // A last ".." that stays inside gets Linux's answer for the name.
  EXPECT_EQ(h->path_create_directory(kPre, "sub/.."), Errno::EXIST);
  EXPECT_EQ(h->path_remove_directory(kPre, "sub/.."), Errno::NOTEMPTY);
  // A directory fd is a root of its own: ".." from it is refused even where
  // it would stay inside the preopen (cap-std's Dir).
  Fd sub = ok(h->path_open(kPre, 0, "sub", oflag::DIRECTORY, right::DIRECTORY, right::ALL, 0));
  EXPECT_EQ(err(open("../f", 0, kRO, 0, kFollow, sub)), Errno::PERM);
  EXPECT_EQ(err(open(".", 0, kRO, 0, kFollow, sub)), Errno::SUCCESS);
  file("sub/g", "g");
  EXPECT_EQ(err(open("g", 0, kRO, 0, kFollow, sub)), Errno::SUCCESS);
}

TEST_P(HostTest, SymlinksAreFollowedOnlyInside) {
  ASSERT_EQ(h->path_create_directory(kPre, "sub"), Errno::SUCCESS);
  file("sub/f", "target");
  ASSERT_EQ(h->path_symlink("sub/f", kPre, "l"), Errno::SUCCESS);
  ASSERT_EQ(h->path_symlink("../outside", kPre, "out"), Errno::SUCCESS);  // may be made, never followed
  ASSERT_EQ(h->path_symlink("../top/sub/f", kPre, "roundtrip"), Errno::SUCCESS);
  ASSERT_EQ(h->path_symlink("../f", kPre, "sub/up"), Errno::SUCCESS);
  file("f", "top-f");
  EXPECT_EQ(contents("l"), "target");
  EXPECT_EQ(contents("out"), "error EPERM");
  EXPECT_EQ(contents("roundtrip"), "error EPERM");  // leaves for a moment: refused
  EXPECT_EQ(contents("sub/up"), "top-f");           // ".." inside the preopen: fine
  EXPECT_EQ(err(h->path_filestat_get(kPre, kFollow, "out")), Errno::PERM);
  // Not following: the link itself.
  auto st = h->path_filestat_get(kPre, 0, "out");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->filetype, Filetype::SYMBOLIC_LINK);
  EXPECT_EQ(st->size, 10u);
  EXPECT_EQ(err(open("l", 0, kRO, 0, 0)), Errno::LOOP);  // open(2) O_NOFOLLOW on a symlink
  // Not following concerns the last component only.
  ASSERT_EQ(h->path_symlink("sub", kPre, "ldir"), Errno::SUCCESS);
  EXPECT_EQ(err(open("ldir/f", 0, kRO, 0, 0)), Errno::SUCCESS);
  // Times of the link itself, or of what it names.
  EXPECT_EQ(h->path_filestat_set_times(kPre, 0, "l", 0, 7'000'000'000ull, fstflag::MTIM), Errno::SUCCESS);
  EXPECT_EQ(h->path_filestat_get(kPre, 0, "l")->mtim, 7'000'000'000ull);
  EXPECT_NE(h->path_filestat_get(kPre, kFollow, "l")->mtim, 7'000'000'000ull);
  EXPECT_EQ(h->path_filestat_set_times(kPre, kFollow, "l", 0, 9'000'000'000ull, fstflag::MTIM),
            Errno::SUCCESS);
  EXPECT_EQ(h->path_filestat_get(kPre, 0, "sub/f")->mtim, 9'000'000'000ull);
  EXPECT_EQ(*h->path_readlink(kPre, "out"), "../outside");
  EXPECT_EQ(err(h->path_readlink(kPre, "f")), Errno::INVAL);
  // An absolute target is refused when made (cap-std), stored by Linux.
  EXPECT_EQ(h->path_symlink("/etc/passwd", kPre, "abs"), Errno::PERM);
  EXPECT_EQ(h->path_symlink("", kPre, "empty"), Errno::NOENT);  // symlink(2)
  EXPECT_EQ(h->path_symlink("x", kPre, "l"), Errno::EXIST);
}

TEST_P(HostTest, SymlinkLoopsAreELOOP) {
  ASSERT_EQ(h->path_symlink("self", kPre, "self"), Errno::SUCCESS);
  ASSERT_EQ(h->path_symlink("b", kPre, "a"), Errno::SUCCESS);
  ASSERT_EQ(h->path_symlink("a", kPre, "b"), Errno::SUCCESS);
  EXPECT_EQ(err(open("self", 0, kRO)), Errno::LOOP);
  EXPECT_EQ(err(open("a", 0, kRO)), Errno::LOOP);
  EXPECT_EQ(err(open("a", oflag::CREAT)), Errno::LOOP);
  EXPECT_EQ(err(h->path_filestat_get(kPre, kFollow, "a")), Errno::LOOP);
  EXPECT_EQ(err(h->path_filestat_get(kPre, kFollow, "a/x")), Errno::LOOP);
  EXPECT_TRUE(h->path_filestat_get(kPre, 0, "a").ok());
  // A chain of 40 links is followed (MAXSYMLINKS); 41 is too many.
  file("end", "e");
  std::string prev = "end";
  for (int i = 0; i < 41; ++i) {
    std::string name = "c" + std::to_string(i);
    ASSERT_EQ(h->path_symlink(prev, kPre, name), Errno::SUCCESS);
    prev = name;
  }
  EXPECT_EQ(contents("c39"), "e");
  EXPECT_EQ(contents("c40"), "error ELOOP");
}

TEST_P(HostTest, CreateThroughADanglingSymlink) {
  ASSERT_EQ(h->path_symlink("made", kPre, "dangling"), Errno::SUCCESS);
  // O_CREAT|O_EXCL: EEXIST, the symlink is not followed, nothing is made.
  EXPECT_EQ(err(open("dangling", oflag::CREAT | oflag::EXCL)), Errno::EXIST);
  EXPECT_EQ(err(h->path_filestat_get(kPre, 0, "made")), Errno::NOENT);
  // O_CREAT alone creates the target (open(2)).
  auto fd = open("dangling", oflag::CREAT);
  ASSERT_TRUE(fd.ok());
  ASSERT_EQ(*write(*fd, "via link"), 8u);
  EXPECT_EQ(contents("made"), "via link");
  // Without following, O_CREAT on the symlink is ELOOP (O_NOFOLLOW).
  EXPECT_EQ(err(open("dangling", oflag::CREAT, kRW, 0, 0)), Errno::LOOP);
  // A dangling symlink whose target is outside: nothing is made there.
  ASSERT_EQ(h->path_symlink("../escaped", kPre, "away"), Errno::SUCCESS);
  EXPECT_EQ(err(open("away", oflag::CREAT)), Errno::PERM);
  auto root = be->root();
  EXPECT_EQ(be->lookup(kRoot, **root, "escaped").error(), p9::Errno::NOENT);
}

// ---- directories, unlink, rename, link ----

TEST_P(HostTest, CreateAndRemoveDirectories) {
  EXPECT_EQ(h->path_create_directory(kPre, "d"), Errno::SUCCESS);
  EXPECT_EQ(h->path_create_directory(kPre, "d"), Errno::EXIST);
  EXPECT_EQ(h->path_create_directory(kPre, "d/e/"), Errno::SUCCESS);  // a trailing slash is fine
  EXPECT_EQ(h->path_create_directory(kPre, "x/y"), Errno::NOENT);
  EXPECT_EQ(h->path_create_directory(kPre, "."), Errno::EXIST);
  EXPECT_EQ(h->path_filestat_get(kPre, 0, "d")->filetype, Filetype::DIRECTORY);
  EXPECT_EQ(nlink("d"), 3u);  // ".", its name, e's ".."
  EXPECT_EQ(h->path_remove_directory(kPre, "d"), Errno::NOTEMPTY);
  EXPECT_EQ(h->path_remove_directory(kPre, "d/e/"), Errno::SUCCESS);
  EXPECT_EQ(h->path_remove_directory(kPre, "d/."), Errno::INVAL);  // rmdir(2) of "."
  EXPECT_EQ(h->path_remove_directory(kPre, "d"), Errno::SUCCESS);
  EXPECT_EQ(h->path_remove_directory(kPre, "d"), Errno::NOENT);
  file("f");
  EXPECT_EQ(h->path_remove_directory(kPre, "f"), Errno::NOTDIR);
}

TEST_P(HostTest, UnlinkFiles) {
  file("f");
  ASSERT_EQ(h->path_create_directory(kPre, "d"), Errno::SUCCESS);
  EXPECT_EQ(h->path_unlink_file(kPre, "d"), Errno::ISDIR);  // Linux unlink(2) of a directory
  EXPECT_EQ(h->path_unlink_file(kPre, "d/"), Errno::ISDIR);
  EXPECT_EQ(h->path_unlink_file(kPre, "f/"), Errno::NOTDIR);
  EXPECT_EQ(h->path_unlink_file(kPre, "f"), Errno::SUCCESS);
  EXPECT_EQ(h->path_unlink_file(kPre, "f"), Errno::NOENT);
  // A symlink is unlinked itself, not its target.
  file("t", "t");
  ASSERT_EQ(h->path_symlink("t", kPre, "l"), Errno::SUCCESS);
  EXPECT_EQ(h->path_unlink_file(kPre, "l"), Errno::SUCCESS);
  EXPECT_EQ(contents("t"), "t");
}

TEST_P(HostTest, AnOpenFileOutlivesItsName) {
  file("f", "still here");
  Fd fd = ok(open("f"));
  ASSERT_EQ(h->path_unlink_file(kPre, "f"), Errno::SUCCESS);
  EXPECT_EQ(read(fd), "still here");
  EXPECT_EQ(h->fd_filestat_get(fd)->nlink, 0u);
}

TEST_P(HostTest, RenameFilesAndDirectories) {
  file("a", "A");
  EXPECT_EQ(h->path_rename(kPre, "a", kPre, "b"), Errno::SUCCESS);
  EXPECT_EQ(contents("b"), "A");
  EXPECT_EQ(contents("a"), "error ENOENT");
  file("c", "C");
  EXPECT_EQ(h->path_rename(kPre, "c", kPre, "b"), Errno::SUCCESS);  // over a file: replaced
  EXPECT_EQ(contents("b"), "C");
  ASSERT_EQ(h->path_create_directory(kPre, "full"), Errno::SUCCESS);
  file("full/x");
  ASSERT_EQ(h->path_create_directory(kPre, "empty"), Errno::SUCCESS);
  ASSERT_EQ(h->path_create_directory(kPre, "other"), Errno::SUCCESS);
  EXPECT_EQ(h->path_rename(kPre, "other", kPre, "full"), Errno::NOTEMPTY);    // over a non-empty directory
  EXPECT_EQ(h->path_rename(kPre, "other", kPre, "empty"), Errno::SUCCESS);    // over an empty one
  EXPECT_EQ(h->path_rename(kPre, "b", kPre, "full"), Errno::ISDIR);           // a file over a directory
  EXPECT_EQ(h->path_rename(kPre, "full", kPre, "b"), Errno::NOTDIR);          // a directory over a file
  EXPECT_EQ(h->path_rename(kPre, "full", kPre, "full/inner"), Errno::INVAL);  // into itself
  EXPECT_EQ(h->path_rename(kPre, "b/", kPre, "z"), Errno::NOTDIR);            // "name/" needs a directory
  EXPECT_EQ(h->path_rename(kPre, "full/", kPre, "moved/"), Errno::SUCCESS);
  EXPECT_EQ(contents("moved/x"), "");
  EXPECT_EQ(h->path_rename(kPre, "nothing", kPre, "z"), Errno::NOENT);
  EXPECT_EQ(h->path_rename(kPre, "b", kPre, "../stolen"), Errno::PERM);
  EXPECT_EQ(h->path_rename(kPre, "../outside", kPre, "mine"), Errno::PERM);
}

TEST_P(HostTest, RenameNeedsBothRights) {
  file("a");
  Fd src = ok(h->path_open(kPre, 0, ".", oflag::DIRECTORY, right::PATH_RENAME_SOURCE, 0, 0));
  Fd dst = ok(h->path_open(kPre, 0, ".", oflag::DIRECTORY, right::PATH_RENAME_TARGET, 0, 0));
  EXPECT_EQ(h->path_rename(dst, "a", src, "b"), Errno::NOTCAPABLE);
  EXPECT_EQ(h->path_rename(src, "a", dst, "b"), Errno::SUCCESS);
}

TEST_P(HostTest, HardLinksCountTheirNames) {
  file("f", "shared");
  EXPECT_EQ(nlink("f"), 1u);
  EXPECT_EQ(h->path_link(kPre, 0, "f", kPre, "g"), Errno::SUCCESS);
  EXPECT_EQ(nlink("f"), 2u);
  EXPECT_EQ(nlink("g"), 2u);
  EXPECT_EQ(h->path_filestat_get(kPre, 0, "f")->ino, h->path_filestat_get(kPre, 0, "g")->ino);
  EXPECT_EQ(h->path_link(kPre, 0, "f", kPre, "g"), Errno::EXIST);
  EXPECT_EQ(h->path_unlink_file(kPre, "f"), Errno::SUCCESS);
  EXPECT_EQ(nlink("g"), 1u);
  EXPECT_EQ(contents("g"), "shared");
  ASSERT_EQ(h->path_create_directory(kPre, "d"), Errno::SUCCESS);
  EXPECT_EQ(h->path_link(kPre, 0, "d", kPre, "d2"), Errno::PERM);  // link(2) of a directory
  EXPECT_EQ(h->path_link(kPre, 0, "nothing", kPre, "x"), Errno::NOENT);
  EXPECT_EQ(h->path_link(kPre, 0, "../outside", kPre, "x"), Errno::PERM);
  EXPECT_EQ(h->path_link(kPre, 0, "g", kPre, "../x"), Errno::PERM);
  // SYMLINK_FOLLOW links the target; without it, the symlink itself.
  ASSERT_EQ(h->path_symlink("g", kPre, "l"), Errno::SUCCESS);
  EXPECT_EQ(h->path_link(kPre, kFollow, "l", kPre, "g2"), Errno::SUCCESS);
  EXPECT_EQ(nlink("g"), 2u);
  EXPECT_EQ(h->path_link(kPre, 0, "l", kPre, "l2"), Errno::SUCCESS);
  EXPECT_EQ(h->path_filestat_get(kPre, 0, "l2")->filetype, Filetype::SYMBOLIC_LINK);
}

// ---- readdir ----

TEST_P(HostTest, ReaddirListsDotDotDotAndEveryNameOnce) {
  file("a");
  file("bb");
  ASSERT_EQ(h->path_create_directory(kPre, "dir"), Errno::SUCCESS);
  std::vector<std::string> names = list(kPre);
  std::multiset<std::string> got(names.begin(), names.end());
  EXPECT_EQ(got, (std::multiset<std::string>{".", "..", "a", "bb", "dir"}));
  // Types and inode numbers as filestat gives them.
  std::vector<std::uint8_t> b(4096);
  auto used = h->fd_readdir(kPre, b, 0);
  ASSERT_TRUE(used.ok());
  std::size_t at = 0, size = 0;
  Dirent d;
  std::map<std::string, Dirent> by;
  while (parse_dirent(b.data() + at, *used - at, d, size)) {
    by[std::string(d.name)] = d;
    at += size;
  }
  EXPECT_EQ(by["dir"].type, Filetype::DIRECTORY);
  EXPECT_EQ(by["a"].type, Filetype::REGULAR_FILE);
  EXPECT_EQ(by["a"].ino, h->path_filestat_get(kPre, 0, "a")->ino);
  EXPECT_EQ(by["."].ino, h->fd_filestat_get(kPre)->ino);
}

TEST_P(HostTest, ReaddirWithSmallBuffersCutsEntriesAndContinuesByCookie) {
  for (int i = 0; i < 20; ++i) file("name-" + std::to_string(i));
  std::vector<std::string> whole = list(kPre);
  ASSERT_EQ(whole.size(), 22u);
  // 30 bytes: one short entry at most, cut entries on most calls.
  int calls = 0;
  EXPECT_EQ(list(kPre, 30, &calls), whole);
  EXPECT_GE(calls, 11);  // at most two entries a call
  // 10 bytes: not even a header fits; the caller must grow its buffer.
  EXPECT_EQ(list(kPre, 10), whole);
  // A cookie from the middle continues after that entry.
  std::vector<std::uint8_t> b(4096);
  auto used = h->fd_readdir(kPre, b, 0);
  ASSERT_TRUE(used.ok());
  std::vector<Dirent> all;
  std::vector<std::size_t> sizes;
  std::size_t at = 0, size = 0;
  Dirent d;
  while (parse_dirent(b.data() + at, *used - at, d, size)) {
    all.push_back(d);
    sizes.push_back(size);
    at += size;
  }
  ASSERT_EQ(all.size(), whole.size());
  std::vector<std::uint8_t> rest(4096);
  auto more = h->fd_readdir(kPre, rest, all[3].next);
  ASSERT_TRUE(more.ok());
  ASSERT_TRUE(parse_dirent(rest.data(), *more, d, size));
  EXPECT_EQ(std::string(d.name), whole[4]);
  // A buffer the first entry fills exactly: bufused == buf_len, the entry whole.
  std::vector<std::uint8_t> exact(sizes[0]);
  used = h->fd_readdir(kPre, exact, 0);
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(*used, exact.size());
  ASSERT_TRUE(parse_dirent(exact.data(), *used, d, size));
  EXPECT_EQ(std::string(d.name), whole[0]);
  EXPECT_EQ(*h->fd_readdir(kPre, std::span<std::uint8_t>(), 0), 0u);
}

TEST_P(HostTest, ReaddirCookiesSurviveChangesToOtherEntries) {
  for (int i = 0; i < 10; ++i) file("f" + std::to_string(i));
  // Read half, change the directory, read on from the cookie.
  std::vector<std::uint8_t> b(4096);
  auto used = h->fd_readdir(kPre, b, 0);
  ASSERT_TRUE(used.ok());
  std::vector<std::string> seen;
  std::size_t at = 0, size = 0;
  Dirent d;
  std::uint64_t cookie = 0;
  while (seen.size() < 6 && parse_dirent(b.data() + at, *used - at, d, size)) {
    seen.emplace_back(d.name);
    cookie = d.next;
    at += size;
  }
  ASSERT_EQ(seen.size(), 6u);
  file("added");
  std::string removed;
  for (int i = 0; i < 10; ++i) {
    std::string n = "f" + std::to_string(i);
    if (std::find(seen.begin(), seen.end(), n) == seen.end()) {
      removed = n;
      break;
    }
  }
  ASSERT_FALSE(removed.empty());
  ASSERT_EQ(h->path_unlink_file(kPre, removed), Errno::SUCCESS);
  used = h->fd_readdir(kPre, b, cookie);
  ASSERT_TRUE(used.ok());
  at = 0;
  while (parse_dirent(b.data() + at, *used - at, d, size)) {
    seen.emplace_back(d.name);
    at += size;
  }
  // Every entry present throughout is listed exactly once.
  std::multiset<std::string> got(seen.begin(), seen.end());
  for (int i = 0; i < 10; ++i) {
    std::string n = "f" + std::to_string(i);
    if (n != removed) {
      EXPECT_EQ(got.count(n), 1u) << n;
    }
  }
  EXPECT_EQ(got.count("."), 1u);
  EXPECT_EQ(got.count(".."), 1u);
  EXPECT_LE(got.count("added"), 1u);
}

// ---- attributes ----

TEST_P(HostTest, FilestatSizeTimesAndTypes) {
  Fd fd = ok(open("f", oflag::CREAT));
  ASSERT_TRUE(write(fd, "12345").ok());
  auto st = h->fd_filestat_get(fd);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->filetype, Filetype::REGULAR_FILE);
  EXPECT_EQ(st->size, 5u);
  EXPECT_EQ(st->nlink, 1u);
  EXPECT_EQ(st->ino, h->path_filestat_get(kPre, 0, "f")->ino);
  EXPECT_EQ(h->fd_filestat_set_size(fd, 2), Errno::SUCCESS);
  EXPECT_EQ(contents("f"), "12");
  EXPECT_EQ(h->fd_filestat_set_size(fd, 4), Errno::SUCCESS);
  EXPECT_EQ(contents("f"), std::string("12\0\0", 4));
  // Times in nanoseconds, kept to the nanosecond.
  const std::uint64_t t1 = 1'600'000'000'123'456'789ull, t2 = 1'700'000'000'000'000'001ull;
  EXPECT_EQ(h->fd_filestat_set_times(fd, t1, t2, fstflag::ATIM | fstflag::MTIM), Errno::SUCCESS);
  st = h->fd_filestat_get(fd);
  EXPECT_EQ(st->atim, t1);
  EXPECT_EQ(st->mtim, t2);
  EXPECT_EQ(h->path_filestat_set_times(kPre, 0, "f", 0, t1, fstflag::MTIM), Errno::SUCCESS);
  st = h->path_filestat_get(kPre, 0, "f");
  EXPECT_EQ(st->atim, t1);  // left alone
  EXPECT_EQ(st->mtim, t1);
  EXPECT_EQ(h->path_filestat_set_times(kPre, 0, "f", 0, 0, fstflag::MTIM_NOW), Errno::SUCCESS);
  EXPECT_GT(h->path_filestat_get(kPre, 0, "f")->mtim, t2);  // now is after 2023
  EXPECT_EQ(h->fd_filestat_set_times(fd, 0, 0, fstflag::ATIM | fstflag::ATIM_NOW), Errno::INVAL);
  EXPECT_EQ(h->fd_filestat_set_times(fd, 0, 0, fstflag::MTIM | fstflag::MTIM_NOW), Errno::INVAL);
  EXPECT_EQ(h->fd_filestat_set_times(fd, 0, 0, 0x10), Errno::INVAL);
  EXPECT_EQ(h->path_filestat_set_times(kPre, 0, "nothing", 0, 0, fstflag::MTIM_NOW), Errno::NOENT);
  EXPECT_EQ(err(h->path_filestat_get(kPre, 0, "nothing")), Errno::NOENT);
}

TEST_P(HostTest, SyncAndDatasync) {
  Fd fd = ok(open("f", oflag::CREAT));
  ASSERT_TRUE(write(fd, "durable").ok());
  EXPECT_EQ(h->fd_sync(fd), Errno::SUCCESS);
  EXPECT_EQ(h->fd_datasync(fd), Errno::SUCCESS);
  EXPECT_EQ(h->fd_sync(kPre), Errno::SUCCESS);  // a directory syncs too
  EXPECT_EQ(h->fd_sync(1), Errno::NOTCAPABLE);  // stdio has no FD_SYNC
}

TEST_P(HostTest, AllocateGrowsTheFileAndAdviseOnlyChecks) {
  Fd fd = ok(open("f", oflag::CREAT));
  ASSERT_TRUE(write(fd, "ab").ok());
  EXPECT_EQ(h->fd_allocate(fd, 0, 4096), Errno::SUCCESS);
  EXPECT_EQ(h->fd_filestat_get(fd)->size, 4096u);
  EXPECT_EQ(pread(fd, 0, 3), std::string("ab\0", 3));    // no data changed
  EXPECT_EQ(h->fd_allocate(fd, 0, 10), Errno::SUCCESS);  // inside: the size stays
  EXPECT_EQ(h->fd_filestat_get(fd)->size, 4096u);
  EXPECT_EQ(h->fd_allocate(fd, 0, 0), Errno::INVAL);  // fallocate(2): len 0
  Fd ro = ok(open("f", 0, kRO));
  EXPECT_EQ(h->fd_allocate(ro, 0, 1), Errno::NOTCAPABLE);
  EXPECT_EQ(h->fd_allocate(1, 0, 1), Errno::SPIPE);
  EXPECT_EQ(h->fd_advise(fd, 0, 100, Advice::SEQUENTIAL), Errno::SUCCESS);
  EXPECT_EQ(h->fd_advise(fd, 0, 100, static_cast<Advice>(6)), Errno::INVAL);
  EXPECT_EQ(h->fd_advise(fd, 1ull << 63, 1, Advice::NORMAL), Errno::INVAL);  // a negative off_t
  EXPECT_EQ(h->fd_advise(ro, 0, 1, Advice::NORMAL), Errno::NOTCAPABLE);      // kRO has no FD_ADVISE
  EXPECT_EQ(h->fd_advise(kPre, 0, 1, Advice::NORMAL), Errno::NOTCAPABLE);    // nor has a directory
}

// A user who is not root: the backend's permission checks reach the WASI
// program as WASI's EACCES.
TEST_P(HostTest, PermissionsOfTheUserTheHostActsFor) {
  if (!be->profile().ownership)
    GTEST_SKIP() << GetParam()
                 << " checks no per-user permissions (profile noownership: posix not run as root)";
  ASSERT_EQ(h->path_create_directory(kPre, "private"), Errno::SUCCESS);
  file("private/f", "x");
  file("readonly", "r");
  auto root = be->root();
  auto top = be->lookup(kRoot, **root, "top");
  ASSERT_TRUE(top.ok());
  auto priv = be->lookup(kRoot, **top, "private");
  ASSERT_TRUE(priv.ok());
  fs::SetAttr mode;
  mode.mode = 0700;
  ASSERT_TRUE(be->setattr(kRoot, **priv, mode).ok());
  auto ro = be->lookup(kRoot, **top, "readonly");
  mode.mode = 0444;
  ASSERT_TRUE(be->setattr(kRoot, **ro, mode).ok());
  fs::SetAttr open_top;
  open_top.mode = 0777;
  ASSERT_TRUE(be->setattr(kRoot, **top, open_top).ok());
  const fs::Cred user{1000, 1000, {}};
  auto uh = Host::create(*be, user, *top, "/sandbox");
  ASSERT_TRUE(uh.ok());
  Host& u = **uh;
  EXPECT_EQ(err(u.path_open(kPre, 0, "private/f", 0, kRO, 0, 0)), Errno::ACCES);
  EXPECT_EQ(err(u.path_open(kPre, 0, "readonly", 0, kRW, 0, 0)), Errno::ACCES);
  EXPECT_TRUE(u.path_open(kPre, 0, "readonly", 0, kRO, 0, 0).ok());
  EXPECT_EQ(u.path_create_directory(kPre, "private/d"), Errno::ACCES);
  auto mine = u.path_open(kPre, 0, "mine", oflag::CREAT, kRW, 0, 0);
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(u.path_filestat_set_times(kPre, 0, "readonly", 0, 5, fstflag::MTIM),
            Errno::PERM);  // not the owner
}

INSTANTIATE_TEST_SUITE_P(Backends, HostTest, ::testing::Values("model", "posix"),
                         [](const ::testing::TestParamInfo<const char*>& p) { return std::string(p.param); });

}  // namespace
}  // namespace p9::wasi
