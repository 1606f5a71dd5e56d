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

// Frames are handled where they were received (a Twrite's data is written
// to the file from this buffer) and replies are built in one buffer (an
// Rread is read into it): the payload is copied only by the kernel.
// Syscalls: the replies to every whole frame one read() brought are sent
// with one write (up to kReplyBatch bytes; a pipelining client such as Linux
// v9fs sends several requests at once); a partial frame left at the end of
// the buffer is moved to the front only when it is small or its rest does not
// fit behind it (a large Twrite arriving in pieces is not copied again).
std::string serve_stream(server::FrameHandler& session, int in_fd, int out_fd) {
  constexpr std::size_t kReplyBatch = 256 * 1024;
  constexpr std::size_t kCheapMove = 4096;
  std::vector<std::uint8_t> in(64 * 1024);
  std::size_t have = 0, start = 0;
  std::vector<std::uint8_t> out;
  auto send_replies = [&] {
    bool ok = write_all(out_fd, out.data(), out.size());
    out.clear();
    return ok;
  };
  while (true) {
    // Answer every whole frame already buffered.
    while (true) {
      DecodeError ferr;
      std::uint32_t len = frame_length(in.data() + start, have - start, session.msize(), &ferr);
      if (ferr != DecodeError::None) {
        // The server gives up on this peer: say so at once (the caller may
        // keep the descriptor open a while; the in-process target does).
        // Replies already built are sent first.
        if (!out.empty()) send_replies();
        ::shutdown(in_fd, SHUT_RDWR);
        return std::string("closed: ") + to_string(ferr) + " (size field " + std::to_string(len) + ", msize " +
               std::to_string(session.msize()) + ")";
      }
      if (len == 0 || have - start < len) break;
      session.handle(in.data() + start, len, out);
      start += len;
      if (out.size() >= kReplyBatch && !send_replies())
        return std::string("closed: write failed: ") + std::strerror(errno);
    }
    if (!out.empty() && !send_replies()) return std::string("closed: write failed: ") + std::strerror(errno);
    // Make room for the rest of the partial frame (if any).
    if (start == have) start = have = 0;
    DecodeError ferr;
    std::size_t whole =
        frame_length(in.data() + start, have - start, session.msize(), &ferr);  // 0: size field incomplete
    if (whole < 4) whole = 4;
    if (start > 0 && (have - start <= kCheapMove || start + whole > in.size())) {
      std::memmove(in.data(), in.data() + start, have - start);
      have -= start;
      start = 0;
    }
    if (start + whole > in.size()) in.resize(2 * whole);  // this frame and the start of the next
    ssize_t r = ::read(in_fd, in.data() + have, in.size() - have);
    if (r == 0) return have > start ? "closed: peer disconnected mid-frame" : "closed: peer disconnected";
    if (r < 0) {
      if (errno == EINTR) continue;
      return std::string("closed: read failed: ") + std::strerror(errno);
    }
    have += static_cast<std::size_t>(r);
  }
}

}  // namespace p9::transport
