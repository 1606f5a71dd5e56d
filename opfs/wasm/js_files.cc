#include "opfs/wasm/js_files.h"

#include <algorithm>

#include "opfs/wasm/api.h"

namespace p9::opfs {

namespace {

// Offsets cross the boundary as doubles (api.h): exact up to 2^53.
constexpr std::uint64_t kMaxOffset = std::uint64_t{1} << 53;
// One call moves at most this much (the imports take a 32-bit length; a
// Uint8Array view of wasm memory is bounded by it anyway).
constexpr std::size_t kMaxChunk = std::size_t{1} << 30;

Errno errno_of(int negative) {
  return negative == -static_cast<int>(Errno::NOSPC) ? Errno::NOSPC : Errno::IO;
}

}  // namespace

Result<std::size_t> JsFiles::read(Slot s, std::uint64_t off, std::uint8_t* out, std::size_t len) {
  if (defer_ && !deferred_.set && off < kMaxOffset && len <= kMaxChunk) {
    deferred_ = {true, s, off, len, out};
    return len;
  }
  std::size_t done = 0;
  while (done < len) {
    if (off + done >= kMaxOffset) break;  // nothing lies beyond what a handle can address
    std::size_t n = std::min(len - done, kMaxChunk);
    int r = p9o_js_read(s, static_cast<double>(off + done), out + done, static_cast<std::uint32_t>(n));
    if (r < 0) return Errno::IO;
    done += static_cast<std::size_t>(r);
    if (static_cast<std::size_t>(r) < n) break;  // the end of the file
  }
  return done;
}

Result<void> JsFiles::write(Slot s, std::uint64_t off, const std::uint8_t* data, std::size_t len) {
  if (off > kMaxOffset || len > kMaxOffset - off) return Errno::FBIG;
  for (std::size_t done = 0; done < len;) {
    std::size_t n = std::min(len - done, kMaxChunk);
    int r = p9o_js_write(s, static_cast<double>(off + done), data + done, static_cast<std::uint32_t>(n));
    if (r < 0) return errno_of(r);
    done += n;
  }
  return {};
}

Result<void> JsFiles::truncate(Slot s, std::uint64_t size) {
  if (size > kMaxOffset) return Errno::FBIG;
  int r = p9o_js_truncate(s, static_cast<double>(size));
  if (r < 0) return errno_of(r);
  return {};
}

Result<std::uint64_t> JsFiles::size(Slot s) {
  double r = p9o_js_size(s);
  if (r < 0) return Errno::IO;
  return static_cast<std::uint64_t>(r);
}

Result<void> JsFiles::flush(Slot s) {
  if (p9o_js_flush(s) < 0) return Errno::IO;
  return {};
}

}  // namespace p9::opfs
