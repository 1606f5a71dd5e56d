#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <list>
#include <mutex>
#include <thread>

#include "reference/transport/transport.h"

namespace p9::transport {

bool parse_address(const std::string& text, Address* out, std::string* error) {
  if (text == "stdio") {
    out->kind = Address::Kind::Stdio;
    return true;
  }
  if (text.rfind("unix:", 0) == 0) {
    out->kind = Address::Kind::Unix;
    out->path = text.substr(5);
    if (out->path.empty() || out->path.size() >= sizeof(sockaddr_un{}.sun_path)) {
      *error = "unix socket path empty or too long: " + text;
      return false;
    }
    return true;
  }
  if (text.rfind("tcp:", 0) == 0) {
    std::string rest = text.substr(4);
    std::size_t colon = rest.rfind(':');
    if (colon == std::string::npos) {
      *error = "expected tcp:HOST:PORT, got " + text;
      return false;
    }
    out->kind = Address::Kind::Tcp;
    out->host = rest.substr(0, colon);
    std::string port = rest.substr(colon + 1);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
        std::stoi(port) > 65535) {
      *error = "bad port in " + text;
      return false;
    }
    out->port = std::stoi(port);
    in_addr a{};
    if (inet_pton(AF_INET, out->host.c_str(), &a) != 1) {
      *error = "expected a numeric IPv4 host in " + text;
      return false;
    }
    return true;
  }
  *error = "unknown address '" + text + "' (expected tcp:HOST:PORT, unix:PATH or stdio)";
  return false;
}

namespace {
int make_socket(const Address& a, bool listen_side, std::string* error) {
  int fd = ::socket(a.kind == Address::Kind::Tcp ? AF_INET : AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  int rc;
  if (a.kind == Address::Kind::Tcp) {
    int one = 1;
    if (listen_side) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(a.port));
    inet_pton(AF_INET, a.host.c_str(), &sa.sin_addr);
    rc = listen_side ? ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa)
                     : ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  } else {
    sockaddr_un su{};
    su.sun_family = AF_UNIX;
    std::strncpy(su.sun_path, a.path.c_str(), sizeof su.sun_path - 1);
    if (listen_side) ::unlink(a.path.c_str());  // a stale socket file from an earlier run
    rc = listen_side ? ::bind(fd, reinterpret_cast<sockaddr*>(&su), sizeof su)
                     : ::connect(fd, reinterpret_cast<sockaddr*>(&su), sizeof su);
  }
  if (rc < 0) {
    *error = std::string(listen_side ? "bind: " : "connect: ") + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}
}  // namespace

int connect_to(const Address& address, std::string* error) { return make_socket(address, false, error); }

int listen_and_serve(server::Server& server, const Address& address, const std::atomic<bool>& stop,
                     const std::function<void(int port)>& ready) {
  return listen_and_serve(
      [&server]() -> std::unique_ptr<server::FrameHandler> {
        return std::make_unique<server::Session>(server, server.next_connection_id());
      },
      address, stop, ready,
      [&server](const std::string& line) {
        if (server.options().log || line.rfind("connection ", 0) != 0) server.log(line);
      },
      server.options().max_connections);
}

namespace {

// A connection over the cap: its first request (Linux's Tversion) is answered
// with Rlerror EUSERS ("Too many users") on its tag, so that the client's
// mount fails with that error rather than a bare disconnect; then the
// connection is closed. The request is waited for at most kRefuseWait.
constexpr int kRefuseWaitMs = 2000;
void refuse(int fd) {
  timeval tv{kRefuseWaitMs / 1000, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::uint8_t head[7];
  std::size_t have = 0;
  while (have < sizeof head) {
    ssize_t r = ::read(fd, head + have, sizeof head - have);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    have += static_cast<std::size_t>(r);
  }
  if (have == sizeof head) {
    std::uint16_t tag = static_cast<std::uint16_t>(head[5] | (head[6] << 8));  // size[4] type[1] tag[2]
    std::vector<std::uint8_t> out;
    encode_append(Frame{tag, msg::Rlerror{static_cast<std::uint32_t>(Errno::USERS)}}, out);
    (void)::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
  }
  ::shutdown(fd, SHUT_RDWR);
}

// accept(2) failures that say the process or system is out of a resource
// (EMFILE, ENFILE: descriptors; ENOBUFS, ENOMEM: socket memory). The pending
// connection stays in the backlog, so the listening socket stays readable
// and an immediate retry would spin: the listener waits, doubling the wait
// from kBackoffFirstMs to kBackoffMaxMs, and logs the first failure and the
// recovery of each episode.
bool out_of_resources(int e) { return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM; }
constexpr int kBackoffFirstMs = 10;
constexpr int kBackoffMaxMs = 1000;

}  // namespace

int listen_and_serve(const HandlerFactory& make_handler, const Address& address,
                     const std::atomic<bool>& stop, const std::function<void(int port)>& ready,
                     const std::function<void(const std::string&)>& log_fn, std::size_t max_connections) {
  auto log = [&](const std::string& line) {
    if (log_fn)
      log_fn(line);
    else
      std::fprintf(stderr, "%s\n", line.c_str());
  };
  std::string error;
  int lfd = make_socket(address, true, &error);
  if (lfd < 0 || ::listen(lfd, 64) < 0) {
    log("p9ref: cannot listen: " + (lfd < 0 ? error : std::string(std::strerror(errno))));
    if (lfd >= 0) ::close(lfd);
    return 1;
  }
  int port = 0;
  if (address.kind == Address::Kind::Tcp) {
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    getsockname(lfd, reinterpret_cast<sockaddr*>(&sa), &len);
    port = ntohs(sa.sin_port);
  }
  if (ready) ready(port);

  struct Conn {
    int fd;
    bool refused = false;  // over the cap: answered EUSERS, not served
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::mutex mu;
  std::list<Conn> conns;
  std::size_t served = 0;                   // conns being served (not refused), under mu
  std::size_t refusing = 0;                 // conns being refused, under mu
  constexpr std::size_t kMaxRefusing = 16;  // more at once are closed without an answer
  auto reap = [&](bool all) {
    std::lock_guard<std::mutex> g(mu);
    for (auto it = conns.begin(); it != conns.end();) {
      if (all) ::shutdown(it->fd, SHUT_RDWR);  // wakes the thread's read
      if (all || it->done) {
        it->thread.join();
        ::close(it->fd);
        --(it->refused ? refusing : served);
        it = conns.erase(it);
      } else {
        ++it;
      }
    }
  };
  int backoff_ms = 0;          // > 0 while accept fails for lack of resources
  unsigned long failures = 0;  // accept failures of this episode
  bool at_cap_logged = false;
  while (!stop) {
    if (backoff_ms > 0) {
      // Wait without looking at the listening socket (it stays readable).
      for (int waited = 0; waited < backoff_ms && !stop; waited += 100)
        ::poll(nullptr, 0, backoff_ms - waited < 100 ? backoff_ms - waited : 100);
      reap(false);  // finished connections give their descriptors back
    }
    pollfd p{lfd, POLLIN, 0};
    int n = ::poll(&p, 1, 100);
    reap(false);
    if (n <= 0) continue;
    int cfd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    if (cfd < 0) {
      int e = errno;
      if (!out_of_resources(e)) continue;  // the peer gave up (ECONNABORTED), a signal, ...
      if (failures++ == 0)
        log(std::string("p9ref: accept: ") + std::strerror(e) + "; waiting for resources (up to " +
            std::to_string(kBackoffMaxMs) + " ms between tries)");
      backoff_ms = backoff_ms == 0 ? kBackoffFirstMs : std::min(2 * backoff_ms, kBackoffMaxMs);
      continue;
    }
    if (failures > 0) {
      log("p9ref: accept works again after " + std::to_string(failures) + " failed tries");
      failures = 0;
    }
    backoff_ms = 0;
    int one = 1;
    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard<std::mutex> g(mu);
    bool over = max_connections != 0 && served >= max_connections;
    if (!over) at_cap_logged = false;
    if (over && !at_cap_logged) {
      log("p9ref: connection refused (EUSERS): " + std::to_string(served) +
          " connections served, the cap (--max-connections " + std::to_string(max_connections) +
          "); logged once until one ends");
      at_cap_logged = true;
    }
    if (over && refusing >= kMaxRefusing) {
      ::close(cfd);
      continue;
    }
    Conn& c = conns.emplace_back();
    c.fd = cfd;
    c.refused = over;
    ++(over ? refusing : served);
    if (over) {
      c.thread = std::thread([&c] {
        refuse(c.fd);
        c.done = true;
      });
      continue;
    }
    c.thread = std::thread([&make_handler, &log, &c] {
      std::unique_ptr<server::FrameHandler> h = make_handler();
      std::string why = serve_stream(*h, c.fd, c.fd);
      log("connection " + why);
      c.done = true;
    });
  }
  reap(true);
  ::close(lfd);
  if (address.kind == Address::Kind::Unix) ::unlink(address.path.c_str());
  return 0;
}

}  // namespace p9::transport
