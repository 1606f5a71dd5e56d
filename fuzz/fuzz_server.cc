// fuzz_server: a byte stream of 9P messages into a server session over the
// model. The input is the stream a client would send after a fixed Tversion
// (msize 8192) and Tattach (fid 0, root).
// Invariants, checked after every message:
//  - every request gets exactly one reply, which decodes, carries the
//    request's tag, and is the request's R-message or Rlerror;
//  - a frame that cannot be delimited ends the stream (a transport closes
//    the connection there);
//  - the model's check_invariants() holds (nlink, orphans, "..").
// At the end the session is dropped (all fids clunked) and the invariants
// are checked once more. No crash and no leak (ASan/LSan).
#include <cstdio>
#include <cstdlib>

#include "reference/codec/codec.h"
#include "reference/codec/printer.h"
#include "reference/model/model.h"
#include "reference/server/session.h"

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_server: %s\n", what.c_str());
  std::abort();
}

void handle_one(p9::server::Session& s, const std::vector<std::uint8_t>& frame, p9::model::Model& m) {
  std::vector<std::uint8_t> out;
  s.handle(frame.data(), frame.size(), out);
  p9::DecodeError err;
  std::uint32_t len = p9::frame_length(out.data(), out.size(), 0xFFFFFFFFu, &err);
  if (err != p9::DecodeError::None || len != out.size()) fail("not exactly one reply frame");
  p9::Decoded r = p9::decode(out, p9::Expect::Reply, 0xFFFFFFFFu);
  if (!r.ok()) fail(std::string("reply does not decode: ") + r.detail);
  std::uint16_t tag = static_cast<std::uint16_t>(frame[5] | frame[6] << 8);
  if (r.frame.tag != tag) fail("reply tag differs: " + p9::to_string(r.frame));
  bool is_error = std::holds_alternative<p9::msg::Rlerror>(r.frame.body);
  if (!is_error && r.type != frame[4] + 1) fail("reply of the wrong type: " + p9::to_string(r.frame));
  std::string inv = m.check_invariants();
  if (!inv.empty()) fail("invariants broken: " + inv);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  p9::model::Model model;
  p9::server::Options options;
  options.max_msize = 8192;
  options.max_fids = 256;
  p9::server::Server server(model, options);
  {
    p9::server::Session s(server, 1);
    handle_one(s, p9::encode(p9::Frame{p9::NOTAG, p9::msg::Tversion{8192, "9P2000.L"}}), model);
    handle_one(s, p9::encode(p9::Frame{1, p9::msg::Tattach{0, static_cast<std::uint32_t>(p9::NOFID), "root", "", 0}}),
               model);
    std::size_t pos = 0;
    while (pos < size) {
      p9::DecodeError err;
      std::uint32_t len = p9::frame_length(data + pos, size - pos, s.msize(), &err);
      if (err != p9::DecodeError::None || len == 0 || len > size - pos) break;  // connection would close / wait
      handle_one(s, std::vector<std::uint8_t>(data + pos, data + pos + len), model);
      pos += len;
    }
  }
  std::string inv = model.check_invariants();
  if (!inv.empty()) fail("invariants broken after the session ended: " + inv);
  return 0;
}
