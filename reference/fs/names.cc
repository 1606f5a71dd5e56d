#include "reference/fs/names.h"

namespace p9::fs {

Errno check_name(std::string_view name, NameUse use) {
  if (use == NameUse::Xattr) {
    // xattr(7): names are NUL-terminated strings of at most XATTR_NAME_MAX (255).
    if (name.find('\0') != std::string_view::npos) return Errno::INVAL;
    if (name.size() > XATTR_NAME_LEN_MAX)
      return Errno::RANGE;  // Linux setxattr/getxattr: ERANGE for a long name
    return Errno::OK;
  }
  // path_resolution(7): an empty pathname gives ENOENT.
  if (name.empty()) return Errno::NOENT;
  // A component cannot hold '/' (it would be two components) nor NUL (it
  // would end the C string). No Linux system call can express either, so
  // the request itself is invalid.
  if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos)
    return Errno::INVAL;
  // NAME_MAX (255): ENAMETOOLONG (path_resolution(7)).
  if (name.size() > NAME_LEN_MAX) return Errno::NAMETOOLONG;
  bool dot = name == ".", dotdot = name == "..";
  if (!dot && !dotdot) return Errno::OK;
  switch (use) {
    case NameUse::Lookup:
      return Errno::OK;
    case NameUse::Create:
      // mkdir("."), open(".", O_CREAT|O_EXCL), link(x, "..") all give EEXIST:
      // the name exists (fs/namei.c filename_create: LAST_DOT/LAST_DOTDOT -> EEXIST).
      return Errno::EXIST;
    case NameUse::Unlink:
      // unlink(".") / unlink(".."): EISDIR (fs/namei.c do_unlinkat: last
      // component not LAST_NORM -> EISDIR).
      return Errno::ISDIR;
    case NameUse::Rmdir:
      // rmdir(2): "." -> EINVAL, ".." -> ENOTEMPTY (fs/namei.c do_rmdir).
      return dot ? Errno::INVAL : Errno::NOTEMPTY;
    case NameUse::RenameOld:
    case NameUse::RenameNew:
      // rename(2) with "." or ".." as the last component: EBUSY
      // (fs/namei.c do_renameat2: type != LAST_NORM -> EBUSY).
      return Errno::BUSY;
    case NameUse::Xattr:
      break;
  }
  return Errno::OK;
}

}  // namespace p9::fs
