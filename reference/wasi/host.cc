#include "reference/wasi/host.h"

#include <limits>
#include <vector>

#include "reference/fs/open.h"
#include "reference/fs/rules.h"
#include "reference/wasi/dirent.h"

namespace p9::wasi {
namespace {

// What a path that would leave its directory fd gets. cap-std refuses such a
// path with io::ErrorKind::PermissionDenied ("a path led outside of the
// filesystem", cap-primitives), which wasmtime's crates/wasi turns into
// ErrorCode::NotPermitted (`From<&std::io::Error> for ErrorCode`) and its
// preview1 layer into Errno::Perm. wasmtime's older wasi-common gave
// ENOTCAPABLE for the same paths (README.md, "WASI and Linux").
constexpr Errno kEscape = Errno::PERM;

Errno lx(p9::Errno e) { return from_linux(e); }

// fs::Resolver answers EXDEV for a path that would leave its root
// (Escape::Refuse, as openat2 RESOLVE_BENEATH): WASI's escape errno.
Errno walk_error(p9::Errno e) { return e == p9::Errno::XDEV ? kEscape : from_linux(e); }

bool trailing_slash(std::string_view path) { return !path.empty() && path.back() == '/'; }

std::uint64_t ns(const fs::Timespec& t) {
  if (t.sec < 0) return 0;
  return static_cast<std::uint64_t>(t.sec) * 1000000000ull + t.nsec;
}

Filestat filestat(const fs::Attr& a) {
  Filestat s;
  s.dev = 0;  // one store: every file has the same device
  s.ino = a.ino;
  s.filetype = filetype_of(a.type);
  s.nlink = a.nlink;
  s.size = a.size;
  s.atim = ns(a.atime);
  s.mtim = ns(a.mtime);
  s.ctim = ns(a.ctime);
  return s;
}

// fst_flags into the times of a utimensat(2): ATIM with ATIM_NOW (or MTIM
// with MTIM_NOW) is EINVAL, as wasmtime's preview1 fd_filestat_set_times
// checks; unknown bits too.
Result<fs::SetAttr> set_times(std::uint64_t atim, std::uint64_t mtim, std::uint16_t fst) {
  if (fst & ~fstflag::ALL) return Errno::INVAL;
  if ((fst & fstflag::ATIM) && (fst & fstflag::ATIM_NOW)) return Errno::INVAL;
  if ((fst & fstflag::MTIM) && (fst & fstflag::MTIM_NOW)) return Errno::INVAL;
  auto when = [](std::uint64_t t, bool value, bool now) {
    fs::TimeSet s;
    if (now) {
      s.how = fs::TimeSet::How::Now;
    } else if (value) {
      s.how = fs::TimeSet::How::Value;
      s.value = fs::Timespec{static_cast<std::int64_t>(t / 1000000000ull),
                             static_cast<std::uint32_t>(t % 1000000000ull)};
    }
    return s;
  };
  fs::SetAttr sa;
  sa.atime = when(atim, fst & fstflag::ATIM, fst & fstflag::ATIM_NOW);
  sa.mtime = when(mtim, fst & fstflag::MTIM, fst & fstflag::MTIM_NOW);
  if (p9::Errno e = fs::check_setattr(sa); e != p9::Errno::OK) return lx(e);
  return sa;
}

// The bytes of several buffers as one (a single backend write keeps an
// append, and a write at all, whole: writev(2) writes its buffers as one).
std::vector<std::uint8_t> gather(std::span<const Ciovec> iovs) {
  std::vector<std::uint8_t> all;
  for (const Ciovec& v : iovs) all.insert(all.end(), v.begin(), v.end());
  return all;
}

// The rights that open the file for reading or writing: FD_READ and
// FD_WRITE alone, as wasmtime decides it (wasi-common's and the preview1
// adapter's path_open: `read = fs_rights_base.contains(FD_READ)`, `write =
// ...contains(FD_WRITE)`). uvwasi (uvwasi_path_open) also counts FD_READDIR
// for reading and FD_DATASYNC, FD_ALLOCATE, FD_FILESTAT_SET_SIZE for
// writing, which makes a directory opened with its own rights (they include
// FD_DATASYNC) EISDIR; wasi-testsuite's path_open_preopen wants it opened.
constexpr std::uint64_t kReadRights = right::FD_READ;
constexpr std::uint64_t kWriteRights = right::FD_WRITE;

}  // namespace

Host::Host(fs::Backend& backend, fs::Cred cred, Options options)
    : backend_(backend), cred_(std::move(cred)), options_(options) {}

Result<std::unique_ptr<Host>> Host::in_directory(fs::Backend& backend, const fs::Cred& cred,
                                                 std::string_view dir, std::string preopen_name, Dir how) {
  auto root = backend.root();
  if (!root.ok()) return from_linux(root.error());
  auto d = backend.mkdir(cred, **root, dir, 0755, 0);
  if (!d.ok() && d.error() == p9::Errno::EXIST && how == Dir::NewOrExisting)
    d = backend.lookup(cred, **root, dir);
  if (!d.ok()) return from_linux(d.error());
  return create(backend, cred, *d, std::move(preopen_name));
}

Result<std::unique_ptr<Host>> Host::create(fs::Backend& backend, fs::Cred cred, fs::NodeRef dir,
                                           std::string preopen_name, Options options) {
  std::unique_ptr<Host> h(new Host(backend, std::move(cred), options));
  const std::uint64_t stdio = right::FD_FILESTAT_GET | right::POLL_FD_READWRITE;
  for (Fd fd = 0; fd < 3; ++fd) {
    Entry e;
    e.stdio = true;
    e.type = fs::FileType::CharDev;
    e.base = stdio | (fd == 0 ? right::FD_READ : right::FD_WRITE);
    h->fds_.emplace(fd, std::move(e));
  }
  auto opened = fs::open_node(backend, h->cred_, dir, access::RDONLY | p9::oflag::DIRECTORY);
  if (!opened.ok()) return lx(opened.error());
  Entry pre;
  pre.node = dir;
  pre.file = std::move(opened->file);
  pre.type = fs::FileType::Directory;
  pre.base = right::DIRECTORY;
  pre.inheriting = right::ALL;
  pre.preopen = std::move(preopen_name);
  h->fds_.emplace(kPreopenFd, std::move(pre));
  return h;
}

std::vector<Fd> Host::fds() const {
  std::vector<Fd> out;
  for (const auto& [fd, e] : fds_) out.push_back(fd);
  return out;
}

Fd Host::lowest_free() const {
  Fd fd = 0;
  for (const auto& [n, e] : fds_) {
    if (n != fd) break;
    ++fd;
  }
  return fd;
}

Result<Host::Entry*> Host::get(Fd fd, std::uint64_t rights) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return Errno::BADF;
  if ((it->second.base & rights) != rights) return Errno::NOTCAPABLE;
  return &it->second;
}

Result<Host::Start> Host::dir(Fd fd, std::uint64_t rights) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return Errno::BADF;
  Entry& e = it->second;
  // A path call on a file is ENOTDIR, as openat(2) with a file's fd, before
  // any right is looked at.
  if (e.stdio || e.type != fs::FileType::Directory) return Errno::NOTDIR;
  if ((e.base & rights) != rights) return Errno::NOTCAPABLE;
  auto a = backend_.getattr(*e.node);
  if (!a.ok()) return lx(a.error());
  return Start{&e, fs::Place{e.node, nullptr, {}, fs::FileType::Directory, a->ino}};
}

fs::Resolver Host::resolver(const Start& s) const {
  // The directory fd is the root: no path leaves it (cap-std's Dir).
  return fs::Resolver(backend_, cred_, s.entry->node, fs::Escape::Refuse);
}

Result<fs::Place> Host::walk(const Start& s, std::string_view path, bool follow) {
  auto r = resolver(s).resolve(s.place, path, fs::ResolveFlags{follow, false});
  if (!r.ok()) return walk_error(r.error());
  return std::move(*r);
}

Result<fs::Place> Host::walk_parent(const Start& s, std::string_view path, std::string& last) {
  auto r = resolver(s).resolve(s.place, path, fs::ResolveFlags{false, true}, &last);
  if (!r.ok()) return walk_error(r.error());
  // A path that names its start itself ("/" is refused above; "" is ENOENT):
  // there is no last component to act on.
  if (last.empty()) return Errno::NOENT;
  // A last ".." in the directory fd itself names its parent, outside: refused
  // like any other way out (cap-std resolves a trailing ".." as a directory
  // of its own, which escapes), where Linux answers for the name alone
  // (mkdir(".."): EEXIST, fs/names.h).
  if (last == ".." && backend_.same(*r->node, *s.entry->node)) return kEscape;
  return std::move(*r);
}

// ---- path_open ----

Result<Fd> Host::path_open(Fd dirfd, std::uint32_t lookupflags, std::string_view path, std::uint16_t oflags,
                           std::uint64_t rights_base, std::uint64_t rights_inheriting,
                           std::uint16_t fdflags) {
  if ((oflags & ~oflag::ALL) || (fdflags & ~fdflag::ALL)) return Errno::INVAL;
  // The rights the directory must hold (uvwasi_path_open): PATH_OPEN, with
  // PATH_CREATE_FILE for CREAT and PATH_FILESTAT_SET_SIZE for TRUNC; what the
  // new fd asks for must be among the directory's inheriting rights (a
  // right is never gained by opening), ENOTCAPABLE otherwise.
  std::uint64_t need = right::PATH_OPEN;
  if (oflags & oflag::CREAT) need |= right::PATH_CREATE_FILE;
  if (oflags & oflag::TRUNC) need |= right::PATH_FILESTAT_SET_SIZE;
  std::uint64_t need_inheriting = rights_base | rights_inheriting;
  if (fdflags & fdflag::DSYNC) need_inheriting |= right::FD_DATASYNC;
  if (fdflags & (fdflag::RSYNC | fdflag::SYNC)) need_inheriting |= right::FD_SYNC;
  auto s = dir(dirfd, need);
  if (!s.ok()) return s.error();
  if ((s->entry->inheriting & need_inheriting) != need_inheriting) return Errno::NOTCAPABLE;

  // FD_WRITE on a directory is EISDIR, with DIRECTORY or without (open(2)
  // O_WRONLY/O_RDWR of a directory; wasi-testsuite path_open_preopen: "opening
  // directory read/write should fail with ISDIR").
  bool read = rights_base & kReadRights, write = rights_base & kWriteRights;
  std::uint32_t flags = write ? (read ? access::RDWR : access::WRONLY) : access::RDONLY;
  if (oflags & oflag::CREAT) flags |= p9::oflag::CREAT;
  if (oflags & oflag::EXCL) flags |= p9::oflag::EXCL;
  if (oflags & oflag::TRUNC) flags |= p9::oflag::TRUNC;
  if (oflags & oflag::DIRECTORY) flags |= p9::oflag::DIRECTORY;
  if (fdflags & fdflag::APPEND) flags |= p9::oflag::APPEND;
  if (fdflags & fdflag::NONBLOCK) flags |= p9::oflag::NONBLOCK;
  if (fdflags & fdflag::DSYNC) flags |= p9::oflag::DSYNC;
  // Linux has no O_RSYNC of its own: it is O_SYNC (asm-generic/fcntl.h).
  if (fdflags & (fdflag::SYNC | fdflag::RSYNC)) flags |= p9::oflag::SYNC;
  bool follow = lookupflags & lookupflag::SYMLINK_FOLLOW;
  if (!follow) flags |= p9::oflag::NOFOLLOW;
  bool creat = flags & p9::oflag::CREAT, excl = flags & p9::oflag::EXCL;

  std::string last;
  auto parent = walk_parent(*s, path, last);
  if (!parent.ok()) return parent.error();
  fs::Resolver res = resolver(*s);
  fs::Place at = std::move(*parent);
  bool slash = trailing_slash(path);
  p9::Result<fs::Opened> opened = p9::Errno::NOENT;
  for (int links = 0;;) {
    if (last == "." || last == "..") {
      // The directory itself or its parent: walked by the resolver, so a
      // ".." never climbs above the directory fd; open_at's "." then gives
      // open(2)'s answer for O_CREAT on an existing directory.
      auto d = res.step(at, last);
      if (!d.ok()) return walk_error(d.error());
      opened = creat ? fs::open_at(backend_, cred_, *d->node, ".", flags, options_.file_mode, cred_.gid)
                     : fs::open_node(backend_, cred_, d->node, flags);
      break;
    }
    auto found = res.step(at, last);
    if (!found.ok() && found.error() != p9::Errno::NOENT) return walk_error(found.error());
    if (found.ok() && found->type == fs::FileType::Symlink && (follow || slash)) {
      // open(2): O_CREAT|O_EXCL never follows a symlink, even a dangling one.
      if (creat && excl) return Errno::EXIST;
      if (++links > static_cast<int>(SYMLINK_FOLLOW_MAX)) return Errno::LOOP;
      auto target = backend_.readlink(*found->node);
      if (!target.ok()) return lx(target.error());
      // The target from the symlink's directory, up to its last name, so
      // that O_CREAT through a dangling symlink creates its target (open(2)),
      // inside the directory fd only.
      auto next = res.resolve(at, *target, fs::ResolveFlags{false, true}, &last);
      if (!next.ok()) return walk_error(next.error());
      if (trailing_slash(*target)) slash = true;
      at = std::move(*next);
      continue;
    }
    if (slash) {
      // "name/" names a directory: open(2) gives ENOTDIR for a file and
      // EISDIR for creating one.
      if (found.ok() && found->type != fs::FileType::Directory) return Errno::NOTDIR;
      if (!found.ok() && creat) return Errno::ISDIR;
    }
    opened = fs::open_at(backend_, cred_, *at.node, last, flags, options_.file_mode, cred_.gid);
    break;
  }
  if (!opened.ok()) return lx(opened.error());
  Entry e;
  e.node = opened->node;
  e.file = std::move(opened->file);
  e.type = opened->attr.type;
  e.flags = fdflags;
  // Rights that do not apply to the type of file opened are dropped (witx
  // path_open: "fewer rights than specified, if and only if those rights do
  // not apply to the type of file being opened").
  bool is_dir = e.type == fs::FileType::Directory;
  e.base = rights_base & (is_dir ? right::DIRECTORY : right::FILE);
  e.inheriting = rights_inheriting;
  Fd fd = lowest_free();
  fds_.emplace(fd, std::move(e));
  return fd;
}

// ---- other path calls ----

Result<Filestat> Host::path_filestat_get(Fd dirfd, std::uint32_t lookupflags, std::string_view path) {
  auto s = dir(dirfd, right::PATH_FILESTAT_GET);
  if (!s.ok()) return s.error();
  auto p = walk(*s, path, lookupflags & lookupflag::SYMLINK_FOLLOW);
  if (!p.ok()) return p.error();
  auto a = backend_.getattr(*p->node);
  if (!a.ok()) return lx(a.error());
  return filestat(*a);
}

Errno Host::path_filestat_set_times(Fd dirfd, std::uint32_t lookupflags, std::string_view path,
                                    std::uint64_t atim, std::uint64_t mtim, std::uint16_t fst_flags) {
  auto s = dir(dirfd, right::PATH_FILESTAT_SET_TIMES);
  if (!s.ok()) return s.error();
  auto sa = set_times(atim, mtim, fst_flags);
  if (!sa.ok()) return sa.error();
  auto p = walk(*s, path, lookupflags & lookupflag::SYMLINK_FOLLOW);
  if (!p.ok()) return p.error();
  auto r = backend_.setattr(cred_, *p->node, *sa);
  return r.ok() ? Errno::SUCCESS : lx(r.error());
}

Errno Host::path_create_directory(Fd dirfd, std::string_view path) {
  auto s = dir(dirfd, right::PATH_CREATE_DIRECTORY);
  if (!s.ok()) return s.error();
  std::string last;
  auto p = walk_parent(*s, path, last);
  if (!p.ok()) return p.error();
  auto r = backend_.mkdir(cred_, *p->node, last, options_.dir_mode, cred_.gid);
  return r.ok() ? Errno::SUCCESS : lx(r.error());
}

Errno Host::path_remove_directory(Fd dirfd, std::string_view path) {
  auto s = dir(dirfd, right::PATH_REMOVE_DIRECTORY);
  if (!s.ok()) return s.error();
  std::string last;
  auto p = walk_parent(*s, path, last);
  if (!p.ok()) return p.error();
  auto r = backend_.unlink(cred_, *p->node, last, true);
  return r.ok() ? Errno::SUCCESS : lx(r.error());
}

Errno Host::path_unlink_file(Fd dirfd, std::string_view path) {
  auto s = dir(dirfd, right::PATH_UNLINK_FILE);
  if (!s.ok()) return s.error();
  std::string last;
  auto p = walk_parent(*s, path, last);
  if (!p.ok()) return p.error();
  if (trailing_slash(path)) {
    // unlink("name/") (Linux do_unlinkat): a trailing slash asks for a
    // directory, which unlink refuses: EISDIR for one, ENOTDIR otherwise.
    auto n = resolver(*s).step(*p, last);
    if (!n.ok()) return walk_error(n.error());
    return n->type == fs::FileType::Directory ? Errno::ISDIR : Errno::NOTDIR;
  }
  auto r = backend_.unlink(cred_, *p->node, last, false);
  return r.ok() ? Errno::SUCCESS : lx(r.error());
}

Errno Host::path_rename(Fd old_dirfd, std::string_view old_path, Fd new_dirfd, std::string_view new_path) {
  auto s1 = dir(old_dirfd, right::PATH_RENAME_SOURCE);
  if (!s1.ok()) return s1.error();
  auto s2 = dir(new_dirfd, right::PATH_RENAME_TARGET);
  if (!s2.ok()) return s2.error();
  std::string last1, last2;
  auto p1 = walk_parent(*s1, old_path, last1);
  if (!p1.ok()) return p1.error();
  auto p2 = walk_parent(*s2, new_path, last2);
  if (!p2.ok()) return p2.error();
  if (trailing_slash(old_path) || trailing_slash(new_path)) {
    // rename(2) with a trailing slash on either name: the source must be a
    // directory (Linux do_renameat2: ENOTDIR).
    auto src = resolver(*s1).step(*p1, last1);
    if (!src.ok()) return walk_error(src.error());
    if (src->type != fs::FileType::Directory) return Errno::NOTDIR;
  }
  auto r = backend_.rename(cred_, *p1->node, last1, *p2->node, last2);
  return r.ok() ? Errno::SUCCESS : lx(r.error());
}

// A name to be made as something other than a directory (a symlink, a hard
// link) given with a trailing '/': EEXIST when it exists, else ENOENT, as
// Linux's filename_create (fs/namei.c: "a trailing '/' ... a directory wasn't
// requested": no create, then -EEXIST for a positive dentry, -ENOENT).
Errno Host::slash_on_new_nondir(const fs::Place& dir, const std::string& last) {
  auto found = backend_.lookup(cred_, *dir.node, last);
  if (found.ok()) return Errno::EXIST;
  return found.error() == p9::Errno::NOENT ? Errno::NOENT : lx(found.error());
}

Errno Host::path_symlink(std::string_view target, Fd dirfd, std::string_view path) {
  auto s = dir(dirfd, right::PATH_SYMLINK);
  if (!s.ok()) return s.error();
  if (p9::Errno e = fs::check_symlink_target(target); e != p9::Errno::OK) return lx(e);
  // cap-std refuses to make a symlink with an absolute target (it could only
  // ever lead outside): the escape errno, where Linux would store it.
  if (target.front() == '/') return kEscape;
  std::string last;
  auto p = walk_parent(*s, path, last);
  if (!p.ok()) return p.error();
  if (trailing_slash(path)) return slash_on_new_nondir(*p, last);
  auto r = backend_.symlink(cred_, *p->node, last, target, cred_.gid);
  return r.ok() ? Errno::SUCCESS : lx(r.error());
}

Result<std::string> Host::path_readlink(Fd dirfd, std::string_view path) {
  auto s = dir(dirfd, right::PATH_READLINK);
  if (!s.ok()) return s.error();
  auto p = walk(*s, path, false);
  if (!p.ok()) return p.error();
  auto r = backend_.readlink(*p->node);
  if (!r.ok()) return lx(r.error());
  return std::move(*r);
}

Errno Host::path_link(Fd old_dirfd, std::uint32_t old_lookupflags, std::string_view old_path, Fd new_dirfd,
                      std::string_view new_path) {
  auto s1 = dir(old_dirfd, right::PATH_LINK_SOURCE);
  if (!s1.ok()) return s1.error();
  auto s2 = dir(new_dirfd, right::PATH_LINK_TARGET);
  if (!s2.ok()) return s2.error();
  auto src = walk(*s1, old_path, old_lookupflags & lookupflag::SYMLINK_FOLLOW);
  if (!src.ok()) return src.error();
  std::string last;
  auto p = walk_parent(*s2, new_path, last);
  if (!p.ok()) return p.error();
  if (trailing_slash(new_path)) return slash_on_new_nondir(*p, last);
  auto r = backend_.link(cred_, *src->node, *p->node, last);
  return r.ok() ? Errno::SUCCESS : lx(r.error());
}

// ---- fd calls ----

Result<std::size_t> Host::read_at(Entry& e, std::span<const Iovec> iovs, std::uint64_t offset) {
  std::size_t total = 0;
  for (const Iovec& v : iovs) {
    auto n = e.file->read(offset + total, v.data(), v.size());
    if (!n.ok()) return lx(n.error());
    total += *n;
    if (*n < v.size()) break;  // end of file
  }
  return total;
}

Result<std::size_t> Host::write_at(Entry& e, std::span<const Ciovec> iovs, std::uint64_t offset) {
  std::vector<std::uint8_t> all;
  const std::uint8_t* data = nullptr;
  std::size_t len = 0;
  if (iovs.size() == 1) {
    data = iovs[0].data();
    len = iovs[0].size();
  } else {
    all = gather(iovs);
    data = all.data();
    len = all.size();
  }
  if (len == 0) return std::size_t{0};
  auto n = e.file->write(offset, data, len);
  if (!n.ok()) return lx(n.error());
  return *n;
}

Result<std::size_t> Host::fd_read(Fd fd, std::span<const Iovec> iovs) {
  auto e = get(fd, right::FD_READ);
  if (!e.ok()) return e.error();
  if ((*e)->stdio) return std::size_t{0};  // stdin: end of file
  auto n = read_at(**e, iovs, (*e)->pos);
  if (n.ok()) (*e)->pos += *n;
  return n;
}

Result<std::size_t> Host::fd_write(Fd fd, std::span<const Ciovec> iovs) {
  auto e = get(fd, right::FD_WRITE);
  if (!e.ok()) return e.error();
  Entry& en = **e;
  if (en.stdio) {
    std::vector<std::uint8_t> all = gather(iovs);
    if (output_) output_(fd, std::string_view(reinterpret_cast<const char*>(all.data()), all.size()));
    return all.size();
  }
  auto n = write_at(en, iovs, en.pos);
  if (!n.ok()) return n;
  if (en.flags & fdflag::APPEND) {
    // The write went to the end (the backend's append mode); the position
    // follows it there, as write(2) on an O_APPEND file.
    auto a = en.file->getattr();
    if (!a.ok()) return lx(a.error());
    en.pos = a->size;
  } else {
    en.pos += *n;
  }
  return n;
}

Result<std::size_t> Host::fd_pread(Fd fd, std::span<const Iovec> iovs, std::uint64_t offset) {
  auto e = get(fd, 0);
  if (!e.ok()) return e.error();
  if ((*e)->stdio) return Errno::SPIPE;  // pread(2) on a terminal or pipe
  e = get(fd, right::FD_READ | right::FD_SEEK);
  if (!e.ok()) return e.error();
  return read_at(**e, iovs, offset);
}

Result<std::size_t> Host::fd_pwrite(Fd fd, std::span<const Ciovec> iovs, std::uint64_t offset) {
  auto e = get(fd, 0);
  if (!e.ok()) return e.error();
  if ((*e)->stdio) return Errno::SPIPE;
  e = get(fd, right::FD_WRITE | right::FD_SEEK);
  if (!e.ok()) return e.error();
  // On an APPEND fd the backend writes at the end whatever the offset:
  // Linux's pwrite(2) on O_APPEND (its BUGS section); the position stays.
  return write_at(**e, iovs, offset);
}

Result<std::uint64_t> Host::fd_seek(Fd fd, std::int64_t offset, Whence whence) {
  auto e = get(fd, 0);
  if (!e.ok()) return e.error();
  if ((*e)->stdio) return Errno::SPIPE;
  // A seek that does not move (0 from CUR) is a tell, and needs only
  // FD_TELL (witx `$rights` fd_tell: "fd_seek with offset zero and whence
  // cur"); any other needs FD_SEEK.
  bool tell = offset == 0 && whence == Whence::CUR;
  e = get(fd, tell ? right::FD_TELL : right::FD_SEEK);
  if (!e.ok()) return e.error();
  Entry& en = **e;
  std::int64_t base = 0;
  switch (whence) {
    case Whence::SET:
      base = 0;
      break;
    case Whence::CUR:
      base = static_cast<std::int64_t>(en.pos);
      break;
    case Whence::END: {
      auto a = en.file->getattr();
      if (!a.ok()) return lx(a.error());
      base = static_cast<std::int64_t>(a->size);
      break;
    }
    default:
      return Errno::INVAL;
  }
  // lseek(2): a resulting offset below 0 is EINVAL, one past what off_t
  // holds EOVERFLOW.
  if (offset > 0 && base > std::numeric_limits<std::int64_t>::max() - offset) return Errno::OVERFLOW;
  std::int64_t to = base + offset;
  if (to < 0) return Errno::INVAL;
  en.pos = static_cast<std::uint64_t>(to);
  return en.pos;
}

Result<std::uint64_t> Host::fd_tell(Fd fd) {
  auto e = get(fd, 0);
  if (!e.ok()) return e.error();
  if ((*e)->stdio) return Errno::SPIPE;
  e = get(fd, right::FD_TELL);
  if (!e.ok()) return e.error();
  return (*e)->pos;
}

Errno Host::fd_close(Fd fd) { return fds_.erase(fd) ? Errno::SUCCESS : Errno::BADF; }

Errno Host::fd_renumber(Fd from, Fd to) {
  auto f = fds_.find(from);
  if (f == fds_.end() || fds_.find(to) == fds_.end()) return Errno::BADF;
  if (from == to) return Errno::SUCCESS;
  Entry moved = std::move(f->second);
  fds_.erase(f);
  fds_[to] = std::move(moved);  // the old `to` closes here
  return Errno::SUCCESS;
}

Result<std::size_t> Host::fd_readdir(Fd fd, std::span<std::uint8_t> buf, std::uint64_t cookie) {
  auto e = get(fd, right::FD_READDIR);
  if (!e.ok()) return e.error();
  if ((*e)->stdio) return Errno::NOTDIR;
  DirentWriter w(buf.data(), buf.size());
  if (buf.empty()) return std::size_t{0};
  auto r = (*e)->file->readdir(cookie, [&](const fs::DirEntry& d) { return w.add(d); });
  if (!r.ok()) return lx(r.error());
  return w.used();
}

Result<Filestat> Host::fd_filestat_get(Fd fd) {
  auto e = get(fd, right::FD_FILESTAT_GET);
  if (!e.ok()) return e.error();
  if ((*e)->stdio) {
    Filestat s;
    s.filetype = Filetype::CHARACTER_DEVICE;
    return s;
  }
  auto a = (*e)->file->getattr();
  if (!a.ok()) return lx(a.error());
  return filestat(*a);
}

Errno Host::fd_filestat_set_size(Fd fd, std::uint64_t size) {
  auto e = get(fd, right::FD_FILESTAT_SET_SIZE);
  if (!e.ok()) return e.error();
  if ((*e)->stdio) return Errno::INVAL;  // ftruncate(2) of a non-regular file
  auto r = (*e)->file->truncate(size);
  return r.ok() ? Errno::SUCCESS : lx(r.error());
}

Errno Host::fd_filestat_set_times(Fd fd, std::uint64_t atim, std::uint64_t mtim, std::uint16_t fst_flags) {
  auto e = get(fd, right::FD_FILESTAT_SET_TIMES);
  if (!e.ok()) return e.error();
  auto sa = set_times(atim, mtim, fst_flags);
  if (!sa.ok()) return sa.error();
  if ((*e)->stdio) return Errno::SUCCESS;
  auto r = (*e)->file->setattr(cred_, *sa);
  return r.ok() ? Errno::SUCCESS : lx(r.error());
}

Errno Host::fd_advise(Fd fd, std::uint64_t offset, std::uint64_t len, Advice advice) {
  auto e = get(fd, 0);
  if (!e.ok()) return e.error();
  if ((*e)->stdio) return Errno::SPIPE;  // posix_fadvise(2) of a pipe
  e = get(fd, right::FD_ADVISE);
  if (!e.ok()) return e.error();
  // posix_fadvise(2): EINVAL for an unknown advice; offset and len are
  // off_t, so one above FILE_SIZE_MAX is a negative one: EINVAL.
  if (static_cast<std::uint8_t>(advice) > static_cast<std::uint8_t>(Advice::NOREUSE)) return Errno::INVAL;
  if (offset > FILE_SIZE_MAX || len > FILE_SIZE_MAX) return Errno::INVAL;
  return Errno::SUCCESS;
}

Errno Host::fd_allocate(Fd fd, std::uint64_t offset, std::uint64_t len) {
  auto e = get(fd, 0);
  if (!e.ok()) return e.error();
  if ((*e)->stdio) return Errno::SPIPE;  // fallocate(2) of a pipe
  e = get(fd, right::FD_ALLOCATE);
  if (!e.ok()) return e.error();
  auto r = (*e)->file->allocate(offset, len);
  return r.ok() ? Errno::SUCCESS : lx(r.error());
}

Errno Host::fd_sync(Fd fd) {
  auto e = get(fd, right::FD_SYNC);
  if (!e.ok()) return e.error();
  if ((*e)->stdio) return Errno::INVAL;  // fsync(2) of a terminal or pipe
  auto r = (*e)->file->fsync(false);
  return r.ok() ? Errno::SUCCESS : lx(r.error());
}

Errno Host::fd_datasync(Fd fd) {
  auto e = get(fd, right::FD_DATASYNC);
  if (!e.ok()) return e.error();
  if ((*e)->stdio) return Errno::INVAL;
  auto r = (*e)->file->fsync(true);
  return r.ok() ? Errno::SUCCESS : lx(r.error());
}

Result<Fdstat> Host::fd_fdstat_get(Fd fd) {
  auto e = get(fd, 0);
  if (!e.ok()) return e.error();
  Fdstat s;
  s.filetype = filetype_of((*e)->type);
  s.flags = (*e)->flags;
  s.rights_base = (*e)->base;
  s.rights_inheriting = (*e)->inheriting;
  return s;
}

Errno Host::sock_call(Fd fd) {
  auto e = get(fd, 0);
  return e.ok() ? Errno::NOTSOCK : e.error();
}

Errno Host::fd_fdstat_set_flags(Fd fd, std::uint16_t flags) {
  auto e = get(fd, right::FD_FDSTAT_SET_FLAGS);
  if (!e.ok()) return e.error();
  if (flags & ~fdflag::ALL) return Errno::INVAL;
  Entry& en = **e;
  // fcntl(2) F_SETFL: "On Linux, this command can change only the O_APPEND,
  // O_ASYNC, O_DIRECT, O_NOATIME, and O_NONBLOCK flags"; the sync flags stay
  // as opened, silently.
  constexpr std::uint16_t changeable = fdflag::APPEND | fdflag::NONBLOCK;
  bool append = flags & fdflag::APPEND;
  if (!en.stdio && append != bool(en.flags & fdflag::APPEND)) {
    auto r = en.file->set_append(append);
    if (!r.ok()) return lx(r.error());
  }
  en.flags = static_cast<std::uint16_t>((en.flags & ~changeable) | (flags & changeable));
  return Errno::SUCCESS;
}

Errno Host::fd_fdstat_set_rights(Fd fd, std::uint64_t rights_base, std::uint64_t rights_inheriting) {
  auto e = get(fd, 0);
  if (!e.ok()) return e.error();
  // witx fd_fdstat_set_rights: "can only remove rights".
  if ((rights_base & ~(*e)->base) || (rights_inheriting & ~(*e)->inheriting)) return Errno::NOTCAPABLE;
  (*e)->base = rights_base;
  (*e)->inheriting = rights_inheriting;
  return Errno::SUCCESS;
}

Result<Prestat> Host::fd_prestat_get(Fd fd) {
  auto e = get(fd, 0);
  if (!e.ok()) return e.error();
  // Not a preopen: EBADF (wasi-libc's startup asks fd 3, 4, ... until EBADF).
  if (!(*e)->preopen) return Errno::BADF;
  return Prestat{static_cast<std::uint32_t>((*e)->preopen->size())};
}

Result<std::string> Host::fd_prestat_dir_name(Fd fd) {
  auto e = get(fd, 0);
  if (!e.ok()) return e.error();
  if (!(*e)->preopen) return Errno::BADF;
  return *(*e)->preopen;
}

}  // namespace p9::wasi
