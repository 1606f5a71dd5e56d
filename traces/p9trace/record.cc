// p9trace record: a recording proxy. Each accepted connection is relayed to
// the upstream server; both directions are cut into frames, and every frame
// is written to the trace *before* it is forwarded, so the file order is a
// causal order: a request is logged after every reply its client had seen.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "reference/transport/transport.h"
#include "traces/p9trace/commands.h"
#include "traces/p9trace/trace.h"

namespace p9::trace {

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

class Writer {
 public:
  explicit Writer(FILE* f) : f_(f) {}
  void frame(int conn, bool from_client, const std::uint8_t* p, std::size_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    auto now = std::chrono::steady_clock::now();
    if (!started_) {
      t0_ = now;
      started_ = true;
    }
    double t = std::chrono::duration<double>(now - t0_).count();
    std::string line = format_record_line(conn, from_client, t, p, n);
    std::fputs(line.c_str(), f_);
    std::fputc('\n', f_);
    std::fflush(f_);
    ++frames_;
    // Facts for the header, observed on the wire.
    if (n >= 7 && p[4] == 100 && from_client && msize_offered_.empty()) {
      Decoded d = decode(p, n, Expect::Request, 0xFFFFFFFFu);
      if (auto* v = std::get_if<msg::Tversion>(&d.frame.body)) msize_offered_ = std::to_string(v->msize);
    }
    if (n >= 7 && p[4] == 101 && msize_.empty()) {
      Decoded d = decode(p, n, Expect::Reply, 0xFFFFFFFFu);
      if (auto* v = std::get_if<msg::Rversion>(&d.frame.body)) msize_ = std::to_string(v->msize);
    }
  }
  void note(const std::string& text) {
    std::lock_guard<std::mutex> lock(mu_);
    std::fprintf(f_, "# note: %s\n", text.c_str());
    std::fflush(f_);
  }
  std::size_t frames() {
    std::lock_guard<std::mutex> lock(mu_);
    return frames_;
  }
  std::string msize_offered() {
    std::lock_guard<std::mutex> lock(mu_);
    return msize_offered_;
  }
  std::string msize() {
    std::lock_guard<std::mutex> lock(mu_);
    return msize_;
  }

 private:
  std::mutex mu_;
  FILE* f_;
  bool started_ = false;
  std::chrono::steady_clock::time_point t0_;
  std::size_t frames_ = 0;
  std::string msize_offered_, msize_;
};

bool write_all(int fd, const std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// One direction of one connection: read, cut into frames, log, forward.
void pump(Writer& w, int conn, bool from_client, int in_fd, int out_fd) {
  std::vector<std::uint8_t> buf;
  std::vector<std::uint8_t> chunk(1 << 16);
  while (true) {
    ssize_t r = ::recv(in_fd, chunk.data(), chunk.size(), 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    buf.insert(buf.end(), chunk.begin(), chunk.begin() + r);
    std::size_t pos = 0;
    bool bad = false;
    while (true) {
      DecodeError err;
      std::uint32_t len = frame_length(buf.data() + pos, buf.size() - pos, 0xFFFFFFFFu, &err);
      if (err != DecodeError::None) {
        bad = true;
        break;
      }
      if (len == 0 || buf.size() - pos < len) break;
      w.frame(conn, from_client, buf.data() + pos, len);
      if (!write_all(out_fd, buf.data() + pos, len)) {
        bad = true;
        break;
      }
      pos += len;
    }
    if (bad) {
      // Not delimitable: forward the rest raw and stop cutting frames.
      w.note("conn " + std::to_string(conn) + (from_client ? " C" : " S") + ": " +
             std::to_string(buf.size() - pos) + " bytes that are not a frame; relayed unrecorded");
      write_all(out_fd, buf.data() + pos, buf.size() - pos);
      buf.clear();
      std::uint8_t raw[1 << 16];
      for (ssize_t n; (n = ::recv(in_fd, raw, sizeof raw, 0)) > 0;)
        write_all(out_fd, raw, static_cast<std::size_t>(n));
      break;
    }
    buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(pos));
  }
  if (!buf.empty())
    w.note("conn " + std::to_string(conn) + (from_client ? " C" : " S") + ": " + std::to_string(buf.size()) +
           " trailing bytes (an incomplete frame) at close");
  ::shutdown(out_fd, SHUT_WR);
}

int listen_on(const transport::Address& a, std::string* error, int* bound_port) {
  int fd = -1;
  if (a.kind == transport::Address::Kind::Tcp) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(a.port));
    if (::inet_pton(AF_INET, a.host.c_str(), &sa.sin_addr) != 1) {
      *error = "bad IPv4 address " + a.host;
      ::close(fd);
      return -1;
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || ::listen(fd, 16) < 0) {
      *error = std::string("bind/listen: ") + std::strerror(errno);
      ::close(fd);
      return -1;
    }
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    *bound_port = ntohs(sa.sin_port);
  } else if (a.kind == transport::Address::Kind::Unix) {
    fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un su{};
    su.sun_family = AF_UNIX;
    std::snprintf(su.sun_path, sizeof su.sun_path, "%s", a.path.c_str());
    ::unlink(a.path.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&su), sizeof su) < 0 || ::listen(fd, 16) < 0) {
      *error = std::string("bind/listen: ") + std::strerror(errno);
      ::close(fd);
      return -1;
    }
    *bound_port = 0;
  } else {
    *error = "record listens on tcp: or unix: addresses";
  }
  return fd;
}

struct Conn {
  int client_fd = -1, server_fd = -1;
  std::thread up, down;
};

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

int cmd_record(const std::vector<std::string>& args) {
  std::string listen, upstream, output;
  std::vector<std::pair<std::string, std::string>> meta;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto value = [&] { return option_value("record", args, i); };
    if (args[i] == "--listen")
      listen = value();
    else if (args[i] == "--upstream")
      upstream = value();
    else if (args[i] == "-o" || args[i] == "--output")
      output = value();
    else if (args[i] == "--meta") {
      std::string kv = value();
      std::size_t eq = kv.find('=');
      if (eq == std::string::npos) {
        std::fprintf(stderr, "p9trace record: --meta wants key=value, got %s\n", kv.c_str());
        return 2;
      }
      meta.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    } else {
      std::fprintf(stderr, "p9trace record: unknown argument %s\n", args[i].c_str());
      return 2;
    }
  }
  if (listen.empty() || upstream.empty() || output.empty()) {
    std::fprintf(stderr,
                 "usage: p9trace record --listen ADDR --upstream ADDR -o FILE [--meta key=value ...]\n");
    return 2;
  }
  transport::Address la, ua;
  std::string error;
  if (!transport::parse_address(listen, &la, &error) || !transport::parse_address(upstream, &ua, &error)) {
    std::fprintf(stderr, "p9trace record: %s\n", error.c_str());
    return 2;
  }
  std::string body_path = output + ".part";
  FILE* body = std::fopen(body_path.c_str(), "w+");
  if (!body) {
    std::fprintf(stderr, "p9trace record: cannot write %s: %s\n", body_path.c_str(), std::strerror(errno));
    return 1;
  }
  int port = 0;
  int lfd = listen_on(la, &error, &port);
  if (lfd < 0) {
    std::fprintf(stderr, "p9trace record: %s: %s\n", listen.c_str(), error.c_str());
    return 1;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  std::string started = utc_now();
  std::fprintf(stderr, "p9trace record: listening on %s (port %d), upstream %s, writing %s\n", listen.c_str(),
               port, upstream.c_str(), output.c_str());

  Writer writer(body);
  std::vector<std::unique_ptr<Conn>> conns;
  while (!g_stop) {
    pollfd p{lfd, POLLIN, 0};
    int n = ::poll(&p, 1, 100);
    if (n <= 0) continue;
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd < 0) continue;
    int id = static_cast<int>(conns.size());
    std::string e;
    int sfd = transport::connect_to(ua, &e);
    if (sfd < 0) {
      std::fprintf(stderr, "p9trace record: conn %d: upstream %s: %s\n", id, upstream.c_str(), e.c_str());
      writer.note("conn " + std::to_string(id) + ": upstream connect failed: " + e);
      ::close(cfd);
      continue;
    }
    std::fprintf(stderr, "p9trace record: conn %d accepted\n", id);
    auto c = std::make_unique<Conn>();
    c->client_fd = cfd;
    c->server_fd = sfd;
    c->up = std::thread(pump, std::ref(writer), id, true, cfd, sfd);
    c->down = std::thread(pump, std::ref(writer), id, false, sfd, cfd);
    conns.push_back(std::move(c));
  }
  ::close(lfd);
  if (la.kind == transport::Address::Kind::Unix) ::unlink(la.path.c_str());
  for (auto& c : conns) {
    ::shutdown(c->client_fd, SHUT_RDWR);
    ::shutdown(c->server_fd, SHUT_RDWR);
  }
  for (auto& c : conns) {
    c->up.join();
    c->down.join();
    ::close(c->client_fd);
    ::close(c->server_fd);
  }

  // Final file: header (with facts seen on the wire) + the frames.
  FILE* out = std::fopen(output.c_str(), "w");
  if (!out) {
    std::fprintf(stderr, "p9trace record: cannot write %s: %s (frames kept in %s)\n", output.c_str(),
                 std::strerror(errno), body_path.c_str());
    return 1;
  }
  std::fprintf(out, "# p9trace: 1\n");
  for (const auto& [k, v] : meta) std::fprintf(out, "# %s: %s\n", k.c_str(), v.c_str());
  if (!writer.msize_offered().empty())
    std::fprintf(out, "# msize-offered: %s\n", writer.msize_offered().c_str());
  if (!writer.msize().empty()) std::fprintf(out, "# msize: %s\n", writer.msize().c_str());
  std::fprintf(out, "# recorded: %s\n", started.c_str());
  std::fprintf(out, "# connections: %zu\n", conns.size());
  std::fprintf(out, "# frames: %zu\n", writer.frames());
  std::fflush(body);
  std::rewind(body);
  char buf[1 << 16];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, body)) > 0;) std::fwrite(buf, 1, n, out);
  std::fclose(body);
  bool ok = std::fclose(out) == 0;
  ::unlink(body_path.c_str());
  std::fprintf(stderr, "p9trace record: stopped; %zu frames on %zu connection(s) written to %s\n",
               writer.frames(), conns.size(), output.c_str());
  return ok ? 0 : 1;
}

}  // namespace p9::trace
