// Transports: how frames reach a Session. Host-only (POSIX sockets and fds);
// the Emscripten build will bring its own transport over the same Session.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "reference/server/session.h"

namespace p9::transport {

// Serves one connection: reads frames from in_fd, answers each on out_fd, until
// EOF, an I/O error, a frame that cannot be delimited (size < 7 or > msize:
// the connection is closed, other connections are unaffected), or stop.
// Returns a one-line reason the connection ended.
std::string serve_stream(server::FrameHandler& handler, int in_fd, int out_fd);
// The same with a new Session of `server`.
std::string serve_stream(server::Server& server, int in_fd, int out_fd);

// An address: "tcp:HOST:PORT", "unix:PATH" or "stdio".
struct Address {
  enum class Kind { Tcp, Unix, Stdio } kind = Kind::Tcp;
  std::string host;  // tcp
  int port = 0;      // tcp
  std::string path;  // unix
};
// Parses an address; on error returns false and sets *error.
bool parse_address(const std::string& text, Address* out, std::string* error);

// Listens on a tcp or unix address and serves each client on its own thread
// until *stop becomes true (checked at least every 100 ms). Returns 0 on a
// clean stop, or prints why and returns non-zero. `ready(port)` is called
// once listening (with the bound port for tcp, 0 for unix).
// Limits: at most max_connections (0: no cap) are served at once; one more is
// answered Rlerror EUSERS on its first request and closed, logged once per
// episode at the cap. When accept(2) fails for lack of descriptors or memory
// (EMFILE, ENFILE, ENOBUFS, ENOMEM) the listener waits, 10 ms doubling up to
// 1 s, instead of retrying at once (the pending connection keeps the
// listening socket readable), and logs the failure and the recovery.
using HandlerFactory = std::function<std::unique_ptr<server::FrameHandler>()>;
int listen_and_serve(const HandlerFactory& make_handler, const Address& address,
                     const std::atomic<bool>& stop, const std::function<void(int port)>& ready = {},
                     const std::function<void(const std::string&)>& log = {},
                     std::size_t max_connections = 0);
// The same with a Session of `server` per connection (logs through the
// server; Options::max_connections).
int listen_and_serve(server::Server& server, const Address& address, const std::atomic<bool>& stop,
                     const std::function<void(int port)>& ready = {});

// Connects to a tcp or unix address; returns the fd, or -1 with *error set.
int connect_to(const Address& address, std::string* error);

}  // namespace p9::transport
