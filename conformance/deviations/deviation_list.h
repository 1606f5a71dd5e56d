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
#pragma once

#include <string>
#include <vector>

namespace p9::deviations {

struct Row {
  int line = 0;                    // in the file, from 1
  std::vector<std::string> cells;  // one per column of the header
};

// Reads every row of the list at `path`. False and *error ("PATH:LINE: what
// is wrong") when the file cannot be read, a table has another header, or a
// row is malformed.
bool read(const std::string& path, const std::vector<std::string>& header, std::vector<Row>* rows,
          std::string* error);

// A target cell names one or more targets, separated by commas: a target's
// deviation id ("diod", "p9ref-posix", "differential:diod"), "*" (every
// target) or a prefix ending in "*". True when `cell` names `id`.
bool names(const std::string& cell, const std::string& id);

}  // namespace p9::deviations
