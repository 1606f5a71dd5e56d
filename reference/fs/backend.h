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
//  - `name` arguments are single path components. The caller (the 9P server,
//    a WASI front end) checks them with fs::check_name (reference/fs/names.h)
//    before the call, AND every backend checks them again with the same
//    function (defence in depth: a backend never stores or passes on a name
//    with '/' or NUL, whoever calls it). Names are bytes.
//  - `cred` is the user the request acts for (Linux access=user: each user
//    attaches with its own uid). Backends that enforce permissions check them
//    against it; the rules are those of path_resolution(7) and each call's
//    man page, and what the server cannot know about groups is decided once,
//    in reference/fs/cred.h (fs::permits, may_chgrp, keeps_sgid).
//  - Nodes are reference counted (NodeRef). A node stays usable while a
//    reference exists, even after its last name is unlinked (the open-unlinked
//    file of POSIX): reads, writes, getattr and setattr keep working on it.
//  - Concurrency: any method may be called from several threads at once, on
//    the same or different nodes; a backend serialises internally as it needs
//    (the model takes one mutex). A NodeRef or OpenFile may be released on any
//    thread. Calls on one OpenFile are not made concurrently by the server.
//  - Calls are synchronous. An OPFS implementation can satisfy this from a
//    dedicated worker, where FileSystemSyncAccessHandle's read, write,
//    truncate, getSize and flush are synchronous (WHATWG File System
//    Standard, https://fs.spec.whatwg.org/#api-filesystemsyncaccesshandle;
//    MDN "FileSystemSyncAccessHandle": "only available inside dedicated Web
//    Workers"); directory operations there are asynchronous and need the
//    worker to wait for them. A backend that cannot rename directories
//    natively returns what it can (EXDEV is not acceptable for a
//    same-directory rename; emulate it).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reference/fs/cred.h"
#include "reference/fs/result.h"

namespace p9::fs {

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
//
// Permission is checked once, when the file is opened (open(2)); the calls
// below check the open file's access mode, never the inode's permission bits
// again (except where Linux does: setattr's ownership and time rules). So a
// user who created a 0444 file with O_CREAT|O_RDWR, or whose file was
// chmod'ed 0444 after an O_WRONLY open, may still write and ftruncate it.
// Every call works on an open file whose last name was unlinked.
class OpenFile {
 public:
  virtual ~OpenFile() = default;
  // pread(2): reads up to len bytes at offset; fewer at end of file; 0
  // at/after EOF. EINVAL for an offset above FILE_SIZE_MAX (a negative
  // loff_t, checked first); EBADF if not opened for reading; EINVAL when
  // offset + len passes FILE_SIZE_MAX (fs::check_io_range); EISDIR on a
  // directory.
  virtual Result<std::size_t> read(std::uint64_t offset, std::uint8_t* out, std::size_t len) = 0;
  // pwrite(2): writes at offset (at end of file if the file is in append
  // mode, whatever the offset); fills a gap with a hole. EINVAL for an offset
  // above FILE_SIZE_MAX (first); EBADF if not opened for writing; EINVAL
  // when offset + len passes FILE_SIZE_MAX (fs::check_io_range: a 1-byte
  // write at 2^63-1), whatever O_APPEND; EFBIG at or past the backend's
  // maximum size (a write reaching past it is short).
  // Clears S_ISUID (and S_ISGID with group-exec) when the opener is not root
  // (Linux file_remove_privs). Returns the count written.
  virtual Result<std::size_t> write(std::uint64_t offset, const std::uint8_t* data, std::size_t len) = 0;
  // getdents(2): lists entries after `cookie` (0 = from the start), calling
  // emit for each until it returns false (the caller's buffer is full; the
  // entry it refused is sent again next time). Cookies stay valid while
  // other entries are added or removed: an entry present throughout is
  // listed exactly once. ENOTDIR on a non-directory; EINVAL for a cookie
  // above FILE_SIZE_MAX (lseek(2) to a negative position). A cookie never
  // handed out resumes wherever the store puts that position (ext4: the
  // entries whose hash follows it; the model: those added after it).
  virtual Result<void> readdir(std::uint64_t cookie, const std::function<bool(const DirEntry&)>& emit) = 0;
  // fsync(2)/fdatasync(2): when it returns, the file's data (and, unless
  // datasync, its metadata) are as durable as the store can make them. Each
  // backend states what that means (model: memory, nothing to flush; posix:
  // the host's fsync/fdatasync; OPFS: FileSystemSyncAccessHandle.flush()).
  virtual Result<void> fsync(bool datasync) = 0;
  // F_SETLK: Granted, or WouldBlock when another owner's lock conflicts.
  // EBADF when a read lock is asked of a file not open for reading, or a
  // write lock of one not open for writing (fcntl(2)); EINVAL/EOVERFLOW for
  // a bad range (reference/fs/locks.h).
  virtual Result<LockResult> lock(const LockRange& range) = 0;
  // F_GETLK: the first conflicting lock, or the request with type Unlock.
  // EINVAL for a request of type Unlock.
  virtual Result<LockRange> getlock(const LockRange& range) = 0;

  // fstat(2) of the open file: the same Attr as Backend::getattr of its node,
  // also after its last name is gone (nlink 0).
  virtual Result<Attr> getattr() = 0;
  // ftruncate(2) (Linux fs/open.c do_sys_ftruncate): EINVAL for a size above
  // FILE_SIZE_MAX (a negative length, first); EINVAL when the file is not a
  // regular file or not open for writing (Linux gives EINVAL for both, where
  // POSIX allows EBADF); EFBIG above the backend's maximum size
  // (inode_newsize_ok). No permission check: it was made at open. Marks
  // mtime and ctime even when the size does not change (do_truncate with
  // ATTR_MTIME|ATTR_CTIME), and clears set-id bits as write() does when the
  // opener is not root.
  virtual Result<void> truncate(std::uint64_t size) = 0;
  // fchmod(2), fchown(2), futimens(2) and ftruncate(2) in one call: the
  // ownership, mode and time rules of Backend::setattr for `cred` (the
  // inode's permission bits still decide futimens(UTIME_NOW) for a
  // non-owner, as Linux may_setattr does), but a size follows truncate()'s
  // open-file rule above (no permission check; EINVAL unless open for
  // writing), with set-id bits cleared when `cred` is not root.
  virtual Result<void> setattr(const Cred& cred, const SetAttr& attr) = 0;
  // fcntl(F_SETFL) with or without O_APPEND: later writes append or not.
  virtual Result<void> set_append(bool on) = 0;
  // posix_fallocate(3) / fallocate(2) mode 0 (Linux fs/open.c
  // vfs_fallocate, in its order): EINVAL for an offset above FILE_SIZE_MAX or
  // len 0 or above FILE_SIZE_MAX; EBADF unless open for writing; EISDIR on a
  // directory; ENODEV on another non-regular file; EFBIG when offset + len
  // passes the maximum size; ENOSPC when the store is full. Allocates the
  // blocks of [offset, offset + len) (st_blocks grows), extends the size to
  // offset + len if it was smaller, and changes no data (allocated holes
  // read as zeros).
  virtual Result<void> allocate(std::uint64_t offset, std::uint64_t len) = 0;
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
  bool symlinks = true;   // symlink() can store a symbolic link
  // The server knows its users' supplementary groups (a user database:
  // reference/fs/cred.h); the conformance cases' users are conformance/cases/users.db.
  bool groups = true;
};

enum class XattrFlags : std::uint32_t { Any = 0, Create = 1, Replace = 2 };  // XATTR_CREATE/REPLACE

class Backend {
 public:
  virtual ~Backend() = default;
  // What the backend cannot do (Profile). Constant for the backend's life.
  virtual Profile profile() const = 0;

  // The root directory of the store. The error the backend met when it
  // opened its store, if any.
  virtual Result<NodeRef> root() = 0;

  // One step of path_resolution(7): looks up a name in a directory ("." is
  // the directory, ".." its parent; the root's ".." is the root). ENOTDIR if
  // dir is not a directory; EACCES without search (x) permission on dir;
  // ENOENT if absent (and for any name but "." in a removed directory);
  // symlinks are never followed (the symlink itself is returned).
  virtual Result<NodeRef> lookup(const Cred& cred, Node& dir, std::string_view name) = 0;

  // lstat(2) of the node (no permission needed: the caller reached it).
  virtual Result<Attr> getattr(Node& node) = 0;
  // chmod(2), chown(2), truncate(2), utimensat(2) in one call (Linux
  // notify_change), all checks before any change where the store allows:
  // chown/chmod/explicit times need ownership or root (EPERM); times set to
  // now need ownership or write permission (EACCES); a size needs write
  // permission (EACCES), is EISDIR on a directory, EINVAL on another
  // non-regular file, EINVAL above FILE_SIZE_MAX (first), EFBIG above the
  // backend's maximum size. Set-id bits are cleared by chown of a
  // non-directory and by a truncation by non-root; ctime follows any change.
  virtual Result<void> setattr(const Cred& cred, Node& node, const SetAttr& attr) = 0;

  // open(2) of an existing node: access checks from the flags' access mode
  // (mode 3 checks both and allows neither), O_TRUNC (needs write; truncates
  // and stamps mtime/ctime), O_DIRECTORY (ENOTDIR), EISDIR for writing a
  // directory, ELOOP for a symlink; O_APPEND is kept for write(). O_CREAT and
  // O_EXCL are ignored here (the node exists). Special files may be refused
  // (the model: ENXIO; posix: devices EACCES, as on a nodev mount).
  virtual Result<OpenRef> open(const Cred& cred, Node& node, std::uint32_t flags) = 0;

  // open(2) with O_CREAT|O_EXCL of a new regular file in dir: EEXIST if the
  // name exists; EACCES without write and search permission on dir; ENOENT
  // in a removed directory. The file is opened with `flags` whatever `mode`
  // allows (no access check on a file just made). Its gid is `gid` unless
  // dir is set-gid (then dir's gid); S_ISGID is dropped as Linux
  // mode_strip_sgid does. Stamps dir's mtime and ctime.
  struct Created {
    NodeRef node;
    OpenRef file;
  };
  virtual Result<Created> create(const Cred& cred, Node& dir, std::string_view name, std::uint32_t flags,
                                 std::uint32_t mode, std::uint32_t gid) = 0;
  // mkdir(2): errors as create(); the new directory inherits S_ISGID from a
  // set-gid dir; dir's nlink grows by one.
  virtual Result<NodeRef> mkdir(const Cred& cred, Node& dir, std::string_view name, std::uint32_t mode,
                                std::uint32_t gid) = 0;
  // symlink(2): errors as create(); ENOENT for an empty target,
  // ENAMETOOLONG for one of PATH_MAX bytes or more. Mode 0777. A backend
  // whose Profile says !symlinks returns EPERM (as a file system that does
  // not support symlinks: symlink(2) EPERM).
  virtual Result<NodeRef> symlink(const Cred& cred, Node& dir, std::string_view name, std::string_view target,
                                  std::uint32_t gid) = 0;
  // mknod(2): mode carries the type bits (S_IFIFO, S_IFCHR, S_IFBLK,
  // S_IFSOCK, S_IFREG or 0 for a regular file); a directory type is EPERM,
  // an unknown one EINVAL; devices need root (EPERM).
  virtual Result<NodeRef> mknod(const Cred& cred, Node& dir, std::string_view name, std::uint32_t mode,
                                std::uint64_t rdev, std::uint32_t gid) = 0;
  // link(2): a new name for target in dir. EPERM for a directory target;
  // ENOENT for a target with no name left; errors of create() for the name.
  virtual Result<void> link(const Cred& cred, Node& target, Node& dir, std::string_view name) = 0;
  // rename(2) with all its overwrite rules (EISDIR, ENOTDIR, ENOTEMPTY, EINVAL
  // for a directory into its own subtree, sticky-directory EPERM, EBUSY for
  // "." or ".."); renaming one hard link over another of the same file does
  // nothing and succeeds.
  virtual Result<void> rename(const Cred& cred, Node& old_dir, std::string_view old_name, Node& new_dir,
                              std::string_view new_name) = 0;
  // unlink(2), or rmdir(2) when `rmdir` is set (ENOTDIR/EISDIR/ENOTEMPTY,
  // sticky-directory EPERM). An open or referenced node lives on, nameless.
  virtual Result<void> unlink(const Cred& cred, Node& dir, std::string_view name, bool rmdir) = 0;
  // readlink(2): the target, whole. EINVAL if not a symlink.
  virtual Result<std::string> readlink(Node& node) = 0;
  // statfs(2) of the file system holding node.
  virtual Result<StatFs> statfs(Node& node) = 0;

  // Extended attributes (getxattr(2) family, xattr(7) namespaces and
  // permissions). ENODATA when absent; ERANGE for a name longer than
  // XATTR_NAME_MAX (values are returned whole, so never for a value);
  // EOPNOTSUPP for an unsupported namespace or store.
  virtual Result<std::string> getxattr(const Cred& cred, Node& node, std::string_view name) = 0;
  virtual Result<std::vector<std::string>> listxattr(const Cred& cred, Node& node) = 0;
  // XATTR_CREATE on an existing name is EEXIST, XATTR_REPLACE on a missing
  // one ENODATA.
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
