// p9wasi-replay [--ignore KEY,...] [--preopen /NAME] TRACE
//
// Replays a WASI call trace (reference/wasi/README.md, "Traces"; recorded by
// `p9wasi run --trace`, by conformance/wasi/run.mjs --trace-dir on any host,
// or in a browser) natively against a Host over a fresh model whose preopen
// (fd 3) is an empty directory, and names the first call whose answer
// differs from the recorded one. Exit status: 0 when every file call
// answered as recorded, 1 at the first difference, 2 when the trace cannot
// be read or a line does not parse (its number and why).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "reference/model/model.h"
#include "reference/wasi/replay.h"

int main(int argc, char** argv) {
  p9::wasi::ReplayOptions opt;
  std::string preopen = "/sandbox", file;
  auto usage = [](const char* why) {
    if (why) std::fprintf(stderr, "p9wasi-replay: %s\n", why);
    std::fprintf(stderr, "usage: p9wasi-replay [--ignore KEY,...] [--preopen /NAME] TRACE\n");
    return 2;
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--ignore" || a == "--preopen") && i + 1 < argc) {
      std::string v = argv[++i];
      if (a == "--preopen") {
        preopen = v;
        continue;
      }
      std::stringstream ss(v);
      for (std::string k; std::getline(ss, k, ',');)
        if (!k.empty()) opt.ignore.insert(k);
    } else if (a.rfind("--", 0) == 0) {
      return usage(("unknown option " + a).c_str());
    } else if (file.empty()) {
      file = a;
    } else {
      return usage("one trace at a time");
    }
  }
  if (file.empty()) return usage(nullptr);
  std::ifstream in(file);
  if (!in) {
    std::fprintf(stderr, "p9wasi-replay: %s: %s\n", file.c_str(), std::strerror(errno));
    return 2;
  }
  p9::model::Model store;
  auto host = p9::wasi::Host::in_directory(store, p9::fs::Cred{0, 0, {}}, "top", preopen);
  if (!host.ok()) {
    std::fprintf(stderr, "p9wasi-replay: the model's preopen could not be made: %s\n",
                 p9::wasi::errno_name(host.error()));
    return 2;
  }
  p9::wasi::ReplayReport r = p9::wasi::replay(in, **host, opt);
  if (!r.error.empty()) {
    std::fprintf(stderr, "p9wasi-replay: %s: %s\n", file.c_str(), r.error.c_str());
    return 2;
  }
  std::string broken = store.check_invariants();
  if (!r.difference.empty()) {
    std::printf(
        "%s: first difference after %zu file calls replayed (%zu calls skipped: not about files, or on "
        "stdio):\n%s\n",
        file.c_str(), r.replayed, r.skipped, r.difference.c_str());
    return 1;
  }
  if (!broken.empty()) {
    std::printf("%s: the model's invariants do not hold after the replay: %s\n", file.c_str(),
                broken.c_str());
    return 1;
  }
  std::printf(
      "%s: %zu file calls replayed, all answered as recorded (%zu calls skipped: not about files, or on "
      "stdio)\n",
      file.c_str(), r.replayed, r.skipped);
  return 0;
}
