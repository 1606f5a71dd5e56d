// C++ view of the Linux ABI facts shared by every front end and backend
// (spec/linux.def) and of Linux's errno numbers (spec/errno.def). Nothing of
// 9P is here: reference/fs/, the backends and non-9P front ends include this
// header, never spec/protocol.h (which includes it for the wire's use).
#pragma once

#include <cstdint>

namespace p9 {

// ---- constants (spec/linux.def) ----
#define P9_DEF_FILE "spec/linux.def"
#include "spec/constants.inc"
#undef P9_DEF_FILE

// One row of a named flag set or enumeration, for printers and generators.
struct NamedValue {
  const char* set;
  const char* name;
  std::uint64_t value;
  bool is_bit;  // P9_BIT (combine with |) or P9_ENUM (one of)
};

// ---- errno (spec/errno.def): Linux numbers ----
enum class Errno : std::uint32_t {
  OK = 0,
#define P9_ERRNO(ID, ENAME, VALUE, TEXT) ID = VALUE,
#include "spec/errno.def"
#undef P9_ERRNO
};
// "ENOENT" for Errno::NOENT; nullptr for a number not in the table.
const char* errno_name(std::uint32_t code);
const char* errno_text(std::uint32_t code);

}  // namespace p9
