#include "conformance/deviations/fid_names.h"

#include <optional>
#include <type_traits>

namespace p9::deviations {

namespace {

// The request's first fid field (spec/messages.def order), if it has one.
std::optional<std::uint32_t> first_fid(const Message& request) {
  std::optional<std::uint32_t> first;
  std::visit(
      [&](const auto& x) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(x)>, std::monostate>)
          msg::visit_fields(x, [&](const char*, const auto& v, auto k) {
            if constexpr (std::is_same_v<decltype(k), kind::fid>)
              if (!first) first = v;
          });
      },
      request);
  return first;
}

}  // namespace

void FidNames::forget_own_name(const Fid& f) {
  if (f.names.empty()) return;
  auto it = names_.find(f.names.back());
  if (it != names_.end() && it->second == f.path) names_.erase(it);
}

void FidNames::exchange(int conn, const Message& m, const Message& a) {
  if (adopt_ && !std::holds_alternative<msg::Tattach>(m))
    if (const auto f = first_fid(m); f && !fids_.count({conn, *f}))
      fids_[{conn, *f}] = Fid{kAdoptedPath - *f, {}};  // as if attached there
  if (std::holds_alternative<msg::Rlerror>(a) || std::holds_alternative<std::monostate>(a)) return;
  auto fid = [&](std::uint32_t f) -> Fid* {
    auto it = fids_.find({conn, f});
    return it == fids_.end() ? nullptr : &it->second;
  };
  if (auto* at = std::get_if<msg::Tattach>(&m)) {
    if (auto* r = std::get_if<msg::Rattach>(&a)) fids_[{conn, at->fid}] = Fid{r->qid.path, {}};
  } else if (auto* w = std::get_if<msg::Twalk>(&m)) {
    const auto* r = std::get_if<msg::Rwalk>(&a);
    Fid* from = fid(w->fid);
    if (!r || r->wqid.size() != w->wname.size()) return;  // a walk that stops short makes no fid
    if (!from) {
      fids_.erase({conn, w->newfid});
      return;
    }
    Fid to = *from;
    for (std::size_t k = 0; k < w->wname.size(); ++k) {
      if (w->wname[k] == "..") {
        if (!to.names.empty()) to.names.pop_back();
      } else if (w->wname[k] != ".") {
        names_[{to.path, w->wname[k]}] = r->wqid[k].path;
        to.names.emplace_back(to.path, w->wname[k]);
      }
      to.path = r->wqid[k].path;
    }
    fids_[{conn, w->newfid}] = std::move(to);
  } else if (auto* c = std::get_if<msg::Tlcreate>(&m)) {
    const auto* r = std::get_if<msg::Rlcreate>(&a);
    Fid* f = fid(c->fid);
    if (!r || !f) return;
    names_[{f->path, c->name}] = r->qid.path;
    f->names.emplace_back(f->path, c->name);
    f->path = r->qid.path;
  } else if (auto* mk = std::get_if<msg::Tmkdir>(&m)) {
    if (Fid* d = fid(mk->dfid); d && std::holds_alternative<msg::Rmkdir>(a))
      names_[{d->path, mk->name}] = std::get<msg::Rmkdir>(a).qid.path;
  } else if (auto* s = std::get_if<msg::Tsymlink>(&m)) {
    if (Fid* d = fid(s->fid); d && std::holds_alternative<msg::Rsymlink>(a))
      names_[{d->path, s->name}] = std::get<msg::Rsymlink>(a).qid.path;
  } else if (auto* n = std::get_if<msg::Tmknod>(&m)) {
    if (Fid* d = fid(n->dfid); d && std::holds_alternative<msg::Rmknod>(a))
      names_[{d->path, n->name}] = std::get<msg::Rmknod>(a).qid.path;
  } else if (auto* l = std::get_if<msg::Tlink>(&m)) {
    Fid *d = fid(l->dfid), *f = fid(l->fid);
    if (d && f) names_[{d->path, l->name}] = f->path;
  } else if (auto* rm = std::get_if<msg::Tremove>(&m)) {
    if (Fid* f = fid(rm->fid)) forget_own_name(*f);
    fids_.erase({conn, rm->fid});
  } else if (auto* u = std::get_if<msg::Tunlinkat>(&m)) {
    if (Fid* d = fid(u->dirfid)) names_.erase({d->path, u->name});
  } else if (auto* rn = std::get_if<msg::Trename>(&m)) {
    Fid *f = fid(rn->fid), *d = fid(rn->dfid);
    if (!f) return;
    forget_own_name(*f);
    if (!d) {  // where it is now is not known: no longer tracked
      fids_.erase({conn, rn->fid});
      return;
    }
    names_[{d->path, rn->name}] = f->path;
    // The renamed fid itself follows its file (other fids on it, and below it, do not, on a path-based
    // server).
    std::vector<Name> now = d->names;
    now.emplace_back(d->path, rn->name);
    f->names = std::move(now);
  } else if (auto* ra = std::get_if<msg::Trenameat>(&m)) {
    Fid *od = fid(ra->olddirfid), *nd = fid(ra->newdirfid);
    if (!od) return;
    auto src = names_.find({od->path, ra->oldname});
    std::optional<std::uint64_t> moved;
    if (src != names_.end()) moved = src->second, names_.erase(src);
    if (nd && moved) names_[{nd->path, ra->newname}] = *moved;
  } else if (auto* cl = std::get_if<msg::Tclunk>(&m)) {
    fids_.erase({conn, cl->fid});
  }
}

bool FidNames::stale(int conn, const Message& request) const {
  const std::optional<std::uint32_t> first = first_fid(request);
  if (!first) return false;
  auto it = fids_.find({conn, *first});
  if (it == fids_.end()) return false;
  const Fid& f = it->second;
  for (std::size_t k = 0; k < f.names.size(); ++k) {
    const std::uint64_t next = k + 1 < f.names.size() ? f.names[k + 1].first : f.path;
    auto n = names_.find(f.names[k]);
    if (n == names_.end() || n->second != next) return true;
  }
  return false;
}

}  // namespace p9::deviations
