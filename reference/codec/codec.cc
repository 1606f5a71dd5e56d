#include "reference/codec/codec.h"

#include <cassert>
#include <cstring>
#include <limits>
#include <type_traits>

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

namespace {

// ---- reading: a cursor with a sticky error (decode everything, check once) ----
class Reader {
 public:
  Reader(const std::uint8_t* p, std::size_t len) : p_(p), len_(len) {}
  bool failed() const { return err_ != DecodeError::None; }
  std::size_t pos() const { return pos_; }
  std::size_t left() const { return len_ - pos_; }
  DecodeError error() const { return err_; }
  std::size_t error_pos() const { return err_pos_; }
  const std::string& detail() const { return detail_; }

  void fail(DecodeError e, std::string detail) {
    if (failed()) return;
    err_ = e;
    err_pos_ = pos_;
    detail_ = std::move(detail);
  }

  // Little-endian integers (intro(5): "all integers are little-endian").
  template <class T>
  T uint(const char* field) {
    static_assert(std::is_unsigned_v<T>);
    if (failed()) return 0;
    if (left() < sizeof(T)) {
      fail(DecodeError::Truncated, std::string(field) + ": needs " + std::to_string(sizeof(T)) + " bytes, " +
                                       std::to_string(left()) + " left");
      return 0;
    }
    T v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<T>(p_[pos_ + i]) << (8 * i));
    pos_ += sizeof(T);
    return v;
  }

  // n bytes copied out, checked against what is present before allocating.
  void bytes(std::size_t n, std::string& out, const char* field) {
    if (failed()) return;
    if (n > left()) {
      fail(DecodeError::Truncated, std::string(field) + ": length " + std::to_string(n) + " but " +
                                       std::to_string(left()) + " bytes left");
      return;
    }
    out.assign(reinterpret_cast<const char*>(p_ + pos_), n);
    pos_ += n;
  }

  Reader sub(std::size_t n) {  // a reader over the next n bytes (caller checked n <= left())
    Reader r(p_ + pos_, n);
    pos_ += n;
    return r;
  }

 private:
  const std::uint8_t* p_;
  std::size_t len_;
  std::size_t pos_ = 0;
  DecodeError err_ = DecodeError::None;
  std::size_t err_pos_ = 0;
  std::string detail_;
};

void read_qid(Reader& r, Qid& q, const char* field) {
  q.type = r.uint<std::uint8_t>(field);
  q.version = r.uint<std::uint32_t>(field);
  q.path = r.uint<std::uint64_t>(field);
}

void read_str(Reader& r, std::string& s, const char* field) {
  std::uint16_t n = r.uint<std::uint16_t>(field);
  r.bytes(n, s, field);
}

// One field of any kind. Kinds sharing a C++ type differ only in printing,
// except `data` (count[4]) versus `str` (size[2]).
template <class K>
void read_field(Reader& r, typename K::type& v, const char* field) {
  using T = typename K::type;
  if constexpr (std::is_same_v<K, kind::data>) {
    std::uint32_t n = r.uint<std::uint32_t>(field);
    r.bytes(n, v, field);
  } else if constexpr (std::is_same_v<T, std::string>) {
    read_str(r, v, field);
  } else if constexpr (std::is_unsigned_v<T>) {
    v = r.uint<T>(field);
  } else if constexpr (std::is_same_v<T, Qid>) {
    read_qid(r, v, field);
  } else if constexpr (std::is_same_v<K, kind::wnames>) {
    std::uint16_t n = r.uint<std::uint16_t>(field);
    if (n > MAXWELEM) {
      r.fail(DecodeError::TooManyWalkElements, std::string("nwname ") + std::to_string(n) + " > 16");
      return;
    }
    v.resize(n);
    for (auto& s : v) read_str(r, s, field);
  } else if constexpr (std::is_same_v<K, kind::wqids>) {
    std::uint16_t n = r.uint<std::uint16_t>(field);
    if (n > MAXWELEM) {
      r.fail(DecodeError::TooManyWalkElements, std::string("nwqid ") + std::to_string(n) + " > 16");
      return;
    }
    v.resize(n);
    for (auto& q : v) read_qid(r, q, field);
  } else if constexpr (std::is_same_v<K, kind::dirents>) {
    std::uint32_t n = r.uint<std::uint32_t>(field);
    if (r.failed()) return;
    if (n > r.left()) {
      r.fail(DecodeError::Truncated,
             std::string(field) + ": count " + std::to_string(n) + " but " + std::to_string(r.left()) + " bytes left");
      return;
    }
    Reader er = r.sub(n);
    while (!er.failed() && er.left() > 0) {  // each entry is materialised only after its bytes are seen
      Dirent d;
      read_qid(er, d.qid, "entry.qid");
      d.offset = er.uint<std::uint64_t>("entry.offset");
      d.type = er.uint<std::uint8_t>("entry.type");
      read_str(er, d.name, "entry.name");
      if (!er.failed()) v.push_back(std::move(d));
    }
    if (er.failed()) r.fail(er.error(), er.detail());
  } else {
    static_assert(sizeof(K) == 0, "field kind without a decoder");
  }
}

// ---- writing ----
struct Writer {
  std::vector<std::uint8_t>& out;
  bool ok = true;

  template <class T>
  void uint(T v) {
    for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void raw(const std::string& s) { out.insert(out.end(), s.begin(), s.end()); }
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
    w.raw(v);
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

// Builds a default message of the given type number (the variant alternative).
template <std::size_t I = 0>
bool make_message(std::uint8_t type, Message& out) {
  if constexpr (I + 1 >= std::variant_size_v<Message>) {
    return false;  // the monostate sentinel: unknown type
  } else {
    using M = std::variant_alternative_t<I, Message>;
    if (static_cast<std::uint8_t>(M::kType) == type) {
      out.emplace<I>();
      return true;
    }
    return make_message<I + 1>(type, out);
  }
}

}  // namespace

bool make_default_message(std::uint8_t type, Message& out) { return make_message(type, out); }

std::uint32_t frame_length(const std::uint8_t* data, std::size_t len, std::uint32_t msize, DecodeError* error) {
  *error = DecodeError::None;
  if (len < 4) return 0;
  std::uint32_t size = static_cast<std::uint32_t>(data[0]) | static_cast<std::uint32_t>(data[1]) << 8 |
                       static_cast<std::uint32_t>(data[2]) << 16 | static_cast<std::uint32_t>(data[3]) << 24;
  if (size < HEADER_SIZE) *error = DecodeError::TooShort;
  else if (size > msize) *error = DecodeError::TooLarge;
  return size;
}

Decoded decode(const std::uint8_t* data, std::size_t len, Expect expect, std::uint32_t msize) {
  Decoded d;
  Reader r(data, len);
  auto fail = [&](DecodeError e, std::size_t at, std::string detail) {
    d.error = e;
    d.error_offset = at;
    d.detail = std::move(detail);
    return d;
  };
  std::uint32_t size = r.uint<std::uint32_t>("size");
  if (r.failed()) return fail(DecodeError::TooShort, 0, "frame shorter than its 4-byte size field");
  if (size < HEADER_SIZE) return fail(DecodeError::TooShort, 0, "size " + std::to_string(size) + " < 7");
  if (size > msize)
    return fail(DecodeError::TooLarge, 0, "size " + std::to_string(size) + " > msize " + std::to_string(msize));
  if (size != len)
    return fail(DecodeError::SizeMismatch, 0,
                "size field " + std::to_string(size) + " but frame has " + std::to_string(len) + " bytes");
  d.type = r.uint<std::uint8_t>("type");
  d.tag = r.uint<std::uint16_t>("tag");
  d.frame.tag = d.tag;

  const MsgInfo* info = msg_info(d.type);
  if (!info) return fail(DecodeError::UnknownType, 4, "type " + std::to_string(d.type));
  if (expect == Expect::Request && !info->is_request)
    return fail(DecodeError::NotARequest, 4, std::string(info->name) + " sent as a request");
  if (expect == Expect::Reply && info->is_request)
    return fail(DecodeError::NotAReply, 4, std::string(info->name) + " sent as a reply");

  make_message(d.type, d.frame.body);
  std::visit(
      [&](auto& m) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(m)>, std::monostate>) {
          msg::visit_fields(m, [&](const char* name, auto& value, auto k) {
            read_field<decltype(k)>(r, value, name);
          });
        }
      },
      d.frame.body);
  if (r.failed()) {
    Decoded bad = fail(r.error(), r.error_pos(), std::string(info->name) + "." + r.detail());
    bad.frame = Frame{};
    return bad;
  }
  if (r.left() != 0) {
    std::size_t at = r.pos();
    Decoded bad = fail(DecodeError::TrailingBytes, at,
                       std::string(info->name) + ": " + std::to_string(len - at) + " bytes after the last field");
    bad.frame = Frame{};
    return bad;
  }
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

std::vector<std::uint8_t> encode(const Frame& frame) {
  std::vector<std::uint8_t> out;
  bool ok = encode_append(frame, out);
  assert(ok && "frame not representable on the wire");
  (void)ok;
  return out;
}

}  // namespace p9
