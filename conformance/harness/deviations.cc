#include "conformance/harness/deviations.h"

#include "conformance/deviations/deviation_list.h"
#include "conformance/harness/severity.h"

namespace p9::conformance {

namespace {
std::vector<Deviation> g_list;
}  // namespace

bool load_deviations(const std::string& path, std::string* error) {
  g_list.clear();
  std::vector<deviations::Row> rows;
  if (!deviations::read(path, {"target", "case", "observed reply (prefix)", "class", "reason"}, &rows, error))
    return false;
  for (const deviations::Row& r : rows) {
    Severity s;
    if (r.cells[3] != "none" && !parse_severity(r.cells[3], &s)) {
      *error = path + ":" + std::to_string(r.line) + ": class '" + r.cells[3] +
               "' is none of crash/hang, escape, data, Linux-visible, hostile-only, errno number only, none";
      return false;
    }
    g_list.push_back(Deviation{r.cells[0], r.cells[1], r.cells[2], r.cells[3], r.cells[4]});
  }
  return true;
}

const Deviation* find_deviation(const std::string& target, const std::string& test) {
  for (const auto& d : g_list)
    if (deviations::names(d.target, target) && d.test == test) return &d;
  return nullptr;
}

const std::vector<Deviation>& all_deviations() { return g_list; }

}  // namespace p9::conformance
