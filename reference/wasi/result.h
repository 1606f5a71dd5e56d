// wasi::Result<T>: a value or a WASI errno (p9::wasi::Errno): p9::Result's
// template (reference/fs/result.h) over WASI's numbers, in which the front
// end answers (reference/wasi/errno.h).
#pragma once

#include "reference/fs/result.h"
#include "reference/wasi/errno.h"

namespace p9::wasi {

template <class T>
using Result = p9::BasicResult<T, Errno, Errno::SUCCESS>;

}  // namespace p9::wasi
