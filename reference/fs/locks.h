// POSIX record locks (fcntl(2) F_SETLK / F_GETLK), written once for every
// backend: the model keeps a FileLocks in each inode under its own mutex;
// posix and OPFS, whose stores have no locks a 9P owner could use, keep a
// LockTable keyed by file identity.
//
// The owner of a lock is the 9P client's (client_id, proc_id), standing for
// the process of fcntl(2). Rules (Linux fs/locks.c as of 6.1):
//  - flock64_to_posix_lock(): a start above OFFSET_MAX is EINVAL (a negative
//    off_t); an end above it is EOVERFLOW; length 0 means "to the end of the
//    file, however it grows" (the lock ends at OFFSET_MAX).
//  - fcntl_setlk(): the range is checked first, then the open file's mode
//    (check_fmode_for_setlk: F_RDLCK needs it open for reading, F_WRLCK for
//    writing, else EBADF).
//  - locks of one owner never conflict with each other; a read lock conflicts
//    with another owner's write lock, a write lock with any lock of another
//    owner (posix_locks_conflict()).
//  - posix_lock_inode(): a granted request replaces the owner's locks in its
//    range (an unlock or a type change in the middle of a lock splits it in
//    two) and merges with the owner's overlapping or adjacent locks of the
//    same type.
//  - fcntl_getlk(): l_type must be F_RDLCK or F_WRLCK (EINVAL, checked before
//    the range); the answer is one conflicting lock (here: the one with the
//    lowest start, then the lowest owner), or the request with type Unlock.
//  - close(2): "all locks held by the process on the file are released,
//    whichever descriptor they were taken through": an OpenFile remembers the
//    owners that locked through it (LockOwners) and releases their locks on
//    that file when it is closed.
// No host calls: this is part of the core that also builds with Emscripten.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "reference/fs/backend.h"

namespace p9::fs {

// Linux OFFSET_MAX (include/linux/fs.h: LLONG_MAX on 64-bit).
inline constexpr std::uint64_t kLockOffsetMax = FILE_SIZE_MAX;

struct LockOwner {
  std::string client_id;
  std::uint32_t proc_id = 0;
  bool operator==(const LockOwner& o) const { return proc_id == o.proc_id && client_id == o.client_id; }
  bool operator<(const LockOwner& o) const {
    return client_id != o.client_id ? client_id < o.client_id : proc_id < o.proc_id;
  }
};
using LockOwners = std::set<LockOwner>;  // the owners that locked through one open file

// The locks of one file. Not thread-safe: its holder serialises.
class FileLocks {
 public:
  struct Lock {
    LockOwner owner;
    LockType type = LockType::Read;    // Read or Write
    std::uint64_t start = 0, end = 0;  // inclusive; end == kLockOffsetMax: to the end of the file
  };

  // The inclusive [start, end] of a request, or EINVAL/EOVERFLOW.
  static Errno span(const LockRange& r, std::uint64_t& start, std::uint64_t& end);

  // F_SETLK through an open file that is `readable`/`writable`: Granted (the
  // owner's locks now hold the request), WouldBlock (another owner's lock
  // conflicts; nothing changed), or an error.
  Result<LockResult> set(const LockRange& r, bool readable, bool writable);
  // F_GETLK.
  Result<LockRange> test(const LockRange& r) const;
  // close(2): drops every lock of these owners.
  void release(const LockOwners& owners);

  bool empty() const { return locks_.empty(); }
  const std::vector<Lock>& locks() const { return locks_; }  // sorted by start, then owner
  // Internal consistency: empty when fine, else what is wrong.
  std::string check() const;

 private:
  std::vector<Lock> locks_;
};

// FileLocks of many files, by a 64-bit pair naming a file (posix: st_dev,
// st_ino), with one mutex. Files without locks take no memory.
class LockTable {
 public:
  using Key = std::pair<std::uint64_t, std::uint64_t>;
  Result<LockResult> set(const Key& key, const LockRange& r, bool readable, bool writable);
  Result<LockRange> test(const Key& key, const LockRange& r);
  void release(const Key& key, const LockOwners& owners);

 private:
  std::mutex mu_;
  std::map<Key, FileLocks> files_;
};

}  // namespace p9::fs
