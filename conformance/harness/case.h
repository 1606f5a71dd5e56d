// The fixture every conformance case derives from, and the checks that feed
// the certificate. A case:
//   - gets a fresh connection (c()), versioned at the target's msize and
//     attached as root, and a fresh directory under the attach root (dir());
//   - states its rule with P9_RULE("text", "source") at its top;
//   - checks replies with the P9_EXPECT_* macros below. On a mismatch they
//     print the request, the expected reply and the actual reply (printer
//     format) — or, when the target's deviation list has this case with this
//     observed reply, record a known deviation instead of failing.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conformance/client/client.h"
#include "conformance/harness/target.h"

namespace p9::deviations {
struct Rule;  // deviation_list.h
}

namespace p9::conformance {

enum class Severity;  // severity.h

Target& target();  // the process-wide target (set by main.cc)
void set_target(Target* t);

enum class Feature { HardLinks, Xattrs, Locks, Mknod, Ownership, Symlinks, Groups };
const char* feature_name(Feature f);

// The message size cases ask for in Tversion (the target may answer less):
// 65536 + 24 (64 KiB of data per Tread/Twrite), or P9_MSIZE when set (main.cc
// checks it). The differential mode runs the reference at the msize the other
// target negotiated, so counts bounded by msize compare equal.
inline constexpr std::uint32_t kDefaultCaseMsize = 65536 + 24;
std::uint32_t case_msize();
// Parses P9_MSIZE; false + *error when it is set but not a number >= 4096.
bool init_case_msize(std::string* error);

class Case : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  client::Client& c() { return *main_; }
  std::uint32_t root() const { return root_fid_; }
  std::uint32_t dir() const { return dir_fid_; }
  const std::string& dir_name() const { return dir_name_; }

  // True when the target's profile supports f; use via P9_REQUIRE(f).
  bool supports(Feature f) const;

  // Another connection attached as uid, with a fid on this case's directory.
  // Extra connections are shared with the fixture so that a failing check
  // can print what crossed every connection of the case, not just c()'s.
  struct Conn {
    std::shared_ptr<client::Client> client;
    std::uint32_t root = 0;
    std::uint32_t dir = 0;
  };
  Conn connect_as(std::uint32_t uid);
  std::shared_ptr<client::Client> raw_connection();  // connected, nothing sent

  // ---- helpers: each ADD_FAILUREs (with the transcript) when the step fails
  // and returns a harmless value, so the case's own checks still run ----
  std::uint32_t walk(std::uint32_t fid, const std::vector<std::string>& names);  // new fid, or 0
  Qid mkdir(std::uint32_t dfid, const std::string& name, std::uint32_t mode = 0755);
  // Creates a regular file in dfid and returns an open fid on it (Tlcreate
  // on a clone of dfid, as Linux does). Writes `content` when not empty.
  std::uint32_t create(std::uint32_t dfid, const std::string& name, const std::string& content = "",
                       std::uint32_t flags = 2 /*O_RDWR*/, std::uint32_t mode = 0644);
  // A new fid on dir()/path, opened with flags.
  std::uint32_t open(const std::vector<std::string>& path, std::uint32_t flags);
  void write(std::uint32_t fid, std::uint64_t offset, const std::string& data);
  std::string read(std::uint32_t fid, std::uint64_t offset, std::uint32_t count);
  std::string read_all(std::uint32_t fid);
  msg::Rgetattr getattr(std::uint32_t fid);
  std::vector<Dirent> readdir_all(std::uint32_t fid, std::uint32_t count = 8192);
  void clunk(std::uint32_t fid);
  // Names in a directory listing, without "." and "..", sorted.
  static std::vector<std::string> names(const std::vector<Dirent>& entries);

  // ---- checks (use the macros) ----
  void check_errno(Errno got, Errno want, const char* expr, const char* file, int line);
  template <class R>
  void check_result(const R& r, Errno want, const char* expr, const char* file, int line) {
    check_errno(r.ok() ? Errno::OK : r.error(), want, expr, file, line);
  }
  void check_text(const std::string& got, const std::string& want, const char* expr, const char* file,
                  int line);
  void note_rule(const char* rule, const char* source);

 private:
  void mismatch(const std::string& expected, const std::string& actual, const char* expr, const char* file,
                int line);
  const deviations::Rule* matching_rule(const std::string& expected);
  // A known deviation (a case row or a rule): its reason, and its class when
  // it is the case's worst so far.
  void note_known(const std::string& reason, Severity s);
  std::string transcripts();  // every connection's last frames
  // After the case (or a failed start): the server still answers, or its death is recorded.
  void check_alive(const std::string& exchange);
  // A failed case's class and root cause (severity.h), as properties: the
  // certificate groups by them and JUnit output carries them.
  void classify();
  std::unique_ptr<client::Client> main_;
  std::vector<std::weak_ptr<client::Client>> others_;
  std::uint32_t root_fid_ = 1, dir_fid_ = 2;
  std::string dir_name_;
  bool deviation_seen_ = false;
  std::optional<Severity> known_class_;  // the worst class of the case's known deviations
  // The names of the case's exchanges, every connection (the stale-fid rule qualifier).
  struct Names;
  std::shared_ptr<Names> names_;
  void follow_names(client::Client& cl);
};

}  // namespace p9::conformance

namespace p9 {
// A data field prints as the bytes it holds, like a std::string, so that
// P9_EXPECT_EQ(r->data, std::string("abc")) compares the same texts.
inline void PrintTo(const Data& d, std::ostream* os) { *os << ::testing::PrintToString(d.str()); }
}  // namespace p9

// The rule a case checks, and where the rule comes from.
#define P9_RULE(rule, source) note_rule(rule, source)

// Skips the case (with the profile's name) when the target lacks a feature.
#define P9_REQUIRE(feature)                                                                 \
  do {                                                                                      \
    if (!supports(::p9::conformance::Feature::feature))                                     \
      GTEST_SKIP() << "skipped: profile '" << ::p9::conformance::target().profile().name    \
                   << "' does not support "                                                 \
                   << ::p9::conformance::feature_name(::p9::conformance::Feature::feature); \
  } while (0)

// The call succeeded (any reply but Rlerror). The expression is evaluated once.
#define P9_EXPECT_OK(result_expr) \
  check_result((result_expr), ::p9::Errno::OK, #result_expr, __FILE__, __LINE__)
// The call failed with exactly this errno.
#define P9_EXPECT_ERRNO(result_expr, want) \
  check_result((result_expr), ::p9::Errno::want, #result_expr, __FILE__, __LINE__)
// Two values, compared as printed text (so the certificate can show them).
#define P9_EXPECT_EQ(actual, expected)                                                                \
  check_text(::testing::PrintToString(actual), ::testing::PrintToString(expected), #actual, __FILE__, \
             __LINE__)
