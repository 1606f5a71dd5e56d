#include "reference/wasi/dirent.h"

#include <algorithm>
#include <cstring>

namespace p9::wasi {
namespace {

void put_le(std::uint8_t* p, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint64_t get_le(const std::uint8_t* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

Filetype filetype_of(fs::FileType t) {
  switch (t) {
    case fs::FileType::Regular:
      return Filetype::REGULAR_FILE;
    case fs::FileType::Directory:
      return Filetype::DIRECTORY;
    case fs::FileType::Symlink:
      return Filetype::SYMBOLIC_LINK;
    case fs::FileType::CharDev:
      return Filetype::CHARACTER_DEVICE;
    case fs::FileType::BlockDev:
      return Filetype::BLOCK_DEVICE;
    case fs::FileType::Socket:
      return Filetype::SOCKET_STREAM;
    case fs::FileType::Fifo:
      return Filetype::UNKNOWN;
  }
  return Filetype::UNKNOWN;
}

bool DirentWriter::add(const Dirent& d) {
  std::uint8_t header[kDirentSize] = {};
  put_le(header + 0, d.next, 8);
  put_le(header + 8, d.ino, 8);
  put_le(header + 16, d.name.size(), 4);
  header[20] = static_cast<std::uint8_t>(d.type);
  std::size_t room = len_ - used_;
  std::size_t n = std::min(room, kDirentSize);
  std::memcpy(buf_ + used_, header, n);
  used_ += n;
  room -= n;
  std::size_t m = std::min(room, d.name.size());
  if (m) std::memcpy(buf_ + used_, d.name.data(), m);
  used_ += m;
  bool whole = n == kDirentSize && m == d.name.size();
  return whole && used_ < len_;
}

bool parse_dirent(const std::uint8_t* bytes, std::size_t len, Dirent& out, std::size_t& size) {
  if (len < kDirentSize) return false;
  out.next = get_le(bytes, 8);
  out.ino = get_le(bytes + 8, 8);
  std::uint64_t namlen = get_le(bytes + 16, 4);
  out.type = static_cast<Filetype>(bytes[20]);
  if (len - kDirentSize < namlen) return false;
  out.name = std::string_view(reinterpret_cast<const char*>(bytes + kDirentSize), namlen);
  size = kDirentSize + namlen;
  return true;
}

}  // namespace p9::wasi
