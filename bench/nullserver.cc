// The physical limit: a do-nothing 9P server that answers every request at
// once with a reply of the right type and size (Rversion echoes the msize,
// Rwalk has one qid per name, Rread carries `count` zero bytes, Rwrite
// acknowledges the whole write; everything else is its R-message with zero
// fields). It keeps no state, so it measures the transport and the codec,
// nothing else.
//   nullserver --listen tcp:127.0.0.1:PORT
#include <csignal>
#include <cstdio>
#include <string>

#include "reference/codec/codec.h"
#include "reference/transport/transport.h"
#include "reference/transport/memory.h"

namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop = true; }
}  // namespace

int main(int argc, char** argv) {
  p9::transport::tune_allocator_for_large_frames();
  if (argc != 3 || std::string(argv[1]) != "--listen") {
    std::fprintf(stderr, "usage: nullserver --listen tcp:HOST:PORT\n");
    return 2;
  }
  p9::transport::Address addr;
  std::string err;
  if (!p9::transport::parse_address(argv[2], &addr, &err)) {
    std::fprintf(stderr, "nullserver: %s\n", err.c_str());
    return 2;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  struct Null : p9::server::FrameHandler {
    std::uint32_t msize_ = (1u << 20) + 24;
    std::uint32_t msize() const override { return msize_; }
    void handle(const std::uint8_t* frame, std::size_t len, std::vector<std::uint8_t>& out) override {
      p9::Decoded d = p9::decode(frame, len, p9::Expect::Request, msize_, p9::DataMode::View);
      p9::Frame rep{d.tag, p9::msg::Rlerror{static_cast<std::uint32_t>(p9::Errno::PROTO)}};
      if (d.ok()) {
        const p9::Message& req = d.frame.body;
        p9::make_default_message(static_cast<std::uint8_t>(d.type + 1), rep.body);
        if (auto* v = std::get_if<p9::msg::Tversion>(&req)) {
          msize_ = v->msize < msize_ ? v->msize : msize_;
          rep.body = p9::msg::Rversion{msize_, "9P2000.L"};
        }
        if (auto* w = std::get_if<p9::msg::Twalk>(&req)) rep.body = p9::msg::Rwalk{std::vector<p9::Qid>(w->wname.size())};
        if (auto* r = std::get_if<p9::msg::Tread>(&req)) {
          // count bytes (zeros) straight in the reply frame, as p9ref reads a file into it
          p9::DataSlot slot;
          std::uint32_t n = r->count < msize_ - 11 ? r->count : msize_ - 11;
          if (p9::begin_data_frame(p9::Frame{d.tag, p9::msg::Rread{}}, n, out, &slot)) {
            p9::end_data_frame(slot, n, out);
            return;
          }
        }
        if (auto* w = std::get_if<p9::msg::Twrite>(&req))
          rep.body = p9::msg::Rwrite{static_cast<std::uint32_t>(w->data.size())};
      }
      p9::encode_append(rep, out);
    }
  };
  return p9::transport::listen_and_serve([] { return std::make_unique<Null>(); }, addr, g_stop, [](int port) {
    std::fprintf(stderr, "nullserver: listening on port %d\n", port);
  }, [](const std::string&) {});
}
