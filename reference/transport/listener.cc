#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

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
      });
}

int listen_and_serve(const HandlerFactory& make_handler, const Address& address, const std::atomic<bool>& stop,
                     const std::function<void(int port)>& ready, const std::function<void(const std::string&)>& log_fn) {
  auto log = [&](const std::string& line) {
    if (log_fn) log_fn(line);
    else std::fprintf(stderr, "%s\n", line.c_str());
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
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::mutex mu;
  std::list<Conn> conns;
  auto reap = [&](bool all) {
    std::lock_guard<std::mutex> g(mu);
    for (auto it = conns.begin(); it != conns.end();) {
      if (all) ::shutdown(it->fd, SHUT_RDWR);  // wakes the thread's read
      if (all || it->done) {
        it->thread.join();
        ::close(it->fd);
        it = conns.erase(it);
      } else {
        ++it;
      }
    }
  };
  while (!stop) {
    pollfd p{lfd, POLLIN, 0};
    int n = ::poll(&p, 1, 100);
    reap(false);
    if (n <= 0) continue;
    int cfd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    if (cfd < 0) continue;
    int one = 1;
    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard<std::mutex> g(mu);
    Conn& c = conns.emplace_back();
    c.fd = cfd;
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
