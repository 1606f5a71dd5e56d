// p9trace replay: sends a recorded session's requests to another server in
// causal order and compares each reply with the recorded one after
// normalisation (traces/FORMAT.md, "Replay").
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
#include <vector>

#include "conformance/client/client.h"
#include "conformance/deviations/deviation_list.h"
#include "conformance/diff/normalize.h"
#include "conformance/harness/target.h"
#include "reference/codec/printer.h"
#include "traces/p9trace/commands.h"
#include "traces/p9trace/trace.h"

namespace p9::trace {

namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

// ---- the deviation list (traces/deviations.md, read by the shared reader) ----
struct Deviation {
  std::string trace, target, message, observed, reason;
};

bool read_deviations(const std::string& path, std::vector<Deviation>* out, std::string* error) {
  std::vector<deviations::Row> rows;
  if (!deviations::read(path, {"trace", "target", "message", "observed", "reason"}, &rows, error))
    return false;
  for (deviations::Row& r : rows)
    out->push_back({std::move(r.cells[0]), std::move(r.cells[1]), std::move(r.cells[2]),
                    std::move(r.cells[3]), std::move(r.cells[4])});
  return true;
}

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

struct Conn {
  std::unique_ptr<client::Client> client;
  std::map<std::uint16_t, Pending> outstanding;
  std::map<std::uint32_t, std::uint64_t> fid_path;  // fid -> recorded qid.path
  std::map<std::uint32_t, Listing> listings;
  std::deque<std::string> history;  // recorded vs replayed, for context
  bool dead = false;
};

struct Divergence {
  std::size_t req = kNone, reply = kNone;
  std::string reason, recorded, replayed;
  std::string known;  // reason from the deviation list, if listed
};

class Replayer {
 public:
  Replayer(const Trace& t, conformance::Target& target, std::string aname, std::vector<Deviation> devs,
           int timeout_ms, bool verbose)
      : t_(t),
        target_(target),
        aname_(std::move(aname)),
        devs_(std::move(devs)),
        timeout_ms_(timeout_ms),
        verbose_(verbose) {}

  int run();

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
               const std::string& rec, const std::string& rep);
  void resolve(std::size_t reply_index);
  void prepare_root();
  std::string deviation_for(std::size_t req, std::size_t reply) const;
  std::string refused_by_recorded_server(std::size_t req) const;

  const Trace& t_;
  conformance::Target& target_;
  std::string aname_;
  std::vector<Deviation> devs_;
  int timeout_ms_;
  bool verbose_;

  std::vector<std::size_t> reply_of_;  // request index -> recorded reply index (kNone: none)
  std::set<std::size_t> waiting_;      // recorded replies whose replayed counterpart has not come
  std::map<int, Conn> conns_;
  // qid.path recorded <-> replayed; a pair is forgotten when the recorded
  // requests show its file going away (track), since inode numbers are reused.
  diff::QidMap qids_{diff::QidMap::Reuse::kForgottenOnly, "recorded", "replayed"};
  std::map<std::pair<std::uint64_t, std::string>, std::uint64_t>
      names_;  // (dir path, name) -> path (recorded)
  std::vector<Divergence> divs_;
  std::size_t requests_ = 0, compared_ = 0, matched_ = 0, extra_ = 0, refused_ = 0;
  std::map<std::string, int> refused_reasons_;
};

void Replayer::pair_replies() {
  reply_of_.assign(t_.records.size(), kNone);
  std::map<std::pair<int, std::uint16_t>, std::size_t> open;
  for (const Record& r : t_.records) {
    if (r.bytes.size() < 7) continue;
    std::uint16_t tag = static_cast<std::uint16_t>(r.bytes[5] | r.bytes[6] << 8);
    auto key = std::make_pair(r.conn, tag);
    if (r.from_client) {
      open[key] = r.index;
    } else {
      auto it = open.find(key);
      if (it != open.end()) {
        reply_of_[it->second] = r.index;
        waiting_.insert(r.index);
        open.erase(it);
      }
    }
  }
}

bool Replayer::open_conn(int id) {
  std::string error;
  Conn& c = conns_[id];
  c.client = target_.connect(&error);
  if (!c.client) {
    std::fprintf(stderr, "p9trace replay: cannot connect to %s: %s\n", target_.name().c_str(), error.c_str());
    c.dead = true;
    return false;
  }
  return true;
}

std::string Replayer::deviation_for(std::size_t req, std::size_t reply) const {
  std::string id = target_.deviation_id();
  std::string req_type = t_.records[req].decoded.ok() ? msg_name(t_.records[req].decoded.type) : "";
  std::string rep_type =
      reply != kNone && t_.records[reply].decoded.ok() ? msg_name(t_.records[reply].decoded.type) : "";
  for (const Deviation& d : devs_) {
    if (!deviations::names(d.trace, t_.name) || !deviations::names(d.target, id)) continue;
    const std::string& m = d.message;
    bool hit = m == "*" || m == "#" + std::to_string(req) ||
               (reply != kNone && m == "#" + std::to_string(reply)) || (!req_type.empty() && m == req_type) ||
               (!rep_type.empty() && m == rep_type);
    if (hit) return d.reason;
  }
  return {};
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
  std::string server = t_.meta_value("server");
  server = server.substr(0, server.find(' '));
  if (server.empty() || target_.deviation_id() == server) return {};
  std::string req_type = msg_name(t_.records[req].decoded.type);
  for (const Deviation& d : devs_) {
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
                       const std::string& rec, const std::string& rep) {
  Divergence d{req, reply, reason, rec, rep, deviation_for(req, reply)};
  bool first_unknown = d.known.empty() && std::none_of(divs_.begin(), divs_.end(),
                                                       [](const Divergence& x) { return x.known.empty(); });
  if (first_unknown || verbose_) {
    std::printf("%s at #%zu (conn %d): %s\n", d.known.empty() ? "DIVERGENCE" : "known deviation",
                reply != kNone ? reply : req, conn, reason.c_str());
    if (first_unknown) {
      std::printf("  context on conn %d (request / recorded reply / replayed reply):\n", conn);
      for (const auto& h : conns_[conn].history) std::printf("%s", h.c_str());
    }
    std::printf("  request  #%zu %s\n", req, describe(t_.records[req].decoded).c_str());
    std::printf("  recorded %s%s\n", reply != kNone ? ("#" + std::to_string(reply) + " ").c_str() : "",
                rec.c_str());
    std::printf("  replayed %s\n", rep.c_str());
    if (!d.known.empty()) std::printf("  listed in the deviation list: %s\n", d.known.c_str());
  }
  divs_.push_back(std::move(d));
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
  auto c = target_.connect(&error);
  if (!c || !c->handshake(8192, aname_, 0, 0).ok()) return;
  auto now = c->call<msg::Rgetattr>(msg::Tgetattr{0, GETATTR_BASIC});
  if (!now.ok()) return;
  if (now.value().mode == rec->mode && now.value().uid == rec->uid && now.value().gid == rec->gid) return;
  msg::Tsetattr s;
  s.fid = 0;
  s.valid = setattr::MODE | setattr::UID | setattr::GID;
  s.mode = rec->mode & 07777;
  s.uid = rec->uid;
  s.gid = rec->gid;
  (void)c->call<msg::Rsetattr>(s);
  (void)c->call<msg::Rclunk>(msg::Tclunk{0});
}

void Replayer::send_request(std::size_t i) {
  const Record& r = t_.records[i];
  Conn& c = conns_[r.conn];
  ++requests_;
  if (c.dead) {
    if (reply_of_[i] != kNone) {
      diverge(r.conn, i, reply_of_[i], "connection to the replay server is gone",
              describe(t_.records[reply_of_[i]].decoded), "(nothing)");
      resolve(reply_of_[i]);
    }
    return;
  }
  if (std::string why = refused_by_recorded_server(i); !why.empty()) {
    ++refused_;
    refused_reasons_[why]++;
    resolve(reply_of_[i]);
    return;
  }
  if (!r.decoded.ok()) {  // send the bytes as they were
    c.client->send_bytes(r.bytes);
    c.outstanding[static_cast<std::uint16_t>(r.bytes[5] | r.bytes[6] << 8)] = Pending{i, false, 0, {}};
    return;
  }
  Frame f = r.decoded.frame;
  if (auto* a = std::get_if<msg::Tattach>(&f.body)) {
    a->aname = aname_;
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
  if (!c.client->send(f)) {
    c.dead = true;
    c.outstanding.erase(f.tag);
    if (reply_of_[i] != kNone) {
      diverge(r.conn, i, reply_of_[i], "send failed: " + c.client->last_error(),
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
      auto f = c.client->receive(slice);
      if (f) {
        on_reply(id, std::move(*f));
        return true;
      }
      const std::string& e = c.client->last_error();
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
    if (receive_one(timeout_ms_)) continue;
    // Nothing came: every awaited reply is missing.
    std::vector<std::size_t> missing(waiting_.begin(), waiting_.lower_bound(i));
    for (std::size_t rep : missing) {
      // Find its request and connection.
      for (auto& [id, c] : conns_)
        for (auto it = c.outstanding.begin(); it != c.outstanding.end(); ++it)
          if (it->second.req != kNone && reply_of_[it->second.req] == rep) {
            diverge(id, it->second.req, rep,
                    "no reply from the replay server within " + std::to_string(timeout_ms_) + " ms",
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
    ++extra_;
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
      c.client->send(Frame{tag, msg::Treaddir{p.fid, l.rep_last, l.count}});
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
      c.client->send(Frame{tag, msg::Treaddir{req_rd->fid, l.rep_last, l.count}});
      return;
    }
  }
  finish_reply(conn, p.req, f);
}

void Replayer::finish_reply(int conn, std::size_t req, const Frame& replayed) {
  std::size_t rep = reply_of_[req];
  if (rep == kNone) {
    ++extra_;  // e.g. a request the recorded client flushed and never saw answered
  } else {
    compare(conn, req, replayed);
    track(conn, req, rep);
  }
  Conn& c = conns_[conn];
  std::string h = "    #" + std::to_string(req) + " " + describe(t_.records[req].decoded) + "\n";
  if (rep != kNone)
    h += "      recorded #" + std::to_string(rep) + " " + describe(t_.records[rep].decoded) + "\n";
  h += "      replayed " + to_string(replayed) + "\n";
  c.history.push_back(h);
  while (c.history.size() > 3) c.history.pop_front();
  resolve(rep);
}

void Replayer::compare(int conn, std::size_t req, const Frame& replayed) {
  std::size_t rep = reply_of_[req];
  const Record& rr = t_.records[rep];
  ++compared_;
  std::string rec_text = describe(rr.decoded), rep_text = to_string(replayed);
  if (!rr.decoded.ok()) {
    diverge(conn, req, rep, "the recorded reply does not decode", rec_text, rep_text);
    return;
  }
  const Frame& recf = rr.decoded.frame;
  // The normaliser ignores msize (each server's limit); a replay needs at least the recorded one.
  const auto* v = std::get_if<msg::Rversion>(&recf.body);
  const auto* w = std::get_if<msg::Rversion>(&replayed.body);
  if (v && w && w->msize < v->msize) {
    diverge(conn, req, rep,
            "the replay server's msize is smaller than the recorded one: requests may not fit", rec_text,
            rep_text);
    return;
  }
  if (std::string why = diff::compare(recf.body, replayed.body, qids_); !why.empty()) {
    diverge(conn, req, rep, why, rec_text, rep_text);
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
              rec_text, rep_text);
      return;
    }
  }
  ++matched_;
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
  if (!ok) return;
  if (auto* x1 = std::get_if<msg::Tattach>(&m)) {
    c.fid_path[x1->fid] = std::get<msg::Rattach>(a).qid.path;
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
  }
}

int Replayer::run() {
  pair_replies();
  prepare_root();
  for (const Record& r : t_.records) {
    if (!r.from_client) continue;
    wait_for_replies_before(r.index);
    if (!conns_.count(r.conn)) open_conn(r.conn);
    send_request(r.index);
  }
  wait_for_replies_before(t_.records.size());
  for (const auto& [why, n] : refused_reasons_) std::printf("not sent x%d: %s\n", n, why.c_str());
  std::size_t known = 0, unknown = 0;
  for (const Divergence& d : divs_) (d.known.empty() ? unknown : known)++;
  if (known && !verbose_) {
    std::map<std::string, int> reasons;
    for (const Divergence& d : divs_)
      if (!d.known.empty()) reasons[d.known]++;
    for (const auto& [why, n] : reasons) std::printf("listed deviation x%d: %s\n", n, why.c_str());
  }
  std::string inv = target_.check_invariants();
  if (!inv.empty()) std::printf("the target's invariants are broken after the replay: %s\n", inv.c_str());
  std::printf(
      "replay %s on %s: %zu requests, %zu replies compared, %zu matched, %zu diverged (%zu listed "
      "deviations)",
      t_.name.c_str(), target_.name().c_str(), requests_, compared_, matched_, unknown + known, known);
  if (extra_) std::printf(", %zu replies without a recorded counterpart", extra_);
  if (refused_) std::printf(", %zu not sent (refused by the recorded server)", refused_);
  std::printf("\n");
  return unknown || !inv.empty() ? 1 : 0;
}
std::string self_dir() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<std::size_t>(n));
  return p.substr(0, p.find_last_of('/'));
}

}  // namespace

int cmd_replay(const std::vector<std::string>& args) {
  std::string trace_path, target_spec, aname, devs_path, p9ref;
  bool have_aname = false, verbose = false, skip_unavailable = false;
  int timeout_ms = 10000;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto value = [&] { return option_value("replay", args, i); };
    const std::string& a = args[i];
    if (a == "--target")
      target_spec = value();
    else if (a == "--aname")
      aname = value(), have_aname = true;
    else if (a == "--deviations")
      devs_path = value();
    else if (a == "--p9ref")
      p9ref = value();
    else if (a == "--timeout-ms")
      timeout_ms = std::atoi(value().c_str());
    else if (a == "--verbose" || a == "-v")
      verbose = true;
    else if (a == "--skip-unavailable")
      skip_unavailable = true;
    else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "p9trace replay: unknown option %s\n", a.c_str());
      return 2;
    } else
      trace_path = a;
  }
  if (trace_path.empty() || target_spec.empty()) {
    std::fprintf(
        stderr,
        "usage: p9trace replay TRACE --target inprocess:model|inprocess:posix|inprocess:opfs|p9ref:model|p9ref:posix|p9ref:opfs|diod|"
        "tcp:HOST:PORT|unix:PATH [--aname A] [--deviations FILE] [--p9ref PATH] [--timeout-ms N] "
        "[--verbose] [--skip-unavailable]\n");
    return 2;
  }
  Trace t;
  if (!read_trace_or_say("replay", trace_path, &t)) return 2;
  std::string error;
  std::vector<Deviation> devs;
  if (!devs_path.empty()) {
    if (!read_deviations(devs_path, &devs, &error)) {
      std::fprintf(stderr, "p9trace replay: %s\n", error.c_str());
      return 2;
    }
  }
  ::setenv("P9_TARGET", target_spec.c_str(), 1);
  if (have_aname) ::setenv("P9_ANAME", aname.c_str(), 1);
  if (p9ref.empty() && !std::getenv("P9REF")) p9ref = self_dir() + "/p9ref";
  if (!p9ref.empty()) ::setenv("P9REF", p9ref.c_str(), 1);
  auto target = conformance::make_target_from_env(&error);
  if (!target) {
    std::printf("%s: target %s unavailable: %s\n", skip_unavailable ? "SKIP" : "error", target_spec.c_str(),
                error.c_str());
    return skip_unavailable ? 77 : 2;
  }
  if (!have_aname) aname = target->aname();
  Replayer r(t, *target, aname, std::move(devs), timeout_ms, verbose);
  return r.run();
}

}  // namespace p9::trace
