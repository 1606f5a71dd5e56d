#include "conformance/deviations/deviation_list.h"

#include <fstream>

#include "conformance/harness/severity.h"
#include "spec/linux.h"
#include "spec/protocol.h"

namespace p9::deviations {

namespace {

std::string trim(const std::string& s) {
  std::size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::string unquote(std::string s) {  // cells may wrap text in `backticks`
  if (s.size() >= 2 && s.front() == '`' && s.back() == '`') s = s.substr(1, s.size() - 2);
  return s;
}

// The cells of a table line "| a | b |" (trimmed, not unquoted).
std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> cells;
  std::size_t pos = 1;
  while (pos < line.size()) {
    std::size_t bar = line.find('|', pos);
    if (bar == std::string::npos) break;
    cells.push_back(trim(line.substr(pos, bar - pos)));
    pos = bar + 1;
  }
  return cells;
}

bool is_rule(const std::vector<std::string>& cells) {  // |---|:--:| under a header
  for (const std::string& c : cells)
    if (c.empty() || c.find_first_not_of("-:") != std::string::npos) return false;
  return !cells.empty();
}

std::string join(const std::vector<std::string>& v) {
  std::string o;
  for (const std::string& s : v) o += (o.empty() ? "" : " | ") + s;
  return o;
}

bool matches(const std::string& pattern, const std::string& id) {
  if (!pattern.empty() && pattern.back() == '*')
    return id.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  return pattern == id;
}

}  // namespace

bool read(const std::string& path, const std::vector<std::string>& header, std::vector<Row>* rows,
          std::string* error) {
  return read_tables(path, {header}, rows, error);
}

bool read_tables(const std::string& path, const std::vector<std::vector<std::string>>& headers,
                 std::vector<Row>* rows, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read deviation list " + path;
    return false;
  }
  std::string line;
  int n = 0;
  bool in_table = false;  // the previous line was a line of a table
  bool headed = false;    // that table's header has been read
  int table = 0;          // which header it has
  while (std::getline(in, line)) {
    ++n;
    auto fail = [&](const std::string& what) {
      *error = path + ":" + std::to_string(n) + ": " + what;
      return false;
    };
    if (line.empty() || line[0] != '|') {
      in_table = headed = false;
      continue;
    }
    std::vector<std::string> cells = cells_of(line);
    if (!in_table) {  // a table starts with its header
      in_table = true;
      table = -1;
      for (std::size_t k = 0; k < headers.size() && table < 0; ++k)
        if (cells == headers[k]) table = static_cast<int>(k);
      if (table < 0) {
        std::string want;
        for (const auto& h : headers) want += (want.empty() ? "| " : " or | ") + join(h) + " |";
        return fail("a table's header must be " + want);
      }
      continue;
    }
    if (!headed) {
      headed = true;
      if (is_rule(cells)) continue;
    }
    const std::vector<std::string>& header = headers[static_cast<std::size_t>(table)];
    for (std::string& c : cells) c = unquote(c);
    bool complete = cells.size() == header.size();
    for (const std::string& c : cells) complete = complete && !c.empty();
    if (!complete)
      return fail("a row needs " + std::to_string(header.size()) + " non-empty cells: " + join(header));
    rows->push_back(Row{n, std::move(cells), table});
  }
  return true;
}

bool names(const std::string& cell, const std::string& id) {
  std::size_t pos = 0;
  while (pos <= cell.size()) {
    std::size_t comma = cell.find(',', pos);
    if (comma == std::string::npos) comma = cell.size();
    if (matches(trim(cell.substr(pos, comma - pos)), id)) return true;
    pos = comma + 1;
  }
  return false;
}

const std::vector<std::string> kRuleHeader = {"target",       "request", "reference reply",
                                              "server reply", "class",   "reason"};
const std::vector<std::string> kQualifiers = {"stale-fid"};

namespace {

// The pieces of a cell separated by commas, trimmed.
std::vector<std::string> split_commas(const std::string& cell) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= cell.size()) {
    std::size_t comma = cell.find(',', pos);
    if (comma == std::string::npos) comma = cell.size();
    out.push_back(trim(cell.substr(pos, comma - pos)));
    pos = comma + 1;
  }
  return out;
}

// The message type named `name` (spec/messages.def), or nullptr.
const MsgInfo* message_named(const std::string& name) {
  for (int t = 0; t < 256; ++t)
    if (const MsgInfo* m = msg_info(static_cast<std::uint8_t>(t)); m && name == m->name) return m;
  return nullptr;
}

bool errno_named(const std::string& name) {
  for (std::uint32_t e = 1; e < 4096; ++e)
    if (const char* n = errno_name(e); n && name == n) return true;
  return false;
}

// "" when `p` is a reply pattern, else what is wrong with it.
std::string check_reply_pattern(const std::string& p) {
  if (p == "*" || p == "no reply") return {};
  const std::size_t space = p.find(' ');
  const std::string type = p.substr(0, space), rest = space == std::string::npos ? "" : trim(p.substr(space));
  const MsgInfo* m = message_named(type);
  if (!m || m->is_request)
    return "'" + type + "' is no reply type (a pattern is *, no reply, Rname, Rlerror ENAME)";
  if (rest.empty() || rest == "*") return {};
  if (type != "Rlerror") return "'" + p + "': only Rlerror takes more than its type (an errno name)";
  if (!errno_named(rest)) return "'" + rest + "' is no errno name";
  return {};
}

bool reply_matches(const std::string& pattern, const std::string& reply) {
  if (pattern == "no reply") return reply.empty();
  if (reply.empty()) return false;
  if (pattern == "*") return true;
  const std::size_t space = pattern.find(' ');
  const std::string type = pattern.substr(0, space),
                    rest = space == std::string::npos ? "" : trim(pattern.substr(space));
  const std::string reply_type = reply.substr(0, reply.find(' '));
  if (type != reply_type) return false;
  return rest.empty() || rest == "*" || reply == pattern;
}

bool any_matches(const std::vector<std::string>& patterns, const std::string& reply) {
  for (const std::string& p : patterns)
    if (reply_matches(p, reply)) return true;
  return false;
}

}  // namespace

std::string Rule::text() const {
  std::string o = target + " | " + request + " | ";
  for (std::size_t k = 0; k < reference.size(); ++k) o += (k ? ", " : "") + reference[k];
  o += " | ";
  for (std::size_t k = 0; k < server.size(); ++k) o += (k ? ", " : "") + server[k];
  return o + " | " + severity;
}

bool parse_rule(const std::string& path, const Row& row, Rule* out, std::string* error) {
  auto fail = [&](const std::string& what) {
    *error = path + ":" + std::to_string(row.line) + ": " + what;
    return false;
  };
  if (row.cells.size() != kRuleHeader.size())
    return fail("a rule needs " + std::to_string(kRuleHeader.size()) + " cells: " + join(kRuleHeader));
  Rule r;
  r.file = path;
  r.line = row.line;
  r.target = row.cells[0];
  r.request = row.cells[1];
  const std::size_t space = r.request.find(' ');
  r.type = r.request.substr(0, space);
  r.qualifier = space == std::string::npos ? "" : trim(r.request.substr(space));
  if (r.type != "*") {
    const MsgInfo* m = message_named(r.type);
    if (!m || !m->is_request)
      return fail("request '" + r.type + "' is no request type (Twalk, Tgetattr, ... or *)");
  }
  if (!r.qualifier.empty()) {
    bool known = false;
    for (const std::string& q : kQualifiers) known = known || q == r.qualifier;
    if (!known) {
      std::string list;
      for (const std::string& q : kQualifiers) list += (list.empty() ? "" : ", ") + q;
      return fail("unknown qualifier '" + r.qualifier + "' after " + r.type + " (known: " + list + ")");
    }
  }
  r.reference = split_commas(row.cells[2]);
  r.server = split_commas(row.cells[3]);
  for (const auto* side : {&r.reference, &r.server})
    for (const std::string& p : *side)
      if (std::string why = check_reply_pattern(p); !why.empty())
        return fail(std::string(side == &r.reference ? "reference" : "server") + " reply: " + why);
  conformance::Severity sev;
  if (!conformance::parse_severity(row.cells[4], &sev))
    return fail("class '" + row.cells[4] +
                "' is none of crash/hang, escape, data, Linux-visible, hostile-only, errno number only");
  r.severity = row.cells[4];
  r.reason = row.cells[5];
  *out = std::move(r);
  return true;
}

std::string reply_text(std::uint8_t type, std::uint32_t ecode) {
  if (type == 0) return {};
  if (type == static_cast<std::uint8_t>(MsgType::Rlerror)) {
    const char* n = errno_name(ecode);
    return "Rlerror " + (n ? std::string(n) : std::to_string(ecode));
  }
  const char* n = msg_name(type);
  return n ? n : "R" + std::to_string(type);
}

bool rule_matches(const Rule& rule, const std::string& target_id, const RuleRequest& request,
                  const std::string& reference_reply, const std::string& server_reply) {
  if (!names(rule.target, target_id)) return false;
  if (rule.type != "*" && rule.type != request.type) return false;
  if (!rule.qualifier.empty()) {
    bool holds = false;
    for (const std::string& q : request.qualifiers) holds = holds || q == rule.qualifier;
    if (!holds) return false;
  }
  return any_matches(rule.reference, reference_reply) && any_matches(rule.server, server_reply);
}

}  // namespace p9::deviations
