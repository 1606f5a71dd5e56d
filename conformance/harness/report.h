// The certificate's data, collected once (collect_report), and its writers:
// the Markdown a person reads in a terminal or a merge request, the HTML page
// (self-contained: inline CSS, no script), a one-screen summary on stdout, and
// a small machine-readable summary per target from which the matrix page
// (several servers side by side, certify.sh --matrix) is drawn.
#pragma once

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "conformance/client/client.h"
#include "conformance/harness/liveness.h"
#include "conformance/harness/severity.h"

namespace p9::conformance {

// One case as it ended.
struct CaseResult {
  std::string name, rule, source;
  std::string outcome;          // "passed", "FAILED", "skipped", "known deviation", "not run"
  std::string detail;           // failures: where and what; others: why
  std::string severity, cause;  // failures and known deviations: severity.h
  std::string follow_on_of;     // not run because of that case (it broke what every case needs)
};

struct GroupCounts {
  int passed = 0, failed = 0, skipped = 0, deviations = 0, not_run = 0;
  std::string worst;  // the worst class of its failures and known deviations, "" when none
};

// One finding: the failures that share a root cause, or the known deviations
// of one class; follow_ons are cases not run because of one of them.
struct Finding {
  Severity severity;
  std::string cause;
  std::vector<std::string> cases, follow_ons;
};

// What the matrix needs of a target; also the head of its certificate.
struct Summary {
  std::string target, profile, verdict, worst;  // worst: the worst class present, "" when none
  std::string page;                             // the HTML certificate's file name (no directory), or ""
  bool conformant = true;
  std::map<std::string, GroupCounts> groups;
  GroupCounts total;
};

struct Report {
  Summary summary;
  std::string date;
  unsigned msize = 0;
  double timeout_s = 0, elapsed_s = 0;
  std::vector<Finding> findings;  // most severe first, then the most cases
  std::vector<Death> deaths;
  std::vector<client::Unanswered::Type> silent;
  std::vector<CaseResult> cases;  // in run order
  // Rule rows of the deviation list for this target that matched nothing
  // ("FILE:LINE: target | request | ... "): reported, not failed.
  std::vector<std::string> unused_rules;
};

// Everything the writers show, computed here only: counts per group, the
// findings, the verdict (the worst class present, known deviations included).
Report collect_report(std::string target, std::string profile, std::vector<CaseResult> cases,
                      std::vector<Death> deaths, std::vector<client::Unanswered::Type> silent);

void write_console(const Report& r, const std::string& report_path);  // stdout
void write_markdown(const Report& r, std::ostream& out);
void write_html(const Report& r, std::ostream& out);
// Line-based, tab-separated: "p9conform-summary 1", then "key<TAB>value"
// lines and one "group<TAB>NAME<TAB>passed<TAB>failed<TAB>skipped<TAB>
// deviations<TAB>not run<TAB>worst" line per group.
void write_summary(const Summary& s, std::ostream& out);
bool read_summary(std::istream& in, Summary* s, std::string* error);
// One page: groups down, servers across, each cell coloured by its worst class.
void write_matrix(const std::vector<Summary>& servers, std::ostream& out);

// The certificate's other files, named after the Markdown's path:
// "x/certificate-diod.md" -> "x/certificate-diod.html", "x/certificate-diod.summary".
std::string sibling_path(const std::string& markdown_path, const std::string& extension);

}  // namespace p9::conformance
