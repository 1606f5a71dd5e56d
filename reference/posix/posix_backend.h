// The `posix:DIR` backend: a passthrough to a host directory, confined to DIR.
//
// Linux only (never part of the Emscripten build). How it stays inside DIR:
//  - Every node holds an O_PATH|O_NOFOLLOW descriptor of its object; names are
//    resolved one component at a time with openat(dirfd, name,
//    O_PATH|O_NOFOLLOW), so no path is ever concatenated and no symlink is
//    ever followed: looking up a symlink yields the symlink itself.
//  - ".." of the root (compared by st_dev/st_ino) is the root.
//  - Operations that need a real descriptor (open, truncate, chmod, link,
//    xattrs) go through the node's magic link /proc/self/fd/N, which names the
//    very inode the O_PATH descriptor refers to without walking any path; this
//    is done only for non-symlinks (the cached file type is checked first), as
//    QEMU hw/9pfs/9p-local.c and diod do. Symlinks themselves are handled with
//    AT_EMPTY_PATH calls on the O_PATH descriptor (fchownat, utimensat,
//    readlinkat, statx) or refused (open: ELOOP; chmod: EOPNOTSUPP, as lchmod).
//  - Device nodes may be created (by a root caller) but not opened: open()
//    answers EACCES as on a `nodev` mount, so a client cannot reach host
//    devices through the export.
//
// Credentials: when the process runs as root, each call that takes a Cred runs
// with that user's fsuid/fsgid/supplementary groups, switched per thread with
// raw syscalls (glibc's setgroups() wrapper changes every thread) and restored
// before returning. Otherwise nothing is switched and profile().ownership is
// false.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "reference/fs/backend.h"

namespace p9::fs {
class LockTable;  // reference/fs/locks.h
}  // namespace p9::fs

namespace p9::posix {

// Host errno → p9::Errno (Linux numbers). One table for the whole backend;
// numbers the protocol table lacks become EIO.
Errno from_host_errno(int host_errno);

// Host O_* flags for a Linux-valued open flag word (as Tlopen carries it):
// keeps the access mode and the flags that matter to a passthrough (TRUNC,
// APPEND, DIRECTORY, NONBLOCK, DSYNC, SYNC); drops the rest (CREAT, EXCL,
// NOFOLLOW, DIRECT, NOATIME, FASYNC, ...), which the caller handles or which
// must be ignored.
int host_open_flags(std::uint32_t linux_flags);

class PosixBackend final : public fs::Backend {
 public:
  // Opens DIR (following symlinks in DIR itself: it is configuration). On
  // failure the backend is unusable: root() returns the error; prefer open().
  explicit PosixBackend(std::string dir);
  ~PosixBackend() override;
  PosixBackend(const PosixBackend&) = delete;
  PosixBackend& operator=(const PosixBackend&) = delete;

  // nullptr and a message in *error when DIR is missing, not a directory, or
  // /proc/self/fd is unavailable.
  static std::unique_ptr<PosixBackend> open(const std::string& dir, std::string* error);

  // True when each call switches to the caller's credentials (process is root).
  bool switches_credentials() const { return switch_creds_; }
  const std::string& dir() const { return dir_; }

  fs::Profile profile() const override;
  Result<fs::NodeRef> root() override;
  Result<fs::NodeRef> lookup(const fs::Cred& cred, fs::Node& dir, std::string_view name) override;
  Result<fs::Attr> getattr(fs::Node& node) override;
  Result<void> setattr(const fs::Cred& cred, fs::Node& node, const fs::SetAttr& attr) override;
  Result<fs::OpenRef> open(const fs::Cred& cred, fs::Node& node, std::uint32_t flags) override;
  Result<Created> create(const fs::Cred& cred, fs::Node& dir, std::string_view name, std::uint32_t flags,
                         std::uint32_t mode, std::uint32_t gid) override;
  Result<fs::NodeRef> mkdir(const fs::Cred& cred, fs::Node& dir, std::string_view name, std::uint32_t mode,
                            std::uint32_t gid) override;
  Result<fs::NodeRef> symlink(const fs::Cred& cred, fs::Node& dir, std::string_view name,
                              std::string_view target, std::uint32_t gid) override;
  Result<fs::NodeRef> mknod(const fs::Cred& cred, fs::Node& dir, std::string_view name, std::uint32_t mode,
                            std::uint64_t rdev, std::uint32_t gid) override;
  Result<void> link(const fs::Cred& cred, fs::Node& target, fs::Node& dir, std::string_view name) override;
  Result<void> rename(const fs::Cred& cred, fs::Node& old_dir, std::string_view old_name, fs::Node& new_dir,
                      std::string_view new_name) override;
  Result<void> unlink(const fs::Cred& cred, fs::Node& dir, std::string_view name, bool rmdir) override;
  Result<std::string> readlink(fs::Node& node) override;
  Result<fs::StatFs> statfs(fs::Node& node) override;
  Result<std::string> getxattr(const fs::Cred& cred, fs::Node& node, std::string_view name) override;
  Result<std::vector<std::string>> listxattr(const fs::Cred& cred, fs::Node& node) override;
  Result<void> setxattr(const fs::Cred& cred, fs::Node& node, std::string_view name, std::string_view value,
                        fs::XattrFlags flags) override;
  Result<void> removexattr(const fs::Cred& cred, fs::Node& node, std::string_view name) override;
  bool same(fs::Node& a, fs::Node& b) override;
  std::string check_invariants() override;

 private:
  class Node;
  class File;
  class CredGuard;

  static Node* as_posix(fs::Node& n);
  Result<fs::NodeRef> node_at(int dirfd, const std::string& name);
  Result<fs::NodeRef> node_from_fd(int fd);  // takes ownership of fd
  // Restores permission bits the process umask removed at creation (QEMU
  // local_set_cred_passthrough chmods after creating for the same reason).
  void undo_umask(int fd, std::uint32_t mode);

  std::string dir_;
  Errno open_error_ = Errno::OK;
  std::string open_message_;
  fs::NodeRef root_;
  std::uint64_t root_dev_ = 0, root_ino_ = 0;
  bool switch_creds_ = false;
  std::shared_ptr<fs::LockTable> locks_;
};

}  // namespace p9::posix
