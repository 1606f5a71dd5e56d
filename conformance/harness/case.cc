#include "conformance/harness/case.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "conformance/deviations/fid_names.h"
#include "conformance/harness/deviations.h"
#include "conformance/harness/liveness.h"
#include "conformance/harness/severity.h"

namespace p9::conformance {

namespace {
Target* g_target = nullptr;
std::atomic<int> g_case_counter{0};

std::string current_case_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return info ? std::string(info->test_suite_name()) + "." + info->name() : "?";
}

std::string g_previous_case;  // the last case that ran (for a death noticed before the next one)
// Set when a case broke the backend's invariants and no fresh backend could
// be made: that case, and why later ones are not run.
std::string g_broken_by, g_broken_reason;
}  // namespace

struct Case::Names {
  deviations::FidNames fids;
  bool last_stale = false;  // the last exchange's request named a stale fid (before its reply)
  int conns = 0;
};

Target& target() { return *g_target; }
void set_target(Target* t) { g_target = t; }

namespace {
std::uint32_t g_case_msize = kDefaultCaseMsize;
}

std::uint32_t case_msize() { return g_case_msize; }

bool init_case_msize(std::string* error) {
  const char* v = std::getenv("P9_MSIZE");
  if (!v || !*v) return true;
  char* end = nullptr;
  unsigned long long n = std::strtoull(v, &end, 10);
  // 4096: the smallest msize a server must accept (Linux net/9p refuses less, client.c p9_client_version).
  if (*end != '\0' || n < 4096 || n > 0xFFFFFFFFull) {
    *error = std::string("P9_MSIZE='") + v + "' is not a message size (a number from 4096 to 4294967295)";
    return false;
  }
  g_case_msize = static_cast<std::uint32_t>(n);
  return true;
}

const char* feature_name(Feature f) {
  switch (f) {
    case Feature::HardLinks:
      return "hard links";
    case Feature::Xattrs:
      return "extended attributes";
    case Feature::Locks:
      return "POSIX locks";
    case Feature::Mknod:
      return "mknod";
    case Feature::Ownership:
      return "ownership and per-user permissions";
    case Feature::Symlinks:
      return "symbolic links";
    case Feature::Groups:
      return "the supplementary groups of conformance/cases/users.db";
  }
  return "?";
}

bool Case::supports(Feature f) const {
  fs::Profile p = target().profile();
  switch (f) {
    case Feature::HardLinks:
      return p.hardlinks;
    case Feature::Xattrs:
      return p.xattrs;
    case Feature::Locks:
      return p.locks;
    case Feature::Mknod:
      return p.mknod;
    case Feature::Ownership:
      return p.ownership;
    case Feature::Symlinks:
      return p.symlinks;
    case Feature::Groups:
      return p.groups;
  }
  return false;
}

void Case::SetUp() {
  if (const Deviation* d = find_deviation(target().deviation_id(), current_case_name());
      d && d->observed == kCrashesTheServer) {
    deviation_seen_ = true;
    RecordProperty("known_deviation", "not run, it crashes the server: " + d->reason);
    RecordProperty("class", d->severity);
    std::printf("[ KNOWN DEVIATION ] %s: not run, it crashes %s (%s)\n", current_case_name().c_str(),
                target().deviation_id().c_str(), d->reason.c_str());
    GTEST_SKIP() << "not run on " << target().deviation_id() << ": it crashes the server (" << d->reason
                 << ")";
  }
  // The server is down for good, or no backend could be made after a case
  // broke the last one's invariants: a follow-on of that case, not a failure.
  if (const bool gone = !server_gone().empty(); gone || !g_broken_by.empty()) {
    RecordProperty("not_run", gone ? server_gone() : g_broken_reason);
    RecordProperty("follow_on_of", gone ? gone_during() : g_broken_by);
    GTEST_SKIP() << "not run: " << (gone ? server_gone() : g_broken_reason);
  }
  unanswered()->set_context(current_case_name());
  std::string error;
  names_ = std::make_shared<Names>();
  main_ = connect_watched(target(), &error);
  if (main_) follow_names(*main_);
  Result<void> h = main_ ? main_->handshake(case_msize(), target().aname(), 0, root_fid_) : Errno::PROTO;
  if (!h.ok() && h.error() == Errno::PROTO) {
    // Refused, reset or silent at the handshake: died after the last case, or hung.
    if (std::string how = server_down(target()); !how.empty()) {
      const std::string when = g_previous_case.empty() ? "startup" : "after " + g_previous_case;
      const Death& d = record_death(target(), "before " + current_case_name() + " (" + when + ")", how,
                                    main_ ? main_->transcript() : error);
      std::printf("[ SERVER DIED ] %s: %s; %s\n", d.during.c_str(), how.c_str(), d.restart.c_str());
      if (!server_gone().empty()) {
        RecordProperty("not_run", server_gone());
        GTEST_SKIP() << "not run: " << server_gone();
      }
      main_ = connect_watched(target(), &error);
      if (main_) follow_names(*main_);
      h = main_ ? main_->handshake(case_msize(), target().aname(), 0, root_fid_) : Errno::PROTO;
    }
  }
  ASSERT_TRUE(main_) << "cannot connect to " << target().name() << ": " << error;
  if (std::getenv("P9_RECORD_DIR")) main_->set_recording(true);
  ASSERT_TRUE(h.ok()) << "handshake with " << target().name()
                      << " failed: " << errno_name(static_cast<std::uint32_t>(h.error())) << " "
                      << main_->last_error() << "\n"
                      << main_->transcript();
  // A fresh directory for this case, unique across runs and processes.
  dir_name_ = "p9c." + current_case_name() + "." + std::to_string(::getpid()) + "." +
              std::to_string(++g_case_counter);
  if (dir_name_.size() > 200) dir_name_ = dir_name_.substr(dir_name_.size() - 200);
  auto m = main_->call<msg::Rmkdir>(msg::Tmkdir{root_fid_, dir_name_, 0777, 0});
  ASSERT_TRUE(m.ok()) << "cannot make the case directory: " << main_->last_error() << "\n"
                      << main_->transcript();
  auto w = main_->call<msg::Rwalk>(msg::Twalk{root_fid_, dir_fid_, {dir_name_}});
  ASSERT_TRUE(w.ok() && w->wqid.size() == 1) << "cannot walk to the case directory\n" << main_->transcript();
  // mkdir's mode is filtered by nothing here (no umask over 9P), but make sure
  // other users can work in it whatever the server did: chmod 0777 as Linux
  // sends it, the whole st_mode with the type bits (fs/attr.c chmod_common
  // keeps the inode's type in ia_mode; fs/9p/vfs_inode_dotl.c
  // v9fs_vfs_setattr_dotl copies ia_mode into Tsetattr's mode).
  msg::Tsetattr s{};
  s.fid = dir_fid_;
  s.valid = setattr::MODE;
  s.mode = file_type::DIR | 0777u;
  (void)main_->call<msg::Rsetattr>(s);
}

void Case::TearDown() {
  const std::string name = current_case_name();
  const Deviation* listed = find_deviation(target().deviation_id(), name);
  if (listed && !deviation_seen_ && !::testing::Test::IsSkipped() && !::testing::Test::HasFatalFailure())
    ADD_FAILURE() << "listed deviation no longer happens (remove it from the list): target "
                  << target().deviation_id() << ", case " << name << ", listed reply '" << listed->observed
                  << "'";
  if (const char* dir = std::getenv("P9_RECORD_DIR"); dir && main_ && !::testing::Test::IsSkipped()) {
    // Differential mode: every frame of the main connection, hex, one per
    // line. A case its target's profile skips leaves none: p9conform-diff
    // counts it as not run there, not as a difference in reply counts.
    std::FILE* f = std::fopen((std::string(dir) + "/" + name + ".frames").c_str(), "w");
    if (f) {
      for (const auto& [sent, frame] : main_->recorded()) {
        std::fprintf(f, "%c ", sent ? 'C' : 'S');
        for (std::uint8_t b : encode(frame)) std::fprintf(f, "%02x", b);
        std::fprintf(f, "\n");
      }
      std::fclose(f);
    }
  }
  const std::string exchange = main_ ? transcripts() : "";
  main_.reset();
  others_.clear();
  g_previous_case = name;
  if (!g_broken_by.empty()) return;  // not run: there is no backend of its own to check
  if (server_gone().empty()) check_alive(exchange);
  if (std::string inv = target().check_invariants(); !inv.empty()) {
    ADD_FAILURE() << "backend invariants broken after this case: " << inv;
    // The next case gets a new store of the same kind, so that it is judged on its own.
    if (std::string why = target().fresh_backend(); why.empty()) {
      RecordProperty("fresh_backend", "made after this case");
      std::printf("[ FRESH BACKEND ] after %s: a new %s backend for the next case\n", name.c_str(),
                  target().name().c_str());
    } else {
      g_broken_by = name;
      g_broken_reason =
          "follow-on of " + name + ": backend invariants broken (no fresh backend: " + why + ")";
      std::printf("[ NO FRESH BACKEND ] after %s: %s; later cases are not run\n", name.c_str(), why.c_str());
    }
  }
  classify();
}

void Case::classify() {
  const ::testing::TestResult* r = ::testing::UnitTest::GetInstance()->current_test_info()->result();
  std::vector<std::string> messages;
  for (int i = 0; i < r->total_part_count(); ++i)
    if (r->GetTestPartResult(i).failed()) messages.push_back(r->GetTestPartResult(i).message());
  if (messages.empty()) return;
  const std::string name = current_case_name();
  RecordProperty("class", severity_name(classify_failure(name, messages)));
  RecordProperty("cause", failure_cause(name, messages));
}

void Case::check_alive(const std::string& exchange) {
  std::string how = server_down(target());
  if (how.empty()) return;
  const Death& d = record_death(target(), current_case_name(), how, exchange);
  RecordProperty("server_death", how.substr(0, how.find('\n')));
  std::printf("[ SERVER DIED ] during %s: %s; %s\n", d.during.c_str(), how.c_str(), d.restart.c_str());
  ADD_FAILURE() << "the server died during this case: " << how << "\n  (" << d.restart
                << ")\n  the case's exchange:\n"
                << exchange;
}

void Case::note_rule(const char* rule, const char* source) {
  RecordProperty("rule", rule);
  RecordProperty("source", source);
}

void Case::mismatch(const std::string& expected, const std::string& actual, const char* expr,
                    const char* file, int line) {
  const std::string name = current_case_name();
  const Deviation* d = find_deviation(target().deviation_id(), name);
  if (d && actual.rfind(d->observed, 0) == 0) {
    deviation_seen_ = true;
    Severity s = Severity::Errno;
    if (parse_severity(d->severity, &s)) {
      note_known(d->reason, s);
    } else {  // "none": differential rows only
      RecordProperty("known_deviation", d->reason);
      RecordProperty("class", d->severity);
    }
    std::printf("[ KNOWN DEVIATION ] %s: %s (%s)\n", name.c_str(), actual.c_str(), d->reason.c_str());
    return;
  }
  if (const deviations::Rule* rule = matching_rule(expected)) {
    // Counted by the rule's class, but never kinder than a death or an escape
    // the failure itself shows (a rule is written for a request type, not for this case).
    Severity s = Severity::Errno;
    parse_severity(rule->severity, &s);
    const Severity facts = classify_failure(name, {"  expected: " + expected + "\n  actual:   " + actual});
    if (facts == Severity::Crash || facts == Severity::Escape) s = std::min(s, facts);
    note_known("rule " + rule->where() + ": " + rule->reason, s);
    std::printf("[ KNOWN DEVIATION ] %s: %s (by rule %s: %s)\n", name.c_str(), actual.c_str(),
                rule->where().c_str(), rule->reason.c_str());
    return;
  }
  ADD_FAILURE_AT(file, line) << "check: " << expr << "\n  expected: " << expected
                             << "\n  actual:   " << actual << "\n"
                             << transcripts();
}

// The rule for this target that matches the last exchange (over every
// connection of the case) of a failed check: its request type, the reply the
// check wanted (the reference's: an Rlerror, or the request's own reply for
// success and for values) and the reply that came (the check's text says
// less: a value, or "EPROTO ...").
const deviations::Rule* Case::matching_rule(const std::string& expected) {
  client::Client::Exchange last = main_ ? main_->last_exchange() : client::Client::Exchange{};
  for (const auto& w : others_)
    if (auto cl = w.lock(); cl && cl->last_exchange().seq > last.seq) last = cl->last_exchange();
  const char* request = last.request ? msg_name(last.request) : nullptr;
  const char* own_reply = request ? msg_name(static_cast<std::uint8_t>(last.request + 1)) : nullptr;
  if (!request || !own_reply) return nullptr;
  // Check_errno's texts ("Rlerror ENOENT") are reply texts already.
  const std::string reference = expected.rfind("Rlerror ", 0) == 0 ? expected : std::string(own_reply);
  deviations::RuleRequest rq{request, {}};
  if (names_ && names_->last_stale) rq.qualifiers.push_back("stale-fid");
  return find_rule(target().deviation_id(), rq, reference, deviations::reply_text(last.reply, last.ecode));
}

void Case::follow_names(client::Client& cl) {
  if (!names_) names_ = std::make_shared<Names>();
  cl.set_observer([n = names_, conn = names_->conns++](const Message& request, const Message& reply) {
    n->last_stale = n->fids.stale(conn, request);
    n->fids.exchange(conn, request, reply);
  });
}

void Case::note_known(const std::string& reason, Severity s) {
  if (!known_class_ || s < *known_class_) {
    known_class_ = s;
    RecordProperty("class", severity_name(s));
  }
  RecordProperty("known_deviation", reason);
}

std::string Case::transcripts() {
  std::string o = "  wire, main connection (last frames):\n" + c().transcript();
  int n = 1;
  for (const auto& w : others_)
    if (auto cl = w.lock()) o += "  wire, connection " + std::to_string(++n) + ":\n" + cl->transcript();
  return o;
}

void Case::check_errno(Errno got, Errno want, const char* expr, const char* file, int line) {
  if (got == want) return;
  auto show = [](Errno e) {
    if (e == Errno::OK) return std::string("success");
    if (e == Errno::PROTO) return std::string("EPROTO (or a reply of the wrong type / no reply)");
    const char* n = errno_name(static_cast<std::uint32_t>(e));
    return std::string("Rlerror ") + (n ? n : std::to_string(static_cast<std::uint32_t>(e)));
  };
  std::string actual = show(got);
  if (got == Errno::PROTO) {  // say why: a wrong reply type, no reply, a closed connection
    if (!c().last_error().empty()) actual += " [main: " + c().last_error() + "]";
    for (const auto& w : others_)
      if (auto cl = w.lock(); cl && !cl->last_error().empty()) actual += " [other: " + cl->last_error() + "]";
  }
  mismatch(show(want), actual, expr, file, line);
}

void Case::check_text(const std::string& got, const std::string& want, const char* expr, const char* file,
                      int line) {
  if (got == want) return;
  mismatch(want, got, expr, file, line);
}

// ---------------------------------------------------------------- helpers ----

Case::Conn Case::connect_as(std::uint32_t uid) {
  Conn conn;
  std::string error;
  conn.client = connect_watched(target(), &error);
  if (!conn.client) {
    ADD_FAILURE() << "cannot connect: " << error;
    return conn;
  }
  others_.push_back(conn.client);
  follow_names(*conn.client);
  conn.root = 1;
  conn.dir = 2;
  auto h = conn.client->handshake(case_msize(), target().aname(), uid, conn.root);
  if (!h.ok()) {
    ADD_FAILURE() << "attach as uid " << uid << " failed\n" << conn.client->transcript();
    return conn;
  }
  auto w = conn.client->call<msg::Rwalk>(msg::Twalk{conn.root, conn.dir, {dir_name_}});
  if (!w.ok() || w->wqid.size() != 1)
    ADD_FAILURE() << "uid " << uid << " cannot walk to the case directory\n" << conn.client->transcript();
  return conn;
}

std::shared_ptr<client::Client> Case::raw_connection() {
  std::string error;
  std::shared_ptr<client::Client> cl = connect_watched(target(), &error);
  if (!cl)
    ADD_FAILURE() << "cannot connect: " << error;
  else {
    others_.push_back(cl);
    follow_names(*cl);
  }
  return cl;
}

std::uint32_t Case::walk(std::uint32_t fid, const std::vector<std::string>& names) {
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{fid, nf, names});
  if (!r.ok() || r->wqid.size() != names.size()) {
    ADD_FAILURE() << "setup walk failed\n" << c().transcript();
    return 0;
  }
  return nf;
}

Qid Case::mkdir(std::uint32_t dfid, const std::string& name, std::uint32_t mode) {
  auto r = c().call<msg::Rmkdir>(msg::Tmkdir{dfid, name, mode, 0});
  if (!r.ok()) {
    ADD_FAILURE() << "setup mkdir " << name << " failed\n" << c().transcript();
    return {};
  }
  return r->qid;
}

std::uint32_t Case::create(std::uint32_t dfid, const std::string& name, const std::string& content,
                           std::uint32_t flags, std::uint32_t mode) {
  std::uint32_t f = walk(dfid, {});
  if (!f) return 0;
  auto r = c().call<msg::Rlcreate>(msg::Tlcreate{f, name, flags, mode, 0});
  if (!r.ok()) {
    ADD_FAILURE() << "setup create " << name << " failed\n" << c().transcript();
    return 0;
  }
  if (!content.empty()) write(f, 0, content);
  return f;
}

std::uint32_t Case::open(const std::vector<std::string>& path, std::uint32_t flags) {
  std::uint32_t f = walk(dir_fid_, path);
  if (!f) return 0;
  auto r = c().call<msg::Rlopen>(msg::Tlopen{f, flags});
  if (!r.ok()) {
    ADD_FAILURE() << "setup open failed\n" << c().transcript();
    return 0;
  }
  return f;
}

void Case::write(std::uint32_t fid, std::uint64_t offset, const std::string& data) {
  std::size_t room = c().msize() - 24;
  for (std::size_t done = 0; done < data.size();) {
    std::string chunk = data.substr(done, room);
    auto r = c().call<msg::Rwrite>(msg::Twrite{fid, offset + done, chunk});
    if (!r.ok() || r->count == 0) {
      ADD_FAILURE() << "setup write failed\n" << c().transcript();
      return;
    }
    done += r->count;
  }
}

std::string Case::read(std::uint32_t fid, std::uint64_t offset, std::uint32_t count) {
  auto r = c().call<msg::Rread>(msg::Tread{fid, offset, count});
  if (!r.ok()) {
    ADD_FAILURE() << "read failed\n" << c().transcript();
    return {};
  }
  return r->data.str();
}

std::string Case::read_all(std::uint32_t fid) {
  std::string all;
  while (true) {
    auto r = c().call<msg::Rread>(msg::Tread{fid, all.size(), c().msize() - 24});
    if (!r.ok()) {
      ADD_FAILURE() << "read failed\n" << c().transcript();
      return all;
    }
    if (r->data.empty()) return all;
    all += r->data.sv();
  }
}

msg::Rgetattr Case::getattr(std::uint32_t fid) {
  auto r = c().call<msg::Rgetattr>(msg::Tgetattr{fid, GETATTR_ALL});
  if (!r.ok()) {
    ADD_FAILURE() << "getattr failed\n" << c().transcript();
    return {};
  }
  return *r;
}

std::vector<Dirent> Case::readdir_all(std::uint32_t fid, std::uint32_t count) {
  std::vector<Dirent> all;
  std::uint64_t offset = 0;
  for (int rounds = 0; rounds < 100000; ++rounds) {
    auto r = c().call<msg::Rreaddir>(msg::Treaddir{fid, offset, count});
    if (!r.ok()) {
      ADD_FAILURE() << "readdir failed\n" << c().transcript();
      return all;
    }
    if (r->entries.empty()) return all;
    for (auto& e : r->entries) all.push_back(e);
    offset = r->entries.back().offset;
  }
  ADD_FAILURE() << "readdir never ended";
  return all;
}

void Case::clunk(std::uint32_t fid) {
  auto r = c().call<msg::Rclunk>(msg::Tclunk{fid});
  if (!r.ok()) ADD_FAILURE() << "clunk failed\n" << c().transcript();
}

std::vector<std::string> Case::names(const std::vector<Dirent>& entries) {
  std::vector<std::string> n;
  for (const auto& e : entries)
    if (e.name != "." && e.name != "..") n.push_back(e.name);
  std::sort(n.begin(), n.end());
  return n;
}

}  // namespace p9::conformance
