// A server process started by the suite: its command line with {port} (an
// unused loopback TCP port) and {dir} substituted, its output in a log file,
// in a process group of its own so that stopping it stops everything it
// started (e.g. the Chromium that opfs/host/serve.mjs launches) and nothing
// else.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace p9::conformance {

class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();  // stop()
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts argv; `port` 0 picks an unused one. The log is appended to.
  bool start(std::vector<std::string> argv, const std::string& dir, const std::string& log, int port,
             std::string* error);
  // Waits until it accepts a TCP connection on its port (up to timeout_ms);
  // false, with the reason and the log's tail, if it exited or never did.
  bool wait_ready(int timeout_ms, std::string* error);
  // Signals the whole group and reaps the leader.
  void kill_group(int sig);
  // SIGTERM to the whole group, SIGKILL to what is left after wait_ms.
  void stop(int wait_ms = 1000);
  // Empty while running, else how it ended.
  std::string health();

  int port() const { return port_; }
  std::string address() const { return "tcp:127.0.0.1:" + std::to_string(port_); }
  const std::string& log() const { return log_; }
  std::string log_tail(std::size_t bytes = 2000) const;

  static int unused_port();

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_;
  std::string exited_;
};

}  // namespace p9::conformance
