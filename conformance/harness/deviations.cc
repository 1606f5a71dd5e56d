#include "conformance/harness/deviations.h"

#include <fstream>

namespace p9::conformance {

namespace {
std::vector<Deviation> g_list;

std::string trim(const std::string& s) {
  std::size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}
std::string unquote(std::string s) {  // cells may wrap text in `backticks`
  if (s.size() >= 2 && s.front() == '`' && s.back() == '`') s = s.substr(1, s.size() - 2);
  return s;
}
}  // namespace

bool load_deviations(const std::string& path, std::string* error) {
  g_list.clear();
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read deviation list " + path;
    return false;
  }
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] != '|') continue;
    std::vector<std::string> cells;
    std::size_t pos = 1;
    while (pos < line.size()) {
      std::size_t bar = line.find('|', pos);
      if (bar == std::string::npos) break;
      cells.push_back(trim(line.substr(pos, bar - pos)));
      pos = bar + 1;
    }
    // Header rows (first cell "target") and |---| rows of every table are skipped.
    if (!cells.empty() && (cells[0] == "target" || cells[0].find("---") != std::string::npos)) continue;
    if (cells.size() != 4 || cells[0].empty() || cells[1].empty() || cells[2].empty() || cells[3].empty()) {
      *error = path + ":" + std::to_string(n) +
               ": a row needs 4 non-empty cells: target | case | observed | reason";
      return false;
    }
    g_list.push_back(Deviation{cells[0], cells[1], unquote(cells[2]), cells[3]});
  }
  return true;
}

const Deviation* find_deviation(const std::string& target, const std::string& test) {
  for (const auto& d : g_list)
    if (d.target == target && d.test == test) return &d;
  return nullptr;
}

const std::vector<Deviation>& all_deviations() { return g_list; }

}  // namespace p9::conformance
