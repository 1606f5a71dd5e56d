#include <cstdio>

#include "reference/p9ref/commands.h"

namespace p9::tool {
int serve_main(const std::vector<std::string>&) {
  std::fprintf(stderr, "p9ref serve: not built yet\n");
  return 2;
}
}  // namespace p9::tool
