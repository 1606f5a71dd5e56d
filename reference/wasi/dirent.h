// fd_readdir's buffer: WASI preview1 `$dirent` records, each followed by its
// name, cut where the caller's buffer ends.
//
// witx typenames.witx `$dirent`: d_next (`$dircookie`, u64, offset 0), d_ino
// (`$inode`, u64, offset 8), d_namlen (u32, offset 16), d_type (`$filetype`,
// u8, offset 20), padding to 24 bytes (the record's alignment is 8); the name
// follows, d_namlen bytes, no NUL. Little-endian, as all of wasm's memory.
//
// fd_readdir (witx wasi_snapshot_preview1.witx): "If the buffer is not large
// enough to fit all directory entries, the last directory entry will be
// truncated" and "the caller can detect the end of the directory by
// bufused < buf_len". So an entry that does not fit is written as far as the
// buffer goes (header and name alike), bufused == buf_len, and the caller
// asks again from the d_next of the last whole entry, with a larger buffer if
// even one entry did not fit (wasi-libc readdir() grows its buffer so).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "reference/fs/backend.h"
#include "reference/wasi/types.h"

namespace p9::wasi {

inline constexpr std::size_t kDirentSize = 24;

struct Dirent {
  std::uint64_t next = 0;  // d_next: the cookie that continues after this entry
  std::uint64_t ino = 0;
  Filetype type = Filetype::UNKNOWN;
  std::string_view name;
};

// Fills a caller's buffer with entries in order.
class DirentWriter {
 public:
  DirentWriter(std::uint8_t* buf, std::size_t len) : buf_(buf), len_(len) {}
  // Writes the entry (cut at the buffer's end). True when it was written
  // whole and there is room for more; false when the buffer is now full.
  bool add(const Dirent& d);
  bool add(const fs::DirEntry& e) { return add(Dirent{e.next_cookie, e.ino, filetype_of(e.type), e.name}); }
  std::size_t used() const { return used_; }

 private:
  std::uint8_t* buf_;
  std::size_t len_;
  std::size_t used_ = 0;
};

// The entry at the start of `bytes` as a caller reads it back (for tests and
// the later import layer's traces): false when fewer than the header's or
// the name's bytes are there (a cut entry).
bool parse_dirent(const std::uint8_t* bytes, std::size_t len, Dirent& out, std::size_t& size);

}  // namespace p9::wasi
