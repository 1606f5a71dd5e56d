// The model file system: an in-memory p9::fs::Backend that is the executable
// specification of what every backend must do.
//
// It holds everything in memory, does no I/O and makes no host calls (but for
// one hint: on Linux, large file data buffers ask for transparent huge pages,
// see ChunkAllocator in file_data.h), so it builds anywhere the core builds (g++,
// clang++, Emscripten 3.1.6 / libc++ 13).
// It knows nothing of 9P (no fids, qids or wire flags): it only implements
// fs::Backend. Each rule in model.cc names its source (a man page, POSIX, or
// the Linux function that implements it).
//
// Decisions (where Linux leaves a choice to the file system):
//  - Inode numbers: the root is 1; every new inode takes the next number
//    (2, 3, ...). Numbers are never reused, so runs are deterministic and a
//    number names one object for the life of the model. gen is always 0.
//  - Readdir: every directory entry gets a per-directory cookie, increasing
//    from 3 in insertion order, and entries are listed in cookie order. "."
//    is listed first with cookie 1 and ".." second with cookie 2, as Linux
//    local file systems and diod do. DirEntry::next_cookie is the entry's own
//    cookie; readdir(c) lists the entries whose cookie is larger than c, so a
//    cookie stays valid whatever is added or removed meanwhile. A renamed
//    entry is a new insertion (new cookie). The root's ".." is the root.
//    readdir gives ENOENT on a removed directory (Linux iterate_dir,
//    IS_DEADDIR), and lookup in one gives ENOENT for every name but ".".
//  - Sizes: a directory's size is 20 * (2 + entries) and its blocks 0, as
//    tmpfs reports it (mm/shmem.c BOGO_DIRENT_SIZE); a symlink's size is the
//    length of its target; a regular file's blocks count its allocated 4 KiB
//    blocks in 512-byte units (holes are not allocated).
//  - nlink follows Linux: a file has one link per name; a directory has
//    2 + its number of subdirectories ("." and its name, plus each child's
//    ".."); a removed file or directory has 0.
//  - Times: one clock reading per operation, so everything one call changes
//    gets the same time. Reads and readdir update atime with Linux's default
//    relatime rule.
//  - Special files (fifo, devices, sockets) exist with their type and rdev,
//    but the model has no pipes, drivers or sockets: open() of one passes the
//    permission checks and then fails with ENXIO (a Linux v9fs client opens
//    special files itself and never sends Tlopen for them).
//  - A Node given to a Model that did not make it gives EXDEV.
//
// Thread safety: one std::mutex per model guards all of its state. Every
// Backend method, every OpenFile method, and the release of a NodeRef or
// OpenFile (which may happen on any thread) takes it. The readdir emit
// callback is called without the mutex held. NodeRefs and OpenFiles share
// ownership of the model's state, so they may outlive the Model object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reference/fs/backend.h"
#include "reference/model/store.h"

namespace p9::model {

class Model final : public fs::Backend {
 public:
  // Returns the time to stamp; called once per operation that changes a time.
  using Clock = std::function<fs::Timespec()>;

  static constexpr std::uint64_t kRootIno = 1;
  static constexpr std::uint64_t kDotCookie = 1;     // "." in readdir
  static constexpr std::uint64_t kDotDotCookie = 2;  // ".." in readdir
  static constexpr std::uint64_t kBlockSize = 4096;  // data is allocated in blocks of this size
  // Largest file size: Linux MAX_LFS_FILESIZE on 64-bit hosts (LLONG_MAX).
  static constexpr std::uint64_t kMaxFileSize = FILE_SIZE_MAX;
  static constexpr std::uint32_t kStatFsType = 0x01021997;  // V9FS_MAGIC

  // clock: the time source; empty means the real clock (real_clock()). The
  // root directory is owned by uid 0, gid 0, mode 0755.
  explicit Model(Clock clock = {});
  ~Model() override;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // A model whose state lives in `store` (store.h), rebuilt from what the
  // store kept (`image`; empty for a new store, which then gets a root as
  // above). Rebuilding checks the tree and repairs it where the image breaks
  // the model's invariants (entries naming missing inodes, wrong nlink),
  // and reclaims inodes left with no name (files open but unlinked when the
  // store stopped). Null, with the reason in *error, if the image has no
  // root or the store cannot be written.
  struct RestoreReport {
    std::size_t reclaimed = 0;  // inodes with no name, freed
    std::string repairs;        // empty, or each repair made
  };
  static std::unique_ptr<Model> restore(Clock clock, std::unique_ptr<Store> store, const Image& image,
                                        RestoreReport* report, std::string* error);
  // With a store: records every pending change and makes everything durable
  // (as an fsync of every file's metadata). Without one: nothing to do.
  Errno flush();

  // The host's real time (std::chrono::system_clock).
  static fs::Timespec real_clock();

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

  // For tests and fuzzers.
  std::size_t inode_count() const;         // live inodes, including open-unlinked ones
  std::uint64_t allocated_blocks() const;  // 4 KiB data blocks held by all regular files

  struct State;  // defined in model.cc

 private:
  std::shared_ptr<State> s_;
};

}  // namespace p9::model
