// A backend with one planted bug, for testing the runner itself (target
// inprocess:planted-invariant-bug, conformance/harness/target.h): the model
// backend, except that making the symbolic link the one case
// Symlink.DanglingTargetIsFine makes (target "no/such/file") leaves its
// invariants broken. The link itself is made and works; only
// check_invariants() says the store is no longer consistent, as a real
// bookkeeping bug would. Each new backend starts consistent.
#pragma once

#include <memory>
#include <string>

#include "reference/fs/forwarding.h"

namespace p9::conformance {

class PlantedInvariantBug : public fs::Forwarding {
 public:
  static constexpr const char* kTrigger = "no/such/file";
  using fs::Forwarding::Forwarding;

  Result<fs::NodeRef> symlink(const fs::Cred& cred, fs::Node& dir, std::string_view name,
                              std::string_view target, std::uint32_t gid) override {
    Result<fs::NodeRef> r = Forwarding::symlink(cred, dir, name, target, gid);
    if (r.ok() && target == kTrigger)
      broken_ = "planted bug: the symlink '" + std::string(name) + "' -> '" + kTrigger +
                "' is counted in no directory (test target inprocess:planted-invariant-bug)";
    return r;
  }
  std::string check_invariants() override {
    std::string inner = Forwarding::check_invariants();
    return inner.empty() ? broken_ : inner + (broken_.empty() ? "" : "; " + broken_);
  }

 private:
  std::string broken_;
};

}  // namespace p9::conformance
