// p9bench: throughput of any 9P2000.L server.
//   p9bench --target tcp:HOST:PORT [--aname A] [--seconds S] [--connections N] [--mib M] [--msize N]
// Measures, in this order, and prints one "metric value unit" line each:
//   getattr_rtt_1conn      Tgetattr round trips/s on one connection
//   walkclunk_1conn        Twalk+Tclunk pairs/s on one connection
//   getattr_rtt_Nconn      Tgetattr round trips/s summed over N connections (own threads)
//   write_mbps / read_mbps streaming a file of M MiB (default 64) at the agreed msize
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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
    else die("unknown argument " + s + " (see the comment at the top of bench/p9bench.cc)");
  }
  if (a.target.empty()) die("--target tcp:HOST:PORT is required");

  auto c = open_session(a);
  std::printf("msize %u\n", c->msize());
  std::fflush(stdout);

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

  // Streaming: create bench.<pid>, write M MiB in msize-sized chunks, read it back.
  {
    std::string name = "p9bench." + std::to_string(::getpid());
    auto w = c->call<msg::Rwalk>(msg::Twalk{1, 3, {}});
    if (!w.ok()) die("walk failed:\n" + c->transcript());
    auto cr = c->call<msg::Rlcreate>(msg::Tlcreate{3, name, p9::access::RDWR | p9::lopen::TRUNC, 0644, 0});
    if (!cr.ok()) die("create failed:\n" + c->transcript());
    std::uint32_t chunk = c->msize() - 24;
    std::string data(chunk, 'x');
    std::uint64_t total = static_cast<std::uint64_t>(a.mib) << 20;
    auto t0 = Clock::now();
    for (std::uint64_t off = 0; off < total;) {
      std::uint64_t n = std::min<std::uint64_t>(chunk, total - off);
      auto r = c->call<msg::Rwrite>(msg::Twrite{3, off, n == chunk ? data : data.substr(0, n)});
      if (!r.ok() || r->count == 0) die("write failed:\n" + c->transcript());
      off += r->count;
    }
    double ws = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("write_mbps %.1f MB/s\n", total / ws / 1e6);
    std::fflush(stdout);
    auto t1 = Clock::now();
    for (std::uint64_t off = 0; off < total;) {
      auto r = c->call<msg::Rread>(msg::Tread{3, off, chunk});
      if (!r.ok() || r->data.empty()) die("read failed:\n" + c->transcript());
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
