// p9trace subcommands (main.cc dispatches on the first argument).
#pragma once

#include <string>
#include <vector>

namespace p9::trace {
int cmd_record(const std::vector<std::string>& args);
int cmd_replay(const std::vector<std::string>& args);
int cmd_pcap(const std::vector<std::string>& args);
int cmd_tshark_check(const std::vector<std::string>& args);
int cmd_print(const std::vector<std::string>& args);
int cmd_stats(const std::vector<std::string>& args);
int cmd_normalize(const std::vector<std::string>& args);
int cmd_seeds(const std::vector<std::string>& args);
}  // namespace p9::trace
