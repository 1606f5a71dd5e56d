// The one path walker of every front end (path_resolution(7)).
//
// A Resolver walks names from a start directory within a root:
//  - step(): one component, no symlink following — what a 9P Twalk element
//    does (the Linux client follows symlinks itself);
//  - resolve(): a whole path, following symlinks with Linux's limit of
//    MAXSYMLINKS (40, include/linux/namei.h) per resolution, then ELOOP —
//    what a WASI path_open or a local open(2) does.
// ".." at the root either stays there (Escape::Clamp: 9P's attach root, like
// chroot(2): "the root's .. is the root") or fails (Escape::Refuse: openat2(2)
// RESOLVE_BENEATH, "EXDEV ... would escape"; also absolute paths and
// absolute symlink targets, as RESOLVE_BENEATH refuses them). WASI front ends
// use Refuse: no path may leave the preopen even for a moment.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "reference/fs/backend.h"

namespace p9::fs {

enum class Escape : std::uint8_t { Clamp, Refuse };

// Where a walk stands: a node, and the directory and name it was reached by
// (parent null when not known: the root, or after "..").
struct Place {
  NodeRef node;
  NodeRef parent;
  std::string name;
  FileType type = FileType::Directory;
  std::uint64_t ino = 0;
};

struct ResolveFlags {
  bool follow_last = true;  // follow a symlink in the last component (not O_NOFOLLOW / AT_SYMLINK_NOFOLLOW)
  // Stop before the last component: the result is its directory, and
  // `last` receives the name (for creat, mkdir, unlink, rename, link).
  bool parent_only = false;
};

class Resolver {
 public:
  Resolver(Backend& backend, const Cred& cred, NodeRef root, Escape escape);

  // The root as a place.
  Result<Place> root_place() const;

  // One component from the directory `at` (no symlink following): "." stays,
  // ".." climbs (at the root: stays or EXDEV), another name is looked up.
  // ENOTDIR when `at` is not a directory; the name is checked (names.h).
  Result<Place> step(const Place& at, std::string_view name) const;

  // A path from `start` ('/'-separated; empty is ENOENT, longer than
  // PATH_MAX ENAMETOOLONG; absolute starts at the root, or EXDEV under
  // Refuse). A trailing '/' requires a directory (and follows a symlink in the
  // last component). With parent_only, `last` gets the final component (""
  // for a path that ends at the root or in "/", "." or "..").
  Result<Place> resolve(const Place& start, std::string_view path, ResolveFlags flags = {},
                        std::string* last = nullptr) const;

 private:
  Result<Place> walk(Place at, std::string_view path, ResolveFlags flags, std::string* last,
                     int& links) const;

  Backend& backend_;
  Cred cred_;
  NodeRef root_;
  Escape escape_;
};

}  // namespace p9::fs
