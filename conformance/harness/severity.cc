#include "conformance/harness/severity.h"

#include <fnmatch.h>

#include <algorithm>

namespace p9::conformance {

namespace {

bool matches(const std::string& name, std::initializer_list<const char*> patterns) {
  for (const char* p : patterns)
    if (::fnmatch(p, name.c_str(), 0) == 0) return true;
  return false;
}

bool contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

// The text after `label` on its line ("  actual:   X" -> "X"), or "" when absent.
std::string field(const std::string& m, const char* label) {
  std::size_t p = m.find(label);
  if (p == std::string::npos) return {};
  p += std::string(label).size();
  while (p < m.size() && m[p] == ' ') ++p;
  return m.substr(p, m.find('\n', p) - p);
}

// The same for the last line carrying `label`.
std::string last_field(const std::string& m, const char* label) {
  std::size_t p = m.rfind(label);
  return p == std::string::npos ? std::string() : field(m.substr(p), label);
}

// A reply outcome as Case::check_errno prints it, rather than a value.
bool is_outcome(const std::string& s) {
  return s == "success" || s.rfind("Rlerror", 0) == 0 || s.rfind("EPROTO", 0) == 0;
}

// Markers of a server that died or did not answer (liveness.cc, client.cc).
bool is_crash(const std::string& m) {
  return contains(m, "the server died during this case") || contains(m, "no reply within") ||
         contains(m, "is never answered by this server");
}

Severity classify_one(const std::string& case_name, const std::string& m) {
  if (is_crash(m)) return Severity::Crash;
  if (contains(m, "backend invariants broken")) return Severity::Data;
  const std::string expected = field(m, "expected:"), actual = field(m, "actual:");
  if (actual.empty())
    return hostile_case(case_name) ? Severity::Hostile : Severity::Linux;  // a setup step failed
  if (escape_case(case_name) && actual.rfind("Rlerror", 0) != 0 && actual.rfind("EPROTO", 0) != 0)
    return Severity::Escape;
  if (expected.rfind("Rlerror ", 0) == 0 && actual.rfind("Rlerror ", 0) == 0) return Severity::Errno;
  if (hostile_case(case_name)) return Severity::Hostile;
  return is_outcome(expected) || is_outcome(actual) ? Severity::Linux : Severity::Data;
}

// "Rlerror tag=3 ecode=ENOENT" -> "Rlerror ecode=ENOENT": what a reply says, without its tag.
std::string without_tag(std::string line) {
  std::size_t p = line.find(" tag=");
  if (p != std::string::npos)
    line.erase(p, line.find(' ', p + 1) == std::string::npos ? std::string::npos : line.find(' ', p + 1) - p);
  return line;
}

}  // namespace

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Crash:
      return "crash/hang";
    case Severity::Escape:
      return "escape";
    case Severity::Data:
      return "data";
    case Severity::Linux:
      return "Linux-visible";
    case Severity::Hostile:
      return "hostile-only";
    case Severity::Errno:
      return "errno number only";
  }
  return "?";
}

bool parse_severity(const std::string& name, Severity* out) {
  for (Severity s : kSeverities)
    if (name == severity_name(s)) {
      *out = s;
      return true;
    }
  return false;
}

bool severity_breaks_conformance(Severity s) { return s <= Severity::Linux; }

bool escape_case(const std::string& case_name) {
  // Permission checks (path_resolution(7), the attached user's rights), ".."
  // at the attach root and names that would reach other directories.
  return matches(case_name, {"Permissions.*", "Walk.DotDotAtTheAttachRootStaysThere",
                             "Walk.DotDotBeyondTheRootIsClamped", "Hostile.DotDot*", "*.*Slash*"});
}

bool hostile_case(const std::string& case_name) {
  return matches(case_name, {"Hostile.*", "*.NulInName*", "*.EmptyName*"});
}

Severity classify_failure(const std::string& case_name, const std::vector<std::string>& messages) {
  Severity worst = Severity::Errno;
  for (const std::string& m : messages) worst = std::min(worst, classify_one(case_name, m));
  return worst;
}

std::string failure_cause(const std::string& case_name, const std::vector<std::string>& messages) {
  if (messages.empty()) return "?";
  // The first failed check of the case's class (its most severe).
  const Severity worst = classify_failure(case_name, messages);
  std::size_t first = 0;
  while (classify_one(case_name, messages[first]) != worst) ++first;
  const std::string& m = messages[first];
  // Found after the case (Case::TearDown), not in a reply: one cause, whatever the case did.
  if (contains(m, "backend invariants broken after this case"))
    return "backend invariants broken after the case";
  // The request: the one the connection closed or went silent on, else the
  // last one the main connection sent before the failure.
  std::size_t silence = std::string::npos;
  for (const char* marker : {"<- connection closed", "<- no reply within"})
    silence = std::min(silence, m.find(marker));
  const std::size_t end = silence != std::string::npos ? silence : m.find("  wire, connection 2");
  std::string request = "?";
  for (std::size_t p = m.find("-> "); p != std::string::npos && p < end; p = m.find("-> ", p + 3))
    request = m.substr(p + 3, m.find_first_of(" \n", p + 3) - p - 3);
  // A request not sent because its type is never answered names its type.
  if (std::size_t p = m.find(" is never answered by this server"); p != std::string::npos) {
    const std::size_t b = m.find_last_of(" [\n", p - 1);
    request = m.substr(b + 1, p - b - 1);
  }
  std::string reply;
  if (contains(m, "the server died during this case"))
    reply = "the server died";  // how, each time: the certificate's deaths
  else if (contains(m, "is never answered by this server") || contains(m, "no reply within"))
    reply = "no reply";
  else if (std::string actual = field(m, "actual:"); !actual.empty())
    reply = actual.substr(0, actual.find(" [")).substr(0, 80);
  else  // a setup step: its first line and the last reply on the wire
    reply = m.substr(0, m.find('\n')) + ": " + without_tag(last_field(m, "<- ")).substr(0, 60);
  return request + ": " + reply;
}

}  // namespace p9::conformance
