#include "reference/wasi/errno.h"

#include <cstring>

namespace p9::wasi {
namespace {

struct Row {
  const char* name;
  std::uint16_t value;
};

constexpr Row kWasi[] = {
#define P9_WASI_ERRNO(ID, ENAME, VALUE) {#ENAME, VALUE},
#include "reference/wasi/errno.def"
#undef P9_WASI_ERRNO
};

// The WASI row of a C errno name, or nullptr.
const Row* by_name(const char* name) {
  // One name differs (errno.h: EOPNOTSUPP is ENOTSUP in WASI).
  if (std::strcmp(name, "EOPNOTSUPP") == 0) name = "ENOTSUP";
  for (const Row& r : kWasi)
    if (std::strcmp(r.name, name) == 0) return &r;
  return nullptr;
}

// The Linux name of a p9::Errno, from spec/errno.def.
const char* linux_name(p9::Errno e) {
  switch (e) {
    case p9::Errno::OK:
      return "ESUCCESS";
#define P9_ERRNO(ID, ENAME, VALUE, TEXT) \
  case p9::Errno::ID:                    \
    return #ENAME;
#include "spec/errno.def"
#undef P9_ERRNO
  }
  return nullptr;
}

}  // namespace

const char* errno_name(std::uint16_t code) {
  for (const Row& r : kWasi)
    if (r.value == code) return r.name;
  return nullptr;
}

bool has_wasi_name(p9::Errno e) {
  const char* n = linux_name(e);
  return n != nullptr && by_name(n) != nullptr;
}

Errno from_linux(p9::Errno e) {
  const char* n = linux_name(e);
  const Row* r = n ? by_name(n) : nullptr;
  return r ? static_cast<Errno>(r->value) : Errno::IO;
}

}  // namespace p9::wasi
