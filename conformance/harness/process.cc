#include "conformance/harness/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "conformance/client/client.h"

namespace p9::conformance {

int ServerProcess::unused_port() {  // bind port 0, read the port, release it
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0)
    port = ntohs(sa.sin_port);
  ::close(fd);
  return port;
}

ServerProcess::~ServerProcess() { stop(); }

bool ServerProcess::start(std::vector<std::string> argv, const std::string& dir, const std::string& log,
                          int port, std::string* error) {
  port_ = port ? port : unused_port();
  log_ = log;
  exited_.clear();
  for (auto& a : argv) {
    for (std::size_t p; (p = a.find("{port}")) != std::string::npos;) a.replace(p, 6, std::to_string(port_));
    for (std::size_t p; (p = a.find("{dir}")) != std::string::npos;) a.replace(p, 5, dir);
  }
  pid_ = ::fork();
  if (pid_ < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid_ == 0) {
    ::setpgid(0, 0);  // a group of its own: kill_group() reaches its children too
    int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  ::setpgid(pid_, pid_);  // also from here: no race with the child's own call
  return true;
}

bool ServerProcess::wait_ready(int timeout_ms, std::string* error) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!health().empty()) {
      *error = "the server " + exited_ + "; its log (" + log_ + ") ends:\n" + log_tail();
      return false;
    }
    if (client::Client::connect(address(), &last)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  *error = "the server did not accept connections on " + address() + " within " +
           std::to_string(timeout_ms / 1000.0) + " s (" + last + "); its log (" + log_ + ") ends:\n" +
           log_tail();
  return false;
}

void ServerProcess::kill_group(int sig) {
  if (pid_ <= 0) return;
  ::kill(-pid_, sig);  // our own group only
  if (sig == SIGKILL) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exited_ = "was killed (SIGKILL)";
    pid_ = -1;
  }
}

void ServerProcess::stop(int wait_ms) {
  if (pid_ <= 0) return;
  pid_t group = pid_;
  ::kill(-group, SIGTERM);
  for (int i = 0; i < wait_ms / 20 && pid_ > 0; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) pid_ = -1;
    if (pid_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-group, SIGKILL);  // whatever is left of the group (the leader may be gone)
  if (pid_ > 0) ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string ServerProcess::health() {
  if (pid_ <= 0) return exited_.empty() ? "not running" : exited_;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    exited_ = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                : "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                                      ::strsignal(WTERMSIG(status)) + ")";
    return exited_;
  }
  return {};
}

std::string ServerProcess::log_tail(std::size_t bytes) const {
  std::ifstream in(log_, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > bytes ? s.substr(s.size() - bytes) : s;
}

}  // namespace p9::conformance
