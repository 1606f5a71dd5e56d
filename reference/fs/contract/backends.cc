// The backends the contract suite runs on in this build: one line each.
#include <cstdlib>
#include <filesystem>
#include <string>

#include "opfs/store/local_files.h"
#include "opfs/store/store.h"
#include "reference/fs/contract/contract.h"
#include "reference/fs/forwarding.h"
#include "reference/model/model.h"
#include "reference/posix/posix_backend.h"

namespace p9::fs::contract {
namespace {

Store model_store() { return {std::make_unique<model::Model>(), {}}; }

// The model behind fs::Forwarding: every call must reach the inner backend
// unchanged (a wrapper that overrides one method relies on the rest).
Store forwarding_store() { return {std::make_unique<Forwarding>(std::make_shared<model::Model>()), {}}; }

// A fresh temporary directory behind posix:DIR, removed afterwards.
Store posix_store() {
  const char* t = std::getenv("TMPDIR");
  std::string dir = std::string(t != nullptr && *t != '\0' ? t : "/tmp") + "/p9contract.XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) return {};
  std::string err;
  auto b = posix::PosixBackend::open(dir, &err);
  if (!b) ADD_FAILURE() << err;
  return {std::move(b), [dir] {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
          }};
}

// The OPFS store (opfs/store/) on files in memory.
Store opfs_store() {
  std::string err;
  auto m = opfs::open_store(std::make_shared<opfs::MemFiles>(), {}, nullptr, &err);
  if (!m) ADD_FAILURE() << err;
  return {std::move(m), {}};
}

}  // namespace

const std::vector<BackendFactory>& backends() {
  static const std::vector<BackendFactory> all = {
      {"model", model_store},
      {"forwarding", forwarding_store},
      {"posix", posix_store},
      {"opfs", opfs_store},
  };
  return all;
}

}  // namespace p9::fs::contract
