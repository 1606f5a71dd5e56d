// The posix:DIR backend. See posix_backend.h for the confinement rules.
//
// Facts relied on (Linux man pages unless said otherwise):
//  - open(2) O_PATH: the descriptor names an object without opening it; with
//    O_NOFOLLOW on a symlink it names the symlink; usable as dirfd, with
//    fstatat/fchownat/linkat AT_EMPTY_PATH, readlinkat(fd, ""), fstatfs.
//  - proc(5) /proc/self/fd/N: a "magic link" that resolves straight to the
//    object of descriptor N without walking any path; opening it reopens the
//    object with new flags (how QEMU hw/9pfs/9p-local.c local_open_nofollow's
//    callers and diod reach O_PATH objects). For a symlink it yields the
//    symlink itself, which open() refuses with ELOOP — we never get there:
//    the type is checked first.
//  - setfsuid(2)/setfsgid(2) and the raw setgroups syscall change only the
//    calling thread's credentials (glibc's setgroups() wrapper broadcasts to
//    all threads via its setxid machinery, nptl(7)); moving fsuid away from 0
//    drops the file-system capabilities from the effective set and moving it
//    back restores them (capabilities(7), "Effect of user ID changes").
//  - pwrite(2) on an O_APPEND descriptor appends whatever the offset (BUGS).
//  - chown(path, -1, -1) updates ctime only (QEMU v9fs_setattr uses it for a
//    bare P9_ATTR_CTIME).
#include "reference/posix/posix_backend.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "reference/fs/locks.h"
#include "reference/fs/names.h"
#include "reference/fs/rules.h"

namespace p9::posix {

// ---- errno and flags ----

Errno from_host_errno(int e) {
  switch (e) {
    case 0:
      return Errno::IO;  // a failed call that left errno 0: never report success
#define P9_ERRNO(ID, ENAME, VALUE, TEXT) \
  case ENAME:                            \
    return Errno::ID;
#include "spec/errno.def"
#undef P9_ERRNO
#if defined(EWOULDBLOCK) && EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
      return Errno::AGAIN;
#endif
#if defined(ENOTSUP) && ENOTSUP != EOPNOTSUPP
    case ENOTSUP:
      return Errno::OPNOTSUPP;
#endif
    default:
      return Errno::IO;
  }
}

namespace {

Errno last_error() { return from_host_errno(errno); }

}  // namespace

int host_open_flags(std::uint32_t f) {
  int h = 0;
  switch (f & ACCMODE) {
    case access::RDONLY:
      h = O_RDONLY;
      break;
    case access::WRONLY:
      h = O_WRONLY;
      break;
    case access::RDWR:
      h = O_RDWR;
      break;
    default:
      h = O_ACCMODE;
      break;  // Linux's "3": permission check for both, neither read nor write
  }
  if (f & oflag::TRUNC) h |= O_TRUNC;
  if (f & oflag::APPEND) h |= O_APPEND;
  if (f & oflag::DIRECTORY) h |= O_DIRECTORY;
  if (f & oflag::NONBLOCK) h |= O_NONBLOCK;
  if (f & oflag::DSYNC) h |= O_DSYNC;
  if ((f & oflag::SYNC) == oflag::SYNC) h |= O_SYNC;
  return h;
}

namespace {

// "/proc/self/fd/N" without allocation.
struct ProcPath {
  char buf[40];
  explicit ProcPath(int fd) { std::snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd); }
  const char* c_str() const { return buf; }
};

int retry_open(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do fd = ::open(path, flags, mode);
  while (fd < 0 && errno == EINTR);
  return fd;
}

fs::FileType type_of_mode(mode_t m) {
  auto t = fs::file_type_from_mode(static_cast<std::uint32_t>(m));
  return t ? *t : fs::FileType::Regular;
}

// A name is checked by the caller and again here (backend.h), with the one
// rule of reference/fs/names.h.
#define P9_NAME(name, use)                                    \
  do {                                                        \
    Errno name_err_ = fs::check_name(name, fs::NameUse::use); \
    if (name_err_ != Errno::OK) return name_err_;             \
  } while (0)

// statx(2) of the object of fd itself (AT_EMPTY_PATH, no symlink followed).
Result<fs::Attr> stat_fd(int fd) {
  struct statx sx;
  if (::statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, &sx) != 0)
    return last_error();
  fs::Attr a;
  a.mode = sx.stx_mode;
  a.type = type_of_mode(sx.stx_mode);
  a.uid = sx.stx_uid;
  a.gid = sx.stx_gid;
  a.nlink = sx.stx_nlink;
  a.rdev = fs::make_rdev(sx.stx_rdev_major, sx.stx_rdev_minor);
  a.size = sx.stx_size;
  a.blksize = sx.stx_blksize;
  a.blocks = sx.stx_blocks;
  auto ts = [](const struct statx_timestamp& t) { return fs::Timespec{t.tv_sec, t.tv_nsec}; };
  a.atime = ts(sx.stx_atime);
  a.mtime = ts(sx.stx_mtime);
  a.ctime = ts(sx.stx_ctime);
  if (sx.stx_mask & STATX_BTIME) a.btime = ts(sx.stx_btime);
  a.ino = sx.stx_ino;
  return a;
}

// utimensat(2)'s timespec for a TimeSet (UTIME_OMIT, UTIME_NOW or a value).
struct timespec host_time(const fs::TimeSet& t) {
  struct timespec s {};
  switch (t.how) {
    case fs::TimeSet::How::Omit:
      s.tv_nsec = UTIME_OMIT;
      break;
    case fs::TimeSet::How::Now:
      s.tv_nsec = UTIME_NOW;
      break;
    case fs::TimeSet::How::Value:
      s.tv_sec = static_cast<time_t>(t.value.sec);
      s.tv_nsec = static_cast<long>(t.value.nsec);
      break;
  }
  return s;
}

// Linux OFFSET_MAX (a negative loff_t lies above it).
constexpr std::uint64_t kOffsetMax = static_cast<std::uint64_t>(INT64_MAX);

}  // namespace

// POSIX record locks are kept in-process, in an fs::LockTable keyed by
// (st_dev, st_ino) (rules: reference/fs/locks.h). Host OFD locks were not
// used: they belong to the open file description, so two 9P owners locking
// through one OpenFile could not be told apart. The cost: host processes
// outside the server do not see these locks.

// ---- nodes ----

class PosixBackend::Node final : public fs::Node {
 public:
  Node(int fd_in, fs::FileType type_in, std::uint64_t dev_in, std::uint64_t ino_in)
      : fd(fd_in), type(type_in), dev(dev_in), ino(ino_in) {}
  ~Node() override { ::close(fd); }
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const int fd;             // O_PATH|O_NOFOLLOW
  const fs::FileType type;  // an inode's type never changes
  const std::uint64_t dev, ino;
};

// ---- credentials ----

// Runs the enclosing call as `cred` (fsuid, fsgid, supplementary groups) on
// this thread only, restoring the previous credentials on destruction. The
// raw syscalls are used on purpose: they act on the calling thread.
class PosixBackend::CredGuard {
 public:
  CredGuard(bool active, const fs::Cred& cred) : CredGuard(active, cred, cred.gid) {}
  // fsgid = `gid` (the group a new object gets); cred.gid stays one of the
  // caller's groups for permission checks.
  CredGuard(bool active, const fs::Cred& cred, std::uint32_t gid) {
    if (!active) return;
    int n = ::getgroups(0, nullptr);
    if (n < 0) {
      err_ = last_error();
      return;
    }
    saved_groups_.resize(static_cast<std::size_t>(n));
    if (n > 0 && ::getgroups(n, saved_groups_.data()) < 0) {
      err_ = last_error();
      return;
    }
    saved_uid_ = static_cast<uid_t>(::syscall(SYS_setfsuid, static_cast<uid_t>(-1)));
    saved_gid_ = static_cast<gid_t>(::syscall(SYS_setfsgid, static_cast<gid_t>(-1)));
    std::vector<gid_t> groups(cred.groups.begin(), cred.groups.end());
    if (gid != cred.gid) groups.push_back(cred.gid);
    active_ = true;  // from here on the destructor restores
    if (::syscall(SYS_setgroups, groups.size(), groups.data()) != 0) {
      err_ = last_error();
      return;
    }
    ::syscall(SYS_setfsgid, static_cast<gid_t>(gid));
    ::syscall(SYS_setfsuid, static_cast<uid_t>(cred.uid));
    // setfs[ug]id report no errors; read the values back.
    if (static_cast<uid_t>(::syscall(SYS_setfsuid, static_cast<uid_t>(-1))) != cred.uid ||
        static_cast<gid_t>(::syscall(SYS_setfsgid, static_cast<gid_t>(-1))) != gid)
      err_ = Errno::PERM;
  }
  ~CredGuard() {
    if (!active_) return;
    ::syscall(SYS_setfsuid, saved_uid_);  // first: brings the capabilities back
    ::syscall(SYS_setfsgid, saved_gid_);
    long r = ::syscall(SYS_setgroups, saved_groups_.size(), saved_groups_.data());
    if (r != 0 || static_cast<uid_t>(::syscall(SYS_setfsuid, static_cast<uid_t>(-1))) != saved_uid_ ||
        static_cast<gid_t>(::syscall(SYS_setfsgid, static_cast<gid_t>(-1))) != saved_gid_) {
      // Carrying on with someone else's credentials would be worse.
      std::fprintf(stderr, "posix backend: cannot restore credentials\n");
      std::abort();
    }
  }
  CredGuard(const CredGuard&) = delete;
  CredGuard& operator=(const CredGuard&) = delete;

  bool ok() const { return err_ == Errno::OK; }
  Errno error() const { return err_; }

 private:
  bool active_ = false;
  Errno err_ = Errno::OK;
  uid_t saved_uid_ = 0;
  gid_t saved_gid_ = 0;
  std::vector<gid_t> saved_groups_;
};

#define P9_CRED(...)                  \
  CredGuard cred_guard_(__VA_ARGS__); \
  if (!cred_guard_.ok()) return cred_guard_.error()

#define P9_NODE(var, node)    \
  Node* var = as_posix(node); \
  if (var == nullptr) return Errno::BADF

PosixBackend::Node* PosixBackend::as_posix(fs::Node& n) { return dynamic_cast<Node*>(&n); }

// ---- open files ----

class PosixBackend::File final : public fs::OpenFile {
 public:
  // `cred` is the opener, `switch_creds` whether calls made for it switch
  // to its credentials (see CredGuard).
  File(int fd, int accmode, fs::FileType type, fs::LockTable::Key key, std::shared_ptr<fs::LockTable> locks,
       std::optional<std::uint64_t> root_ino, const fs::Cred& cred, bool switch_creds)
      : fd_(fd),
        accmode_(accmode),
        type_(type),
        key_(key),
        locks_(std::move(locks)),
        root_ino_(root_ino),
        cred_(cred),
        switch_creds_(switch_creds) {}
  ~File() override {
    locks_->release(key_, owners_);
    if (dir_ != nullptr) ::closedir(dir_);
    ::close(fd_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  // The host's pread/pwrite give EINVAL for a range passing OFFSET_MAX
  // (fs::check_io_range) themselves; a u64 offset above it must not reach
  // them as a positive off_t, so it is refused here (fs::check_position).
  Result<std::size_t> read(std::uint64_t offset, std::uint8_t* out, std::size_t len) override {
    if (Errno e = fs::check_position(offset); e != Errno::OK) return e;
    ssize_t n;
    do n = ::pread(fd_, out, len, static_cast<off_t>(offset));
    while (n < 0 && errno == EINTR);
    if (n < 0) return last_error();
    return static_cast<std::size_t>(n);
  }

  Result<std::size_t> write(std::uint64_t offset, const std::uint8_t* data, std::size_t len) override {
    if (Errno e = fs::check_position(offset); e != Errno::OK) return e;
    // A write by a user without CAP_FSETID clears set-id bits (Linux
    // file_remove_privs): write as the opener when it is not root. (Root's
    // writes, the common case, pay nothing for the switch.)
    std::optional<CredGuard> as_opener;
    if (switch_creds_ && cred_.uid != 0) {
      as_opener.emplace(true, cred_);
      if (!as_opener->ok()) return as_opener->error();
    }
    ssize_t n;
    do n = ::pwrite(fd_, data, len, static_cast<off_t>(offset));
    while (n < 0 && errno == EINTR);
    if (n < 0) return last_error();
    return static_cast<std::size_t>(n);
  }

  // Cookies are the host's telldir() values (on 64-bit glibc: the d_off the
  // file system gave the last entry read, i.e. the position of the next one).
  // ext4 (htree hashes or byte offsets) and tmpfs (per-directory offset maps,
  // Linux 6.6+) keep them valid while other entries come and go. 0 never
  // follows an entry, so it can mean "from the start".
  Result<void> readdir(std::uint64_t cookie, const std::function<bool(const fs::DirEntry&)>& emit) override {
    if (type_ != fs::FileType::Directory) return Errno::NOTDIR;
    // seekdir(3) cannot report lseek(2)'s EINVAL for a negative position: it
    // would silently go on from where the stream was. Refuse it first.
    if (Errno e = fs::check_position(cookie); e != Errno::OK) return e;
    // A directory removed while open: getdents64(2) answers ENOENT (Linux
    // fs/readdir.c iterate_dir: IS_DEADDIR), which glibc's readdir(3) turns
    // into the end of the directory ("POSIX.1 requires that we treat this
    // condition like normal EOF", sysdeps/unix/sysv/linux/readdir64.c). A
    // removed directory has no link (st_nlink 0): answer as the kernel does.
    struct stat self;
    if (::fstat(fd_, &self) != 0) return last_error();
    if (self.st_nlink == 0) return Errno::NOENT;
    if (dir_ == nullptr) {
      int d = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
      if (d < 0) return last_error();
      dir_ = ::fdopendir(d);
      if (dir_ == nullptr) {
        Errno e = last_error();
        ::close(d);
        return e;
      }
    }
    if (cookie == 0)
      ::rewinddir(dir_);
    else
      ::seekdir(dir_, static_cast<long>(cookie));
    for (;;) {
      errno = 0;
      struct dirent* e = ::readdir(dir_);
      if (e == nullptr) {
        if (errno != 0) return last_error();
        return {};
      }
      fs::DirEntry de;
      de.name = e->d_name;
      de.ino = e->d_ino;
      if (e->d_type != DT_UNKNOWN) {
        de.type = type_of_mode(static_cast<mode_t>(DTTOIF(e->d_type)));
      } else {
        struct stat st;
        if (::fstatat(::dirfd(dir_), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
          de.type = type_of_mode(st.st_mode);
      }
      if (root_ino_ && de.name == "..") {  // never show what lies above DIR
        de.ino = *root_ino_;
        de.type = fs::FileType::Directory;
      }
      de.next_cookie = static_cast<std::uint64_t>(::telldir(dir_));
      if (!emit(de)) return {};
    }
  }

  // The host's fsync(2)/fdatasync(2) on the descriptor: when it returns, the
  // host file system has written the data (and for fsync the metadata) to
  // its storage device, as far as that file system and device guarantee.
  Result<void> fsync(bool datasync) override {
    if ((datasync ? ::fdatasync(fd_) : ::fsync(fd_)) != 0) return last_error();
    return {};
  }

  Result<fs::Attr> getattr() override { return stat_fd(fd_); }  // fstat(2)

  Result<void> truncate(std::uint64_t size) override { return ftruncate(cred_, size); }

  // fchmod/fchown/futimens/ftruncate on the descriptor, as the caller, in the
  // order of PosixBackend::setattr (size and times, owner, then mode). Not
  // atomic: an error leaves the earlier steps done.
  Result<void> setattr(const fs::Cred& cred, const fs::SetAttr& attr) override {
    if (attr.size) P9_TRY(ftruncate(cred, *attr.size));
    P9_CRED(switch_creds_, cred);
    bool did = attr.size.has_value();
    if (attr.atime.how != fs::TimeSet::How::Omit || attr.mtime.how != fs::TimeSet::How::Omit) {
      struct timespec ts[2] = {host_time(attr.atime), host_time(attr.mtime)};
      if (::futimens(fd_, ts) != 0) return last_error();
      did = true;
    }
    if (attr.uid || attr.gid) {
      uid_t u = attr.uid ? static_cast<uid_t>(*attr.uid) : static_cast<uid_t>(-1);
      gid_t g = attr.gid ? static_cast<gid_t>(*attr.gid) : static_cast<gid_t>(-1);
      if (::fchown(fd_, u, g) != 0) return last_error();
      did = true;
    }
    if (attr.mode) {
      if (::fchmod(fd_, static_cast<mode_t>(*attr.mode & 07777)) != 0) return last_error();
      did = true;
    }
    // chown(fd, -1, -1) updates ctime only.
    if (!did && attr.ctime_only && ::fchown(fd_, static_cast<uid_t>(-1), static_cast<gid_t>(-1)) != 0)
      return last_error();
    return {};
  }

  Result<void> set_append(bool on) override {
    int fl = ::fcntl(fd_, F_GETFL);
    if (fl < 0) return last_error();
    fl = on ? (fl | O_APPEND) : (fl & ~O_APPEND);
    if (::fcntl(fd_, F_SETFL, fl) != 0) return last_error();  // fcntl(2) F_SETFL
    return {};
  }

  Result<void> allocate(std::uint64_t offset, std::uint64_t len) override {
    // loff_t is signed: a value above INT64_MAX is negative, EINVAL (Linux
    // vfs_fallocate, checked first; a cast would give the same from the host).
    if (offset > kOffsetMax || len == 0 || len > kOffsetMax) return Errno::INVAL;
    P9_CRED(switch_creds_, cred_);
    // posix_fallocate(3) returns the error number; glibc emulates it by
    // writing zeros where the host file system has no fallocate(2).
    int e = ::posix_fallocate(fd_, static_cast<off_t>(offset), static_cast<off_t>(len));
    if (e != 0) return from_host_errno(e);
    return {};
  }

  Result<fs::LockResult> lock(const fs::LockRange& range) override {
    auto r = locks_->set(key_, range, accmode_ == O_RDONLY || accmode_ == O_RDWR,
                         accmode_ == O_WRONLY || accmode_ == O_RDWR);
    if (r.ok()) owners_.insert({range.client_id, range.proc_id});
    return r;
  }

  Result<fs::LockRange> getlock(const fs::LockRange& range) override { return locks_->test(key_, range); }

 private:
  const int fd_;
  const int accmode_;
  const fs::FileType type_;
  const fs::LockTable::Key key_;
  const std::shared_ptr<fs::LockTable> locks_;
  const std::optional<std::uint64_t> root_ino_;  // set when this is DIR itself
  const fs::Cred cred_;
  const bool switch_creds_;
  DIR* dir_ = nullptr;
  fs::LockOwners owners_;

  // ftruncate(2) as `cred` (the kernel clears set-id bits unless the caller
  // has CAP_FSETID, which a switched non-root fsuid drops). EINVAL for a
  // negative length, a non-regular file or one not open for writing (Linux
  // do_sys_ftruncate); no permission check: the host made it at open.
  Result<void> ftruncate(const fs::Cred& cred, std::uint64_t size) {
    if (size > kOffsetMax) return Errno::INVAL;
    if (type_ != fs::FileType::Regular || (accmode_ != O_WRONLY && accmode_ != O_RDWR)) return Errno::INVAL;
    P9_CRED(switch_creds_, cred);
    int r;
    do r = ::ftruncate(fd_, static_cast<off_t>(size));
    while (r != 0 && errno == EINTR);
    if (r != 0) return last_error();
    return {};
  }
};

// ---- backend ----

PosixBackend::PosixBackend(std::string dir)
    : dir_(std::move(dir)), locks_(std::make_shared<fs::LockTable>()) {
  switch_creds_ = ::geteuid() == 0;
  int fd = retry_open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    open_error_ = last_error();
    open_message_ = dir_ + ": " + std::strerror(errno);
    return;
  }
  // The magic links are how nodes are reopened; without /proc nothing works.
  struct stat via_proc;
  if (::stat(ProcPath(fd).c_str(), &via_proc) != 0) {
    open_error_ = Errno::NOSYS;
    open_message_ = std::string("/proc/self/fd is not usable (is /proc mounted?): ") + std::strerror(errno);
    ::close(fd);
    return;
  }
  auto r = node_from_fd(fd);
  if (!r) {
    open_error_ = r.error();
    open_message_ = dir_ + ": " + errno_text(static_cast<std::uint32_t>(r.error()));
    return;
  }
  root_ = *r;
  auto* n = static_cast<Node*>(root_.get());
  root_dev_ = n->dev;
  root_ino_ = n->ino;
}

PosixBackend::~PosixBackend() = default;

std::unique_ptr<PosixBackend> PosixBackend::open(const std::string& dir, std::string* error) {
  auto b = std::make_unique<PosixBackend>(dir);
  if (b->open_error_ != Errno::OK) {
    if (error != nullptr) *error = b->open_message_;
    return nullptr;
  }
  return b;
}

fs::Profile PosixBackend::profile() const {
  fs::Profile p;
  p.name = "posix";
  p.ownership = switch_creds_;
  return p;
}

// An export removed while the server runs (rmdir(2) leaves the directory
// with no link, st_nlink 0, though its descriptor still works) is attached no
// more: ENOENT, what attaching to a path that does not exist answers (diod's
// attach looks the export path up). Fids attached before keep the deleted
// directory; Linux answers a creation in it with ENOENT itself (fs/namei.c
// may_create() and lookup_open(): IS_DEADDIR(dir) is -ENOENT).
Result<fs::NodeRef> PosixBackend::root() {
  if (!root_) return open_error_ == Errno::OK ? Errno::IO : open_error_;
  struct stat st;
  if (::fstatat(static_cast<Node*>(root_.get())->fd, "", &st, AT_EMPTY_PATH) != 0) return last_error();
  if (st.st_nlink == 0) return Errno::NOENT;
  return root_;
}

Result<fs::NodeRef> PosixBackend::node_from_fd(int fd) {
  struct stat st;
  if (::fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) {
    Errno e = last_error();
    ::close(fd);
    return e;
  }
  return fs::NodeRef(std::make_shared<Node>(fd, type_of_mode(st.st_mode),
                                            static_cast<std::uint64_t>(st.st_dev),
                                            static_cast<std::uint64_t>(st.st_ino)));
}

Result<fs::NodeRef> PosixBackend::node_at(int dirfd, const std::string& name) {
  int fd = ::openat(dirfd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return last_error();
  return node_from_fd(fd);
}

void PosixBackend::undo_umask(int fd, std::uint32_t mode) {
  struct stat st;
  if (::fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0 || S_ISLNK(st.st_mode)) return;
  mode_t lost = static_cast<mode_t>(mode & 0777) & ~st.st_mode;
  if (lost != 0) (void)::fchmodat(AT_FDCWD, ProcPath(fd).c_str(), (st.st_mode & 07777) | lost, 0);
}

Result<fs::NodeRef> PosixBackend::lookup(const fs::Cred& cred, fs::Node& dir, std::string_view name) {
  P9_NODE(d, dir);
  if (d->type != fs::FileType::Directory) return Errno::NOTDIR;
  P9_NAME(name, Lookup);
  P9_CRED(switch_creds_, cred);
  if (name == ".." && d->dev == root_dev_ && d->ino == root_ino_) {
    // The root's parent is the root. Check search permission on it as the
    // kernel would for "..", without opening what lies above.
    int fd = ::openat(d->fd, ".", O_PATH | O_CLOEXEC);
    if (fd < 0) return last_error();
    ::close(fd);
    return root_;
  }
  return node_at(d->fd, std::string(name));
}

Result<fs::Attr> PosixBackend::getattr(fs::Node& node) {
  P9_NODE(n, node);
  return stat_fd(n->fd);
}

Result<void> PosixBackend::setattr(const fs::Cred& cred, fs::Node& node, const fs::SetAttr& attr) {
  P9_NODE(n, node);
  P9_CRED(switch_creds_, cred);
  const bool is_link = n->type == fs::FileType::Symlink;
  const ProcPath proc(n->fd);
  bool did = false;
  // Order: size and times first (they may need write permission that a
  // chmod in the same request could take away), then owner, then mode (so a
  // chown's clearing of set-id bits does not undo the requested mode). Not
  // atomic: an error leaves the earlier steps done.
  if (attr.size) {
    if (*attr.size > kOffsetMax)
      return Errno::INVAL;  // a negative length: truncate(2) EINVAL, first (fs/open.c)
    if (n->type == fs::FileType::Directory) return Errno::ISDIR;
    if (n->type != fs::FileType::Regular) return Errno::INVAL;
    if (::truncate(proc.c_str(), static_cast<off_t>(*attr.size)) != 0) return last_error();
    did = true;
  }
  if (attr.atime.how != fs::TimeSet::How::Omit || attr.mtime.how != fs::TimeSet::How::Omit) {
    struct timespec ts[2] = {host_time(attr.atime), host_time(attr.mtime)};
    // utimensat accepts AT_EMPTY_PATH on current kernels; older ones say
    // EINVAL, then non-symlinks go through the magic link.
    int r = ::utimensat(n->fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
    if (r != 0 && errno == EINVAL && !is_link) r = ::utimensat(AT_FDCWD, proc.c_str(), ts, 0);
    if (r != 0) return last_error();
    did = true;
  }
  if (attr.uid || attr.gid) {
    uid_t u = attr.uid ? static_cast<uid_t>(*attr.uid) : static_cast<uid_t>(-1);
    gid_t g = attr.gid ? static_cast<gid_t>(*attr.gid) : static_cast<gid_t>(-1);
    if (::fchownat(n->fd, "", u, g, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) return last_error();
    did = true;
  }
  if (attr.mode) {
    if (is_link) return Errno::OPNOTSUPP;  // lchmod: Linux has no symlink modes
    if (::fchmodat(AT_FDCWD, proc.c_str(), static_cast<mode_t>(*attr.mode & 07777), 0) != 0)
      return last_error();
    did = true;
  }
  if (!did && attr.ctime_only) {
    if (::fchownat(n->fd, "", static_cast<uid_t>(-1), static_cast<gid_t>(-1),
                   AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0)
      return last_error();
  }
  return {};
}

Result<fs::OpenRef> PosixBackend::open(const fs::Cred& cred, fs::Node& node, std::uint32_t flags) {
  P9_NODE(n, node);
  // O_DIRECTORY on a non-directory is ENOTDIR before a symlink's ELOOP
  // (Linux fs/namei.c do_open checks LOOKUP_DIRECTORY before may_open).
  if ((flags & oflag::DIRECTORY) && n->type != fs::FileType::Directory) return Errno::NOTDIR;
  switch (n->type) {
    case fs::FileType::Symlink:
      return Errno::LOOP;  // as open(O_NOFOLLOW); never reopen a symlink
    case fs::FileType::CharDev:
    case fs::FileType::BlockDev:
      return Errno::ACCES;  // as on a nodev mount: no host devices
    default:
      break;
  }
  if ((flags & oflag::DIRECTORY) && n->type != fs::FileType::Directory) return Errno::NOTDIR;
  P9_CRED(switch_creds_, cred);
  int hf = host_open_flags(flags) | O_CLOEXEC | O_NOCTTY;
  // A FIFO without a peer would block the server thread forever.
  if (n->type == fs::FileType::Fifo) hf |= O_NONBLOCK;
  int fd = retry_open(ProcPath(n->fd).c_str(), hf);
  if (fd < 0) return last_error();
  bool is_root = n->dev == root_dev_ && n->ino == root_ino_;
  return fs::OpenRef(std::make_unique<File>(
      fd, hf & O_ACCMODE, n->type, fs::LockTable::Key{n->dev, n->ino}, locks_,
      is_root ? std::optional<std::uint64_t>(root_ino_) : std::nullopt, cred, switch_creds_));
}

Result<PosixBackend::Created> PosixBackend::create(const fs::Cred& cred, fs::Node& dir, std::string_view name,
                                                   std::uint32_t flags, std::uint32_t mode,
                                                   std::uint32_t gid) {
  P9_NODE(d, dir);
  if (d->type != fs::FileType::Directory) return Errno::NOTDIR;
  P9_NAME(name, Create);
  P9_CRED(switch_creds_, cred, gid);
  int hf = (host_open_flags(flags) & ~O_DIRECTORY) | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
  int fd;
  do fd = ::openat(d->fd, std::string(name).c_str(), hf, static_cast<mode_t>(mode & 07777));
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return last_error();
  undo_umask(fd, mode);
  // The node is the object just created, whatever happens to the name since.
  int pfd = retry_open(ProcPath(fd).c_str(), O_PATH | O_CLOEXEC);
  if (pfd < 0) {
    Errno e = last_error();
    ::close(fd);
    return e;
  }
  auto nr = node_from_fd(pfd);
  if (!nr) {
    ::close(fd);
    return nr.error();
  }
  auto* n = static_cast<Node*>(nr->get());
  Created c;
  c.node = *nr;
  c.file = std::make_unique<File>(fd, hf & O_ACCMODE, n->type, fs::LockTable::Key{n->dev, n->ino}, locks_,
                                  std::nullopt, cred, switch_creds_);
  return c;
}

// mkdir/symlink/mknod give no descriptor: the node is looked up by name right
// after (O_NOFOLLOW, so a concurrent replacement can at worst yield another
// object inside DIR, never one outside).
Result<fs::NodeRef> PosixBackend::mkdir(const fs::Cred& cred, fs::Node& dir, std::string_view name,
                                        std::uint32_t mode, std::uint32_t gid) {
  P9_NODE(d, dir);
  if (d->type != fs::FileType::Directory) return Errno::NOTDIR;
  P9_NAME(name, Create);
  P9_CRED(switch_creds_, cred, gid);
  std::string nm(name);
  if (::mkdirat(d->fd, nm.c_str(), static_cast<mode_t>(mode & 07777)) != 0) return last_error();
  auto r = node_at(d->fd, nm);
  if (r) undo_umask(static_cast<Node*>(r->get())->fd, mode);
  return r;
}

Result<fs::NodeRef> PosixBackend::symlink(const fs::Cred& cred, fs::Node& dir, std::string_view name,
                                          std::string_view target, std::uint32_t gid) {
  P9_NODE(d, dir);
  if (d->type != fs::FileType::Directory) return Errno::NOTDIR;
  P9_NAME(name, Create);
  if (Errno e = fs::check_symlink_target(target); e != Errno::OK) return e;  // symlink(2), fs/rules.h
  P9_CRED(switch_creds_, cred, gid);
  std::string nm(name);
  if (::symlinkat(std::string(target).c_str(), d->fd, nm.c_str()) != 0) return last_error();
  return node_at(d->fd, nm);
}

Result<fs::NodeRef> PosixBackend::mknod(const fs::Cred& cred, fs::Node& dir, std::string_view name,
                                        std::uint32_t mode, std::uint64_t rdev, std::uint32_t gid) {
  P9_NODE(d, dir);
  if (d->type != fs::FileType::Directory) return Errno::NOTDIR;
  P9_NAME(name, Create);
  P9_CRED(switch_creds_, cred, gid);
  std::string nm(name);
  // Linux's S_IF* and dev_t encodings are the host's (fs::make_rdev is glibc's).
  if (::mknodat(d->fd, nm.c_str(), static_cast<mode_t>(mode), static_cast<dev_t>(rdev)) != 0)
    return last_error();
  auto r = node_at(d->fd, nm);
  if (r) undo_umask(static_cast<Node*>(r->get())->fd, mode);
  return r;
}

Result<void> PosixBackend::link(const fs::Cred& cred, fs::Node& target, fs::Node& dir,
                                std::string_view name) {
  P9_NODE(t, target);
  P9_NODE(d, dir);
  if (d->type != fs::FileType::Directory) return Errno::NOTDIR;
  P9_NAME(name, Create);
  P9_CRED(switch_creds_, cred);
  // linkat(fd, "", ..., AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH; following
  // the magic link does not (linkat(2), proc(5)). For a symlink node the
  // magic link resolves to the symlink itself, which is what gets linked.
  if (::linkat(AT_FDCWD, ProcPath(t->fd).c_str(), d->fd, std::string(name).c_str(), AT_SYMLINK_FOLLOW) != 0)
    return last_error();
  return {};
}

Result<void> PosixBackend::rename(const fs::Cred& cred, fs::Node& old_dir, std::string_view old_name,
                                  fs::Node& new_dir, std::string_view new_name) {
  P9_NODE(od, old_dir);
  P9_NODE(nd, new_dir);
  if (od->type != fs::FileType::Directory || nd->type != fs::FileType::Directory) return Errno::NOTDIR;
  P9_NAME(old_name, RenameOld);
  P9_NAME(new_name, RenameNew);
  P9_CRED(switch_creds_, cred);
  if (::renameat(od->fd, std::string(old_name).c_str(), nd->fd, std::string(new_name).c_str()) != 0)
    return last_error();
  return {};
}

Result<void> PosixBackend::unlink(const fs::Cred& cred, fs::Node& dir, std::string_view name, bool rmdir) {
  P9_NODE(d, dir);
  if (d->type != fs::FileType::Directory) return Errno::NOTDIR;
  if (rmdir)
    P9_NAME(name, Rmdir);
  else
    P9_NAME(name, Unlink);
  P9_CRED(switch_creds_, cred);
  if (::unlinkat(d->fd, std::string(name).c_str(), rmdir ? AT_REMOVEDIR : 0) != 0) return last_error();
  return {};
}

Result<std::string> PosixBackend::readlink(fs::Node& node) {
  P9_NODE(n, node);
  if (n->type != fs::FileType::Symlink) return Errno::INVAL;
  std::string buf(256, '\0');
  for (;;) {
    ssize_t r = ::readlinkat(n->fd, "", buf.data(), buf.size());
    if (r < 0) return last_error();
    if (static_cast<std::size_t>(r) < buf.size()) {
      buf.resize(static_cast<std::size_t>(r));
      return buf;
    }
    if (buf.size() >= (1u << 20)) return Errno::NAMETOOLONG;
    buf.resize(buf.size() * 2);
  }
}

Result<fs::StatFs> PosixBackend::statfs(fs::Node& node) {
  P9_NODE(n, node);
  struct statfs s;
  if (::fstatfs(n->fd, &s) != 0) return last_error();
  fs::StatFs o;
  o.type = static_cast<std::uint32_t>(s.f_type);
  o.bsize = static_cast<std::uint32_t>(s.f_bsize);
  o.blocks = s.f_blocks;
  o.bfree = s.f_bfree;
  o.bavail = s.f_bavail;
  o.files = s.f_files;
  o.ffree = s.f_ffree;
  std::uint32_t lo, hi;
  static_assert(sizeof(s.f_fsid) == 2 * sizeof(std::uint32_t));
  std::memcpy(&lo, &s.f_fsid, 4);
  std::memcpy(&hi, reinterpret_cast<const char*>(&s.f_fsid) + 4, 4);
  o.fsid = static_cast<std::uint64_t>(lo) | (static_cast<std::uint64_t>(hi) << 32);
  o.namelen = static_cast<std::uint32_t>(s.f_namelen);
  return o;
}

// Extended attributes go through the magic link with the path calls, which
// reach the object's inode (fgetxattr refuses O_PATH descriptors). Symlinks
// are not reachable that way (lgetxattr would act on the magic link itself)
// and answer EOPNOTSUPP, except for user.* names, which Linux refuses on
// symlinks before any file system is asked (fs/xattr.c xattr_permission:
// EPERM for a write, ENODATA for a read): those answer as Linux does.
static bool user_xattr(std::string_view name) { return name.substr(0, 5) == "user."; }

Result<std::string> PosixBackend::getxattr(const fs::Cred& cred, fs::Node& node, std::string_view name) {
  P9_NODE(n, node);
  if (n->type == fs::FileType::Symlink) return user_xattr(name) ? Errno::NODATA : Errno::OPNOTSUPP;
  P9_NAME(name, Xattr);
  P9_CRED(switch_creds_, cred);
  const ProcPath proc(n->fd);
  const std::string nm(name);
  for (;;) {
    ssize_t sz = ::getxattr(proc.c_str(), nm.c_str(), nullptr, 0);
    if (sz < 0) return last_error();
    std::string v(static_cast<std::size_t>(sz), '\0');
    ssize_t r = ::getxattr(proc.c_str(), nm.c_str(), v.data(), v.size());
    if (r < 0 && errno == ERANGE) continue;  // grew in between
    if (r < 0) return last_error();
    v.resize(static_cast<std::size_t>(r));
    return v;
  }
}

Result<std::vector<std::string>> PosixBackend::listxattr(const fs::Cred& cred, fs::Node& node) {
  P9_NODE(n, node);
  if (n->type == fs::FileType::Symlink) return Errno::OPNOTSUPP;
  P9_CRED(switch_creds_, cred);
  const ProcPath proc(n->fd);
  for (;;) {
    ssize_t sz = ::listxattr(proc.c_str(), nullptr, 0);
    if (sz < 0) return last_error();
    std::string buf(static_cast<std::size_t>(sz), '\0');
    ssize_t r = ::listxattr(proc.c_str(), buf.data(), buf.size());
    if (r < 0 && errno == ERANGE) continue;
    if (r < 0) return last_error();
    buf.resize(static_cast<std::size_t>(r));
    std::vector<std::string> names;
    std::size_t i = 0;
    while (i < buf.size()) {
      std::size_t j = buf.find('\0', i);
      if (j == std::string::npos) j = buf.size();
      if (j > i) names.emplace_back(buf, i, j - i);
      i = j + 1;
    }
    return names;
  }
}

Result<void> PosixBackend::setxattr(const fs::Cred& cred, fs::Node& node, std::string_view name,
                                    std::string_view value, fs::XattrFlags flags) {
  P9_NODE(n, node);
  if (n->type == fs::FileType::Symlink) return user_xattr(name) ? Errno::PERM : Errno::OPNOTSUPP;
  P9_NAME(name, Xattr);
  int hf = 0;
  switch (flags) {
    case fs::XattrFlags::Any:
      break;
    case fs::XattrFlags::Create:
      hf = XATTR_CREATE;
      break;
    case fs::XattrFlags::Replace:
      hf = XATTR_REPLACE;
      break;
    default:
      return Errno::INVAL;
  }
  P9_CRED(switch_creds_, cred);
  if (::setxattr(ProcPath(n->fd).c_str(), std::string(name).c_str(), value.data(), value.size(), hf) != 0)
    return last_error();
  return {};
}

Result<void> PosixBackend::removexattr(const fs::Cred& cred, fs::Node& node, std::string_view name) {
  P9_NODE(n, node);
  if (n->type == fs::FileType::Symlink) return user_xattr(name) ? Errno::PERM : Errno::OPNOTSUPP;
  P9_NAME(name, Xattr);
  P9_CRED(switch_creds_, cred);
  if (::removexattr(ProcPath(n->fd).c_str(), std::string(name).c_str()) != 0) return last_error();
  return {};
}

bool PosixBackend::same(fs::Node& a, fs::Node& b) {
  Node* x = as_posix(a);
  Node* y = as_posix(b);
  return x != nullptr && y != nullptr && x->dev == y->dev && x->ino == y->ino;
}

std::string PosixBackend::check_invariants() {
  if (!root_) return "root directory not open: " + open_message_;
  struct stat st;
  auto* r = static_cast<Node*>(root_.get());
  if (::fstatat(r->fd, "", &st, AT_EMPTY_PATH) != 0) return "root descriptor unusable";
  if (!S_ISDIR(st.st_mode)) return "root is not a directory";
  if (static_cast<std::uint64_t>(st.st_dev) != root_dev_ ||
      static_cast<std::uint64_t>(st.st_ino) != root_ino_)
    return "root identity changed";
  // This thread must be back on the process's own credentials.
  if (switch_creds_ && static_cast<uid_t>(::syscall(SYS_setfsuid, static_cast<uid_t>(-1))) != ::geteuid())
    return "fsuid not restored";
  return {};
}

}  // namespace p9::posix
