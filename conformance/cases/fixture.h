// The fixture every case file derives its suites from: the harness's Case
// (a fresh connection attached as root, a fresh directory, the checks) plus
// the small setup and probe helpers the cases share. Not a test file itself
// (the runner's glob picks *_test.cc only). Every helper is built on Case's
// own helpers and the client; none hides a check a case relies on: a setup
// step that fails ADD_FAILUREs with the transcript, a probe returns what it
// saw for the case to check.
//
// The P9_EXPECT_* macros evaluate their argument once, but a case still sends
// each request first and keeps its Result in a variable, so the printed
// expression names the reply, not the request.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "conformance/harness/case.h"

namespace p9::conformance {

struct Fixture : Case {
  // ---- mode bits ----
  static std::uint32_t type_bits(std::uint32_t mode) {
    return mode & static_cast<std::uint32_t>(MODE_TYPE_MASK);
  }
  static std::uint32_t perm_bits(std::uint32_t mode) { return mode & 07777u; }

  // "success", "Rlerror" (any errno) or "no answer / wrong reply": for rules
  // where the protocol requires a refusal but leaves the errno open.
  template <class R>
  static std::string outcome(const Result<R>& r) {
    if (r.ok()) return "success";
    if (r.error() == Errno::PROTO) return "EPROTO (or a reply of the wrong type / no reply)";
    return "Rlerror";
  }

  // ---- walking ----
  // A walk that may fail: the new fid, or the errno (a partial walk is ENOENT,
  // as the Linux client treats it: net/9p/client.c p9_client_walk).
  static Result<std::uint32_t> try_walk(client::Client& cl, std::uint32_t fid,
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
  // From another connection's fid on dir() (see connect_as).
  static Result<std::uint32_t> try_walk(Conn& u, const std::vector<std::string>& names) {
    return try_walk(*u.client, u.dir, names);
  }

  // Another connection attached as uid (connect_as) and a new fid it walked to
  // dir()/path; fid 0 (and a failure) when the walk fails.
  struct ConnFid {
    Conn conn;
    std::uint32_t fid = 0;
  };
  ConnFid walk_as(std::uint32_t uid, const std::vector<std::string>& path) {
    ConnFid r{connect_as(uid)};
    if (!r.conn.client) return r;  // connect_as said why
    auto f = try_walk(r.conn, path);
    if (f.ok())
      r.fid = *f;
    else
      ADD_FAILURE() << "uid " << uid << " cannot walk from the case directory\n"
                    << r.conn.client->transcript();
    return r;
  }

  // True when dfid/name can be walked to.
  bool exists(std::uint32_t dfid, const std::string& name) {
    auto f = try_walk(dfid, {name});
    if (!f.ok()) return false;
    (void)c().call<msg::Rclunk>(msg::Tclunk{*f});
    return true;
  }

  // A new fid on dir() (a clone), for use as a directory fid.
  std::uint32_t dir_clone() { return walk(dir(), {}); }

  // ---- setup ----
  // Creates a regular file with content and clunks its fid.
  void make_file(std::uint32_t dfid, const std::string& name, const std::string& content = "") {
    std::uint32_t f = create(dfid, name, content);
    if (f) clunk(f);
  }

  void make_symlink(std::uint32_t dfid, const std::string& name, const std::string& target) {
    auto r = c().call<msg::Rsymlink>(msg::Tsymlink{dfid, name, target, 0});
    if (!r.ok()) ADD_FAILURE() << "setup symlink " << name << " failed\n" << c().transcript();
  }

  // A Tsetattr with only `valid` and the given fields.
  Result<msg::Rsetattr> setattr_size(std::uint32_t fid, std::uint64_t size) {
    return c().call<msg::Rsetattr>(msg::Tsetattr{.fid = fid, .valid = setattr::SIZE, .size = size});
  }
  // chmod as Linux sends it: the whole st_mode, the file's type bits with the
  // new permission bits (fs/attr.c chmod_common keeps the inode's type in
  // ia_mode, fs/9p/vfs_inode_dotl.c v9fs_vfs_setattr_dotl sends ia_mode). The
  // type comes from a Tgetattr here, where Linux has it in its inode.
  Result<msg::Rsetattr> setattr_mode(std::uint32_t fid, std::uint32_t mode) {
    auto g = c().call<msg::Rgetattr>(msg::Tgetattr{fid, GETATTR_BASIC});
    const std::uint32_t type = g.ok() ? type_bits(g->mode) : 0;
    return setattr_mode_bits_only(fid, type | mode);
  }
  // The mode exactly as given: without type bits it is a form Linux never sends.
  Result<msg::Rsetattr> setattr_mode_bits_only(std::uint32_t fid, std::uint32_t mode) {
    return c().call<msg::Rsetattr>(msg::Tsetattr{.fid = fid, .valid = setattr::MODE, .mode = mode});
  }

  // unlink(2) and rmdir(2) (flags at::REMOVEDIR) as Linux sends them
  // (fs/9p/vfs_inode.c v9fs_remove): Tunlinkat on the parent; only when the
  // server answers EOPNOTSUPP, a walk to the name and Tremove.
  static Result<void> unlink_at(client::Client& cl, std::uint32_t dfid, const std::string& name,
                                std::uint32_t flags = 0) {
    auto u = cl.call<msg::Runlinkat>(msg::Tunlinkat{dfid, name, flags});
    if (u.ok()) return {};
    if (u.error() != Errno::OPNOTSUPP) return u.error();
    auto f = try_walk(cl, dfid, {name});
    if (!f.ok()) return f.error();
    auto r = cl.call<msg::Rremove>(msg::Tremove{*f});
    if (!r.ok()) return r.error();
    return {};
  }
  Result<void> unlink_at(std::uint32_t dfid, const std::string& name, std::uint32_t flags = 0) {
    return unlink_at(c(), dfid, name, flags);
  }
  // rename(2) as Linux sends it (fs/9p/vfs_inode.c v9fs_vfs_rename):
  // Trenameat; only when the server answers EOPNOTSUPP, Trename of a fid
  // walked to the old name.
  static Result<void> rename_at(client::Client& cl, std::uint32_t olddir, const std::string& oldname,
                                std::uint32_t newdir, const std::string& newname) {
    auto r = cl.call<msg::Rrenameat>(msg::Trenameat{olddir, oldname, newdir, newname});
    if (r.ok()) return {};
    if (r.error() != Errno::OPNOTSUPP) return r.error();
    auto f = try_walk(cl, olddir, {oldname});
    if (!f.ok()) return f.error();
    auto m = cl.call<msg::Rrename>(msg::Trename{*f, newdir, newname});
    (void)cl.call<msg::Rclunk>(msg::Tclunk{*f});
    if (!m.ok()) return m.error();
    return {};
  }
  Result<void> rename_at(std::uint32_t olddir, const std::string& oldname, std::uint32_t newdir,
                         const std::string& newname) {
    return rename_at(c(), olddir, oldname, newdir, newname);
  }

  // Sets the permission bits or the owner of fid (setup steps).
  void chmod(std::uint32_t fid, std::uint32_t mode) {
    auto r = setattr_mode(fid, mode);
    if (!r.ok()) ADD_FAILURE() << "setup chmod failed\n" << c().transcript();
  }
  void chown(std::uint32_t fid, std::uint32_t uid, std::uint32_t gid) {
    auto r = c().call<msg::Rsetattr>(
        msg::Tsetattr{.fid = fid, .valid = setattr::UID | setattr::GID, .uid = uid, .gid = gid});
    if (!r.ok()) ADD_FAILURE() << "setup chown failed\n" << c().transcript();
  }

  // ---- probes of dir()/path, each through a temporary fid ----
  msg::Rgetattr attr_at(const std::vector<std::string>& path) {
    std::uint32_t f = walk(dir(), path);
    if (!f) return {};
    auto a = getattr(f);
    clunk(f);
    return a;
  }

  // Whole content.
  std::string content_at(const std::vector<std::string>& path) {
    std::uint32_t f = open(path, access::RDONLY);
    if (!f) return {};
    std::string s = read_all(f);
    clunk(f);
    return s;
  }

  // Every entry (opened read-only, read with readdir_all).
  std::vector<Dirent> listing(const std::vector<std::string>& path, std::uint32_t count = 8192) {
    std::uint32_t f = open(path, access::RDONLY);
    if (!f) return {};
    auto all = readdir_all(f, count);
    clunk(f);
    return all;
  }

  // Sorted names listed (without "." and "..").
  std::vector<std::string> list(const std::vector<std::string>& path) { return names(listing(path)); }

  // ---- what a fid is on ----
  // Whether a fid is known to the server, probed with Tgetattr: "in use"
  // (answered), "unknown" (any Rlerror), or "no answer".
  std::string fid_status(std::uint32_t fid) {
    auto g = c().call<msg::Rgetattr>(msg::Tgetattr{fid, GETATTR_BASIC});
    if (g.ok()) return "in use";
    return g.error() == Errno::PROTO ? "no answer" : "unknown";
  }

  // Names the file a fid is on, among labelled qid paths.
  using Places = std::vector<std::pair<std::uint64_t, std::string>>;
  std::string where(std::uint32_t fid, const Places& places) {
    auto g = c().call<msg::Rgetattr>(msg::Tgetattr{fid, GETATTR_BASIC});
    if (!g.ok()) return "fid unknown";
    return label(g->qid.path, places);
  }
  static std::string label(std::uint64_t path, const Places& places) {
    for (const auto& [p, l] : places)
      if (p == path) return l;
    return "another file";
  }

  // ---- the server lives on ----
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
};

}  // namespace p9::conformance
