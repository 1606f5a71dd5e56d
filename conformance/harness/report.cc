#include "conformance/harness/report.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <istream>
#include <ostream>
#include <sstream>

namespace p9::conformance {

namespace {

// The worse of two class names ("" = none).
std::string worse(const std::string& a, const std::string& b) {
  Severity sa, sb;
  if (!parse_severity(a, &sa)) return parse_severity(b, &sb) ? b : "";
  if (!parse_severity(b, &sb)) return a;
  return sa <= sb ? a : b;
}

void add(GroupCounts& to, const GroupCounts& g) {
  to.passed += g.passed;
  to.failed += g.failed;
  to.skipped += g.skipped;
  to.deviations += g.deviations;
  to.not_run += g.not_run;
  to.worst = worse(to.worst, g.worst);
}

// Text made fit for one Markdown table cell.
std::string cell(std::string s) {
  for (char& ch : s)
    if (ch == '\n' || ch == '|') ch = ' ';
  return s;
}

// Text made fit for HTML element content and attribute values.
std::string esc(const std::string& s) {
  std::string o;
  for (char ch : s) {
    switch (ch) {
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '&':
        o += "&amp;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += ch;
    }
  }
  return o;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// The CSS class of a severity class name: "c-crash", ..., "c-none".
std::string css(const std::string& severity) {
  Severity s;
  if (!parse_severity(severity, &s)) return "c-none";
  static const char* const names[] = {"c-crash", "c-escape", "c-data", "c-linux", "c-hostile", "c-errno"};
  return names[static_cast<int>(s)];
}

// A group's colour: its worst class; grey when cases did not run and none failed.
std::string group_css(const GroupCounts& g) {
  return g.worst.empty() && g.not_run ? "c-notrun" : css(g.worst);
}
std::string group_worst(const GroupCounts& g) {
  return !g.worst.empty() ? g.worst : g.not_run ? "none (cases not run)" : "none";
}

// "3 passed, 1 failed, ..." as the certificate's head says it.
std::string counts_text(const GroupCounts& t) {
  return std::to_string(t.passed) + " passed, " + std::to_string(t.failed) + " failed, " +
         std::to_string(t.skipped) + " skipped, " + std::to_string(t.deviations) + " known deviations, " +
         std::to_string(t.not_run) + " not run";
}

const char* const kFindingsIntro =
    "Failures grouped by root cause (the request of the first failed check of the case's class and the reply "
    "it got), then known deviations by class; most severe first. Cases not run because of one (follow-ons) "
    "are folded under it. Classes: crash/hang, escape (outside the export or beyond the user's rights), data "
    "(contents or metadata lost or wrong), Linux-visible, hostile-only (Linux never sends it), errno number "
    "only.";
const char* const kDiedIntro =
    "Each time the server exited, refused connections or stopped answering during a case; the case fails "
    "with what it exchanged. Cases run after a death the server was not started again from report *not "
    "run*, not as its failures.";
const char* const kSilentIntro =
    "Request types that got no reply within the timeout twice; later requests of these types were not sent "
    "(their cases fail at once with this reason).";
const char* const kUnusedIntro =
    "Rule rows for this target that matched no failed check in this run (a run of some cases only leaves "
    "rules unused too):";
const char* const kFailuresIntro =
    "Each shows the check, the reply expected, the reply received, and the last frames on the wire in "
    "printer format.";

// A finding's cases as one line: the first dozen, then how many more; then the follow-ons.
std::string case_list(const Finding& f) {
  std::string list;
  for (std::size_t i = 0; i < f.cases.size() && i < 12; ++i) list += (i ? ", " : "") + f.cases[i];
  if (f.cases.size() > 12) list += ", ... (" + std::to_string(f.cases.size() - 12) + " more)";
  if (!f.follow_ons.empty())
    list += "; follow-ons not run: " + std::to_string(f.follow_ons.size()) + " (" + f.follow_ons.front() +
            (f.follow_ons.size() > 1 ? ", ..." : "") + ")";
  return list;
}

// The outcome cell of the every-case table.
std::string outcome_text(const CaseResult& c) {
  if (c.outcome == "passed" || c.outcome == "FAILED" || c.detail.empty()) return c.outcome;
  return c.outcome + ": " + cell(c.detail);
}

const char* const kGroupColumns[] = {"passed", "failed", "skipped", "known deviation", "not run"};
int group_column(const GroupCounts& g, int i) {
  const int v[] = {g.passed, g.failed, g.skipped, g.deviations, g.not_run};
  return v[i];
}

}  // namespace

Report collect_report(std::string target, std::string profile, std::vector<CaseResult> cases,
                      std::vector<Death> deaths, std::vector<client::Unanswered::Type> silent) {
  Report r;
  Summary& s = r.summary;
  s.target = std::move(target);
  s.profile = std::move(profile);
  for (const CaseResult& c : cases) {
    GroupCounts& g = s.groups[c.name.substr(0, c.name.find('.'))];
    if (c.outcome == "not run")
      ++g.not_run;
    else if (c.outcome == "FAILED")
      ++g.failed;
    else if (c.outcome == "known deviation")
      ++g.deviations;
    else if (c.outcome == "skipped")
      ++g.skipped;
    else
      ++g.passed;
    if (c.outcome == "FAILED" || c.outcome == "known deviation") g.worst = worse(g.worst, c.severity);
  }
  for (const auto& [name, g] : s.groups) add(s.total, g);

  // Findings: failures grouped by root cause, known deviations by class;
  // most severe first, then the most cases.
  std::map<Severity, std::pair<int, int>> by_class;  // failed cases, known deviations
  for (const CaseResult& c : cases) {
    Severity sev;
    if ((c.outcome != "FAILED" && c.outcome != "known deviation") || !parse_severity(c.severity, &sev))
      continue;  // passed, skipped, not run, or a deviation of class none
    const bool failed = c.outcome == "FAILED";
    (failed ? by_class[sev].first : by_class[sev].second) += 1;
    const std::string cause = failed ? c.cause : std::string("known deviations (") + severity_name(sev) + ")";
    auto same = std::find_if(r.findings.begin(), r.findings.end(),
                             [&](const Finding& f) { return f.severity == sev && f.cause == cause; });
    if (same == r.findings.end()) same = r.findings.insert(r.findings.end(), Finding{sev, cause, {}, {}});
    same->cases.push_back(c.name);
  }
  for (const CaseResult& c : cases) {
    if (c.follow_on_of.empty()) continue;
    for (Finding& f : r.findings)
      if (std::find(f.cases.begin(), f.cases.end(), c.follow_on_of) != f.cases.end()) {
        f.follow_ons.push_back(c.name);
        break;
      }
  }
  std::stable_sort(r.findings.begin(), r.findings.end(), [](const Finding& a, const Finding& b) {
    return a.severity != b.severity ? a.severity < b.severity : a.cases.size() > b.cases.size();
  });
  // The verdict names every class present, the worst first; deviations count.
  std::string classes;
  for (const auto& [sev, n] : by_class) {
    if (n.first || severity_breaks_conformance(sev)) s.conformant = false;
    if (s.worst.empty()) s.worst = severity_name(sev);
    classes += std::string(classes.empty() ? "" : "; ") + severity_name(sev) + " - " +
               std::to_string(n.first + n.second) + " cases";
    if (n.second) classes += " (" + std::to_string(n.second) + " known deviations)";
  }
  if (!deaths.empty() && !by_class.count(Severity::Crash)) {  // died between cases: no case failed for it
    s.conformant = false;
    s.worst = severity_name(Severity::Crash);
    classes = "crash/hang - the server died " + std::to_string(deaths.size()) + " times" +
              (classes.empty() ? "" : "; " + classes);
  }
  s.verdict = s.conformant ? "CONFORMANT" : "NOT CONFORMANT";
  if (!classes.empty()) s.verdict += (s.conformant ? " with known deviations: " : ": ") + classes;
  r.deaths = std::move(deaths);
  r.silent = std::move(silent);
  r.cases = std::move(cases);
  return r;
}

void write_console(const Report& r, const std::string& report_path) {
  const Summary& s = r.summary;
  std::printf("\n==== p9conform certificate ====\n");
  std::printf("target   %s\nprofile  %s\nverdict  %s\n", s.target.c_str(), s.profile.c_str(),
              s.verdict.c_str());
  for (std::size_t i = 0; i < r.findings.size() && i < 10; ++i) {
    const Finding& f = r.findings[i];
    std::printf("FINDING  %s: %s (%zu cases", severity_name(f.severity), f.cause.c_str(), f.cases.size());
    if (!f.follow_ons.empty()) std::printf("; %zu follow-ons not run", f.follow_ons.size());
    std::printf(")\n");
  }
  for (const Death& d : r.deaths)
    std::printf("SERVER DIED during %s: %s; %s\n", d.during.c_str(), first_line(d.how).c_str(),
                d.restart.c_str());
  for (const auto& t : r.silent)
    std::printf("NEVER ANSWERED %s (%d later requests not sent)\n", t.name.c_str(), t.refused);
  std::printf("%-14s %6s %6s %7s %9s %7s\n", "group", "passed", "failed", "skipped", "deviation", "not run");
  auto row = [](const std::string& name, const GroupCounts& g) {
    std::printf("%-14s %6d %6d %7d %9d %7d", name.c_str(), g.passed, g.failed, g.skipped, g.deviations,
                g.not_run);
  };
  for (const auto& [name, g] : s.groups) {
    row(name, g);
    std::printf("\n");
  }
  row("total", s.total);
  std::printf("   (%.1f s)\n", r.elapsed_s);
  for (const auto& c : r.cases)
    if (c.outcome == "FAILED") std::printf("FAILED  %s\n", c.name.c_str());
  for (const std::string& u : r.unused_rules) std::printf("UNUSED RULE %s\n", u.c_str());
  std::printf("report   %s (and %s)\n", report_path.c_str(), sibling_path(report_path, ".html").c_str());
}

void write_markdown(const Report& r, std::ostream& md) {
  const Summary& s = r.summary;
  md << "# p9conform certificate\n\n";
  md << "| | |\n|---|---|\n";
  md << "| target | `" << s.target << "` |\n| profile | " << s.profile << " |\n";
  md << "| msize asked | " << r.msize << " |\n";
  md << "| verdict | **" << s.verdict << "** |\n| date | " << r.date << " |\n";
  md << "| cases | " << r.cases.size() << " (" << counts_text(s.total) << ") |\n";
  md << "| reply timeout | " << r.timeout_s << " s |\n\n";
  if (!r.findings.empty()) {
    md << "## Findings\n\n"
       << kFindingsIntro
       << "\n\n| class | cause | cases | first case, then follow-ons |\n|---|---|---:|---|\n";
    for (const Finding& f : r.findings)
      md << "| " << severity_name(f.severity) << " | " << cell(f.cause) << " | " << f.cases.size() << " | "
         << case_list(f) << " |\n";
    md << "\n";
  }
  if (!r.deaths.empty()) {
    md << "## The server died\n\n" << kDiedIntro << "\n\n| during | how | then |\n|---|---|---|\n";
    for (const Death& d : r.deaths)
      md << "| " << d.during << " | " << cell(first_line(d.how)) << " | " << d.restart << " |\n";
    md << "\n";
  }
  if (!r.silent.empty()) {
    md << "## Never answered\n\n"
       << kSilentIntro << "\n\n| request | no reply in | later requests not sent |\n|---|---|---:|\n";
    for (const auto& t : r.silent) {
      std::string where;
      for (const std::string& w : t.missed) where += (where.empty() ? "" : ", ") + w;
      md << "| " << t.name << " | " << where << " | " << t.refused << " |\n";
    }
    md << "\n";
  }
  md << "## Groups\n\n| group |";
  for (const char* h : kGroupColumns) md << " " << h << " |";
  md << "\n|---|---:|---:|---:|---:|---:|\n";
  for (const auto& [name, g] : s.groups) {
    md << "| " << name << " |";
    for (int i = 0; i < 5; ++i) md << " " << group_column(g, i) << " |";
    md << "\n";
  }
  if (s.total.failed) {
    md << "\n## Failures\n\n" << kFailuresIntro << "\n";
    for (const auto& c : r.cases)
      if (c.outcome == "FAILED")
        md << "\n### " << c.name << "\n\nClass: " << c.severity << "; cause: " << c.cause
           << "\n\nRule: " << c.rule << " (source: " << c.source << ")\n\n```\n"
           << c.detail << "```\n";
  }
  if (!r.unused_rules.empty()) {
    md << "\n## Unused deviation rules\n\n" << kUnusedIntro << "\n\n";
    for (const std::string& u : r.unused_rules) md << "- " << u << "\n";
  }
  md << "\n## Every case\n\n| case | outcome | class | rule | source |\n|---|---|---|---|---|\n";
  for (const auto& c : r.cases)
    md << "| " << c.name << " | " << outcome_text(c) << " | " << c.severity << " | " << c.rule << " | "
       << c.source << " |\n";
}

namespace {

// The page's style: one colour per class, the worst the darkest.
const char* const kStyle =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:75em;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #bbb;padding:.2em .5em;"
    "vertical-align:top;text-align:left}td.n{text-align:right}th{background:#eee}"
    "pre{background:#f6f6f6;padding:.5em;overflow-x:auto;font-size:12px}"
    "details{margin:.3em 0}summary{cursor:pointer}"
    ".c-crash{background:#b71c1c;color:#fff}.c-escape{background:#ad1457;color:#fff}"
    ".c-data{background:#ef6c00;color:#fff}.c-linux{background:#fdd835}.c-hostile{background:#90caf9}"
    ".c-errno{background:#e0e0e0}.c-none{background:#c8e6c9}.c-notrun{background:#bdbdbd}.verdict{font-size:"
    "1.3em;padding:.3em .6em}"
    ".legend span{padding:.1em .5em;margin-right:.3em}";

void html_head(std::ostream& out, const std::string& title) {
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << esc(title)
      << "</title>\n<style>" << kStyle << "</style></head><body>\n<h1>" << esc(title) << "</h1>\n";
}

void html_legend(std::ostream& out) {
  out << "<p class=\"legend\">";
  for (Severity sev : kSeverities)
    out << "<span class=\"" << css(severity_name(sev)) << "\">" << severity_name(sev) << "</span>";
  out << "<span class=\"c-none\">none</span><span class=\"c-notrun\">cases not run</span></p>\n";
}

}  // namespace

void write_html(const Report& r, std::ostream& out) {
  const Summary& s = r.summary;
  html_head(out, "p9conform certificate: " + s.target);
  out << "<p class=\"verdict " << css(s.worst) << "\" id=\"verdict\">" << esc(s.verdict) << "</p>\n";
  out << "<table><tr><th>target</th><td><code>" << esc(s.target)
      << "</code></td></tr>\n<tr><th>profile</th><td>" << esc(s.profile)
      << "</td></tr>\n<tr><th>msize asked</th><td>" << r.msize << "</td></tr>\n<tr><th>date</th><td>"
      << esc(r.date) << "</td></tr>\n<tr><th>cases</th><td id=\"cases\">" << r.cases.size() << " ("
      << counts_text(s.total) << ")</td></tr>\n<tr><th>reply timeout</th><td>" << r.timeout_s
      << " s</td></tr></table>\n";
  if (!r.findings.empty()) {
    out << "<h2>Findings</h2>\n<p>" << esc(kFindingsIntro) << "</p>\n";
    html_legend(out);
    out << "<table id=\"findings\"><tr><th>class</th><th>cause</th><th>cases</th><th>first case, then "
           "follow-ons</th></tr>\n";
    for (const Finding& f : r.findings)
      out << "<tr class=\"" << css(severity_name(f.severity)) << "\"><td>" << severity_name(f.severity)
          << "</td><td>" << esc(f.cause) << "</td><td class=\"n\">" << f.cases.size() << "</td><td>"
          << esc(case_list(f)) << "</td></tr>\n";
    out << "</table>\n";
  }
  if (!r.deaths.empty()) {
    out << "<h2>The server died</h2>\n<p>" << esc(kDiedIntro)
        << "</p>\n<table id=\"deaths\"><tr><th>during</th>"
        << "<th>how</th><th>then</th></tr>\n";
    for (const Death& d : r.deaths)
      out << "<tr><td>" << esc(d.during) << "</td><td><details><summary>" << esc(first_line(d.how))
          << "</summary><pre>" << esc(d.exchange) << "</pre></details></td><td>" << esc(d.restart)
          << "</td></tr>\n";
    out << "</table>\n";
  }
  if (!r.silent.empty()) {
    out << "<h2>Never answered</h2>\n<p>" << esc(kSilentIntro)
        << "</p>\n<table id=\"silent\"><tr><th>request</th><th>no reply in</th><th>later requests not "
           "sent</th></tr>\n";
    for (const auto& t : r.silent) {
      std::string where;
      for (const std::string& w : t.missed) where += (where.empty() ? "" : ", ") + w;
      out << "<tr><td>" << esc(t.name) << "</td><td>" << esc(where) << "</td><td class=\"n\">" << t.refused
          << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  // One row per line, cells in the Markdown's order: the test compares them.
  out << "<h2>Groups</h2>\n<table id=\"groups\"><tr><th>group</th>";
  for (const char* h : kGroupColumns) out << "<th>" << h << "</th>";
  out << "<th>worst class</th></tr>\n";
  for (const auto& [name, g] : s.groups) {
    out << "<tr class=\"" << group_css(g) << "\"><td>" << esc(name) << "</td>";
    for (int i = 0; i < 5; ++i) out << "<td class=\"n\">" << group_column(g, i) << "</td>";
    out << "<td>" << group_worst(g) << "</td></tr>\n";
  }
  out << "</table>\n";
  if (s.total.failed) {
    out << "<h2>Failures</h2>\n<p>" << esc(kFailuresIntro) << " Click a case to open its exchange.</p>\n";
    for (const auto& c : r.cases)
      if (c.outcome == "FAILED")
        out << "<details class=\"failure\"><summary><span class=\"" << css(c.severity) << "\">"
            << esc(c.severity) << "</span> <b>" << esc(c.name) << "</b>: " << esc(c.cause)
            << "</summary>\n<p>Rule: " << esc(c.rule) << " (source: " << esc(c.source) << ")</p><pre>"
            << esc(c.detail) << "</pre></details>\n";
  }
  if (!r.unused_rules.empty()) {  // as in the Markdown: FILE:LINE: the rule's cells
    out << "<h2>Unused deviation rules</h2>\n<p>" << esc(kUnusedIntro) << "</p>\n<ul id=\"unused-rules\">\n";
    for (const std::string& u : r.unused_rules) out << "<li><code>" << esc(u) << "</code></li>\n";
    out << "</ul>\n";
  }
  out << "<h2>Every case</h2>\n<details><summary>" << r.cases.size()
      << " cases (click to open)</summary>\n<table "
         "id=\"every\"><tr><th>case</th><th>outcome</th><th>class</th>"
      << "<th>rule</th><th>source</th></tr>\n";
  for (const auto& c : r.cases)
    out << "<tr class=\"" << (c.outcome == "FAILED" || c.outcome == "known deviation" ? css(c.severity) : "")
        << "\"><td>" << esc(c.name) << "</td><td>" << esc(outcome_text(c)) << "</td><td>" << esc(c.severity)
        << "</td><td>" << esc(c.rule) << "</td><td>" << esc(c.source) << "</td></tr>\n";
  out << "</table></details>\n</body></html>\n";
}

void write_summary(const Summary& s, std::ostream& out) {
  auto field = [](std::string v) {
    for (char& ch : v)
      if (ch == '\t' || ch == '\n') ch = ' ';
    return v;
  };
  out << "p9conform-summary 1\n";
  out << "page\t" << field(s.page) << "\n";
  out << "target\t" << field(s.target) << "\nprofile\t" << field(s.profile) << "\nverdict\t"
      << field(s.verdict) << "\nworst\t" << s.worst << "\nconformant\t" << (s.conformant ? 1 : 0) << "\n";
  for (const auto& [name, g] : s.groups) {
    out << "group\t" << field(name);
    for (int i = 0; i < 5; ++i) out << "\t" << group_column(g, i);
    out << "\t" << g.worst << "\n";
  }
}

bool read_summary(std::istream& in, Summary* s, std::string* error) {
  std::string line;
  if (!std::getline(in, line) || line != "p9conform-summary 1") {
    *error = "not a p9conform summary (its first line is not 'p9conform-summary 1')";
    return false;
  }
  *s = Summary{};
  for (int n = 2; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::istringstream ls(line);
    for (std::string x; std::getline(ls, x, '\t');) f.push_back(x);
    if (line.back() == '\t') f.emplace_back();
    if (f.size() == 2 && f[0] == "page") {
      s->page = f[1];
    } else if (f.size() == 2 && f[0] == "target") {
      s->target = f[1];
    } else if (f.size() == 2 && f[0] == "profile") {
      s->profile = f[1];
    } else if (f.size() == 2 && f[0] == "verdict") {
      s->verdict = f[1];
    } else if (f.size() >= 1 && f[0] == "worst") {
      s->worst = f.size() > 1 ? f[1] : "";
    } else if (f.size() == 2 && f[0] == "conformant") {
      s->conformant = f[1] == "1";
    } else if (f.size() == 8 && f[0] == "group") {
      GroupCounts g;
      int* v[] = {&g.passed, &g.failed, &g.skipped, &g.deviations, &g.not_run};
      for (int i = 0; i < 5; ++i) {
        char* end = nullptr;
        long x = std::strtol(f[2 + i].c_str(), &end, 10);
        if (f[2 + i].empty() || *end || x < 0) {
          *error = "line " + std::to_string(n) + ": '" + f[2 + i] + "' is not a count";
          return false;
        }
        *v[i] = static_cast<int>(x);
      }
      Severity sev;
      if (!f[7].empty() && !parse_severity(f[7], &sev)) {
        *error = "line " + std::to_string(n) + ": '" + f[7] + "' is not a class";
        return false;
      }
      g.worst = f[7];
      s->groups[f[1]] = g;
      add(s->total, g);
    } else {
      *error = "line " + std::to_string(n) + " is not 'key<TAB>value' nor a group line: " + line;
      return false;
    }
  }
  if (s->target.empty()) {
    *error = "no target line";
    return false;
  }
  return true;
}

void write_matrix(const std::vector<Summary>& servers, std::ostream& out) {
  html_head(out, "p9conform: servers side by side");
  out << "<p>Each cell: the group's worst class (its colour), then passed / failed / known deviations "
         "(and skipped, not run when any). A server's name opens its certificate.</p>\n";
  html_legend(out);
  std::map<std::string, bool> groups;
  for (const Summary& s : servers)
    for (const auto& [name, g] : s.groups) groups[name] = true;
  auto counts = [](const GroupCounts& g) {
    std::string t =
        std::to_string(g.passed) + " / " + std::to_string(g.failed) + " / " + std::to_string(g.deviations);
    if (g.skipped) t += ", " + std::to_string(g.skipped) + " skipped";
    if (g.not_run) t += ", " + std::to_string(g.not_run) + " not run";
    return t;
  };
  // One row per line (the test reads them).
  auto td = [&](const GroupCounts& g) {
    return "<td class=\"" + group_css(g) + "\">" + group_worst(g) + "<br>" + counts(g) + "</td>";
  };
  out << "<table id=\"matrix\"><tr><th>group</th>";
  // Each server's name links to its certificate, next to this page (certify.sh writes both there).
  for (const Summary& s : servers)
    out << "<th>"
        << (s.page.empty() ? esc(s.target) : "<a href=\"" + esc(s.page) + "\">" + esc(s.target) + "</a>")
        << "</th>";
  out << "</tr>\n<tr><th>verdict</th>";
  for (const Summary& s : servers)
    out << "<td class=\"" << css(s.worst) << "\">" << esc(s.verdict) << "</td>";
  out << "</tr>\n";
  for (const auto& [name, present] : groups) {
    out << "<tr data-group=\"" << esc(name) << "\"><th>" << esc(name) << "</th>";
    for (const Summary& s : servers) {
      auto g = s.groups.find(name);
      out << (g == s.groups.end() ? "<td>not run</td>" : td(g->second));
    }
    out << "</tr>\n";
  }
  out << "<tr data-group=\"total\"><th>total</th>";
  for (const Summary& s : servers) out << td(s.total);
  out << "</tr>\n</table>\n</body></html>\n";
}

std::string sibling_path(const std::string& markdown_path, const std::string& extension) {
  std::string base = markdown_path;
  if (base.size() > 3 && base.compare(base.size() - 3, 3, ".md") == 0) base.resize(base.size() - 3);
  return base + extension;
}

}  // namespace p9::conformance
