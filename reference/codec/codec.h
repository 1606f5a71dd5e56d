// The 9P2000.L codec: frames <-> typed messages (spec/protocol.h), driven by
// the table in spec/messages.def. This is the one place bytes become messages.
//
// Decoder guarantees (tested one by one in codec_test.cc):
//  - never reads outside the buffer it is given;
//  - never allocates because of a length the peer claims: every string, data
//    or entry is checked against the bytes actually present before it is
//    copied, so memory use is bounded by the frame's own size;
//  - never throws or crashes: every malformed frame yields a DecodeError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "spec/protocol.h"

namespace p9 {

enum class DecodeError : std::uint8_t {
  None = 0,
  TooShort,             // size field < 7 (no room for the header)
  TooLarge,             // size field > the negotiated msize
  SizeMismatch,         // size field differs from the bytes given for the frame
  TrailingBytes,        // bytes left over after the last field
  Truncated,            // a field (string, data, qid, entry, integer) runs past the end
  TooManyWalkElements,  // nwname or nwqid > MAXWELEM (16)
  UnknownType,          // type byte is not a message of the table
  NotARequest,          // an R-message where a T-message was expected
  NotAReply,            // a T-message where an R-message was expected
};
const char* to_string(DecodeError e);

enum class Expect : std::uint8_t { Request, Reply, Any };

struct Decoded {
  Frame frame;                      // valid when error == None
  DecodeError error = DecodeError::None;
  std::size_t error_offset = 0;     // byte offset in the frame where the fault was found
  std::uint8_t type = 0;            // the header's type byte (when the header was readable)
  std::uint16_t tag = 0;            // the header's tag (when readable): lets a server answer
  std::string detail;               // human-readable: which field, which lengths
  bool ok() const { return error == DecodeError::None; }
};

// Decodes one frame occupying exactly [data, data+len).
Decoded decode(const std::uint8_t* data, std::size_t len, Expect expect, std::uint32_t msize);
inline Decoded decode(const std::vector<std::uint8_t>& b, Expect expect, std::uint32_t msize) {
  return decode(b.data(), b.size(), expect, msize);
}

// Framing a byte stream: how long the frame at the start of `data` is.
// Returns 0 when fewer than 4 bytes are present; sets *error (TooShort,
// TooLarge) when the size field cannot delimit a valid frame.
std::uint32_t frame_length(const std::uint8_t* data, std::size_t len, std::uint32_t msize, DecodeError* error);

// Appends the encoded frame to out. Fails (returns false, out unchanged) only
// when a value cannot be represented on the wire: a string or walk list longer
// than 65535, data longer than 4 GiB. It does NOT enforce protocol limits such
// as MAXWELEM: hostile-input tests must be able to send 17 names.
bool encode_append(const Frame& frame, std::vector<std::uint8_t>& out);
// Encodes a frame that is known to be representable (asserts otherwise).
std::vector<std::uint8_t> encode(const Frame& frame);

// A default-valued message of the given type number (false for an unknown type).
bool make_default_message(std::uint8_t type, Message& out);

// Size an Rread/Rreaddir/Twrite frame has around its payload: header + count[4].
inline constexpr std::uint32_t kDataFrameOverhead = HEADER_SIZE + 4;
// Bytes one directory entry takes in Rreaddir: qid[13] offset[8] type[1] name[s].
inline constexpr std::size_t dirent_wire_size(std::size_t name_len) { return 13 + 8 + 1 + 2 + name_len; }

}  // namespace p9
