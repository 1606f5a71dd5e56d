#include "reference/fs/rules.h"

namespace p9::fs {

Errno check_symlink_target(std::string_view target) {
  if (target.empty()) return Errno::NOENT;
  if (target.find('\0') != std::string_view::npos) return Errno::INVAL;
  if (target.size() >= PATH_LEN_MAX) return Errno::NAMETOOLONG;
  return Errno::OK;
}

Errno check_time(const TimeSet& t) {
  if (t.how == TimeSet::How::Value && t.value.nsec >= 1000000000u) return Errno::INVAL;
  return Errno::OK;
}

Errno check_xattr_flags(std::uint32_t flags) {
  return (flags & ~(xattr_flag::CREATE | xattr_flag::REPLACE)) ? Errno::INVAL : Errno::OK;
}

Errno check_xattr_value_size(std::uint64_t size) {
  return size > XATTR_VALUE_LEN_MAX ? Errno::TOOBIG : Errno::OK;
}

Errno check_position(std::uint64_t pos) { return pos > FILE_SIZE_MAX ? Errno::INVAL : Errno::OK; }

Errno check_io_range(std::uint64_t pos, std::uint64_t len) {
  return len > FILE_SIZE_MAX - pos ? Errno::INVAL : Errno::OK;
}

Errno check_setattr(const SetAttr& s) {
  if (Errno e = check_time(s.atime); e != Errno::OK) return e;
  return check_time(s.mtime);
}

}  // namespace p9::fs
