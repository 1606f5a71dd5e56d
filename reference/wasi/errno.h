// WASI preview1's errno (reference/wasi/errno.def) and the one translation
// from the Linux errno every backend returns (spec/errno.def) to it.
#pragma once

#include <cstdint>

#include "spec/linux.h"

namespace p9::wasi {

// witx typenames.witx `$errno` (enum (@witx tag u16)).
enum class [[nodiscard]] Errno : std::uint16_t{
#define P9_WASI_ERRNO(ID, ENAME, VALUE) ID = VALUE,
#include "reference/wasi/errno.def"
#undef P9_WASI_ERRNO
};

// "ENOENT" for Errno::NOENT (wasi-libc's name); nullptr for a number not in
// the table.
const char* errno_name(std::uint16_t code);
inline const char* errno_name(Errno e) { return errno_name(static_cast<std::uint16_t>(e)); }

// The WASI errno a Linux errno becomes: the one of the same C name (ENOENT
// for ENOENT: the numbers differ, the meaning is the same); EOPNOTSUPP is
// ENOTSUP (Linux gives both names one number, include/uapi/asm-generic/
// errno.h and glibc's <bits/errno.h>; wasi-libc defines EOPNOTSUPP as
// ENOTSUP); a Linux errno WASI has no name for is EIO (the fallback wasmtime
// uses for an OS error it cannot name: crates/wasi, `From<&std::io::Error>
// for ErrorCode`, `_ => ErrorCode::Io`). Errno::OK is SUCCESS.
Errno from_linux(p9::Errno e);

// True when `e` has a WASI errno of its own name (or EOPNOTSUPP's alias),
// false when from_linux() falls back to EIO.
bool has_wasi_name(p9::Errno e);

}  // namespace p9::wasi
