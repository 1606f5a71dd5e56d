// The 9P2000.L codec: frames <-> typed messages (spec/protocol.h), driven by
// the table in spec/messages.def. This is the one place bytes become messages.
//
// Decoder guarantees (tested one by one in codec_test.cc):
//  - never reads outside the buffer it is given;
//  - never allocates because of a length the peer claims: every string, data
//    or entry is checked against the bytes actually present before it is
//    copied, so memory use is bounded by the frame's own size (with
//    DataMode::View a data field is not copied at all: it views the frame);
//  - never throws or crashes: every malformed frame yields a DecodeError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
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

// Why a frame was rejected, kept as facts (which rule, which message and field,
// two numbers) rather than text: rejecting a frame allocates nothing and
// formats nothing (a fuzzer or a server fed garbage rejects millions of
// frames). The sentence is written only when someone reads it: str(),
// c_str(), `"text" + detail`, `os << detail`. Examples:
//   Twalk.wname[1]: length 65535 but 2 bytes left
//   Rreaddir.entries[0].name: needs 2 bytes, 1 left
//   size field 12 but frame has 11 bytes
class DecodeDetail {
 public:
  enum class Fact : std::uint8_t {
    None,
    NoSizeField,          // a = bytes present (< 4)
    SizeBelowHeader,      // a = size field
    SizeAboveMsize,       // a = size field, b = msize
    SizeMismatch,         // a = size field, b = bytes given
    UnknownType,          // a = type byte
    NotARequest,          // message() sent where a T-message was expected
    NotAReply,            // message() sent where an R-message was expected
    IntegerPastEnd,       // at(): a = integer width, b = bytes left
    LengthPastEnd,        // at(): a = claimed string/data length, b = bytes left
    CountPastEnd,         // at(): a = claimed entries byte count, b = bytes left
    TooManyWalkElements,  // at(): a = nwname or nwqid (> MAXWELEM)
    BytesAfterLastField,  // message(): a = bytes left over
  };

  DecodeDetail() = default;
  DecodeDetail(Fact fact, std::uint64_t a = 0, std::uint64_t b = 0) : fact_(fact), a_(a), b_(b) {}

  Fact fact() const { return fact_; }
  std::uint64_t a() const { return a_; }
  std::uint64_t b() const { return b_; }
  // Where the fault is: all point into the static spec tables (never freed).
  const char* message() const { return message_; }    // "Twalk", or nullptr before the type is known
  const char* field() const { return field_; }        // "wname", or nullptr
  std::uint32_t element() const { return element_; }  // 1 + index into a list field; 0 when none
  const char* part() const { return part_; }          // within a qid or entry: "path", "name"; or nullptr

  DecodeDetail& in_message(const char* message) {
    message_ = message;
    return *this;
  }
  DecodeDetail& at(const char* field, std::uint32_t element = 0, const char* part = nullptr) {
    field_ = field;
    element_ = element;
    part_ = part;
    return *this;
  }

  bool empty() const { return fact_ == Fact::None; }
  std::string str() const;  // formats the sentence (empty when there is no fault)
  // The sentence, formatted on first use and kept with this value. Like
  // std::string::c_str(), valid while the value lives and is not changed; the
  // first call on a value is not safe to race with another call on it.
  const char* c_str() const;

 private:
  Fact fact_ = Fact::None;
  std::uint32_t element_ = 0;
  const char* message_ = nullptr;
  const char* field_ = nullptr;
  const char* part_ = nullptr;
  std::uint64_t a_ = 0;
  std::uint64_t b_ = 0;
  mutable std::string text_;  // the c_str() cache; empty until asked
};
std::string operator+(const std::string& s, const DecodeDetail& d);
std::string operator+(std::string&& s, const DecodeDetail& d);
std::string operator+(const char* s, const DecodeDetail& d);
std::ostream& operator<<(std::ostream& os, const DecodeDetail& d);

// What a decoded `data` field (Twrite.data, Rread.data) holds: a copy of its
// bytes (the default: the message outlives the frame), or a view of them in
// the frame (Data::view; nothing is copied, the caller keeps the frame's bytes
// alive and unchanged while it uses the message — a server handling a request
// where the transport received it).
enum class DataMode : std::uint8_t { Copy, View };

struct Decoded {
  Frame frame;                      // valid when error == None
  DecodeError error = DecodeError::None;
  std::size_t error_offset = 0;     // byte offset in the frame where the fault was found
  std::uint8_t type = 0;            // the header's type byte (when the header was readable)
  std::uint16_t tag = 0;            // the header's tag (when readable): lets a server answer
  DecodeDetail detail;              // which field, which lengths (formatted when read)
  bool ok() const { return error == DecodeError::None; }
};

// Decodes one frame occupying exactly [data, data+len).
Decoded decode(const std::uint8_t* data, std::size_t len, Expect expect, std::uint32_t msize,
               DataMode mode = DataMode::Copy);
inline Decoded decode(const std::vector<std::uint8_t>& b, Expect expect, std::uint32_t msize,
                      DataMode mode = DataMode::Copy) {
  return decode(b.data(), b.size(), expect, msize, mode);
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

// A frame whose data field is filled in place, in the output buffer itself: a
// server reads a file straight into its Rread (no copy of the payload in user
// space). begin_data_frame() appends `frame`, whose last field must be data
// (Rread, Twrite) and is ignored, followed by `room` bytes for that field's
// bytes, and says where they are; the caller fills them (any pointer into out
// stays valid until out is changed again) and then calls end_data_frame() to
// make the data field the first n of them: count and size are set and out
// ends with the frame. Abandoning the frame is out.resize(slot.start).
struct DataSlot {
  std::size_t start = 0;    // offset of the frame in out
  std::size_t payload = 0;  // offset of the data field's bytes in out
  std::uint32_t room = 0;   // bytes reserved there
};
// False (out unchanged) when the frame is not representable or its last
// field is not data.
bool begin_data_frame(const Frame& frame, std::uint32_t room, std::vector<std::uint8_t>& out, DataSlot* slot);
void end_data_frame(const DataSlot& slot, std::uint32_t n, std::vector<std::uint8_t>& out);  // n <= slot.room

// A default-valued message of the given type number (false for an unknown type).
bool make_default_message(std::uint8_t type, Message& out);

// Size an Rread/Rreaddir/Twrite frame has around its payload: header + count[4].
inline constexpr std::uint32_t kDataFrameOverhead = HEADER_SIZE + 4;
// Bytes one directory entry takes in Rreaddir: qid[13] offset[8] type[1] name[s].
inline constexpr std::size_t dirent_wire_size(std::size_t name_len) { return 13 + 8 + 1 + 2 + name_len; }

}  // namespace p9
