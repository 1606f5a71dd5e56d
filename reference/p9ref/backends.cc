#include "reference/p9ref/backends.h"

#include <cstdio>

#include "opfs/store/local_files.h"
#include "opfs/store/store.h"
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
  // The OPFS store (opfs/store/) outside the browser: its files in memory
  // (opfs-mem), or in a host directory that keeps them (opfs-dir:DIR).
  if (spec == "opfs-mem" || spec.rfind("opfs-dir:", 0) == 0) {
    std::shared_ptr<opfs::Files> files;
    if (spec == "opfs-mem") {
      files = std::make_shared<opfs::MemFiles>();
    } else {
      files = opfs::DirFiles::open(spec.substr(9), error);
      if (!files) return nullptr;
    }
    opfs::OpenReport report;
    auto m = opfs::open_store(files, {}, &report, error);
    if (m && !report.fsck.empty()) std::fprintf(stderr, "p9ref: store repaired: %s\n", report.fsck.c_str());
    return m;
  }
  *error = "unknown backend '" + spec + "' (expected model, posix:DIR, opfs-mem or opfs-dir:DIR)";
  return nullptr;
}

}  // namespace p9::tool
