#include "reference/fs/resolve.h"

#include <vector>

#include "reference/fs/names.h"

namespace p9::fs {

Resolver::Resolver(Backend& backend, const Cred& cred, NodeRef root, Escape escape)
    : backend_(backend), cred_(cred), root_(std::move(root)), escape_(escape) {}

namespace {

Result<Place> place_of(Backend& b, NodeRef node, NodeRef parent, std::string name) {
  auto a = b.getattr(*node);
  P9_TRY(a);
  return Place{std::move(node), std::move(parent), std::move(name), a->type, a->ino};
}

// The components of a path, empty ones ("a//b", a trailing '/') dropped.
std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    std::size_t slash = path.find('/');
    std::string_view c = path.substr(0, slash);
    if (!c.empty()) out.push_back(c);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

Result<Place> Resolver::root_place() const { return place_of(backend_, root_, nullptr, {}); }

Result<Place> Resolver::step(const Place& at, std::string_view name) const {
  if (Errno e = check_name(name, NameUse::Lookup); e != Errno::OK) return e;
  if (at.type != FileType::Directory) return Errno::NOTDIR;
  if (name == ".") return at;
  if (name == ".." && backend_.same(*at.node, *root_)) {
    if (escape_ == Escape::Refuse) return Errno::XDEV;
    return at;  // the root's ".." is the root
  }
  auto next = backend_.lookup(cred_, *at.node, name);
  P9_TRY(next);
  if (name == "..") return place_of(backend_, *next, nullptr, {});  // the parent's own name is not known
  return place_of(backend_, *next, at.node, std::string(name));
}

Result<Place> Resolver::resolve(const Place& start, std::string_view path, ResolveFlags flags,
                                std::string* last) const {
  int links = 0;
  return walk(start, path, flags, last, links);
}

Result<Place> Resolver::walk(Place at, std::string_view path, ResolveFlags flags, std::string* last,
                             int& links) const {
  if (path.empty()) return Errno::NOENT;  // path_resolution(7): empty pathname
  if (path.size() >= PATH_LEN_MAX) return Errno::NAMETOOLONG;
  if (path.front() == '/') {
    if (escape_ == Escape::Refuse) return Errno::XDEV;
    auto r = root_place();
    P9_TRY(r);
    at = std::move(*r);
  }
  bool trailing_slash = path.back() == '/';
  std::vector<std::string_view> parts = components(path);
  if (last) last->clear();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    bool is_last = i + 1 == parts.size();
    std::string_view name = parts[i];
    if (is_last && flags.parent_only) {
      if (at.type != FileType::Directory) return Errno::NOTDIR;
      if (Errno e = check_name(name, NameUse::Lookup); e != Errno::OK) return e;
      if (last) *last = std::string(name);
      return at;
    }
    auto next = step(at, name);
    P9_TRY(next);
    bool follow = !is_last || flags.follow_last || trailing_slash;
    if (next->type == FileType::Symlink && follow) {
      if (++links > static_cast<int>(SYMLINK_FOLLOW_MAX)) return Errno::LOOP;
      auto target = backend_.readlink(*next->node);
      P9_TRY(target);
      // The target is resolved from the symlink's directory; it must end at
      // a place (not a parent), so the rest of the path continues from it.
      auto reached = walk(at, *target, ResolveFlags{true, false}, nullptr, links);
      P9_TRY(reached);
      next = std::move(reached);
    }
    at = std::move(*next);
  }
  if (trailing_slash && at.type != FileType::Directory) return Errno::NOTDIR;
  return at;
}

}  // namespace p9::fs
