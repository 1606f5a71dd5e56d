// The message printer: one line per frame, fields in wire order, flag and
// mode fields shown symbolically from spec/constants.def. Logs, the trace
// tools and test failure messages all print frames through here, e.g.
//   Twalk tag=3 fid=1 newfid=2 wname=["a","b"]
//   Rlerror tag=3 ecode=2 (ENOENT)
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "spec/protocol.h"

namespace p9 {

std::string to_string(const Frame& frame);
std::string to_string(const Qid& qid);

// Field renderers, exposed for tools that print single values.
std::string format_mode(std::uint32_t mode);          // S_IFREG|0644
std::string format_open_flags(std::uint32_t flags);   // O_RDWR|O_CREAT
std::string format_bits(const char* set, std::uint64_t value, const char* prefix = "");
std::string format_enum(const char* set, std::uint64_t value, const char* prefix = "");
std::string quote_bytes(const std::string& s);        // "a\x01b" (C-style escapes)
std::string format_data(const Data& d);               // <5 bytes "hello"> (the first 32 bytes shown)
// A data field as the printer shows it (test frameworks print values with it).
std::ostream& operator<<(std::ostream& os, const Data& d);

}  // namespace p9
