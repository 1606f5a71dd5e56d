// The server core (spec, codec, fs, model, server) built with Emscripten and
// run under node: a session over the model answers a short conversation.
// This is the seam the OPFS build (a later issue) plugs a backend into; the
// test keeps the core free of host-only calls. Exit status 0 = every reply
// was the expected one.
#include <cstdio>
#include <string>

#include "reference/codec/codec.h"
#include "reference/codec/printer.h"
#include "reference/model/model.h"
#include "reference/server/session.h"

int main() {
  using namespace p9;
  model::Model m;
  server::Server srv(m);
  server::Session s(srv, 1);
  const std::uint32_t nofid = static_cast<std::uint32_t>(NOFID);
  struct Step {
    Frame request;
    MsgType want;
  } steps[] = {
      {Frame{NOTAG, msg::Tversion{8192, "9P2000.L"}}, MsgType::Rversion},
      {Frame{1, msg::Tattach{0, nofid, "root", "", 0}}, MsgType::Rattach},
      {Frame{2, msg::Tmkdir{0, "d", 0755, 0}}, MsgType::Rmkdir},
      {Frame{3, msg::Twalk{0, 1, {"d"}}}, MsgType::Rwalk},
      {Frame{4, msg::Tlcreate{1, "f", access::RDWR, 0644, 0}}, MsgType::Rlcreate},
      {Frame{5, msg::Twrite{1, 0, "hello"}}, MsgType::Rwrite},
      {Frame{6, msg::Tread{1, 0, 100}}, MsgType::Rread},
      {Frame{7, msg::Twalk{0, 2, {"nope"}}}, MsgType::Rlerror},
  };
  int bad = 0;
  for (const auto& st : steps) {
    std::vector<std::uint8_t> in = encode(st.request), out;
    s.handle(in.data(), in.size(), out);
    Decoded d = decode(out, Expect::Reply, 8192);
    bool ok = d.ok() && type_of(d.frame.body) == st.want;
    if (auto* r = std::get_if<msg::Rread>(&d.frame.body)) ok = ok && r->data == "hello";
    std::printf("%s %s -> %s\n", ok ? "ok  " : "BAD ", to_string(st.request).c_str(),
                d.ok() ? to_string(d.frame).c_str() : d.detail.c_str());
    bad += !ok;
  }
  std::string inv = m.check_invariants();
  if (!inv.empty()) {
    std::printf("BAD invariants: %s\n", inv.c_str());
    ++bad;
  }
  return bad == 0 ? 0 : 1;
}
