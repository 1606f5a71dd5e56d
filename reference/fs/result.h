// Result<T>: a value or a Linux errno (p9::Errno). The core builds with
// Emscripten's libc++ 13, which has no std::expected, so this is ours.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>

#include "spec/linux.h"

namespace p9 {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)), err_(Errno::OK) {}  // NOLINT
  // Anything T can be made from (e.g. one message struct into a Message variant).
  template <class U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, Errno> &&
           !std::is_same_v<std::decay_t<U>, T> && !std::is_same_v<std::decay_t<U>, Result>) Result(U&& u)
      : value_(std::forward<U>(u)), err_(Errno::OK) {}             // NOLINT
  Result(Errno e) : value_(), err_(e) { assert(e != Errno::OK); }  // NOLINT
  bool ok() const { return err_ == Errno::OK; }
  explicit operator bool() const { return ok(); }
  Errno error() const { return err_; }
  T& value() & {
    assert(ok());
    return value_;
  }
  const T& value() const& {
    assert(ok());
    return value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  T value_;
  Errno err_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() : err_(Errno::OK) {}
  Result(Errno e) : err_(e) {}  // NOLINT
  bool ok() const { return err_ == Errno::OK; }
  explicit operator bool() const { return ok(); }
  Errno error() const { return err_; }

 private:
  Errno err_;
};

// Propagate an error: P9_TRY(r) returns r.error() from the enclosing function.
#define P9_TRY(expr)                               \
  do {                                             \
    auto&& p9_try_r_ = (expr);                     \
    if (!p9_try_r_.ok()) return p9_try_r_.error(); \
  } while (0)

}  // namespace p9
