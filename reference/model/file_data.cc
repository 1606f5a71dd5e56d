// The model's file data storage. See file_data.h.
#include "reference/model/file_data.h"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "reference/fs/findings.h"

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>  // madvise(MADV_HUGEPAGE): a hint for file data chunks (ChunkAllocator)
#endif

namespace p9::model {

void advise_huge_pages([[maybe_unused]] void* p, [[maybe_unused]] std::size_t bytes) {
#if defined(MADV_HUGEPAGE)
  ::madvise(p, bytes, MADV_HUGEPAGE);  // a hint: if refused, small pages are used
#endif
}

// The kBlockSize bytes of block `index`, or null for a hole.
const std::uint8_t* FileData::find_block(std::uint64_t index) const {
  if (index < dense_blocks()) {
    const Chunk& chunk = dense_[static_cast<std::size_t>(index / kBlocksPerChunk)];
    return chunk.data() + index % kBlocksPerChunk * kBlockSize;
  }
  auto it = sparse_.find(index);
  return it == sparse_.end() ? nullptr : it->second.data();
}
std::uint8_t* FileData::find_block(std::uint64_t index) {
  return const_cast<std::uint8_t*>(static_cast<const FileData&>(*this).find_block(index));
}

// Grows the dense part to `blocks` blocks (the new ones are zeros), then
// moves the sparse blocks now inside it there.
void FileData::grow_dense(std::uint64_t blocks) {
  while (dense_blocks() < blocks) {
    if (dense_.empty() || dense_.back().size() == kChunkSize) dense_.emplace_back();
    Chunk& last = dense_.back();
    std::uint64_t before = (dense_.size() - 1) * kBlocksPerChunk;  // blocks in the full chunks
    auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunkSize, (blocks - before) * kBlockSize));
    if (want > last.capacity()) {
      // The first chunk doubles (a small file stays small); later ones come whole.
      std::size_t room = dense_.size() == 1 ? std::max(want, 2 * last.capacity()) : kChunkSize;
      last.reserve(std::min(kChunkSize, room));
    }
    last.resize(want);
  }
  for (auto it = sparse_.begin(); it != sparse_.end() && it->first < blocks; it = sparse_.erase(it))
    std::memcpy(find_block(it->first), it->second.data(), kBlockSize);
}

void FileData::set_size(std::uint64_t size) {
  if (size < size_) {
    // Drop whole blocks past the end; zero the tail of the last one so a
    // later extension reads zeros (truncate(2): "the extended part reads as
    // null bytes").
    std::uint64_t keep = (size + kBlockSize - 1) / kBlockSize;
    sparse_.erase(sparse_.lower_bound(keep), sparse_.end());
    if (dense_blocks() > keep) {
      std::uint64_t chunks = (keep + kBlocksPerChunk - 1) / kBlocksPerChunk;
      dense_.resize(static_cast<std::size_t>(chunks));
      if (chunks > 0) {
        std::uint64_t in_last = keep - (chunks - 1) * kBlocksPerChunk;
        dense_.back().resize(static_cast<std::size_t>(in_last * kBlockSize));
      }
    }
    std::uint64_t tail = size % kBlockSize;
    std::uint8_t* last = tail ? find_block(size / kBlockSize) : nullptr;
    if (last) std::fill(last + tail, last + kBlockSize, 0);
  }
  size_ = size;  // growing allocates nothing: the new part is a hole
}

void FileData::write(std::uint64_t off, const std::uint8_t* data, std::size_t len) {
  if (off / kBlockSize <= dense_blocks()) grow_dense((off + len + kBlockSize - 1) / kBlockSize);
  std::size_t done = 0;
  while (done < len) {
    std::uint64_t pos = off + done;
    std::size_t in_block = static_cast<std::size_t>(pos % kBlockSize);
    std::size_t piece = std::min<std::size_t>(len - done, kBlockSize - in_block);
    std::uint8_t* block = find_block(pos / kBlockSize);
    if (!block) {  // a new sparse block
      auto& fresh = sparse_[pos / kBlockSize];
      fresh.assign(kBlockSize, 0);
      block = fresh.data();
    }
    std::memcpy(block + in_block, data + done, piece);
    done += piece;
  }
  size_ = std::max<std::uint64_t>(size_, off + len);
}

std::size_t FileData::read(std::uint64_t off, std::uint8_t* out, std::size_t len) const {
  if (off >= size_) return 0;
  len = static_cast<std::size_t>(std::min<std::uint64_t>(len, size_ - off));
  std::size_t done = 0;
  while (done < len) {
    std::uint64_t pos = off + done;
    std::size_t in_block = static_cast<std::size_t>(pos % kBlockSize);
    std::size_t piece = std::min<std::size_t>(len - done, kBlockSize - in_block);
    if (const std::uint8_t* block = find_block(pos / kBlockSize))
      std::memcpy(out + done, block + in_block, piece);
    else
      std::memset(out + done, 0, piece);  // a hole reads as zeros
    done += piece;
  }
  return len;
}

// The blocks of [off, off + len) (len > 0) not allocated yet.
std::uint64_t FileData::blocks_to_allocate(std::uint64_t off, std::uint64_t len) const {
  std::uint64_t first = off / kBlockSize, last = (off + len - 1) / kBlockSize;
  std::uint64_t have = 0, dense = dense_blocks();
  if (first < dense) have += std::min(last + 1, dense) - first;
  for (auto it = sparse_.lower_bound(first); it != sparse_.end() && it->first <= last; ++it) ++have;
  return last - first + 1 - have;
}

// fallocate(2) mode 0 on [off, off + len) (len > 0): every block of the range
// is allocated (zeros where it was a hole) and the size grows to off + len
// if it was smaller; no data changes. As for a write, a range starting in
// the dense part or right after it grows the dense part.
void FileData::allocate(std::uint64_t off, std::uint64_t len) {
  std::uint64_t first = off / kBlockSize, last = (off + len - 1) / kBlockSize;
  if (first <= dense_blocks()) {
    grow_dense(last + 1);
  } else {
    for (std::uint64_t b = first; b <= last; ++b)
      if (!sparse_.count(b)) sparse_[b].assign(kBlockSize, 0);
  }
  size_ = std::max<std::uint64_t>(size_, off + len);
}

std::string FileData::check() const {
  fs::Findings out;
  std::uint64_t blocks_in_size = (size_ + kBlockSize - 1) / kBlockSize;
  for (std::size_t i = 0; i < dense_.size(); ++i) {
    std::size_t bytes = dense_[i].size();
    bool last_chunk = i + 1 == dense_.size();
    bool ok = last_chunk ? bytes > 0 && bytes <= kChunkSize : bytes == kChunkSize;
    if (bytes % kBlockSize != 0) ok = false;
    if (!ok) out << "dense chunk " << i << " holds " << bytes << " bytes; ";
  }
  if (dense_blocks() > blocks_in_size) out << "dense part past the end of file; ";
  if (!sparse_.empty() && sparse_.begin()->first < dense_blocks())
    out << "sparse block inside the dense part; ";
  if (!sparse_.empty() && sparse_.rbegin()->first >= blocks_in_size)
    out << "data block past the end of file; ";
  for (const auto& [index, block] : sparse_)
    if (block.size() != kBlockSize) out << "sparse block " << index << " size; ";
  std::uint64_t tail = size_ % kBlockSize;
  const std::uint8_t* last = tail ? find_block(size_ / kBlockSize) : nullptr;
  static const std::uint8_t zeros[kBlockSize] = {};  // memcmp: this check runs after every fuzzed message
  if (last && std::memcmp(last + tail, zeros, kBlockSize - tail) != 0)
    out << "bytes past the end of file are not zero; ";
  return out.str();
}

}  // namespace p9::model
