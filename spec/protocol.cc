#include "spec/protocol.h"

namespace p9 {

namespace {
constexpr MsgInfo kMessages[] = {
#define P9_FIELD(KIND, NAME)
#define P9_MESSAGE(NAME, NUM, FIELDS) {MsgType::NAME, #NAME, #NAME[0] == 'T'},
#include "spec/messages.def"
#undef P9_MESSAGE
#undef P9_FIELD
};

// Index by type number, built once.
struct MsgIndex {
  const MsgInfo* by_type[256] = {};
  constexpr MsgIndex() {
    for (const auto& m : kMessages) by_type[static_cast<std::uint8_t>(m.type)] = &m;
  }
};
constexpr MsgIndex kIndex;
}  // namespace

const MsgInfo* msg_info(std::uint8_t type) { return kIndex.by_type[type]; }

const char* msg_name(std::uint8_t type) {
  const MsgInfo* i = msg_info(type);
  return i ? i->name : nullptr;
}

MsgType type_of(const Message& m) {
  return std::visit(
      [](const auto& x) -> MsgType {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::monostate>)
          return static_cast<MsgType>(0);
        else
          return std::decay_t<decltype(x)>::kType;
      },
      m);
}

}  // namespace p9
