#include "conformance/harness/target.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "conformance/client/inprocess.h"
#include "conformance/harness/planted_bug.h"
#include "conformance/harness/process.h"
#include "reference/p9ref/backends.h"
#include "reference/transport/transport.h"

// Where target opfs finds serve.mjs and the built page: the build compiles
// in its tree's paths (conformance/CMakeLists.txt, p9targets); P9_OPFS_SERVE
// and P9_OPFS_WEB override them.
#ifndef P9_DEFAULT_OPFS_SERVE
#define P9_DEFAULT_OPFS_SERVE ""
#endif
#ifndef P9_DEFAULT_OPFS_WEB
#define P9_DEFAULT_OPFS_WEB ""
#endif
// The users database of the cases (conformance/cases/users.db): the reference
// targets know its groups, with unconfirmed memberships refused
// (fs::GroupTrust::Db, reference/fs/cred.h), so the group cases can fail.
#ifndef P9_CASE_USERS
#define P9_CASE_USERS ""
#endif

namespace p9::conformance {

namespace {

std::string env(const char* name, const char* fallback = "") {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string make_temp_dir(const char* what) {
  std::string base = env("TMPDIR", "/tmp");
  std::string templ = base + "/p9conform-" + what + "-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) return {};
  // mkdtemp makes it 0700; exports must let the cases' other users (uid 1000...) in.
  ::chmod(buf.data(), 0755);
  return buf.data();
}

// ---- in process ----
// Server options giving the cases' users database (P9_CASE_USERS) with
// fs::GroupTrust::Db, as the p9ref targets get it by --users/--groups.
server::Options case_users_options() {
  server::Options o;
  auto db = std::make_shared<fs::UserDb>();
  std::ifstream in(P9_CASE_USERS);
  std::stringstream text;
  text << in.rdbuf();
  std::string why;
  if (in && !db->parse(text.str(), &why)) std::fprintf(stderr, "%s: %s\n", P9_CASE_USERS, why.c_str());
  o.user_cred = [db](std::uint32_t uid) { return db->cred(uid, fs::GroupTrust::Db); };
  return o;
}

// Makes a new, empty backend of one kind; dir is a fresh directory for the
// kinds that need one (posix), else "". nullptr + *error when it cannot.
using BackendMaker = std::function<std::unique_ptr<fs::Backend>(const std::string& dir, std::string* error)>;

class InProcess : public Target {
 public:
  InProcess(std::string kind, BackendMaker make, bool with_dir)
      : kind_(std::move(kind)), make_(std::move(make)), with_dir_(with_dir) {}
  ~InProcess() override {
    target_.reset();
    for (const std::string& d : dirs_) std::filesystem::remove_all(d);
  }
  // The first backend, or a fresh one in place of the current (every
  // connection to the old one is closed by then): "" or why not.
  std::string fresh_backend() override {
    std::string dir, error;
    if (with_dir_) {
      dir = make_temp_dir(kind_.c_str());
      if (dir.empty()) return "cannot make a directory for the " + kind_ + " backend";
      dirs_.push_back(dir);
    }
    std::unique_ptr<fs::Backend> b = make_(dir, &error);
    if (!b) return error.empty() ? "cannot make a " + kind_ + " backend" : error;
    target_ = std::make_unique<client::InProcessTarget>(std::move(b), case_users_options());
    return {};
  }
  std::unique_ptr<client::Client> connect(std::string* error) override {
    auto c = target_->connect();
    if (!c) *error = "socketpair failed";
    return c;
  }
  std::string name() const override { return "inprocess:" + kind_; }
  std::string aname() const override { return ""; }
  fs::Profile profile() const override { return target_->backend().profile(); }
  std::string check_invariants() override { return target_->backend().check_invariants(); }
  std::string deviation_id() const override { return "reference-" + kind_; }

 private:
  std::string kind_;
  BackendMaker make_;
  bool with_dir_;
  std::vector<std::string> dirs_;  // removed at the end
  std::unique_ptr<client::InProcessTarget> target_;
};

// An in-process target with its first backend, or nullptr + *error.
std::unique_ptr<Target> in_process(const std::string& kind, BackendMaker make, std::string* error,
                                   bool with_dir = false) {
  auto t = std::make_unique<InProcess>(kind, std::move(make), with_dir);
  *error = t->fresh_backend();
  return error->empty() ? std::move(t) : nullptr;
}
// Backends tool::make_backend knows: "model", "posix:" + dir, "opfs-mem".
BackendMaker by_spec(std::string spec) {
  return [spec](const std::string& dir, std::string* e) { return tool::make_backend(spec + dir, e); };
}

// ---- a server process started here (p9ref, diod, serve.mjs) ----
class Spawned : public Target {
 public:
  // start_ms: how long the server may take to accept connections; stop_ms:
  // how long it may take to exit after SIGTERM before it is killed.
  Spawned(std::string name, std::string dev_id, fs::Profile profile, int start_ms = 5000, int stop_ms = 1000)
      : name_(std::move(name)),
        dev_id_(std::move(dev_id)),
        profile_(std::move(profile)),
        start_ms_(start_ms),
        stop_ms_(stop_ms) {}
  ~Spawned() override {
    server_.stop(stop_ms_);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Starts argv (with {port} and {dir} substituted) and waits until it accepts connections.
  bool start(std::vector<std::string> argv, const std::string& dir, std::string* error) {
    dir_ = dir;
    argv_ = std::move(argv);
    log_ = make_temp_dir("log") + "/server.log";
    return launch(error);
  }
  // The same command on the same directory (a new port), its log appended to.
  std::string restart() override {
    server_.stop(stop_ms_);
    std::string error;
    return launch(&error) ? "" : error;
  }

  std::unique_ptr<client::Client> connect(std::string* error) override {
    return client::Client::connect(server_.address(), error);
  }
  std::string name() const override { return name_; }
  std::string aname() const override { return aname_; }
  void set_aname(std::string a) { aname_ = std::move(a); }
  fs::Profile profile() const override { return profile_; }
  std::string deviation_id() const override { return dev_id_; }
  std::string health() override { return server_.health(); }

 private:
  bool launch(std::string* error) {
    if (!server_.start(argv_, dir_, log_, 0, error)) return false;
    std::string why;
    if (server_.wait_ready(start_ms_, &why)) return true;
    *error = argv_[0] + ": " + why;
    return false;
  }
  std::string name_, dev_id_;
  fs::Profile profile_;
  std::vector<std::string> argv_;
  std::string aname_, dir_, log_;
  int start_ms_, stop_ms_;
  ServerProcess server_;
};

// ---- any running server ----
class External : public Target {
 public:
  External(std::string address, std::string aname, fs::Profile profile)
      : address_(std::move(address)), aname_(std::move(aname)), profile_(std::move(profile)) {}
  std::unique_ptr<client::Client> connect(std::string* error) override {
    return client::Client::connect(address_, error);
  }
  std::string name() const override { return address_; }
  std::string aname() const override { return aname_; }
  fs::Profile profile() const override { return profile_; }
  std::string deviation_id() const override { return profile_.name; }

 private:
  std::string address_, aname_;
  fs::Profile profile_;
};

// The first executable `name` on PATH, or "".
std::string find_on_path(const std::string& name) {
  std::string path = env("PATH", "/usr/bin:/bin");
  for (std::size_t start = 0; start <= path.size();) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string p = path.substr(start, end - start) + "/" + name;
    if (end > start && ::access(p.c_str(), X_OK) == 0) return p;
    start = end + 1;
  }
  return {};
}

std::string find_diod() {
  for (const char* p : {"/usr/sbin/diod", "/usr/bin/diod", "/sbin/diod"})
    if (::access(p, X_OK) == 0) return p;
  return {};
}

}  // namespace

fs::Profile parse_profile(const std::string& text, std::string* error) {
  fs::Profile p;
  std::size_t colon = text.find(':');
  p.name = text.substr(0, colon);
  if (colon == std::string::npos) return p;
  std::string rest = text.substr(colon + 1);
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string f = rest.substr(0, comma);
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    if (f == "nohardlinks")
      p.hardlinks = false;
    else if (f == "noxattrs")
      p.xattrs = false;
    else if (f == "nolocks")
      p.locks = false;
    else if (f == "nomknod")
      p.mknod = false;
    else if (f == "noownership")
      p.ownership = false;
    else if (f == "nosymlinks")
      p.symlinks = false;
    else if (f == "nogroups")
      p.groups = false;
    else if (!f.empty())
      *error = "unknown profile feature '" + f + "'";
  }
  return p;
}

std::unique_ptr<Target> make_target_from_env(std::string* error) {
  std::string t = env("P9_TARGET", env("P9_START").empty() ? "inprocess:model" : "start");
  if (t == "start") {
    std::string command = env("P9_START");
    if (command.empty()) {
      *error = "P9_TARGET=start needs P9_START, the command that starts the server ({port}, {export})";
      return nullptr;
    }
    fs::Profile profile = parse_profile(env("P9_PROFILE", "started"), error);
    if (!error->empty()) return nullptr;
    // ServerProcess substitutes {dir}; {export} is its name in the command.
    auto to_dir = [](std::string s) {
      for (std::size_t p; (p = s.find("{export}")) != std::string::npos;) s.replace(p, 8, "{dir}");
      return s;
    };
    std::string dir = make_temp_dir("export");
    auto s = std::make_unique<Spawned>("start:" + command, profile.name, profile, 10000);
    // One shell runs the command; exec leaves the server itself in the started group.
    if (!s->start({"/bin/sh", "-c", "exec " + to_dir(command)}, dir, error)) return nullptr;
    std::string aname = to_dir(env("P9_ANAME"));
    for (std::size_t p; (p = aname.find("{dir}")) != std::string::npos;) aname.replace(p, 5, dir);
    s->set_aname(aname);
    return s;
  }
  if (!env("P9_START").empty()) {
    *error = "P9_START starts the target itself: leave P9_TARGET unset (or 'start'), not '" + t + "'";
    return nullptr;
  }
  if (t == "inprocess:model") return in_process("model", by_spec("model"), error);
  if (t == "inprocess:posix") return in_process("posix", by_spec("posix:"), error, true);
  // The OPFS store outside the browser (opfs/store/): in memory here, in a
  // host directory behind p9ref.
  if (t == "inprocess:opfs") return in_process("opfs", by_spec("opfs-mem"), error);
  // For the runner's own tests only (conformance/faulty/certify_invariants.sh): the model with
  // a planted bug (planted_bug.h); "-nofresh" cannot make a second backend.
  if (t == "inprocess:planted-invariant-bug" || t == "inprocess:planted-invariant-bug-nofresh") {
    const bool once = t != "inprocess:planted-invariant-bug";
    auto made = std::make_shared<int>(0);
    return in_process(
        t.substr(std::strlen("inprocess:")),
        [once, made](const std::string&, std::string* e) -> std::unique_ptr<fs::Backend> {
          if (once && (*made)++) {
            *e = "this test target makes one backend only";
            return nullptr;
          }
          std::shared_ptr<fs::Backend> model = tool::make_backend("model", e);
          return std::make_unique<PlantedInvariantBug>(std::move(model));
        },
        error);
  }
  if (t == "p9ref:opfs") {
    std::string exe = env("P9REF");
    if (exe.empty()) {
      *error = "P9REF must name the p9ref program for target " + t;
      return nullptr;
    }
    fs::Profile profile;
    profile.name = "model";
    auto s = std::make_unique<Spawned>(t, "p9ref-opfs", profile);
    if (!s->start({exe, "serve", "--listen", "tcp:127.0.0.1:{port}", "--backend", "opfs-dir:{dir}/store",
                   "--users", P9_CASE_USERS, "--groups", "db"},
                  make_temp_dir("opfs"), error))
      return nullptr;
    return s;
  }
  if (t == "p9ref:model" || t == "p9ref:posix") {
    std::string exe = env("P9REF");
    if (exe.empty()) {
      *error = "P9REF must name the p9ref program for target " + t;
      return nullptr;
    }
    bool posix = t == "p9ref:posix";
    std::string dir = posix ? make_temp_dir("posix") : "";
    fs::Profile profile;
    profile.name = posix ? "posix" : "model";
    if (posix && ::geteuid() != 0) profile.ownership = false;
    auto s = std::make_unique<Spawned>(t, posix ? "p9ref-posix" : "p9ref-model", profile);
    if (!s->start({exe, "serve", "--listen", "tcp:127.0.0.1:{port}", "--backend",
                   posix ? "posix:{dir}" : "model", "--users", P9_CASE_USERS, "--groups", "db"},
                  dir, error))
      return nullptr;
    return s;
  }
  if (t == "diod") {
    std::string diod = find_diod();
    if (diod.empty()) {
      *error = "diod is not installed (apt-get install diod)";
      return nullptr;
    }
    if (::geteuid() != 0) {
      *error = "diod must run as root to serve other users' files (run as root)";
      return nullptr;
    }
    std::string dir = make_temp_dir("diod");
    fs::Profile profile;
    profile.name = "diod";
    auto s = std::make_unique<Spawned>("diod", "diod", profile);
    // diod(8): -f foreground, -n no authentication, -N no user database (any uid
    // attaches), -e the export, -c /dev/null no config file, -L stderr for logs.
    if (!s->start({diod, "-f", "-n", "-N", "-l", "127.0.0.1:{port}", "-e", "{dir}", "-c", "/dev/null", "-L",
                   "stderr"},
                  dir, error))
      return nullptr;
    s->set_aname(dir);
    return s;
  }
  if (t == "opfs") {
    // The OPFS build in headless Chromium, behind opfs/host/serve.mjs (which
    // prints "ready" and accepts 9P on --listen once the store is open).
    std::string node = find_on_path("node");
    std::string serve = env("P9_OPFS_SERVE", P9_DEFAULT_OPFS_SERVE);
    std::string web = env("P9_OPFS_WEB", P9_DEFAULT_OPFS_WEB);
    std::string chromium = env("P9_CHROMIUM", "/usr/lib/chromium/chromium");
    if (serve.empty() || web.empty())
      *error =
          "P9_OPFS_SERVE and P9_OPFS_WEB must name opfs/host/serve.mjs and build/opfs/web for target opfs";
    else if (node.empty())
      *error = "node is not installed (apt-get install nodejs)";
    else if (::access(chromium.c_str(), X_OK) != 0)
      *error = chromium + " is not installed (apt-get install chromium)";
    else if (::access((web + "/p9opfs-wasm.wasm").c_str(), R_OK) != 0)
      *error =
          web + "/p9opfs-wasm.wasm is missing: build target p9opfs (needs em++: apt-get install emscripten)";
    else if (::access(serve.c_str(), R_OK) != 0)
      *error = serve + " is missing (P9_OPFS_SERVE names opfs/host/serve.mjs)";
    if (!error->empty()) return nullptr;
    fs::Profile profile;
    profile.name = "opfs";
    profile.groups = false;  // serve.mjs gives the OPFS build no user database (gid = uid, no other group)
    // Chromium takes ~3 s to start on an idle machine; much longer on a loaded one.
    auto s = std::make_unique<Spawned>("opfs", "opfs", profile, 60000, 6000);
    if (!s->start({node, serve, "--listen", "127.0.0.1:{port}", "--profile", "{dir}", "--web", web,
                   "--chromium", chromium},
                  make_temp_dir("opfs"), error))
      return nullptr;
    return s;
  }
  if (t.rfind("tcp:", 0) == 0 || t.rfind("unix:", 0) == 0) {
    fs::Profile profile = parse_profile(env("P9_PROFILE", "external"), error);
    if (!error->empty()) return nullptr;
    return std::make_unique<External>(t, env("P9_ANAME"), profile);
  }
  *error = "unknown P9_TARGET '" + t +
           "' (inprocess:model, inprocess:posix, inprocess:opfs, p9ref:model, p9ref:posix, p9ref:opfs, diod, "
           "opfs, "
           "tcp:HOST:PORT, unix:PATH, start with P9_START)";
  return nullptr;
}

}  // namespace p9::conformance
