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

// File positions are Linux's loff_t, signed: a u64 position above
// FILE_SIZE_MAX is negative. pread(2)/pwrite(2) refuse one with EINVAL before
// anything else (fs/read_write.c ksys_pread64/ksys_pwrite64); lseek(2) of a
// directory to one is EINVAL too (fs/read_write.c vfs_setpos), so a readdir
// cookie above FILE_SIZE_MAX is EINVAL as well.
Errno check_position(std::uint64_t pos);
// The range a read or write of len bytes at pos covers: EINVAL when pos + len
// passes FILE_SIZE_MAX (fs/read_write.c rw_verify_area: "(loff_t)(pos +
// count) < 0"), which vfs_read/vfs_write check after the descriptor's access
// mode (EBADF) and before the file system's own limits (EFBIG, EISDIR) and
// before O_APPEND moves the position. A 1-byte write at 2^63-1 is EINVAL, not
// EFBIG. pos must have passed check_position.
Errno check_io_range(std::uint64_t pos, std::uint64_t len);

// The checks of a setattr request (times).
Errno check_setattr(const SetAttr& s);

}  // namespace p9::fs
