// The host's user database for the posix backend, looked up as diod does
// (diod libnpfs/user.c _real_lookup_byuid/_getgrouplist: getpwuid_r for the
// primary group, getgrouplist(3) for the supplementary ones).
#pragma once

#include <cstdint>

#include "reference/fs/cred.h"

namespace p9::posix {

// The credential of `uid` from the host's passwd and group databases; a uid
// without a passwd entry gets gid = uid and no other group (fs::UserDb::cred).
fs::Cred host_cred(std::uint32_t uid, fs::GroupTrust trust);

}  // namespace p9::posix
