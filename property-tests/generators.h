// RapidCheck generators for every 9P message, derived from the spec table:
// one generator per field kind, combined through visit_fields. Adding a
// message to spec/messages.def adds it here with no edit.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "spec/protocol.h"

namespace p9::gen {

inline rc::Gen<std::string> bytes(std::size_t max) {
  return rc::gen::resize(static_cast<int>(max), rc::gen::container<std::string>(rc::gen::arbitrary<char>()));
}

inline rc::Gen<Qid> qid() {
  return rc::gen::build<Qid>(rc::gen::set(&Qid::type), rc::gen::set(&Qid::version), rc::gen::set(&Qid::path));
}

template <class K>
rc::Gen<typename K::type> field() {
  using T = typename K::type;
  if constexpr (std::is_same_v<K, kind::wnames>) {
    return rc::gen::mapcat(rc::gen::inRange<std::size_t>(0, MAXWELEM + 1),
                           [](std::size_t n) { return rc::gen::container<std::vector<std::string>>(n, bytes(40)); });
  } else if constexpr (std::is_same_v<K, kind::wqids>) {
    return rc::gen::mapcat(rc::gen::inRange<std::size_t>(0, MAXWELEM + 1),
                           [](std::size_t n) { return rc::gen::container<std::vector<Qid>>(n, qid()); });
  } else if constexpr (std::is_same_v<K, kind::dirents>) {
    auto entry = rc::gen::build<Dirent>(rc::gen::set(&Dirent::qid, qid()), rc::gen::set(&Dirent::offset),
                                        rc::gen::set(&Dirent::type), rc::gen::set(&Dirent::name, bytes(40)));
    return rc::gen::resize(12, rc::gen::container<std::vector<Dirent>>(entry));
  } else if constexpr (std::is_same_v<T, Data>) {  // owned bytes (a message as a client builds it)
    return rc::gen::map(bytes(2000), [](std::string s) { return Data(std::move(s)); });
  } else if constexpr (std::is_same_v<T, std::string>) {
    return bytes(300);
  } else if constexpr (std::is_same_v<T, Qid>) {
    return qid();
  } else {
    return rc::gen::arbitrary<T>();
  }
}

template <class M>
rc::Gen<Message> message_of() {
  return rc::gen::exec([] {
    M m;
    msg::visit_fields(m, [](const char*, auto& value, auto k) { value = *field<decltype(k)>(); });
    return Message(std::move(m));
  });
}

template <std::size_t... I>
rc::Gen<Message> any_message(std::index_sequence<I...>) {
  return rc::gen::oneOf(message_of<std::variant_alternative_t<I, Message>>()...);
}

// Any message of the table (never the monostate sentinel).
inline rc::Gen<Message> message() {
  return any_message(std::make_index_sequence<std::variant_size_v<Message> - 1>{});
}

inline rc::Gen<Frame> frame() {
  return rc::gen::build<Frame>(rc::gen::set(&Frame::tag), rc::gen::set(&Frame::body, message()));
}

}  // namespace p9::gen
