// The same random sequence of WASI calls through two Hosts, one over the
// model and one over a host directory (posix backend): every answer must be
// the same (errno, bytes read, sizes, types, link counts, listings as sets).
// The model is the executable specification; a difference is a bug in one
// of them or a rule the front end leaves to the backend.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "reference/model/model.h"
#include "reference/posix/posix_backend.h"
#include "reference/wasi/dirent.h"
#include "reference/wasi/host.h"

namespace p9::wasi {
namespace {

const fs::Cred kRoot{0, 0, {}};
constexpr Fd kPre = Host::kPreopenFd;

std::string make_temp_dir() {
  const char* t = std::getenv("TMPDIR");
  std::string tmpl = std::string(t != nullptr && *t != '\0' ? t : "/tmp") + "/p9wasi-diff.XXXXXX";
  char* p = ::mkdtemp(tmpl.data());
  return p ? tmpl : std::string();
}

// One side: a backend and a Host whose preopen is its /top.
struct Side {
  std::unique_ptr<fs::Backend> be;
  std::unique_ptr<Host> h;
  bool init(std::unique_ptr<fs::Backend> b) {
    be = std::move(b);
    auto root = be->root();
    if (!root.ok()) return false;
    auto top = be->mkdir(kRoot, **root, "top", 0755, 0);
    if (!top.ok()) return false;
    auto host = Host::create(*be, kRoot, *top, "/top");
    if (!host.ok()) return false;
    h = std::move(*host);
    return true;
  }
};

std::string errstr(Errno e) { return errno_name(e); }
template <class T>
std::string errstr(const Result<T>& r) {
  return r.ok() ? "ok" : errno_name(r.error());
}

// Everything a call answered, as text to compare.
std::string filestat_text(const Result<Filestat>& s) {
  if (!s.ok()) return errstr(s);
  std::ostringstream o;
  o << "type " << int(s->filetype) << " nlink " << s->nlink;
  // A directory's size is the store's own business (st_size of a directory
  // is file-system specific); a file's and a symlink's are not.
  if (s->filetype != Filetype::DIRECTORY) o << " size " << s->size;
  return o.str();
}

std::string listing(Host& h, Fd fd) {
  std::vector<std::uint8_t> b(8192);
  auto used = h.fd_readdir(fd, b, 0);
  if (!used.ok()) return errstr(used);
  std::set<std::string> names;
  std::size_t at = 0, size = 0;
  Dirent d;
  while (parse_dirent(b.data() + at, *used - at, d, size)) {
    names.insert(std::string(d.name) + ":" + std::to_string(int(d.type)));
    at += size;
  }
  std::string out;
  for (const auto& n : names) out += n + " ";
  return out;
}

const char* const kPaths[] = {"a",  "b",    "d", "d/a", "d/e",    "d/e/b", "l",  "d/l",  "a/",
                              "d/", "d/..", ".", "..",  "d/../a", "l/a",   "ld", "ld/a", "missing/a"};
const char* const kTargets[] = {"a", "d", "d/a", "../a", "../../a", "ld", "l", "missing", "/abs", "d/"};

std::string step(std::mt19937& rng, Host& h, std::vector<Fd>& fds) {
  auto pick = [&](auto& arr) { return arr[rng() % (sizeof(arr) / sizeof(arr[0]))]; };
  const char* p = pick(kPaths);
  const char* q = pick(kPaths);
  std::uint32_t follow = rng() % 2 ? lookupflag::SYMLINK_FOLLOW : 0;
  Fd fd = fds.empty() ? 99 : fds[rng() % fds.size()];
  std::ostringstream o;
  switch (rng() % 14) {
    case 0:
    case 1: {
      std::uint16_t of = static_cast<std::uint16_t>(rng() % 16);
      std::uint16_t ff = rng() % 3 == 0 ? fdflag::APPEND : 0;
      std::uint64_t rights =
          rng() % 3 == 0 ? (right::FD_READ | right::FD_SEEK | right::FD_READDIR) : right::ALL;
      auto r = h.path_open(kPre, follow, p, of, rights, right::ALL, ff);
      if (r.ok()) fds.push_back(*r);
      o << "path_open " << p << " oflags " << of << " fdflags " << ff << " follow " << follow << " -> "
        << (r.ok() ? "fd " + std::to_string(*r) : errstr(r));
      break;
    }
    case 2: {
      std::string data(rng() % 20, char('a' + rng() % 26));
      Ciovec v(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
      auto r = h.fd_write(fd, std::span<const Ciovec>(&v, 1));
      o << "fd_write " << fd << " " << data.size() << " -> " << (r.ok() ? std::to_string(*r) : errstr(r));
      break;
    }
    case 3: {
      std::string buf(30, '\0');
      Iovec v(reinterpret_cast<std::uint8_t*>(buf.data()), buf.size());
      std::uint64_t off = rng() % 40;
      auto r = h.fd_pread(fd, std::span<const Iovec>(&v, 1), off);
      o << "fd_pread " << fd << " at " << off << " -> " << (r.ok() ? buf.substr(0, *r) : errstr(r));
      break;
    }
    case 4: {
      std::uint64_t size = rng() % 50;
      o << "fd_filestat_set_size " << fd << " " << size << " -> " << errstr(h.fd_filestat_set_size(fd, size));
      break;
    }
    case 5:
      o << "path_create_directory " << p << " -> " << errstr(h.path_create_directory(kPre, p));
      break;
    case 6:
      o << "path_remove_directory " << p << " -> " << errstr(h.path_remove_directory(kPre, p));
      break;
    case 7:
      o << "path_unlink_file " << p << " -> " << errstr(h.path_unlink_file(kPre, p));
      break;
    case 8:
      o << "path_rename " << p << " " << q << " -> " << errstr(h.path_rename(kPre, p, kPre, q));
      break;
    case 9:
      o << "path_link " << p << " " << q << " follow " << follow << " -> "
        << errstr(h.path_link(kPre, follow, p, kPre, q));
      break;
    case 10: {
      const char* t = pick(kTargets);
      o << "path_symlink " << t << " " << p << " -> " << errstr(h.path_symlink(t, kPre, p));
      break;
    }
    case 11: {
      auto r = h.path_readlink(kPre, p);
      o << "path_readlink " << p << " -> " << (r.ok() ? *r : errstr(r));
      break;
    }
    case 12:
      o << "path_filestat_get " << p << " follow " << follow << " -> "
        << filestat_text(h.path_filestat_get(kPre, follow, p));
      break;
    case 13:
      o << "fd_readdir " << fd << " -> " << listing(h, fd);
      break;
  }
  return o.str();
}

// The one difference between the backends these calls reach, known and
// reasoned: fd_readdir of a directory removed while open. The model answers
// ENOENT, as Linux's getdents(2) does (fs/readdir.c iterate_dir: a dead
// directory is -ENOENT); the posix backend reads through glibc's readdir(3),
// which turns that ENOENT into the end of the directory ("POSIX.1 requires
// that we treat this condition like normal EOF", sysdeps/unix/sysv/linux/
// readdir64.c), so it lists nothing. Left to the backends' owners.
bool known_difference(const std::string& model, const std::string& posix) {
  const std::string tail = " -> ENOENT";
  return model.rfind("fd_readdir ", 0) == 0 && model.size() > tail.size() &&
         model.compare(model.size() - tail.size(), tail.size(), tail) == 0 &&
         posix == model.substr(0, model.size() - tail.size()) + " -> ";
}

TEST(WasiDifferential, ModelAndPosixAnswerTheSameCalls) {
  int known = 0;
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    Side model, posix;
    ASSERT_TRUE(model.init(std::make_unique<model::Model>()));
    std::string tmp = make_temp_dir();
    ASSERT_FALSE(tmp.empty());
    std::string err;
    ASSERT_TRUE(posix.init(posix::PosixBackend::open(tmp, &err))) << err;
    std::mt19937 rm(seed), rp(seed);
    std::vector<Fd> fm{kPre}, fp{kPre};
    std::vector<std::string> history;
    for (int i = 0; i < 150; ++i) {
      std::string a = step(rm, *model.h, fm);
      std::string b = step(rp, *posix.h, fp);
      history.push_back(a);
      if (a != b && known_difference(a, b)) {
        ++known;
        continue;
      }
      if (a != b) {
        std::string h;
        for (const auto& line : history) h += "  " + line + "\n";
        ADD_FAILURE() << "seed " << seed << " step " << i << ":\n model: " << a << "\n posix: " << b
                      << "\nhistory (model):\n"
                      << h;
        break;
      }
    }
    EXPECT_EQ(model.be->check_invariants(), "") << "seed " << seed;
    model.h.reset();
    posix.h.reset();
    std::error_code ec;
    std::filesystem::remove_all(tmp, ec);
  }
  // The known difference does happen in these sequences (and is the only one).
  EXPECT_GT(known, 0) << "the known readdir difference no longer happens: remove it from known_difference()";
}

}  // namespace
}  // namespace p9::wasi
