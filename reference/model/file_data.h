// The model's storage of a regular file's bytes: dense 2 MiB chunks from the
// start, then sparse 4 KiB blocks, with holes that read as zeros. It holds
// bytes only; the file-system rules (who may write, EFBIG, times) are the
// model's (model.cc). No host calls but one hint (advise_huge_pages), so it
// builds wherever the core builds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <new>
#include <string>
#include <vector>

namespace p9::model {

// Asks the host to back [p, p + bytes) with transparent huge pages (Linux
// madvise(2) MADV_HUGEPAGE); does nothing elsewhere. A hint only.
void advise_huge_pages(void* p, std::size_t bytes);

// The allocator of file data chunks (see FileData below). It changes
// nothing the model does, only what its memory costs: a buffer of 2 MiB or
// more is aligned to 2 MiB and, on Linux, marked MADV_HUGEPAGE, so the kernel
// may back it with one transparent huge page per 2 MiB instead of 512 small
// ones, each of which costs a page fault on first touch. (Measured on the
// paravirtualised 2-core development VM: fresh memory costs 3-7 ms per MiB in
// 4 KiB pages, 0.2-3 ms per MiB in huge pages, against ~1 ms to move a MiB
// over 9P on loopback.)
template <class T>
struct ChunkAllocator {
  using value_type = T;
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;

  ChunkAllocator() = default;
  template <class U>
  ChunkAllocator(const ChunkAllocator<U>&) {}

  T* allocate(std::size_t n) {
    std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) return static_cast<T*>(::operator new(bytes));
    void* p = ::operator new (bytes, std::align_val_t{kHugePage});
    advise_huge_pages(p, bytes);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) {
    if (n * sizeof(T) < kHugePage)
      ::operator delete(p);
    else
      ::operator delete (p, std::align_val_t{kHugePage});
  }
  template <class U>
  bool operator==(const ChunkAllocator<U>&) const {
    return true;
  }
};
using Chunk = std::vector<std::uint8_t, ChunkAllocator<std::uint8_t>>;

// Storage rule. A regular file's data is kept in blocks of kBlockSize bytes,
// in two parts:
//  - the dense part: blocks 0 .. d-1, all allocated, in chunks of kChunkSize
//    bytes (chunk i holds the file's bytes from i * kChunkSize on); every
//    chunk but the last is full;
//  - the sparse part: blocks from d on, each in its own buffer (block index ->
//    kBlockSize bytes); an absent block is a hole and reads as zeros.
// A write whose first block is in the dense part or right after it grows the
// dense part up to the write's last block (taking over the sparse blocks now
// inside it); any other write allocates just the sparse blocks it touches.
// Either way a write allocates exactly the blocks it touches, so a file's
// allocated blocks (st_blocks: its dense plus its sparse blocks) do not depend
// on the split: a write at 1 TiB allocates one block, and a file written from
// its start (streaming, copying: the usual case) is a row of chunks.
// Memory: the first chunk doubles as it grows, so a small file stays small;
// the later chunks of a large file are allocated whole, and no chunk is ever
// moved.

class FileData {
 public:
  static constexpr std::uint64_t kBlockSize = 4096;
  static constexpr std::size_t kChunkSize = std::size_t{2} << 20;  // one huge page (ChunkAllocator)

  std::uint64_t size() const { return size_; }
  // Allocated blocks of kBlockSize bytes (holes do not count).
  std::uint64_t blocks() const { return dense_blocks() + sparse_.size(); }
  // Reads up to len bytes at off; fewer at the end, none at or past it.
  std::size_t read(std::uint64_t off, std::uint8_t* out, std::size_t len) const;
  // Writes len bytes at off (the caller checked off + len against its
  // maximum size); a gap before off stays a hole; the size grows to off + len.
  void write(std::uint64_t off, const std::uint8_t* data, std::size_t len);
  // Shrinks (dropping the blocks past the end, zeroing the last one's tail)
  // or grows (a hole) to size.
  void set_size(std::uint64_t size);
  // fallocate(2) mode 0 on [off, off + len), len > 0: how many blocks it
  // needs, and doing it (every block of the range allocated, zeros in the
  // holes; the size grows to off + len if smaller; no data changes).
  std::uint64_t blocks_to_allocate(std::uint64_t off, std::uint64_t len) const;
  void allocate(std::uint64_t off, std::uint64_t len);
  // The storage rule holds: empty, or what is wrong.
  std::string check() const;

 private:
  static constexpr std::uint64_t kBlocksPerChunk = kChunkSize / kBlockSize;
  std::uint64_t dense_blocks() const {
    return dense_.empty() ? 0 : (dense_.size() - 1) * kBlocksPerChunk + dense_.back().size() / kBlockSize;
  }
  const std::uint8_t* find_block(std::uint64_t index) const;
  std::uint8_t* find_block(std::uint64_t index);
  void grow_dense(std::uint64_t blocks);

  std::uint64_t size_ = 0;
  std::vector<Chunk> dense_;
  std::map<std::uint64_t, std::vector<std::uint8_t>> sparse_;
};

}  // namespace p9::model
