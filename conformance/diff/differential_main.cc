// p9conform-diff: the differential mode. Compares two recordings of the whole
// conformance suite (P9_RECORD_DIR=DIR p9conform, once per target): for every
// case, the replies of the main connection, in order, after the shared
// normalisation (conformance/diff/normalize.h: qid paths mapped one to one,
// times ignored, errnos exact; directory listings compared as one set of
// (name, type) per case).
//   p9conform-diff REF_DIR OTHER_DIR [--deviations FILE --target ID [--also ID2]]
//   p9conform-diff --negotiated-msize DIR   (prints the msize a recorded run got)
// Prints one line per differing case (the request, both replies, why) and a
// summary. With --deviations, a difference in a case the list names for ID is
// a known deviation when the difference begins with the row's observed text
// (with --also, so is a case the list names for ID2: a conformance-level
// deviation explains its reply differences too); a difference no row names is
// a known deviation when a rule for ID (or ID2) matches it (deviation_list.h:
// the request of the first differing reply, the reference side's reply as the
// reference reply, the other side's as the server reply, stale-fid judged on
// the other side's exchanges), and rules for ID and ID2 that matched nothing
// are printed as unused (not failed: a run may leave cases out); exit status 1
// when any other difference is found, or when a listed difference no longer happens.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "conformance/deviations/deviation_list.h"
#include "conformance/deviations/fid_names.h"
#include "conformance/diff/normalize.h"
#include "conformance/harness/deviations.h"
#include "reference/codec/codec.h"
#include "reference/codec/printer.h"

namespace {

// A differential row whose difference comes and goes with timing (e.g. whether
// a server flushes a request or answers it first: both are correct), or with
// the host file system under a passthrough server (e.g. the largest file size,
// s_maxbytes: ext4's is below 2^63-1, tmpfs's is not).
constexpr const char* kByTiming = "(timing)";
constexpr const char* kByHostFs = "(host file system)";
bool comes_and_goes(const std::string& observed) { return observed == kByTiming || observed == kByHostFs; }

struct Recorded {
  bool sent;
  p9::Frame frame;      // replies (and requests that decode)
  std::string request;  // printer line of a request (hostile ones may not decode)
};

bool load(const std::filesystem::path& path, std::vector<Recorded>* out, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read " + path.string();
    return false;
  }
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 3) continue;
    std::vector<std::uint8_t> bytes;
    for (std::size_t i = 2; i + 1 < line.size(); i += 2)
      bytes.push_back(static_cast<std::uint8_t>(std::stoi(line.substr(i, 2), nullptr, 16)));
    p9::Decoded d = p9::decode(bytes, p9::Expect::Any, 0xFFFFFFFFu);
    bool sent = line[0] == 'C';
    if (sent) {  // requests are shown, not compared; hostile ones need not decode
      out->push_back(
          {true, d.frame, d.ok() ? p9::to_string(d.frame) : "(malformed request: " + d.detail + ")"});
      continue;
    }
    if (!d.ok()) {
      *error = path.string() + ": " + d.detail;
      return false;
    }
    out->push_back({false, d.frame, ""});
  }
  return true;
}

// For each reply of a recording, the index of the request it answers (by tag),
// or -1; and whether that request's fid was stale (deviations::FidNames fed
// with the exchanges in the order they were recorded, as the server answered).
struct Answers {
  std::vector<long> request_of;
  std::vector<bool> stale;
};

Answers answers(const std::vector<Recorded>& v) {
  Answers a{std::vector<long>(v.size(), -1), std::vector<bool>(v.size(), false)};
  std::map<std::uint16_t, std::size_t> pending;
  p9::deviations::FidNames names;
  names.adopt_unknown_fids();  // a case's recording starts after its directory was walked to
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (v[k].sent) {
      if (v[k].request.rfind("(malformed", 0) != 0) pending[v[k].frame.tag] = k;
      continue;
    }
    auto it = pending.find(v[k].frame.tag);
    if (it == pending.end()) continue;
    a.request_of[k] = static_cast<long>(it->second);
    a.stale[k] = names.stale(0, v[it->second].frame.body);
    names.exchange(0, v[it->second].frame.body, v[k].frame.body);
    pending.erase(it);
  }
  return a;
}

// A reply as rules see it (deviations::reply_text).
std::string rule_reply(const Recorded& r) {
  const auto* e = std::get_if<p9::msg::Rlerror>(&r.frame.body);
  return p9::deviations::reply_text(static_cast<std::uint8_t>(p9::type_of(r.frame.body)), e ? e->ecode : 0);
}

// The first difference of a case: its text, and what a rule is matched
// against (no request when the difference is not at a reply of a decoded one).
struct Difference {
  std::string text;
  p9::deviations::RuleRequest request;
  std::string reference_reply, server_reply;  // reply_text ("" = no reply)
};

bool is_listing(const Recorded& r) { return std::holds_alternative<p9::msg::Rreaddir>(r.frame.body); }

// Skips requests; returns the index of the next reply (or size()).
std::size_t next_reply(const std::vector<Recorded>& v, std::size_t k, std::string* last_request) {
  while (k < v.size() && v[k].sent) {
    if (last_request) *last_request = v[k].request;
    ++k;
  }
  return k;
}

// The case's Rattach names the attach root, which every case of a run shares.
bool note_root(const p9::Message& m, std::uint64_t* path) {
  const auto* a = std::get_if<p9::msg::Rattach>(&m);
  if (a) *path = a->qid.path;
  return a != nullptr;
}

// The attach root's link count counts the directories the earlier cases of
// the run left in it (one per case), and a target that skips cases (its
// profile, or a listed crash) leaves fewer: that count is run history, not
// the case's behaviour, so it is taken from the reference side before the
// comparison. (Its size is already ignored: it is a directory.)
void forget_shared_root_state(const p9::Message& ref, std::uint64_t root_ref, p9::Message& other,
                              std::uint64_t root_other) {
  const auto* a = std::get_if<p9::msg::Rgetattr>(&ref);
  auto* b = std::get_if<p9::msg::Rgetattr>(&other);
  if (a && b && a->qid.path == root_ref && b->qid.path == root_other) b->nlink = a->nlink;
}

// The first difference between two recordings of one case, or "". Replies
// are compared in order; a run of consecutive Rreaddir replies (one listing,
// paged as each server chooses) is compared as one set of (name, type).
Difference compare_case(const std::vector<Recorded>& ref, const std::vector<Recorded>& other) {
  const Answers ref_answers = answers(ref), other_answers = answers(other);
  // The difference at reply i of ref and j of other (either may be past the end: no reply).
  auto at = [&](std::string text, std::size_t i, std::size_t j) {
    Difference d{std::move(text), {}, {}, {}};
    const long q = i < ref.size()     ? ref_answers.request_of[i]
                   : j < other.size() ? other_answers.request_of[j]
                                      : -1;
    if (q < 0) return d;
    const Recorded& request =
        i < ref.size() ? ref[static_cast<std::size_t>(q)] : other[static_cast<std::size_t>(q)];
    const char* name = p9::msg_name(static_cast<std::uint8_t>(p9::type_of(request.frame.body)));
    if (!name) return d;
    d.request.type = name;
    if (j < other.size() && other_answers.stale[j]) d.request.qualifiers.push_back("stale-fid");
    d.reference_reply = i < ref.size() ? rule_reply(ref[i]) : "";
    d.server_reply = j < other.size() ? rule_reply(other[j]) : "";
    return d;
  };
  p9::diff::QidMap qids;
  bool root_seen = false;
  std::uint64_t root_ref = 0, root_other = 0;
  std::size_t i = 0, j = 0;
  std::string last_request;
  while (true) {
    i = next_reply(ref, i, &last_request);
    j = next_reply(other, j, nullptr);
    if (i >= ref.size() || j >= other.size()) break;
    if (is_listing(ref[i]) && is_listing(other[j])) {
      const std::size_t i0 = i, j0 = j;
      p9::diff::EntrySet a, b;
      for (; i < ref.size() && (ref[i].sent || is_listing(ref[i])); ++i)
        if (!ref[i].sent) p9::diff::add_entries(ref[i].frame.body, a);
      for (; j < other.size() && (other[j].sent || is_listing(other[j])); ++j)
        if (!other[j].sent) p9::diff::add_entries(other[j].frame.body, b);
      if (a != b) {
        return at("a listing differs (" + last_request + "): " + p9::diff::describe_difference(a, b), i0, j0);
      }
      continue;
    }
    if (!root_seen)
      root_seen = note_root(ref[i].frame.body, &root_ref) && note_root(other[j].frame.body, &root_other);
    std::string why;
    if (std::holds_alternative<p9::msg::Rgetattr>(other[j].frame.body)) {  // copy only what may be adjusted
      p9::Message other_reply = other[j].frame.body;
      forget_shared_root_state(ref[i].frame.body, root_ref, other_reply, root_other);
      why = p9::diff::compare(ref[i].frame.body, other_reply, qids);
    } else {
      why = p9::diff::compare(ref[i].frame.body, other[j].frame.body, qids);
    }
    if (!why.empty())
      return at("after " + last_request + "\n      ref:   " + p9::to_string(ref[i].frame) +
                    "\n      other: " + p9::to_string(other[j].frame) + "\n      why:   " + why,
                i, j);
    ++i;
    ++j;
  }
  std::size_t ref_left = 0, other_left = 0;
  const std::size_t i0 = i, j0 = j;  // the first reply one side has and the other has not
  for (; i < ref.size(); ++i) ref_left += !ref[i].sent;
  for (; j < other.size(); ++j) other_left += !other[j].sent;
  if (ref_left != other_left)
    return at("reply counts differ: " + std::to_string(ref_left) + " more on ref, " +
                  std::to_string(other_left) + " more on other",
              i0, j0);
  return {};
}

// A recorded run: case name -> its .frames file, in name order.
std::map<std::string, std::filesystem::path> recordings(const std::filesystem::path& dir) {
  std::map<std::string, std::filesystem::path> cases;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".frames") cases[e.path().stem().string()] = e.path();
  return cases;
}

// The msize a recorded run negotiated: the first Rversion of its first case.
int print_negotiated_msize(const std::filesystem::path& dir) {
  for (const auto& [name, path] : recordings(dir)) {
    std::vector<Recorded> frames;
    std::string error;
    if (!load(path, &frames, &error)) continue;
    for (const Recorded& r : frames)
      if (const auto* v = std::get_if<p9::msg::Rversion>(&r.frame.body); v && !r.sent) {
        std::printf("%u\n", v->msize);
        return 0;
      }
  }
  std::fprintf(stderr, "p9conform-diff: no Rversion recorded in %s\n", dir.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc == 3 && std::string(argv[1]) == "--negotiated-msize") return print_negotiated_msize(argv[2]);
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: p9conform-diff REF_DIR OTHER_DIR [--deviations FILE --target ID [--also ID2]]\n"
                 "       p9conform-diff --negotiated-msize DIR\n");
    return 2;
  }
  fs::path ref_dir = argv[1], other_dir = argv[2];
  std::string target_id, also_id;  // --also: the target's conformance deviations explain differences too
  for (int k = 3; k + 1 < argc; k += 2) {
    std::string opt = argv[k];
    std::string error;
    if (opt == "--deviations" && !p9::conformance::load_deviations(argv[k + 1], &error)) {
      std::fprintf(stderr, "p9conform-diff: %s\n", error.c_str());
      return 2;
    }
    if (opt == "--target") target_id = argv[k + 1];
    if (opt == "--also") also_id = argv[k + 1];
  }
  const std::map<std::string, fs::path> cases = recordings(ref_dir);
  if (cases.empty()) {
    std::fprintf(stderr, "p9conform-diff: no recordings in %s\n", ref_dir.c_str());
    return 2;
  }
  int same = 0, known = 0, unexpected = 0, missing = 0, stale = 0;
  std::set<std::string> compared_same;
  for (const auto& [name, ref_path] : cases) {
    fs::path other_path = other_dir / ref_path.filename();
    std::vector<Recorded> ref, other;
    std::string error;
    if (!fs::exists(other_path)) {
      ++missing;  // not run there (skipped by its profile, or listed as crashing it)
      continue;
    }
    if (!load(ref_path, &ref, &error) || !load(other_path, &other, &error)) {
      std::fprintf(stderr, "p9conform-diff: %s\n", error.c_str());
      return 2;
    }
    const Difference difference = compare_case(ref, other);
    const std::string& diff = difference.text;
    if (diff.empty()) {
      ++same;
      compared_same.insert(name);
      continue;
    }
    // A differential row explains the difference its observed text begins
    // (or any, for a row marked as coming and going); a conformance row of
    // the target (--also) explains any difference in its case.
    const p9::conformance::Deviation* d = p9::conformance::find_deviation(target_id, name);
    std::string mismatch;
    if (d && !comes_and_goes(d->observed) && diff.compare(0, d->observed.size(), d->observed) != 0) {
      mismatch = "      (listed for " + target_id + " as '" + d->observed +
                 "...', but this difference is another one)\n";
      d = nullptr;
    }
    if (!d && !also_id.empty()) d = p9::conformance::find_deviation(also_id, name);
    // No row names the case: the first rule for the target (or ID2) that matches the difference.
    const p9::deviations::Rule* rule = nullptr;
    if (!d && !difference.request.type.empty())
      for (const std::string& id : {target_id, also_id})
        if (!rule && !id.empty())
          rule = p9::conformance::find_rule(id, difference.request, difference.reference_reply,
                                            difference.server_reply);
    if (d || rule)
      ++known;
    else
      ++unexpected;
    std::printf("%s %s\n      %s\n%s", d || rule ? "KNOWN DEVIATION" : "DIFFERS        ", name.c_str(),
                diff.c_str(), mismatch.c_str());
    if (rule)
      std::printf("      by rule %s (%s): %s\n", rule->where().c_str(), rule->text().c_str(),
                  rule->reason.c_str());
  }
  // Rules that apply to this comparison and listed nothing.
  int unused = 0;
  for (const std::string& id : {target_id, also_id})
    if (!id.empty())
      for (const p9::deviations::Rule* u : p9::conformance::unused_rules(id)) {
        if (id == also_id && p9::deviations::names(u->target, target_id)) continue;  // printed already
        ++unused;
        std::printf("UNUSED RULE     %s (%s): matched no difference in this comparison\n", u->where().c_str(),
                    u->text().c_str());
      }
  // The list stays true: a listed difference that no longer happens fails.
  for (const auto& d : p9::conformance::all_deviations())
    if (p9::deviations::names(d.target, target_id) && !comes_and_goes(d.observed) &&
        compared_same.count(d.test)) {
      ++stale;
      std::printf(
          "STALE           %s\n      listed for %s, but the replies now agree: remove the row from the "
          "list\n",
          d.test.c_str(), target_id.c_str());
    }
  std::printf(
      "differential: %zu cases: %d same, %d differ (%d known deviations, %d unexpected), %d not run on the "
      "other side%s%s\n",
      cases.size(), same, known + unexpected, known, unexpected, missing,
      stale ? (", " + std::to_string(stale) + " listed differences no longer happen").c_str() : "",
      unused ? (", " + std::to_string(unused) + " unused rules").c_str() : "");
  return unexpected || stale ? 1 : 0;
}
