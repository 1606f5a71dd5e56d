// Prints spec/messages.md from the tables (spec/*.def). The committed file is
// checked against this output by the test spec.messages_md_up_to_date.
#include <cstdio>
#include <string>

#include "spec/protocol.h"

namespace {

struct FieldRow {
  const char* kind;
  const char* name;
  const char* wire;
};

template <class M>
void print_message(unsigned num) {
  std::string fields;
  std::printf("| %u | `%s` | ", num, M::kName);
  bool first = true;
  p9::msg::visit_fields(M{}, [&](const char* name, const auto&, auto kind) {
    using K = decltype(kind);
    std::printf("%s%s[%s]", first ? "" : " ", name, K::wire);
    first = false;
  });
  if (first) std::printf("(no fields)");
  std::printf(" |\n");
}

}  // namespace

int main() {
  std::printf("# 9P2000.L messages\n\n");
  std::printf("Generated from `spec/messages.def` by `spec/gen_messages_md.cc`; do not edit by hand.\n");
  std::printf("Every frame begins with `size[4] type[1] tag[2]` (little-endian); the fields below follow.\n\n");
  std::printf("| type | message | fields after the header |\n|---:|---|---|\n");
#define P9_FIELD(KIND, NAME)
#define P9_MESSAGE(NAME, NUM, FIELDS) print_message<p9::msg::NAME>(NUM);
#include "spec/messages.def"
#undef P9_MESSAGE
#undef P9_FIELD

  std::printf("\n## Field kinds\n\n| kind | wire layout | meaning |\n|---|---|---|\n");
#define P9_KIND(KIND, CPP, WIRE, MEANING) std::printf("| `%s` | %s | %s |\n", #KIND, WIRE, MEANING);
#include "spec/kinds.def"
#undef P9_KIND

  std::printf("\n## Constants\n\n| name | value |\n|---|---:|\n");
#define P9_CONST(NAME, VALUE) std::printf("| `%s` | 0x%llx |\n", #NAME, static_cast<unsigned long long>(VALUE));
#define P9_BIT(SET, NAME, VALUE)
#define P9_ENUM(SET, NAME, VALUE)
#include "spec/constants.def"
#undef P9_CONST
#undef P9_BIT
#undef P9_ENUM

  std::printf("\n## Flag sets and enumerations\n\n| set | name | value | kind |\n|---|---|---:|---|\n");
  for (const auto& v : p9::kNamedValues)
    std::printf("| %s | `%s` | 0%llo | %s |\n", v.set, v.name, static_cast<unsigned long long>(v.value),
                v.is_bit ? "bit" : "value");

  std::printf("\n## Errno values (Linux, as carried by Rlerror)\n\n| name | value | text |\n|---|---:|---|\n");
#define P9_ERRNO(ID, ENAME, VALUE, TEXT) std::printf("| `%s` | %d | %s |\n", #ENAME, VALUE, TEXT);
#include "spec/errno.def"
#undef P9_ERRNO
  return 0;
}
