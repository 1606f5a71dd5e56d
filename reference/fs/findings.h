// The text an invariant check returns: what is wrong, or "" when all holds.
// Written to with <<, as an std::ostringstream, but the stream is made only
// when something is wrong: constructing one looks up the locale's facets
// (dynamic_casts), which was two thirds of fuzz_server's time when the
// model's checks ran after every message and found nothing.
#pragma once

#include <memory>
#include <sstream>
#include <string>

namespace p9::fs {

class Findings {
 public:
  template <class T>
  Findings& operator<<(const T& v) {
    if (!out_) out_ = std::make_unique<std::ostringstream>();
    *out_ << v;
    return *this;
  }
  std::string str() const { return out_ ? out_->str() : std::string(); }

 private:
  std::unique_ptr<std::ostringstream> out_;
};

}  // namespace p9::fs
