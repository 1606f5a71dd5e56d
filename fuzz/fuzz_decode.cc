// fuzz_decode: the decoder on arbitrary bytes.
// Invariants: never crashes, never reads outside the input (ASan); a rejected
// frame says where (an offset inside the frame) and why (a located fact); every
// frame it accepts re-encodes to exactly the same bytes and prints.
//
// Written for speed (the goal is >= 1,000,000 exec/s without sanitizers): one
// decode per input, with Expect::Any. Expect::Request and Expect::Reply differ
// from Any only in the direction check on the type byte, which depends on that
// byte alone and is checked for all 256 values by codec_test
// (CodecReject.DirectionDependsOnTheTypeByteOnly). Rejections are not formatted
// here (a DecodeDetail is facts until read; formatting each one costs ~15 % of
// the throughput): codec_test checks each sentence. Coverage comes from the
// decoder alone (fuzz/fuzz_decode.ignorelist).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "reference/codec/codec.h"
#include "reference/codec/printer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using Fact = p9::DecodeDetail::Fact;
  const p9::Decoded d = p9::decode(data, size, p9::Expect::Any, 0xFFFFFFFFu);
  if (!d.ok()) {
    if (d.error_offset > size) std::abort();  // the offset must point into the frame
    const p9::DecodeDetail& why = d.detail;
    if (why.empty()) std::abort();  // every rejection says why
    switch (why.fact()) {           // a fault inside a message names the message and the field
      case Fact::IntegerPastEnd:
      case Fact::LengthPastEnd:
      case Fact::CountPastEnd:
      case Fact::TooManyWalkElements:
        if (!why.message() || !why.field()) std::abort();
        break;
      default:
        break;
    }
  } else {
    static std::vector<std::uint8_t> again;  // reused: no allocation per input once grown
    again.clear();
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
