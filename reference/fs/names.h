// Rules for one path component, in one place: every front end (9P, WASI)
// applies them before any backend call, and the backends apply them again
// (defence in depth). Linux never sends a component with '/' or NUL over 9P;
// a hostile or buggy client might, and a server that concatenates paths (as
// diod does) would then walk somewhere else. Each rule names its Linux source.
#pragma once

#include <string_view>

#include "spec/linux.h"

namespace p9::fs {

enum class NameUse {
  Lookup,     // a component to look up: "." and ".." allowed (".." is the resolver's: fs/resolve.h)
  Create,     // the new name of open(O_CREAT), mkdir, symlink, mknod, link
  Unlink,     // unlink
  Rmdir,      // rmdir
  RenameOld,  // rename's old name
  RenameNew,  // rename's new name
  Xattr,      // an extended attribute's name (empty: the 9P list request)
};

// Errno::OK when the name is acceptable for the use, else the errno Linux
// gives for the equivalent system call.
Errno check_name(std::string_view name, NameUse use);

}  // namespace p9::fs
