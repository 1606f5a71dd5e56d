// p9trace subcommands (main.cc dispatches on the first argument), and what
// they share for reading their arguments (main.cc).
#pragma once

#include <string>
#include <vector>

namespace p9::trace {
struct Trace;

// The value of the option args[i], advancing i past it; with none, says
// "p9trace CMD: OPTION needs a value" and exits 2.
std::string option_value(const char* cmd, const std::vector<std::string>& args, std::size_t& i);
// read_trace, saying why not on stderr ("p9trace CMD: ...").
bool read_trace_or_say(const char* cmd, const std::string& path, Trace* t);

int cmd_record(const std::vector<std::string>& args);
int cmd_replay(const std::vector<std::string>& args);
int cmd_reduce(const std::vector<std::string>& args);
int cmd_pcap(const std::vector<std::string>& args);
int cmd_tshark_check(const std::vector<std::string>& args);
int cmd_print(const std::vector<std::string>& args);
int cmd_stats(const std::vector<std::string>& args);
int cmd_normalize(const std::vector<std::string>& args);
int cmd_seeds(const std::vector<std::string>& args);
}  // namespace p9::trace
