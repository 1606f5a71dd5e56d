// p9faulty: a deliberately broken 9P2000.L server for testing the
// conformance runner itself. It serves the reference server core over the
// model backend, except for the request types named on its command line:
//   --crash TYPES    the first such request aborts the whole process (SIGABRT)
//   --silent TYPES   such requests are dropped: never answered, the connection goes on
//   --wrong TYPES    such requests are answered Rlerror EIO without being served
//   --freeze TYPES   such a request stops the whole server: no connection is
//                    answered any more (the process stays alive)
// TYPES: comma-separated message names, e.g. Tlink,Tremove.
//   p9faulty --listen tcp:127.0.0.1:PORT [--crash T] [--silent T] [--wrong T] [--freeze T]
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "reference/codec/codec.h"
#include "reference/p9ref/backends.h"
#include "reference/server/session.h"
#include "reference/transport/transport.h"

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop = true; }

// Every request passes through this lock; a frozen server holds it for good.
std::mutex g_serving;

struct Faults {
  std::set<std::uint8_t> crash, silent, wrong, freeze;
};

// Message names ("Tlink,Tremove") to their types; false + *error on an unknown name.
bool parse_types(const std::string& list, std::set<std::uint8_t>* out, std::string* error) {
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string name = list.substr(start, end - start);
    bool found = false;
    for (int t = 0; t < 256 && !found; ++t) {
      const p9::MsgInfo* info = p9::msg_info(static_cast<std::uint8_t>(t));
      if (info && info->is_request && name == info->name) {
        out->insert(static_cast<std::uint8_t>(t));
        found = true;
      }
    }
    if (!found) {
      *error = "'" + name + "' is not a request type (Tlink, Tremove, ...)";
      return false;
    }
    start = end + 1;
  }
  return true;
}

class Faulty : public p9::server::FrameHandler {
 public:
  Faulty(p9::server::Server& server, const Faults& faults)
      : session_(server, server.next_connection_id()), faults_(faults) {}
  std::uint32_t msize() const override { return session_.msize(); }
  void handle(const std::uint8_t* frame, std::size_t len, std::vector<std::uint8_t>& out) override {
    // size[4] type[1] tag[2] (intro(5)); the transport delivers whole frames.
    const std::uint8_t type = len > 4 ? frame[4] : 0;
    const std::uint16_t tag = len > 6 ? static_cast<std::uint16_t>(frame[5] | frame[6] << 8) : 0;
    std::unique_lock<std::mutex> serving(g_serving);
    if (faults_.crash.count(type)) {
      std::fprintf(stderr, "p9faulty: %s: aborting, as asked\n", p9::msg_name(type));
      std::abort();
    }
    if (faults_.freeze.count(type)) {
      std::fprintf(stderr, "p9faulty: %s: freezing every connection, as asked\n", p9::msg_name(type));
      while (true) std::this_thread::sleep_for(std::chrono::hours(1));
    }
    if (faults_.silent.count(type)) return;  // no reply at all
    if (faults_.wrong.count(type)) {
      p9::encode_append(p9::Frame{tag, p9::msg::Rlerror{static_cast<std::uint32_t>(p9::Errno::IO)}}, out);
      return;
    }
    session_.handle(frame, len, out);
  }

 private:
  p9::server::Session session_;
  const Faults& faults_;
};

}  // namespace

int main(int argc, char** argv) {
  const char* usage =
      "usage: p9faulty --listen tcp:HOST:PORT [--crash TYPES] [--silent TYPES] [--wrong TYPES] [--freeze "
      "TYPES]\n";
  std::string listen, error;
  Faults faults;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) {
      std::fputs(usage, stderr);
      return 2;
    }
    std::string v = argv[++i];
    bool ok = true;
    if (a == "--listen")
      listen = v;
    else if (a == "--crash")
      ok = parse_types(v, &faults.crash, &error);
    else if (a == "--silent")
      ok = parse_types(v, &faults.silent, &error);
    else if (a == "--wrong")
      ok = parse_types(v, &faults.wrong, &error);
    else if (a == "--freeze")
      ok = parse_types(v, &faults.freeze, &error);
    else {
      std::fputs(usage, stderr);
      return 2;
    }
    if (!ok) {
      std::fprintf(stderr, "p9faulty: %s %s\n", a.c_str(), error.c_str());
      return 2;
    }
  }
  p9::transport::Address address;
  if (listen.empty() || !p9::transport::parse_address(listen, &address, &error)) {
    std::fprintf(stderr, "p9faulty: %s\n%s", error.c_str(), usage);
    return 2;
  }
  std::unique_ptr<p9::fs::Backend> backend = p9::tool::make_backend("model", &error);
  if (!backend) {
    std::fprintf(stderr, "p9faulty: %s\n", error.c_str());
    return 2;
  }
  p9::server::Server server(*backend);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return p9::transport::listen_and_serve(
      [&]() -> std::unique_ptr<p9::server::FrameHandler> { return std::make_unique<Faulty>(server, faults); },
      address, g_stop, [](int port) { std::fprintf(stderr, "p9faulty: listening on port %d\n", port); },
      [](const std::string&) {});
}
