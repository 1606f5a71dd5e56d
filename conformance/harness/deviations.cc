#include "conformance/harness/deviations.h"

#include "conformance/deviations/deviation_list.h"
#include "conformance/harness/severity.h"

namespace p9::conformance {

namespace {
std::vector<Deviation> g_list;
std::vector<deviations::Rule> g_rules;
std::vector<bool> g_rule_used;
}  // namespace

bool load_deviations(const std::string& path, std::string* error) {
  g_list.clear();
  g_rules.clear();
  std::vector<deviations::Row> rows;
  if (!deviations::read_tables(
          path, {{"target", "case", "observed reply (prefix)", "class", "reason"}, deviations::kRuleHeader},
          &rows, error))
    return false;
  for (const deviations::Row& r : rows) {
    if (r.table == 1) {
      deviations::Rule rule;
      if (!deviations::parse_rule(path, r, &rule, error)) return false;
      g_rules.push_back(std::move(rule));
      continue;
    }
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

const deviations::Rule* find_rule(const std::string& target, const deviations::RuleRequest& request,
                                  const std::string& reference_reply, const std::string& server_reply) {
  g_rule_used.resize(g_rules.size());
  for (std::size_t k = 0; k < g_rules.size(); ++k)
    if (deviations::rule_matches(g_rules[k], target, request, reference_reply, server_reply)) {
      g_rule_used[k] = true;
      return &g_rules[k];
    }
  return nullptr;
}

std::vector<const deviations::Rule*> unused_rules(const std::string& target) {
  g_rule_used.resize(g_rules.size());
  std::vector<const deviations::Rule*> out;
  for (std::size_t k = 0; k < g_rules.size(); ++k)
    if (!g_rule_used[k] && deviations::names(g_rules[k].target, target)) out.push_back(&g_rules[k]);
  return out;
}

}  // namespace p9::conformance
