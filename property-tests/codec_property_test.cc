// Codec properties over generated messages of every type (generators.h).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "property-tests/generators.h"
#include "reference/codec/codec.h"
#include "reference/codec/printer.h"

namespace p9 {
namespace {

constexpr std::uint32_t kAnyMsize = 0xFFFFFFFFu;

RC_GTEST_PROP(CodecProperty, DecodeOfEncodeIsIdentity, ()) {
  Frame f = *gen::frame();
  std::vector<std::uint8_t> b;
  RC_ASSERT(encode_append(f, b));
  Decoded d = decode(b, Expect::Any, kAnyMsize);
  RC_ASSERT(d.ok());
  RC_ASSERT(d.frame == f);
}

RC_GTEST_PROP(CodecProperty, EncodeOfDecodeIsIdentityForValidFrames, ()) {
  // Valid frames: encoded messages with some bytes changed; whenever the
  // result still decodes, it must re-encode to the same bytes.
  Frame f = *gen::frame();
  std::vector<std::uint8_t> b;
  RC_ASSERT(encode_append(f, b));
  auto flips = *rc::gen::container<std::vector<std::pair<std::size_t, std::uint8_t>>>(
      rc::gen::pair(rc::gen::inRange<std::size_t>(0, b.size()), rc::gen::arbitrary<std::uint8_t>()));
  for (auto [at, v] : flips) b[at] = v;
  Decoded d = decode(b, Expect::Any, kAnyMsize);
  if (d.ok()) RC_ASSERT(encode(d.frame) == b);
}

RC_GTEST_PROP(CodecProperty, ArbitraryBytesFailWithATypedError, ()) {
  auto b = *rc::gen::container<std::vector<std::uint8_t>>(rc::gen::arbitrary<std::uint8_t>());
  for (Expect e : {Expect::Any, Expect::Request, Expect::Reply}) {
    Decoded d = decode(b, e, kAnyMsize);
    if (d.ok()) {
      RC_ASSERT(encode(d.frame) == b);
    } else {
      RC_ASSERT(d.error != DecodeError::None);
      RC_ASSERT(d.error_offset <= b.size());
    }
  }
}

RC_GTEST_PROP(CodecProperty, ArbitraryBytesAfterAValidHeader, ()) {
  // Random bodies behind a correct size and a real type reach the field decoders.
  Frame f = *gen::frame();
  auto body = *rc::gen::container<std::vector<std::uint8_t>>(rc::gen::arbitrary<std::uint8_t>());
  std::vector<std::uint8_t> b = encode(Frame{f.tag, f.body});
  b.resize(7);
  b.insert(b.end(), body.begin(), body.end());
  std::uint32_t n = static_cast<std::uint32_t>(b.size());
  for (int i = 0; i < 4; ++i) b[i] = static_cast<std::uint8_t>(n >> (8 * i));
  Decoded d = decode(b, Expect::Any, kAnyMsize);
  if (d.ok()) RC_ASSERT(encode(d.frame) == b);
  else RC_ASSERT(d.error_offset <= b.size());
}

RC_GTEST_PROP(CodecProperty, PrinterNamesTheMessage, ()) {
  Frame f = *gen::frame();
  std::string line = to_string(f);
  RC_ASSERT(line.rfind(msg_name(static_cast<std::uint8_t>(type_of(f.body))), 0) == 0u);
  RC_ASSERT(line.find('\n') == std::string::npos);
}

}  // namespace
}  // namespace p9
