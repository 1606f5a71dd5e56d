#include "reference/fs/backend.h"

namespace p9::fs {

// S_IF* values: Linux include/uapi/linux/stat.h (spec/constants.def file_type).
std::uint32_t mode_type_bits(FileType t) {
  switch (t) {
    case FileType::Regular:
      return file_type::REG;
    case FileType::Directory:
      return file_type::DIR;
    case FileType::Symlink:
      return file_type::LNK;
    case FileType::Fifo:
      return file_type::FIFO;
    case FileType::CharDev:
      return file_type::CHR;
    case FileType::BlockDev:
      return file_type::BLK;
    case FileType::Socket:
      return file_type::SOCK;
  }
  return 0;
}

std::optional<FileType> file_type_from_mode(std::uint32_t mode) {
  switch (mode & MODE_TYPE_MASK) {
    case file_type::REG:
      return FileType::Regular;
    case file_type::DIR:
      return FileType::Directory;
    case file_type::LNK:
      return FileType::Symlink;
    case file_type::FIFO:
      return FileType::Fifo;
    case file_type::CHR:
      return FileType::CharDev;
    case file_type::BLK:
      return FileType::BlockDev;
    case file_type::SOCK:
      return FileType::Socket;
    default:
      return std::nullopt;
  }
}

// DT_x == S_IFx >> 12 (Linux include/linux/fs_types.h S_DT()).
std::uint8_t dirent_type(FileType t) { return static_cast<std::uint8_t>(mode_type_bits(t) >> 12); }

// glibc sysmacros.h gnu_dev_makedev; equal to Linux new_encode_dev for
// 12-bit majors and 20-bit minors.
std::uint64_t make_rdev(std::uint32_t major, std::uint32_t minor) {
  std::uint64_t ma = major, mi = minor;
  return ((ma & 0x00000fffULL) << 8) | ((ma & 0xfffff000ULL) << 32) | (mi & 0x000000ffULL) |
         ((mi & 0xffffff00ULL) << 12);
}

}  // namespace p9::fs
