// The same random sequence of WASI calls through two Hosts, one over the
// model and one over a host directory (posix backend): every answer must be
// the same (errno, bytes read, sizes, types, link counts, listings as sets).
// The model is the executable specification; a difference is a bug in one
// of them or a rule the front end leaves to the backend.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "reference/wasi/random_calls.h"

namespace p9::wasi {
namespace {

TEST(WasiDifferential, ModelAndPosixAnswerTheSameCalls) {
  for (std::uint32_t seed = 1; seed <= 100; ++seed) {
    CallPair pair;
    ASSERT_EQ(pair.init("p9wasi-diff"), "");
    auto &model = pair.model, &posix = pair.posix;
    std::mt19937 rm(seed), rp(seed);
    Choose cm = [&](std::uint32_t n) { return static_cast<std::uint32_t>(rm() % n); };
    Choose cp = [&](std::uint32_t n) { return static_cast<std::uint32_t>(rp() % n); };
    CallState fm, fp;
    std::vector<std::string> history;
    for (int i = 0; i < 150; ++i) {
      std::string a = random_call(cm, *model.h, fm);
      std::string b = random_call(cp, *posix.h, fp);
      history.push_back(a);
      if (a != b) {
        std::string h;
        for (const auto& line : history) h += "  " + line + "\n";
        ADD_FAILURE() << "seed " << seed << " step " << i << ":\n model: " << a << "\n posix: " << b
                      << "\nhistory (model):\n"
                      << h;
        break;
      }
    }
    EXPECT_EQ(model.be->check_invariants(), "") << "seed " << seed;
  }
}

// fd_readdir of a directory opened, then removed: ENOENT from both, as
// getdents(2) answers (the posix backend once listed nothing, through glibc's
// readdir(3); the random sequences rarely reach this).
TEST(WasiDifferential, RemovedDirectoryReadsAsLinux) {
  CallPair pair;
  ASSERT_EQ(pair.init("p9wasi-diff"), "");
  auto &model = pair.model, &posix = pair.posix;
  // Choices, in random_call's order: paths "d", "a"; follow; the fd (the
  // preopen); the directory fd (the preopen); then the call and its own.
  auto run = [](CallSide& s, std::vector<std::uint32_t> picks, CallState& st) {
    std::size_t i = 0;
    Choose c = [&](std::uint32_t n) { return i < picks.size() ? picks[i++] % n : 0; };
    return random_call(c, *s.h, st);
  };
  CallState sm, sp;
  std::vector<std::vector<std::uint32_t>> calls = {
      {2, 0, 0, 0, 1, 5},           // path_create_directory 3 d
      {2, 0, 0, 0, 1, 0, 0, 1, 0},  // path_open 3 d, read rights -> fd 4
      {2, 0, 0, 0, 1, 6},           // path_remove_directory 3 d
      {2, 0, 0, 1, 1, 13},          // fd_readdir 4
  };
  std::string a, b;
  for (const auto& c : calls) {
    a = run(model, c, sm);
    b = run(posix, c, sp);
  }
  EXPECT_EQ(a, "fd_readdir 4 -> ENOENT");
  EXPECT_EQ(b, a);
}

}  // namespace
}  // namespace p9::wasi
