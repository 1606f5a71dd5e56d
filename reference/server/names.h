// Rules for names arriving in 9P messages, in one place, applied before any
// backend call. Linux never sends a component with '/' or NUL; a hostile or
// buggy client might, and a server that concatenates paths (as diod does)
// would then walk somewhere else. Each rule names its Linux source.
#pragma once

#include <string_view>

#include "spec/protocol.h"

namespace p9::server {

enum class NameUse {
  Lookup,     // Twalk element: "." and ".." allowed (".." clamped at the attach root by the caller)
  Create,     // Tlcreate, Tmkdir, Tsymlink, Tmknod, Tlink, new name of Trename
  Unlink,     // Tunlinkat without AT_REMOVEDIR
  Rmdir,      // Tunlinkat with AT_REMOVEDIR
  RenameOld,  // Trenameat old name
  RenameNew,  // Trenameat new name
  Xattr,      // Txattrwalk / Txattrcreate attribute name (may be empty for list)
};

// Errno::OK when the name is acceptable for the use, else the errno Linux
// gives for the equivalent system call.
Errno check_name(std::string_view name, NameUse use);

}  // namespace p9::server
