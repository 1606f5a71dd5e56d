// Replay targets: every conformance target (conformance/harness/target.h)
// over its socket, and in process without a socket: the server core's
// Session called directly (--inprocess, and the planted bugs).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <deque>
#include <filesystem>

#include "conformance/harness/target.h"
#include "reference/p9ref/backends.h"
#include "reference/server/session.h"
#include "traces/p9trace/commands.h"
#include "traces/p9trace/planted.h"
#include "traces/p9trace/replay.h"

namespace p9::trace {

const char* const kTargetNames =
    "inprocess:model inprocess:posix inprocess:opfs inprocess:bug:NAME p9ref:model p9ref:posix p9ref:opfs "
    "diod "
    "tcp:H:P unix:PATH (--start 'CMD {port} {export}': a server started here)";

namespace {

// A conformance target's connection.
class ClientLink final : public Link {
 public:
  explicit ClientLink(std::unique_ptr<client::Client> c) : c_(std::move(c)) {}
  bool send(const Frame& f) override { return c_->send(f); }
  bool send_bytes(const std::vector<std::uint8_t>& b) override { return c_->send_bytes(b); }
  std::optional<Frame> receive(int timeout_ms) override { return c_->receive(timeout_ms); }
  const std::string& last_error() const override { return c_->last_error(); }

 private:
  std::unique_ptr<client::Client> c_;
};

class ConformanceTarget final : public ReplayTarget {
 public:
  explicit ConformanceTarget(std::unique_ptr<conformance::Target> t) : t_(std::move(t)) {}
  std::unique_ptr<Link> connect(std::string* error) override {
    auto c = t_->connect(error);
    if (!c) return nullptr;
    return std::make_unique<ClientLink>(std::move(c));
  }
  std::string name() const override { return t_->name(); }
  std::string aname() const override { return t_->aname(); }
  std::string deviation_id() const override { return t_->deviation_id(); }
  std::string check_invariants() override { return t_->check_invariants(); }

 private:
  std::unique_ptr<conformance::Target> t_;
};

// A session of the server core, called directly: each request is handled
// when it is sent and its reply waits to be received.
class SessionLink final : public Link {
 public:
  explicit SessionLink(server::Server& s) : session_(s, s.next_connection_id()) {}
  bool send(const Frame& f) override {
    buf_.clear();
    if (!encode_append(f, buf_)) {
      error_ = "cannot encode " + to_string(f);
      return false;
    }
    return handle(buf_.data(), buf_.size());
  }
  bool send_bytes(const std::vector<std::uint8_t>& b) override { return handle(b.data(), b.size()); }
  std::optional<Frame> receive(int) override {
    if (replies_.empty()) {
      if (error_.empty()) error_ = "no reply within 0 ms (in process: every request was answered)";
      return std::nullopt;
    }
    Frame f = std::move(replies_.front());
    replies_.pop_front();
    return f;
  }
  const std::string& last_error() const override { return error_; }

 private:
  bool handle(const std::uint8_t* p, std::size_t n) {
    if (!broken_.empty()) return false;
    out_.clear();
    session_.handle(p, n, out_);
    Decoded d = decode(out_, Expect::Reply, 0xFFFFFFFFu);
    if (!d.ok()) {
      broken_ = error_ = "the server's reply does not decode: " + describe(d);
      return false;
    }
    replies_.push_back(std::move(d.frame));
    if (broken_.empty()) error_.clear();
    return true;
  }
  server::Session session_;
  std::vector<std::uint8_t> buf_, out_;
  std::deque<Frame> replies_;
  std::string error_, broken_;
};

class DirectTarget final : public ReplayTarget {
 public:
  DirectTarget(std::unique_ptr<fs::Backend> b, std::string name, std::string dev_id, std::string dir)
      : backend_(std::move(b)),
        server_(*backend_),
        name_(std::move(name)),
        dev_id_(std::move(dev_id)),
        dir_(std::move(dir)) {}
  ~DirectTarget() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<Link> connect(std::string*) override { return std::make_unique<SessionLink>(server_); }
  std::string name() const override { return name_; }
  std::string aname() const override { return ""; }
  std::string deviation_id() const override { return dev_id_; }
  std::string check_invariants() override { return backend_->check_invariants(); }

 private:
  std::unique_ptr<fs::Backend> backend_;
  server::Server server_;
  std::string name_, dev_id_, dir_;
};

std::string temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/p9trace-posix-XXXXXX";
  if (!::mkdtemp(templ.data())) return {};
  ::chmod(templ.c_str(), 0755);
  return templ;
}

}  // namespace

std::unique_ptr<ReplayTarget> make_replay_target(const TargetSpec& t, std::string* error) {
  const std::string& s = t.spec;
  if (!t.profile.empty()) {
    // Built-in targets carry their own profile and deviation id (conformance/harness/target.h).
    if (t.start.empty() && s.rfind("tcp:", 0) != 0 && s.rfind("unix:", 0) != 0) {
      *error = "--profile is for tcp:, unix: and --start targets; " + s + " has its own";
      return nullptr;
    }
    ::setenv("P9_PROFILE", t.profile.c_str(), 1);
  }
  // In process without a socket: the planted bugs always, the others with --inprocess.
  if (s.rfind("inprocess:bug:", 0) == 0) {
    auto b = make_planted(s.substr(14), error);
    if (!b) return nullptr;
    // The deviation id of the model it wraps: rows about the reference apply.
    return std::make_unique<DirectTarget>(std::move(b), s, "reference-model", "");
  }
  if (t.direct && (s == "inprocess:model" || s == "inprocess:opfs" || s == "inprocess:posix")) {
    std::string kind = s.substr(10), dir;
    if (kind == "posix" && (dir = temp_dir()).empty()) {
      *error = "cannot make a temp dir for the posix backend";
      return nullptr;
    }
    auto b = tool::make_backend(kind == "model"  ? "model"
                                : kind == "opfs" ? "opfs-mem"
                                                 : "posix:" + dir,
                                error);
    if (!b) return nullptr;
    return std::make_unique<DirectTarget>(std::move(b), s + " (no socket)", "reference-" + kind, dir);
  }
  if (t.direct) {
    *error = "--inprocess needs an inprocess:* target, not '" + s + "'";
    return nullptr;
  }
  if (!t.start.empty()) {
    ::unsetenv("P9_TARGET");
    ::setenv("P9_START", t.start.c_str(), 1);
  } else {
    ::unsetenv("P9_START");
    ::setenv("P9_TARGET", s.c_str(), 1);
  }
  if (t.have_aname) ::setenv("P9_ANAME", t.aname.c_str(), 1);
  if (!t.p9ref.empty()) ::setenv("P9REF", t.p9ref.c_str(), 1);
  auto c = conformance::make_target_from_env(error);
  if (!c) return nullptr;
  return std::make_unique<ConformanceTarget>(std::move(c));
}

namespace {
std::string self_dir() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<std::size_t>(n));
  return p.substr(0, p.find_last_of('/'));
}
}  // namespace

bool parse_target_option(const char* cmd, const std::vector<std::string>& args, std::size_t& i,
                         TargetSpec* t) {
  const std::string& a = args[i];
  if (t->p9ref.empty() && !std::getenv("P9REF")) t->p9ref = self_dir() + "/p9ref";
  if (a == "--target")
    t->spec = option_value(cmd, args, i);
  else if (a == "--start")
    t->start = option_value(cmd, args, i);
  else if (a == "--aname")
    t->aname = option_value(cmd, args, i), t->have_aname = true;
  else if (a == "--p9ref")
    t->p9ref = option_value(cmd, args, i);
  else if (a == "--inprocess")
    t->direct = true;
  else if (a == "--profile")
    t->profile = option_value(cmd, args, i);
  else
    return false;
  return true;
}

}  // namespace p9::trace
