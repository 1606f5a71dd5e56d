#include "reference/codec/printer.h"

#include <cstdio>
#include <cstring>
#include <ostream>
#include <type_traits>

namespace p9 {

namespace {

std::string hex(std::uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

std::string octal(std::uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0%llo", static_cast<unsigned long long>(v));
  return b;
}

constexpr std::size_t kMaxEntriesShown = 64;
constexpr std::size_t kMaxDataShown = 32;

}  // namespace

std::string format_data(const Data& v) {
  std::string shown = quote_bytes(v.substr(0, kMaxDataShown));
  return "<" + std::to_string(v.size()) + " bytes " + shown + (v.size() > kMaxDataShown ? "...>" : ">");
}

std::ostream& operator<<(std::ostream& os, const Data& d) { return os << format_data(d); }

std::string quote_bytes(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      o += static_cast<char>(c);
    } else {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", c);
      o += b;
    }
  }
  return o + "\"";
}

std::string format_bits(const char* set, std::uint64_t value, const char* prefix) {
  if (value == 0) return "0";
  std::string o;
  std::uint64_t rest = value;
  for (const auto& nv : kNamedValues) {
    // The cheap tests first: the set's name is compared only for a bit that is set.
    if (!nv.is_bit || nv.value == 0 || (rest & nv.value) != nv.value || std::strcmp(nv.set, set) != 0)
      continue;
    if (!o.empty()) o += '|';
    o += prefix;
    o += nv.name;
    rest &= ~nv.value;
  }
  if (rest) {
    if (!o.empty()) o += '|';
    o += hex(rest);
  }
  return o;
}

std::string format_enum(const char* set, std::uint64_t value, const char* prefix) {
  for (const auto& nv : kNamedValues)
    if (!nv.is_bit && nv.value == value && std::strcmp(nv.set, set) == 0)
      return std::string(prefix) + nv.name;
  return std::to_string(value);
}

std::string format_mode(std::uint32_t mode) {
  std::uint32_t type = mode & MODE_TYPE_MASK;
  std::string o;
  if (type) {
    std::string t = format_enum("file_type", type, "S_IF");
    o = (t[0] == 'S') ? t : octal(type);
    o += '|';
  }
  return o + octal(mode & ~MODE_TYPE_MASK);
}

std::string format_open_flags(std::uint32_t flags) {
  std::string o = format_enum("access", flags & ACCMODE, "O_");
  std::uint32_t rest = flags & ~static_cast<std::uint32_t>(ACCMODE);
  if (rest) o += "|" + format_bits("lopen", rest, "O_");
  return o;
}

std::string to_string(const Qid& q) {
  std::string t = q.type == QID_TYPE_FILE ? "FILE" : format_bits("qid_type", q.type);
  return "{" + t + " path=" + std::to_string(q.path) + " ver=" + std::to_string(q.version) + "}";
}

namespace {

std::string getattr_mask(std::uint64_t m) {
  if (m == GETATTR_ALL) return "ALL";
  if (m == GETATTR_BASIC) return "BASIC";
  return format_bits("getattr", m);
}

template <class K>
std::string field_text(const typename K::type& v) {
  if constexpr (std::is_same_v<K, kind::fid>) {
    return v == NOFID ? "NOFID" : std::to_string(v);
  } else if constexpr (std::is_same_v<K, kind::tag>) {
    return v == NOTAG ? "NOTAG" : std::to_string(v);
  } else if constexpr (std::is_same_v<K, kind::str>) {
    return quote_bytes(v);
  } else if constexpr (std::is_same_v<K, kind::data>) {
    return format_data(v);
  } else if constexpr (std::is_same_v<K, kind::qid>) {
    return to_string(v);
  } else if constexpr (std::is_same_v<K, kind::wnames>) {
    std::string o = "[";
    for (std::size_t i = 0; i < v.size(); ++i) o += (i ? "," : "") + quote_bytes(v[i]);
    return o + "]";
  } else if constexpr (std::is_same_v<K, kind::wqids>) {
    std::string o = "[";
    for (std::size_t i = 0; i < v.size(); ++i) o += (i ? "," : "") + to_string(v[i]);
    return o + "]";
  } else if constexpr (std::is_same_v<K, kind::dirents>) {
    std::string o = "[";
    for (std::size_t i = 0; i < v.size() && i < kMaxEntriesShown; ++i) {
      const Dirent& d = v[i];
      o += (i ? " " : "") + quote_bytes(d.name) + ":" + format_enum("dirent_type", d.type, "DT_") +
           "@" + std::to_string(d.offset) + to_string(d.qid);
    }
    if (v.size() > kMaxEntriesShown) o += " +" + std::to_string(v.size() - kMaxEntriesShown) + " more";
    return o + "]";
  } else if constexpr (std::is_same_v<K, kind::mode>) {
    return format_mode(v);
  } else if constexpr (std::is_same_v<K, kind::oflags>) {
    return format_open_flags(v);
  } else if constexpr (std::is_same_v<K, kind::gmask>) {
    return getattr_mask(v);
  } else if constexpr (std::is_same_v<K, kind::svalid>) {
    return format_bits("setattr", v);
  } else if constexpr (std::is_same_v<K, kind::ecode>) {
    const char* n = errno_name(v);
    return std::to_string(v) + " (" + (n ? n : "unknown errno") + ")";
  } else if constexpr (std::is_same_v<K, kind::ltype>) {
    return format_enum("lock_type", v, "");
  } else if constexpr (std::is_same_v<K, kind::lflags>) {
    return format_bits("lock_flags", v);
  } else if constexpr (std::is_same_v<K, kind::lstatus>) {
    return format_enum("lock_status", v, "");
  } else if constexpr (std::is_same_v<K, kind::atflags>) {
    return format_bits("at", v, "AT_");
  } else {
    static_assert(std::is_unsigned_v<typename K::type>, "field kind without a printer");
    return std::to_string(v);
  }
}

}  // namespace

std::string to_string(const Frame& frame) {
  std::string o;
  std::visit(
      [&](const auto& m) {
        if constexpr (std::is_same_v<std::decay_t<decltype(m)>, std::monostate>) {
          o = "(no message) tag=" + std::to_string(frame.tag);
        } else {
          o = m.kName;
          o += " tag=" + (frame.tag == NOTAG ? std::string("NOTAG") : std::to_string(frame.tag));
          msg::visit_fields(m, [&](const char* name, const auto& value, auto k) {
            o += ' ';
            o += name;
            o += '=';
            o += field_text<decltype(k)>(value);
          });
        }
      },
      frame.body);
  return o;
}

}  // namespace p9
