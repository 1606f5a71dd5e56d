#include "reference/p9ref/backends.h"

#include "reference/model/model.h"
#include "reference/posix/posix_backend.h"

namespace p9::tool {

std::unique_ptr<fs::Backend> make_backend(const std::string& spec, std::string* error) {
  if (spec == "model") return std::make_unique<model::Model>();
  if (spec.rfind("posix:", 0) == 0) {
    std::string dir = spec.substr(6);
    if (dir.empty()) {
      *error = "posix backend needs a directory: posix:DIR";
      return nullptr;
    }
    auto b = posix::PosixBackend::open(dir, error);
    if (!b) return nullptr;
    return b;
  }
  *error = "unknown backend '" + spec + "' (expected model or posix:DIR)";
  return nullptr;
}

}  // namespace p9::tool
