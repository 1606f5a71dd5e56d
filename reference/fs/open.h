// open(2) of the last component of a path, in a directory already resolved:
// the open-or-create rules (O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY,
// O_NOFOLLOW) written once for every front end. Path resolution up to that
// directory is fs/resolve.h's.
#pragma once

#include <cstdint>
#include <string_view>

#include "reference/fs/backend.h"

namespace p9::fs {

struct Opened {
  NodeRef node;
  OpenRef file;
  Attr attr;             // the node's attributes after the open
  bool created = false;  // O_CREAT made a new file
};

// Opens `name` in `dir` with Linux open flags (spec/linux.def oflag/access).
//  - Without O_CREAT: the name is looked up and opened (backend open():
//    access checks, O_TRUNC, O_DIRECTORY -> ENOTDIR, a symlink -> ELOOP, as
//    open(2) with O_NOFOLLOW; a front end that follows symlinks resolves the
//    last component first, fs/resolve.h).
//  - With O_CREAT: "." or ".." name an existing directory: EEXIST with
//    O_EXCL, else EISDIR (Linux fs/namei.c do_open / open_last_lookups); a
//    new name is created as a regular file with `mode` & 07777 and `gid`; an
//    existing name is EEXIST with O_EXCL, else EISDIR when it is a directory
//    (fs/namei.c do_open), else it is opened as without O_CREAT (open(2)).
// `name` is checked with fs::check_name.
Result<Opened> open_at(Backend& backend, const Cred& cred, Node& dir, std::string_view name,
                       std::uint32_t flags, std::uint32_t mode, std::uint32_t gid);

// Opens an existing node (no name involved), returning its attributes too.
Result<Opened> open_node(Backend& backend, const Cred& cred, const NodeRef& node, std::uint32_t flags);

}  // namespace p9::fs
