// The bytes the store writes: journal records and checkpoints (their layout
// is in opfs/README.md, "On-disk format"). Integers are little-endian;
// strings are u32 length + bytes. Everything a record says is applied to a
// model::Image by apply(), which replay and the tests share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "opfs/store/files.h"
#include "reference/model/store.h"

namespace p9::opfs {

// CRC-32 (IEEE 802.3 polynomial, reflected, as zlib's crc32()), continuing from `crc`.
std::uint32_t crc32(const std::uint8_t* p, std::size_t n, std::uint32_t crc = 0);

class Writer {
 public:
  void u8(std::uint8_t v) { b_.push_back(v); }
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void str(std::string_view s);
  void bytes(const std::uint8_t* p, std::size_t n) { b_.insert(b_.end(), p, p + n); }
  std::vector<std::uint8_t>& buf() { return b_; }
  const std::vector<std::uint8_t>& buf() const { return b_; }
  std::size_t size() const { return b_.size(); }
  void clear() { b_.clear(); }

 private:
  std::vector<std::uint8_t> b_;
};

class Reader {
 public:
  Reader(const std::uint8_t* p, std::size_t n) : p_(p), n_(n) {}
  bool u8(std::uint8_t* v);
  bool u32(std::uint32_t* v);
  bool u64(std::uint64_t* v);
  bool str(std::string* s);
  bool done() const { return pos_ == n_; }

 private:
  const std::uint8_t* p_;
  std::size_t n_, pos_ = 0;
};

// The operations a journal record holds (one record per committed call).
enum class Op : std::uint8_t {
  Inode = 1,       // InodeRecord
  EntryAdded = 2,  // dir, name, cookie, child
  EntryRemoved = 3,
  XattrSet = 4,  // ino, name, value
  XattrRemoved = 5,
  Freed = 6,     // ino
  DataSlot = 7,  // ino, data slot: the file's bytes are in that slot
};

void put_inode(Writer& w, const model::InodeRecord& r);

// What the store keeps: the model's Image and where each file's bytes are.
struct StoreImage {
  model::Image image;
  std::map<std::uint64_t, Slot> slots;  // by inode
};

// Applies the operations of one record's payload; false if it is malformed.
bool apply(StoreImage& img, const std::uint8_t* payload, std::size_t len, std::string* why);

// Checkpoint: the whole StoreImage in one blob (header, then payload).
std::vector<std::uint8_t> encode_checkpoint(const StoreImage& img, std::uint64_t generation);
// False (and why) if the blob is not a complete, intact checkpoint.
bool decode_checkpoint(const std::vector<std::uint8_t>& blob, StoreImage* img, std::uint64_t* generation,
                       std::string* why);

// Journal layout.
constexpr std::size_t kJournalHeader = 64;     // magic[8] generation[8] crc[4], padded
constexpr std::size_t kRecordHeader = 8;       // length[4] crc[4]; crc covers generation[8] + payload
constexpr std::size_t kJournalStep = 1 << 20;  // grown (preallocated) in steps of 1 MiB
std::vector<std::uint8_t> encode_journal_header(std::uint64_t generation);
bool decode_journal_header(const std::uint8_t* p, std::size_t n, std::uint64_t* generation);
// A record's crc: over the generation, so a record left from before the last
// checkpoint never replays, then the payload.
std::uint32_t record_crc(std::uint64_t generation, const std::uint8_t* payload, std::size_t len);

}  // namespace p9::opfs
