// Who a request acts for, and the one rule for what the server cannot know.
//
// 9P2000.L's Tattach carries a uid only (n_uname). A Linux guest mounted
// with access=user checks permissions itself, with the calling process's
// real groups (fs/9p/vfs_inode_dotl.c v9fs_permission calls
// generic_permission; fs/attr.c setattr_prepare calls chown_ok/chgrp_ok and
// in_group_or_capable, kernel/groups.c in_group_p), then sends the request.
// The server sees none of those groups. What it knows comes from a user
// database (UserDb below): a passwd/group file (`p9ref serve --users FILE`)
// or, for the posix backend, the host's, as diod looks users up
// (diod libnpfs/user.c: getpwuid_r, then getgrouplist for the supplementary
// groups; with diod -N "no user database", gid = uid and no other groups).
//
// The rule (GroupTrust): a membership the database confirms is a member; one
// it cannot confirm is
//  - Db: not a member (the server's own decision, as a local file system
//    would make it for a process with exactly the database's groups);
//  - Client (the default of p9ref serve): possibly a member: whatever the
//    client decided with the real groups is accepted. A permission check
//    then passes if either the group class or the other class grants the
//    access (the client used one of the two, the server cannot tell which);
//    chgrp to such a group by the owner is allowed; S_ISGID is kept on
//    chmod and on a new file in a set-group-ID directory (the Linux client
//    already dropped it where the caller is not a member: setattr_prepare,
//    inode_init_owner/mode_strip_sgid run on the client before the request).
// Client is the default because a guest's groups (its /etc/group, a test
// suite's `setgroups`) are in no database the server has: refusing them
// would refuse what a local file system allows (the guest's kernel has
// already checked them with the real groups). The owner rules (chmod, chown of the uid, explicit
// times, sticky directories: inode_owner_or_capable, __check_sticky) are
// unaffected: Client only widens group membership, so a file whose group
// class grants no more than its other class (0644, 0755, 0600, ...) answers
// as before. A server that must hold a hostile client to the database's
// groups runs with Db.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace p9::fs {

enum class GroupTrust : std::uint8_t { Db, Client };

struct Cred {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;                    // primary group
  std::vector<std::uint32_t> groups;        // supplementary groups (the database's)
  GroupTrust unconfirmed = GroupTrust::Db;  // what a membership not listed here means

  // Membership the credential confirms (kernel/groups.c in_group_p: fsgid or
  // a supplementary group).
  bool in_group(std::uint32_t g) const {
    if (g == gid) return true;
    for (auto x : groups)
      if (x == g) return true;
    return false;
  }
  // Confirmed, or not refuted under GroupTrust::Client.
  bool may_be_in_group(std::uint32_t g) const { return in_group(g) || unconfirmed == GroupTrust::Client; }
};

// MAY_* bits of a permission check (Linux include/linux/fs.h).
constexpr unsigned kMayExec = 1, kMayWrite = 2, kMayRead = 4;

// Linux generic_permission()/acl_permission_check() (fs/namei.c): the owner
// class when the uid matches, else the group class when in the file's group,
// else other; under GroupTrust::Client an unconfirmed member gets the group
// or the other class, whichever grants (see above). Root (CAP_DAC_OVERRIDE)
// may read and write anything and search any directory, but executes a
// non-directory only if some x bit is set (path_resolution(7)).
bool permits(const Cred& c, std::uint32_t owner, std::uint32_t group, std::uint32_t perm, bool is_dir,
             unsigned mask);

// fs/attr.c chgrp_ok(): the owner may set the group to its current one or to
// a group it is in (in_group_or_capable); root to any.
bool may_chgrp(const Cred& c, std::uint32_t owner, std::uint32_t current_gid, std::uint32_t new_gid);

// fs/attr.c setattr_prepare() (chmod) and fs/inode.c mode_strip_sgid() (a
// new file in a set-group-ID directory): S_ISGID stays only for root or a
// member of `gid` (in_group_or_capable).
bool keeps_sgid(const Cred& c, std::uint32_t gid);

// A user database: uid -> primary gid and supplementary groups.
class UserDb {
 public:
  struct User {
    std::string name;
    std::uint32_t gid = 0;
    std::vector<std::uint32_t> groups;  // supplementary, without gid
  };

  // Lines of passwd(5) (name:password:uid:gid:gecos:dir:shell) and group(5)
  // (name:password:gid:member,member...) in any order and mix ("cat
  // /etc/passwd /etc/group" is one); '#' lines and blank lines are skipped.
  // A group's members are user names of the passwd lines. False + *error
  // (naming the line) on a line that is neither.
  bool parse(std::string_view text, std::string* error);
  void add(std::uint32_t uid, User u) { users_[uid] = std::move(u); }
  const User* find(std::uint32_t uid) const;
  bool empty() const { return users_.empty(); }

  // The credential of `uid`: the database's groups, or, for a uid it does
  // not know, gid = uid and no other group (as diod -N does).
  Cred cred(std::uint32_t uid, GroupTrust trust) const;

 private:
  std::map<std::uint32_t, User> users_;
};

}  // namespace p9::fs
