// How bad a finding is: the class every failure and every known deviation
// carries, the verdict (the worst class present, deviations included), and
// the root cause failures are grouped by.
#pragma once

#include <string>
#include <vector>

namespace p9::conformance {

// Most severe first; the order is the verdict's.
enum class Severity {
  Crash,    // the server died, hung, or never answers a request type
  Escape,   // access outside the export or beyond the attached user's rights
  Data,     // contents or metadata lost or wrong
  Linux,    // a Linux guest would see it (a request Linux sends fails or succeeds wrongly)
  Hostile,  // only for requests Linux never sends
  Errno,    // both refuse; only the errno number differs
};
inline constexpr Severity kSeverities[] = {Severity::Crash, Severity::Escape,  Severity::Data,
                                           Severity::Linux, Severity::Hostile, Severity::Errno};

// "crash/hang", "escape", "data", "Linux-visible", "hostile-only", "errno number only".
const char* severity_name(Severity s);
// The name (as severity_name) back; false when it is none of them.
bool parse_severity(const std::string& name, Severity* out);
// True for the classes that make a server NOT CONFORMANT even as known deviations.
bool severity_breaks_conformance(Severity s);

// The class of a failing case, from the messages of its failed checks (as
// Case::mismatch and the harness write them) and the case's name:
//   - the server died, or a reply never came           crash/hang
//   - an escape case (escape_case) let through what it must refuse: escape
//   - both replies refuse, with different numbers       errno number only
//   - a hostile case (hostile_case)                     hostile-only
//   - a value (contents, listing, attribute) differs    data
//   - otherwise (a request succeeds or fails wrongly)   Linux-visible
Severity classify_failure(const std::string& case_name, const std::vector<std::string>& messages);

// The root cause of a failing case: the request type of its first failed
// check of its class (classify_failure) and the reply pattern it got ("Tremove: no reply"); cases with the
// same cause are one finding. Broken backend invariants (found after the
// case, in no reply) are one cause of their own.
std::string failure_cause(const std::string& case_name, const std::vector<std::string>& messages);

// Cases that guard the export and the attached user's rights.
bool escape_case(const std::string& case_name);
// Cases whose requests Linux's v9fs never sends (malformed frames, names
// with '/' or NUL, legacy message types...): they say so in their suite.
bool hostile_case(const std::string& case_name);

}  // namespace p9::conformance
