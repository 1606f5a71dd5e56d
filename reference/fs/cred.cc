#include "reference/fs/cred.h"

#include <cstdlib>

namespace p9::fs {

bool permits(const Cred& c, std::uint32_t owner, std::uint32_t group, std::uint32_t perm, bool is_dir,
             unsigned mask) {
  if (c.uid == 0) {
    if ((mask & kMayExec) && !is_dir && !(perm & 0111)) return false;
    return true;
  }
  const unsigned user_bits = (perm >> 6) & 7, group_bits = (perm >> 3) & 7, other_bits = perm & 7;
  unsigned bits;
  if (c.uid == owner)
    bits = user_bits;
  else if (c.in_group(group))
    bits = group_bits;
  else if (c.may_be_in_group(group))
    return (group_bits & mask) == mask || (other_bits & mask) == mask;
  else
    bits = other_bits;
  return (bits & mask) == mask;
}

bool may_chgrp(const Cred& c, std::uint32_t owner, std::uint32_t current_gid, std::uint32_t new_gid) {
  if (c.uid == 0) return true;
  return c.uid == owner && (new_gid == current_gid || c.may_be_in_group(new_gid));
}

bool keeps_sgid(const Cred& c, std::uint32_t gid) { return c.uid == 0 || c.may_be_in_group(gid); }

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    std::size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

bool number(std::string_view s, std::uint32_t* out) {
  if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string_view::npos) return false;
  unsigned long long v = std::strtoull(std::string(s).c_str(), nullptr, 10);
  if (v > 0xFFFFFFFEull) return false;  // (uid_t)-1 is "no id" (chown(2))
  *out = static_cast<std::uint32_t>(v);
  return true;
}

}  // namespace

bool UserDb::parse(std::string_view text, std::string* error) {
  struct GroupLine {
    std::uint32_t gid;
    std::vector<std::string_view> members;
  };
  std::vector<GroupLine> group_lines;
  std::map<std::string, std::uint32_t, std::less<>> uid_of;
  std::size_t line_no = 0;
  for (std::string_view line : split(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    auto f = split(line, ':');
    std::uint32_t a = 0, b = 0;
    if (f.size() == 7 && !f[0].empty() && number(f[2], &a) && number(f[3], &b)) {  // passwd(5)
      User u;
      u.name = std::string(f[0]);
      u.gid = b;
      uid_of[u.name] = a;
      users_[a] = std::move(u);
    } else if (f.size() == 4 && !f[0].empty() && number(f[2], &a)) {  // group(5)
      GroupLine g{a, {}};
      if (!f[3].empty()) g.members = split(f[3], ',');
      group_lines.push_back(std::move(g));
    } else {
      *error = "line " + std::to_string(line_no) + " is neither passwd(5) nor group(5): " + std::string(line);
      return false;
    }
  }
  for (const GroupLine& g : group_lines)
    for (std::string_view m : g.members) {
      auto it = uid_of.find(m);
      if (it == uid_of.end()) continue;  // a member without a passwd line: no uid to give it to
      User& u = users_[it->second];
      if (g.gid == u.gid) continue;
      bool have = false;
      for (auto x : u.groups) have = have || x == g.gid;
      if (!have) u.groups.push_back(g.gid);
    }
  return true;
}

const UserDb::User* UserDb::find(std::uint32_t uid) const {
  auto it = users_.find(uid);
  return it == users_.end() ? nullptr : &it->second;
}

Cred UserDb::cred(std::uint32_t uid, GroupTrust trust) const {
  Cred c{uid, uid, {}, trust};
  if (const User* u = find(uid)) {
    c.gid = u->gid;
    c.groups = u->groups;
  }
  return c;
}

}  // namespace p9::fs
