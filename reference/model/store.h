// Where the model keeps what must outlive it.
//
// The model (model.h) is the file system's semantics: every rule of every
// call. By default it keeps everything in memory. A persistent backend (the
// OPFS store, opfs/store/) is the same model given a Store: the model then
// takes each regular file's bytes from the store (Content), reports every
// change of its metadata as records (an inode's attributes, a directory entry
// added or removed, an xattr set or removed, an inode freed), and ends each
// call with commit(). So a persistent backend adds storage, never rules.
//
// All calls are made with the model's mutex held.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "reference/fs/backend.h"

namespace p9::model {

// The bytes of one regular file. Errors a store may return: ENOSPC (the
// store is full), EFBIG (past the store's largest file), EIO.
class Content {
 public:
  virtual ~Content() = default;
  virtual std::uint64_t size() const = 0;
  // Allocated blocks of 4 KiB (holes do not count).
  virtual std::uint64_t blocks() const = 0;
  // Up to len bytes at off; fewer at the end, none at or past it.
  virtual Result<std::size_t> read(std::uint64_t off, std::uint8_t* out, std::size_t len) = 0;
  // All len bytes at off (the caller checked the model's maximum size); the
  // size grows to off + len. On an error nothing the size says changed.
  virtual Result<void> write(std::uint64_t off, const std::uint8_t* data, std::size_t len) = 0;
  // Shrinks or grows (with a hole) to size.
  virtual Result<void> set_size(std::uint64_t size) = 0;
  // fallocate(2) mode 0 on [off, off + len), len > 0: the blocks it needs,
  // and doing it (the size grows to off + len if smaller; no data changes).
  virtual std::uint64_t blocks_to_allocate(std::uint64_t off, std::uint64_t len) const = 0;
  virtual Result<void> allocate(std::uint64_t off, std::uint64_t len) = 0;
  // fsync(2) of the bytes: durable when it returns.
  virtual Result<void> sync() { return {}; }
  // Empty, or what is wrong with the storage.
  virtual std::string check() const { return {}; }
};

// An inode's attributes, as a store records them (everything but its
// directory entries, xattrs and bytes).
struct InodeRecord {
  std::uint64_t ino = 0;
  fs::FileType type = fs::FileType::Regular;
  std::uint32_t perm = 0;  // 07777
  std::uint32_t uid = 0, gid = 0;
  std::uint64_t nlink = 0;
  std::uint64_t rdev = 0;
  fs::Timespec atime, mtime, ctime, btime;
  std::uint64_t data_version = 0;
  std::uint64_t next_cookie = 0;  // directory: the cookie its next entry gets
  std::string target;             // symlink
};

// The whole persistent state: what a store gives back to rebuild a model.
struct Image {
  struct Entry {
    std::uint64_t cookie = 0;
    std::uint64_t child = 0;
  };
  std::uint64_t next_ino = 0;  // never reused: above every inode ever made
  std::map<std::uint64_t, InodeRecord> inodes;
  std::map<std::uint64_t, std::map<std::string, Entry, std::less<>>> entries;  // by directory
  std::map<std::uint64_t, std::map<std::string, std::string, std::less<>>> xattrs;
};

class Store {
 public:
  virtual ~Store() = default;
  // Content for a regular file: empty for a new one, its stored bytes for
  // one the store's Image holds.
  virtual std::unique_ptr<Content> content(std::uint64_t ino, bool existing) = 0;
  // Before a call that changes metadata: OK, ENOSPC when records of up to
  // `bytes` bytes could not be kept (nothing changed yet), or EIO once the
  // store has failed. `frees`: the call removes a name (unlink, rmdir), which
  // a full store must still allow (it is how room is made again): the store
  // keeps a margin for such calls.
  virtual Errno reserve(std::size_t bytes, bool frees) = 0;
  // The changes of one call, in order...
  virtual void inode(const InodeRecord& r) = 0;  // made or changed
  virtual void entry_added(std::uint64_t dir, std::string_view name, std::uint64_t cookie,
                           std::uint64_t child) = 0;
  virtual void entry_removed(std::uint64_t dir, std::string_view name) = 0;
  virtual void xattr_set(std::uint64_t ino, std::string_view name, std::string_view value) = 0;
  virtual void xattr_removed(std::uint64_t ino, std::string_view name) = 0;
  virtual void freed(std::uint64_t ino) = 0;  // no name and no reference left
  // ...and their end. durable: the reply may go out only when they are
  // stable (metadata calls, fsync); otherwise written, flushed later. A
  // failure leaves the store failed (reserve() says EIO from then on).
  virtual Errno commit(bool durable) = 0;
  // After a commit: whether the store wants a checkpoint; if so the model
  // gives it the whole state (pending changes included) to write at once.
  virtual bool checkpoint_due() const { return false; }
  virtual Errno checkpoint(const Image&) { return Errno::OK; }
};

}  // namespace p9::model
