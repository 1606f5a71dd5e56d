#include "reference/fs/open.h"

#include "reference/fs/names.h"

namespace p9::fs {

Result<Opened> open_node(Backend& backend, const Cred& cred, const NodeRef& node, std::uint32_t flags) {
  auto file = backend.open(cred, *node, flags);
  P9_TRY(file);
  auto attr = backend.getattr(*node);
  P9_TRY(attr);
  return Opened{node, std::move(*file), *attr, false};
}

Result<Opened> open_at(Backend& backend, const Cred& cred, Node& dir, std::string_view name,
                       std::uint32_t flags, std::uint32_t mode, std::uint32_t gid) {
  if (!(flags & oflag::CREAT)) {
    if (Errno e = check_name(name, NameUse::Lookup); e != Errno::OK) return e;
    auto node = backend.lookup(cred, dir, name);
    P9_TRY(node);
    return open_node(backend, cred, *node, flags);
  }
  bool excl = (flags & oflag::EXCL) != 0;
  if ((name == "." || name == "..") && !excl) return Errno::ISDIR;
  if (Errno e = check_name(name, NameUse::Create); e != Errno::OK) return e;
  auto c = backend.create(cred, dir, name, flags, mode & MODE_PERM_MASK, gid);
  if (!c.ok() && c.error() == Errno::EXIST && !excl) {
    auto existing = backend.lookup(cred, dir, name);
    P9_TRY(existing);
    // O_CREAT on an existing directory is EISDIR, whatever the access mode
    // (fs/namei.c do_open: "if (open_flag & O_CREAT) { if
    // (d_is_dir(nd->path.dentry)) return -EISDIR;").
    auto a = backend.getattr(**existing);
    P9_TRY(a);
    if (a->type == FileType::Directory) return Errno::ISDIR;
    return open_node(backend, cred, *existing, flags);
  }
  P9_TRY(c);
  auto attr = backend.getattr(*c->node);
  P9_TRY(attr);
  return Opened{std::move(c->node), std::move(c->file), *attr, true};
}

}  // namespace p9::fs
