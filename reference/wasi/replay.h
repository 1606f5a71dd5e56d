// Replaying a WASI call trace (the text format of node/trace.mjs, described
// in reference/wasi/README.md "Traces") natively against a Host: each file
// call of the trace is made again, with the arguments it was recorded with,
// and its answer compared with the recorded one. A trace recorded on any host
// (ours over the OPFS store in a browser, node:wasi, browser_wasi_shim) thus
// names the first call where that host and the replay's store part ways.
//
// Descriptors are mapped: a recorded path_open's fd is paired with the one
// the replay's path_open returned (fd_renumber and fd_close keep the map);
// an fd never returned by path_open (3, the preopen) is itself. Skipped:
// calls that are not about files (args_*, environ_*, clock_*, random_get,
// proc_exit, sched_yield, poll_oneoff, sock_*) and calls on fds 0-2 (the
// process's stdio, which depends on where the recording ran).
//
// Compared: the errno; then, when both succeeded, every result key=value the
// line holds except times (atim, mtim, ctim: each store's clock), inode-free
// by construction, and a directory's size (file-system specific); fd_readdir
// by the set of whole entries (name, type) when the recorded buffer was not
// full (cookies and inode numbers are the store's own), by errno only when it
// was. `ignore` names further result keys not to compare (e.g. base and
// inheriting, the rights, which hosts report differently).
#pragma once

#include <cstdint>
#include <istream>
#include <set>
#include <string>

#include "reference/wasi/host.h"

namespace p9::wasi {

struct ReplayOptions {
  std::set<std::string> ignore;
};

struct ReplayReport {
  std::size_t lines = 0;     // lines read (header included)
  std::size_t replayed = 0;  // file calls made again
  std::size_t skipped = 0;   // calls not made again (not about files, or on stdio)
  std::string error;         // a line that does not parse: its number and why
  std::string difference;    // the first call whose answer differs, recorded vs replayed
  bool ok() const { return error.empty() && difference.empty(); }
};

// Replays `in` on `host` (whose fd 3 is the preopen the trace's program saw)
// until the end or the first difference.
ReplayReport replay(std::istream& in, Host& host, const ReplayOptions& opt = {});

}  // namespace p9::wasi
