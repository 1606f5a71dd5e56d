#include "conformance/diff/normalize.h"

#include <type_traits>
#include <utility>
#include <variant>

#include "reference/codec/printer.h"

namespace p9::diff {

namespace {
constexpr std::uint32_t kIfMt = 0170000, kIfDir = 0040000;
}

std::vector<Qid*> qids_of(Message& m) {
  std::vector<Qid*> out;
  std::visit(
      [&](auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (!std::is_same_v<T, std::monostate>) {
          msg::visit_fields(x, [&](const char*, auto& v, auto k) {
            using K = decltype(k);
            if constexpr (std::is_same_v<K, kind::qid>)
              out.push_back(&v);
            else if constexpr (std::is_same_v<K, kind::wqids>)
              for (auto& q : v) out.push_back(&q);
          });
        }
      },
      m);
  return out;
}

void normalise(Message& m) {
  if (auto* g = std::get_if<msg::Rgetattr>(&m)) {
    g->atime_sec = g->atime_nsec = g->mtime_sec = g->mtime_nsec = 0;
    g->ctime_sec = g->ctime_nsec = g->btime_sec = g->btime_nsec = 0;
    g->gen = g->data_version = 0;
    g->blksize = g->blocks = 0;
    if ((g->mode & kIfMt) == kIfDir) g->size = 0;
  } else if (auto* s = std::get_if<msg::Rstatfs>(&m)) {
    std::uint32_t namelen = s->namelen;
    *s = msg::Rstatfs{};
    s->namelen = namelen;
  } else if (auto* o = std::get_if<msg::Rlopen>(&m)) {
    o->iounit = 0;
  } else if (auto* c = std::get_if<msg::Rlcreate>(&m)) {
    c->iounit = 0;
  } else if (auto* r = std::get_if<msg::Rreaddir>(&m)) {
    r->entries.clear();
  } else if (auto* v = std::get_if<msg::Rversion>(&m)) {
    v->msize = 0;  // each server's own limit (diod caps it at 65536); the version string is compared
  }
  for (Qid* q : qids_of(m)) {
    q->path = 0;
    q->version = 0;
  }
}

QidMap::QidMap(Reuse reuse, std::string ref_name, std::string other_name)
    : reuse_(reuse), ref_name_(std::move(ref_name)), other_name_(std::move(other_name)) {}

void QidMap::clear() {
  ref_to_other_.clear();
  other_to_ref_.clear();
  retired_.clear();
}

void QidMap::forget(std::uint64_t ref_path) {
  auto a = ref_to_other_.find(ref_path);
  if (a == ref_to_other_.end()) return;
  other_to_ref_.erase(a->second);
  ref_to_other_.erase(a);
}

bool QidMap::check(const Qid& ref, const Qid& other, std::string* why) {
  if (ref.type != other.type) {
    *why =
        "qid type differs: " + ref_name_ + " " + to_string(ref) + ", " + other_name_ + " " + to_string(other);
    return false;
  }
  if (retired_.count(ref.path)) {
    *why = "object " + std::to_string(ref.path) + " (" + ref_name_ +
           " numbering) reappeared after its number on the " + other_name_ + " (" +
           std::to_string(other.path) + ") was given to a new object";
    return false;
  }
  auto a = ref_to_other_.find(ref.path);
  if (a != ref_to_other_.end()) {
    if (a->second == other.path) return true;
    *why = "one object, two numbers: " + ref_name_ + " qid.path " + std::to_string(ref.path) + " stood for " +
           other_name_ + " " + std::to_string(a->second) + " earlier, now " + std::to_string(other.path);
    return false;
  }
  auto b = other_to_ref_.find(other.path);
  if (b != other_to_ref_.end()) {
    if (reuse_ == Reuse::kForgottenOnly) {
      *why = "two objects, one number: " + other_name_ + " qid.path " + std::to_string(other.path) +
             " stood for " + ref_name_ + " " + std::to_string(b->second) + " earlier, now for " +
             std::to_string(ref.path);
      return false;
    }
    // A new reference object (the model never reuses numbers) meets a number
    // the other side used before: allowed, the old object must be gone there.
    retired_.insert(b->second);
    ref_to_other_.erase(b->second);
  }
  ref_to_other_[ref.path] = other.path;
  other_to_ref_[other.path] = ref.path;
  return true;
}

std::string compare(const Message& ref, const Message& other, QidMap& qids) {
  if (type_of(ref) != type_of(other)) return "reply type differs";
  if (auto* e = std::get_if<msg::Rlerror>(&ref)) {
    if (e->ecode != std::get<msg::Rlerror>(other).ecode) return "errno differs";
    return {};
  }
  Message a = ref, b = other;
  auto qa = qids_of(a), qb = qids_of(b);
  if (qa.size() != qb.size()) return "number of qids differs";
  for (std::size_t k = 0; k < qa.size(); ++k) {
    std::string why;
    if (!qids.check(*qa[k], *qb[k], &why)) return why;
  }
  normalise(a);
  normalise(b);
  if (a != b) return "reply differs";
  return {};
}

void add_entries(const Message& m, EntrySet& into) {
  if (auto* r = std::get_if<msg::Rreaddir>(&m))
    for (const Dirent& e : r->entries) into.insert({e.name, e.type});
}

std::string describe_difference(const EntrySet& ref, const EntrySet& other, std::size_t most) {
  auto list = [most](const EntrySet& x, const EntrySet& y) {
    std::string o;
    std::size_t n = 0;
    for (const auto& e : x)
      if (!y.count(e) && n++ < most)
        o += (o.empty() ? "" : ", ") + quote_bytes(e.first) + "/" + std::to_string(e.second);
    if (n > most) o += ", ... (" + std::to_string(n) + " in all)";
    return o;
  };
  std::string miss = list(ref, other), extra = list(other, ref), o;
  if (!miss.empty()) o += "missing: " + miss + "; ";
  if (!extra.empty()) o += "extra: " + extra + "; ";
  return o;
}

}  // namespace p9::diff
