// The stale-fid qualifier of deviation rules (deviation_list.h): which fids
// of a session were reached by names that no longer lead where they led.
// A server whose fids are host paths (diod: diod/ioctx.c path_append keeps
// the path a fid was walked by) looks such a fid's file up by a name that
// was renamed or unlinked since; 9P fids name files, not paths. Fed each
// request with its reply, in the order the server answered them, by p9trace
// replay (the recorded session) and the conformance runner (a case's own
// exchanges, every connection).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "spec/protocol.h"

namespace p9::deviations {

class FidNames {
 public:
  // One request of connection `conn` and the reply it got.
  void exchange(int conn, const Message& request, const Message& reply);
  // True when the request's first fid was reached by a name (its own, or a
  // directory's above it) that no longer leads where it led.
  bool stale(int conn, const Message& request) const;
  // Exchanges fed from the middle of a session (a recording that starts after
  // the case's directory was walked to): a fid first seen in a request other
  // than Tattach is taken as an attach root of its own (with a qid.path of its
  // own, from the top of the range), so names walked and made from it are followed.
  void adopt_unknown_fids() { adopt_ = true; }

 private:
  using Name = std::pair<std::uint64_t, std::string>;  // (directory's qid.path, name)
  struct Fid {
    std::uint64_t path = 0;   // the qid.path it is on
    std::vector<Name> names;  // the names it was reached by from its attach, outermost first
  };
  void forget_own_name(const Fid& f);
  std::map<Name, std::uint64_t> names_;  // what each name leads to, as the replies said
  std::map<std::pair<int, std::uint32_t>, Fid> fids_;
  bool adopt_ = false;
  static constexpr std::uint64_t kAdoptedPath = ~std::uint64_t{0};  // minus the fid
};

}  // namespace p9::deviations
