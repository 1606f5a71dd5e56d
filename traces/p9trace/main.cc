// p9trace: record real Linux v9fs sessions, replay them on any server,
// open them in Wireshark. See traces/FORMAT.md.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "traces/p9trace/commands.h"
#include "traces/p9trace/trace.h"

namespace p9::trace {

std::string option_value(const char* cmd, const std::vector<std::string>& args, std::size_t& i) {
  if (i + 1 >= args.size()) {
    std::fprintf(stderr, "p9trace %s: %s needs a value\n", cmd, args[i].c_str());
    std::exit(2);
  }
  return args[++i];
}

bool read_trace_or_say(const char* cmd, const std::string& path, Trace* t) {
  std::string error;
  if (read_trace(path, t, &error)) return true;
  std::fprintf(stderr, "p9trace %s: %s\n", cmd, error.c_str());
  return false;
}

}  // namespace p9::trace

namespace {
const char* kUsage =
    "usage: p9trace COMMAND ...\n"
    "  record --listen ADDR --upstream ADDR -o FILE [--meta key=value ...]\n"
    "                        recording proxy; stops on SIGINT/SIGTERM and writes FILE\n"
    "  replay TRACE --target T [--inprocess] [--aname A] [--deviations FILE] [--verbose]\n"
    "                        T: inprocess:model inprocess:posix inprocess:opfs inprocess:bug:NAME "
    "p9ref:model\n"
    "                        p9ref:posix p9ref:opfs diod tcp:H:P unix:PATH; --inprocess: no socket\n"
    "  reduce TRACE --target T [--aname A] [--start 'CMD {port} {export}'] [--max-replays N] [-o PREFIX]\n"
    "                        the smallest part of TRACE that still diverges the same way on T\n"
    "  pcap TRACE OUT.pcap   synthetic IPv4/TCP capture (port 564) for Wireshark/tshark\n"
    "  tshark-check TRACE    compare our decoding of every frame with tshark's\n"
    "  print TRACE           one printer line per frame\n"
    "  stats TRACE           messages by type, errnos seen\n"
    "  normalize TRACE       printer lines with server-chosen values renumbered (to diff recordings)\n"
    "  seeds TRACE OUTFILE   client frames as a fuzz_server seed\n";
}

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "--help")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  using namespace p9::trace;
  if (cmd == "record") return cmd_record(args);
  if (cmd == "replay") return cmd_replay(args);
  if (cmd == "reduce") return cmd_reduce(args);
  if (cmd == "pcap") return cmd_pcap(args);
  if (cmd == "tshark-check") return cmd_tshark_check(args);
  if (cmd == "print") return cmd_print(args);
  if (cmd == "stats") return cmd_stats(args);
  if (cmd == "normalize") return cmd_normalize(args);
  if (cmd == "seeds") return cmd_seeds(args);
  std::fprintf(stderr, "p9trace: unknown command '%s'\n%s", cmd.c_str(), kUsage);
  return 2;
}
