#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "reference/transport/transport.h"

namespace p9::transport {

namespace {
bool write_all(int fd, const std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    // send(MSG_NOSIGNAL): a peer that vanished must not raise SIGPIPE in a
    // process that embeds the server (the in-process target); plain write()
    // for descriptors that are not sockets (pipes, stdio).
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == ENOTSOCK) w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}
}  // namespace

std::string serve_stream(server::Server& server, int in_fd, int out_fd) {
  server::Session session(server, server.next_connection_id());
  return serve_stream(session, in_fd, out_fd);
}

std::string serve_stream(server::FrameHandler& session, int in_fd, int out_fd) {
  std::vector<std::uint8_t> in(64 * 1024);
  std::size_t have = 0, start = 0;
  std::vector<std::uint8_t> out;
  while (true) {
    // Answer every whole frame already buffered.
    while (true) {
      DecodeError ferr;
      std::uint32_t len = frame_length(in.data() + start, have - start, session.msize(), &ferr);
      if (ferr != DecodeError::None) {
        // The server gives up on this peer: say so at once (the caller may
        // keep the descriptor open a while; the in-process target does).
        ::shutdown(in_fd, SHUT_RDWR);
        return std::string("closed: ") + to_string(ferr) + " (size field " + std::to_string(len) + ", msize " +
               std::to_string(session.msize()) + ")";
      }
      if (len == 0 || have - start < len) break;
      out.clear();
      session.handle(in.data() + start, len, out);
      start += len;
      if (!write_all(out_fd, out.data(), out.size())) return std::string("closed: write failed: ") + std::strerror(errno);
    }
    // Keep the partial frame at the front and make room for the rest of it.
    if (start > 0) {
      std::memmove(in.data(), in.data() + start, have - start);
      have -= start;
      start = 0;
    }
    DecodeError ferr;
    std::uint32_t need = frame_length(in.data(), have, session.msize(), &ferr);
    if (need > in.size()) in.resize(need);
    if (have == in.size()) in.resize(in.size() * 2);
    ssize_t r = ::read(in_fd, in.data() + have, in.size() - have);
    if (r == 0) return have ? "closed: peer disconnected mid-frame" : "closed: peer disconnected";
    if (r < 0) {
      if (errno == EINTR) continue;
      return std::string("closed: read failed: ") + std::strerror(errno);
    }
    have += static_cast<std::size_t>(r);
  }
}

}  // namespace p9::transport
