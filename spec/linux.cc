#include "spec/linux.h"

namespace p9 {

namespace {
struct ErrnoRow {
  std::uint32_t code;
  const char* name;
  const char* text;
};
constexpr ErrnoRow kErrnos[] = {
#define P9_ERRNO(ID, ENAME, VALUE, TEXT) {VALUE, #ENAME, TEXT},
#include "spec/errno.def"
#undef P9_ERRNO
};
}  // namespace

const char* errno_name(std::uint32_t code) {
  for (const auto& e : kErrnos)
    if (e.code == code) return e.name;
  return nullptr;
}

const char* errno_text(std::uint32_t code) {
  for (const auto& e : kErrnos)
    if (e.code == code) return e.text;
  return nullptr;
}

}  // namespace p9
