// What kind of difference a divergence is (for root-cause grouping and for
// reduce's "diverges the same way"), and messages as C++ literals (for the
// conformance case reduce writes).
#include <cstdio>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "conformance/diff/normalize.h"
#include "reference/codec/printer.h"
#include "spec/linux.h"
#include "traces/p9trace/replay.h"

namespace p9::trace {

namespace {

// A C++ string literal: the printer's quoting, with each \xNN escape ended
// ("" after it) so that a following hex digit is not read into it.
std::string quoted(std::string_view s) {
  std::string q = quote_bytes(std::string(s)), out;
  for (std::size_t k = 0; k < q.size(); ++k) {
    out += q[k];
    if (q[k] == '\\' && k + 1 < q.size()) {
      out += q[++k];
      if (q[k] == 'x' && k + 2 < q.size()) out += q.substr(k + 1, 2) + "\"\"", k += 2;
    }
  }
  return out;
}

std::string literal(const Qid& q) {
  return "Qid{" + std::to_string(q.type) + ", " + std::to_string(q.version) + ", " + std::to_string(q.path) +
         "}";
}

template <class T, class K>
std::string literal(const T& v, K) {
  if constexpr (std::is_same_v<K, kind::mode>) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0%ou", static_cast<unsigned>(v));
    return buf;
  } else if constexpr (std::is_same_v<K, kind::ecode>) {
    return std::string("static_cast<std::uint32_t>(Errno::") + (errno_name(v) ? errno_name(v) + 1 : "?") +
           ")";  // errno_name gives "EPERM"; Errno::PERM
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(v) + (std::is_same_v<T, std::uint64_t> ? "ull" : "u");
  } else if constexpr (std::is_same_v<T, std::string>) {
    return quoted(v);
  } else if constexpr (std::is_same_v<T, Data>) {
    return "std::string(" + quoted(v.sv()) + ", " + std::to_string(v.size()) + ")";
  } else if constexpr (std::is_same_v<T, Qid>) {
    return literal(v);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    std::string out = "std::vector<std::string>{";
    for (std::size_t k = 0; k < v.size(); ++k) out += (k ? ", " : "") + quoted(v[k]);
    return out + "}";
  } else if constexpr (std::is_same_v<T, std::vector<Qid>>) {
    std::string out = "std::vector<Qid>{";
    for (std::size_t k = 0; k < v.size(); ++k) out += (k ? ", " : "") + literal(v[k]);
    return out + "}";
  } else {  // directory entries: compared as sets by the replayer, not as literals
    return "/* " + std::to_string(v.size()) + " entries */";
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> field_literals(const Message& m) {
  std::vector<std::pair<std::string, std::string>> out;
  std::visit(
      [&](const auto& x) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(x)>, std::monostate>)
          msg::visit_fields(
              x, [&](const char* name, const auto& v, auto k) { out.emplace_back(name, literal(v, k)); });
      },
      m);
  return out;
}

std::string divergence_kind(const Trace& t, const Divergence& d) {
  const Record& q = t.records[d.req];
  std::string what = q.decoded.ok() ? msg_name(q.decoded.type) : "undecodable request";
  const Message* rec =
      d.reply != kNone && t.records[d.reply].decoded.ok() ? &t.records[d.reply].decoded.frame.body : nullptr;
  const Message* rep = d.actual ? &d.actual->body : nullptr;
  const std::string& why = d.reason;
  if (!rec || !rep) return what + ": " + why.substr(0, why.find(':'));
  if (why == "reply type differs")
    return what + ": " + msg_name(static_cast<std::uint8_t>(type_of(*rep))) + " instead of " +
           msg_name(static_cast<std::uint8_t>(type_of(*rec)));
  if (why == "errno differs") {
    auto name = [](const Message& m) {
      const char* n = errno_name(std::get<msg::Rlerror>(m).ecode);
      return std::string(n ? n : "?");
    };
    return what + ": errno " + name(*rep) + " instead of " + name(*rec);
  }
  if (why == "reply differs") {
    Message a = *rec, b = *rep;
    diff::normalise(a);
    diff::normalise(b);
    auto fa = field_literals(a), fb = field_literals(b);
    std::string fields;
    for (std::size_t k = 0; k < fa.size() && k < fb.size(); ++k)
      if (fa[k].second != fb[k].second) fields += (fields.empty() ? "" : ",") + fa[k].first;
    return what + ": reply differs in " + fields;
  }
  // The qid and listing explanations carry numbers and names: their first words.
  std::size_t cut = why.find_first_of(":0123456789");
  return what + ": " + why.substr(0, cut == std::string::npos ? why.size() : cut);
}

}  // namespace p9::trace
