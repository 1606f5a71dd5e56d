// A 9P session held twice: against the server under test (any Target of
// conformance/harness/target.h) and against the oracle, the reference server
// core over a fresh p9::model::Model in this process. Every request is sent to
// both; the replies are compared with the shared normaliser
// (conformance/diff/normalize.h). The target's side is recorded as a trace
// (traces/FORMAT.md) so a counterexample can be written out and replayed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "conformance/client/client.h"
#include "conformance/diff/normalize.h"
#include "conformance/harness/target.h"
#include "reference/model/model.h"
#include "reference/server/session.h"

namespace p9::prop {

// Thrown (through RC_FAIL) when the two sides disagree.
class FsPair {
 public:
  // Connects to the target, negotiates, and creates a fresh directory
  // `case_dir` in the target's export (and the model's root); fid kCaseFid is
  // that directory on both sides. Returns "" or why it could not start.
  std::string start(conformance::Target& target, const std::string& case_dir);

  static constexpr std::uint32_t kRootFid = 0;  // the attached export root
  static constexpr std::uint32_t kCaseFid = 1;  // the case's own directory

  struct Replies {
    Message ref, tgt;
    bool ok() const { return !std::holds_alternative<msg::Rlerror>(ref); }
  };
  // Sends one request to both sides and compares the replies (fails the
  // property on a difference).
  Replies rpc(const Message& request);
  // The same request with fields the servers chose (readdir offsets):
  // compares nothing; the caller does.
  Replies rpc2(const Message& ref_request, const Message& tgt_request);

  // Records a divergence (with the model's reply as a note) and fails.
  [[noreturn]] void fail(const std::string& why, const Message& ref, const Message& tgt);

  // The recorded trace of the target's side (traces/FORMAT.md).
  std::string trace_text(const std::string& target_name) const;
  // Writes the trace to $P9_COUNTEREXAMPLE_DIR/<file>; returns its path ("" on failure).
  std::string write_trace(const std::string& file, const std::string& target_name) const;

 private:
  Message oracle(const Frame& f);
  Message target(const Frame& f);
  void note(const std::string& line) { lines_.push_back("# note: " + line); }

  std::unique_ptr<client::Client> client_;
  model::Model model_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<server::Session> session_;
  diff::QidMap qids_;
  std::uint16_t tag_ = 1;
  std::vector<std::string> lines_;
  std::size_t frames_ = 0;
};

// Where counterexamples go: $P9_COUNTEREXAMPLE_DIR, else the build's default.
std::string counterexample_dir();

}  // namespace p9::prop
