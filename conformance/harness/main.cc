// The conformance runner: picks the target (P9_TARGET, see target.h), runs
// every case against it, and writes the certificate: a Markdown report
// (P9_REPORT, default conformance-<target>.md in the current directory) and a
// one-screen summary on stdout. gtest's own --gtest_output=xml works alongside.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "conformance/harness/case.h"
#include "conformance/harness/deviations.h"
#include "conformance/harness/liveness.h"
#include "conformance/harness/severity.h"
#include "conformance/harness/target.h"

namespace p9::conformance {
namespace {

struct GroupCounts {
  int passed = 0, failed = 0, skipped = 0, deviations = 0, not_run = 0;
};

struct CaseResult {
  std::string name, rule, source, outcome, detail;
  std::string severity, cause;  // failures and known deviations: severity.h
};

// A source file as the compiler named it (relative to the build directory,
// or absolute), relative to the repository.
std::string repository_path(const char* file) {
  if (!file) return "?";
  namespace stdfs = std::filesystem;
  stdfs::path p(file);
  if (p.is_relative()) p = stdfs::path(P9_BUILD_ROOT) / p;
  stdfs::path rel = p.lexically_normal().lexically_relative(stdfs::path(P9_SOURCE_ROOT).lexically_normal());
  return rel.empty() || rel.native().rfind("..", 0) == 0 ? std::string(file) : rel.string();
}

// One finding: the failures that share a root cause, or the known deviations of one class.
struct Finding {
  Severity severity;
  std::string cause;
  std::vector<std::string> cases;
};

// Text made fit for one Markdown table cell.
std::string cell(std::string s) {
  for (char& ch : s)
    if (ch == '\n' || ch == '|') ch = ' ';
  return s;
}

class Certificate : public ::testing::EmptyTestEventListener {
 public:
  explicit Certificate(std::string path) : path_(std::move(path)) {}

  void OnTestEnd(const ::testing::TestInfo& info) override {
    const ::testing::TestResult* r = info.result();
    CaseResult cr;
    cr.name = std::string(info.test_suite_name()) + "." + info.name();
    bool deviation = false;
    std::string not_run;
    for (int i = 0; i < r->test_property_count(); ++i) {
      const auto& p = r->GetTestProperty(i);
      std::string k = p.key();
      if (k == "rule") cr.rule = p.value();
      if (k == "source") cr.source = p.value();
      if (k == "known_deviation") {
        deviation = true;
        cr.detail = p.value();
      }
      if (k == "not_run") not_run = p.value();
      if (k == "class") cr.severity = p.value();
      if (k == "cause") cr.cause = p.value();
    }
    GroupCounts& g = groups_[info.test_suite_name()];
    if (!not_run.empty()) {  // the server was down for good before it: none of its failures
      ++g.not_run;
      cr.outcome = "not run";
      cr.detail = not_run;
    } else if (r->Failed()) {
      ++g.failed;
      cr.outcome = "FAILED";
      for (int i = 0; i < r->total_part_count(); ++i) {
        const auto& part = r->GetTestPartResult(i);
        if (part.failed())
          cr.detail += repository_path(part.file_name()) + ":" + std::to_string(part.line_number()) + "\n" +
                       part.message() + "\n";
      }
    } else if (deviation) {  // includes cases not run because they crash the target
      ++g.deviations;
      cr.outcome = "known deviation";
    } else if (r->Skipped()) {
      ++g.skipped;
      cr.outcome = "skipped";
      for (int i = 0; i < r->total_part_count(); ++i) cr.detail += r->GetTestPartResult(i).message();
    } else {
      ++g.passed;
      cr.outcome = "passed";
    }
    results_.push_back(std::move(cr));
  }

  void OnTestProgramEnd(const ::testing::UnitTest& unit) override {
    GroupCounts total;
    for (const auto& [name, g] : groups_) {
      total.passed += g.passed;
      total.failed += g.failed;
      total.skipped += g.skipped;
      total.deviations += g.deviations;
      total.not_run += g.not_run;
    }
    const std::vector<Death>& died = deaths();
    const std::vector<client::Unanswered::Type> silent = unanswered()->never_answered();
    const fs::Profile profile = target().profile();
    std::string profile_text = profile.name;
    std::string missing;
    if (!profile.hardlinks) missing += " hard-links";
    if (!profile.xattrs) missing += " xattrs";
    if (!profile.locks) missing += " locks";
    if (!profile.mknod) missing += " mknod";
    if (!profile.ownership) missing += " ownership";
    if (!profile.symlinks) missing += " symlinks";
    if (!missing.empty()) profile_text += " (without:" + missing + ")";
    // Findings: failures grouped by root cause, known deviations by class;
    // most severe first, then the most cases.
    std::vector<Finding> findings;
    std::map<Severity, std::pair<int, int>> by_class;  // failed cases, known deviations
    for (const CaseResult& c : results_) {
      Severity sev;
      if ((c.outcome != "FAILED" && c.outcome != "known deviation") || !parse_severity(c.severity, &sev))
        continue;  // passed, skipped, not run, or a deviation of class none
      const bool failed = c.outcome == "FAILED";
      (failed ? by_class[sev].first : by_class[sev].second) += 1;
      const std::string cause =
          failed ? c.cause : std::string("known deviations (") + severity_name(sev) + ")";
      auto same = std::find_if(findings.begin(), findings.end(),
                               [&](const Finding& f) { return f.severity == sev && f.cause == cause; });
      if (same == findings.end()) same = findings.insert(findings.end(), Finding{sev, cause, {}});
      same->cases.push_back(c.name);
    }
    std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
      return a.severity != b.severity ? a.severity < b.severity : a.cases.size() > b.cases.size();
    });
    // The verdict names every class present, the worst first; deviations count.
    bool conformant = true;
    std::string classes;
    for (const auto& [sev, n] : by_class) {
      if (n.first || severity_breaks_conformance(sev)) conformant = false;
      classes += std::string(classes.empty() ? "" : "; ") + severity_name(sev) + " - " +
                 std::to_string(n.first + n.second) + " cases";
      if (n.second) classes += " (" + std::to_string(n.second) + " known deviations)";
    }
    if (!died.empty() && !by_class.count(Severity::Crash)) {  // died between cases: no case failed for it
      conformant = false;
      classes = "crash/hang - the server died " + std::to_string(died.size()) + " times" +
                (classes.empty() ? "" : "; " + classes);
    }
    std::string verdict = conformant ? "CONFORMANT" : "NOT CONFORMANT";
    if (!classes.empty()) verdict += (conformant ? " with known deviations: " : ": ") + classes;

    // One screen on stdout.
    std::printf("\n==== p9conform certificate ====\n");
    std::printf("target   %s\nprofile  %s\nverdict  %s\n", target().name().c_str(), profile_text.c_str(),
                verdict.c_str());
    for (std::size_t i = 0; i < findings.size() && i < 10; ++i)
      std::printf("FINDING  %s: %s (%zu cases)\n", severity_name(findings[i].severity),
                  findings[i].cause.c_str(), findings[i].cases.size());
    for (const Death& d : died)
      std::printf("SERVER DIED during %s: %s; %s\n", d.during.c_str(),
                  d.how.substr(0, d.how.find('\n')).c_str(), d.restart.c_str());
    for (const auto& t : silent)
      std::printf("NEVER ANSWERED %s (%d later requests not sent)\n", t.name.c_str(), t.refused);
    std::printf("%-14s %6s %6s %7s %9s %7s\n", "group", "passed", "failed", "skipped", "deviation",
                "not run");
    for (const auto& [name, g] : groups_)
      std::printf("%-14s %6d %6d %7d %9d %7d\n", name.c_str(), g.passed, g.failed, g.skipped, g.deviations,
                  g.not_run);
    std::printf("%-14s %6d %6d %7d %9d %7d   (%.1f s)\n", "total", total.passed, total.failed, total.skipped,
                total.deviations, total.not_run, static_cast<double>(unit.elapsed_time()) / 1000.0);
    for (const auto& c : results_)
      if (c.outcome == "FAILED") std::printf("FAILED  %s\n", c.name.c_str());
    std::printf("report   %s\n", path_.c_str());

    // The report a person reads.
    std::ofstream md(path_);
    if (!md) {
      std::fprintf(stderr, "cannot write the report to %s\n", path_.c_str());
      return;
    }
    char when[64];
    std::time_t now = std::time(nullptr);
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
    md << "# p9conform certificate\n\n";
    md << "| | |\n|---|---|\n";
    md << "| target | `" << target().name() << "` |\n| profile | " << profile_text << " |\n";
    md << "| msize asked | " << case_msize() << " |\n";
    md << "| verdict | **" << verdict << "** |\n| date | " << when << " |\n";
    md << "| cases | " << results_.size() << " (" << total.passed << " passed, " << total.failed
       << " failed, " << total.skipped << " skipped, " << total.deviations << " known deviations, "
       << total.not_run << " not run) |\n";
    md << "| reply timeout | " << request_timeout_ms() / 1000.0 << " s |\n\n";
    if (!findings.empty()) {
      md << "## Findings\n\nFailures grouped by root cause (the request of the first failed check of the "
            "case's class and the reply it got), then known deviations by class; most severe first. "
            "Classes: crash/hang, escape (outside the export or beyond the user's rights), data (contents "
            "or metadata lost or wrong), Linux-visible, hostile-only (Linux never sends it), errno number "
            "only.\n\n| class | cause | cases | first case, then follow-ons |\n|---|---|---:|---|\n";
      for (const Finding& f : findings) {
        std::string list;
        for (std::size_t i = 0; i < f.cases.size() && i < 12; ++i) list += (i ? ", " : "") + f.cases[i];
        if (f.cases.size() > 12) list += ", ... (" + std::to_string(f.cases.size() - 12) + " more)";
        md << "| " << severity_name(f.severity) << " | " << cell(f.cause) << " | " << f.cases.size() << " | "
           << list << " |\n";
      }
      md << "\n";
    }
    if (!died.empty()) {
      md << "## The server died\n\nEach time the server exited, refused connections or stopped answering "
            "during a case; the case fails with what it exchanged. Cases run after a death the server "
            "was not started again from report *not run*, not as its failures.\n\n"
            "| during | how | then |\n|---|---|---|\n";
      for (const Death& d : died)
        md << "| " << d.during << " | " << cell(d.how.substr(0, d.how.find('\n'))) << " | " << d.restart
           << " |\n";
      md << "\n";
    }
    if (!silent.empty()) {
      md << "## Never answered\n\nRequest types that got no reply within the timeout twice; later "
            "requests of these types were not sent (their cases fail at once with this reason).\n\n"
            "| request | no reply in | later requests not sent |\n|---|---|---:|\n";
      for (const auto& t : silent) {
        std::string where;
        for (const std::string& w : t.missed) where += (where.empty() ? "" : ", ") + w;
        md << "| " << t.name << " | " << where << " | " << t.refused << " |\n";
      }
      md << "\n";
    }
    md << "## Groups\n\n| group | passed | failed | skipped | known deviation | not run |\n"
          "|---|---:|---:|---:|---:|---:|\n";
    for (const auto& [name, g] : groups_)
      md << "| " << name << " | " << g.passed << " | " << g.failed << " | " << g.skipped << " | "
         << g.deviations << " | " << g.not_run << " |\n";
    if (total.failed) {
      md << "\n## Failures\n\nEach shows the check, the reply expected, the reply received, and the last "
            "frames on "
            "the wire in printer format.\n";
      for (const auto& c : results_)
        if (c.outcome == "FAILED")
          md << "\n### " << c.name << "\n\nClass: " << c.severity << "; cause: " << c.cause
             << "\n\nRule: " << c.rule << " (source: " << c.source << ")\n\n```\n"
             << c.detail << "```\n";
    }
    md << "\n## Every case\n\n| case | outcome | class | rule | source |\n|---|---|---|---|---|\n";
    for (const auto& c : results_) {
      std::string outcome = c.outcome;
      if (c.outcome != "passed" && c.outcome != "FAILED" && !c.detail.empty())
        outcome += ": " + cell(c.detail);
      md << "| " << c.name << " | " << outcome << " | " << c.severity << " | " << c.rule << " | " << c.source
         << " |\n";
    }
  }

 private:
  std::string path_;
  std::map<std::string, GroupCounts> groups_;
  std::vector<CaseResult> results_;
};

}  // namespace
}  // namespace p9::conformance

int main(int argc, char** argv) {
  using namespace p9::conformance;
  ::testing::InitGoogleTest(&argc, argv);
  std::string error;
  const char* dev = std::getenv("P9_DEVIATIONS");
  std::string dev_path = dev && *dev ? dev : P9_DEFAULT_DEVIATIONS;
  if (!load_deviations(dev_path, &error)) {
    std::fprintf(stderr, "p9conform: %s\n", error.c_str());
    return 2;
  }
  if (!init_case_msize(&error) || !init_liveness(&error)) {
    std::fprintf(stderr, "p9conform: %s\n", error.c_str());
    return 2;
  }
  std::unique_ptr<Target> t = make_target_from_env(&error);
  if (!t) {
    std::fprintf(stderr, "p9conform: cannot set up the target: %s\n", error.c_str());
    // ctest SKIP_RETURN_CODE: a target that cannot exist on this machine is skipped, with its reason.
    const char* skip = std::getenv("P9_SKIP_IF_UNAVAILABLE");
    return skip && *skip == '1' ? 77 : 2;
  }
  set_target(t.get());
  std::string id = t->deviation_id();
  const char* rp = std::getenv("P9_REPORT");
  std::string report = rp && *rp ? rp : "conformance-" + id + ".md";
  ::testing::UnitTest::GetInstance()->listeners().Append(new Certificate(report));
  std::printf("p9conform: target %s (aname '%s', profile %s, msize asked %u)\n", t->name().c_str(),
              t->aname().c_str(), t->profile().name.c_str(), case_msize());
  int rc = RUN_ALL_TESTS();
  set_target(nullptr);
  t.reset();
  return rc;
}
