#include "reference/wasi/random_calls.h"

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>

#include "reference/model/model.h"
#include "reference/posix/posix_backend.h"
#include "reference/wasi/dirent.h"

namespace p9::wasi {
namespace {

std::string errstr(Errno e) { return errno_name(e); }
template <class T>
std::string errstr(const Result<T>& r) {
  return r.ok() ? "ok" : errno_name(r.error());
}

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

void forget(CallState& st, Fd fd) {
  auto it = std::find(st.fds.begin(), st.fds.end(), fd);
  if (it != st.fds.end()) st.fds.erase(it);
}

const char* const kPaths[] = {"a",  "b",    "d", "d/a", "d/e",    "d/e/b", "l",  "d/l",  "a/",
                              "d/", "d/..", ".", "..",  "d/../a", "l/a",   "ld", "ld/a", "missing/a"};
const char* const kTargets[] = {"a", "d", "d/a", "../a", "../../a", "ld", "l", "missing", "/abs", "d/"};

}  // namespace

bool CallSide::init(std::unique_ptr<fs::Backend> b) {
  be = std::move(b);
  if (!be) return false;
  auto host = Host::in_directory(*be, fs::Cred{0, 0, {}}, "top", "/top");
  if (!host.ok()) return false;
  h = std::move(*host);
  return true;
}

std::string make_temp_dir(const char* prefix) {
  const char* t = std::getenv("TMPDIR");
  std::string tmpl = std::string(t != nullptr && *t != '\0' ? t : "/tmp") + "/" + prefix + ".XXXXXX";
  return ::mkdtemp(tmpl.data()) != nullptr ? tmpl : std::string();
}

std::string CallPair::init(const char* prefix) {
  dir = make_temp_dir(prefix);
  if (dir.empty()) return std::string("mkdtemp: ") + std::strerror(errno);
  std::string err;
  if (!model.init(std::make_unique<model::Model>())) return "the Host over the model could not be made";
  if (!posix.init(posix::PosixBackend::open(dir, &err)))
    return "the Host over " + dir + " could not be made: " + err;
  return "";
}

CallPair::~CallPair() {
  model.h.reset();
  posix.h.reset();
  posix.be.reset();
  std::error_code ec;
  if (!dir.empty()) std::filesystem::remove_all(dir, ec);
}

std::string random_call(const Choose& choose, Host& h, CallState& st) {
  auto pick = [&](auto& arr) { return arr[choose(sizeof(arr) / sizeof(arr[0]))]; };
  const char* p = pick(kPaths);
  const char* q = pick(kPaths);
  std::uint32_t follow = choose(2) ? lookupflag::SYMLINK_FOLLOW : 0;
  auto& fds = st.fds;
  Fd fd = fds.empty() ? 99 : fds[choose(static_cast<std::uint32_t>(fds.size()))];
  // Directory calls start at the preopen mostly, at any open descriptor
  // sometimes (a directory fd is a capability of its own; a file's is ENOTDIR).
  Fd dir = choose(4) == 0 ? fd : Host::kPreopenFd;
  std::ostringstream o;
  switch (choose(24)) {
    case 0:
    case 1: {
      std::uint16_t of = static_cast<std::uint16_t>(choose(16));
      std::uint16_t ff = choose(3) == 0 ? fdflag::APPEND : 0;
      std::uint64_t rights =
          choose(3) == 0 ? (right::FD_READ | right::FD_SEEK | right::FD_READDIR) : right::ALL;
      auto r = h.path_open(dir, follow, p, of, rights, right::ALL, ff);
      if (r.ok()) fds.push_back(*r);
      o << "path_open " << dir << " " << p << " oflags " << of << " fdflags " << ff << " follow " << follow
        << " -> " << (r.ok() ? "fd " + std::to_string(*r) : errstr(r));
      break;
    }
    case 2:
    case 15: {
      std::size_t n = choose(20);
      std::string data(n, char('a' + choose(26)));
      Ciovec v(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
      std::uint64_t off = choose(40);
      bool positional = choose(2) == 0;
      auto r = positional ? h.fd_pwrite(fd, std::span<const Ciovec>(&v, 1), off)
                          : h.fd_write(fd, std::span<const Ciovec>(&v, 1));
      o << (positional ? "fd_pwrite " : "fd_write ") << fd << " " << data.size();
      if (positional) o << " at " << off;
      o << " -> " << (r.ok() ? std::to_string(*r) : errstr(r));
      break;
    }
    case 3:
    case 14: {
      std::string buf(30, '\0');
      Iovec v(reinterpret_cast<std::uint8_t*>(buf.data()), buf.size());
      std::uint64_t off = choose(40);
      bool positional = choose(2) == 0;
      auto r = positional ? h.fd_pread(fd, std::span<const Iovec>(&v, 1), off)
                          : h.fd_read(fd, std::span<const Iovec>(&v, 1));
      o << (positional ? "fd_pread " : "fd_read ") << fd;
      if (positional) o << " at " << off;
      o << " -> " << (r.ok() ? "\"" + buf.substr(0, *r) + "\"" : errstr(r));
      break;
    }
    case 4: {
      std::uint64_t size = choose(50);
      o << "fd_filestat_set_size " << fd << " " << size << " -> " << errstr(h.fd_filestat_set_size(fd, size));
      break;
    }
    case 5:
      o << "path_create_directory " << dir << " " << p << " -> " << errstr(h.path_create_directory(dir, p));
      break;
    case 6:
      o << "path_remove_directory " << dir << " " << p << " -> " << errstr(h.path_remove_directory(dir, p));
      break;
    case 7:
      o << "path_unlink_file " << dir << " " << p << " -> " << errstr(h.path_unlink_file(dir, p));
      break;
    case 8:
      o << "path_rename " << dir << " " << p << " " << q << " -> "
        << errstr(h.path_rename(dir, p, Host::kPreopenFd, q));
      break;
    case 9:
      o << "path_link " << dir << " " << p << " " << q << " follow " << follow << " -> "
        << errstr(h.path_link(dir, follow, p, Host::kPreopenFd, q));
      break;
    case 10: {
      const char* t = pick(kTargets);
      o << "path_symlink " << t << " " << dir << " " << p << " -> " << errstr(h.path_symlink(t, dir, p));
      break;
    }
    case 11: {
      auto r = h.path_readlink(dir, p);
      o << "path_readlink " << dir << " " << p << " -> " << (r.ok() ? *r : errstr(r));
      break;
    }
    case 12:
      o << "path_filestat_get " << dir << " " << p << " follow " << follow << " -> "
        << filestat_text(h.path_filestat_get(dir, follow, p));
      break;
    case 13:
      o << "fd_readdir " << fd << " -> " << listing(h, fd);
      break;
    case 16: {
      std::int64_t off = static_cast<std::int64_t>(choose(60)) - 20;
      auto whence = static_cast<Whence>(choose(3));
      auto r = h.fd_seek(fd, off, whence);
      o << "fd_seek " << fd << " " << off << " " << int(whence) << " -> "
        << (r.ok() ? std::to_string(*r) : errstr(r));
      break;
    }
    case 17: {
      if (fd == Host::kPreopenFd) {  // kept: without it most calls of a sequence would be EBADF
        o << "fd_close (not the preopen)";
        break;
      }
      Errno e = h.fd_close(fd);
      if (e == Errno::SUCCESS) forget(st, fd);
      o << "fd_close " << fd << " -> " << errstr(e);
      break;
    }
    case 18: {
      auto r = h.fd_fdstat_get(fd);
      o << "fd_fdstat_get " << fd << " -> ";
      if (r.ok())
        o << "type " << int(r->filetype) << " flags " << r->flags << " rights " << r->rights_base << " "
          << r->rights_inheriting;
      else
        o << errstr(r);
      break;
    }
    case 19:
      o << "fd_filestat_get " << fd << " -> " << filestat_text(h.fd_filestat_get(fd));
      break;
    case 20: {
      Fd to = fds.empty() ? 98 : fds[choose(static_cast<std::uint32_t>(fds.size()))];
      if (fd == Host::kPreopenFd || to == Host::kPreopenFd) {
        o << "fd_renumber (not the preopen)";
        break;
      }
      Errno e = h.fd_renumber(fd, to);
      if (e == Errno::SUCCESS && fd != to) forget(st, fd);
      o << "fd_renumber " << fd << " " << to << " -> " << errstr(e);
      break;
    }
    case 21: {
      std::uint64_t off = choose(40), len = choose(40);
      o << "fd_allocate " << fd << " " << off << " " << len << " -> " << errstr(h.fd_allocate(fd, off, len));
      break;
    }
    case 22: {
      std::uint16_t flags = choose(2) ? fdflag::APPEND : 0;
      o << "fd_fdstat_set_flags " << fd << " " << flags << " -> " << errstr(h.fd_fdstat_set_flags(fd, flags));
      break;
    }
    case 23: {
      // Times themselves are not compared (the stores' clocks differ); who
      // may set them and which flag combinations are refused are.
      std::uint16_t fl = static_cast<std::uint16_t>(choose(16));
      o << "path_filestat_set_times " << dir << " " << p << " follow " << follow << " flags " << fl << " -> "
        << errstr(h.path_filestat_set_times(dir, follow, p, 1000000000ull, 2000000000ull, fl));
      break;
    }
  }
  return o.str();
}

}  // namespace p9::wasi
