// File-system rules that do not depend on the store: argument checks every
// front end (9P, WASI) applies before a backend call, written once. The
// backends may check again; they never need to differ from these. Each rule
// names its Linux source.
#pragma once

#include <cstdint>
#include <string_view>

#include "reference/fs/backend.h"

namespace p9::fs {

// symlink(2): an empty target is ENOENT; a target is a C string, so a NUL in
// it is EINVAL (no system call can express it); one of PATH_MAX bytes or more
// (with its NUL) is ENAMETOOLONG (Linux fs/namei.c getname()).
Errno check_symlink_target(std::string_view target);

// utimensat(2): a given time's tv_nsec must be below 1e9 (EINVAL).
Errno check_time(const TimeSet& t);

// setxattr(2): flags other than XATTR_CREATE | XATTR_REPLACE are EINVAL; a
// value larger than XATTR_SIZE_MAX is E2BIG (Linux fs/xattr.c setxattr()).
Errno check_xattr_flags(std::uint32_t flags);
Errno check_xattr_value_size(std::uint64_t size);

// The checks of a setattr request (times).
Errno check_setattr(const SetAttr& s);

}  // namespace p9::fs
