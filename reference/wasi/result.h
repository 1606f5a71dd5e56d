// wasi::Result<T>: a value or a WASI errno (p9::wasi::Errno). The same shape
// as p9::Result (reference/fs/result.h), which carries Linux errnos: the
// front end's answers are in WASI's numbers (reference/wasi/errno.h).
#pragma once

#include <cassert>
#include <utility>

#include "reference/wasi/errno.h"

namespace p9::wasi {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)), err_(Errno::SUCCESS) {}   // NOLINT
  Result(Errno e) : value_(), err_(e) { assert(e != Errno::SUCCESS); }  // NOLINT
  bool ok() const { return err_ == Errno::SUCCESS; }
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

}  // namespace p9::wasi
