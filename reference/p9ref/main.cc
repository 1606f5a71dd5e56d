// p9ref: the reference 9P2000.L server and its tools.
#include <cstdio>
#include <string>
#include <vector>

#include "reference/p9ref/commands.h"
#include "reference/transport/memory.h"

namespace {
void usage(std::FILE* to) {
  std::fprintf(to,
               "usage: p9ref COMMAND [ARGS]\n"
               "  serve  --listen tcp:HOST:PORT|unix:PATH|stdio --backend model|posix:DIR [--msize N] [--log]\n"
               "  decode [--msize N] [--offsets] [FILE|-]   print a stream of 9P frames, one line each\n"
               "Run 'p9ref COMMAND --help' for details.\n");
}
}  // namespace

int main(int argc, char** argv) {
  p9::transport::tune_allocator_for_large_frames();
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "decode") return p9::tool::decode_main(args);
  if (cmd == "serve") return p9::tool::serve_main(args);
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    usage(stdout);
    return 0;
  }
  std::fprintf(stderr, "p9ref: unknown command '%s'\n", cmd.c_str());
  usage(stderr);
  return 2;
}
