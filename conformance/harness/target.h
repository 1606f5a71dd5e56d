// The server under test. Chosen by P9_TARGET (and P9_ANAME, P9_PROFILE):
//   inprocess:model       the reference server core in this process (default)
//   inprocess:posix       the same core over the posix backend in a fresh temp dir
//   inprocess:planted-invariant-bug[-nofresh]
//                         for the runner's own test: the model with one planted bug
//                         (planted_bug.h); -nofresh cannot make a fresh backend
//   p9ref:model           the p9ref program over TCP (started here, P9REF = its path)
//   p9ref:posix           p9ref with the posix backend in a fresh temp dir
//   diod                  diod from Debian, started here on a free port with a fresh export
//   opfs                  the OPFS build in headless Chromium behind opfs/host/serve.mjs, with a
//                         fresh profile (P9_OPFS_SERVE, P9_OPFS_WEB, P9_CHROMIUM override the paths)
//   tcp:HOST:PORT         any running server (P9_ANAME = the aname to attach)
//   unix:PATH             likewise over a Unix socket
//   start                 the server P9_START starts: a shell command in which {port} is an
//                         unused loopback TCP port and {export} a fresh directory (also
//                         allowed in P9_ANAME); started again after it dies
// Every target started here (all but tcp: and unix:) is started again after
// it dies or stops answering (liveness.h).
// Built-in targets carry their own profile; for others P9_PROFILE says what
// the server does not support: NAME[:nohardlinks,noxattrs,nolocks,nomknod,noownership,nosymlinks,nogroups].
#pragma once

#include <memory>
#include <string>

#include "conformance/client/client.h"
#include "reference/fs/backend.h"

namespace p9::conformance {

class Target {
 public:
  virtual ~Target() = default;
  // A new connection, not yet versioned. nullptr + *error on failure.
  virtual std::unique_ptr<client::Client> connect(std::string* error) = 0;
  virtual std::string name() const = 0;   // "p9ref:model", "diod", "tcp:127.0.0.1:5640"
  virtual std::string aname() const = 0;  // what Tattach carries
  virtual fs::Profile profile() const = 0;
  // Consistency of the backend after a case ("" = fine, or not checkable).
  virtual std::string check_invariants() { return {}; }
  // In-process targets: a new, empty backend of the same kind in place of
  // the current one (after a case broke its invariants): "" or why not.
  virtual std::string fresh_backend() { return "not an in-process target"; }
  // For targets started here: is the process still alive? ("" = yes)
  virtual std::string health() { return {}; }
  // Starts the server again after it died or hung: "" when it accepts
  // connections again, else why not.
  virtual std::string restart() { return "no start command for this target (certify.sh --start, P9_START)"; }
  // The id used in the deviation list: "diod", "p9ref-model", ...
  virtual std::string deviation_id() const = 0;
};

// Builds the target from the environment, starting servers as needed.
// nullptr + *error (one line saying what is missing) when it cannot.
std::unique_ptr<Target> make_target_from_env(std::string* error);

// Parses "NAME[:nohardlinks,...]".
fs::Profile parse_profile(const std::string& text, std::string* error);

}  // namespace p9::conformance
