// The server's limits: the server-wide fid cap (Options::max_total_fids,
// ENFILE), the connection cap of listen_and_serve (Options::max_connections,
// EUSERS) and accept(2) running out of descriptors (EMFILE): the listener
// must wait instead of spinning, and serve again once descriptors are back.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "reference/model/model.h"
#include "reference/transport/transport.h"

namespace p9 {
namespace {

// ---- frames over an in-memory session ----

Frame call(server::Session& s, Message body, std::uint16_t tag = 1) {
  std::vector<std::uint8_t> in = encode(Frame{tag, std::move(body)});
  std::vector<std::uint8_t> out;
  s.handle(in.data(), in.size(), out);
  Decoded d = decode(out, Expect::Reply, s.msize());
  EXPECT_TRUE(d.ok());
  return d.frame;
}

// The errno of an Rlerror, 0 for any other reply.
std::uint32_t ecode(const Frame& f) {
  const auto* e = std::get_if<msg::Rlerror>(&f.body);
  return e ? e->ecode : 0;
}

void handshake(server::Session& s, std::uint32_t fid) {
  call(s, msg::Tversion{8192, "9P2000.L"}, NOTAG);
  ASSERT_EQ(ecode(call(s, msg::Tattach{fid, NOFID, "", "", 0})), 0u);
}

TEST(Limits, ServerWideFidCapIsENFILEAcrossConnections) {
  model::Model backend;
  std::vector<std::string> logged;
  server::Options o;
  o.max_total_fids = 3;
  o.log_sink = [&](const std::string& l) { logged.push_back(l); };
  server::Server srv(backend, o);
  {
    server::Session a(srv, 1), b(srv, 2);
    handshake(a, 10);                                        // 1 fid
    handshake(b, 20);                                        // 2
    EXPECT_EQ(ecode(call(a, msg::Twalk{10, 11, {}})), 0u);   // 3: the cap
    EXPECT_EQ(ecode(call(b, msg::Twalk{20, 21, {}})), 23u);  // ENFILE, on the other connection too
    EXPECT_EQ(ecode(call(a, msg::Twalk{10, 12, {}})), 23u);  // still
    EXPECT_EQ(srv.fids_in_use(), 3u);
    EXPECT_EQ(ecode(call(a, msg::Tclunk{11})), 0u);         // one given back
    EXPECT_EQ(ecode(call(b, msg::Twalk{20, 21, {}})), 0u);  // room again
    ASSERT_EQ(logged.size(), 1u) << "one line for the episode at the cap";
    EXPECT_NE(logged[0].find("ENFILE"), std::string::npos) << logged[0];
    EXPECT_NE(logged[0].find("--max-total-fids 3"), std::string::npos) << logged[0];
    // A new Tversion drops the session's fids (intro(5) version): counted.
    call(a, msg::Tversion{8192, "9P2000.L"}, NOTAG);
    EXPECT_EQ(srv.fids_in_use(), 2u);
  }
  EXPECT_EQ(srv.fids_in_use(), 0u) << "closed sessions give their fids back";
}

// ---- frames over sockets ----

bool send_frame(int fd, const Frame& f) {
  std::vector<std::uint8_t> b = encode(f);
  return ::send(fd, b.data(), b.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(b.size());
}

// One reply frame within timeout_ms; an empty optional on timeout or EOF.
std::optional<Frame> read_frame(int fd, int timeout_ms) {
  std::vector<std::uint8_t> b;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (b.size() >= 4) {
      std::uint32_t len = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
      if (b.size() >= len) {
        Decoded d = decode(b.data(), len, Expect::Reply, 1u << 20);
        if (!d.ok()) return std::nullopt;
        return d.frame;
      }
    }
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now())
            .count());
    if (left <= 0) return std::nullopt;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, left) <= 0) continue;
    std::uint8_t chunk[4096];
    ssize_t r = ::read(fd, chunk, sizeof chunk);
    if (r <= 0) return std::nullopt;
    b.insert(b.end(), chunk, chunk + r);
  }
}

// A connection to port that sent Tversion; -1 when connect failed.
int connect_and_version(int port) {
  transport::Address a;
  std::string err;
  EXPECT_TRUE(transport::parse_address("tcp:127.0.0.1:" + std::to_string(port), &a, &err)) << err;
  int fd = transport::connect_to(a, &err);
  if (fd < 0) return -1;
  send_frame(fd, Frame{NOTAG, msg::Tversion{8192, "9P2000.L"}});
  return fd;
}

bool answered_rversion(int fd, int timeout_ms) {
  auto f = read_frame(fd, timeout_ms);
  return f && std::holds_alternative<msg::Rversion>(f->body);
}

transport::Address loopback() {
  transport::Address a;
  std::string err;
  EXPECT_TRUE(transport::parse_address("tcp:127.0.0.1:0", &a, &err)) << err;
  return a;
}

TEST(Limits, ConnectionsOverTheCapAreAnsweredEUSERSAndLogged) {
  model::Model backend;
  std::mutex mu;
  std::vector<std::string> logged;
  server::Options o;
  o.max_connections = 1;
  o.log_sink = [&](const std::string& l) {
    std::lock_guard<std::mutex> g(mu);
    logged.push_back(l);
  };
  server::Server srv(backend, o);
  std::atomic<bool> stop{false};
  std::atomic<int> port{0};
  std::thread t([&] { transport::listen_and_serve(srv, loopback(), stop, [&](int p) { port = p; }); });
  for (int i = 0; i < 500 && port == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_NE(port.load(), 0);

  int first = connect_and_version(port);
  ASSERT_GE(first, 0);
  EXPECT_TRUE(answered_rversion(first, 5000));
  int second = connect_and_version(port);
  ASSERT_GE(second, 0);
  auto r = read_frame(second, 5000);
  ASSERT_TRUE(r.has_value()) << "the refused connection gets an answer";
  EXPECT_EQ(r->tag, NOTAG);
  EXPECT_EQ(ecode(*r), 87u) << "EUSERS";
  EXPECT_FALSE(read_frame(second, 2000).has_value()) << "and is closed";
  ::close(second);
  ::close(first);
  // The slot is free again once the first connection ended.
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    int again = connect_and_version(port);
    served = answered_rversion(again, 2000);
    ::close(again);
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(served);
  stop = true;
  t.join();
  std::lock_guard<std::mutex> g(mu);
  std::string all;
  for (const auto& l : logged) all += l + "\n";
  EXPECT_NE(all.find("connection refused (EUSERS)"), std::string::npos) << all;
  EXPECT_NE(all.find("--max-connections 1"), std::string::npos) << all;
}

// CPU time (user + system) of a process, in seconds (proc(5) stat fields 14, 15).
double cpu_seconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::size_t close_paren = s.rfind(')');
  if (close_paren == std::string::npos) return -1;
  std::istringstream rest(s.substr(close_paren + 2));  // from field 3 (state)
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::atomic<bool> g_child_stop{false};
extern "C" void on_term(int) { g_child_stop = true; }

// The listener in a child whose RLIMIT_NOFILE leaves room for only a few
// connections: further ones wait in the backlog and accept(2) fails with
// EMFILE. The child must not spin (the test measures its CPU time while it
// is out of descriptors) and must serve the waiting connection once the
// served ones close.
TEST(Limits, AcceptOutOfDescriptorsWaitsInsteadOfSpinningAndRecovers) {
  char log_path[] = "/tmp/p9limits-XXXXXX";
  int log_fd = ::mkstemp(log_path);
  ASSERT_GE(log_fd, 0);
  int ports[2];
  ASSERT_EQ(::pipe(ports), 0);
  std::fflush(nullptr);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(ports[0]);
    struct sigaction sa {};
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, nullptr);
    // Only stdio, the log and the pipe stay open (whatever the test runner
    // left open is closed); then room for the listening socket and two
    // connections: the lowest free descriptor numbers below the limit.
    for (int fd = 3; fd < 4096; ++fd)
      if (fd != log_fd && fd != ports[1]) ::close(fd);
    int highest = 0, open_below = 0;
    for (int fd = 0; fd < 4096; ++fd)
      if (::fcntl(fd, F_GETFD) >= 0) highest = fd, ++open_below;
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    rlim_t limit = static_cast<rlim_t>(highest) + 1;
    while (limit - static_cast<rlim_t>(open_below) < 3) ++limit;
    rl.rlim_cur = limit;
    if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) ::_exit(90);
    model::Model backend;
    server::Options o;
    o.log_sink = [log_fd](const std::string& l) {
      std::string line = l + "\n";
      (void)!::write(log_fd, line.data(), line.size());
    };
    server::Server srv(backend, o);
    int rc = transport::listen_and_serve(srv, loopback(), g_child_stop, [&](int p) {
      (void)!::write(ports[1], &p, sizeof p);
      ::close(ports[1]);
    });
    ::_exit(rc);
  }
  ::close(ports[1]);
  // Whatever happens below, the child does not outlive the test.
  struct Reaper {
    pid_t pid;
    ~Reaper() {
      if (pid > 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
      }
    }
  } reaper{pid};
  int port = 0;
  ASSERT_EQ(::read(ports[0], &port, sizeof port), static_cast<ssize_t>(sizeof port));
  ::close(ports[0]);

  // Connections until one is not served: the child is out of descriptors.
  std::vector<int> served;
  int waiting = -1;
  for (int i = 0; i < 8 && waiting < 0; ++i) {
    int fd = connect_and_version(port);
    ASSERT_GE(fd, 0);
    if (answered_rversion(fd, 1500))
      served.push_back(fd);
    else
      waiting = fd;
  }
  ASSERT_GE(waiting, 0) << "the child never ran out of descriptors";
  EXPECT_FALSE(served.empty());

  double before = cpu_seconds(pid);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  double used = cpu_seconds(pid) - before;
  EXPECT_LT(used, 0.3) << "the listener used " << used << " s of CPU in 2 s while accept failed";

  for (int fd : served) ::close(fd);
  EXPECT_TRUE(answered_rversion(waiting, 5000))
      << "the waiting connection is served once descriptors are back";
  ::close(waiting);

  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  reaper.pid = 0;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  std::ifstream f(log_path);
  std::string log((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ::close(log_fd);
  ::unlink(log_path);
  EXPECT_NE(log.find("accept: Too many open files"), std::string::npos) << log;
  EXPECT_NE(log.find("accept works again"), std::string::npos) << log;
}

}  // namespace
}  // namespace p9
