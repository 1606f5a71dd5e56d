// The backend seam: the file-system interface every store plugs in behind.
//
// It knows nothing of 9P: no fids, qids, tags or wire flags. The 9P server
// (reference/server/) turns messages into these calls; a later WASI preview1
// front end drives the same interface. Implementations: the in-memory model
// (reference/model/, the executable specification), the host-directory
// passthrough (reference/posix/), and later OPFS.
//
// Conventions for every method:
//  - Errors are Linux errno values (p9::Errno), exactly what a Linux program
//    would see from the corresponding system call on a local file system.
//  - `name` arguments are single path components, already checked by the
//    caller: not empty, no '/', no NUL, at most 255 bytes, not "." or ".."
//    (except lookup(), which accepts "." and ".."). Names are bytes.
//  - `cred` is the user the request acts for (Linux access=user: each user
//    attaches with its own uid). Backends that enforce permissions check them
//    against it; the rules are those of path_resolution(7) and each call's
//    man page.
//  - Nodes are reference counted (NodeRef). A node stays usable while a
//    reference exists, even after its last name is unlinked (the open-unlinked
//    file of POSIX): reads, writes, getattr and setattr keep working on it.
//  - Concurrency: any method may be called from several threads at once, on
//    the same or different nodes; a backend serialises internally as it needs
//    (the model takes one mutex). A NodeRef or OpenFile may be released on any
//    thread. Calls on one OpenFile are not made concurrently by the server.
//  - Calls are synchronous. An OPFS implementation can satisfy this from a
//    worker with synchronous access handles (see ../shared/README.md); a
//    backend that cannot rename directories natively returns what it can
//    (EXDEV is not acceptable for a same-directory rename; emulate it).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reference/fs/result.h"

namespace p9::fs {

struct Cred {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;              // primary group
  std::vector<std::uint32_t> groups;  // supplementary groups
  bool in_group(std::uint32_t g) const {
    if (g == gid) return true;
    for (auto x : groups)
      if (x == g) return true;
    return false;
  }
};

struct Timespec {
  std::int64_t sec = 0;
  std::uint32_t nsec = 0;
  bool operator==(const Timespec&) const = default;
};

enum class FileType : std::uint8_t { Regular, Directory, Symlink, Fifo, CharDev, BlockDev, Socket };

// The S_IF* bits of a type, and back (Linux include/uapi/linux/stat.h).
std::uint32_t mode_type_bits(FileType t);
std::optional<FileType> file_type_from_mode(std::uint32_t mode);
// DT_* value of a type (as readdir reports it).
std::uint8_t dirent_type(FileType t);

// Device numbers in Linux's stat encoding (glibc makedev / new_encode_dev).
std::uint64_t make_rdev(std::uint32_t major, std::uint32_t minor);

struct Attr {
  FileType type = FileType::Regular;
  std::uint32_t mode = 0;  // full st_mode: type bits | permission bits
  std::uint32_t uid = 0, gid = 0;
  std::uint64_t nlink = 0;
  std::uint64_t rdev = 0;
  std::uint64_t size = 0;
  std::uint64_t blksize = 4096;
  std::uint64_t blocks = 0;  // 512-byte units allocated (holes don't count)
  Timespec atime, mtime, ctime, btime;
  std::uint64_t ino = 0;  // unique while the node exists; reused afterwards only by backends that must
  std::uint64_t gen = 0;
  std::uint64_t data_version = 0;
};

// A time to set: leave alone, set to the backend's clock now, or a value.
struct TimeSet {
  enum class How : std::uint8_t { Omit, Now, Value } how = How::Omit;
  Timespec value;
};

// What setattr changes (chmod, chown, truncate, utimensat in one call, as
// Linux's notify_change). ctime is always updated when anything changes.
struct SetAttr {
  std::optional<std::uint32_t> mode;  // permission bits only (07777)
  std::optional<std::uint32_t> uid;
  std::optional<std::uint32_t> gid;
  std::optional<std::uint64_t> size;
  TimeSet atime, mtime;
  bool ctime_only = false;  // nothing else given: just touch ctime
};

struct StatFs {
  std::uint32_t type = 0;
  std::uint32_t bsize = 4096;
  std::uint64_t blocks = 0, bfree = 0, bavail = 0, files = 0, ffree = 0, fsid = 0;
  std::uint32_t namelen = 255;
};

struct DirEntry {
  std::string name;
  std::uint64_t ino = 0;
  FileType type = FileType::Regular;
  std::uint64_t next_cookie = 0;  // pass to readdir() to continue after this entry
};

// POSIX byte-range locks as fcntl(F_SETLK/F_GETLK) on Linux; the owner is
// (client_id, proc_id), as the 9P client names it.
enum class LockType : std::uint8_t { Read, Write, Unlock };
struct LockRange {
  LockType type = LockType::Read;
  std::uint64_t start = 0;
  std::uint64_t length = 0;  // 0 = to the end of the file, whatever its size
  std::uint32_t proc_id = 0;
  std::string client_id;
};
enum class LockResult : std::uint8_t { Granted, WouldBlock };

// Open flags are Linux's generic O_* values (spec/linux.def: p9::access,
// p9::oflag). Backends must ignore the flags they
// do not act on (LARGEFILE, CLOEXEC, NOCTTY, DIRECT, NOATIME, ...).

// A node: one file-system object (inode). Backends subclass it.
class Node {
 public:
  virtual ~Node() = default;
};
using NodeRef = std::shared_ptr<Node>;

// An open file description (what open(2) returns). Released by destruction,
// which also releases the locks taken through it (close(2) semantics).
class OpenFile {
 public:
  virtual ~OpenFile() = default;
  // Reads up to out.size() bytes at offset; fewer at end of file; 0 at/after
  // EOF. EBADF if not opened for reading; EISDIR on a directory.
  virtual Result<std::size_t> read(std::uint64_t offset, std::uint8_t* out, std::size_t len) = 0;
  // Writes at offset (at end of file if opened O_APPEND, whatever the offset);
  // fills a gap with a hole. EBADF if not opened for writing; EFBIG past the
  // backend's maximum size. Returns the count written.
  virtual Result<std::size_t> write(std::uint64_t offset, const std::uint8_t* data, std::size_t len) = 0;
  // Lists entries after `cookie` (0 = from the start), calling emit for each
  // until it returns false (the caller's buffer is full; the entry it
  // refused is sent again next time). Cookies stay valid while other entries
  // are added or removed: an entry present throughout is listed exactly once.
  // ENOTDIR on a non-directory.
  virtual Result<void> readdir(std::uint64_t cookie, const std::function<bool(const DirEntry&)>& emit) = 0;
  virtual Result<void> fsync(bool datasync) = 0;
  // F_SETLK: Granted, or WouldBlock when another owner's lock conflicts.
  // EBADF when a read lock is asked of a file not open for reading, or a
  // write lock of one not open for writing (fcntl(2)).
  virtual Result<LockResult> lock(const LockRange& range) = 0;
  // F_GETLK: the first conflicting lock, or the request with type Unlock.
  virtual Result<LockRange> getlock(const LockRange& range) = 0;
};
using OpenRef = std::unique_ptr<OpenFile>;

// What a backend cannot do; conformance cases for these report "skipped
// (profile NAME)". Everything is supported unless said otherwise.
struct Profile {
  std::string name;
  bool hardlinks = true;
  bool xattrs = true;
  bool locks = true;
  bool mknod = true;
  bool ownership = true;  // chown and per-user permission checks
};

enum class XattrFlags : std::uint32_t { Any = 0, Create = 1, Replace = 2 };  // XATTR_CREATE/REPLACE

class Backend {
 public:
  virtual ~Backend() = default;
  virtual Profile profile() const = 0;

  // The root directory of the store.
  virtual Result<NodeRef> root() = 0;

  // Looks up a name in a directory ("." is the directory, ".." its parent;
  // the root's ".." is the root). ENOTDIR if dir is not a directory; EACCES
  // without search (x) permission on dir; ENOENT if absent.
  virtual Result<NodeRef> lookup(const Cred& cred, Node& dir, std::string_view name) = 0;

  virtual Result<Attr> getattr(Node& node) = 0;
  // chmod/chown/truncate/utimensat rules (EPERM, EACCES, EISDIR for size on a
  // directory, EINVAL for size on a non-regular file, EFBIG).
  virtual Result<void> setattr(const Cred& cred, Node& node, const SetAttr& attr) = 0;

  // open(2) of an existing node: access checks from the flags' access mode,
  // O_TRUNC, O_DIRECTORY (ENOTDIR), EISDIR for writing a directory, ELOOP for
  // a symlink. O_CREAT/O_EXCL are ignored here (the node exists).
  virtual Result<OpenRef> open(const Cred& cred, Node& node, std::uint32_t flags) = 0;

  // open(2) with O_CREAT of a new regular file in dir: EEXIST if the name
  // exists. The new file's gid is `gid` unless dir is set-gid.
  struct Created {
    NodeRef node;
    OpenRef file;
  };
  virtual Result<Created> create(const Cred& cred, Node& dir, std::string_view name, std::uint32_t flags,
                                 std::uint32_t mode, std::uint32_t gid) = 0;
  virtual Result<NodeRef> mkdir(const Cred& cred, Node& dir, std::string_view name, std::uint32_t mode,
                                std::uint32_t gid) = 0;
  virtual Result<NodeRef> symlink(const Cred& cred, Node& dir, std::string_view name, std::string_view target,
                                  std::uint32_t gid) = 0;
  // mode carries the type bits (S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK, S_IFREG).
  virtual Result<NodeRef> mknod(const Cred& cred, Node& dir, std::string_view name, std::uint32_t mode,
                                std::uint64_t rdev, std::uint32_t gid) = 0;
  // link(2): a new name for target in dir. EPERM for a directory target.
  virtual Result<void> link(const Cred& cred, Node& target, Node& dir, std::string_view name) = 0;
  // rename(2) with all its overwrite rules (EISDIR, ENOTDIR, ENOTEMPTY, EINVAL
  // for a directory into its own subtree, sticky-directory EPERM).
  virtual Result<void> rename(const Cred& cred, Node& old_dir, std::string_view old_name, Node& new_dir,
                              std::string_view new_name) = 0;
  // unlink(2), or rmdir(2) when `rmdir` is set (ENOTDIR/EISDIR/ENOTEMPTY).
  virtual Result<void> unlink(const Cred& cred, Node& dir, std::string_view name, bool rmdir) = 0;
  virtual Result<std::string> readlink(Node& node) = 0;  // EINVAL if not a symlink
  virtual Result<StatFs> statfs(Node& node) = 0;

  // Extended attributes (getxattr(2) family). ENODATA when absent; ERANGE is
  // never returned (values are returned whole); EOPNOTSUPP if unsupported.
  virtual Result<std::string> getxattr(const Cred& cred, Node& node, std::string_view name) = 0;
  virtual Result<std::vector<std::string>> listxattr(const Cred& cred, Node& node) = 0;
  virtual Result<void> setxattr(const Cred& cred, Node& node, std::string_view name, std::string_view value,
                                XattrFlags flags) = 0;
  virtual Result<void> removexattr(const Cred& cred, Node& node, std::string_view name) = 0;

  // Identity: true when both refer to the same file-system object.
  virtual bool same(Node& a, Node& b) = 0;

  // Internal consistency (the model's nlink/orphan/parent checks). Returns an
  // empty string when consistent, otherwise a description of what is wrong.
  virtual std::string check_invariants() { return {}; }
};

}  // namespace p9::fs
