#include "reference/posix/host_users.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <mutex>
#include <vector>

namespace p9::posix {

fs::Cred host_cred(std::uint32_t uid, fs::GroupTrust trust) {
  // getgrouplist(3) and the NSS modules behind it need not be thread-safe
  // (diod serialises them under its user cache lock, libnpfs/user.c).
  static std::mutex lock;
  std::lock_guard<std::mutex> hold(lock);
  fs::UserDb db;
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwuid_r(static_cast<uid_t>(uid), &pw, buf.data(), buf.size(), &found) == 0 && found) {
    fs::UserDb::User u;
    u.name = found->pw_name;
    u.gid = found->pw_gid;
    int n = 64;
    std::vector<gid_t> gs(static_cast<std::size_t>(n));
    while (::getgrouplist(found->pw_name, found->pw_gid, gs.data(), &n) == -1)
      gs.resize(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
      if (gs[static_cast<std::size_t>(i)] != found->pw_gid)
        u.groups.push_back(gs[static_cast<std::size_t>(i)]);
    db.add(uid, std::move(u));
  }
  return db.cred(uid, trust);
}

}  // namespace p9::posix
