// Result<T>: a value or a Linux errno (p9::Errno). The core builds with
// Emscripten's libc++ 13, which has no std::expected, so this is ours.
// BasicResult<T, E, kOk> is the same for another error enum whose success
// value is kOk (the WASI front end's wasi::Result, reference/wasi/result.h).
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>

#include "spec/linux.h"

namespace p9 {

template <class T, class E, E kOk>
class [[nodiscard]] BasicResult {
 public:
  BasicResult(T value) : value_(std::move(value)), err_(kOk) {}  // NOLINT
  // Anything T can be made from (e.g. one message struct into a Message variant).
  template <class U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, E> &&
           !std::is_same_v<std::decay_t<U>, T> && !std::is_same_v<std::decay_t<U>, BasicResult>)
      BasicResult(U&& u)
      : value_(std::forward<U>(u)), err_(kOk) {}              // NOLINT
  BasicResult(E e) : value_(), err_(e) { assert(e != kOk); }  // NOLINT
  bool ok() const { return err_ == kOk; }
  explicit operator bool() const { return ok(); }
  E error() const { return err_; }
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
  E err_;
};

template <class E, E kOk>
class [[nodiscard]] BasicResult<void, E, kOk> {
 public:
  BasicResult() : err_(kOk) {}
  BasicResult(E e) : err_(e) {}  // NOLINT
  bool ok() const { return err_ == kOk; }
  explicit operator bool() const { return ok(); }
  E error() const { return err_; }

 private:
  E err_;
};

template <class T>
using Result = BasicResult<T, Errno, Errno::OK>;

// Propagate an error: P9_TRY(r) returns r.error() from the enclosing function.
#define P9_TRY(expr)                               \
  do {                                             \
    auto&& p9_try_r_ = (expr);                     \
    if (!p9_try_r_.ok()) return p9_try_r_.error(); \
  } while (0)

}  // namespace p9
