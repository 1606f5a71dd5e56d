// The one reader of deviation lists: conformance/deviations.md (the
// conformance runner and the differential mode), traces/deviations.md
// (p9trace replay) and property-tests/diod-deviations.md (the stateful
// property). What a row means is each reader's business; this file only
// says how the rows are written and which targets a row names.
//
// A deviation list is a Markdown file. Every table in it is a list of rows
// under one header, the one its reader asks for (the header row's cells,
// in order); prose, headings and blank lines between tables are ignored.
// Every row has exactly as many cells as the header, none of them empty; a
// cell wrapped in `backticks` is read without them.
//
// Rule rows (kRuleHeader) match by what happened rather than by case or
// trace: a target, the request's type, the reply the reference gives and the
// reply the server gives (parse_rule, rule_matches). Every list may hold rule
// tables beside its own; the conformance runner and p9trace replay apply them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace p9::deviations {

struct Row {
  int line = 0;                    // in the file, from 1
  std::vector<std::string> cells;  // one per column of the header
  int table = 0;                   // which of the headers read_tables was given
};

// Reads every row of the list at `path`. False and *error ("PATH:LINE: what
// is wrong") when the file cannot be read, a table has another header, or a
// row is malformed.
bool read(const std::string& path, const std::vector<std::string>& header, std::vector<Row>* rows,
          std::string* error);
// The same for a list whose tables may have any of `headers`.
bool read_tables(const std::string& path, const std::vector<std::vector<std::string>>& headers,
                 std::vector<Row>* rows, std::string* error);

// ---- rules ----

// The header of a rule table.
//   target:          as every target cell (names())
//   request:         a request type ("Twalk"), or "*", optionally followed by
//                    a qualifier (kQualifiers) that must hold too
//   reference reply: what the reference answers, server reply: what the
//                    target answers; each a pattern, or several separated by
//                    commas (any of them): "*" (any reply), "Rwalk" or
//                    "Rwalk *" (a reply of that type), "Rlerror ENOENT",
//                    "Rlerror *" (any error), "no reply"
//   class:           a class of conformance/harness/severity.h
//   reason:          for people (printed with each match)
extern const std::vector<std::string> kRuleHeader;

// Qualifiers of a rule's request cell, each something its reader can tell
// about a request beyond its type:
//   stale-fid   the request's fid (its first fid field) was walked to a file
//               whose name, or a directory name above it, has since been
//               renamed or unlinked: what servers whose fids are host paths
//               get wrong (fid_names.h: p9trace replay follows the recorded
//               session, the conformance runner a case's own exchanges)
extern const std::vector<std::string> kQualifiers;

struct Rule {
  std::string file;
  int line = 0;
  std::string target;                          // a target cell
  std::string request;                         // the cell as written
  std::string type;                            // "Twalk" or "*"
  std::string qualifier;                       // "" or one of kQualifiers
  std::vector<std::string> reference, server;  // reply patterns, any of which matches
  std::string severity;                        // a class name (severity_name)
  std::string reason;
  std::string where() const { return file + ":" + std::to_string(line); }
  // "target | request | reference reply | server reply | class" as written.
  std::string text() const;
};

// A row of a rule table as a rule; false + *error ("PATH:LINE: what is
// wrong") when a cell says nothing a rule can match (an unknown message type,
// errno, qualifier or class).
bool parse_rule(const std::string& path, const Row& row, Rule* out, std::string* error);

// A reply as rules see it: "Rlerror ENOENT" (an error), "Rgetattr" (any
// other reply: its type), "" (no reply came: type 0).
std::string reply_text(std::uint8_t type, std::uint32_t ecode);

// A request as rules see it: its type name and the qualifiers that hold for it.
struct RuleRequest {
  std::string type;                     // "Twalk"
  std::vector<std::string> qualifiers;  // of kQualifiers
};

// True when `rule` names `target_id` and matches the request and the two
// replies (reply_text).
bool rule_matches(const Rule& rule, const std::string& target_id, const RuleRequest& request,
                  const std::string& reference_reply, const std::string& server_reply);

// A target cell names one or more targets, separated by commas: a target's
// deviation id ("diod", "p9ref-posix", "differential:diod"), "*" (every
// target) or a prefix ending in "*". True when `cell` names `id`.
bool names(const std::string& cell, const std::string& id);

}  // namespace p9::deviations
