// Planted bugs: the reference model with one behaviour broken on purpose,
// each a small fs::Forwarding wrapper (reference/fs/forwarding.h). They give
// `p9trace reduce` known bugs to find (target inprocess:bug:NAME) and its
// tests a fixed answer.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "reference/fs/backend.h"

namespace p9::trace {

struct PlantedBug {
  const char* name;
  const char* what;   // the bug, one line
  const char* trace;  // a committed trace (traces/corpus/) on which it shows
};
const std::vector<PlantedBug>& planted_bugs();

// The model with bug `name`; nullptr + *error (naming the known bugs) when unknown.
std::unique_ptr<fs::Backend> make_planted(const std::string& name, std::string* error);

}  // namespace p9::trace
