// Known deviations of third-party servers: conformance/deviations.md, read
// by the shared deviation-list reader (conformance/deviations/deviation_list.h)
// as rows of target | case | observed reply (prefix) | class | reason (class:
// a severity name, severity.h, or "none" where both answers are allowed). A listed case on
// its target reports "known deviation" when the observed reply starts with
// the listed text; any other difference fails, and a listed deviation that
// no longer happens fails too (so the list stays true).
// The list may also hold rule tables (deviations::kRuleHeader): a failed check
// of any case whose request and replies match a rule for the target is a
// known deviation too, counted by the rule's class; rules that match nothing
// in a run are reported as unused (not failed: a run may leave cases out).
#pragma once

#include <string>
#include <vector>

#include "conformance/deviations/deviation_list.h"

namespace p9::conformance {

// The observed text that means "this request kills the server": the case is
// not run on that target (it would end the whole run) and reports as a known
// deviation with the reason.
inline constexpr const char* kCrashesTheServer = "(crashes the server)";

struct Deviation {
  std::string target;    // the targets' deviation ids ("diod", "p9ref-posix", ...; deviations::names)
  std::string test;      // Suite.Case
  std::string observed;  // prefix of the actual reply as the check prints it
  std::string severity;  // severity_name() of its class, or "none"
  std::string reason;
};

// Loads the list (once). Returns false and sets *error on a malformed row.
bool load_deviations(const std::string& path, std::string* error);
const Deviation* find_deviation(const std::string& target, const std::string& test);
const std::vector<Deviation>& all_deviations();

// The first rule for `target` that matches the request and replies, marked
// as used; nullptr when none does.
const deviations::Rule* find_rule(const std::string& target, const deviations::RuleRequest& request,
                                  const std::string& reference_reply, const std::string& server_reply);
// The rules naming `target` that no find_rule call has matched.
std::vector<const deviations::Rule*> unused_rules(const std::string& target);

}  // namespace p9::conformance
