// WASI preview1's types, as plain C++ values (no wasm memory): the numbers of
// WebAssembly/WASI phases/snapshot/witx/typenames.witx, each set named as
// there. Flag sets are witx `flags` (bit n is the n-th case); enums are witx
// `enum` (case n has value n).
#pragma once

#include <cstdint>
#include <optional>

#include "reference/fs/backend.h"

namespace p9::wasi {

using Fd = std::uint32_t;

// `$filetype` (enum u8).
enum class Filetype : std::uint8_t {
  UNKNOWN = 0,
  BLOCK_DEVICE = 1,
  CHARACTER_DEVICE = 2,
  DIRECTORY = 3,
  REGULAR_FILE = 4,
  SOCKET_DGRAM = 5,
  SOCKET_STREAM = 6,
  SYMBOLIC_LINK = 7,
};
// The WASI type of a Linux file type (witx `$filetype`). WASI has no FIFO
// type: UNKNOWN. A socket in the file system (AF_UNIX) is SOCKET_STREAM: its
// node does not say stream or datagram, and WASI has no type for "a socket".
Filetype filetype_of(fs::FileType t);

// `$fdflags` (flags u16).
namespace fdflag {
inline constexpr std::uint16_t APPEND = 1 << 0;
inline constexpr std::uint16_t DSYNC = 1 << 1;
inline constexpr std::uint16_t NONBLOCK = 1 << 2;
inline constexpr std::uint16_t RSYNC = 1 << 3;
inline constexpr std::uint16_t SYNC = 1 << 4;
inline constexpr std::uint16_t ALL = (1 << 5) - 1;
}  // namespace fdflag

// `$oflags` (flags u16).
namespace oflag {
inline constexpr std::uint16_t CREAT = 1 << 0;
inline constexpr std::uint16_t DIRECTORY = 1 << 1;
inline constexpr std::uint16_t EXCL = 1 << 2;
inline constexpr std::uint16_t TRUNC = 1 << 3;
inline constexpr std::uint16_t ALL = (1 << 4) - 1;
}  // namespace oflag

// `$lookupflags` (flags u32).
namespace lookupflag {
inline constexpr std::uint32_t SYMLINK_FOLLOW = 1 << 0;
}

// `$fstflags` (flags u16): fd_filestat_set_times / path_filestat_set_times.
namespace fstflag {
inline constexpr std::uint16_t ATIM = 1 << 0;
inline constexpr std::uint16_t ATIM_NOW = 1 << 1;
inline constexpr std::uint16_t MTIM = 1 << 2;
inline constexpr std::uint16_t MTIM_NOW = 1 << 3;
inline constexpr std::uint16_t ALL = (1 << 4) - 1;
}  // namespace fstflag

// `$advice` (enum u8): fd_advise, as posix_fadvise(2)'s POSIX_FADV_*.
enum class Advice : std::uint8_t {
  NORMAL = 0,
  SEQUENTIAL = 1,
  RANDOM = 2,
  WILLNEED = 3,
  DONTNEED = 4,
  NOREUSE = 5
};

// `$whence` (enum u8).
enum class Whence : std::uint8_t { SET = 0, CUR = 1, END = 2 };

// A program's integer as `$advice` / `$whence`: nullopt when it names none
// (the call is then EINVAL, as wasmtime's preview1 answers a bad enum).
inline std::optional<Advice> to_advice(std::uint64_t v) {
  if (v > static_cast<std::uint64_t>(Advice::NOREUSE)) return std::nullopt;
  return static_cast<Advice>(v);
}
inline std::optional<Whence> to_whence(std::uint64_t v) {
  if (v > static_cast<std::uint64_t>(Whence::END)) return std::nullopt;
  return static_cast<Whence>(v);
}

// `$rights` (flags u64).
namespace right {
inline constexpr std::uint64_t FD_DATASYNC = 1ull << 0;
inline constexpr std::uint64_t FD_READ = 1ull << 1;
inline constexpr std::uint64_t FD_SEEK = 1ull << 2;
inline constexpr std::uint64_t FD_FDSTAT_SET_FLAGS = 1ull << 3;
inline constexpr std::uint64_t FD_SYNC = 1ull << 4;
inline constexpr std::uint64_t FD_TELL = 1ull << 5;
inline constexpr std::uint64_t FD_WRITE = 1ull << 6;
inline constexpr std::uint64_t FD_ADVISE = 1ull << 7;
inline constexpr std::uint64_t FD_ALLOCATE = 1ull << 8;
inline constexpr std::uint64_t PATH_CREATE_DIRECTORY = 1ull << 9;
inline constexpr std::uint64_t PATH_CREATE_FILE = 1ull << 10;
inline constexpr std::uint64_t PATH_LINK_SOURCE = 1ull << 11;
inline constexpr std::uint64_t PATH_LINK_TARGET = 1ull << 12;
inline constexpr std::uint64_t PATH_OPEN = 1ull << 13;
inline constexpr std::uint64_t FD_READDIR = 1ull << 14;
inline constexpr std::uint64_t PATH_READLINK = 1ull << 15;
inline constexpr std::uint64_t PATH_RENAME_SOURCE = 1ull << 16;
inline constexpr std::uint64_t PATH_RENAME_TARGET = 1ull << 17;
inline constexpr std::uint64_t PATH_FILESTAT_GET = 1ull << 18;
inline constexpr std::uint64_t PATH_FILESTAT_SET_SIZE = 1ull << 19;
inline constexpr std::uint64_t PATH_FILESTAT_SET_TIMES = 1ull << 20;
inline constexpr std::uint64_t FD_FILESTAT_GET = 1ull << 21;
inline constexpr std::uint64_t FD_FILESTAT_SET_SIZE = 1ull << 22;
inline constexpr std::uint64_t FD_FILESTAT_SET_TIMES = 1ull << 23;
inline constexpr std::uint64_t PATH_SYMLINK = 1ull << 24;
inline constexpr std::uint64_t PATH_REMOVE_DIRECTORY = 1ull << 25;
inline constexpr std::uint64_t PATH_UNLINK_FILE = 1ull << 26;
inline constexpr std::uint64_t POLL_FD_READWRITE = 1ull << 27;
inline constexpr std::uint64_t SOCK_SHUTDOWN = 1ull << 28;
inline constexpr std::uint64_t SOCK_ACCEPT = 1ull << 29;
inline constexpr std::uint64_t ALL = (1ull << 30) - 1;
// The rights that mean something on a regular file and on a directory
// (witx path_open: "fewer rights than specified, if and only if those rights
// do not apply to the type of file being opened").
inline constexpr std::uint64_t FILE = FD_DATASYNC | FD_READ | FD_SEEK | FD_FDSTAT_SET_FLAGS | FD_SYNC |
                                      FD_TELL | FD_WRITE | FD_ADVISE | FD_ALLOCATE | FD_FILESTAT_GET |
                                      FD_FILESTAT_SET_SIZE | FD_FILESTAT_SET_TIMES | POLL_FD_READWRITE;
inline constexpr std::uint64_t DIRECTORY =
    FD_DATASYNC | FD_FDSTAT_SET_FLAGS | FD_SYNC | PATH_CREATE_DIRECTORY | PATH_CREATE_FILE |
    PATH_LINK_SOURCE | PATH_LINK_TARGET | PATH_OPEN | FD_READDIR | PATH_READLINK | PATH_RENAME_SOURCE |
    PATH_RENAME_TARGET | PATH_FILESTAT_GET | PATH_FILESTAT_SET_SIZE | PATH_FILESTAT_SET_TIMES |
    FD_FILESTAT_GET | FD_FILESTAT_SET_TIMES | PATH_SYMLINK | PATH_REMOVE_DIRECTORY | PATH_UNLINK_FILE;
}  // namespace right

// `$fdstat`.
struct Fdstat {
  Filetype filetype = Filetype::UNKNOWN;
  std::uint16_t flags = 0;  // fdflags
  std::uint64_t rights_base = 0;
  std::uint64_t rights_inheriting = 0;
};

// `$filestat`. Times are nanoseconds since the epoch (`$timestamp`).
struct Filestat {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  Filetype filetype = Filetype::UNKNOWN;
  std::uint64_t nlink = 0;
  std::uint64_t size = 0;
  std::uint64_t atim = 0, mtim = 0, ctim = 0;
};

// `$prestat`: the only kind is `dir` with the length of its name.
struct Prestat {
  std::uint32_t name_len = 0;
};

}  // namespace p9::wasi
