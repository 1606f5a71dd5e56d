// p9trace reduce: from a trace that diverges on a target to a few requests
// that diverge the same way (traces/FORMAT.md, "Reduce").
//
// Delta debugging (Zeller and Hildebrandt, "Simplifying and Isolating
// Failure-Inducing Input", IEEE TSE 28(2), 2002: ddmin) over the recorded
// requests, with one constraint: a request stays only with the requests it
// depends on (the Tversion of its connection, the requests that made the
// fids it names and opened them, the ones that created the names it walks,
// unlinks or renames, the request a Tflush names). Removing a request removes
// everything that depends on it; a candidate is kept when its first
// unlisted divergence on the target has the same kind (divergence_kind) and
// it replays clean on the reference.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "conformance/diff/normalize.h"
#include "reference/codec/printer.h"
#include "spec/linux.h"
#include "traces/p9trace/commands.h"
#include "traces/p9trace/replay.h"
#include "traces/p9trace/trace.h"

namespace p9::trace {

namespace {

using Set = std::vector<std::size_t>;  // request indices, increasing

// The trace with one fid number per fid: Linux reuses a number as soon as it
// is clunked, which would tie every later use of the number to the clunk
// (the server refuses a newfid in use). Each Tattach, Twalk and Txattrwalk
// that makes a fid gets a number of its own (per connection, from 1); the
// requests that use it follow.
Trace renumber_fids(const Trace& in) {
  Trace t = in;
  std::map<std::pair<int, std::uint32_t>, std::uint32_t> now;  // (conn, recorded fid) -> new
  std::map<int, std::uint32_t> next;
  for (Record& r : t.records) {
    if (!r.from_client || !r.decoded.ok()) continue;
    Frame& f = r.decoded.frame;
    auto fresh = [&](std::uint32_t& fid) {
      std::uint32_t& n = next[r.conn];
      fid = now[{r.conn, fid}] = ++n;
    };
    auto use = [&](std::uint32_t& fid) {
      if (auto it = now.find({r.conn, fid}); it != now.end()) fid = it->second;
    };
    if (auto* a = std::get_if<msg::Tattach>(&f.body)) {
      fresh(a->fid);
    } else if (auto* w = std::get_if<msg::Twalk>(&f.body)) {
      bool same = w->fid == w->newfid;
      use(w->fid);
      if (same)
        w->newfid = w->fid;
      else
        fresh(w->newfid);
    } else if (auto* x = std::get_if<msg::Txattrwalk>(&f.body)) {
      use(x->fid);
      fresh(x->newfid);
    } else {
      std::visit(
          [&](auto& m) {
            if constexpr (!std::is_same_v<std::decay_t<decltype(m)>, std::monostate>)
              msg::visit_fields(m, [&](const char*, auto& v, auto k) {
                if constexpr (std::is_same_v<decltype(k), kind::fid>)
                  if (v != NOFID) use(v);
              });
          },
          f.body);
    }
    r.bytes = encode(f);
  }
  return t;
}

// Direct dependencies of every request (record indices), from the recording.
std::vector<Set> dependencies(const Trace& t) {
  std::vector<Set> deps(t.records.size());
  const std::vector<std::size_t> reply_of = reply_index(t);
  using Fid = std::pair<int, std::uint32_t>;
  std::map<int, std::size_t> version;     // conn -> its Tversion
  std::map<Fid, Set> fid_state;           // the requests that made the fid what it is
  std::map<Fid, std::uint64_t> fid_path;  // recorded qid.path
  std::map<std::pair<std::uint64_t, std::string>, std::size_t> name_maker;  // (dir, name) -> creator
  std::map<std::pair<int, std::uint16_t>, std::size_t> last_tag;
  for (const Record& r : t.records) {
    if (!r.from_client || !r.decoded.ok()) continue;
    const int conn = r.conn;
    Set& d = deps[r.index];
    const Message& m = r.decoded.frame.body;
    const Message* reply = reply_of[r.index] != kNone && t.records[reply_of[r.index]].decoded.ok()
                               ? &t.records[reply_of[r.index]].decoded.frame.body
                               : nullptr;
    auto use_fid = [&](std::uint32_t f) {
      auto it = fid_state.find({conn, f});
      if (it != fid_state.end()) d.insert(d.end(), it->second.begin(), it->second.end());
    };
    auto use_name = [&](std::uint32_t dirfid, const std::string& name) {
      auto p = fid_path.find({conn, dirfid});
      if (p == fid_path.end()) return;
      if (auto it = name_maker.find({p->second, name}); it != name_maker.end()) d.push_back(it->second);
    };
    auto make_name = [&](std::uint32_t dirfid, const std::string& name) {
      if (auto p = fid_path.find({conn, dirfid}); p != fid_path.end())
        name_maker[{p->second, name}] = r.index;
    };
    if (std::holds_alternative<msg::Tversion>(m)) {
      version[conn] = r.index;
    } else if (auto it = version.find(conn); it != version.end()) {
      d.push_back(it->second);
    }
    // Every fid the request names, as it is now.
    std::visit(
        [&](const auto& x) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(x)>, std::monostate>)
            msg::visit_fields(x, [&](const char* name, const auto& v, auto k) {
              if constexpr (std::is_same_v<decltype(k), kind::fid>)
                if (std::string_view(name) != "newfid") use_fid(v);
            });
        },
        m);
    if (auto* f = std::get_if<msg::Tflush>(&m)) {
      if (auto it = last_tag.find({conn, f->oldtag}); it != last_tag.end()) d.push_back(it->second);
    }
    last_tag[{conn, r.decoded.frame.tag}] = r.index;
    // What the request makes: fids, opened fids, names.
    bool ok = reply && !std::holds_alternative<msg::Rlerror>(*reply);
    if (auto* a = std::get_if<msg::Tattach>(&m)) {
      fid_state[{conn, a->fid}] = {r.index};
      if (ok) fid_path[{conn, a->fid}] = std::get<msg::Rattach>(*reply).qid.path;
    } else if (auto* w = std::get_if<msg::Twalk>(&m)) {
      auto p = fid_path.find({conn, w->fid});
      std::uint64_t dir = p == fid_path.end() ? ~0ull : p->second;
      const std::vector<Qid>* q = ok ? &std::get<msg::Rwalk>(*reply).wqid : nullptr;
      for (std::size_t k = 0; k < w->wname.size(); ++k) {
        if (auto it = name_maker.find({dir, w->wname[k]}); it != name_maker.end()) d.push_back(it->second);
        dir = q && k < q->size() ? (*q)[k].path : ~0ull;
      }
      Set state = fid_state[{conn, w->fid}];
      state.push_back(r.index);
      fid_state[{conn, w->newfid}] = state;
      if (q && q->size() == w->wname.size())
        fid_path[{conn, w->newfid}] = w->wname.empty() ? (p == fid_path.end() ? ~0ull : p->second) : dir;
    } else if (auto* x = std::get_if<msg::Txattrwalk>(&m)) {
      Set state = fid_state[{conn, x->fid}];
      state.push_back(r.index);
      fid_state[{conn, x->newfid}] = state;
    } else if (auto* o = std::get_if<msg::Tlopen>(&m)) {
      fid_state[{conn, o->fid}].push_back(r.index);
    } else if (auto* c = std::get_if<msg::Tlcreate>(&m)) {
      make_name(c->fid, c->name);
      fid_state[{conn, c->fid}].push_back(r.index);
      if (ok) fid_path[{conn, c->fid}] = std::get<msg::Rlcreate>(*reply).qid.path;
    } else if (auto* xc = std::get_if<msg::Txattrcreate>(&m)) {
      fid_state[{conn, xc->fid}].push_back(r.index);
    } else if (auto* rd = std::get_if<msg::Treaddir>(&m)) {
      if (rd->offset != 0) fid_state[{conn, rd->fid}].push_back(r.index);  // cookies of the earlier batches
    } else if (auto* mk = std::get_if<msg::Tmkdir>(&m)) {
      make_name(mk->dfid, mk->name);
    } else if (auto* s = std::get_if<msg::Tsymlink>(&m)) {
      make_name(s->fid, s->name);
    } else if (auto* n = std::get_if<msg::Tmknod>(&m)) {
      make_name(n->dfid, n->name);
    } else if (auto* l = std::get_if<msg::Tlink>(&m)) {
      make_name(l->dfid, l->name);
    } else if (auto* u = std::get_if<msg::Tunlinkat>(&m)) {
      use_name(u->dirfid, u->name);
    } else if (auto* rn = std::get_if<msg::Trename>(&m)) {
      make_name(rn->dfid, rn->name);
    } else if (auto* ra = std::get_if<msg::Trenameat>(&m)) {
      use_name(ra->olddirfid, ra->oldname);
      // The moved file keeps what it had; its new name is made here.
      make_name(ra->newdirfid, ra->newname);
    }
    std::sort(d.begin(), d.end());
    d.erase(std::unique(d.begin(), d.end()), d.end());
    d.erase(std::remove(d.begin(), d.end(), r.index), d.end());
  }
  return deps;
}

// The requests of s (and their replies, each right after its request) as a
// trace of their own: what the simplifications edit.
Trace compact(const Trace& t, const Set& s) {
  const std::vector<std::size_t> reply_of = reply_index(t);
  Trace out;
  out.name = t.name;
  out.meta = t.meta;
  for (std::size_t i : s) {
    out.records.push_back(t.records[i]);
    if (reply_of[i] != kNone) out.records.push_back(t.records[reply_of[i]]);
  }
  for (std::size_t k = 0; k < out.records.size(); ++k) out.records[k].index = k;
  return out;
}

// Sets a record's frame (and its bytes).
void set_frame(Record& r, Frame f) {
  r.bytes = encode(f);
  r.decoded = decode(r.bytes, r.from_client ? Expect::Request : Expect::Reply, 0xFFFFFFFFu);
}

// Applies f to every fid field of a request but newfid.
template <class F>
void for_each_used_fid(Message& m, F&& f) {
  std::visit(
      [&](auto& x) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(x)>, std::monostate>)
          msg::visit_fields(x, [&](const char* name, auto& v, auto k) {
            if constexpr (std::is_same_v<decltype(k), kind::fid>)
              if (std::string_view(name) != "newfid") f(v);
          });
      },
      m);
}

// A compact trace's walk with its whole recorded reply: its position, or null.
struct FullWalk {
  const msg::Twalk* walk = nullptr;
  const msg::Rwalk* reply = nullptr;
};
FullWalk full_walk(const Trace& t, std::size_t k) {
  const Record& q = t.records[k];
  if (!q.from_client || !q.decoded.ok() || k + 1 >= t.records.size()) return {};
  auto* w = std::get_if<msg::Twalk>(&q.decoded.frame.body);
  const Record& r = t.records[k + 1];
  auto* rw = r.decoded.ok() && !r.from_client ? std::get_if<msg::Rwalk>(&r.decoded.frame.body) : nullptr;
  if (!w || !rw || rw->wqid.size() != w->wname.size() || w->fid == w->newfid) return {};
  return {w, rw};
}

// A rename undone: the compact trace without the rename at k, later walks
// naming the new name name the old one instead (the file is the same; the
// test says whether the outcome is). Trename's old name is the last name of
// the walk that made its fid.
std::optional<Trace> undo_rename(const Trace& t, std::size_t k) {
  const Record& q = t.records[k];
  if (!q.from_client || !q.decoded.ok()) return std::nullopt;
  std::string from, to;
  if (auto* r = std::get_if<msg::Trename>(&q.decoded.frame.body)) {
    for (std::size_t e = 0; e < k; ++e)
      if (FullWalk w = full_walk(t, e);
          w.walk && t.records[e].conn == q.conn && w.walk->newfid == r->fid && !w.walk->wname.empty())
        from = w.walk->wname.back();
    to = r->name;
  } else if (auto* ra = std::get_if<msg::Trenameat>(&q.decoded.frame.body)) {
    from = ra->oldname, to = ra->newname;
  }
  if (from.empty() || from == to) return std::nullopt;
  Trace c = t;
  for (std::size_t u = k + 1; u < c.records.size(); ++u) {
    Record& r = c.records[u];
    if (!r.from_client || r.conn != q.conn || !r.decoded.ok()) continue;
    if (!std::holds_alternative<msg::Twalk>(r.decoded.frame.body)) continue;
    Frame f = r.decoded.frame;
    for (std::string& n : std::get<msg::Twalk>(f.body).wname)
      if (n == to) n = from;
    if (!(f == r.decoded.frame)) set_frame(r, f);
  }
  std::size_t n = k + 1 < c.records.size() && !c.records[k + 1].from_client ? 2 : 1;
  c.records.erase(c.records.begin() + static_cast<std::ptrdiff_t>(k),
                  c.records.begin() + static_cast<std::ptrdiff_t>(k + n));
  for (std::size_t j = 0; j < c.records.size(); ++j) c.records[j].index = j;
  return c;
}

// Removes the request at k of a compact trace and its reply (right after it).
void erase_exchange(Trace& c, std::size_t k) {
  std::size_t n = k + 1 < c.records.size() && !c.records[k + 1].from_client ? 2 : 1;
  c.records.erase(c.records.begin() + static_cast<std::ptrdiff_t>(k),
                  c.records.begin() + static_cast<std::ptrdiff_t>(k + n));
  for (std::size_t j = 0; j < c.records.size(); ++j) c.records[j].index = j;
}

// True when a request names `name` as an entry it makes, removes or renames.
bool names_entry(const Message& m, const std::string& name) {
  bool hit = false;
  std::visit(
      [&](const auto& x) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(x)>, std::monostate>)
          msg::visit_fields(x, [&](const char* field, const auto& v, auto k) {
            if constexpr (std::is_same_v<decltype(k), kind::str>) {
              const std::string_view f(field);
              if ((f == "name" || f == "oldname" || f == "newname") && v == name) hit = true;
            }
          });
      },
      m);
  return hit;
}

// A walk (any conn) whose recorded qids are edited by `edit(names, qids)`;
// false when a walk that `touches` cannot be edited (no whole recorded reply,
// or a walk in place).
template <class Touches, class Edit>
bool edit_walks(Trace& c, std::size_t from, Touches touches, Edit edit) {
  for (std::size_t u = from; u < c.records.size(); ++u) {
    const Record& r = c.records[u];
    if (!r.from_client || !r.decoded.ok()) continue;
    const auto* w = std::get_if<msg::Twalk>(&r.decoded.frame.body);
    if (!w || !touches(*w)) continue;
    FullWalk x = full_walk(c, u);
    if (!x.walk) return false;
    msg::Twalk nw = *x.walk;
    msg::Rwalk nr = *x.reply;
    edit(nw.wname, nr.wqid);
    set_frame(c.records[u], Frame{r.decoded.frame.tag, nw});
    set_frame(c.records[u + 1], Frame{c.records[u + 1].decoded.frame.tag, nr});
  }
  return true;
}

// The names a compact trace walks, makes, links, unlinks or renames in each
// directory (by recorded qid.path), and the directory each Tmkdir makes its
// directory in (by record index).
struct DirNames {
  std::map<std::uint64_t, std::set<std::string>> in;
  std::map<std::size_t, std::uint64_t> mkdir_parent;
};
DirNames dir_names(const Trace& t) {
  DirNames d;
  std::map<std::pair<int, std::uint32_t>, std::uint64_t> path;  // fid -> recorded qid.path
  for (std::size_t u = 0; u < t.records.size(); ++u) {
    const Record& r = t.records[u];
    if (!r.from_client || !r.decoded.ok()) continue;
    const Record* rep =
        u + 1 < t.records.size() && !t.records[u + 1].from_client && t.records[u + 1].decoded.ok()
            ? &t.records[u + 1]
            : nullptr;
    const Message& m = r.decoded.frame.body;
    auto dir_of = [&](std::uint32_t fid) {
      auto it = path.find({r.conn, fid});
      return it == path.end() ? ~0ull : it->second;
    };
    auto name_in = [&](std::uint32_t fid, const std::string& name) { d.in[dir_of(fid)].insert(name); };
    if (auto* a = std::get_if<msg::Tattach>(&m)) {
      if (auto* ra = rep ? std::get_if<msg::Rattach>(&rep->decoded.frame.body) : nullptr)
        path[{r.conn, a->fid}] = ra->qid.path;
    } else if (auto* w = std::get_if<msg::Twalk>(&m)) {
      const auto* rw = rep ? std::get_if<msg::Rwalk>(&rep->decoded.frame.body) : nullptr;
      std::uint64_t cur = dir_of(w->fid);
      for (std::size_t i = 0; i < w->wname.size(); ++i) {
        d.in[cur].insert(w->wname[i]);
        cur = rw && i < rw->wqid.size() ? rw->wqid[i].path : ~0ull;
      }
      if (rw && rw->wqid.size() == w->wname.size()) path[{r.conn, w->newfid}] = cur;
    } else if (auto* l = std::get_if<msg::Tlcreate>(&m)) {
      name_in(l->fid, l->name);
      if (auto* rl = rep ? std::get_if<msg::Rlcreate>(&rep->decoded.frame.body) : nullptr)
        path[{r.conn, l->fid}] = rl->qid.path;
    } else if (auto* mk = std::get_if<msg::Tmkdir>(&m)) {
      name_in(mk->dfid, mk->name);
      d.mkdir_parent[u] = dir_of(mk->dfid);
    } else if (auto* sy = std::get_if<msg::Tsymlink>(&m)) {
      name_in(sy->fid, sy->name);
    } else if (auto* mn = std::get_if<msg::Tmknod>(&m)) {
      name_in(mn->dfid, mn->name);
    } else if (auto* ln = std::get_if<msg::Tlink>(&m)) {
      name_in(ln->dfid, ln->name);
    } else if (auto* un = std::get_if<msg::Tunlinkat>(&m)) {
      name_in(un->dirfid, un->name);
    } else if (auto* rn = std::get_if<msg::Trename>(&m)) {
      name_in(rn->dfid, rn->name);
    } else if (auto* ra = std::get_if<msg::Trenameat>(&m)) {
      name_in(ra->olddirfid, ra->oldname);
      name_in(ra->newdirfid, ra->newname);
    }
  }
  return d;
}

// A directory hoisted away: the compact trace without the Tmkdir at k, its
// entries made in its parent instead. Every walk through it skips its name
// (and its recorded qid), so fids that were on it are on the parent. Only
// when nothing else names it, no walk goes back up ("..") and no name used in
// it is used in the parent too (which would make two entries one).
std::optional<Trace> hoist_dir(const Trace& t, std::size_t k) {
  const Record& q = t.records[k];
  const auto* mk =
      q.from_client && q.decoded.ok() ? std::get_if<msg::Tmkdir>(&q.decoded.frame.body) : nullptr;
  const Record* r = k + 1 < t.records.size() ? &t.records[k + 1] : nullptr;
  const auto* rm =
      r && !r->from_client && r->decoded.ok() ? std::get_if<msg::Rmkdir>(&r->decoded.frame.body) : nullptr;
  if (!mk || !rm) return std::nullopt;
  const std::string name = mk->name;
  const std::uint64_t dir = rm->qid.path;
  DirNames used = dir_names(t);
  const std::set<std::string>& inside = used.in[dir];
  for (const std::string& n : used.in[used.mkdir_parent[k]])
    if (n != name && inside.count(n)) return std::nullopt;
  for (std::size_t u = 0; u < t.records.size(); ++u) {
    const Record& x = t.records[u];
    if (u == k || !x.from_client || !x.decoded.ok()) continue;
    if (names_entry(x.decoded.frame.body, name)) return std::nullopt;
    if (const auto* w = std::get_if<msg::Twalk>(&x.decoded.frame.body))
      for (const std::string& n : w->wname)
        if (n == "..") return std::nullopt;
  }
  Trace c = t;
  bool walked = false;
  auto through = [&](const msg::Twalk& w) {
    return std::find(w.wname.begin(), w.wname.end(), name) != w.wname.end();
  };
  bool ok = edit_walks(c, k + 2, through, [&](std::vector<std::string>& names, std::vector<Qid>& qids) {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == name && qids[i].path == dir) {
        names.erase(names.begin() + static_cast<std::ptrdiff_t>(i));
        qids.erase(qids.begin() + static_cast<std::ptrdiff_t>(i));
        walked = true;
        return;
      }
  });
  if (!ok || !walked) return std::nullopt;
  erase_exchange(c, k);
  return c;
}

// A clone dropped: a walk of no names P->N at k, N used in place of nothing
// but as a directory or a walk's start, becomes P in those requests.
std::optional<Trace> drop_clone(const Trace& t, std::size_t k) {
  FullWalk w = full_walk(t, k);
  if (!w.walk || !w.walk->wname.empty()) return std::nullopt;
  const std::uint32_t p = w.walk->fid, n = w.walk->newfid;
  const int conn = t.records[k].conn;
  Trace c = t;
  for (std::size_t u = k + 2; u < c.records.size(); ++u) {
    Record& r = c.records[u];
    if (!r.from_client || r.conn != conn || !r.decoded.ok()) continue;
    const Message& m = r.decoded.frame.body;
    // Requests that change the fid they name: neither N (P would change) nor P (N's uses need it as it was).
    std::uint32_t changed = ~0u;
    if (auto* o = std::get_if<msg::Tlopen>(&m)) changed = o->fid;
    if (auto* l = std::get_if<msg::Tlcreate>(&m)) changed = l->fid;
    if (auto* x = std::get_if<msg::Txattrcreate>(&m)) changed = x->fid;
    if (auto* cl = std::get_if<msg::Tclunk>(&m)) changed = cl->fid;
    if (auto* rm = std::get_if<msg::Tremove>(&m)) changed = rm->fid;
    if (auto* ww = std::get_if<msg::Twalk>(&m); ww && ww->fid == ww->newfid) changed = ww->fid;
    if (changed == p || changed == n) return std::nullopt;
    Frame f = r.decoded.frame;
    bool uses = false;
    for_each_used_fid(f.body, [&](std::uint32_t& fid) {
      if (fid == n) fid = p, uses = true;
    });
    if (uses) set_frame(r, f);
  }
  erase_exchange(c, k);
  return c;
}

// A rename into a directory flattened: Trename(F, G, name) at k, G walked to
// a directory B used for nothing else, becomes a rename of F over B itself
// (G walked to B's parent, the new name B's), and later walks through
// B/name walk through B's name alone. Renaming a directory over an empty
// one replaces it (rename(2)); the test says whether B was empty.
std::optional<Trace> flatten_rename(const Trace& t, std::size_t k) {
  const Record& q = t.records[k];
  const auto* rn =
      q.from_client && q.decoded.ok() ? std::get_if<msg::Trename>(&q.decoded.frame.body) : nullptr;
  if (!rn) return std::nullopt;
  std::size_t g = kNone, f = kNone;
  for (std::size_t e = 0; e < k; ++e)
    if (FullWalk w = full_walk(t, e); w.walk && t.records[e].conn == q.conn) {
      if (w.walk->newfid == rn->dfid) g = e;
      if (w.walk->newfid == rn->fid) f = e;
    }
  if (g == kNone || f == kNone) return std::nullopt;
  FullWalk gw = full_walk(t, g), fw = full_walk(t, f);
  if (gw.walk->wname.empty() || fw.walk->wname.empty()) return std::nullopt;
  for (std::size_t u = g + 2; u < t.records.size(); ++u) {  // G serves this rename only
    const Record& r = t.records[u];
    if (u == k || !r.from_client || r.conn != q.conn || !r.decoded.ok()) continue;
    bool uses = false;
    Message m = r.decoded.frame.body;
    for_each_used_fid(m, [&](std::uint32_t& fid) { uses |= fid == rn->dfid; });
    if (uses) return std::nullopt;
  }
  const std::string b_name = gw.walk->wname.back(), moved_name = rn->name;
  const std::uint64_t b = gw.reply->wqid.back().path, a = fw.reply->wqid.back().path;
  Trace c = t;
  msg::Twalk nw = *gw.walk;
  msg::Rwalk nr = *gw.reply;
  nw.wname.pop_back();
  nr.wqid.pop_back();
  set_frame(c.records[g], Frame{t.records[g].decoded.frame.tag, nw});
  set_frame(c.records[g + 1], Frame{t.records[g + 1].decoded.frame.tag, nr});
  msg::Trename r2 = *rn;
  r2.name = b_name;
  set_frame(c.records[k], Frame{q.decoded.frame.tag, r2});
  bool walked = false;
  auto through = [&](const msg::Twalk& w) {
    return std::find(w.wname.begin(), w.wname.end(), moved_name) != w.wname.end();
  };
  bool ok = edit_walks(c, k + 1, through, [&](std::vector<std::string>& names, std::vector<Qid>& qids) {
    for (std::size_t i = 0; i + 1 < names.size(); ++i)
      if (qids[i].path == b && names[i + 1] == moved_name && qids[i + 1].path == a) {
        names.erase(names.begin() + static_cast<std::ptrdiff_t>(i + 1));
        qids.erase(qids.begin() + static_cast<std::ptrdiff_t>(i));
        walked = true;
        return;
      }
  });
  if (!ok || !walked) return std::nullopt;
  return c;
}

// Simplifications of a compact trace that keep what the server is asked:
// - join: a walk P->N whose fid N is used only by walks N->M becomes part of
//   each of them (P->M with both name lists, both qid lists as the reply);
// - share: a second walk P->N2 with the same names (and recorded qids) as an
//   earlier P->N1 goes, and N1 is used in its place;
// - a rename undone (undo_rename);
// - a rename into a directory made a rename over it (flatten_rename), a
//   directory hoisted away (hoist_dir), a clone walk dropped (drop_clone):
//   shorter paths, so fewer requests to make them.
// Each candidate is tested like a ddmin step, so one that changes the outcome
// is not kept.
std::vector<Trace> simplifications(const Trace& t) {
  std::vector<Trace> out;
  for (std::size_t k = 0; k < t.records.size(); ++k) {
    if (auto undone = undo_rename(t, k)) out.push_back(std::move(*undone));
    if (auto flat = flatten_rename(t, k)) out.push_back(std::move(*flat));
    if (auto hoisted = hoist_dir(t, k)) out.push_back(std::move(*hoisted));
    if (auto dropped = drop_clone(t, k)) out.push_back(std::move(*dropped));
    FullWalk w = full_walk(t, k);
    if (!w.walk) continue;
    const int conn = t.records[k].conn;
    // join
    std::vector<std::size_t> uses;
    bool only_walks = true;
    for (std::size_t u = k + 2; u < t.records.size(); ++u) {
      const Record& r = t.records[u];
      if (!r.from_client || r.conn != conn || !r.decoded.ok()) continue;
      bool uses_n = false;
      Message m = r.decoded.frame.body;
      for_each_used_fid(m, [&](std::uint32_t& f) { uses_n |= f == w.walk->newfid; });
      if (!uses_n) continue;
      FullWalk x = full_walk(t, u);
      if (!x.walk || x.walk->fid != w.walk->newfid || w.walk->wname.size() + x.walk->wname.size() > MAXWELEM)
        only_walks = false;
      uses.push_back(u);
    }
    if (only_walks && !uses.empty()) {
      Trace c = t;
      for (std::size_t u : uses) {
        FullWalk x = full_walk(t, u);
        msg::Twalk nw = *x.walk;
        nw.fid = w.walk->fid;
        nw.wname.insert(nw.wname.begin(), w.walk->wname.begin(), w.walk->wname.end());
        msg::Rwalk nr = *x.reply;
        nr.wqid.insert(nr.wqid.begin(), w.reply->wqid.begin(), w.reply->wqid.end());
        set_frame(c.records[u], Frame{t.records[u].decoded.frame.tag, nw});
        set_frame(c.records[u + 1], Frame{t.records[u + 1].decoded.frame.tag, nr});
      }
      c.records.erase(c.records.begin() + static_cast<std::ptrdiff_t>(k),
                      c.records.begin() + static_cast<std::ptrdiff_t>(k + 2));
      for (std::size_t j = 0; j < c.records.size(); ++j) c.records[j].index = j;
      out.push_back(std::move(c));
    }
    // share
    for (std::size_t e = 0; e < k; ++e) {
      FullWalk v = full_walk(t, e);
      if (!v.walk || t.records[e].conn != conn || v.walk->fid != w.walk->fid ||
          v.walk->wname != w.walk->wname || v.reply->wqid != w.reply->wqid)
        continue;
      Trace c = t;
      for (std::size_t u = k + 2; u < c.records.size(); ++u) {
        Record& r = c.records[u];
        if (!r.from_client || r.conn != conn || !r.decoded.ok()) continue;
        Frame f = r.decoded.frame;
        bool changed = false;
        for_each_used_fid(f.body, [&](std::uint32_t& fid) {
          if (fid == w.walk->newfid) fid = v.walk->newfid, changed = true;
        });
        if (changed) set_frame(r, f);
      }
      c.records.erase(c.records.begin() + static_cast<std::ptrdiff_t>(k),
                      c.records.begin() + static_cast<std::ptrdiff_t>(k + 2));
      for (std::size_t j = 0; j < c.records.size(); ++j) c.records[j].index = j;
      out.push_back(std::move(c));
    }
  }
  return out;
}

Set requests_of(const Trace& t) {
  Set s;
  for (const Record& r : t.records)
    if (r.from_client) s.push_back(r.index);
  return s;
}

class Reducer {
 public:
  Reducer(const Trace& t, const TargetSpec& target, const TargetSpec& reference, ReplayOptions o,
          std::size_t max)
      : t_(t), target_(target), reference_(reference), o_(std::move(o)), max_(max), deps_(dependencies(t)) {}

  int run(const std::string& prefix);

 private:
  // Replays the requests s of t on a fresh target; its result.
  ReplayResult replay_on(const TargetSpec& spec, const Trace& t, const Set& s, bool replies,
                         std::string* error);
  // s still diverges the same way on the target and replays clean on the reference.
  bool test(const Trace& t, const Set& s);
  Set without(const Set& s, const Set& chunk) const;  // and everything that depends on the chunk
  // ddmin on s; false when it stopped at the bound on replays.
  bool ddmin(Set& s);
  // One accepted simplification of t_ (which then holds it); false when none is.
  bool simplify();
  bool bounded() const { return replays_ + 2 > max_; }
  void write_outputs(const std::string& prefix);

  Trace t_;
  const std::size_t original_frames_ = t_.records.size();
  TargetSpec target_, reference_;
  ReplayOptions o_;
  std::size_t max_;
  std::vector<Set> deps_;
  std::string kind_;
  std::size_t replays_ = 0;
  std::set<Set> tried_;
  std::string target_name_;
};

ReplayResult Reducer::replay_on(const TargetSpec& spec, const Trace& t, const Set& s, bool replies,
                                std::string* error) {
  auto target = make_replay_target(spec, error);
  if (!target) return {};
  if (&spec == &target_) target_name_ = target->name();
  std::vector<bool> keep(t.records.size(), false);
  for (std::size_t i : s) keep[i] = true;
  ReplayOptions o = o_;
  o.aname = spec.have_aname ? spec.aname : target->aname();
  o.keep = &keep;
  o.quiet = true;
  o.stop_at_first = true;
  o.keep_replies = replies;
  ++replays_;
  return replay(t, *target, o);
}

bool Reducer::test(const Trace& t, const Set& s) {
  std::string error;
  ReplayResult r = replay_on(target_, t, s, false, &error);
  if (!error.empty()) {
    std::printf("  replay %zu: the target failed: %s\n", replays_, error.c_str());
    return false;
  }
  const Divergence* d = r.first_unknown();
  if (!d || divergence_kind(t, *d) != kind_) return false;
  ReplayResult ref = replay_on(reference_, t, s, false, &error);
  return error.empty() && !ref.first_unknown();
}

Set Reducer::without(const Set& s, const Set& chunk) const {
  std::vector<bool> gone(t_.records.size(), false);
  for (std::size_t i : chunk) gone[i] = true;
  Set out;
  for (std::size_t i : s) {  // dependencies point backwards: one pass in order
    if (gone[i]) continue;
    bool orphan = false;
    for (std::size_t dep : deps_[i]) orphan |= gone[dep];
    if (orphan)
      gone[i] = true;
    else
      out.push_back(i);
  }
  return out;
}

bool Reducer::ddmin(Set& s) {
  // Complements first: the complement of one chunk, closed under dependencies.
  std::size_t n = 2;
  while (s.size() >= 2) {
    n = std::min(n, s.size());
    bool reduced = false;
    for (std::size_t k = 0; k < n && !reduced; ++k) {
      if (bounded()) return false;
      Set chunk(s.begin() + static_cast<std::ptrdiff_t>(s.size() * k / n),
                s.begin() + static_cast<std::ptrdiff_t>(s.size() * (k + 1) / n));
      Set cand = without(s, chunk);
      if (cand.size() == s.size() || cand.empty() || !tried_.insert(cand).second || !test(t_, cand)) continue;
      s = std::move(cand);
      n = std::max<std::size_t>(n - 1, 2);
      reduced = true;
      std::printf("  %zu requests (replays: %zu)\n", s.size(), replays_);
      std::fflush(stdout);
    }
    if (!reduced) {
      if (n >= s.size()) break;
      n = std::min(n * 2, s.size());
    }
  }
  return true;
}

bool Reducer::simplify() {
  for (Trace& c : simplifications(t_)) {
    if (bounded()) return false;
    Set all = requests_of(c);
    if (!test(c, all)) continue;
    t_ = std::move(c);
    std::printf("  %zu requests, simplified (replays: %zu)\n", all.size(), replays_);
    std::fflush(stdout);
    return true;
  }
  return false;
}

int Reducer::run(const std::string& prefix) {
  auto t0 = std::chrono::steady_clock::now();
  Set all = requests_of(t_);
  std::string error;
  ReplayResult first = replay_on(target_, t_, all, false, &error);
  if (!error.empty()) {
    std::fprintf(stderr, "p9trace reduce: target unavailable: %s\n", error.c_str());
    return 2;
  }
  const Divergence* d = first.first_unknown();
  if (!d) {
    std::fprintf(stderr,
                 "p9trace reduce: %s replays without an unlisted divergence on %s: nothing to reduce\n",
                 t_.name.c_str(), target_name_.c_str());
    return 1;
  }
  kind_ = divergence_kind(t_, *d);
  std::printf("reduce %s on %s: first divergence at request #%zu: %s\n", t_.name.c_str(),
              target_name_.c_str(), d->req, kind_.c_str());
  // Nothing after the divergent request matters to it.
  Set s;
  for (std::size_t i : all)
    if (i <= d->req) s.push_back(i);
  ReplayResult ref = replay_on(reference_, t_, s, false, &error);
  if (!error.empty() || ref.first_unknown()) {
    std::fprintf(
        stderr, "p9trace reduce: the trace up to #%zu does not replay clean on the reference %s: %s\n",
        d->req, reference_.spec.c_str(), error.empty() ? ref.first_unknown()->reason.c_str() : error.c_str());
    return 2;
  }
  std::printf("  %zu requests up to it (of %zu)\n", s.size(), all.size());
  // ddmin; then simplify the walks of what is left and reduce again, while that helps.
  bool done = ddmin(s);
  t_ = compact(t_, s);
  while (done && simplify()) {
    deps_ = dependencies(t_);
    tried_.clear();
    s = requests_of(t_);
    done = ddmin(s);
    t_ = compact(t_, s);
  }
  done = done && !bounded();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s: %zu requests, %zu replays, %.1f s%s\n",
              done ? "minimal" : "stopped at the bound on replays", requests_of(t_).size(), replays_, secs,
              done ? "" : " (--max-replays)");
  write_outputs(prefix);
  return 0;
}

std::string camel(const std::string& s) {
  std::string out;
  bool up = true;
  for (char ch : s) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch;
    up = false;
  }
  return out;
}

// One request as a C++ expression for the conformance case: fids offset by kFid.
std::string cpp_request(const Message& m) {
  std::string out = std::string("msg::") + msg_name(static_cast<std::uint8_t>(type_of(m))) + "{";
  auto fields = field_literals(m);
  std::vector<bool> is_fid;
  std::visit(
      [&](const auto& x) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(x)>, std::monostate>)
          msg::visit_fields(x, [&](const char*, const auto& v, auto k) {
            if constexpr (std::is_same_v<decltype(k), kind::fid>)
              is_fid.push_back(v != NOFID);
            else
              is_fid.push_back(false);
          });
      },
      m);
  for (std::size_t k = 0; k < fields.size(); ++k)
    out += (k ? ", ." : ".") + fields[k].first + " = " + (is_fid[k] ? "kFid + " : "") + fields[k].second;
  return out + "}";
}

void Reducer::write_outputs(const std::string& prefix) {
  std::string error;
  const Set s = requests_of(t_);
  ReplayResult on_target = replay_on(target_, t_, s, true, &error);
  ReplayResult on_ref = replay_on(reference_, t_, s, true, &error);
  const Divergence* d = on_target.first_unknown();
  std::set<std::size_t> kept(s.begin(), s.end());
  const std::vector<std::size_t> reply_of = reply_index(t_);
  std::set<std::size_t> frames = kept;
  for (std::size_t i : s)
    if (reply_of[i] != kNone) frames.insert(reply_of[i]);

  // 1. The trace, in the committed format.
  std::ofstream tr(prefix + ".trace");
  tr << "# p9trace: 1\n";
  for (const auto& [k, v] : t_.meta)
    if (k != "p9trace" && k != "frames") tr << "# " << k << ": " << v << "\n";
  tr << "# reduced-from: " << t_.name << " (" << original_frames_ << " frames)\n";
  tr << "# reduced-on: " << target_name_ << "\n";
  tr << "# note: fids renumbered, one number per fid; walks joined or shared where that changed nothing "
        "(p9trace reduce)\n";
  tr << "# divergence: " << kind_ << "\n";
  tr << "# frames: " << frames.size() << "\n";
  for (std::size_t i : frames) {
    const Record& r = t_.records[i];
    tr << format_record_line(r.conn, r.from_client, r.time, r.bytes.data(), r.bytes.size()) << "\n";
  }
  // 2. The transcript: each request, the recorded reply, the target's and the reference's.
  std::string text;
  std::size_t n = 0;
  for (std::size_t i : s) {
    const Record& r = t_.records[i];
    char head[64];
    std::snprintf(head, sizeof head, "%2zu conn %d -> ", ++n, r.conn);
    text += head + describe(r.decoded) + "\n";
    if (reply_of[i] != kNone)
      text += "       recorded  <- " + describe(t_.records[reply_of[i]].decoded) + "\n";
    auto a = on_target.replies.find(i), b = on_ref.replies.find(i);
    if (a != on_target.replies.end()) text += "       target    <- " + to_string(a->second) + "\n";
    if (b != on_ref.replies.end()) text += "       reference <- " + to_string(b->second) + "\n";
    if (d && d->req == i) text += "       ^ DIVERGES: " + kind_ + " (" + d->reason + ")\n";
  }
  std::ofstream(prefix + ".txt") << text;
  // 3. A conformance case (conformance/cases/*_test.cc style).
  std::string cc;
  cc += "// Reduced by p9trace reduce from " + t_.name + " (" + std::to_string(t_.records.size()) +
        " frames) to " + std::to_string(s.size()) + " requests,\n// diverging on " + target_name_ + ": " +
        kind_ +
        ".\n// The trace's fids are offset by kFid; its attach becomes a clone of the case directory.\n";
  cc += "struct Reduced : Fixture {};\n\n";
  cc += "TEST_F(Reduced, " + camel(t_.name) + camel(kind_).substr(0, 60) + ") {\n";
  cc +=
      "  P9_RULE(\"FILL IN: the rule this case checks\", \"FILL IN: its source (man page, spec "
      "section)\");\n";
  cc += "  constexpr std::uint32_t kFid = 100000;\n";
  std::map<int, std::string> conn_expr;
  std::map<int, std::string> conn_dir;
  std::size_t k = 0;
  for (std::size_t i : s) {
    const Record& r = t_.records[i];
    if (!r.decoded.ok()) {
      cc += "  // (an undecodable request was here: " + describe(r.decoded) + ")\n";
      continue;
    }
    if (!conn_expr.count(r.conn)) {
      if (conn_expr.empty()) {
        conn_expr[r.conn] = "c()";
        conn_dir[r.conn] = "dir()";
      } else {
        std::string v = "conn" + std::to_string(r.conn);
        cc += "  auto " + v + " = connect_as(0);  // the trace's connection " + std::to_string(r.conn) + "\n";
        conn_expr[r.conn] = v + ".client->";
        conn_dir[r.conn] = v + ".dir";
      }
    }
    std::string cl = conn_expr[r.conn] == "c()" ? "c()." : conn_expr[r.conn];
    const Message& m = r.decoded.frame.body;
    if (std::holds_alternative<msg::Tversion>(m)) continue;  // the fixture's connection is versioned
    const Record* rec = reply_of[i] != kNone ? &t_.records[reply_of[i]] : nullptr;
    std::string var = "r" + std::to_string(++k);
    std::string reply_type = msg_name(static_cast<std::uint8_t>(r.decoded.type + 1));
    if (auto* a = std::get_if<msg::Tattach>(&m)) {
      cc += "  auto " + var + " = " + cl + "call<msg::Rwalk>(msg::Twalk{" + conn_dir[r.conn] + ", kFid + " +
            std::to_string(a->fid) + ", {}});  // the trace's Tattach\n";
      cc += "  P9_EXPECT_OK(" + var + ");\n";
      continue;
    }
    cc += "  auto " + var + " = " + cl + "call<msg::" + reply_type + ">(" + cpp_request(m) + ");\n";
    if (rec) cc += "  // recorded: " + describe(rec->decoded) + "\n";
    bool divergent = d && d->req == i;
    if (divergent && d->actual) cc += "  // " + target_name_ + " (actual): " + to_string(*d->actual) + "\n";
    const msg::Rlerror* e =
        rec && rec->decoded.ok() ? std::get_if<msg::Rlerror>(&rec->decoded.frame.body) : nullptr;
    if (e) {
      const char* name = errno_name(e->ecode);
      cc += "  P9_EXPECT_ERRNO(" + var + ", " + std::string(name ? name + 1 : "?") + ");\n";
    } else {
      cc += "  P9_EXPECT_OK(" + var + ");\n";
    }
    if (divergent && !e && rec && rec->decoded.ok() && d->actual) {
      Message a = rec->decoded.frame.body, b = d->actual->body;
      diff::normalise(a);
      diff::normalise(b);
      auto fa = field_literals(a), fb = field_literals(b);
      if (fa.size() == fb.size() && type_of(a) == type_of(b)) {
        std::string checks;
        auto full = field_literals(rec->decoded.frame.body);
        for (std::size_t f = 0; f < fa.size(); ++f)
          if (fa[f].second != fb[f].second)
            checks += "    P9_EXPECT_EQ(" + var + "->" + fa[f].first + ", " + full[f].second +
                      ");  // actual " + field_literals(d->actual->body)[f].second + "\n";
        if (!checks.empty()) cc += "  if (" + var + ".ok()) {\n" + checks + "  }\n";
      }
    }
  }
  cc += "}\n";
  std::ofstream(prefix + ".cc") << cc;
  std::printf("\n%s\n%s\nwrote %s.trace, %s.txt, %s.cc\n", text.c_str(), cc.c_str(), prefix.c_str(),
              prefix.c_str(), prefix.c_str());
}

}  // namespace

int cmd_reduce(const std::vector<std::string>& args) {
  std::string trace_path, devs_path, prefix, ref_spec = "inprocess:model";
  TargetSpec ts;
  ReplayOptions o;
  std::size_t max_replays = 1000;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto value = [&] { return option_value("reduce", args, i); };
    const std::string& a = args[i];
    if (parse_target_option("reduce", args, i, &ts))
      continue;
    else if (a == "--deviations")
      devs_path = value();
    else if (a == "--reference")
      ref_spec = value();
    else if (a == "--max-replays")
      max_replays = std::strtoul(value().c_str(), nullptr, 10);
    else if (a == "--timeout-ms")
      o.timeout_ms = std::atoi(value().c_str());
    else if (a == "-o")
      prefix = value();
    else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "p9trace reduce: unknown option %s\n", a.c_str());
      return 2;
    } else
      trace_path = a;
  }
  if (trace_path.empty() || (ts.spec.empty() && ts.start.empty()) || max_replays < 2) {
    std::fprintf(
        stderr,
        "usage: p9trace reduce TRACE --target T|--start 'CMD {port} {export}' [--aname A] [--inprocess] "
        "[--profile ID]\n"
        "       [--reference T (default inprocess:model)] [--deviations FILE] [--max-replays N (default "
        "1000, at least 2)]\n"
        "       [--timeout-ms N] [-o PREFIX (default NAME-reduced: writes PREFIX.trace, .txt, .cc)]\n"
        "  T: %s\n",
        kTargetNames);
    return 2;
  }
  Trace t;
  if (!read_inputs("reduce", trace_path, devs_path, &t, &o.devs)) return 2;
  if (prefix.empty()) prefix = t.name + "-reduced";
  t = renumber_fids(t);
  TargetSpec ref;
  ref.spec = ref_spec;
  ref.direct = ref_spec.rfind("inprocess:", 0) == 0;  // the reference without a socket
  ref.p9ref = ts.p9ref;
  // Targets started here are started afresh for every replay; tcp: and unix:
  // are what is running, and keep what earlier replays made.
  if (ts.spec.rfind("tcp:", 0) == 0 || ts.spec.rfind("unix:", 0) == 0)
    std::printf("note: %s is not restarted between replays; give --start for a fresh server each time\n",
                ts.spec.c_str());
  if (ts.spec.rfind("inprocess:", 0) == 0) ts.direct = true;
  return Reducer(t, ts, ref, o, max_replays).run(prefix);
}

}  // namespace p9::trace
