// Subcommands of the p9ref program (reference/p9ref/main.cc dispatches).
#pragma once

#include <string>
#include <vector>

namespace p9::tool {
int decode_main(const std::vector<std::string>& args);  // decode_cmd.cc
int serve_main(const std::vector<std::string>& args);   // serve_cmd.cc
}  // namespace p9::tool
