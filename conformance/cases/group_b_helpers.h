// Small helpers shared by the name/rename/unlink/xattr/lock/permission/hostile
// cases (create_test.cc ... hostile_test.cc). Not a test file itself (the
// runner's glob picks *_test.cc only). Every helper here is built on the
// fixture's own helpers and the client; none hides a check a case relies on.
//
// NOTE on the P9_EXPECT_* macros: they evaluate their argument twice when the
// call fails, so a request is always sent first and its Result stored in a
// variable; the macros are then given the variable.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "conformance/harness/case.h"

namespace p9::conformance {

struct BCase : Case {
  // A walk that may fail: the new fid, or the errno (a partial walk is ENOENT,
  // as the Linux client treats it).
  Result<std::uint32_t> try_walk(client::Client& cl, std::uint32_t fid,
                                 const std::vector<std::string>& names) {
    std::uint32_t nf = cl.new_fid();
    auto r = cl.call<msg::Rwalk>(msg::Twalk{fid, nf, names});
    if (!r.ok()) return r.error();
    if (r->wqid.size() != names.size()) return Errno::NOENT;
    return nf;
  }
  Result<std::uint32_t> try_walk(std::uint32_t fid, const std::vector<std::string>& names) {
    return try_walk(c(), fid, names);
  }

  // True when dfid/name can be walked to.
  bool exists(std::uint32_t dfid, const std::string& name) {
    auto f = try_walk(dfid, {name});
    if (!f.ok()) return false;
    (void)c().call<msg::Rclunk>(msg::Tclunk{*f});
    return true;
  }

  // getattr of dir()/path through a temporary fid.
  msg::Rgetattr attr_at(const std::vector<std::string>& path) {
    std::uint32_t f = walk(dir(), path);
    if (!f) return {};
    auto a = getattr(f);
    clunk(f);
    return a;
  }

  // Whole content of dir()/path.
  std::string content_at(const std::vector<std::string>& path) {
    std::uint32_t f = open(path, access::RDONLY);
    if (!f) return {};
    std::string s = read_all(f);
    clunk(f);
    return s;
  }

  // Creates a file with content and clunks its fid.
  void make_file(std::uint32_t dfid, const std::string& name, const std::string& content = "") {
    std::uint32_t f = create(dfid, name, content);
    if (f) clunk(f);
  }

  // A new fid on dir() (a clone), for use as a directory fid.
  std::uint32_t dir_clone() { return walk(dir(), {}); }

  // A setup symlink.
  void make_symlink(std::uint32_t dfid, const std::string& name, const std::string& target) {
    auto r = c().call<msg::Rsymlink>(msg::Tsymlink{dfid, name, target, 0});
    if (!r.ok()) ADD_FAILURE() << "setup symlink " << name << " failed\n" << c().transcript();
  }

  // Sorted names listed in dir()/path (without "." and "..").
  std::vector<std::string> list(const std::vector<std::string>& path) {
    std::uint32_t f = open(path, access::RDONLY);
    if (!f) return {};
    auto n = names(readdir_all(f));
    clunk(f);
    return n;
  }

  // Sets the permission bits of fid (setup step).
  void chmod(std::uint32_t fid, std::uint32_t mode) {
    msg::Tsetattr s{};
    s.fid = fid;
    s.valid = setattr::MODE;
    s.mode = mode;
    auto r = c().call<msg::Rsetattr>(s);
    if (!r.ok()) ADD_FAILURE() << "setup chmod failed\n" << c().transcript();
  }
  void chown(std::uint32_t fid, std::uint32_t uid, std::uint32_t gid) {
    msg::Tsetattr s{};
    s.fid = fid;
    s.valid = setattr::UID | setattr::GID;
    s.uid = uid;
    s.gid = gid;
    auto r = c().call<msg::Rsetattr>(s);
    if (!r.ok()) ADD_FAILURE() << "setup chown failed\n" << c().transcript();
  }

  // A second connection answers Tversion + Tattach + Tgetattr: the server is
  // still up after whatever a hostile case did to the first.
  void expect_server_still_answers() {
    auto cl = raw_connection();
    ASSERT_TRUE(cl) << "cannot connect to the server any more";
    auto h = cl->handshake(case_msize(), target().aname(), 0, 1);
    P9_EXPECT_OK(h);
    if (!h.ok()) {
      ADD_FAILURE() << "second connection: handshake failed: " << cl->last_error() << "\n"
                    << cl->transcript();
      return;
    }
    auto g = cl->call<msg::Rgetattr>(msg::Tgetattr{1, GETATTR_BASIC});
    P9_EXPECT_OK(g);
    if (!g.ok()) ADD_FAILURE() << "second connection: Tgetattr failed\n" << cl->transcript();
  }

  // connect_as(uid) for a user other than root. The attach root of a
  // server started in a fresh temporary directory may be 0700 (mkdtemp), which
  // no other user can search; open it to 0755 first (a setup step, as root).
  Conn connect_user(std::uint32_t uid) {
    auto a = c().call<msg::Rgetattr>(msg::Tgetattr{root(), GETATTR_BASIC});
    if (a.ok() && (a->mode & 0055) != 0055) {
      msg::Tsetattr s{};
      s.fid = root();
      s.valid = setattr::MODE;
      s.mode = (a->mode & 07777) | 0755;
      (void)c().call<msg::Rsetattr>(s);
    }
    return connect_as(uid);
  }

  static std::uint32_t type_bits(std::uint32_t mode) {
    return mode & static_cast<std::uint32_t>(MODE_TYPE_MASK);
  }
};

}  // namespace p9::conformance
