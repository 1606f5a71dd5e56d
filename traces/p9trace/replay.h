// The replayer of p9trace (traces/FORMAT.md, "Replay"), shared by `replay`
// and `reduce`: sends a recorded session's requests to a target in causal
// order and compares each reply with the recorded one after normalisation.
// Targets are reached through Links: a socket (any conformance target) or,
// in process, a server::Session called directly (no socket, no thread).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conformance/deviations/deviation_list.h"
#include "reference/codec/codec.h"
#include "traces/p9trace/trace.h"

namespace p9::trace {

// One connection to the server under replay.
class Link {
 public:
  virtual ~Link() = default;
  virtual bool send(const Frame& f) = 0;
  // The recorded bytes of a request sent unchanged.
  virtual bool send_bytes(const std::vector<std::uint8_t>& bytes) = 0;
  // One reply; empty when none came within timeout_ms (last_error() then
  // starts with "no reply within") or the connection is over (any other error).
  virtual std::optional<Frame> receive(int timeout_ms) = 0;
  virtual const std::string& last_error() const = 0;
};

class ReplayTarget {
 public:
  virtual ~ReplayTarget() = default;
  virtual std::unique_ptr<Link> connect(std::string* error) = 0;
  virtual std::string name() const = 0;
  virtual std::string aname() const = 0;
  virtual std::string deviation_id() const = 0;
  virtual std::string check_invariants() { return {}; }
};

// The target names replay and reduce accept (for usage lines).
extern const char* const kTargetNames;

// How to reach a target, from the command line.
struct TargetSpec {
  std::string spec;   // inprocess:model, inprocess:bug:NAME, p9ref:posix, tcp:H:P, ... ("" with start)
  std::string start;  // --start 'CMD {port} {export}': a fresh server (and export) per target
  std::string aname;
  bool have_aname = false;
  bool direct = false;  // --inprocess: inprocess:* targets without a socket
  std::string p9ref;    // the p9ref program for p9ref:* targets
  std::string profile;  // --profile NAME[:features] (as P9_PROFILE) of a tcp:, unix: or --start target:
                        // its name is the target's deviation id
};
// A fresh target (a fresh backend or a freshly started server, except for
// tcp: and unix:, which are whatever is running). nullptr + *error when not.
std::unique_ptr<ReplayTarget> make_replay_target(const TargetSpec& spec, std::string* error);
// The option parser of replay and reduce: consumes --target, --aname,
// --inprocess, --p9ref, --start, --profile at args[i]; false when args[i] is none of them.
bool parse_target_option(const char* cmd, const std::vector<std::string>& args, std::size_t& i,
                         TargetSpec* t);

// A row of traces/deviations.md.
struct Deviation {
  std::string trace, target, message, observed, reason;
};
// The rows of a trace deviation list and its rule rows (deviations::kRuleHeader).
struct DeviationList {
  std::vector<Deviation> rows;
  std::vector<deviations::Rule> rules;
};
bool read_deviations(const std::string& path, DeviationList* out, std::string* error);
// The trace and (when devs_path is not empty) the deviation list, saying on
// stderr why not ("p9trace CMD: ...").
bool read_inputs(const char* cmd, const std::string& trace_path, const std::string& devs_path, Trace* t,
                 DeviationList* devs);

struct Divergence {
  int conn = 0;
  std::size_t req = kNone, reply = kNone;
  std::string reason, recorded, replayed;
  std::string known;  // reason from the deviation list, if listed (a rule: "rule FILE:LINE (...): reason")
  std::size_t cause = kNone;         // index (in divergences) of the earlier divergence this one follows from
  std::vector<std::string> context;  // the connection's previous exchanges (first unknown one only)
  std::optional<Frame> actual;       // the replayed reply, when one came
};

// What diverged, without numbers that vary: "Tgetattr: reply differs in
// mode", "Twalk: errno differs (recorded ENOENT, replayed EEXIST)". reduce
// keeps a candidate only when its first divergence has the same kind.
std::string divergence_kind(const Trace& t, const Divergence& d);
// Each field of a message as a C++ literal (for generated cases), in wire order.
std::vector<std::pair<std::string, std::string>> field_literals(const Message& m);

struct ReplayOptions {
  std::string aname;
  DeviationList devs;
  int timeout_ms = 10000;
  bool verbose = false;
  bool quiet = false;                       // print nothing (reduce)
  bool stop_at_first = false;               // stop at the first divergence that is not listed
  const std::vector<bool>* keep = nullptr;  // by record index: the requests to send (all when null)
  bool keep_replies = false;                // fill ReplayResult::replies
};

struct ReplayResult {
  std::size_t requests = 0, compared = 0, matched = 0, extra = 0, refused = 0;
  std::vector<Divergence> divergences;
  std::map<std::size_t, Frame> replies;  // request index -> replayed reply (keep_replies)
  std::string invariants;                // the target's broken invariants after the replay
  // The rules that apply to this replay (naming the target, or the recorded
  // server on another target) and matched no divergence.
  std::vector<const deviations::Rule*> unused_rules;
  std::size_t unknown() const;
  const Divergence* first_unknown() const;
};

ReplayResult replay(const Trace& t, ReplayTarget& target, const ReplayOptions& options);

}  // namespace p9::trace
