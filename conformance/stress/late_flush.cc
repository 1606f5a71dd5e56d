// p9lateflush: the reference server (model backend) behind a proxy that
// breaks flush(5) on purpose, to show that p9stress catches it: the proxy
// answers every Tflush itself at once with Rflush and never passes it on,
// and passes the server's replies on --delay-ms late, so the reply to a
// flushed request arrives after its Rflush (flush(5): "answered before the
// Rflush or not at all" broken; Linux net/9p/client.c would have reused the
// tag by then).
//   p9lateflush --port PORT [--delay-ms 5]      (listens on 127.0.0.1:PORT)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "conformance/client/inprocess.h"
#include "reference/codec/codec.h"
#include "reference/p9ref/backends.h"

namespace {

bool write_all(int fd, const std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// One client connection: requests to the server (Tflush answered here),
// replies back to the client, late.
void relay(int cfd, std::unique_ptr<p9::client::Client> up, int delay_ms) {
  std::mutex to_client;
  std::thread back([&] {
    std::uint8_t buf[65536];
    for (ssize_t n; (n = ::recv(up->fd(), buf, sizeof buf, 0)) > 0;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      std::lock_guard<std::mutex> g(to_client);
      if (!write_all(cfd, buf, static_cast<std::size_t>(n))) break;
    }
    ::shutdown(cfd, SHUT_RDWR);
  });
  std::vector<std::uint8_t> in;
  std::uint8_t buf[65536];
  for (ssize_t n; (n = ::recv(cfd, buf, sizeof buf, 0)) > 0;) {
    in.insert(in.end(), buf, buf + n);
    p9::DecodeError error;
    std::uint32_t len;
    while ((len = p9::frame_length(in.data(), in.size(), 0xFFFFFFFFu, &error)) != 0 && in.size() >= len) {
      // size[4] type[1] tag[2] (intro(5)).
      if (in[4] == static_cast<std::uint8_t>(p9::MsgType::Tflush)) {
        std::vector<std::uint8_t> reply;
        p9::encode_append(p9::Frame{static_cast<std::uint16_t>(in[5] | in[6] << 8), p9::msg::Rflush{}},
                          reply);
        std::lock_guard<std::mutex> g(to_client);
        write_all(cfd, reply.data(), reply.size());
      } else if (!write_all(up->fd(), in.data(), len)) {
        break;
      }
      in.erase(in.begin(), in.begin() + len);
    }
    if (error != p9::DecodeError::None) break;
  }
  ::shutdown(up->fd(), SHUT_RDWR);
  back.join();
  ::close(cfd);
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0, delay_ms = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--port")
      port = std::atoi(argv[i + 1]);
    else if (a == "--delay-ms")
      delay_ms = std::atoi(argv[i + 1]);
    else
      port = -1;
  }
  if (port <= 0 || port > 65535 || delay_ms < 0 || argc % 2 == 0) {
    std::fputs("usage: p9lateflush --port PORT [--delay-ms 5]\n", stderr);
    return 2;
  }
  std::string error;
  auto backend = p9::tool::make_backend("model", &error);
  if (!backend) {
    std::fprintf(stderr, "p9lateflush: %s\n", error.c_str());
    return 2;
  }
  p9::client::InProcessTarget server(std::move(backend));
  std::signal(SIGPIPE, SIG_IGN);
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(lfd, 64) != 0) {
    std::fprintf(stderr, "p9lateflush: port %d: %s\n", port, std::strerror(errno));
    return 1;
  }
  std::fprintf(stderr,
               "p9lateflush: listening on 127.0.0.1:%d, Tflush answered at once, replies %d ms late\n", port,
               delay_ms);
  while (true) {
    int cfd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    if (cfd < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "p9lateflush: accept: %s\n", std::strerror(errno));
      return 1;
    }
    std::thread(relay, cfd, server.connect(), delay_ms).detach();
  }
}
