// What the runner knows about the server's life across cases: each time it
// died (exited, refused connections, or stopped answering), during which
// case, with the frames that case exchanged; whether it was started again;
// which request types it never answers. A server that is down for good ends
// the run's checks: later cases report "not run", not as its failures.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "conformance/client/client.h"
#include "conformance/harness/target.h"

namespace p9::conformance {

// How long a case waits for each reply: P9_TIMEOUT seconds (default 5).
inline constexpr int kDefaultTimeoutMs = 5000;
int request_timeout_ms();
// How many times a dead server is started again: P9_RESTARTS (default 50).
inline constexpr int kDefaultRestarts = 50;
// Parses P9_TIMEOUT and P9_RESTARTS; false + *error when one is malformed.
bool init_liveness(std::string* error);

// The request types this run's server left unanswered (every connection the
// runner makes reports to it).
const std::shared_ptr<client::Unanswered>& unanswered();
// A new connection to the target with the run's timeout, watched by unanswered().
std::unique_ptr<client::Client> connect_watched(Target& t, std::string* error);

// "" when the target answers a fresh connection (Tversion, Tattach, Tclunk),
// else how it is down: "exited with status 1", "was killed by signal 6
// (Aborted)", "refuses connections (...)", "stopped answering (...)".
std::string server_down(Target& t);

struct Death {
  std::string during;    // the case it died in: "Suite.Case" (or "before Suite.Case")
  std::string how;       // as server_down() says
  std::string exchange;  // what the case's connections exchanged, last frames
  std::string restart;   // "restarted" or why not
};
const std::vector<Death>& deaths();
// Records a death and starts the server again when the target can and the
// restart budget allows; returns the record.
const Death& record_death(Target& t, std::string during, std::string how, std::string exchange);
// "" while cases can run; else why they cannot ("the server died during X (...); not restarted: ...").
const std::string& server_gone();
// Where it died for good (Death::during), "" while cases can run: later cases are its follow-ons.
const std::string& gone_during();

}  // namespace p9::conformance
