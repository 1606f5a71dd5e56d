// p9stress: load as part of certification. N clients, each on its own
// connection, do mixed operations at once against one server (the target of
// the conformance runner: P9_TARGET, P9_ANAME, harness/target.h):
//   - in its own directory, creates, writes, reads back, renames, unlinks,
//     mkdir/rmdir, getattr and readdir (Tunlinkat and Trenameat, with
//     Linux's fallback to Tremove and Trename where they are refused),
//     checked against a model of what the directory holds, built from the
//     replies the client got;
//   - in one shared directory, all clients create, publish (write a file in
//     their own directory, then rename it over a shared name), rename,
//     unlink and read the same few names; every shared file's contents say
//     how long they are and carry a pattern, so a reader can tell a whole
//     file from a torn one;
//   - pipelines: several reads, getattrs or writes (to disjoint regions) in
//     flight on the connection (distinct tags), the replies read late and
//     matched by tag;
//   - Tflush storms: such requests followed by Tflushes for most of them, as
//     a Linux client sends one when a signal interrupts a request
//     (net/9p/client.c p9_client_flush), now and then a second for the same
//     tag. flush(5) of the Plan 9 manual: a flushed request is answered
//     before its Rflush or never (a reply that came first is used: a write
//     it answers is in the model); Tflush is answered with Rflush whether or
//     not oldtag is pending, never with an error; several Tflushes for one
//     tag are answered in order.
// When the time is up every client's directory is compared with its model
// and the shared directory is checked (each name listed once, readable,
// whole, nlink 1, its size the size its contents declare).
//
//   p9stress [--clients N] [--seconds S] [--ops N] [--seed N] [--timeout SECONDS]
//            [--single-flush] [--report FILE]
// --ops bounds the operations of each client (the run ends at whichever
// bound comes first); --single-flush sends one Tflush per request, as Linux
// does, never a second for the same tag; --report (or P9_STRESS_REPORT)
// names a Markdown file the summary section is written to (certify.sh
// --stress appends it to the certificate). --timeout (or P9_TIMEOUT): how
// long a reply may take, in seconds (default 5). Exit status: 0 all
// consistent; 1 a protocol violation, an unexpected error or a final tree
// mismatch; 2 bad usage or no server; 77 the target is not available here
// and P9_SKIP_IF_UNAVAILABLE=1.
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "conformance/client/client.h"
#include "conformance/harness/target.h"

namespace p9::stress {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kSharedNames = 8;        // s0..s7 in the shared directory
constexpr std::size_t kMaxFiles = 16;  // per client directory
constexpr std::size_t kMaxDirs = 4;
constexpr std::size_t kMaxViolationsKept = 20;
constexpr std::uint32_t kMsize = 65536;

// ---- self-describing contents ----
// "p9stress c=C n=N len=L\n" then a pattern up to L bytes in all: a reader
// can tell a whole file from a torn, truncated or mixed one.
char pattern_byte(int client, long seq, std::size_t i) {
  return static_cast<char>(
      'a' + (i * 7 + static_cast<std::size_t>(client) * 3 + static_cast<std::size_t>(seq)) % 26);
}
std::string make_contents(int client, long seq, std::size_t body) {
  std::string head = "p9stress c=" + std::to_string(client) + " n=" + std::to_string(seq) + " len=";
  // The length counts itself: pick the digits so that the total is right.
  std::size_t total = head.size() + 1 + body;
  for (int i = 0; i < 3; ++i) total = head.size() + std::to_string(total).size() + 1 + body;
  std::string s = head + std::to_string(total) + "\n";
  for (std::size_t i = s.size(); i < total; ++i) s += pattern_byte(client, seq, i);
  return s;
}
// "" when s is whole contents made by make_contents, else what is wrong.
std::string check_contents(const std::string& s) {
  int client = 0;
  long seq = 0;
  std::size_t len = 0;
  if (std::sscanf(s.c_str(), "p9stress c=%d n=%ld len=%zu\n", &client, &seq, &len) != 3)
    return "no p9stress header (" + std::to_string(s.size()) + " bytes, starting '" + s.substr(0, 24) + "')";
  if (s.size() != len)
    return "header says " + std::to_string(len) + " bytes, the file has " + std::to_string(s.size());
  std::size_t body = s.find('\n') + 1;
  for (std::size_t i = body; i < s.size(); ++i)
    if (s[i] != pattern_byte(client, seq, i)) return "byte " + std::to_string(i) + " is not the writer's";
  return {};
}

// "" when `got` is `want`, else how they differ (at offset `base` of the file).
std::string difference(std::string_view got, std::string_view want, std::uint64_t base = 0) {
  if (got == want) return {};
  std::size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  return std::to_string(got.size()) + " bytes read, " + std::to_string(want.size()) +
         " written; they differ from byte " + std::to_string(base + i);
}

// ---- what a run counts ----
struct Violation {
  std::string name;      // "flushed request answered after its Rflush"
  std::string detail;    // which request, which reply
  std::string exchange;  // the client's transcript
};

struct Stats {
  std::map<std::string, long> ops;
  long requests = 0;  // 9P requests sent (each operation sends several)
  // (errno, operation, expected) -> count. Expected: ENOENT/EEXIST on a
  // shared name another client changed, EINTR for a flushed request.
  std::map<std::tuple<std::string, std::string, bool>, long> errors;
  long unexpected = 0;
  long violation_count = 0;
  std::vector<Violation> violations;
  std::vector<std::string> mismatches;  // the final tree
  void merge(const Stats& o) {
    for (const auto& [k, v] : o.ops) ops[k] += v;
    requests += o.requests;
    for (const auto& [k, v] : o.errors) errors[k] += v;
    unexpected += o.unexpected;
    violation_count += o.violation_count;
    for (const auto& v : o.violations)
      if (violations.size() < kMaxViolationsKept) violations.push_back(v);
    mismatches.insert(mismatches.end(), o.mismatches.begin(), o.mismatches.end());
  }
};

// Totals for the progress line, updated by every client.
std::atomic<long> g_ops{0}, g_errors{0}, g_violations{0};
std::atomic<bool> g_stop{false};

std::string errno_str(Errno e) {
  const char* n = errno_name(static_cast<std::uint32_t>(e));
  return n ? n : "errno " + std::to_string(static_cast<std::uint32_t>(e));
}

// One connection, attached, with the helpers every check uses; a failure
// is counted in `stats` with its operation's name.
class Session {
 public:
  Session(std::unique_ptr<client::Client> c, std::string who, Stats* stats)
      : c_(std::move(c)), who_(std::move(who)), stats_(stats) {}
  client::Client& c() { return *c_; }
  bool dead() const { return !dead_.empty(); }
  const std::string& why_dead() const { return dead_; }

  void violation(std::string name, std::string detail) {
    ++stats_->violation_count;
    ++g_violations;
    if (stats_->violations.size() < kMaxViolationsKept)
      stats_->violations.push_back({std::move(name), who_ + ": " + detail, c_->transcript()});
  }
  void sent() { ++stats_->requests; }
  void error(Errno e, const std::string& op, bool expected) {
    ++stats_->errors[{errno_str(e), op, expected}];
    if (!expected) {
      ++stats_->unexpected;
      ++g_errors;
    }
  }
  // A request that got no usable reply: the connection is given up.
  void lost(const Message& request, const std::string& why) {
    std::string name = msg_name(static_cast<std::uint8_t>(type_of(request)));
    if (c_->timed_out())
      violation("request never answered", name + ": " + why);
    else if (why.find("does not match request tag") != std::string::npos)
      violation("reply to a tag not in flight", name + ": " + why);
    else
      violation("no usable reply", name + ": " + why);
    dead_ = name + ": " + why;
  }

  // The reply R to `request`, or the errno of its Rlerror (counted, as
  // expected when it is in `ok`). Anything else is a violation and ends
  // the session (Errno::PROTO).
  template <class R>
  Result<R> call(const std::string& op, Message request, const std::vector<Errno>& ok = {}) {
    if (dead()) return Errno::PROTO;
    ++stats_->requests;
    Message copy = request;
    Frame f = c_->rpc(std::move(request));
    if (const R* r = std::get_if<R>(&f.body)) return *r;
    if (const msg::Rlerror* e = std::get_if<msg::Rlerror>(&f.body)) {
      Errno err = static_cast<Errno>(e->ecode);
      if (err == Errno::OK) {
        violation("Rlerror with errno 0", op);
        return Errno::PROTO;
      }
      error(err, op, std::find(ok.begin(), ok.end(), err) != ok.end());
      return err;
    }
    if (std::holds_alternative<std::monostate>(f.body))
      lost(copy, c_->last_error());
    else {
      violation("wrong reply type", op + ": wanted " + R::kName + ", got " + to_string(f));
      dead_ = "wrong reply type";
    }
    return Errno::PROTO;
  }

  // A new fid for `names` below `from` (a clone when empty); 0 when it
  // fails. A partial walk (fewer qids than names) counts as ENOENT.
  std::uint32_t walk(std::uint32_t from, std::vector<std::string> names, const std::string& op,
                     std::vector<Errno> ok = {}) {
    std::uint32_t fid = c_->new_fid();
    std::size_t n = names.size();
    auto r = call<msg::Rwalk>(op, msg::Twalk{from, fid, std::move(names)}, ok);
    if (!r.ok()) return 0;
    if (r->wqid.size() != n) {
      error(Errno::NOENT, op + " (partial walk)", std::find(ok.begin(), ok.end(), Errno::NOENT) != ok.end());
      return 0;
    }
    return fid;
  }
  // Tunlinkat; where the server refuses it (EOPNOTSUPP) a walk and Tremove,
  // as Linux does (fs/9p/vfs_inode.c v9fs_remove).
  Result<void> unlinkat(std::uint32_t dir, const std::string& name, std::uint32_t flags,
                        const std::string& op, std::vector<Errno> ok = {}) {
    std::vector<Errno> ok_here = ok;
    ok_here.push_back(Errno::OPNOTSUPP);
    auto r = call<msg::Runlinkat>(op, msg::Tunlinkat{dir, name, flags}, ok_here);
    if (r.ok() || r.error() != Errno::OPNOTSUPP) return r.ok() ? Result<void>() : Result<void>(r.error());
    std::uint32_t fid = walk(dir, {name}, op, ok);
    if (!fid) return Errno::NOENT;
    // remove(5): the fid is clunked whether or not the remove succeeds.
    auto rm = call<msg::Rremove>(op, msg::Tremove{fid}, ok);
    return rm.ok() ? Result<void>() : Result<void>(rm.error());
  }
  // Trenameat; where the server refuses it (EOPNOTSUPP) a walk and Trename,
  // as Linux does (fs/9p/vfs_inode.c v9fs_vfs_rename).
  Result<void> renameat(std::uint32_t from_dir, const std::string& from, std::uint32_t to_dir,
                        const std::string& to, const std::string& op, std::vector<Errno> ok = {}) {
    std::vector<Errno> ok_here = ok;
    ok_here.push_back(Errno::OPNOTSUPP);
    auto r = call<msg::Rrenameat>(op, msg::Trenameat{from_dir, from, to_dir, to}, ok_here);
    if (r.ok() || r.error() != Errno::OPNOTSUPP) return r.ok() ? Result<void>() : Result<void>(r.error());
    std::uint32_t fid = walk(from_dir, {from}, op, ok);
    if (!fid) return Errno::NOENT;
    auto rn = call<msg::Rrename>(op, msg::Trename{fid, to_dir, to}, ok);
    clunk(fid);
    return rn.ok() ? Result<void>() : Result<void>(rn.error());
  }
  void clunk(std::uint32_t fid) {
    if (fid) (void)call<msg::Rclunk>("clunk", msg::Tclunk{fid});
  }
  bool write_all(std::uint32_t fid, std::uint64_t off, const std::string& data, const std::string& op) {
    const std::size_t chunk = c_->msize() - IOHDRSZ;
    for (std::size_t done = 0; done < data.size();) {
      std::size_t n = std::min(chunk, data.size() - done);
      auto w = call<msg::Rwrite>(op, msg::Twrite{fid, off + done, data.substr(done, n)});
      if (!w.ok()) return false;
      if (w->count == 0 || w->count > n) {
        violation("bad Rwrite count",
                  op + ": wrote " + std::to_string(n) + ", Rwrite says " + std::to_string(w->count));
        return false;
      }
      done += w->count;
    }
    return true;
  }
  // The whole file behind an opened fid; false on an error.
  bool read_all(std::uint32_t fid, const std::string& op, std::string* out) {
    out->clear();
    const std::uint32_t chunk = c_->msize() - IOHDRSZ;
    while (true) {
      auto r = call<msg::Rread>(op, msg::Tread{fid, out->size(), chunk});
      if (!r.ok()) return false;
      if (r->data.size() > chunk) {
        violation("Rread longer than asked",
                  op + ": " + std::to_string(r->data.size()) + " > " + std::to_string(chunk));
        return false;
      }
      if (r->data.size() == 0) return true;
      *out += r->data.str();
    }
  }
  // The names in the directory `dir` (without . and ..), in the order
  // listed, duplicates kept; false on an error.
  bool list(std::uint32_t dir, const std::string& op, std::vector<std::string>* names) {
    names->clear();
    std::uint32_t fid = walk(dir, {}, op);
    if (!fid) return false;
    bool ok = call<msg::Rlopen>(op, msg::Tlopen{fid, access::RDONLY | lopen::DIRECTORY}).ok();
    for (std::uint64_t off = 0; ok;) {
      auto r = call<msg::Rreaddir>(
          op, msg::Treaddir{fid, off, c_->msize() - static_cast<std::uint32_t>(READDIRHDRSZ)});
      if (!r.ok()) ok = false;
      if (!ok || r->entries.empty()) break;
      for (const Dirent& d : r->entries) {
        if (d.name != "." && d.name != "..") names->push_back(d.name);
        off = d.offset;
      }
    }
    clunk(fid);
    return ok;
  }
  // The file at `name` below `dir`: its bytes and attributes; "" or why not.
  std::string inspect(std::uint32_t dir, const std::string& name, const std::string& op, std::string* bytes,
                      msg::Rgetattr* attr) {
    std::uint32_t fid = walk(dir, {name}, op);
    if (!fid) return "cannot walk to it";
    std::string why;
    auto a = call<msg::Rgetattr>(op, msg::Tgetattr{fid, GETATTR_BASIC});
    if (!a.ok())
      why = "Tgetattr: " + errno_str(a.error());
    else if (*attr = *a; !call<msg::Rlopen>(op, msg::Tlopen{fid, access::RDONLY}).ok())
      why = "cannot open it";
    else if (!read_all(fid, op, bytes))
      why = "cannot read it";
    clunk(fid);
    return why;
  }

 private:
  std::unique_ptr<client::Client> c_;
  std::string who_;
  Stats* stats_;
  std::string dead_;
};

std::unique_ptr<client::Client> attach(conformance::Target& t, int timeout_ms, std::string* error) {
  auto c = t.connect(error);
  if (!c) return nullptr;
  c->set_timeout_ms(timeout_ms);
  if (!c->handshake(kMsize, t.aname()).ok()) {
    *error = t.name() + ": handshake: " + c->last_error();
    return nullptr;
  }
  return c;
}

// What a client's own directory must hold.
struct Model {
  std::map<std::string, std::string> files;  // name -> bytes
  std::set<std::string> dirs;
  std::set<std::string> uncertain;  // names an unexpected error left unknown
};

class Worker {
 public:
  Worker(int id, std::uint32_t seed, bool single_flush)
      : id_(id), single_flush_(single_flush), rng_(seed * 7919u + static_cast<std::uint32_t>(id)) {}
  std::string start(conformance::Target& t, int timeout_ms, const std::string& top) {
    std::string error;
    auto c = attach(t, timeout_ms, &error);
    if (!c) return error;
    s_ = std::make_unique<Session>(std::move(c), "client " + std::to_string(id_), &stats);
    own_ = s_->walk(0, {top, "c" + std::to_string(id_)}, "setup");
    shared_ = s_->walk(0, {top, "shared"}, "setup");
    return own_ && shared_ ? "" : "cannot walk to its directories";
  }
  void run(long max_ops) {
    for (long n = 0; !g_stop && !s_->dead() && (max_ops <= 0 || n < max_ops); ++n) {
      one_op();
      ++g_ops;
    }
  }
  Session& session() { return *s_; }
  std::uint32_t own() const { return own_; }
  const Model& model() const { return model_; }
  int id() const { return id_; }
  Stats stats;

 private:
  using Op = void (Worker::*)();
  void one_op() {
    // Weights: most work in the own tree, a third on shared names, a few
    // pipelines and flush storms.
    static const std::pair<int, std::pair<const char*, Op>> kOps[] = {
        {10, {"create", &Worker::create}},
        {8, {"write", &Worker::write}},
        {10, {"read", &Worker::read}},
        {8, {"getattr", &Worker::getattr}},
        {5, {"rename", &Worker::rename}},
        {5, {"unlink", &Worker::unlink}},
        {3, {"mkdir/rmdir", &Worker::mkdir_rmdir}},
        {3, {"readdir", &Worker::readdir}},
        {4, {"pipeline", &Worker::pipeline}},
        {4, {"flush storm", &Worker::flush_storm}},
        {3, {"pipelined writes", &Worker::pipelined_writes}},
        {2, {"flush storm on writes", &Worker::flush_writes}},
        {6, {"shared publish", &Worker::publish}},
        {4, {"shared create", &Worker::shared_create}},
        {4, {"shared unlink", &Worker::shared_unlink}},
        {4, {"shared rename", &Worker::shared_rename}},
        {8, {"shared read", &Worker::shared_read}},
        {2, {"shared list", &Worker::shared_list}},
    };
    int total = 0;
    for (const auto& o : kOps) total += o.first;
    int pick = static_cast<int>(rng_() % static_cast<unsigned>(total));
    for (const auto& o : kOps) {
      if ((pick -= o.first) >= 0) continue;
      op_ = o.second.first;
      ++stats.ops[op_];
      (this->*o.second.second)();
      return;
    }
  }
  std::size_t below(std::size_t n) { return n ? rng_() % n : 0; }
  std::string fresh(char kind) { return std::string(1, kind) + std::to_string(++seq_); }
  std::string shared_name() { return "s" + std::to_string(below(kSharedNames)); }
  // A random file of the model (empty when there is none).
  std::string some_file() {
    if (model_.files.empty()) return {};
    auto it = model_.files.begin();
    std::advance(it, static_cast<long>(below(model_.files.size())));
    return it->first;
  }
  // After an unexpected error the name's state is unknown: the final check skips it.
  void unsure(const std::string& name) {
    model_.files.erase(name);
    model_.dirs.erase(name);
    model_.uncertain.insert(name);
  }
  Session& s() { return *s_; }

  // A new file `name` in directory `dir` holding `data`; false on an error.
  bool make_file(std::uint32_t dir, const std::string& name, const std::string& data,
                 std::vector<Errno> ok = {}) {
    std::uint32_t fid = s().walk(dir, {}, op_);
    if (!fid) return false;
    bool made = s().call<msg::Rlcreate>(
                       op_, msg::Tlcreate{fid, name, access::RDWR | lopen::CREAT | lopen::EXCL, 0644, 0}, ok)
                    .ok();
    bool wrote = made && s().write_all(fid, 0, data, op_);
    s().clunk(fid);
    return wrote;
  }

  void create() {
    if (model_.files.size() >= kMaxFiles) return unlink();
    std::string name = fresh('f');
    std::string data = make_contents(id_, seq_, below(6000));
    if (make_file(own_, name, data))
      model_.files[name] = data;
    else
      unsure(name);
  }
  void write() {
    std::string name = some_file();
    if (name.empty()) return create();
    std::string& model = model_.files[name];
    bool trunc = below(4) == 0;
    std::uint32_t fid = s().walk(own_, {name}, op_);
    bool ok = fid &&
              s().call<msg::Rlopen>(op_, msg::Tlopen{fid, access::WRONLY | (trunc ? lopen::TRUNC : 0u)}).ok();
    if (ok && trunc) model.clear();
    std::size_t off = below(model.size() + 1);
    std::string data = make_contents(id_, ++seq_, below(3000));
    if (ok && s().write_all(fid, off, data, op_)) {
      if (model.size() < off + data.size()) model.resize(off + data.size());
      model.replace(off, data.size(), data);
    } else {
      unsure(name);
    }
    s().clunk(fid);
  }
  void read() {
    std::string name = some_file();
    if (name.empty()) return create();
    std::uint32_t fid = s().walk(own_, {name}, op_);
    std::string got;
    if (fid && s().call<msg::Rlopen>(op_, msg::Tlopen{fid, access::RDONLY}).ok() &&
        s().read_all(fid, op_, &got))
      if (std::string why = difference(got, model_.files[name]); !why.empty())
        s().violation("read returned other bytes than were written", name + ": " + why);
    s().clunk(fid);
  }
  // A file's attributes against the model: "" or what differs.
  static std::string attr_mismatch(const msg::Rgetattr& a, std::size_t size) {
    if ((a.mode & MODE_TYPE_MASK) != file_type::REG)
      return "not a regular file (mode " + std::to_string(a.mode) + ")";
    if (a.nlink != 1) return "nlink " + std::to_string(a.nlink) + ", expected 1";
    if (a.size != size) return "size " + std::to_string(a.size) + ", expected " + std::to_string(size);
    return {};
  }
  void getattr() {
    std::string name = some_file();
    if (name.empty()) return create();
    std::uint32_t fid = s().walk(own_, {name}, op_);
    if (!fid) return unsure(name);
    auto a = s().call<msg::Rgetattr>(op_, msg::Tgetattr{fid, GETATTR_BASIC});
    if (a.ok())
      if (std::string why = attr_mismatch(*a, model_.files[name].size()); !why.empty())
        s().violation("Rgetattr disagrees with what was written", name + ": " + why);
    s().clunk(fid);
  }
  void rename() {
    std::string from = some_file();
    if (from.empty()) return create();
    // Half the time onto another existing file, which it replaces (rename(2)).
    std::string to = below(2) ? some_file() : fresh('f');
    if (to == from) to = fresh('f');
    if (s().renameat(own_, from, own_, to, op_).ok()) {
      model_.files[to] = model_.files[from];
      model_.files.erase(from);
    } else {
      unsure(from);
      unsure(to);
    }
  }
  void unlink() {
    std::string name = some_file();
    if (name.empty()) return create();
    if (s().unlinkat(own_, name, 0, op_).ok())
      model_.files.erase(name);
    else
      unsure(name);
  }
  void mkdir_rmdir() {
    if (model_.dirs.size() < kMaxDirs && below(2)) {
      std::string name = fresh('d');
      if (s().call<msg::Rmkdir>(op_, msg::Tmkdir{own_, name, 0755, 0}).ok())
        model_.dirs.insert(name);
      else
        unsure(name);
    } else if (!model_.dirs.empty()) {
      std::string name = *model_.dirs.begin();
      if (s().unlinkat(own_, name, at::REMOVEDIR, op_).ok())
        model_.dirs.erase(name);
      else
        unsure(name);
    }
  }
  void readdir() {
    std::vector<std::string> names;
    if (!s().list(own_, op_, &names)) return;
    if (std::string why = tree_mismatch(model_, names); !why.empty())
      s().violation("readdir disagrees with the directory's changes", why);
  }

 public:
  // The listing of a client's directory against its model: "" or what differs.
  static std::string tree_mismatch(const Model& m, const std::vector<std::string>& names) {
    std::string why;
    std::set<std::string> seen;
    for (const auto& n : names) {
      if (!seen.insert(n).second) why += " '" + n + "' listed twice;";
      if (!m.files.count(n) && !m.dirs.count(n) && !m.uncertain.count(n))
        why += " '" + n + "' should not be there;";
    }
    for (const auto& [n, bytes] : m.files)
      if (!seen.count(n)) why += " file '" + n + "' missing;";
    for (const auto& n : m.dirs)
      if (!seen.count(n)) why += " directory '" + n + "' missing;";
    return why;
  }

 private:
  // A request in flight: its reply is matched by tag.
  struct InFlight {
    Message request;
    bool answered = false;
    int flushes = 0;            // Tflushes sent for it
    int flushes_done = 0;       // Rflushes received for it
    std::optional<Frame> used;  // its reply, when it came before any Rflush
  };
  // The file to read in pipelines and storms: an open fid and its bytes; 0 if none.
  std::uint32_t open_some_file(std::string* bytes) {
    std::string name = some_file();
    if (name.empty()) return 0;
    *bytes = model_.files[name];
    std::uint32_t fid = s().walk(own_, {name}, op_);
    if (fid && !s().call<msg::Rlopen>(op_, msg::Tlopen{fid, access::RDONLY}).ok()) {
      s().clunk(fid);
      return 0;
    }
    return fid;
  }
  // A reply to an in-flight request, checked against what the model says.
  void check_reply(const InFlight& f, const Frame& reply, const std::string& bytes) {
    if (const auto* t = std::get_if<msg::Twrite>(&f.request)) {
      if (const auto* r = std::get_if<msg::Rwrite>(&reply.body)) {
        if (r->count > t->data.size())
          s().violation("bad Rwrite count", "tag " + std::to_string(reply.tag) + ": wrote " +
                                                std::to_string(t->data.size()) + ", Rwrite says " +
                                                std::to_string(r->count));
        return;
      }
    }
    if (const auto* t = std::get_if<msg::Tread>(&f.request)) {
      if (const auto* r = std::get_if<msg::Rread>(&reply.body)) {
        std::string want = t->offset < bytes.size() ? bytes.substr(t->offset, t->count) : "";
        if (std::string why = difference(r->data.sv(), want, t->offset); !why.empty())
          s().violation("pipelined read returned other bytes than were written",
                        "tag " + std::to_string(reply.tag) + ": " + why);
        return;
      }
    } else if (std::holds_alternative<msg::Tgetattr>(f.request) &&
               std::holds_alternative<msg::Rgetattr>(reply.body)) {
      return;
    }
    if (const auto* e = std::get_if<msg::Rlerror>(&reply.body)) {
      // A flushed request may end in EINTR (QEMU hw/9pfs/9p.c answers a
      // cancelled request so); anything else is an error of the server.
      Errno err = static_cast<Errno>(e->ecode);
      s().error(err, op_, f.flushes > 0 && err == Errno::INTR);
      return;
    }
    s().violation("wrong reply type", "tag " + std::to_string(reply.tag) + ": " + to_string(reply));
  }
  // Sends every request of `flight` (by tag), then Tflushes for some, then
  // reads every reply and checks the flush rules. flush_share: the
  // fraction (in 1/4) of requests flushed.
  void exchange(std::map<std::uint16_t, InFlight>& flight, unsigned flush_share, const std::string& bytes) {
    client::Client& c = s().c();
    for (auto& [tag, f] : flight) {
      s().sent();
      if (!c.send(Frame{tag, f.request})) return s().lost(f.request, c.last_error());
    }
    // Tflush tag -> the oldtag it flushes, and its rank among that tag's flushes.
    std::map<std::uint16_t, std::pair<std::uint16_t, int>> flushes;
    std::vector<std::uint16_t> olds;
    for (auto& [tag, f] : flight) olds.push_back(tag);
    for (std::uint16_t old : olds) {
      if (below(4) >= flush_share) continue;
      for (int k = below(3) == 0 && !single_flush_ ? 2 : 1; k > 0; --k) {
        std::uint16_t t = c.new_tag();
        flushes[t] = {old, flight[old].flushes++};
        s().sent();
        if (!c.send(Frame{t, msg::Tflush{old}})) return s().lost(msg::Tflush{old}, c.last_error());
      }
    }
    // A Tflush of a tag not in flight: answered with Rflush all the same.
    if (flush_share > 0) {
      std::uint16_t idle = c.new_tag(), t = c.new_tag();
      flushes[t] = {idle, 0};
      s().sent();
      if (!c.send(Frame{t, msg::Tflush{idle}})) return s().lost(msg::Tflush{idle}, c.last_error());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(below(4)));  // the replies are read late
    // Done when every Rflush came and every request not flushed was answered
    // (a flushed one may never be).
    auto waiting = [&] {
      for (const auto& [tag, f] : flight)
        if (!f.answered && f.flushes == 0) return true;
      return !flushes.empty();
    };
    while (waiting()) {
      auto reply = c.receive();
      if (!reply) {
        if (!flushes.empty())
          return s().lost(
              msg::Tflush{flushes.begin()->second.first},
              c.last_error() + " (waiting for Tflush " + std::to_string(flushes.begin()->first) + ")");
        for (const auto& [tag, f] : flight)
          if (!f.answered)
            return s().lost(f.request, c.last_error() + " (waiting for tag " + std::to_string(tag) + ")");
        return s().lost(flight.begin()->second.request, c.last_error());
      }
      if (auto fl = flushes.find(reply->tag); fl != flushes.end()) {
        auto [old, rank] = fl->second;
        flushes.erase(fl);
        if (!std::holds_alternative<msg::Rflush>(reply->body))
          s().violation(
              "Tflush not answered with Rflush",
              "Tflush " + std::to_string(old) + ": " + to_string(*reply) + " (flush(5): never an error)");
        auto it = flight.find(old);
        if (it == flight.end()) continue;
        if (rank != it->second.flushes_done)
          s().violation("Tflushes for one tag answered out of order",
                        "oldtag " + std::to_string(old) + ": flush #" + std::to_string(rank + 1) +
                            " answered before #" + std::to_string(it->second.flushes_done + 1));
        ++it->second.flushes_done;
        continue;
      }
      auto it = flight.find(reply->tag);
      if (it == flight.end() || it->second.answered) {
        s().violation("reply to a tag not in flight", to_string(*reply));
        continue;
      }
      InFlight& f = it->second;
      f.answered = true;
      if (f.flushes_done > 0) {
        s().violation("flushed request answered after its Rflush",
                      to_string(*reply) + " (flush(5): answered before Rflush or not at all)");
        continue;
      }
      f.used = *reply;
      check_reply(f, *reply, bytes);
    }
    // A request whose Rflush came unanswered must stay so: nothing more may
    // come (a later stray reply also fails the next request's tag check).
    bool flushed_unanswered = false;
    for (const auto& [tag, f] : flight) flushed_unanswered |= !f.answered;
    if (flushed_unanswered)
      if (auto stray = c.receive(20)) s().violation("reply after every tag was settled", to_string(*stray));
  }
  void pipeline() {
    std::string bytes;
    std::uint32_t fid = open_some_file(&bytes);
    if (!fid) return create();
    std::map<std::uint16_t, InFlight> flight;
    for (int i = 0, n = 4 + static_cast<int>(below(8)); i < n; ++i) {
      std::uint16_t tag = s().c().new_tag();
      if (below(3) == 0)
        flight[tag].request = msg::Tgetattr{fid, GETATTR_BASIC};
      else
        flight[tag].request =
            msg::Tread{fid, below(bytes.size() + 1), static_cast<std::uint32_t>(1 + below(4096))};
    }
    exchange(flight, 0, bytes);
    s().clunk(fid);
  }
  // Writes to disjoint regions of one file, all in flight at once; some
  // flushed when flush_share > 0. A write answered before any Rflush for it
  // is in the model (Linux uses such a reply: net/9p/client.c
  // p9_client_flush); one flushed and never answered may or may not have
  // happened, so the file leaves the model.
  void write_batch(unsigned flush_share) {
    std::string name = some_file();
    if (name.empty()) return create();
    std::uint32_t fid = s().walk(own_, {name}, op_);
    if (!fid || !s().call<msg::Rlopen>(op_, msg::Tlopen{fid, access::WRONLY}).ok()) {
      s().clunk(fid);
      return unsure(name);
    }
    std::string& model = model_.files[name];
    std::map<std::uint16_t, InFlight> flight;
    std::uint64_t off = below(model.size() + 1);
    for (int i = 0, n = 2 + static_cast<int>(below(6)); i < n; ++i) {
      std::string data = make_contents(id_, ++seq_, below(2000));
      flight[s().c().new_tag()].request = msg::Twrite{fid, off, data};
      off += data.size() + below(100);  // disjoint; a gap reads back as zeros
    }
    exchange(flight, flush_share, model);
    bool known = !s().dead();
    for (const auto& [tag, f] : flight) {
      const auto& w = std::get<msg::Twrite>(f.request);
      const auto* r = f.used ? std::get_if<msg::Rwrite>(&f.used->body) : nullptr;
      if (!r || r->count != w.data.size()) {
        known = false;
        continue;
      }
      if (model.size() < w.offset + w.data.size()) model.resize(w.offset + w.data.size(), '\0');
      model.replace(w.offset, w.data.size(), w.data.sv());
    }
    s().clunk(fid);
    if (!known) unsure(name);
  }
  void pipelined_writes() { write_batch(0); }
  void flush_writes() { write_batch(3); }
  void flush_storm() {
    std::string bytes;
    std::uint32_t fid = open_some_file(&bytes);
    std::map<std::uint16_t, InFlight> flight;
    for (int i = 0, n = 2 + static_cast<int>(below(6)); i < n; ++i) {
      std::uint16_t tag = s().c().new_tag();
      if (!fid || below(2))
        flight[tag].request = msg::Tgetattr{own_, GETATTR_BASIC};
      else
        flight[tag].request = msg::Tread{fid, 0, static_cast<std::uint32_t>(1 + below(8192))};
    }
    exchange(flight, 3, bytes);
    s().clunk(fid);
  }

  // ---- the shared directory ----
  void publish() {
    std::string tmp = fresh('t');
    if (!make_file(own_, tmp, make_contents(id_, seq_, below(4000)))) return unsure(tmp);
    if (!s().renameat(own_, tmp, shared_, shared_name(), op_).ok()) unsure(tmp);
  }
  void shared_create() {
    // O_EXCL: EEXIST when another client has the name. One Twrite: readers
    // see it empty or whole (POSIX read/write atomicity on regular files).
    (void)make_file(shared_, shared_name(), make_contents(id_, ++seq_, below(2000)), {Errno::EXIST});
  }
  void shared_unlink() { (void)s().unlinkat(shared_, shared_name(), 0, op_, {Errno::NOENT}); }
  void shared_rename() {
    std::string a = shared_name(), b = shared_name();
    if (a != b) (void)s().renameat(shared_, a, shared_, b, op_, {Errno::NOENT});
  }
  void shared_read() {
    std::string name = shared_name();
    std::uint32_t fid = s().walk(shared_, {name}, op_, {Errno::NOENT});
    if (!fid) return;
    // A server that opens by path (diod) may find the name gone since the
    // walk: ENOENT, which a Linux reader racing an unlink may see too.
    std::string got;
    if (s().call<msg::Rlopen>(op_ + " (Tlopen after Twalk)", msg::Tlopen{fid, access::RDONLY}, {Errno::NOENT})
            .ok() &&
        s().read_all(fid, op_, &got) && !got.empty())
      if (std::string why = check_contents(got); !why.empty())
        s().violation("torn shared file", name + ": " + why);
    s().clunk(fid);
  }
  void shared_list() {
    std::vector<std::string> names;
    if (!s().list(shared_, op_, &names)) return;
    for (const auto& n : names)
      if (n.size() < 2 || n[0] != 's') s().violation("a name in the shared directory no client put there", n);
  }

  int id_;
  bool single_flush_;
  std::mt19937 rng_;
  std::unique_ptr<Session> s_;
  std::uint32_t own_ = 0, shared_ = 0;
  long seq_ = 0;
  std::string op_;
  Model model_;
};

// ---- the server's memory ----
// The process listening on the loopback TCP port `port`: the socket's inode
// from /proc/net/tcp{,6} (proc(5)), then the process holding it open.
pid_t listener_pid(int port, std::string* why) {
  std::set<std::string> inodes;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      std::string sl, local, remote, state, queues, timer, retr, uid, timeout, inode;
      ls >> sl >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >> inode;
      auto colon = local.rfind(':');
      if (state == "0A" && colon != std::string::npos &&
          std::strtol(local.c_str() + colon + 1, nullptr, 16) == port)  // 0A: TCP_LISTEN
        inodes.insert("socket:[" + inode + "]");
    }
  }
  if (inodes.empty()) {
    *why = "no listening socket on port " + std::to_string(port) + " in /proc/net/tcp";
    return -1;
  }
  DIR* proc = ::opendir("/proc");
  if (!proc) {
    *why = "cannot read /proc";
    return -1;
  }
  pid_t found = -1;
  while (dirent* e = ::readdir(proc)) {
    if (found > 0 || !std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    std::string fds = std::string("/proc/") + e->d_name + "/fd";
    DIR* d = ::opendir(fds.c_str());
    if (!d) continue;
    while (dirent* f = ::readdir(d)) {
      char target[64];
      ssize_t n = ::readlink((fds + "/" + f->d_name).c_str(), target, sizeof target - 1);
      if (n > 0 && inodes.count(std::string(target, static_cast<std::size_t>(n)))) {
        found = static_cast<pid_t>(std::atol(e->d_name));
        break;
      }
    }
    ::closedir(d);
  }
  ::closedir(proc);
  if (found < 0)
    *why = "the process listening on port " + std::to_string(port) +
           " is not visible in /proc (another user's?)";
  return found;
}

// The local server's process behind a connection, or -1 and why not.
pid_t server_pid(const conformance::Target& t, int fd, std::string* why) {
  if (t.name().rfind("inprocess:", 0) == 0) {
    *why = "the server runs inside p9stress: an in-process target";
    return -1;
  }
  sockaddr_storage peer{};
  socklen_t len = sizeof peer;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) {
    *why = std::string("getpeername: ") + std::strerror(errno);
    return -1;
  }
  int port = 0;
  bool local = false;
  if (peer.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&peer);
    port = ntohs(a->sin_port);
    local = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
  } else if (peer.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&peer);
    port = ntohs(a->sin6_port);
    local = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
  } else {
    *why = "not a TCP connection (a Unix socket's server is not looked up)";
    return -1;
  }
  if (!local) {
    *why = "the server is not on this machine";
    return -1;
  }
  return listener_pid(port, why);
}

// VmRSS or VmHWM of a process in KiB (proc(5) /proc/PID/status), -1 if unreadable.
long status_kib(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + std::strlen(field));
  return -1;
}

std::string mib(long kib) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f MiB", static_cast<double>(kib) / 1024.0);
  return b;
}

// ---- the final check ----
void check_final(Session& s, const std::string& top, std::vector<std::unique_ptr<Worker>>& workers,
                 Stats* stats, long* files_checked) {
  std::uint32_t topfid = s.walk(0, {top}, "final check");
  if (!topfid) {
    stats->mismatches.push_back("cannot walk to " + top);
    return;
  }
  for (auto& w : workers) {
    std::string who = "c" + std::to_string(w->id());
    if (w->session().dead()) {
      stats->mismatches.push_back(who + ": not checked, the client stopped (" + w->session().why_dead() +
                                  ")");
      continue;
    }
    std::uint32_t dir = s.walk(topfid, {who}, "final check");
    std::vector<std::string> names;
    if (!dir || !s.list(dir, "final check", &names)) {
      stats->mismatches.push_back(who + ": cannot list it");
      continue;
    }
    if (std::string why = Worker::tree_mismatch(w->model(), names); !why.empty())
      stats->mismatches.push_back(who + ":" + why);
    for (const auto& [name, want] : w->model().files) {
      std::string got;
      msg::Rgetattr a;
      std::string why = s.inspect(dir, name, "final check", &got, &a);
      if (why.empty()) why = difference(got, want);
      if (why.empty() && a.size != want.size())
        why = "size " + std::to_string(a.size) + ", " + std::to_string(want.size()) + " written";
      if (why.empty() && a.nlink != 1) why = "nlink " + std::to_string(a.nlink);
      if (!why.empty()) stats->mismatches.push_back(who + "/" + name + ": " + why);
      ++*files_checked;
    }
    s.clunk(dir);
  }
  std::uint32_t shared = s.walk(topfid, {"shared"}, "final check");
  std::vector<std::string> names;
  if (!shared || !s.list(shared, "final check", &names)) {
    stats->mismatches.push_back("shared: cannot list it");
    return;
  }
  std::set<std::string> seen;
  for (const auto& n : names) {
    if (!seen.insert(n).second) {
      stats->mismatches.push_back("shared/" + n + ": listed twice");
      continue;
    }
    bool ours = n.size() >= 2 && n[0] == 's' && std::atoi(n.c_str() + 1) < kSharedNames;
    if (!ours) stats->mismatches.push_back("shared/" + n + ": no client put this name there");
    std::string got;
    msg::Rgetattr a;
    std::string why = s.inspect(shared, n, "final check", &got, &a);
    if (why.empty()) why = check_contents(got);
    if (why.empty() && a.size != got.size())
      why = "size " + std::to_string(a.size) + ", " + std::to_string(got.size()) + " bytes read";
    if (why.empty() && a.nlink != 1) why = "nlink " + std::to_string(a.nlink);
    if (why.empty() && (a.mode & MODE_TYPE_MASK) != file_type::REG) why = "not a regular file";
    if (!why.empty()) stats->mismatches.push_back("shared/" + n + ": " + why);
    ++*files_checked;
  }
  s.clunk(shared);
  s.clunk(topfid);
}

struct Options {
  int clients = 4;
  double seconds = 5;
  long ops = 0;
  std::uint32_t seed = 1;
  double timeout = 5;
  bool single_flush = false;  // one Tflush per request, as Linux sends (no second one for the same tag)
  std::string report;
};

bool parse_args(int argc, char** argv, Options* o, std::string* error) {
  if (const char* r = std::getenv("P9_STRESS_REPORT")) o->report = r;
  if (const char* t = std::getenv("P9_TIMEOUT")) o->timeout = std::atof(t);
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--single-flush") {
      o->single_flush = true;
      continue;
    }
    if (i + 1 >= argc) {
      *error = a + " needs a value";
      return false;
    }
    std::string v = argv[++i];
    char* end = nullptr;
    double n = std::strtod(v.c_str(), &end);
    bool number = end && *end == '\0' && !v.empty();
    if (a == "--report") {
      o->report = v;
      continue;
    }
    if (!number) {
      *error = a + ": '" + v + "' is not a number";
      return false;
    }
    if (a == "--clients" && n >= 1 && n <= 1000)
      o->clients = static_cast<int>(n);
    else if (a == "--seconds" && n > 0 && n <= 86400)
      o->seconds = n;
    else if (a == "--ops" && n >= 1)
      o->ops = static_cast<long>(n);
    else if (a == "--seed" && n >= 0)
      o->seed = static_cast<std::uint32_t>(n);
    else if (a == "--timeout" && n >= 0.1 && n <= 3600)
      o->timeout = n;
    else {
      *error = "unknown option or value out of range: " + a + " " + v;
      return false;
    }
  }
  if (o->timeout < 0.1) {
    *error = "P9_TIMEOUT must be at least 0.1 (seconds)";
    return false;
  }
  return true;
}

// The Markdown section (also printed): what ran, how fast, what broke.
std::string summary(const Options& o, const std::string& command, const std::string& target, double elapsed,
                    const Stats& st, long files_checked, const std::string& memory, bool passed) {
  std::ostringstream m;
  long total = 0;
  for (const auto& [k, v] : st.ops) total += v;
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.0f", elapsed > 0 ? static_cast<double>(total) / elapsed : 0.0);
  m << "## Load (p9stress)\n\n";
  m << "| | |\n|---|---|\n";
  m << "| result | **" << (passed ? "PASSED" : "FAILED") << "** |\n";
  m << "| target | " << target << " |\n";
  m << "| command | `" << command << "` |\n";
  m << "| clients | " << o.clients << " (one connection each) |\n";
  m << "| duration | " << static_cast<long>(elapsed * 1000) << " ms |\n";
  m << "| operations | " << total << " (" << rate << "/s) |\n";
  std::snprintf(rate, sizeof rate, "%.0f", elapsed > 0 ? static_cast<double>(st.requests) / elapsed : 0.0);
  m << "| 9P requests | " << st.requests << " (" << rate << "/s) |\n";
  m << "| protocol violations | " << st.violation_count << " |\n";
  m << "| unexpected errors | " << st.unexpected << " |\n";
  m << "| final tree | " << files_checked << " files checked, " << st.mismatches.size() << " mismatches |\n";
  m << "| server memory (VmRSS) | " << memory << " |\n\n";
  m << "### Operations\n\n| operation | count |\n|---|---:|\n";
  for (const auto& [k, v] : st.ops) m << "| " << k << " | " << v << " |\n";
  if (!st.errors.empty()) {
    m << "\n### Errors by errno\n\n| errno | operation | count | |\n|---|---|---:|---|\n";
    for (const auto& [k, v] : st.errors)
      m << "| " << std::get<0>(k) << " | " << std::get<1>(k) << " | " << v << " | "
        << (!std::get<2>(k)                  ? "**unexpected**"
            : std::get<0>(k) == "EINTR"      ? "expected (a flushed request)"
            : std::get<0>(k) == "EOPNOTSUPP" ? "refused; then Tremove or Trename, as Linux does"
                                             : "expected (another client changed the shared name)")
        << " |\n";
  }
  if (st.violation_count > 0) {
    m << "\n### Protocol violations (" << st.violation_count << ", the first " << st.violations.size()
      << " shown)\n\n";
    for (const auto& v : st.violations)
      m << "- **" << v.name << "**: " << v.detail << "\n\n```\n" << v.exchange << "```\n";
  }
  if (!st.mismatches.empty()) {
    m << "\n### Final tree mismatches\n\n";
    for (const auto& x : st.mismatches) m << "- " << x << "\n";
  }
  return m.str();
}

int run(int argc, char** argv) {
  Options o;
  std::string error;
  if (!parse_args(argc, argv, &o, &error)) {
    std::fprintf(
        stderr,
        "p9stress: %s\nusage: p9stress [--clients N] [--seconds S] [--ops N] [--seed N] [--timeout SECONDS] "
        "[--single-flush] [--report FILE]\n(the target: P9_TARGET, P9_ANAME as for p9conform)\n",
        error.c_str());
    return 2;
  }
  std::string command = "p9stress";
  for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
  auto target = conformance::make_target_from_env(&error);
  if (!target) {
    const char* skip = std::getenv("P9_SKIP_IF_UNAVAILABLE");
    std::fprintf(stderr, "p9stress: %s%s\n", skip && std::string(skip) == "1" ? "skipped: " : "",
                 error.c_str());
    return skip && std::string(skip) == "1" ? 77 : 2;
  }
  const int timeout_ms = static_cast<int>(o.timeout * 1000);
  Stats setup_stats;
  auto c = attach(*target, timeout_ms, &error);
  if (!c) {
    std::fprintf(stderr, "p9stress: %s\n", error.c_str());
    return 2;
  }
  std::string memory_why;
  pid_t pid = server_pid(*target, c->fd(), &memory_why);
  Session setup(std::move(c), "setup", &setup_stats);
  // A fresh top directory, so that a server reused between runs starts clean.
  std::string top = "p9stress." + std::to_string(::getpid()) + "." +
                    std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000);
  bool ok = setup.call<msg::Rmkdir>("setup", msg::Tmkdir{0, top, 0755, 0}).ok();
  std::uint32_t topfid = ok ? setup.walk(0, {top}, "setup") : 0;
  ok = topfid && setup.call<msg::Rmkdir>("setup", msg::Tmkdir{topfid, "shared", 0777, 0}).ok();
  for (int i = 0; ok && i < o.clients; ++i)
    ok = setup.call<msg::Rmkdir>("setup", msg::Tmkdir{topfid, "c" + std::to_string(i), 0755, 0}).ok();
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; ok && i < o.clients; ++i) {
    workers.push_back(std::make_unique<Worker>(i, o.seed, o.single_flush));
    if (std::string why = workers.back()->start(*target, timeout_ms, top); !why.empty()) {
      error = "client " + std::to_string(i) + ": " + why;
      ok = false;
    }
  }
  if (!ok) {
    std::fprintf(stderr, "p9stress: setup failed on %s: %s\n%s", target->name().c_str(),
                 error.empty() ? "creating the directories" : error.c_str(), setup.c().transcript().c_str());
    return 2;
  }
  long rss_start = pid > 0 ? status_kib(pid, "VmRSS:") : -1, rss_peak = rss_start;
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w, &o] { w->run(o.ops); });
  // Progress once a second; the run ends at the deadline or when every client is done.
  std::atomic<int> done{0};
  std::thread waiter([&] {
    for (auto& t : threads) t.join();
    done = 1;
  });
  const auto deadline =
      t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  auto next = t0 + std::chrono::seconds(1);
  while (!done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto now = Clock::now();
    if (now >= deadline) g_stop = true;
    if (now < next) continue;
    next += std::chrono::seconds(1);
    long rss = pid > 0 ? status_kib(pid, "VmRSS:") : -1;
    rss_peak = std::max(rss_peak, rss);
    double s = std::chrono::duration<double>(now - t0).count();
    std::fprintf(stderr, "p9stress: %3.0fs %8ld ops %7.0f/s  errors %ld  violations %ld  server rss %s\n", s,
                 g_ops.load(), static_cast<double>(g_ops.load()) / s, g_errors.load(), g_violations.load(),
                 rss < 0 ? "-" : mib(rss).c_str());
  }
  waiter.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  Stats st;
  for (auto& w : workers) st.merge(w->stats);
  long files_checked = 0;
  Stats final_stats;
  check_final(setup, top, workers, &final_stats, &files_checked);
  st.merge(final_stats);
  setup_stats.requests = 0;  // the rates count the load, not the setup and the check
  st.merge(setup_stats);     // the check's errors and violations
  std::string memory;
  if (pid > 0 && status_kib(pid, "VmRSS:") < 0) {
    memory =
        "pid " + std::to_string(pid) + ": " + mib(rss_start) + " before; the process was gone at the end";
  } else if (pid > 0) {
    long rss_end = status_kib(pid, "VmRSS:");
    rss_peak = std::max(rss_peak, rss_end);
    long hwm = status_kib(pid, "VmHWM:");
    memory = "pid " + std::to_string(pid) + ": " + mib(rss_start) + " before, " + mib(rss_end) + " after, " +
             mib(rss_peak) + " at most in the 1 s samples (VmHWM " + mib(hwm) + ")";
  } else {
    memory = "not measured (" + memory_why + ")";
  }
  const bool passed = st.violation_count == 0 && st.unexpected == 0 && st.mismatches.empty();
  std::string text = summary(o, command, target->name(), elapsed, st, files_checked, memory, passed);
  std::fputs(text.c_str(), stdout);
  if (!o.report.empty()) {
    std::ofstream out(o.report);
    out << text;
    if (!out) {
      std::fprintf(stderr, "p9stress: cannot write %s\n", o.report.c_str());
      return 2;
    }
  }
  return passed ? 0 : 1;
}

}  // namespace
}  // namespace p9::stress

int main(int argc, char** argv) { return p9::stress::run(argc, argv); }
