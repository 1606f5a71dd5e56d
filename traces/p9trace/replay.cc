// p9trace replay: sends a recorded session's requests to another server in
// causal order and compares each reply with the recorded one after
// normalisation (traces/FORMAT.md, "Replay").
#include "traces/p9trace/replay.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "conformance/client/client.h"
#include "conformance/deviations/deviation_list.h"
#include "conformance/deviations/fid_names.h"
#include "conformance/diff/normalize.h"
#include "reference/codec/printer.h"
#include "traces/p9trace/commands.h"
#include "traces/p9trace/trace.h"

namespace p9::trace {

bool read_deviations(const std::string& path, DeviationList* out, std::string* error) {
  std::vector<deviations::Row> rows;
  if (!deviations::read_tables(
          path, {{"trace", "target", "message", "observed", "reason"}, deviations::kRuleHeader}, &rows,
          error))
    return false;
  for (deviations::Row& r : rows) {
    if (r.table == 1) {
      deviations::Rule rule;
      if (!deviations::parse_rule(path, r, &rule, error)) return false;
      out->rules.push_back(std::move(rule));
      continue;
    }
    out->rows.push_back({std::move(r.cells[0]), std::move(r.cells[1]), std::move(r.cells[2]),
                         std::move(r.cells[3]), std::move(r.cells[4])});
  }
  return true;
}

bool read_inputs(const char* cmd, const std::string& trace_path, const std::string& devs_path, Trace* t,
                 DeviationList* devs) {
  if (!read_trace_or_say(cmd, trace_path, t)) return false;
  std::string error;
  if (devs_path.empty() || read_deviations(devs_path, devs, &error)) return true;
  std::fprintf(stderr, "p9trace %s: %s\n", cmd, error.c_str());
  return false;
}

namespace {

// One listing of a fid, recorded and replayed, compared as sets when the
// recorded client read it to the end (conformance/diff/normalize.h); the
// cookies map the recorded client's Treaddir offsets to the replay server's.
struct Listing {
  diff::EntrySet rec, rep;
  std::map<std::uint64_t, std::string> rec_cookie_name;
  std::map<std::string, std::uint64_t> rep_name_cookie;
  std::uint64_t rep_last = 0;
  std::uint32_t count = 0;
};

struct Pending {
  std::size_t req = kNone;  // index of the recorded request
  bool internal = false;    // a readdir continuation issued by the replayer
  std::uint32_t fid = 0;
  Frame replayed;  // for internal continuations: the replayed reply of the recorded request
};

// One exchange of a connection, kept for the context of a divergence
// (formatted only when printed).
struct Exchange {
  std::size_t req = kNone;
  Frame replayed;
};

struct Conn {
  std::unique_ptr<Link> link;
  std::map<std::uint16_t, Pending> outstanding;
  std::map<std::uint32_t, std::uint64_t> fid_path;  // fid -> recorded qid.path
  std::map<std::uint32_t, Listing> listings;
  std::deque<Exchange> history;  // recorded vs replayed, for context
  bool dead = false;
};

class Replayer {
 public:
  Replayer(const Trace& t, ReplayTarget& target, const ReplayOptions& o) : t_(t), target_(target), o_(o) {}

  ReplayResult run();

 private:
  void pair_replies();
  bool open_conn(int id);
  void send_request(std::size_t i);
  bool wait_for_replies_before(std::size_t i);
  bool receive_one(int wait_ms);
  void on_reply(int conn, Frame f);
  void finish_reply(int conn, std::size_t req, const Frame& replayed);
  void compare(int conn, std::size_t req, const Frame& replayed);
  void track(int conn, std::size_t req, std::size_t rep_index);
  void diverge(int conn, std::size_t req, std::size_t reply, const std::string& reason,
               const std::string& rec, const std::string& rep, const Frame* actual = nullptr);
  std::size_t root_cause(int conn, std::size_t req, std::size_t reply, std::size_t self);
  void resolve(std::size_t reply_index);
  void prepare_root();
  std::string exchange_text(std::size_t req, const Frame& replayed) const;
  void print_summary() const;
  std::string deviation_for(int conn, std::size_t req, std::size_t reply, const Frame* actual);
  std::string recorded_server() const;
  std::string refused_by_recorded_server(std::size_t req) const;
  bool kept(std::size_t i) const { return !o_.keep || (*o_.keep)[i]; }

  const Trace& t_;
  ReplayTarget& target_;
  const ReplayOptions& o_;
  bool stop_ = false;  // stop_at_first: an unlisted divergence happened

  std::vector<std::size_t> reply_of_;  // request index -> recorded reply index (kNone: none)
  std::set<std::size_t> waiting_;      // recorded replies whose replayed counterpart has not come
  std::map<int, Conn> conns_;
  // qid.path recorded <-> replayed; a pair is forgotten when the recorded
  // requests show its file going away (track), since inode numbers are reused.
  diff::QidMap qids_{diff::QidMap::Reuse::kForgottenOnly, "recorded", "replayed"};
  std::map<std::pair<std::uint64_t, std::string>, std::uint64_t>
      names_;  // (dir path, name) -> path (recorded)
  // Root-cause grouping: the files (recorded qid.path) and fids (conn, fid)
  // an unlisted divergence touched, to the index of its root divergence.
  std::map<std::uint64_t, std::size_t> path_cause_;
  std::map<std::pair<int, std::uint32_t>, std::size_t> fid_cause_;
  std::map<int, std::size_t> dead_cause_;  // a connection that died: the divergence it died at
  std::set<std::uint64_t> roots_;          // recorded qid.path of every attach
  ReplayResult res_;
  std::map<std::string, int> refused_reasons_;
  std::vector<bool> rule_used_;     // by index in o_.devs.rules
  deviations::FidNames fid_names_;  // the recorded session's names (the stale-fid rule qualifier)
};

void Replayer::pair_replies() {
  reply_of_ = reply_index(t_);
  for (const Record& r : t_.records)
    if (r.from_client && reply_of_[r.index] != kNone && kept(r.index)) waiting_.insert(reply_of_[r.index]);
}

bool Replayer::open_conn(int id) {
  std::string error;
  Conn& c = conns_[id];
  c.link = target_.connect(&error);
  if (!c.link) {
    if (!o_.quiet)
      std::fprintf(stderr, "p9trace replay: cannot connect to %s: %s\n", target_.name().c_str(),
                   error.c_str());
    c.dead = true;
    return false;
  }
  return true;
}

// The reason a divergence is listed: a row for this trace and target, else a
// rule (deviations::kRuleHeader). A rule naming the target compares the
// recorded reply as the reference's with the replayed one as the server's;
// a rule naming the recorded server, on another target, the other way round.
std::string Replayer::deviation_for(int conn, std::size_t req, std::size_t reply, const Frame* actual) {
  std::string id = target_.deviation_id();
  std::string req_type = t_.records[req].decoded.ok() ? msg_name(t_.records[req].decoded.type) : "";
  std::string rep_type =
      reply != kNone && t_.records[reply].decoded.ok() ? msg_name(t_.records[reply].decoded.type) : "";
  for (const Deviation& d : o_.devs.rows) {
    if (!deviations::names(d.trace, t_.name) || !deviations::names(d.target, id)) continue;
    const std::string& m = d.message;
    bool hit = m == "*" || m == "#" + std::to_string(req) ||
               (reply != kNone && m == "#" + std::to_string(reply)) || (!req_type.empty() && m == req_type) ||
               (!rep_type.empty() && m == rep_type);
    if (hit) return d.reason;
  }
  if (req_type.empty() || reply == kNone || !t_.records[reply].decoded.ok()) return {};
  auto text = [](const Message& m) {
    const auto* e = std::get_if<msg::Rlerror>(&m);
    return deviations::reply_text(static_cast<std::uint8_t>(type_of(m)), e ? e->ecode : 0);
  };
  const std::string recorded = text(t_.records[reply].decoded.frame.body);
  const std::string replayed = actual ? text(actual->body) : "";
  deviations::RuleRequest q{req_type, {}};
  if (fid_names_.stale(conn, t_.records[req].decoded.frame.body)) q.qualifiers.push_back("stale-fid");
  const std::string server = recorded_server();
  for (std::size_t k = 0; k < o_.devs.rules.size(); ++k) {
    const deviations::Rule& r = o_.devs.rules[k];
    if (!deviations::rule_matches(r, id, q, recorded, replayed) &&
        (server.empty() || server == id || !deviations::rule_matches(r, server, q, replayed, recorded)))
      continue;
    rule_used_[k] = true;
    return "rule " + r.where() + " (" + r.text() + "): " + r.reason;
  }
  return {};
}

// The first word of the trace's "server" header: the recorded server's deviation id.
std::string Replayer::recorded_server() const {
  std::string server = t_.meta_value("server");
  return server.substr(0, server.find(' '));
}

// A request the recorded server refused (a listed "recorded:SERVER" row):
// the recorded client then took another way (Linux falls back from
// Trenameat/Tunlinkat to Trename/Tremove), so the replay does not send it
// either and takes the recorded refusal as the answer. Not on that server itself.
std::string Replayer::refused_by_recorded_server(std::size_t req) const {
  std::size_t rep = reply_of_[req];
  if (rep == kNone || !t_.records[rep].decoded.ok() ||
      !std::holds_alternative<msg::Rlerror>(t_.records[rep].decoded.frame.body) ||
      !t_.records[req].decoded.ok())
    return {};
  const std::string server = recorded_server();
  if (server.empty() || target_.deviation_id() == server) return {};
  std::string req_type = msg_name(t_.records[req].decoded.type);
  for (const Deviation& d : o_.devs.rows) {
    bool refusal_row = d.target.rfind("recorded:", 0) == 0;  // not a "*" row meant for replay targets
    if (!refusal_row || !deviations::names(d.target, "recorded:" + server) ||
        !deviations::names(d.trace, t_.name))
      continue;
    if (d.message == req_type || d.message == "#" + std::to_string(req) ||
        d.message == "#" + std::to_string(rep))
      return d.reason;
  }
  return {};
}

void Replayer::diverge(int conn, std::size_t req, std::size_t reply, const std::string& reason,
                       const std::string& rec, const std::string& rep, const Frame* actual) {
  std::vector<Divergence>& divs = res_.divergences;
  Divergence d{conn, req, reply, reason, rec, rep, deviation_for(conn, req, reply, actual), kNone, {}, {}};
  if (actual) d.actual = *actual;
  bool first_unknown = d.known.empty() && !res_.first_unknown();
  if (d.known.empty()) d.cause = root_cause(conn, req, reply, divs.size());
  if (first_unknown)
    for (const Exchange& h : conns_[conn].history) d.context.push_back(exchange_text(h.req, h.replayed));
  if (!o_.quiet && (first_unknown || o_.verbose)) {
    std::printf("%s at #%zu (conn %d): %s\n", d.known.empty() ? "DIVERGENCE" : "known deviation",
                reply != kNone ? reply : req, conn, reason.c_str());
    if (d.cause != kNone) std::printf("  follows from the divergence at #%zu\n", divs[d.cause].reply);
    if (first_unknown) {
      std::printf("  context on conn %d (request / recorded reply / replayed reply):\n", conn);
      for (const auto& h : d.context) std::printf("%s", h.c_str());
    }
    std::printf("  request  #%zu %s\n", req, describe(t_.records[req].decoded).c_str());
    std::printf("  recorded %s%s\n", reply != kNone ? ("#" + std::to_string(reply) + " ").c_str() : "",
                rec.c_str());
    std::printf("  replayed %s\n", rep.c_str());
    if (!d.known.empty()) std::printf("  listed in the deviation list: %s\n", d.known.c_str());
  }
  if (d.known.empty() && o_.stop_at_first) stop_ = true;
  divs.push_back(std::move(d));
}

// The root divergence an unlisted divergence follows from: an earlier one on
// the same file (recorded qid.path of a fid the request names, or a qid of
// the recorded reply), on the same fid, or the one its connection died at.
// The attach roots and their fids do not count: every walk starts there.
// Registers this divergence's files and fids under its root. kNone: it is a root.
std::size_t Replayer::root_cause(int conn, std::size_t req, std::size_t reply, std::size_t self) {
  Conn& c = conns_[conn];
  std::vector<std::uint64_t> paths;
  std::vector<std::uint32_t> fids;
  const Record& q = t_.records[req];
  if (q.decoded.ok())
    std::visit(
        [&](const auto& m) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(m)>, std::monostate>)
            msg::visit_fields(m, [&](const char*, const auto& v, auto k) {
              if constexpr (std::is_same_v<decltype(k), kind::fid>) {
                auto it = c.fid_path.find(v);
                if (it != c.fid_path.end() && roots_.count(it->second)) return;  // shared by every path
                fids.push_back(v);
                if (it != c.fid_path.end()) paths.push_back(it->second);
              }
            });
        },
        q.decoded.frame.body);
  if (reply != kNone && t_.records[reply].decoded.ok()) {
    Message m = t_.records[reply].decoded.frame.body;
    for (const Qid* x : diff::qids_of(m))
      if (!roots_.count(x->path)) paths.push_back(x->path);
  }
  std::size_t root = kNone;
  if (auto it = dead_cause_.find(conn); it != dead_cause_.end()) root = it->second;
  for (std::uint64_t p : paths)
    if (auto it = path_cause_.find(p); root == kNone && it != path_cause_.end()) root = it->second;
  for (std::uint32_t f : fids)
    if (auto it = fid_cause_.find({conn, f}); root == kNone && it != fid_cause_.end()) root = it->second;
  std::size_t owner = root == kNone ? self : root;
  for (std::uint64_t p : paths) path_cause_.emplace(p, owner);
  for (std::uint32_t f : fids) fid_cause_.emplace(std::make_pair(conn, f), owner);
  if (c.dead) dead_cause_.emplace(conn, owner);
  return root;
}

void Replayer::resolve(std::size_t reply_index) {
  if (reply_index != kNone) waiting_.erase(reply_index);
}

// Before replaying: give the target's root the mode and owner the recorded
// root had (a fresh export is a mkdtemp 0700 directory on some targets).
void Replayer::prepare_root() {
  // The first Rgetattr of the fid attached first.
  std::uint32_t root_fid = 0;
  bool have_root = false;
  const msg::Rgetattr* rec = nullptr;
  for (const Record& r : t_.records) {
    if (!r.decoded.ok() || !r.from_client) continue;
    if (auto* a = std::get_if<msg::Tattach>(&r.decoded.frame.body)) {
      if (!have_root) root_fid = a->fid, have_root = true;
    } else if (auto* g = std::get_if<msg::Tgetattr>(&r.decoded.frame.body)) {
      if (have_root && g->fid == root_fid && reply_of_[r.index] != kNone) {
        rec = std::get_if<msg::Rgetattr>(&t_.records[reply_of_[r.index]].decoded.frame.body);
        break;
      }
    }
  }
  if (!rec) return;
  std::string error;
  auto link = target_.connect(&error);
  if (!link) return;
  std::uint16_t tag = 1;
  auto call = [&](Message m) -> Message {
    Frame f{tag, std::move(m)};
    if (!link->send(f)) return std::monostate{};
    auto r = link->receive(o_.timeout_ms);
    return r ? std::move(r->body) : Message{std::monostate{}};
  };
  (void)call(msg::Tversion{8192, "9P2000.L"});
  if (!std::holds_alternative<msg::Rattach>(
          call(msg::Tattach{0, static_cast<std::uint32_t>(NOFID), "root", o_.aname, 0})))
    return;
  Message now = call(msg::Tgetattr{0, GETATTR_BASIC});
  auto* g = std::get_if<msg::Rgetattr>(&now);
  if (!g || (g->mode == rec->mode && g->uid == rec->uid && g->gid == rec->gid)) return;
  msg::Tsetattr s;
  s.fid = 0;
  s.valid = setattr::MODE | setattr::UID | setattr::GID;
  s.mode = rec->mode & 07777;
  s.uid = rec->uid;
  s.gid = rec->gid;
  (void)call(s);
  (void)call(msg::Tclunk{0});
}

void Replayer::send_request(std::size_t i) {
  const Record& r = t_.records[i];
  Conn& c = conns_[r.conn];
  ++res_.requests;
  if (c.dead) {
    if (reply_of_[i] != kNone) {
      diverge(r.conn, i, reply_of_[i], "connection to the replay server is gone",
              describe(t_.records[reply_of_[i]].decoded), "(nothing)");
      resolve(reply_of_[i]);
    }
    return;
  }
  if (std::string why = refused_by_recorded_server(i); !why.empty()) {
    ++res_.refused;
    refused_reasons_[why]++;
    resolve(reply_of_[i]);
    return;
  }
  if (!r.decoded.ok()) {  // send the bytes as they were
    c.link->send_bytes(r.bytes);
    c.outstanding[static_cast<std::uint16_t>(r.bytes[5] | r.bytes[6] << 8)] = Pending{i, false, 0, {}};
    return;
  }
  if (auto* cl = std::get_if<msg::Tclunk>(&r.decoded.frame.body)) fid_cause_.erase({r.conn, cl->fid});
  // Requests the replay does not change go as recorded, without re-encoding.
  if (!std::holds_alternative<msg::Tattach>(r.decoded.frame.body) &&
      !std::holds_alternative<msg::Treaddir>(r.decoded.frame.body)) {
    c.outstanding[r.decoded.frame.tag] = Pending{i, false, 0, {}};
    if (!c.link->send_bytes(r.bytes)) {
      c.dead = true;
      c.outstanding.erase(r.decoded.frame.tag);
      if (reply_of_[i] != kNone) {
        diverge(r.conn, i, reply_of_[i], "send failed: " + c.link->last_error(),
                describe(t_.records[reply_of_[i]].decoded), "(nothing)");
        resolve(reply_of_[i]);
      }
    }
    return;
  }
  Frame f = r.decoded.frame;
  if (auto* a = std::get_if<msg::Tattach>(&f.body)) {
    a->aname = o_.aname;
  } else if (auto* rd = std::get_if<msg::Treaddir>(&f.body)) {
    Listing& l = c.listings[rd->fid];
    if (rd->offset == 0) {
      l = Listing{};
    } else {
      auto n = l.rec_cookie_name.find(rd->offset);
      std::uint64_t mapped = l.rep_last;
      if (n != l.rec_cookie_name.end()) {
        auto m = l.rep_name_cookie.find(n->second);
        if (m != l.rep_name_cookie.end()) mapped = m->second;
      }
      rd->offset = mapped;
    }
    l.count = rd->count;
  }
  c.outstanding[f.tag] = Pending{i, false, 0, {}};
  if (!c.link->send(f)) {
    c.dead = true;
    c.outstanding.erase(f.tag);
    if (reply_of_[i] != kNone) {
      diverge(r.conn, i, reply_of_[i], "send failed: " + c.link->last_error(),
              describe(t_.records[reply_of_[i]].decoded), "(nothing)");
      resolve(reply_of_[i]);
    }
  }
}

// Receives one reply from any connection; false when none came within wait_ms.
bool Replayer::receive_one(int wait_ms) {
  std::vector<int> live;
  for (auto& [id, c] : conns_)
    if (!c.dead && !c.outstanding.empty()) live.push_back(id);
  if (live.empty()) return false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (true) {
    for (int id : live) {
      Conn& c = conns_[id];
      int slice = live.size() == 1 ? wait_ms : 1;
      auto f = c.link->receive(slice);
      if (f) {
        on_reply(id, std::move(*f));
        return true;
      }
      const std::string e = c.link->last_error();
      if (e.rfind("no reply within", 0) != 0) {  // closed or undecodable: the connection is over
        c.dead = true;
        for (auto& [tag, p] : c.outstanding) {
          std::size_t rep = p.req != kNone ? reply_of_[p.req] : kNone;
          if (rep != kNone) {
            diverge(id, p.req, rep, "replay server: " + e, describe(t_.records[rep].decoded), "(nothing)");
            resolve(rep);
          }
        }
        c.outstanding.clear();
        return true;
      }
    }
    if (live.size() == 1 || std::chrono::steady_clock::now() >= deadline) return false;
  }
}

bool Replayer::wait_for_replies_before(std::size_t i) {
  while (!waiting_.empty() && *waiting_.begin() < i) {
    if (receive_one(o_.timeout_ms)) continue;
    // Nothing came: every awaited reply is missing.
    std::vector<std::size_t> missing(waiting_.begin(), waiting_.lower_bound(i));
    for (std::size_t rep : missing) {
      // Find its request and connection.
      for (auto& [id, c] : conns_)
        for (auto it = c.outstanding.begin(); it != c.outstanding.end(); ++it)
          if (it->second.req != kNone && reply_of_[it->second.req] == rep) {
            diverge(id, it->second.req, rep,
                    "no reply from the replay server within " + std::to_string(o_.timeout_ms) + " ms",
                    describe(t_.records[rep].decoded), "(nothing)");
            c.outstanding.erase(it);
            goto next;
          }
    next:
      resolve(rep);
    }
  }
  return true;
}

void Replayer::on_reply(int conn, Frame f) {
  Conn& c = conns_[conn];
  auto it = c.outstanding.find(f.tag);
  if (it == c.outstanding.end()) {
    ++res_.extra;
    if (!o_.quiet)
      std::printf("note: conn %d: reply with a tag that has no request in flight: %s\n", conn,
                  to_string(f).c_str());
    return;
  }
  Pending p = std::move(it->second);
  c.outstanding.erase(it);
  if (p.internal) {
    // A continuation of a listing the recorded client finished earlier than the replay server.
    Listing& l = c.listings[p.fid];
    auto* rd = std::get_if<msg::Rreaddir>(&f.body);
    if (rd && !rd->entries.empty()) {
      diff::add_entries(f.body, l.rep);
      l.rep_last = rd->entries.back().offset;
      std::uint16_t tag = f.tag;
      c.outstanding[tag] = Pending{p.req, true, p.fid, p.replayed};
      c.link->send(Frame{tag, msg::Treaddir{p.fid, l.rep_last, l.count}});
      return;
    }
    finish_reply(conn, p.req, p.replayed);
    return;
  }
  // The recorded listing ended here but the replay server has more: read on
  // with a tag the client is not using, then compare the whole listing.
  std::size_t rep = reply_of_[p.req];
  if (rep != kNone && t_.records[rep].decoded.ok()) {
    auto* rec_rd = std::get_if<msg::Rreaddir>(&t_.records[rep].decoded.frame.body);
    auto* rep_rd = std::get_if<msg::Rreaddir>(&f.body);
    auto* req_rd = std::get_if<msg::Treaddir>(&t_.records[p.req].decoded.frame.body);
    if (rec_rd && rep_rd && req_rd && rec_rd->entries.empty() && !rep_rd->entries.empty()) {
      Listing& l = c.listings[req_rd->fid];
      diff::add_entries(f.body, l.rep);
      l.rep_last = rep_rd->entries.back().offset;
      std::uint16_t tag = 0xFFF0;
      while (c.outstanding.count(tag)) --tag;
      c.outstanding[tag] = Pending{p.req, true, req_rd->fid, f};
      c.link->send(Frame{tag, msg::Treaddir{req_rd->fid, l.rep_last, l.count}});
      return;
    }
  }
  finish_reply(conn, p.req, f);
}

void Replayer::finish_reply(int conn, std::size_t req, const Frame& replayed) {
  std::size_t rep = reply_of_[req];
  if (rep == kNone) {
    ++res_.extra;  // e.g. a request the recorded client flushed and never saw answered
  } else {
    compare(conn, req, replayed);
    track(conn, req, rep);
  }
  if (o_.keep_replies) res_.replies[req] = replayed;
  Conn& c = conns_[conn];
  c.history.push_back({req, replayed});
  while (c.history.size() > 3) c.history.pop_front();
  resolve(rep);
}

std::string Replayer::exchange_text(std::size_t req, const Frame& replayed) const {
  std::size_t rep = reply_of_[req];
  std::string h = "    #" + std::to_string(req) + " " + describe(t_.records[req].decoded) + "\n";
  if (rep != kNone)
    h += "      recorded #" + std::to_string(rep) + " " + describe(t_.records[rep].decoded) + "\n";
  h += "      replayed " + to_string(replayed) + "\n";
  return h;
}

void Replayer::compare(int conn, std::size_t req, const Frame& replayed) {
  std::size_t rep = reply_of_[req];
  const Record& rr = t_.records[rep];
  ++res_.compared;
  // The printer lines, only when there is something to show.
  auto rec_text = [&] { return describe(rr.decoded); };
  auto rep_text = [&] { return to_string(replayed); };
  if (!rr.decoded.ok()) {
    diverge(conn, req, rep, "the recorded reply does not decode", rec_text(), rep_text(), &replayed);
    return;
  }
  const Frame& recf = rr.decoded.frame;
  // The normaliser ignores msize (each server's limit); a replay needs at least the recorded one.
  const auto* v = std::get_if<msg::Rversion>(&recf.body);
  const auto* w = std::get_if<msg::Rversion>(&replayed.body);
  if (v && w && w->msize < v->msize) {
    diverge(conn, req, rep,
            "the replay server's msize is smaller than the recorded one: requests may not fit", rec_text(),
            rep_text(), &replayed);
    return;
  }
  if (std::string why = diff::compare(recf.body, replayed.body, qids_); !why.empty()) {
    diverge(conn, req, rep, why, rec_text(), rep_text(), &replayed);
    return;
  }
  // Listings: compared as sets of (name, type) when the recorded client read to the end.
  const auto* rd = std::get_if<msg::Rreaddir>(&recf.body);
  const auto* treq = std::get_if<msg::Treaddir>(&t_.records[req].decoded.frame.body);
  if (rd && treq) {
    Listing& l = conns_[conn].listings[treq->fid];
    diff::add_entries(recf.body, l.rec);
    diff::add_entries(replayed.body, l.rep);
    for (const Dirent& e : rd->entries) l.rec_cookie_name[e.offset] = e.name;
    for (const Dirent& e : std::get<msg::Rreaddir>(replayed.body).entries) {
      l.rep_name_cookie[e.name] = e.offset;
      l.rep_last = e.offset;
    }
    if (rd->entries.empty() && l.rec != l.rep) {
      diverge(conn, req, rep,
              "directory listing differs (as a set of name/type, recorded vs replayed): " +
                  diff::describe_difference(l.rec, l.rep),
              rec_text(), rep_text(), &replayed);
      return;
    }
  }
  ++res_.matched;
}

// Keeps the recorded view of fids and names, to drop qid mappings of files that go away.
void Replayer::track(int conn, std::size_t req, std::size_t rep) {
  const Record& q = t_.records[req];
  const Record& r = t_.records[rep];
  if (!q.decoded.ok() || !r.decoded.ok()) return;
  Conn& c = conns_[conn];
  const Message& m = q.decoded.frame.body;
  const Message& a = r.decoded.frame.body;
  bool ok = !std::holds_alternative<msg::Rlerror>(a);
  auto path_of = [&](std::uint32_t fid) -> std::uint64_t {
    auto it = c.fid_path.find(fid);
    return it == c.fid_path.end() ? ~0ull : it->second;
  };
  auto drop_name = [&](std::uint64_t dir, const std::string& name, std::uint64_t keep) {
    auto it = names_.find({dir, name});
    if (it == names_.end()) return;
    if (it->second != keep) qids_.forget(it->second);
    names_.erase(it);
  };
  fid_names_.exchange(conn, m, a);
  if (!ok) return;
  if (auto* x1 = std::get_if<msg::Tattach>(&m)) {
    c.fid_path[x1->fid] = std::get<msg::Rattach>(a).qid.path;
    roots_.insert(c.fid_path[x1->fid]);
  } else if (auto* x2 = std::get_if<msg::Twalk>(&m)) {
    const auto& w = std::get<msg::Rwalk>(a).wqid;
    std::uint64_t dir = path_of(x2->fid);
    for (std::size_t k = 0; k < w.size() && k < x2->wname.size(); ++k) {
      if (x2->wname[k] != "." && x2->wname[k] != "..") names_[{dir, x2->wname[k]}] = w[k].path;
      dir = w[k].path;
    }
    if (w.size() == x2->wname.size()) c.fid_path[x2->newfid] = dir;
  } else if (auto* x3 = std::get_if<msg::Tlcreate>(&m)) {
    std::uint64_t p = std::get<msg::Rlcreate>(a).qid.path;
    names_[{path_of(x3->fid), x3->name}] = p;
    c.fid_path[x3->fid] = p;
  } else if (auto* x4 = std::get_if<msg::Tmkdir>(&m)) {
    names_[{path_of(x4->dfid), x4->name}] = std::get<msg::Rmkdir>(a).qid.path;
  } else if (auto* x5 = std::get_if<msg::Tsymlink>(&m)) {
    names_[{path_of(x5->fid), x5->name}] = std::get<msg::Rsymlink>(a).qid.path;
  } else if (auto* x6 = std::get_if<msg::Tmknod>(&m)) {
    names_[{path_of(x6->dfid), x6->name}] = std::get<msg::Rmknod>(a).qid.path;
  } else if (auto* x7 = std::get_if<msg::Tremove>(&m)) {
    qids_.forget(path_of(x7->fid));
    c.fid_path.erase(x7->fid);
  } else if (auto* x8 = std::get_if<msg::Tunlinkat>(&m)) {
    drop_name(path_of(x8->dirfid), x8->name, ~0ull);
  } else if (auto* x9 = std::get_if<msg::Trename>(&m)) {
    drop_name(path_of(x9->dfid), x9->name, path_of(x9->fid));
    names_[{path_of(x9->dfid), x9->name}] = path_of(x9->fid);
  } else if (auto* x10 = std::get_if<msg::Trenameat>(&m)) {
    auto src = names_.find({path_of(x10->olddirfid), x10->oldname});
    std::uint64_t moved = src == names_.end() ? ~0ull : src->second;
    if (src != names_.end()) names_.erase(src);
    drop_name(path_of(x10->newdirfid), x10->newname, moved);
    if (moved != ~0ull) names_[{path_of(x10->newdirfid), x10->newname}] = moved;
  } else if (auto* x11 = std::get_if<msg::Tclunk>(&m)) {
    c.fid_path.erase(x11->fid);
    c.listings.erase(x11->fid);
    fid_cause_.erase({conn, x11->fid});
  }
}

ReplayResult Replayer::run() {
  rule_used_.assign(o_.devs.rules.size(), false);
  pair_replies();
  prepare_root();
  for (const Record& r : t_.records) {
    if (stop_) break;
    if (!r.from_client || !kept(r.index)) continue;
    wait_for_replies_before(r.index);
    if (stop_) break;
    if (!conns_.count(r.conn)) open_conn(r.conn);
    send_request(r.index);
  }
  if (!stop_) wait_for_replies_before(t_.records.size());
  res_.invariants = target_.check_invariants();
  const std::string id = target_.deviation_id(), server = recorded_server();
  for (std::size_t k = 0; k < o_.devs.rules.size(); ++k) {
    const deviations::Rule& r = o_.devs.rules[k];
    const bool applies = deviations::names(r.target, id) ||
                         (!server.empty() && server != id && deviations::names(r.target, server));
    if (applies && !rule_used_[k]) res_.unused_rules.push_back(&r);
  }
  if (!o_.quiet) print_summary();
  return std::move(res_);
}

void Replayer::print_summary() const {
  for (const auto& [why, n] : refused_reasons_) std::printf("not sent x%d: %s\n", n, why.c_str());
  std::size_t known = 0, unknown = 0;
  const std::vector<Divergence>& divs = res_.divergences;
  for (const Divergence& d : divs) (d.known.empty() ? unknown : known)++;
  if (known && !o_.verbose) {
    std::map<std::string, int> reasons;
    for (const Divergence& d : divs)
      if (!d.known.empty()) reasons[d.known]++;
    for (const auto& [why, n] : reasons) std::printf("listed deviation x%d: %s\n", n, why.c_str());
  }
  // Distinct causes first: the root divergences, grouped by what diverged
  // (request type and kind of difference), each with its first occurrence and
  // how many divergences (roots and the ones following from them) it covers.
  struct Cause {
    std::size_t first = kNone, roots = 0, all = 0;
  };
  std::map<std::string, Cause> causes;
  std::vector<std::string> order;
  for (std::size_t k = 0; k < divs.size(); ++k) {
    if (!divs[k].known.empty()) continue;
    std::size_t root = divs[k].cause == kNone ? k : divs[k].cause;
    std::string sig = divergence_kind(t_, divs[root]);
    Cause& c = causes[sig];
    if (c.first == kNone) c.first = root, order.push_back(sig);
    c.all++;
    if (root == k) c.roots++;
  }
  if (!order.empty()) std::printf("distinct causes: %zu\n", order.size());
  for (const std::string& sig : order) {
    const Cause& c = causes.at(sig);
    const Divergence& d = divs[c.first];
    std::printf(
        "  cause: %s; first at #%zu (request #%zu); %zu divergences (%zu on other files, %zu following "
        "from them)\n",
        sig.c_str(), d.reply != kNone ? d.reply : d.req, d.req, c.all, c.roots - 1, c.all - c.roots);
  }
  if (!res_.invariants.empty())
    std::printf("the target's invariants are broken after the replay: %s\n", res_.invariants.c_str());
  for (const deviations::Rule* r : res_.unused_rules)
    std::printf("unused rule %s (%s): matched nothing in this replay\n", r->where().c_str(),
                r->text().c_str());
  std::printf(
      "replay %s on %s: %zu requests, %zu replies compared, %zu matched, %zu diverged (%zu listed "
      "deviations)",
      t_.name.c_str(), target_.name().c_str(), res_.requests, res_.compared, res_.matched, unknown + known,
      known);
  if (res_.extra) std::printf(", %zu replies without a recorded counterpart", res_.extra);
  if (res_.refused) std::printf(", %zu not sent (refused by the recorded server)", res_.refused);
  if (stop_) std::printf(", stopped at the first divergence");
  std::printf("\n");
}

}  // namespace

std::size_t ReplayResult::unknown() const {
  std::size_t n = 0;
  for (const Divergence& d : divergences) n += d.known.empty();
  return n;
}

const Divergence* ReplayResult::first_unknown() const {
  for (const Divergence& d : divergences)
    if (d.known.empty()) return &d;
  return nullptr;
}

ReplayResult replay(const Trace& t, ReplayTarget& target, const ReplayOptions& options) {
  return Replayer(t, target, options).run();
}

int cmd_replay(const std::vector<std::string>& args) {
  std::string trace_path, devs_path;
  TargetSpec ts;
  ReplayOptions o;
  bool skip_unavailable = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto value = [&] { return option_value("replay", args, i); };
    const std::string& a = args[i];
    if (parse_target_option("replay", args, i, &ts))
      continue;
    else if (a == "--deviations")
      devs_path = value();
    else if (a == "--timeout-ms")
      o.timeout_ms = std::atoi(value().c_str());
    else if (a == "--verbose" || a == "-v")
      o.verbose = true;
    else if (a == "--skip-unavailable")
      skip_unavailable = true;
    else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "p9trace replay: unknown option %s\n", a.c_str());
      return 2;
    } else
      trace_path = a;
  }
  if (ts.direct && ts.spec.empty()) ts.spec = "inprocess:model";
  if (trace_path.empty() || (ts.spec.empty() && ts.start.empty())) {
    std::fprintf(stderr,
                 "usage: p9trace replay TRACE --target T|--start 'CMD {port} {export}'|--inprocess [--aname "
                 "A] [--profile ID] "
                 "[--deviations FILE] [--p9ref PATH] [--timeout-ms N] [--verbose] [--skip-unavailable]\n"
                 "  T: %s\n",
                 kTargetNames);
    return 2;
  }
  Trace t;
  if (!read_inputs("replay", trace_path, devs_path, &t, &o.devs)) return 2;
  std::string error;
  auto target = make_replay_target(ts, &error);
  if (!target) {
    std::printf("%s: target %s unavailable: %s\n", skip_unavailable ? "SKIP" : "error",
                ts.spec.empty() ? ts.start.c_str() : ts.spec.c_str(), error.c_str());
    return skip_unavailable ? 77 : 2;
  }
  o.aname = ts.have_aname ? ts.aname : target->aname();
  auto start = std::chrono::steady_clock::now();
  ReplayResult r = replay(t, *target, o);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%zu requests in %.3f s: %.0f requests/s\n", r.requests, secs,
              secs > 0 ? r.requests / secs : 0.0);
  return r.unknown() || !r.invariants.empty() ? 1 : 0;
}

}  // namespace p9::trace
