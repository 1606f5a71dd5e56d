// fuzz_wasi: the WASI front end (reference/wasi/host.h) driven by random call
// sequences. The input's bytes are the choices of reference/wasi/
// random_calls.h (the generator the WASI differential test uses with a
// seeded PRNG): each choice takes the next two bytes modulo the range; the
// sequence ends when the bytes do. The same choices go to a Host over the
// model and to one over the posix backend in a fresh temporary directory
// (removed after each input). After every call:
//  - both sides' answers must be the same line (random_calls.h says what it
//    holds);
//  - the model's invariants must hold (Model::check_invariants).
// A failure prints the calls so far and aborts, which libFuzzer reports.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "reference/wasi/random_calls.h"

namespace {

// The fuzzer's bytes as choices; 0 once they run out (and done() is true).
struct Bytes {
  const std::uint8_t* data;
  std::size_t size, at = 0;
  std::uint32_t next(std::uint32_t n) {
    std::uint32_t v = 0;
    for (int i = 0; i < 2 && at < size; ++i) v = (v << 8) | data[at++];
    return v % n;
  }
  bool done() const { return at >= size; }
};

constexpr int kMaxCalls = 200;

[[noreturn]] void fail(const std::vector<std::string>& history, const std::string& what) {
  std::fprintf(stderr, "fuzz_wasi: %s\ncalls (model):\n", what.c_str());
  for (const auto& h : history) std::fprintf(stderr, "  %s\n", h.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    p9::wasi::CallPair pair;
    if (std::string err = pair.init("p9fuzzwasi"); !err.empty()) {
      std::fprintf(stderr, "fuzz_wasi: %s\n", err.c_str());
      std::abort();
    }
    auto &model = pair.model, &posix = pair.posix;
    Bytes bm{data, size}, bp{data, size};
    p9::wasi::Choose cm = [&](std::uint32_t n) { return bm.next(n); };
    p9::wasi::Choose cp = [&](std::uint32_t n) { return bp.next(n); };
    p9::wasi::CallState sm, sp;
    std::vector<std::string> history;
    for (int i = 0; i < kMaxCalls && !bm.done(); ++i) {
      std::string a = p9::wasi::random_call(cm, *model.h, sm);
      std::string b = p9::wasi::random_call(cp, *posix.h, sp);
      history.push_back(a);
      if (a != b) fail(history, "the backends answer differently:\n  posix: " + b);
      std::string inv = model.be->check_invariants();
      if (!inv.empty()) fail(history, "model invariants broken: " + inv);
    }
  }
  return 0;
}
