#include "conformance/deviations/deviation_list.h"

#include <fstream>

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
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read deviation list " + path;
    return false;
  }
  std::string line;
  int n = 0;
  bool in_table = false;  // the previous line was a line of a table
  bool headed = false;    // that table's header has been read
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
      if (cells != header) return fail("a table's header must be | " + join(header) + " |");
      continue;
    }
    if (!headed) {
      headed = true;
      if (is_rule(cells)) continue;
    }
    for (std::string& c : cells) c = unquote(c);
    bool complete = cells.size() == header.size();
    for (const std::string& c : cells) complete = complete && !c.empty();
    if (!complete)
      return fail("a row needs " + std::to_string(header.size()) + " non-empty cells: " + join(header));
    rows->push_back(Row{n, std::move(cells)});
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

}  // namespace p9::deviations
