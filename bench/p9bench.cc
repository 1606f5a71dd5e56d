// p9bench: throughput of any 9P2000.L server.
//   p9bench --target tcp:HOST:PORT [--aname A] [--seconds S] [--connections N] [--mib M] [--msize N]
// Measures, in this order, and prints one "metric value unit" line each:
//   getattr_rtt_1conn      Tgetattr round trips/s on one connection
//   walkclunk_1conn        Twalk+Tclunk pairs/s on one connection
//   getattr_rtt_Nconn      Tgetattr round trips/s summed over N connections (own threads)
//   write_mbps / read_mbps streaming a file of M MiB (default 64) at the agreed msize
// --stream-only measures the streaming pair alone (bench/run.sh's equal-msize round).
// The streaming loop moves frames itself, with one reused buffer each way: the
// Twrite frame is encoded once (only its offset and tag change), an Rread is
// decoded as a view of the received bytes. The client copies no payload in
// user space, so its cost is the same small amount for every server and the
// ratios show the servers.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "conformance/client/client.h"
#include "reference/transport/memory.h"

namespace {

using Clock = std::chrono::steady_clock;
using p9::client::Client;
namespace msg = p9::msg;

struct Args {
  std::string target, aname;
  double seconds = 3;
  int connections = 8;
  int mib = 64;
  std::uint32_t msize = (1u << 20) + 24;
  bool stream_only = false;
};

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "p9bench: %s\n", why.c_str());
  std::exit(1);
}

std::unique_ptr<Client> open_session(const Args& a) {
  std::string err;
  auto c = Client::connect(a.target, &err);
  if (!c) die("connect: " + err);
  auto h = c->handshake(a.msize, a.aname, 0, 1);
  if (!h.ok()) die("handshake failed:\n" + c->transcript());
  return c;
}

// Round trips of `step` for `seconds`; returns per second.
template <class F>
double rate(double seconds, F&& step) {
  auto start = Clock::now();
  auto until = start + std::chrono::duration<double>(seconds);
  long n = 0;
  while (Clock::now() < until) {
    for (int i = 0; i < 64; ++i) step();
    n += 64;
  }
  return n / std::chrono::duration<double>(Clock::now() - start).count();
}

// One request already encoded in `req`, its reply into `in` (reused; grows
// to the largest reply). Returns the reply decoded with data fields viewing
// `in`, valid until the next call.
p9::Decoded raw_rpc(int fd, const std::vector<std::uint8_t>& req, std::vector<std::uint8_t>& in) {
  for (std::size_t off = 0; off < req.size();) {
    ssize_t w = ::send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) die(std::string("send: ") + std::strerror(errno));
    off += static_cast<std::size_t>(w);
  }
  std::size_t have = 0;
  std::uint32_t len = 0;
  while (true) {  // one reply is outstanding: nothing follows it on the wire
    p9::DecodeError err;
    len = p9::frame_length(in.data(), have, 0xFFFFFFFFu, &err);
    if (err != p9::DecodeError::None) die("reply cannot be delimited");
    if (len != 0 && have >= len) break;
    if (in.size() < len || in.size() < 65536) in.resize(len > 65536 ? len : 65536);
    ssize_t r = ::recv(fd, in.data() + have, (len ? len : in.size()) - have, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) die("recv: connection closed");
    have += static_cast<std::size_t>(r);
  }
  if (have != len) die("unexpected bytes after a reply");
  return p9::decode(in.data(), len, p9::Expect::Reply, 0xFFFFFFFFu, p9::DataMode::View);
}

void getattr_step(Client& c) {
  auto r = c.call<msg::Rgetattr>(msg::Tgetattr{1, p9::GETATTR_BASIC});
  if (!r.ok()) die("Tgetattr failed:\n" + c.transcript());
}

}  // namespace

int main(int argc, char** argv) {
  p9::transport::tune_allocator_for_large_frames();
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die(s + " needs a value");
      return argv[++i];
    };
    if (s == "--target") a.target = next();
    else if (s == "--aname") a.aname = next();
    else if (s == "--seconds") a.seconds = std::atof(next().c_str());
    else if (s == "--connections") a.connections = std::atoi(next().c_str());
    else if (s == "--mib") a.mib = std::atoi(next().c_str());
    else if (s == "--msize") a.msize = static_cast<std::uint32_t>(std::atol(next().c_str()));
    else if (s == "--stream-only")
      a.stream_only = true;
    else die("unknown argument " + s + " (see the comment at the top of bench/p9bench.cc)");
  }
  if (a.target.empty()) die("--target tcp:HOST:PORT is required");

  auto c = open_session(a);
  std::printf("msize %u\n", c->msize());
  std::fflush(stdout);

  if (!a.stream_only) {
    std::printf("getattr_rtt_1conn %.0f /s\n", rate(a.seconds, [&] { getattr_step(*c); }));
    std::fflush(stdout);

    std::printf("walkclunk_1conn %.0f /s\n", rate(a.seconds, [&] {
                  auto w = c->call<msg::Rwalk>(msg::Twalk{1, 2, {}});
                  if (!w.ok()) die("Twalk failed:\n" + c->transcript());
                  auto k = c->call<msg::Rclunk>(msg::Tclunk{2});
                  if (!k.ok()) die("Tclunk failed:\n" + c->transcript());
                }));
    std::fflush(stdout);

    {
      std::vector<std::unique_ptr<Client>> conns;
      for (int i = 0; i < a.connections; ++i) conns.push_back(open_session(a));
      std::vector<double> rates(conns.size());
      std::vector<std::thread> threads;
      for (std::size_t i = 0; i < conns.size(); ++i)
        threads.emplace_back([&, i] { rates[i] = rate(a.seconds, [&] { getattr_step(*conns[i]); }); });
      for (auto& t : threads) t.join();
      double sum = 0;
      for (double r : rates) sum += r;
      std::printf("getattr_rtt_%dconn %.0f /s\n", a.connections, sum);
      std::fflush(stdout);
    }
  }

  // Streaming: create bench.<pid>, write M MiB in msize-sized chunks, read it back.
  {
    std::string name = "p9bench." + std::to_string(::getpid());
    auto w = c->call<msg::Rwalk>(msg::Twalk{1, 3, {}});
    if (!w.ok()) die("walk failed:\n" + c->transcript());
    auto cr = c->call<msg::Rlcreate>(msg::Tlcreate{3, name, p9::access::RDWR | p9::lopen::TRUNC, 0644, 0});
    if (!cr.ok()) die("create failed:\n" + c->transcript());
    std::uint32_t chunk = c->msize() - 24;
    std::uint64_t total = static_cast<std::uint64_t>(a.mib) << 20;
    std::vector<std::uint8_t> req, in;
    // Twrite: size[4] type[1] tag[2] fid[4] offset[8] count[4] data; the
    // offset is patched in place for each chunk (total is a multiple of it or
    // the last chunk is re-encoded).
    auto encode_write = [&](std::uint64_t off, std::uint32_t n) {
      req.clear();
      p9::encode_append(p9::Frame{1, msg::Twrite{3, off, std::string(n, 'x')}}, req);
    };
    encode_write(0, chunk);
    auto t0 = Clock::now();
    for (std::uint64_t off = 0; off < total;) {
      std::uint64_t n = std::min<std::uint64_t>(chunk, total - off);
      if (n != chunk) encode_write(off, static_cast<std::uint32_t>(n));
      for (int i = 0; i < 8; ++i) req[11 + i] = static_cast<std::uint8_t>(off >> (8 * i));
      p9::Decoded d = raw_rpc(c->fd(), req, in);
      auto* r = std::get_if<msg::Rwrite>(&d.frame.body);
      if (!d.ok() || !r || r->count == 0)
        die("write failed: " + (d.ok() ? p9::to_string(d.frame) : d.detail.str()));
      off += r->count;
      if (r->count != n) encode_write(off, chunk);  // a short write: the next frame starts elsewhere
    }
    double ws = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("write_mbps %.1f MB/s\n", total / ws / 1e6);
    std::fflush(stdout);
    auto t1 = Clock::now();
    for (std::uint64_t off = 0; off < total;) {
      req.clear();
      p9::encode_append(p9::Frame{1, msg::Tread{3, off, chunk}}, req);
      p9::Decoded d = raw_rpc(c->fd(), req, in);
      auto* r = std::get_if<msg::Rread>(&d.frame.body);
      if (!d.ok() || !r || r->data.empty())
        die("read failed: " + (d.ok() ? p9::to_string(d.frame) : d.detail.str()));
      off += r->data.size();
    }
    double rs = std::chrono::duration<double>(Clock::now() - t1).count();
    std::printf("read_mbps %.1f MB/s\n", total / rs / 1e6);
    (void)c->call<msg::Rclunk>(msg::Tclunk{3});
    auto u = c->call<msg::Runlinkat>(msg::Tunlinkat{1, name, 0});
    if (!u.ok()) {  // diod refuses Tunlinkat; Linux then walks and removes
      (void)c->call<msg::Rwalk>(msg::Twalk{1, 4, {name}});
      (void)c->call<msg::Rremove>(msg::Tremove{4});
    }
  }
  return 0;
}
