// Process-wide allocator settings for programs that move large frames.
// Messages of up to msize (1 MiB) are allocated and freed at every request;
// glibc serves blocks above 128 KiB with fresh mmap()s, so each one costs page
// faults (measured: 2/3 of the client's CPU time at msize 1 MiB, and far
// more on paravirtualised machines). Keeping them on the heap makes them
// reusable. Host-only (glibc mallopt); the Emscripten build does not use it.
#pragma once

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace p9::transport {
inline void tune_allocator_for_large_frames() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
#endif
}
}  // namespace p9::transport
