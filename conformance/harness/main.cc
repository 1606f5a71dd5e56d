// The conformance runner: picks the target (P9_TARGET, see target.h), runs
// every case against it, and writes the certificate (report.h): a Markdown
// report (P9_REPORT, default conformance-<target>.md in the current
// directory), the same as HTML (.html next to it), a summary for the matrix
// (.summary) and a one-screen summary on stdout. gtest's own
// --gtest_output=xml works alongside.
//   p9conform --matrix OUT.html SUMMARY...   draws several servers' summaries side by side.
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
#include "conformance/harness/report.h"
#include "conformance/harness/severity.h"
#include "conformance/harness/target.h"

namespace p9::conformance {
namespace {

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
      if (k == "follow_on_of") cr.follow_on_of = p.value();
    }
    if (!not_run.empty()) {  // the server was down for good before it, or no backend: none of its failures
      cr.outcome = "not run";
      cr.detail = not_run;
    } else if (r->Failed()) {
      cr.outcome = "FAILED";
      for (int i = 0; i < r->total_part_count(); ++i) {
        const auto& part = r->GetTestPartResult(i);
        if (part.failed())
          cr.detail += repository_path(part.file_name()) + ":" + std::to_string(part.line_number()) + "\n" +
                       part.message() + "\n";
      }
    } else if (deviation) {  // includes cases not run because they crash the target
      cr.outcome = "known deviation";
    } else if (r->Skipped()) {
      cr.outcome = "skipped";
      for (int i = 0; i < r->total_part_count(); ++i) cr.detail += r->GetTestPartResult(i).message();
    } else {
      cr.outcome = "passed";
    }
    results_.push_back(std::move(cr));
  }

  void OnTestProgramEnd(const ::testing::UnitTest& unit) override {
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
    Report report = collect_report(target().name(), profile_text, std::move(results_), deaths(),
                                   unanswered()->never_answered());
    char when[64];
    std::time_t now = std::time(nullptr);
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
    report.date = when;
    report.msize = case_msize();
    report.timeout_s = request_timeout_ms() / 1000.0;
    report.elapsed_s = static_cast<double>(unit.elapsed_time()) / 1000.0;
    for (const deviations::Rule* u : unused_rules(target().deviation_id()))
      report.unused_rules.push_back(u->where() + ": " + u->text());
    report.summary.page = std::filesystem::path(sibling_path(path_, ".html")).filename().string();
    write_console(report, path_);
    // The report a person reads (Markdown and HTML), and the summary the matrix is drawn from.
    const std::string html = sibling_path(path_, ".html"), summary = sibling_path(path_, ".summary");
    std::ofstream md(path_), page(html), sum(summary);
    if (md) write_markdown(report, md);
    if (page) write_html(report, page);
    if (sum) write_summary(report.summary, sum);
    if (!md || !page || !sum)
      std::fprintf(stderr, "cannot write the report to %s\n", (!md ? path_ : !page ? html : summary).c_str());
  }

 private:
  std::string path_;
  std::vector<CaseResult> results_;
};

// p9conform --matrix OUT.html SUMMARY...: the servers' summaries side by side.
int matrix_main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: p9conform --matrix OUT.html SUMMARY... (the .summary files certificates leave)\n");
    return 2;
  }
  std::vector<Summary> servers;
  for (int i = 3; i < argc; ++i) {
    std::ifstream in(argv[i]);
    Summary s;
    std::string error;
    if (!in) error = "cannot read it";
    if (!in || !read_summary(in, &s, &error)) {
      std::fprintf(stderr, "p9conform --matrix: %s: %s\n", argv[i], error.c_str());
      return 2;
    }
    servers.push_back(std::move(s));
  }
  std::ofstream out(argv[2]);
  if (out) write_matrix(servers, out);
  if (!out) {
    std::fprintf(stderr, "p9conform --matrix: cannot write %s\n", argv[2]);
    return 2;
  }
  std::printf("matrix   %s (%zu servers)\n", argv[2], servers.size());
  return 0;
}

}  // namespace
}  // namespace p9::conformance

int main(int argc, char** argv) {
  using namespace p9::conformance;
  if (argc > 1 && std::string(argv[1]) == "--matrix") return matrix_main(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  // --profile NAME[:features]: as P9_PROFILE (target.h), for tcp:, unix: and started servers;
  // its name picks their rows of the deviation list.
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--profile" && i + 1 < argc) {
      ::setenv("P9_PROFILE", argv[i + 1], 1);
      for (int k = i; k + 2 <= argc; ++k) argv[k] = argv[k + 2];
      argc -= 2;
      --i;
    }
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
