// The in-process target: the server core over a backend in this process,
// each client on its own socketpair served by its own thread — the same code
// path as a TCP connection, without a port.
#pragma once

#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "conformance/client/client.h"
#include "reference/fs/backend.h"
#include "reference/server/session.h"

namespace p9::client {

class InProcessTarget {
 public:
  explicit InProcessTarget(std::unique_ptr<fs::Backend> backend, server::Options options = {});
  ~InProcessTarget();  // disconnects every client and joins the server threads
  std::unique_ptr<Client> connect();
  fs::Backend& backend() { return *backend_; }
  server::Server& server() { return server_; }

 private:
  std::unique_ptr<fs::Backend> backend_;
  server::Server server_;
  std::mutex mu_;
  struct Conn {
    int server_fd;
    std::thread thread;
  };
  std::vector<std::unique_ptr<Conn>> conns_;
};

}  // namespace p9::client
