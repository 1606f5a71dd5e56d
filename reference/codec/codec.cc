#include "reference/codec/codec.h"

#include <cassert>
#include <cstring>
#include <limits>
#include <ostream>
#include <type_traits>
#include <utility>

namespace p9 {

const char* to_string(DecodeError e) {
  switch (e) {
    case DecodeError::None: return "ok";
    case DecodeError::TooShort: return "size field below the 7-byte header";
    case DecodeError::TooLarge: return "size field above msize";
    case DecodeError::SizeMismatch: return "size field differs from the frame's length";
    case DecodeError::TrailingBytes: return "bytes left over after the last field";
    case DecodeError::Truncated: return "field runs past the end of the frame";
    case DecodeError::TooManyWalkElements: return "more than 16 walk elements";
    case DecodeError::UnknownType: return "unknown message type";
    case DecodeError::NotARequest: return "R-message where a T-message was expected";
    case DecodeError::NotAReply: return "T-message where an R-message was expected";
  }
  return "?";
}

std::string DecodeDetail::str() const {
  if (fact_ == Fact::None) return {};
  auto n = [](std::uint64_t v) { return std::to_string(v); };
  auto bytes = [&n](std::uint64_t v) { return n(v) + (v == 1 ? " byte" : " bytes"); };
  std::string where;  // Message.field[element].part
  if (message_) where = message_;
  if (field_) {
    if (!where.empty()) where += '.';
    where += field_;
  }
  if (element_) where += "[" + n(element_ - 1) + "]";
  if (part_) {
    where += '.';
    where += part_;
  }
  switch (fact_) {
    case Fact::None: break;
    case Fact::NoSizeField: return "frame of " + bytes(a_) + " is shorter than its 4-byte size field";
    case Fact::SizeBelowHeader: return "size field " + n(a_) + " < 7, the size of the header alone";
    case Fact::SizeAboveMsize: return "size field " + n(a_) + " > msize " + n(b_);
    case Fact::SizeMismatch: return "size field " + n(a_) + " but frame has " + bytes(b_);
    case Fact::UnknownType: return "type " + n(a_) + " is not a 9P2000.L message";
    case Fact::NotARequest: return where + " sent as a request";
    case Fact::NotAReply: return where + " sent as a reply";
    case Fact::IntegerPastEnd: return where + ": needs " + bytes(a_) + ", " + n(b_) + " left";
    case Fact::LengthPastEnd: return where + ": length " + n(a_) + " but " + bytes(b_) + " left";
    case Fact::CountPastEnd: return where + ": count " + n(a_) + " but " + bytes(b_) + " left";
    case Fact::TooManyWalkElements: return where + ": " + n(a_) + " elements > MAXWELEM (16)";
    case Fact::BytesAfterLastField: return where + ": " + bytes(a_) + " after the last field";
  }
  return {};
}

const char* DecodeDetail::c_str() const {
  if (text_.empty()) text_ = str();
  return text_.c_str();
}

std::string operator+(const std::string& s, const DecodeDetail& d) { return s + d.str(); }
std::string operator+(std::string&& s, const DecodeDetail& d) { return std::move(s) + d.str(); }
std::string operator+(const char* s, const DecodeDetail& d) { return s + d.str(); }
std::ostream& operator<<(std::ostream& os, const DecodeDetail& d) { return os << d.str(); }

namespace {

using Fact = DecodeDetail::Fact;

// Where a value sits: the spec's field name, the element of a list field
// (1-based; 0 for none) and the part of a qid or directory entry.
struct Where {
  const char* field;
  std::uint32_t element = 0;
  const char* part = nullptr;
};

// ---- reading: a cursor with a sticky error (decode everything, check once) ----
// A fault is recorded as facts (no allocation); offsets are absolute in the frame.
class Reader {
 public:
  Reader(const std::uint8_t* p, std::size_t len, std::size_t base = 0, DataMode mode = DataMode::Copy)
      : p_(p), len_(len), base_(base), mode_(mode) {}
  bool failed() const { return err_ != DecodeError::None; }
  std::size_t pos() const { return pos_; }
  std::size_t left() const { return len_ - pos_; }
  DecodeError error() const { return err_; }
  std::size_t error_pos() const { return err_pos_; }
  const DecodeDetail& fault() const { return fault_; }

  void fail(DecodeError e, Fact fact, Where w, std::uint64_t a = 0, std::uint64_t b = 0) {
    if (failed()) return;
    err_ = e;
    err_pos_ = base_ + pos_;
    fault_ = DecodeDetail(fact, a, b);
    fault_.at(w.field, w.element, w.part);
  }
  void adopt(const Reader& inner) {  // the fault of a sub-reader, if any, becomes this one's
    if (failed() || !inner.failed()) return;
    err_ = inner.err_;
    err_pos_ = inner.err_pos_;
    fault_ = inner.fault_;
  }

  // Little-endian integers (intro(5): "all integers are little-endian").
  template <class T>
  T uint(Where w) {
    static_assert(std::is_unsigned_v<T>);
    if (failed()) return 0;
    if (left() < sizeof(T)) {
      fail(DecodeError::Truncated, Fact::IntegerPastEnd, w, sizeof(T), left());
      return 0;
    }
    T v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<T>(p_[pos_ + i]) << (8 * i));
    pos_ += sizeof(T);
    return v;
  }

  // n bytes copied out, checked against what is present before allocating.
  void bytes(std::size_t n, std::string& out, Where w) {
    if (failed()) return;
    if (n > left()) {
      fail(DecodeError::Truncated, Fact::LengthPastEnd, w, n, left());
      return;
    }
    out.assign(reinterpret_cast<const char*>(p_ + pos_), n);
    pos_ += n;
  }

  // n bytes of a data field: copied out, or viewed where they are (DataMode::View).
  void data(std::size_t n, Data& out, Where w) {
    if (failed()) return;
    if (n > left()) {
      fail(DecodeError::Truncated, Fact::LengthPastEnd, w, n, left());
      return;
    }
    if (mode_ == DataMode::View)
      out = Data::view(p_ + pos_, n);
    else
      out = Data(std::string(reinterpret_cast<const char*>(p_ + pos_), n));
    pos_ += n;
  }

  Reader sub(std::size_t n) {  // a reader over the next n bytes (caller checked n <= left())
    Reader r(p_ + pos_, n, base_ + pos_, mode_);
    pos_ += n;
    return r;
  }

 private:
  const std::uint8_t* p_;
  std::size_t len_;
  std::size_t base_;  // offset of p_ in the frame
  DataMode mode_;
  std::size_t pos_ = 0;
  DecodeError err_ = DecodeError::None;
  std::size_t err_pos_ = 0;
  DecodeDetail fault_;
};

// A qid's parts are named unless the caller names the qid as a part itself
// (a directory entry's "qid").
void read_qid(Reader& r, Qid& q, Where w) {
  auto part = [&](const char* name) { return Where{w.field, w.element, w.part ? w.part : name}; };
  q.type = r.uint<std::uint8_t>(part("type"));
  q.version = r.uint<std::uint32_t>(part("version"));
  q.path = r.uint<std::uint64_t>(part("path"));
}

void read_str(Reader& r, std::string& s, Where w) {
  std::uint16_t n = r.uint<std::uint16_t>(w);
  r.bytes(n, s, w);
}

// One field of any kind. Kinds sharing a C++ type differ only in printing,
// except `data` (count[4]) versus `str` (size[2]).
template <class K>
void read_field(Reader& r, typename K::type& v, const char* field) {
  using T = typename K::type;
  const Where w{field};
  if constexpr (std::is_same_v<K, kind::data>) {
    std::uint32_t n = r.uint<std::uint32_t>(w);
    r.data(n, v, w);
  } else if constexpr (std::is_same_v<T, std::string>) {
    read_str(r, v, w);
  } else if constexpr (std::is_unsigned_v<T>) {
    v = r.uint<T>(w);
  } else if constexpr (std::is_same_v<T, Qid>) {
    read_qid(r, v, w);
  } else if constexpr (std::is_same_v<K, kind::wnames> || std::is_same_v<K, kind::wqids>) {
    std::uint16_t n = r.uint<std::uint16_t>(w);  // nwname / nwqid
    if (r.failed()) return;
    if (n > MAXWELEM) {
      r.fail(DecodeError::TooManyWalkElements, Fact::TooManyWalkElements, w, n);
      return;
    }
    v.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<K, kind::wnames>)
        read_str(r, v[i], Where{field, i + 1});
      else
        read_qid(r, v[i], Where{field, i + 1});
    }
  } else if constexpr (std::is_same_v<K, kind::dirents>) {
    std::uint32_t n = r.uint<std::uint32_t>(w);
    if (r.failed()) return;
    if (n > r.left()) {
      r.fail(DecodeError::Truncated, Fact::CountPastEnd, w, n, r.left());
      return;
    }
    Reader er = r.sub(n);
    for (std::uint32_t i = 1; !er.failed() && er.left() > 0; ++i) {  // an entry is kept only once all its bytes are seen
      Dirent d;
      read_qid(er, d.qid, Where{field, i, "qid"});
      d.offset = er.uint<std::uint64_t>(Where{field, i, "offset"});
      d.type = er.uint<std::uint8_t>(Where{field, i, "type"});
      read_str(er, d.name, Where{field, i, "name"});
      if (!er.failed()) v.push_back(std::move(d));
    }
    r.adopt(er);
  } else {
    static_assert(sizeof(K) == 0, "field kind without a decoder");
  }
}

template <class M>
void read_body(Reader& r, M& m) {
  msg::visit_fields(m, [&](const char* name, auto& value, auto k) { read_field<decltype(k)>(r, value, name); });
}

// ---- writing ----
struct Writer {
  std::vector<std::uint8_t>& out;
  bool ok = true;

  template <class T>
  void uint(T v) {
    for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void raw(std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }
  void str(const std::string& s) {
    if (s.size() > 0xFFFF) {
      ok = false;
      return;
    }
    uint<std::uint16_t>(static_cast<std::uint16_t>(s.size()));
    raw(s);
  }
  void qid(const Qid& q) {
    uint(q.type);
    uint(q.version);
    uint(q.path);
  }
  void put_u32_at(std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
};

template <class K>
void write_field(Writer& w, const typename K::type& v) {
  using T = typename K::type;
  if constexpr (std::is_same_v<K, kind::data>) {
    if (v.size() > std::numeric_limits<std::uint32_t>::max()) {
      w.ok = false;
      return;
    }
    w.uint(static_cast<std::uint32_t>(v.size()));
    w.raw(v.sv());
  } else if constexpr (std::is_same_v<T, std::string>) {
    w.str(v);
  } else if constexpr (std::is_unsigned_v<T>) {
    w.uint(v);
  } else if constexpr (std::is_same_v<T, Qid>) {
    w.qid(v);
  } else if constexpr (std::is_same_v<K, kind::wnames> || std::is_same_v<K, kind::wqids>) {
    if (v.size() > 0xFFFF) {
      w.ok = false;
      return;
    }
    w.uint(static_cast<std::uint16_t>(v.size()));
    for (const auto& e : v) {
      if constexpr (std::is_same_v<K, kind::wnames>)
        w.str(e);
      else
        w.qid(e);
    }
  } else if constexpr (std::is_same_v<K, kind::dirents>) {
    std::size_t count_at = w.out.size();
    w.uint<std::uint32_t>(0);
    for (const auto& d : v) {
      w.qid(d.qid);
      w.uint(d.offset);
      w.uint(d.type);
      w.str(d.name);
    }
    std::size_t n = w.out.size() - count_at - 4;
    if (n > std::numeric_limits<std::uint32_t>::max()) {
      w.ok = false;
      return;
    }
    w.put_u32_at(count_at, static_cast<std::uint32_t>(n));
  } else {
    static_assert(sizeof(K) == 0, "field kind without an encoder");
  }
}

}  // namespace

bool make_default_message(std::uint8_t type, Message& out) {
  switch (type) {  // one jump, generated from the table
#define P9_FIELD(KIND, NAME)
#define P9_MESSAGE(NAME, NUM, FIELDS) \
  case NUM: out.emplace<msg::NAME>(); return true;
#include "spec/messages.def"
#undef P9_MESSAGE
#undef P9_FIELD
    default: return false;
  }
}

std::uint32_t frame_length(const std::uint8_t* data, std::size_t len, std::uint32_t msize, DecodeError* error) {
  *error = DecodeError::None;
  if (len < 4) return 0;
  std::uint32_t size = static_cast<std::uint32_t>(data[0]) | static_cast<std::uint32_t>(data[1]) << 8 |
                       static_cast<std::uint32_t>(data[2]) << 16 | static_cast<std::uint32_t>(data[3]) << 24;
  if (size < HEADER_SIZE) *error = DecodeError::TooShort;
  else if (size > msize) *error = DecodeError::TooLarge;
  return size;
}

// Every path returns the one local `d` (no copy of the frame); a rejection
// stores facts only, so rejecting a frame allocates nothing.
Decoded decode(const std::uint8_t* data, std::size_t len, Expect expect, std::uint32_t msize, DataMode mode) {
  Decoded d;
  auto reject = [&d](DecodeError e, std::size_t at, const DecodeDetail& why) {
    d.error = e;
    d.error_offset = at;
    d.detail = why;
  };
  Reader r(data, len, 0, mode);
  std::uint32_t size = r.uint<std::uint32_t>(Where{"size"});
  if (r.failed()) {
    reject(DecodeError::TooShort, 0, DecodeDetail(Fact::NoSizeField, len));
  } else if (size < HEADER_SIZE) {
    reject(DecodeError::TooShort, 0, DecodeDetail(Fact::SizeBelowHeader, size));
  } else if (size > msize) {
    reject(DecodeError::TooLarge, 0, DecodeDetail(Fact::SizeAboveMsize, size, msize));
  } else if (size != len) {
    reject(DecodeError::SizeMismatch, 0, DecodeDetail(Fact::SizeMismatch, size, len));
  }
  if (!d.ok()) return d;
  d.type = r.uint<std::uint8_t>(Where{"type"});
  d.tag = r.uint<std::uint16_t>(Where{"tag"});
  d.frame.tag = d.tag;

  const MsgInfo* info = msg_info(d.type);
  if (!info) {
    reject(DecodeError::UnknownType, 4, DecodeDetail(Fact::UnknownType, d.type));
    return d;
  }
  if (expect == Expect::Request && !info->is_request) {
    reject(DecodeError::NotARequest, 4, DecodeDetail(Fact::NotARequest).in_message(info->name));
    return d;
  }
  if (expect == Expect::Reply && info->is_request) {
    reject(DecodeError::NotAReply, 4, DecodeDetail(Fact::NotAReply).in_message(info->name));
    return d;
  }

  switch (d.type) {  // one jump to the message's field list, generated from the table
#define P9_FIELD(KIND, NAME)
#define P9_MESSAGE(NAME, NUM, FIELDS) \
  case NUM: read_body(r, d.frame.body.emplace<msg::NAME>()); break;
#include "spec/messages.def"
#undef P9_MESSAGE
#undef P9_FIELD
    default: break;  // not reached: msg_info knows exactly these types
  }
  if (r.failed()) {
    DecodeDetail why = r.fault();
    reject(r.error(), r.error_pos(), why.in_message(info->name));
  } else if (r.left() != 0) {
    reject(DecodeError::TrailingBytes, r.pos(), DecodeDetail(Fact::BytesAfterLastField, r.left()).in_message(info->name));
  }
  if (!d.ok()) d.frame = Frame{};  // no half-decoded message leaves the decoder
  return d;
}

bool encode_append(const Frame& frame, std::vector<std::uint8_t>& out) {
  if (std::holds_alternative<std::monostate>(frame.body)) return false;
  std::size_t start = out.size();
  Writer w{out};
  w.uint<std::uint32_t>(0);  // size, patched below
  w.uint(static_cast<std::uint8_t>(type_of(frame.body)));
  w.uint(frame.tag);
  std::visit(
      [&](const auto& m) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(m)>, std::monostate>) {
          msg::visit_fields(m, [&](const char*, const auto& value, auto k) { write_field<decltype(k)>(w, value); });
        }
      },
      frame.body);
  std::size_t size = out.size() - start;
  if (!w.ok || size > std::numeric_limits<std::uint32_t>::max()) {
    out.resize(start);
    return false;
  }
  w.put_u32_at(start, static_cast<std::uint32_t>(size));
  return true;
}

namespace {
// True when the message's last field is of kind data (Rread, Twrite).
bool ends_with_data(const Message& body) {
  return std::visit(
      [](const auto& m) {
        bool last_is_data = false;
        if constexpr (!std::is_same_v<std::decay_t<decltype(m)>, std::monostate>) {
          msg::visit_fields(m, [&](const char*, const auto&, auto k) {
            last_is_data = std::is_same_v<decltype(k), kind::data>;
          });
        }
        return last_is_data;
      },
      body);
}

void put_u32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
}  // namespace

bool begin_data_frame(const Frame& frame, std::uint32_t room, std::vector<std::uint8_t>& out,
                      DataSlot* slot) {
  if (!ends_with_data(frame.body)) return false;
  std::size_t start = out.size();
  if (!encode_append(frame, out)) return false;
  // The frame ends with its data field; only its count[4] is kept, the bytes
  // (if the caller gave any) make room for the payload.
  std::size_t given = 0;
  std::visit(
      [&](const auto& m) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(m)>, std::monostate>) {
          msg::visit_fields(m, [&](const char*, const auto& v, auto k) {
            if constexpr (std::is_same_v<decltype(k), kind::data>) given = v.size();
          });
        }
      },
      frame.body);
  std::size_t payload = out.size() - given;
  if (payload - start + room > std::numeric_limits<std::uint32_t>::max()) {
    out.resize(start);
    return false;
  }
  out.resize(payload + room);
  *slot = DataSlot{start, payload, room};
  return true;
}

void end_data_frame(const DataSlot& slot, std::uint32_t n, std::vector<std::uint8_t>& out) {
  assert(n <= slot.room && out.size() >= slot.payload + slot.room);
  put_u32(out.data() + slot.payload - 4, n);
  put_u32(out.data() + slot.start, static_cast<std::uint32_t>(slot.payload + n - slot.start));
  out.resize(slot.payload + n);
}

std::vector<std::uint8_t> encode(const Frame& frame) {
  std::vector<std::uint8_t> out;
  bool ok = encode_append(frame, out);
  assert(ok && "frame not representable on the wire");
  (void)ok;
  return out;
}

}  // namespace p9
