// Random WASI calls on a Host, each answered as one line of text: the
// sequence generator shared by the differential test (differential_test.cc,
// a seeded std::mt19937) and the fuzz target (fuzz/fuzz_wasi.cc, the fuzzer's
// bytes). Two Hosts given the same choices must print the same lines; the
// text holds everything a call answered that does not depend on the store
// (errno, bytes read, sizes, types, link counts, positions, listings as sets;
// not inode numbers, times, or a directory's size).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "reference/wasi/host.h"

namespace p9::wasi {

// A number below n (n > 0).
using Choose = std::function<std::uint32_t(std::uint32_t n)>;

// The open descriptors a sequence may name: the preopen, then what
// path_open returned (closed and renumbered ones removed).
struct CallState {
  std::vector<Fd> fds{Host::kPreopenFd};
};

// A Host over a fresh backend whose preopen (fd 3, "/top") is the directory
// /top, made as root.
struct CallSide {
  std::unique_ptr<fs::Backend> be;
  std::unique_ptr<Host> h;
  bool init(std::unique_ptr<fs::Backend> b);
};

// A new empty directory $TMPDIR/PREFIX.XXXXXX (/tmp without TMPDIR); "" when
// mkdtemp(3) fails.
std::string make_temp_dir(const char* prefix);

// The two sides a differential run compares: a Host over the model and one
// over the posix backend in a new temporary directory, removed with the pair.
struct CallPair {
  CallSide model, posix;
  std::string dir;
  // "" when both are made, else why not.
  std::string init(const char* prefix);
  ~CallPair();
};

// One call, chosen by `choose`, made on `h`; returns its line.
std::string random_call(const Choose& choose, Host& h, CallState& st);

}  // namespace p9::wasi
