#include "conformance/client/inprocess.h"

#include <sys/socket.h>
#include <unistd.h>

#include "reference/transport/transport.h"

namespace p9::client {

InProcessTarget::InProcessTarget(std::unique_ptr<fs::Backend> backend, server::Options options)
    : backend_(std::move(backend)), server_(*backend_, std::move(options)) {}

InProcessTarget::~InProcessTarget() {
  std::lock_guard<std::mutex> g(mu_);
  for (auto& c : conns_) {
    ::shutdown(c->server_fd, SHUT_RDWR);
    c->thread.join();
    ::close(c->server_fd);
  }
}

std::unique_ptr<Client> InProcessTarget::connect() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return nullptr;
  std::lock_guard<std::mutex> g(mu_);
  auto c = std::make_unique<Conn>();
  c->server_fd = sv[1];
  int fd = sv[1];
  c->thread = std::thread([this, fd] { transport::serve_stream(server_, fd, fd); });
  conns_.push_back(std::move(c));
  return std::make_unique<Client>(sv[0]);
}

}  // namespace p9::client
