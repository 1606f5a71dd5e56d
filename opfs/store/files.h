// The files an OPFS store keeps, as the store sees them: numbered slots, each
// one OPFS file held open through a FileSystemSyncAccessHandle, whose calls
// are synchronous (WHATWG File System Standard, "FileSystemSyncAccessHandle":
// read/write {at}, truncate, getSize, flush).
//
// Slots and their OPFS names (in the store's directory):
//   kJournal     "journal"        the metadata journal (journal.h)
//   kCheckpoint  "checkpoint.0"   two checkpoints, written alternately
//                "checkpoint.1"
//   kFirstData.. "d<N>"           file contents, one OPFS file per regular file
//                                 that holds data, written in place at its offset
//
// Creating an OPFS file and opening its sync access handle are asynchronous,
// so a store cannot do them in the middle of a request. Data files therefore
// come from a pool of files created and opened ahead of time (as sqlite's
// opfs-sahpool VFS does): acquire() takes one, release() gives up one whose
// file is no longer needed, and the host tops the pool up between requests
// (wanted() says how many it should add). A released file is removed, not
// emptied and reused: emptying is a truncate and a flush on the request's
// thread (about 2.5 ms each in Chromium here, the larger part of an unlink),
// while the browser removes a file asynchronously, off the worker's thread
// (FileSystemDirectoryHandle.removeEntry()). Everything here is synchronous.
//
// Implementations: JsFiles (opfs/wasm/, the real OPFS through the page's
// worker), DirFiles (a host directory, for native runs of the same store) and
// MemFiles (memory, with simulated crashes, for tests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "reference/fs/result.h"

namespace p9::opfs {

using Slot = std::uint32_t;
constexpr Slot kJournal = 0;
constexpr Slot kCheckpoint0 = 1;
constexpr Slot kCheckpoint1 = 2;
constexpr Slot kFirstData = 3;

// The OPFS file name of a slot.
std::string slot_name(Slot s);

class Files {
 public:
  virtual ~Files() = default;
  // Reads up to len bytes at off; fewer at the end of the file. EIO on failure.
  virtual Result<std::size_t> read(Slot s, std::uint64_t off, std::uint8_t* out, std::size_t len) = 0;
  // Writes all len bytes at off (the file grows; a gap reads as zeros).
  // ENOSPC when the origin's quota is exhausted (QuotaExceededError): the
  // file may then hold part of the data but its size is what size() says.
  virtual Result<void> write(Slot s, std::uint64_t off, const std::uint8_t* data, std::size_t len) = 0;
  // Sets the size (grows with zeros). ENOSPC when growing past the quota.
  virtual Result<void> truncate(Slot s, std::uint64_t size) = 0;
  virtual Result<std::uint64_t> size(Slot s) = 0;
  // Makes everything written to the slot durable (FileSystemSyncAccessHandle.flush()).
  virtual Result<void> flush(Slot s) = 0;

  // ---- the data-file pool (the same for every implementation) ----
  // A data slot exists and its file is open: found at start-up, or just
  // made by the host. It counts as free until the store claims it.
  void add(Slot s);
  // Start-up: the store's records name this slot (it holds a file's bytes).
  // False if no such slot exists.
  bool claim(Slot s);
  // Every data slot, in use or free, in slot order.
  std::vector<Slot> data_slots() const;
  // An empty data slot from the pool; ENOSPC when the pool is empty.
  Result<Slot> acquire();
  // The slot's file is no longer needed (its inode is freed and the record
  // saying so is durable): it leaves the store and is removed, by
  // remove_now() where that can be done synchronously, else by the host
  // (take_retired()). Its number is not given out again while the store is
  // open. A crash before the removal is durable brings the file back at the
  // next start-up as one no record claims, which is removed then.
  Result<void> release(Slot s);
  // A released slot whose file the host is to close and remove; none: -1.
  std::int64_t take_retired();
  // How many data slots the host should make and add() now so that the pool
  // holds pool_target() free slots (0 when it does), and the slot number the
  // next one takes.
  std::size_t wanted() const;
  Slot next_slot() const;
  static constexpr std::size_t kPoolTarget = 16;
  // How many free slots the host keeps ready: kPoolTarget unless set (at
  // least 1). A host whose caller never lets it top the pool up in the middle
  // of a run (a WASI program that runs from _start to its end in one call)
  // sets it to the number of new files such a run may fill.
  std::size_t pool_target() const { return pool_target_; }
  void set_pool_target(std::size_t n) { pool_target_ = n ? n : 1; }
  // No free slot is left: the next acquire() would be ENOSPC.
  bool pool_empty() const { return free_.empty(); }

 protected:
  // Makes data slot s (its file, open) right away, where that can be done
  // synchronously (a host directory, memory); the browser cannot (false).
  virtual bool create_now(Slot) { return false; }
  // Closes and removes data slot s's file right away where that can be done
  // synchronously (a host directory, memory); the browser cannot (false).
  virtual bool remove_now(Slot) { return false; }

 private:
  std::vector<Slot> free_;           // created, not yet taken (a stack)
  std::vector<bool> exists_, used_;  // by slot number
  std::vector<Slot> retired_;        // released, for the host to remove
  std::size_t pool_target_ = kPoolTarget;
};

}  // namespace p9::opfs
