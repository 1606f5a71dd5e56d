#include "traces/p9trace/planted.h"

#include <set>

#include "reference/fs/forwarding.h"
#include "reference/model/model.h"

namespace p9::trace {

namespace {

using fs::Cred;
using fs::Forwarding;
using fs::Node;
using fs::NodeRef;

// An OPFS-style store keeps each file's metadata in a record keyed by its
// path. Its rename of a directory moves the entries but forgets to move the
// records of the directory's children, which then read as a fresh record:
// mode 0600 (0700 for a directory). Emulated over the model: the children of
// a renamed directory reached by lookup lose their permission bits in getattr.
class RenameForgetsChildMeta final : public Forwarding {
 public:
  using Forwarding::Forwarding;
  Result<void> rename(const Cred& cred, Node& old_dir, std::string_view old_name, Node& new_dir,
                      std::string_view new_name) override {
    auto r = Forwarding::rename(cred, old_dir, old_name, new_dir, new_name);
    if (!r.ok()) return r;
    auto moved = Forwarding::lookup(cred, new_dir, new_name);
    if (moved.ok())
      if (auto a = Forwarding::getattr(**moved); a.ok() && a->type == fs::FileType::Directory)
        moved_.insert(a->ino);
    return r;
  }
  Result<NodeRef> lookup(const Cred& cred, Node& dir, std::string_view name) override {
    auto r = Forwarding::lookup(cred, dir, name);
    auto d = Forwarding::getattr(dir);
    if (r.ok() && d.ok() && moved_.count(d->ino))
      if (auto a = Forwarding::getattr(**r); a.ok()) lost_.insert(a->ino);
    return r;
  }
  Result<fs::Attr> getattr(Node& node) override {
    auto a = Forwarding::getattr(node);
    if (a.ok() && lost_.count(a->ino))
      a->mode = fs::mode_type_bits(a->type) | (a->type == fs::FileType::Directory ? 0700u : 0600u);
    return a;
  }

 private:
  std::set<std::uint64_t> moved_, lost_;  // inode numbers (the model never reuses them)
};

// mkdir ignores the mode it is given (a store with one default for directories).
class MkdirIgnoresMode final : public Forwarding {
 public:
  using Forwarding::Forwarding;
  Result<NodeRef> mkdir(const Cred& cred, Node& dir, std::string_view name, std::uint32_t,
                        std::uint32_t gid) override {
    return Forwarding::mkdir(cred, dir, name, 0700, gid);
  }
};

// chmod keeps only the permission bits: setuid, setgid and sticky are dropped.
class ChmodDropsSpecialBits final : public Forwarding {
 public:
  using Forwarding::Forwarding;
  Result<void> setattr(const Cred& cred, Node& node, const fs::SetAttr& attr) override {
    fs::SetAttr a = attr;
    if (a.mode) *a.mode &= 0777;
    return Forwarding::setattr(cred, node, a);
  }
};

// chown and chgrp succeed but change nothing (a store without owners that
// does not say so in its profile).
class ChownIgnored final : public Forwarding {
 public:
  using Forwarding::Forwarding;
  Result<void> setattr(const Cred& cred, Node& node, const fs::SetAttr& attr) override {
    fs::SetAttr a = attr;
    a.uid.reset(), a.gid.reset();
    return Forwarding::setattr(cred, node, a);
  }
};

// A symlink's target loses its last byte (an off-by-one in a length).
class SymlinkTargetTruncated final : public Forwarding {
 public:
  using Forwarding::Forwarding;
  Result<NodeRef> symlink(const Cred& cred, Node& dir, std::string_view name, std::string_view target,
                          std::uint32_t gid) override {
    return Forwarding::symlink(cred, dir, name, target.substr(0, target.size() - 1), gid);
  }
};

// getattr says every regular file has one link (a store without link counts).
class NlinkAlwaysOne final : public Forwarding {
 public:
  using Forwarding::Forwarding;
  Result<fs::Attr> getattr(Node& node) override {
    auto a = Forwarding::getattr(node);
    if (a.ok() && a->type == fs::FileType::Regular) a->nlink = 1;
    return a;
  }
};

template <class Bug>
std::unique_ptr<fs::Backend> make() {
  return std::make_unique<Bug>(std::make_shared<model::Model>());
}

struct Entry {
  PlantedBug bug;
  std::unique_ptr<fs::Backend> (*make)();
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> e = {
      {{"rename-child-meta", "rename of a directory forgets its children's metadata (mode reads 0600/0700)",
        "tr-mv"},
       make<RenameForgetsChildMeta>},
      {{"mkdir-mode", "mkdir ignores the requested mode (always 0700)", "tr-deep"}, make<MkdirIgnoresMode>},
      {{"chmod-special", "chmod drops setuid, setgid and sticky", "tr-chmod-chown"},
       make<ChmodDropsSpecialBits>},
      {{"chown-ignored", "chown/chgrp succeed and change nothing", "tr-chmod-chown"}, make<ChownIgnored>},
      {{"symlink-target", "a symlink's target loses its last byte", "tr-ln"}, make<SymlinkTargetTruncated>},
      {{"nlink-one", "getattr reports nlink 1 for every regular file", "tr-ln"}, make<NlinkAlwaysOne>},
  };
  return e;
}

}  // namespace

const std::vector<PlantedBug>& planted_bugs() {
  static const std::vector<PlantedBug> bugs = [] {
    std::vector<PlantedBug> b;
    for (const Entry& e : entries()) b.push_back(e.bug);
    return b;
  }();
  return bugs;
}

std::unique_ptr<fs::Backend> make_planted(const std::string& name, std::string* error) {
  std::string known;
  for (const Entry& e : entries()) {
    if (name == e.bug.name) return e.make();
    known += (known.empty() ? "" : ", ") + std::string(e.bug.name);
  }
  *error = "unknown planted bug '" + name + "' (known: " + known + ")";
  return nullptr;
}

}  // namespace p9::trace
