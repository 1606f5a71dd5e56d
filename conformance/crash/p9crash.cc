// p9crash: is a 9P server's storage crash-consistent? It starts the server
// (its own process group), runs a write-heavy workload over 9P (creates,
// writes, appends, fsyncs, renames of populated directories, chmods,
// links, unlinks), kills the whole group with SIGKILL while a request is
// in flight, restarts the server on the same storage and checks what the
// server promised (opfs/README.md, "Durability"):
//   - every change replied to is there: names, types, modes, link counts,
//     and no name that was removed;
//   - every file fsynced since its last write holds exactly those bytes;
//   - the request in flight at the kill happened entirely or not at all;
//   - the server reported no repair when it reopened (a line with "repaired").
// Then it goes on from there, for --points kills.
// With --persist it checks a restart instead (see Persist below), with
// --fill a full store (see Fill below).
//
//   p9crash --start 'CMD ARGS... {port} {dir}' [--dir DIR] [--points 20]
//           [--seed 1] [--max-requests 80] [--ready-timeout 60]
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "conformance/client/client.h"
#include "conformance/harness/process.h"

namespace p9::conformance {
namespace {

// What the client knows the tree holds (below the workload's directory).
struct State {
  struct File {
    std::uint32_t perm = 0644;
    std::string written;  // every byte the client wrote, as it wrote them
    bool synced = true;   // fsynced since the last write (an empty new file is trivially)
  };
  std::map<std::string, std::uint32_t> dirs;  // path -> perm ("" is the workload's root)
  std::map<std::string, int> names;           // file path -> file id
  std::map<int, File> files;
  int next_id = 1;
  int links(int id) const {
    int n = 0;
    for (const auto& [p, i] : names) n += i == id;
    return n;
  }
};

std::string parent_of(const std::string& p) {
  auto s = p.rfind('/');
  return s == std::string::npos ? "" : p.substr(0, s);
}
std::string base_of(const std::string& p) {
  auto s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}
std::string join(const std::string& d, const std::string& n) { return d.empty() ? n : d + "/" + n; }
std::vector<std::string> split(const std::string& p) {
  std::vector<std::string> out;
  std::stringstream ss(p);
  for (std::string part; std::getline(ss, part, '/');)
    if (!part.empty()) out.push_back(part);
  return out;
}

constexpr const char* kTop = "p9crash";

// A server started (and restarted) here, with one client attached as root.
class Attached {
 protected:
  Attached(std::vector<std::string> argv, std::string dir, int ready_ms)
      : argv_(std::move(argv)), dir_(std::move(dir)), ready_ms_(ready_ms) {}

  static bool fail(std::string* finding, std::string why) {
    *finding = std::move(why);
    return false;
  }
  // (Re)starts the server on the same port and storage, and attaches.
  bool start(std::string* err) {
    if (!server_.start(argv_, dir_, dir_ + "/server.log", port_, err)) return false;
    port_ = server_.port();
    if (!server_.wait_ready(ready_ms_, err)) return false;
    c_ = client::Client::connect(server_.address(), err);
    if (!c_) return false;
    if (!c_->handshake(65536, "").ok()) {
      *err = "handshake: " + c_->last_error();
      return false;
    }
    return true;
  }
  // A new fid on the workload's directory, then path below it (0 if the walk fails).
  std::uint32_t walk(const std::vector<std::string>& path) {
    std::vector<std::string> names{kTop};
    names.insert(names.end(), path.begin(), path.end());
    std::uint32_t fid = c_->new_fid();
    auto r = c_->call<msg::Rwalk>(msg::Twalk{0, fid, names});
    if (!r.ok() || r->wqid.size() != names.size()) return 0;
    return fid;
  }
  // The bytes of the file at path p below the workload's directory, as the server has them now.
  std::string read_file(const std::string& p) {
    std::uint32_t fid = walk(split(p));
    if (!fid) return {};
    auto o = c_->call<msg::Rlopen>(msg::Tlopen{fid, access::RDONLY});
    std::string got;
    for (std::uint64_t off = 0; o.ok();) {
      auto r = c_->call<msg::Rread>(msg::Tread{fid, off, 60000});
      if (!r.ok() || r->data.empty()) break;
      got += r->data.str();
      off += r->data.size();
    }
    (void)c_->call<msg::Rclunk>(msg::Tclunk{fid});
    return got;
  }
  // The names in the directory fid (opened here, then clunked), sorted.
  std::vector<std::string> names_in(std::uint32_t fid) {
    std::vector<std::string> names;
    auto o = c_->call<msg::Rlopen>(msg::Tlopen{fid, access::RDONLY | oflag::DIRECTORY});
    for (std::uint64_t off = 0; o.ok();) {
      auto r = c_->call<msg::Rreaddir>(msg::Treaddir{fid, off, 60000});
      if (!r.ok() || r->entries.empty()) break;
      for (const auto& e : r->entries) {
        if (e.name != "." && e.name != "..") names.push_back(e.name);
        off = e.offset;
      }
    }
    (void)c_->call<msg::Rclunk>(msg::Tclunk{fid});
    std::sort(names.begin(), names.end());
    return names;
  }

  std::vector<std::string> argv_;
  std::string dir_;
  int ready_ms_;
  int port_ = 0;
  ServerProcess server_;
  std::unique_ptr<client::Client> c_;
};

class Run : Attached {
 public:
  Run(std::vector<std::string> argv, std::string dir, std::uint64_t seed, int max_requests, int ready_ms)
      : Attached(std::move(argv), std::move(dir), ready_ms), rng_(seed), max_requests_(max_requests) {}

  // Starts the server, attaches, makes the workload's directory.
  bool start(std::string* err) {
    if (!Attached::start(err)) return false;
    auto r = c_->call<msg::Rmkdir>(msg::Tmkdir{0, kTop, 0755, 0});
    if (!r.ok() && r.error() != Errno::EXIST) {
      *err = "mkdir " + std::string(kTop) + ": " + c_->last_error();
      return false;
    }
    return true;
  }

  // One kill point: runs requests until the chosen one, kills the server
  // with it in flight, restarts, verifies. False on a finding.
  bool point(int n, std::string* finding) {
    std::string err;
    int kill_at = 1 + static_cast<int>(rng_() % max_requests_);
    State before = state_;
    State after;
    bool in_flight = false;
    for (int sent = 0; !in_flight;) {
      if (!workload_step(&sent, kill_at, &before, &after, &in_flight, finding)) return false;
    }
    // Let the request reach the server (or not): 0-3 ms.
    std::this_thread::sleep_for(std::chrono::microseconds(rng_() % 3000));
    server_.kill_group(SIGKILL);
    c_.reset();
    std::size_t log_before = server_.log_tail(1 << 30).size();
    if (!start(&err)) {
      *finding = "point " + std::to_string(n) + ": the server did not come back after SIGKILL: " + err;
      return false;
    }
    std::string log = server_.log_tail(1 << 30).substr(log_before);
    if (log.find("repaired") != std::string::npos) {
      *finding = "point " + std::to_string(n) + ": the server repaired its store on restart:\n" + log;
      return false;
    }
    std::string with = verify(after), without = verify(before);
    if (!with.empty() && !without.empty()) {
      *finding =
          "point " + std::to_string(n) + " (killed during: " + last_request_ +
          "): the tree matches neither the state before that request nor after it.\n  versus after: " + with +
          "\n  versus before: " + without;
      return false;
    }
    state_ = with.empty() ? after : before;
    // A file not fsynced since its last write holds, after the crash, some
    // of what was written, or none: what it holds now is what a later fsync
    // must keep.
    for (auto& [id, f] : state_.files) {
      if (f.synced) continue;
      for (const auto& [p, i] : state_.names)
        if (i == id) {
          f.written = read_file(p);
          break;
        }
    }
    ++points_;
    return true;
  }

  std::string summary() const {
    std::ostringstream o;
    o << points_ << " kills survived; " << requests_ << " requests replied to; at the last check "
      << checked_dirs_ << " directories, " << checked_names_ << " file names and " << checked_bytes_
      << " fsynced bytes verified";
    return o.str();
  }
  void stop() { server_.stop(); }

 private:
  // A fid on the workload's path p (0 if the walk fails).
  std::uint32_t walk(const std::string& p) { return Attached::walk(split(p)); }
  void clunk(std::uint32_t fid) {
    if (fid) (void)c_->call<msg::Rclunk>(msg::Tclunk{fid});
  }

  // Sends one request of the workload. The request numbered kill_at is sent
  // without waiting for its reply (in_flight); `after` is then the state it
  // would make. Otherwise its reply must be a success and `before` becomes
  // the state after it.
  template <class R, class T>
  bool request(T req, const std::function<void(State&)>& effect, int* sent, int kill_at, State* before,
               State* after, bool* in_flight, std::string* finding) {
    ++*sent;
    if (*sent == kill_at) {
      *after = *before;
      effect(*after);
      Frame f{c_->new_tag(), Message(req)};
      last_request_ = to_string(f);
      if (!c_->send(f)) {
        *finding = "send failed: " + c_->last_error();
        return false;
      }
      *in_flight = true;
      return true;
    }
    auto r = c_->call<R>(req);
    if (!r.ok()) {
      *finding = "a workload request failed before any kill: " + c_->last_error() + "\n" + c_->transcript();
      return false;
    }
    ++requests_;
    effect(*before);
    return true;
  }

  std::string pick_dir(const State& s) {
    auto it = s.dirs.begin();
    std::advance(it, rng_() % s.dirs.size());
    return it->first;
  }
  std::string pick_file(const State& s) {
    auto it = s.names.begin();
    std::advance(it, rng_() % s.names.size());
    return it->first;
  }
  std::string fresh_name() { return "n" + std::to_string(counter_++); }
  std::string random_bytes(std::size_t n) {
    std::string s(n, '\0');
    for (auto& ch : s) ch = static_cast<char>('a' + rng_() % 26);
    return s;
  }

  bool workload_step(int* sent, int kill_at, State* before, State* after, bool* in_flight,
                     std::string* finding) {
    State& s = *before;
    auto req = [&](auto r, auto tag, const std::function<void(State&)>& effect) {
      using R = decltype(tag);
      return request<R>(r, effect, sent, kill_at, before, after, in_flight, finding);
    };
    int kind = static_cast<int>(rng_() % 9);
    if (s.names.empty() && kind >= 3) kind = 1;
    switch (kind) {
      case 0: {  // mkdir
        std::string d = pick_dir(s), name = fresh_name(), p = join(d, name);
        std::uint32_t fid = walk(d);
        if (!fid) return fail_walk(d, finding);
        bool ok = req(msg::Tmkdir{fid, name, 0755, 0}, msg::Rmkdir{}, [p](State& x) { x.dirs[p] = 0755; });
        if (!*in_flight) clunk(fid);
        return ok;
      }
      case 1:
      case 2: {  // create, write in pieces, maybe fsync
        std::string d = pick_dir(s), name = fresh_name(), p = join(d, name);
        std::uint32_t fid = walk(d);
        if (!fid) return fail_walk(d, finding);
        int id = s.next_id;
        if (!req(msg::Tlcreate{fid, name, access::RDWR, 0644, 0}, msg::Rlcreate{},
                 [p, id](State& x) {
                   x.names[p] = id;
                   x.files[id] = State::File{};
                   x.next_id = id + 1;
                 }) ||
            *in_flight)
          return *in_flight;
        std::size_t total = rng_() % 200000;
        for (std::size_t off = 0; off < total;) {
          std::size_t n = std::min<std::size_t>(total - off, 60000);
          std::string data = random_bytes(n);
          if (!req(msg::Twrite{fid, off, data}, msg::Rwrite{},
                   [id, off, data](State& x) {
                     auto& f = x.files[id];
                     if (f.written.size() < off + data.size()) f.written.resize(off + data.size());
                     f.written.replace(off, data.size(), data);
                     f.synced = false;
                   }) ||
              *in_flight)
            return *in_flight;
          off += n;
        }
        if (rng_() % 2 && (!req(msg::Tfsync{fid, 0}, msg::Rfsync{}, [id](State& x) {
              x.files[id].synced = true;
            }) || *in_flight))
          return *in_flight;
        clunk(fid);
        return true;
      }
      case 3: {  // append, maybe fsync
        std::string p = pick_file(s);
        int id = s.names.at(p);
        std::uint32_t fid = walk(p);
        if (!fid) return fail_walk(p, finding);
        auto o = c_->call<msg::Rlopen>(msg::Tlopen{fid, access::WRONLY | oflag::APPEND});
        if (!o.ok()) {
          *finding = "open for append of " + p + " failed: " + c_->last_error();
          return false;
        }
        std::string data = random_bytes(1 + rng_() % 8000);
        if (!req(msg::Twrite{fid, 0, data}, msg::Rwrite{},
                 [id, data](State& x) {
                   x.files[id].written += data;
                   x.files[id].synced = false;
                 }) ||
            *in_flight)
          return *in_flight;
        if (rng_() % 2 && (!req(msg::Tfsync{fid, 0}, msg::Rfsync{}, [id](State& x) {
              x.files[id].synced = true;
            }) || *in_flight))
          return *in_flight;
        clunk(fid);
        return true;
      }
      case 4: {  // rename a directory (populated or not) somewhere else
        if (s.dirs.size() < 2) return true;
        std::string from = pick_dir(s);
        if (from.empty()) return true;
        std::string to_parent = pick_dir(s);
        if (to_parent == from || to_parent.rfind(from + "/", 0) == 0) return true;
        std::string name = fresh_name(), to = join(to_parent, name);
        std::uint32_t a = walk(parent_of(from)), b = walk(to_parent);
        if (!a || !b) return fail_walk(from, finding);
        auto move = [from, to](State& x) {
          auto moved = [&](const std::string& p) -> std::string {
            if (p == from) return to;
            if (p.rfind(from + "/", 0) == 0) return to + p.substr(from.size());
            return p;
          };
          std::map<std::string, std::uint32_t> dirs;
          for (auto& [p, m] : x.dirs) dirs[moved(p)] = m;
          std::map<std::string, int> names;
          for (auto& [p, id] : x.names) names[moved(p)] = id;
          x.dirs = dirs;
          x.names = names;
        };
        bool ok = req(msg::Trenameat{a, base_of(from), b, name}, msg::Rrenameat{}, move);
        if (!*in_flight) {
          clunk(a);
          clunk(b);
        }
        return ok;
      }
      case 5: {  // chmod a file
        std::string p = pick_file(s);
        int id = s.names.at(p);
        std::uint32_t fid = walk(p);
        if (!fid) return fail_walk(p, finding);
        std::uint32_t perm = 0600 | (rng_() % 0100);
        // The full st_mode, as Linux's chmod sends it.
        msg::Tsetattr t{.fid = fid, .valid = setattr::MODE, .mode = 0100000 | perm};
        bool ok = req(t, msg::Rsetattr{}, [id, perm](State& x) { x.files[id].perm = perm; });
        if (!*in_flight) clunk(fid);
        return ok;
      }
      case 6: {  // unlink a name
        std::string p = pick_file(s);
        std::uint32_t fid = walk(parent_of(p));
        if (!fid) return fail_walk(parent_of(p), finding);
        bool ok = req(msg::Tunlinkat{fid, base_of(p), 0}, msg::Runlinkat{}, [p](State& x) {
          int id = x.names.at(p);
          x.names.erase(p);
          if (x.links(id) == 0) x.files.erase(id);
        });
        if (!*in_flight) clunk(fid);
        return ok;
      }
      case 7: {  // a hard link
        std::string p = pick_file(s), d = pick_dir(s), name = fresh_name();
        int id = s.names.at(p);
        std::uint32_t f = walk(p), dfid = walk(d);
        if (!f || !dfid) return fail_walk(p, finding);
        bool ok = req(msg::Tlink{dfid, f, name}, msg::Rlink{},
                      [id, q = join(d, name)](State& x) { x.names[q] = id; });
        if (!*in_flight) {
          clunk(f);
          clunk(dfid);
        }
        return ok;
      }
      case 8: {  // fsync an existing file
        std::string p = pick_file(s);
        int id = s.names.at(p);
        std::uint32_t fid = walk(p);
        if (!fid) return fail_walk(p, finding);
        auto o = c_->call<msg::Rlopen>(msg::Tlopen{fid, access::RDONLY});
        if (!o.ok()) {
          *finding = "open of " + p + " failed: " + c_->last_error();
          return false;
        }
        bool ok = req(msg::Tfsync{fid, 0}, msg::Rfsync{}, [id](State& x) { x.files[id].synced = true; });
        if (!*in_flight) clunk(fid);
        return ok;
      }
    }
    return true;
  }

  bool fail_walk(const std::string& p, std::string* finding) {
    *finding = "cannot walk to " + std::string(kTop) + "/" + p +
               " (the tree lost a name it had): " + c_->last_error() + "\n" + c_->transcript();
    return false;
  }

  // Empty if the server's tree is exactly s (see the top of the file).
  std::string verify(const State& s) {
    std::ostringstream bad;
    checked_dirs_ = checked_names_ = checked_bytes_ = 0;
    std::map<std::string, std::set<std::string>> children;
    for (const auto& [p, m] : s.dirs)
      if (!p.empty()) children[parent_of(p)].insert(base_of(p));
    for (const auto& [p, id] : s.names) children[parent_of(p)].insert(base_of(p));
    for (const auto& [d, m] : s.dirs) {
      std::uint32_t fid = walk(d);
      if (!fid) {
        bad << "directory '" << d << "' is missing; ";
        continue;
      }
      std::vector<std::string> listed = names_in(fid);
      std::set<std::string> seen(listed.begin(), listed.end());
      const std::set<std::string>& want = children[d];
      if (seen != want) {
        bad << "directory '" << d << "' lists {";
        for (auto& n : seen) bad << (want.count(n) ? "" : "+") << n << " ";
        bad << "}, expected {";
        for (auto& n : want) bad << (seen.count(n) ? "" : "-") << n << " ";
        bad << "}; ";
      }
      ++checked_dirs_;
    }
    for (const auto& [p, id] : s.names) {
      const State::File& f = s.files.at(id);
      std::uint32_t fid = walk(p);
      if (!fid) {
        bad << "file '" << p << "' is missing; ";
        continue;
      }
      auto a = c_->call<msg::Rgetattr>(msg::Tgetattr{fid, GETATTR_BASIC});
      if (!a.ok()) {
        bad << "getattr '" << p << "' failed; ";
      } else {
        if ((a->mode & 0170000) != 0100000 || (a->mode & 07777) != f.perm)
          bad << "file '" << p << "' mode " << std::oct << a->mode << " expected " << (0100000 | f.perm)
              << std::dec << "; ";
        if (a->nlink != static_cast<std::uint64_t>(s.links(id)))
          bad << "file '" << p << "' nlink " << a->nlink << " expected " << s.links(id) << "; ";
      }
      if (f.synced) {
        std::string got = read_file(p);
        if (got != f.written)
          bad << "fsynced file '" << p << "' holds " << got.size() << " bytes, expected " << f.written.size()
              << (got.size() == f.written.size() ? " (same size, other bytes)" : "") << "; ";
        checked_bytes_ += f.written.size();
      }
      clunk(fid);
      ++checked_names_;
    }
    return bad.str();
  }

  std::mt19937_64 rng_;
  int max_requests_;
  State state_ = [] {
    State s;
    s.dirs[""] = 0755;
    return s;
  }();
  int counter_ = 0, points_ = 0;
  std::uint64_t requests_ = 0, checked_dirs_ = 0, checked_names_ = 0, checked_bytes_ = 0;
  std::string last_request_;
};

// --persist: what a server keeps across a restart. A tree with every kind
// of thing (modes, owners, times in ns, hard links, symlinks, device nodes,
// xattrs, names with '\\' and "..", a renamed populated directory) is
// written over 9P; the server is stopped (SIGTERM) and started again, and the
// whole tree must read back identical; then a few metadata changes are made
// and the server is killed (SIGKILL): they must be there too.
class Persist : Attached {
 public:
  Persist(std::vector<std::string> argv, std::string dir, int ready_ms)
      : Attached(std::move(argv), std::move(dir), ready_ms) {}

  bool run(std::string* finding, std::string* summary) {
    std::string err;
    if (!start(&err)) return fail(finding, "cannot start the server: " + err);
    if (!build(finding)) return false;
    std::string before = dump(finding);
    if (before.empty()) return false;
    server_.stop();
    if (!start(&err)) return fail(finding, "the server did not start again after SIGTERM: " + err);
    std::string after = dump(finding);
    if (after != before)
      return fail(finding, "after a restart (SIGTERM) the tree differs:\n" + diff(before, after));
    // Replied metadata changes survive SIGKILL.
    std::uint32_t f = walk({"moved", "f"});
    msg::Tsetattr t{.fid = f,
                    .valid = setattr::MODE | setattr::MTIME | setattr::MTIME_SET,
                    .mode = 0100604,
                    .mtime_sec = 1111111111,
                    .mtime_nsec = 222222222};
    if (!f || !c_->call<msg::Rsetattr>(t).ok()) return fail(finding, "setattr failed: " + c_->last_error());
    std::uint32_t d = walk({});
    if (!d || !c_->call<msg::Rrenameat>(msg::Trenameat{d, "moved", d, "moved again"}).ok() ||
        !c_->call<msg::Rmkdir>(msg::Tmkdir{d, "made last", 0700, 0}).ok())
      return fail(finding, "rename/mkdir failed: " + c_->last_error());
    std::string changed = dump(finding);
    server_.kill_group(SIGKILL);
    c_.reset();
    if (!start(&err)) return fail(finding, "the server did not start again after SIGKILL: " + err);
    std::string killed = dump(finding);
    if (killed != changed)
      return fail(finding, "after SIGKILL the replied changes are not all there:\n" + diff(changed, killed));
    server_.stop();
    std::size_t lines = std::count(before.begin(), before.end(), '\n');
    *summary = std::to_string(lines) +
               " names identical after SIGTERM and restart (contents, modes, owners, times, "
               "links, symlinks, devices, xattrs); setattr, rename and mkdir kept across SIGKILL";
    return true;
  }

 private:
  bool ok(bool b, std::string* finding, const char* what) {
    if (!b) *finding = std::string("setting up the tree: ") + what + " failed: " + c_->last_error();
    return b;
  }
  bool build(std::string* finding) {
    if (!ok(c_->call<msg::Rmkdir>(msg::Tmkdir{0, kTop, 0755, 0}).ok(), finding, "mkdir")) return false;
    std::uint32_t top = walk({});
    if (!ok(c_->call<msg::Rmkdir>(msg::Tmkdir{top, "d", 02750, 0}).ok(), finding, "mkdir d")) return false;
    std::uint32_t d = walk({"d"});
    if (!ok(c_->call<msg::Rsetattr>(
                  msg::Tsetattr{.fid = d, .valid = setattr::UID | setattr::GID, .uid = 1000, .gid = 100})
                .ok(),
            finding, "chown d"))
      return false;
    std::uint32_t f = walk({"d"});
    if (!ok(c_->call<msg::Rlcreate>(msg::Tlcreate{f, "f", access::RDWR, 0640, 0}).ok(), finding, "create f"))
      return false;
    std::string data(300000, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 7919) % 251);
    for (std::size_t off = 0; off < data.size(); off += 60000)
      if (!ok(c_->call<msg::Rwrite>(msg::Twrite{f, off, data.substr(off, 60000)}).ok(), finding, "write f"))
        return false;
    // A hole: 1 byte at 8 MiB.
    if (!ok(c_->call<msg::Rwrite>(msg::Twrite{f, 8 << 20, "!"}).ok(), finding, "write at 8 MiB"))
      return false;
    (void)c_->call<msg::Rclunk>(msg::Tclunk{f});
    std::uint32_t fx = walk({"d", "f"});
    std::string value("value\0with a NUL", 16);
    std::uint32_t xf = c_->new_fid();
    if (!ok(c_->call<msg::Rwalk>(msg::Twalk{fx, xf, {}}).ok() &&
                c_->call<msg::Rxattrcreate>(msg::Txattrcreate{xf, "user.note", value.size(), 0}).ok() &&
                c_->call<msg::Rwrite>(msg::Twrite{xf, 0, value}).ok() &&
                c_->call<msg::Rclunk>(msg::Tclunk{xf}).ok(),
            finding, "setxattr"))
      return false;
    if (!ok(c_->call<msg::Rsetattr>(msg::Tsetattr{.fid = fx,
                                                  .valid = setattr::UID | setattr::GID | setattr::ATIME |
                                                           setattr::ATIME_SET | setattr::MTIME |
                                                           setattr::MTIME_SET,
                                                  .uid = 1001,
                                                  .gid = 1001,
                                                  .atime_sec = 1000000000,
                                                  .atime_nsec = 1,
                                                  .mtime_sec = 1234567890,
                                                  .mtime_nsec = 123456789})
                .ok(),
            finding, "setattr times"))
      return false;
    if (!ok(c_->call<msg::Rlink>(msg::Tlink{d, fx, "f-link"}).ok(), finding, "link")) return false;
    if (!ok(c_->call<msg::Rsymlink>(msg::Tsymlink{d, "s", "../weird/..\\name", 0}).ok(), finding, "symlink"))
      return false;
    if (!ok(c_->call<msg::Rmknod>(msg::Tmknod{d, "p", 010600, 0, 0, 0}).ok(), finding, "mknod fifo"))
      return false;
    if (!ok(c_->call<msg::Rmknod>(msg::Tmknod{d, "c", 020600, 1, 3, 0}).ok(), finding, "mknod char"))
      return false;
    if (!ok(c_->call<msg::Rmkdir>(msg::Tmkdir{d, "a\\b..c", 0700, 0}).ok(), finding, "mkdir a\\b..c"))
      return false;
    // A populated directory renamed: its children keep everything.
    if (!ok(c_->call<msg::Rrenameat>(msg::Trenameat{top, "d", top, "moved"}).ok(), finding, "rename"))
      return false;
    for (std::uint32_t x : {top, d, fx}) (void)c_->call<msg::Rclunk>(msg::Tclunk{x});
    return true;
  }
  // path ino mode uid gid nlink rdev size mtime ctime btime [-> target] [xattrs] [content hash]
  std::string dump(std::string* finding) {
    std::ostringstream out;
    std::vector<std::vector<std::string>> todo{{}};
    while (!todo.empty()) {
      std::vector<std::string> path = todo.back();
      todo.pop_back();
      std::uint32_t fid = walk(path);
      if (!fid) {
        *finding = "cannot walk to a directory while dumping";
        return {};
      }
      std::vector<std::string> names = names_in(fid);
      for (const auto& n : names) {
        std::vector<std::string> p = path;
        p.push_back(n);
        std::uint32_t x = walk(p);
        auto a = c_->call<msg::Rgetattr>(msg::Tgetattr{x, GETATTR_ALL});
        if (!x || !a.ok()) {
          *finding = "cannot stat " + n;
          return {};
        }
        for (auto& s : p) out << "/" << s;
        out << " ino=" << a->qid.path << " mode=" << std::oct << a->mode << std::dec << " uid=" << a->uid
            << " gid=" << a->gid << " nlink=" << a->nlink << " rdev=" << a->rdev << " size=" << a->size
            << " mtime=" << a->mtime_sec << "." << a->mtime_nsec << " ctime=" << a->ctime_sec << "."
            << a->ctime_nsec << " btime=" << a->btime_sec << "." << a->btime_nsec;
        std::uint32_t type = a->mode & 0170000;
        if (type == 0120000) {
          auto r = c_->call<msg::Rreadlink>(msg::Treadlink{x});
          out << " -> " << (r.ok() ? r->target : "?");
        }
        if (type == 0100000 || type == 0040000) {
          // xattr(7) names: a Txattrwalk with an empty name lists them.
          std::uint32_t l = c_->new_fid();
          auto w = c_->call<msg::Rxattrwalk>(msg::Txattrwalk{x, l, ""});
          if (w.ok()) {
            auto r = c_->call<msg::Rread>(msg::Tread{l, 0, static_cast<std::uint32_t>(w->size)});
            (void)c_->call<msg::Rclunk>(msg::Tclunk{l});
            std::string list = r.ok() ? r->data.str() : "";
            for (std::size_t i = 0; i < list.size();) {
              std::string name = list.substr(i, list.find('\0', i) - i);
              i += name.size() + 1;
              std::uint32_t v = c_->new_fid();
              auto vw = c_->call<msg::Rxattrwalk>(msg::Txattrwalk{x, v, name});
              std::string value;
              if (vw.ok()) {
                auto vr = c_->call<msg::Rread>(msg::Tread{v, 0, static_cast<std::uint32_t>(vw->size)});
                if (vr.ok()) value = vr->data.str();
                (void)c_->call<msg::Rclunk>(msg::Tclunk{v});
              }
              out << " [" << name << "=" << std::hash<std::string>{}(value) << "/" << value.size() << "]";
            }
          }
        }
        if (type == 0100000) {
          auto op = c_->call<msg::Rlopen>(msg::Tlopen{x, access::RDONLY});
          std::string got;
          for (std::uint64_t off = 0; op.ok();) {
            auto r = c_->call<msg::Rread>(msg::Tread{x, off, 60000});
            if (!r.ok() || r->data.empty()) break;
            got += r->data.str();
            off += r->data.size();
          }
          out << " data=" << std::hash<std::string>{}(got);
        }
        (void)c_->call<msg::Rclunk>(msg::Tclunk{x});
        out << "\n";
        if (type == 0040000) todo.push_back(p);
      }
    }
    return out.str();
  }
  static std::string diff(const std::string& a, const std::string& b) {
    std::set<std::string> la, lb;
    std::stringstream sa(a), sb(b);
    for (std::string l; std::getline(sa, l);) la.insert(l);
    for (std::string l; std::getline(sb, l);) lb.insert(l);
    std::string out;
    for (auto& l : la)
      if (!lb.count(l)) out += "  - " + l + "\n";
    for (auto& l : lb)
      if (!la.count(l)) out += "  + " + l + "\n";
    return out;
  }
};

// --fill: a full store (an origin at its quota, a disk that is full). Writes
// go on until the server answers ENOSPC (never EIO, never a dead server),
// then directories are made until ENOSPC; the server must still answer and
// remove a file; after a restart (SIGTERM) the tree must read back exactly
// as acknowledged, with no repair, and the removed file's room be usable.
class Fill : Attached {
 public:
  Fill(std::vector<std::string> argv, std::string dir, int ready_ms)
      : Attached(std::move(argv), std::move(dir), ready_ms) {}

  bool run(std::string* finding, std::string* summary) {
    std::string err;
    if (!start(&err)) return fail(finding, "cannot start the server: " + err);
    auto mk = c_->call<msg::Rmkdir>(msg::Tmkdir{0, kTop, 0755, 0});
    if (!mk.ok()) return fail(finding, "mkdir: " + c_->last_error());
    // Files of up to 4 MiB, written 60,000 bytes at a time, until ENOSPC.
    std::string chunk(60000, 'q');
    std::uint64_t written = 0;
    Errno stop = Errno::OK;
    std::map<std::string, std::uint64_t> sizes;  // acknowledged bytes per file
    for (int i = 0; stop == Errno::OK && i < 100000; ++i) {
      std::string name = "f" + std::to_string(i);
      std::uint32_t fid = c_->new_fid();
      if (!c_->call<msg::Rwalk>(msg::Twalk{0, fid, {kTop}}).ok()) return fail(finding, "walk failed");
      auto cr = c_->call<msg::Rlcreate>(msg::Tlcreate{fid, name, access::RDWR, 0644, 0});
      if (!cr.ok()) {
        stop = cr.error();
        break;
      }
      sizes[name] = 0;
      for (std::uint64_t off = 0; off < (4u << 20); off += chunk.size()) {
        auto w = c_->call<msg::Rwrite>(msg::Twrite{fid, off, chunk});
        if (!w.ok()) {
          stop = w.error();
          break;
        }
        sizes[name] += w->count;
        written += w->count;
      }
      (void)c_->call<msg::Rclunk>(msg::Tclunk{fid});
    }
    if (stop != Errno::NOSPC)
      return fail(finding,
                  std::string("writing until the store is full ended with ") +
                      (stop == Errno::OK ? "no error" : errno_name(static_cast<std::uint32_t>(stop))) +
                      ", not ENOSPC: " + c_->last_error());
    // Directories until ENOSPC (the journal's room is reserved before a change).
    int dirs = 0;
    std::uint32_t top = c_->new_fid();
    if (!c_->call<msg::Rwalk>(msg::Twalk{0, top, {kTop}}).ok()) return fail(finding, "walk failed");
    Errno dstop = Errno::OK;
    for (; dirs < 200000; ++dirs) {
      auto r = c_->call<msg::Rmkdir>(msg::Tmkdir{top, "d" + std::to_string(dirs), 0755, 0});
      if (!r.ok()) {
        dstop = r.error();
        break;
      }
    }
    if (dstop != Errno::NOSPC && dstop != Errno::OK)
      return fail(finding, std::string("mkdir on a full store answered ") +
                               errno_name(static_cast<std::uint32_t>(dstop)) + ", not ENOSPC");
    // Still answering; removing a file makes room.
    std::string first = sizes.begin()->first;
    if (!c_->call<msg::Runlinkat>(msg::Tunlinkat{top, first, 0}).ok())
      return fail(finding, "unlink on a full store failed: " + c_->last_error());
    sizes.erase(first);
    // Whether its room is usable before a restart too (reported, not
    // required: opfs/README.md, "Quota").
    bool room_at_once = c_->call<msg::Rmkdir>(msg::Tmkdir{top, "room-at-once", 0755, 0}).ok();
    (void)c_->call<msg::Rclunk>(msg::Tclunk{top});
    std::string before = listing(finding);
    server_.stop();
    std::size_t log_before = server_.log_tail(1 << 30).size();
    if (!start(&err)) return fail(finding, "the server did not start again on the full store: " + err);
    std::string log = server_.log_tail(1 << 30).substr(log_before);
    if (log.find("repaired") != std::string::npos)
      return fail(finding, "the store was repaired on restart:\n" + log);
    std::string after = listing(finding);
    if (after != before) return fail(finding, "after a restart the full store's tree differs");
    for (const auto& [name, size] : sizes) {
      std::uint32_t fid = c_->new_fid();
      auto a = c_->call<msg::Rwalk>(msg::Twalk{0, fid, {kTop, name}});
      auto g = c_->call<msg::Rgetattr>(msg::Tgetattr{fid, GETATTR_BASIC});
      if (!a.ok() || !g.ok() || g->size != size)
        return fail(finding,
                    "file " + name + " should hold " + std::to_string(size) + " bytes after the restart");
      (void)c_->call<msg::Rclunk>(msg::Tclunk{fid});
    }
    // The room the removed file held is usable again (at the latest after a
    // restart: see opfs/README.md, "Quota", for when Chromium gives it back).
    std::uint32_t t2 = c_->new_fid();
    if (!c_->call<msg::Rwalk>(msg::Twalk{0, t2, {kTop}}).ok() ||
        !c_->call<msg::Rmkdir>(msg::Tmkdir{t2, "room-again", 0755, 0}).ok())
      return fail(finding, "no room after removing a file and restarting: " + c_->last_error());
    server_.stop();
    *summary = std::to_string(written >> 20) + " MiB written until ENOSPC, " + std::to_string(dirs) +
               " directories until " + (dstop == Errno::NOSPC ? "ENOSPC" : "the limit of this check") +
               "; an unlink on the full store; " + std::to_string(sizes.size()) +
               " files and the tree identical after a restart, no repair; room again " +
               (room_at_once ? "at once (before the restart too)" : "after the restart (not before it)");
    return true;
  }

 private:
  std::string listing(std::string* finding) {
    std::uint32_t fid = walk({});
    if (!fid) {
      *finding = "cannot list the tree";
      return {};
    }
    std::string out;
    for (const auto& n : names_in(fid)) out += n + "\n";
    return out;
  }
};

int usage() {
  std::fprintf(
      stderr,
      "usage: p9crash --start 'CMD ARGS... {port} {dir}' [--dir DIR] [--points N] [--seed S]\n"
      "               [--max-requests N] [--ready-timeout SECONDS]\n"
      "       p9crash --persist --start 'CMD ARGS... {port} {dir}' [--dir DIR] [--ready-timeout SECONDS]\n");
  return 2;
}

}  // namespace
}  // namespace p9::conformance

int main(int argc, char** argv) {
  using namespace p9::conformance;
  std::string start, dir;
  int points = 20, max_requests = 80, ready = 60;
  bool persist = false, fill = false;
  std::uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--start")
      start = next();
    else if (a == "--persist")
      persist = true;
    else if (a == "--fill")
      fill = true;
    else if (a == "--dir")
      dir = next();
    else if (a == "--points")
      points = std::atoi(next().c_str());
    else if (a == "--seed")
      seed = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--max-requests")
      max_requests = std::atoi(next().c_str());
    else if (a == "--ready-timeout")
      ready = std::atoi(next().c_str());
    else
      return usage();
  }
  if (start.empty() || points <= 0 || max_requests <= 0) return usage();
  bool own_dir = dir.empty();
  if (own_dir) {
    const char* t = std::getenv("TMPDIR");
    std::string templ = std::string(t && *t ? t : "/tmp") + "/p9crash-XXXXXX";
    if (!::mkdtemp(templ.data())) {
      std::perror("mkdtemp");
      return 1;
    }
    dir = templ;
  }
  std::vector<std::string> argv_;
  {
    // The command line is split on spaces (no quoting): CMD and its arguments.
    std::stringstream ss(start);
    for (std::string w; ss >> w;) argv_.push_back(w);
  }
  // --fill and --persist: one check, PASSED or FAILED with the storage kept.
  auto once = [&](const char* flag, auto&& check) {
    std::string finding, summary;
    if (check.run(&finding, &summary)) {
      std::printf("p9crash %s: PASSED: %s\n", flag, summary.c_str());
      if (own_dir) std::filesystem::remove_all(dir);
      return 0;
    }
    std::printf("p9crash %s: FAILED: %s\np9crash: the server's storage and log are kept in %s\n", flag,
                finding.c_str(), dir.c_str());
    return 1;
  };
  if (fill) return once("--fill", Fill(argv_, dir, ready * 1000));
  if (persist) return once("--persist", Persist(argv_, dir, ready * 1000));
  Run run(argv_, dir, seed, max_requests, ready * 1000);
  std::string err;
  if (!run.start(&err)) {
    std::fprintf(stderr, "p9crash: cannot start the server: %s\n", err.c_str());
    return 1;
  }
  int rc = 0;
  for (int n = 1; n <= points; ++n) {
    std::string finding;
    if (!run.point(n, &finding)) {
      std::printf("p9crash: FAILED at kill %d of %d: %s\n", n, points, finding.c_str());
      rc = 1;
      break;
    }
    std::printf("p9crash: kill %d/%d: recovered, %s\n", n, points, run.summary().c_str());
    std::fflush(stdout);
  }
  run.stop();
  if (rc == 0) std::printf("p9crash: PASSED: %s\n", run.summary().c_str());
  if (own_dir && rc == 0) std::filesystem::remove_all(dir);
  if (rc != 0) std::printf("p9crash: the server's storage and log are kept in %s\n", dir.c_str());
  return rc;
}
