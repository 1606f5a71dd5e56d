// Small helpers shared by the walk/open/io/readdir/attr cases (walk_test.cc
// ... attr_test.cc). Not a test file itself (the runner's glob picks
// *_test.cc only). Everything here is built on the fixture's helpers and the
// client; no helper hides a check a case relies on.
//
// The P9_EXPECT_* macros evaluate their argument twice when the call fails,
// so every request is sent first and its Result kept in a variable.
#pragma once

#include <string>
#include <vector>

#include "conformance/harness/case.h"

namespace p9::conformance {

struct ACase : Case {
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

  // connect_as(uid) for a user other than root. The attach root of a server
  // started in a fresh temporary directory may be 0700 (mkdtemp), which no
  // other user can search; open it to 0755 first (a setup step, as root).
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

  // Creates a regular file with content and clunks its fid.
  void make_file(std::uint32_t dfid, const std::string& name, const std::string& content = "") {
    std::uint32_t f = create(dfid, name, content);
    if (f) clunk(f);
  }

  void make_symlink(std::uint32_t dfid, const std::string& name, const std::string& target) {
    auto r = c().call<msg::Rsymlink>(msg::Tsymlink{dfid, name, target, 0});
    if (!r.ok()) ADD_FAILURE() << "setup symlink " << name << " failed\n" << c().transcript();
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

  // A Tsetattr with only `valid` and the given fields.
  Result<msg::Rsetattr> setattr_size(std::uint32_t fid, std::uint64_t size) {
    msg::Tsetattr s{};
    s.fid = fid;
    s.valid = setattr::SIZE;
    s.size = size;
    return c().call<msg::Rsetattr>(s);
  }
  Result<msg::Rsetattr> setattr_mode(std::uint32_t fid, std::uint32_t mode) {
    msg::Tsetattr s{};
    s.fid = fid;
    s.valid = setattr::MODE;
    s.mode = mode;
    return c().call<msg::Rsetattr>(s);
  }

  // Lists dir()/path (opened read-only) with readdir_all.
  std::vector<Dirent> listing(const std::vector<std::string>& path, std::uint32_t count = 8192) {
    std::uint32_t f = open(path, access::RDONLY);
    if (!f) return {};
    auto all = readdir_all(f, count);
    clunk(f);
    return all;
  }

  // Whether a fid is known to the server, probed with Tgetattr: "in use"
  // (answered), "unknown" (any Rlerror), or "no answer".
  std::string fid_status(std::uint32_t fid) {
    auto g = c().call<msg::Rgetattr>(msg::Tgetattr{fid, GETATTR_BASIC});
    if (g.ok()) return "in use";
    return g.error() == Errno::PROTO ? "no answer" : "unknown";
  }

  // Names the file a fid is on, among labelled qid paths ("other" if none).
  std::string where(std::uint32_t fid, const std::vector<std::pair<std::uint64_t, std::string>>& places) {
    auto g = c().call<msg::Rgetattr>(msg::Tgetattr{fid, GETATTR_BASIC});
    if (!g.ok()) return "fid unknown";
    for (const auto& [path, label] : places)
      if (g->qid.path == path) return label;
    return "another file";
  }
  static std::string label(std::uint64_t path,
                           const std::vector<std::pair<std::uint64_t, std::string>>& places) {
    for (const auto& [p, l] : places)
      if (p == path) return l;
    return "another file";
  }
};

}  // namespace p9::conformance
