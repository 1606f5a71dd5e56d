// fuzz_decode: the decoder on arbitrary bytes.
// Invariants: never crashes, never reads outside the input (ASan), and every
// frame it accepts re-encodes to exactly the same bytes and prints.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "reference/codec/codec.h"
#include "reference/codec/printer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  for (p9::Expect e : {p9::Expect::Any, p9::Expect::Request, p9::Expect::Reply}) {
    p9::Decoded d = p9::decode(data, size, e, 0xFFFFFFFFu);
    if (!d.ok()) {
      if (d.error_offset > size) std::abort();  // the offset must point into the frame
      continue;
    }
    std::vector<std::uint8_t> again;
    if (!p9::encode_append(d.frame, again) || again.size() != size ||
        !std::equal(again.begin(), again.end(), data)) {
      std::fprintf(stderr, "round trip differs for %s\n", p9::to_string(d.frame).c_str());
      std::abort();
    }
    if (p9::to_string(d.frame).empty()) std::abort();
  }
  // Stream framing over the same bytes: never past the end.
  p9::DecodeError err;
  std::uint32_t len = p9::frame_length(data, size, 1u << 20, &err);
  (void)len;
  return 0;
}
