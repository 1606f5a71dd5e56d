#include "traces/p9trace/trace.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "reference/codec/printer.h"

namespace p9::trace {

std::string Trace::meta_value(const std::string& key) const {
  for (const auto& [k, v] : meta)
    if (k == key) return v;
  return {};
}

std::string to_hex(const std::uint8_t* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    s[2 * i] = digits[p[i] >> 4];
    s[2 * i + 1] = digits[p[i] & 15];
  }
  return s;
}

static int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool from_hex(const std::string& s, std::vector<std::uint8_t>* out) {
  if (s.size() % 2) return false;
  out->resize(s.size() / 2);
  for (std::size_t i = 0; i < out->size(); ++i) {
    int a = nibble(s[2 * i]), b = nibble(s[2 * i + 1]);
    if (a < 0 || b < 0) return false;
    (*out)[i] = static_cast<std::uint8_t>(a << 4 | b);
  }
  return true;
}

std::string describe(const Decoded& d) {
  if (d.ok()) return to_string(d.frame);
  return std::string("undecodable: ") + to_string(d.error) + ": " + d.detail;
}

std::string format_record_line(int conn, bool from_client, double time, const std::uint8_t* p,
                               std::size_t n) {
  char head[64];
  std::snprintf(head, sizeof head, "%d %c %.6f ", conn, from_client ? 'C' : 'S', time);
  Decoded d = decode(p, n, from_client ? Expect::Request : Expect::Reply, 0xFFFFFFFFu);
  std::string printed = describe(d);
  for (char& c : printed)
    if (c == '\n' || c == '\r') c = ' ';
  return head + to_hex(p, n) + "  # " + printed;
}

std::vector<std::size_t> reply_index(const Trace& t) {
  std::vector<std::size_t> reply_of(t.records.size(), kNone);
  std::map<std::pair<int, std::uint16_t>, std::size_t> open;
  for (const Record& r : t.records) {
    if (r.bytes.size() < 7) continue;
    auto key = std::make_pair(r.conn, static_cast<std::uint16_t>(r.bytes[5] | r.bytes[6] << 8));
    if (r.from_client)
      open[key] = r.index;
    else if (auto it = open.find(key); it != open.end())
      reply_of[it->second] = r.index, open.erase(it);
  }
  return reply_of;
}

namespace {

bool ends_with(const std::string& s, const char* tail) {
  const std::size_t n = std::char_traits<char>::length(tail);
  return s.size() >= n && s.compare(s.size() - n, n, tail) == 0;
}

// The whole text of `path`; a name ending in .xz or .gz is decompressed by
// `xz -dc` / `gzip -dc` through popen(3) (the committed long traces are .xz).
bool slurp(const std::string& path, std::string* text, std::string* error) {
  const char* tool = ends_with(path, ".xz") ? "xz" : ends_with(path, ".gz") ? "gzip" : nullptr;
  if (!tool) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      *error = "cannot open " + path;
      return false;
    }
    std::ostringstream all;
    all << in.rdbuf();
    *text = all.str();
    return true;
  }
  if (!std::ifstream(path)) {
    *error = "cannot open " + path;
    return false;
  }
  std::string quoted = "'";  // the path in single quotes for sh, each ' as '\''
  for (char c : path) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  const std::string command = std::string(tool) + " -dc -- " + quoted;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) {
    *error = "cannot run " + command;
    return false;
  }
  char buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) text->append(buf, n);
  if (pclose(pipe) != 0) {
    *error = command + " failed";
    return false;
  }
  return true;
}

}  // namespace

bool read_trace(const std::string& path, Trace* out, std::string* error) {
  std::string text;
  if (!slurp(path, &text, error)) return false;
  std::istringstream in(text);
  std::string base = path.substr(path.find_last_of('/') + 1);
  for (const char* tail : {".xz", ".gz"})
    if (ends_with(base, tail)) base.resize(base.size() - std::char_traits<char>::length(tail));
  if (base.size() > 6 && ends_with(base, ".trace")) base.resize(base.size() - 6);
  out->name = base;
  std::string line;
  std::size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::size_t colon = line.find(": ");
      std::size_t start = line.find_first_not_of("# ");
      if (colon != std::string::npos && start != std::string::npos && start < colon &&
          line.find(' ', start) >= colon)
        out->meta.emplace_back(line.substr(start, colon - start), line.substr(colon + 2));
      continue;
    }
    std::istringstream ls(line);
    Record r;
    std::string dir, hex;
    if (!(ls >> r.conn >> dir >> r.time >> hex) || (dir != "C" && dir != "S") || !from_hex(hex, &r.bytes)) {
      *error = path + ":" + std::to_string(lineno) + ": not a frame line";
      return false;
    }
    r.from_client = dir == "C";
    r.index = out->records.size();
    r.decoded = decode(r.bytes, r.from_client ? Expect::Request : Expect::Reply, 0xFFFFFFFFu);
    out->records.push_back(std::move(r));
  }
  return true;
}

}  // namespace p9::trace
