#include "property-tests/fs_pair.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "reference/codec/printer.h"
#include "traces/p9trace/trace.h"

#ifndef P9_COUNTEREXAMPLE_DEFAULT
#define P9_COUNTEREXAMPLE_DEFAULT "build/property-counterexamples"
#endif

namespace p9::prop {

std::string counterexample_dir() {
  const char* d = std::getenv("P9_COUNTEREXAMPLE_DIR");
  return d && *d ? d : P9_COUNTEREXAMPLE_DEFAULT;
}

std::string FsPair::start(conformance::Target& target, const std::string& case_dir) {
  std::string error;
  client_ = target.connect(&error);
  if (!client_) return "cannot connect: " + error;
  server_ = std::make_unique<server::Server>(model_, server::Options{});
  session_ = std::make_unique<server::Session>(*server_, 1);
  lines_.clear();
  frames_ = 0;
  // Tversion: the same on both sides (diod caps msize at 65536).
  Replies v = rpc(msg::Tversion{65536, "9P2000.L"});
  if (!std::holds_alternative<msg::Rversion>(v.tgt)) return "Tversion failed: " + to_string(Frame{0, v.tgt});
  // Tattach: the aname is the target's own.
  msg::Tattach a{kRootFid, static_cast<std::uint32_t>(NOFID), "root", "", 0};
  msg::Tattach at = a;
  at.aname = target.aname();
  Replies r = rpc2(a, at);
  if (!std::holds_alternative<msg::Rattach>(r.tgt)) return "Tattach failed: " + to_string(Frame{0, r.tgt});
  std::string why;
  // The export roots are not compared (a fresh export's mode and owner are
  // the harness's); the case directory is created the same on both sides.
  rpc(msg::Tmkdir{kRootFid, case_dir, 0755, 0});
  rpc(msg::Twalk{kRootFid, kCaseFid, {case_dir}});
  return {};
}

Message FsPair::oracle(const Frame& f) {
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> in = encode(f);
  session_->handle(in.data(), in.size(), out);
  Decoded d = decode(out, Expect::Reply, 0xFFFFFFFFu);
  if (!d.ok()) RC_FAIL("the oracle's reply does not decode: " + d.detail);
  return d.frame.body;
}

Message FsPair::target(const Frame& f) {
  std::vector<std::uint8_t> b = encode(f);
  lines_.push_back(trace::format_record_line(0, true, 0, b.data(), b.size()));
  ++frames_;
  if (!client_->send(f)) {
    note("send failed: " + client_->last_error());
    RC_FAIL("send to the target failed: " + client_->last_error());
  }
  auto r = client_->receive();
  if (!r) {
    note("no reply: " + client_->last_error());
    RC_FAIL("no reply from the target to " + to_string(f) + ": " + client_->last_error());
  }
  std::vector<std::uint8_t> rb = encode(*r);
  lines_.push_back(trace::format_record_line(0, false, 0, rb.data(), rb.size()));
  ++frames_;
  if (r->tag != f.tag) RC_FAIL("reply tag differs for " + to_string(f));
  return r->body;
}

FsPair::Replies FsPair::rpc2(const Message& ref_request, const Message& tgt_request) {
  std::uint16_t tag = std::holds_alternative<msg::Tversion>(ref_request) ? static_cast<std::uint16_t>(NOTAG) : tag_++;
  if (tag_ == NOTAG) tag_ = 1;
  Replies r;
  r.ref = oracle(Frame{tag, ref_request});
  r.tgt = target(Frame{tag, tgt_request});
  return r;
}

FsPair::Replies FsPair::rpc(const Message& request) {
  Replies r = rpc2(request, request);
  std::string why = diff::compare(r.ref, r.tgt, qids_);
  if (!why.empty()) fail(why, r.ref, r.tgt);
  return r;
}

void FsPair::fail(const std::string& why, const Message& ref, const Message& tgt) {
  note("DIVERGENCE: " + why);
  note("model answered: " + to_string(Frame{0, ref}));
  note("target answered: " + to_string(Frame{0, tgt}));
  RC_FAIL(why + "\n  model:  " + to_string(Frame{0, ref}) + "\n  target: " + to_string(Frame{0, tgt}));
}

std::string FsPair::trace_text(const std::string& target_name) const {
  std::string o = "# p9trace: 1\n# workload: property.stateful (counterexample, shrunk by RapidCheck)\n";
  o += "# server: " + target_name + "\n# connections: 1\n# frames: " + std::to_string(frames_) + "\n";
  o += "# note: replies are the target's; the notes at the end give the model's answer (the oracle)\n";
  for (const auto& l : lines_) o += l + "\n";
  return o;
}

std::string FsPair::write_trace(const std::string& file, const std::string& target_name) const {
  std::error_code ec;
  std::filesystem::create_directories(counterexample_dir(), ec);
  std::string path = counterexample_dir() + "/" + file;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return {};
  out << trace_text(target_name);
  return out ? path : std::string();
}

}  // namespace p9::prop
