// Backend selection by name for p9ref and the tests: "model" or "posix:DIR".
#pragma once

#include <memory>
#include <string>

#include "reference/fs/backend.h"

namespace p9::tool {
// Returns nullptr and sets *error (one line, names the problem) on failure.
std::unique_ptr<fs::Backend> make_backend(const std::string& spec, std::string* error);
}  // namespace p9::tool
