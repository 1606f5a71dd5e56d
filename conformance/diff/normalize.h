// Comparing the replies of two 9P servers to the same request: the one
// normaliser shared by the stateful property (property-tests/), the
// differential fuzzer (fuzz/fuzz_diff.cc), the differential mode
// (differential_main.cc) and trace replay (traces/p9trace/replay.cc). "What is correct" lives in the
// model; this file only says which reply fields two correct servers may
// legitimately disagree on, and how server-chosen numbers are matched.
//
// Rules (the same as traces/FORMAT.md "Replay": p9trace replay compares
// recorded and replayed replies with this file too):
//  - reply types equal; Rlerror errnos equal;
//  - qid.type exact, qid.version ignored, qid.path mapped one-to-one between
//    the two sides (QidMap);
//  - Rgetattr: times, gen, data_version, blksize and blocks ignored; size
//    ignored for directories (tmpfs, ext4 and the model count differently);
//  - Rstatfs: only namelen compared (the rest describes the storage);
//  - Rlopen/Rlcreate: iounit ignored; Rversion: msize ignored (each server's limit);
//  - Rreaddir: entries are not compared here (cookies and order are the
//    server's); callers compare a whole listing as a set of (name, type)
//    with entry_set();
//  - everything else exact.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "spec/protocol.h"

namespace p9::diff {

// Pointers to every qid of a message (qid and wqid fields), in wire order.
// Readdir entries' qids are not included.
std::vector<Qid*> qids_of(Message& m);

// Zeroes the fields two correct servers choose independently (see above),
// including every qid's path and version.
void normalise(Message& m);

// One-to-one mapping of qid.path between a reference side and another side.
// A number may stand for a new object once its old object is gone; which
// side may reuse numbers, and how the map learns that an object is gone, is
// the caller's choice (Reuse).
class QidMap {
 public:
  enum class Reuse {
    // The reference is the model, whose numbers are never reused (model.h);
    // the other side may reuse a number once its object is gone (a host file
    // system does), so a known other-side number may be re-bound to a
    // reference number never seen before. The old reference number is then
    // retired: seeing it again is a divergence.
    kOtherSide,
    // Both sides may reuse numbers (p9trace replay: the recorded server is a
    // host file system too), so a binding changes only after forget(), which
    // the caller calls when it knows the object is gone on both sides; any
    // other change of a binding is a divergence.
    kForgottenOnly,
  };
  // ref_name/other_name name the two sides in the explanations.
  explicit QidMap(Reuse reuse = Reuse::kOtherSide, std::string ref_name = "reference",
                  std::string other_name = "other side");

  // True when (ref, other) is consistent with everything seen so far (and
  // records it); false + *why otherwise.
  bool check(const Qid& ref, const Qid& other, std::string* why);
  // The object the reference side numbers ref_path is gone on both sides:
  // its two numbers are free for new objects.
  void forget(std::uint64_t ref_path);
  void clear();

 private:
  Reuse reuse_;
  std::string ref_name_, other_name_;
  std::map<std::uint64_t, std::uint64_t> ref_to_other_, other_to_ref_;
  std::set<std::uint64_t> retired_;
};

// Compares two replies to the same request. "" when they agree after
// normalisation, otherwise why not. Updates `qids`.
std::string compare(const Message& ref, const Message& other, QidMap& qids);

// A listing as a set of (name, DT_ type).
using EntrySet = std::set<std::pair<std::string, std::uint8_t>>;
void add_entries(const Message& rreaddir, EntrySet& into);
// "missing: NAME/TYPE, ...; extra: ...; " (what the other side lacks, what it
// has in addition); at most `most` entries each, then how many in all.
std::string describe_difference(const EntrySet& ref, const EntrySet& other, std::size_t most = 8);

}  // namespace p9::diff
