// fuzz_diff: differential fuzzing of the two reference backends. The same
// byte stream (a fixed Tversion msize 8192 + Tattach fid 0, then the input's
// frames, as in fuzz_server.cc) goes to a server session over the model and
// to one over the posix backend in a fresh temporary directory (removed after
// each input). Every reply pair must agree after the normalisation shared with
// the stateful property (conformance/diff/normalize.h): same type and errno,
// qid paths one-to-one, times/blocks/statfs/iounit ignored.
//
// Known legitimate differences are kept out, each for a reason:
//  - Tmknod of anything but a regular file is not sent: the model has no
//    pipes or devices (open gives ENXIO) while the host opens a FIFO and
//    refuses devices with EACCES (posix_backend.h, "nodev").
//  - Txattrwalk/Txattrcreate outside user.* are not sent: trusted.*,
//    security.* and system.* (POSIX ACLs, which the host parses) mean
//    something to the host kernel and nothing to the model. A listing
//    (Txattrwalk with an empty name) is not sent either: the host may add
//    attributes of its own (security.selinux, ...).
//  - Twrite and Tsetattr(size) reaching beyond 1 TiB are not sent: the
//    largest file size is the host file system's (ext4: 16 TiB, tmpfs and the
//    model: LLONG_MAX), so EFBIG depends on where /tmp is.
//  - Tsetattr changing the mode of a symlink is not sent (a probe Tgetattr,
//    itself compared, finds out): the host refuses lchmod with EOPNOTSUPP,
//    the model changes the bits; Linux clients never ask (chmod follows).
//  - Rreaddir: the cookies are each server's own, so a Treaddir at an offset
//    other than 0 is compared by reply type only, and even that only when
//    neither side answers EINVAL: the same number names a different position
//    on each side (the host's are telldir() hashes or offsets, the model's a
//    counter), so a count too small for the entry found there (EINVAL, as
//    getdents64 gives) on one side may be the end of the directory (empty
//    Rreaddir) or a shorter entry on the other. An offset no lseek(2) reaches
//    is EINVAL on both and still compared. At offset 0, when a probe
//    Treaddir after each side's last entry comes back empty on both sides,
//    the listings are compared as sets of (name, type).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "conformance/diff/normalize.h"
#include "reference/codec/codec.h"
#include "reference/codec/printer.h"
#include "reference/model/model.h"
#include "reference/posix/posix_backend.h"
#include "reference/server/session.h"

namespace {

constexpr std::uint32_t kMsize = 8192;
constexpr std::uint64_t kMaxSize = 1ull << 40;
constexpr std::uint16_t kProbeTag = 0xFFFE;

struct Side {
  std::unique_ptr<p9::server::Server> server;
  std::unique_ptr<p9::server::Session> session;
  p9::Frame handle(const std::vector<std::uint8_t>& frame, const char* name) {
    std::vector<std::uint8_t> out;
    session->handle(frame.data(), frame.size(), out);
    p9::DecodeError err;
    std::uint32_t len = p9::frame_length(out.data(), out.size(), 0xFFFFFFFFu, &err);
    if (err != p9::DecodeError::None || len != out.size()) {
      std::fprintf(stderr, "fuzz_diff: %s: not exactly one reply frame\n", name);
      std::abort();
    }
    p9::Decoded d = p9::decode(out, p9::Expect::Reply, 0xFFFFFFFFu);
    if (!d.ok()) {
      std::fprintf(stderr, "fuzz_diff: %s: reply does not decode: %s\n", name, d.detail.c_str());
      std::abort();
    }
    return d.frame;
  }
};

struct Pair {
  Side model, posix;
  p9::diff::QidMap qids;

  [[noreturn]] void fail(const std::string& why, const std::vector<std::uint8_t>& req, const p9::Frame& a,
                         const p9::Frame& b) {
    p9::Decoded d = p9::decode(req, p9::Expect::Request, 0xFFFFFFFFu);
    std::fprintf(stderr, "fuzz_diff: %s\n  request: %s\n  model:   %s\n  posix:   %s\n", why.c_str(),
                 d.ok() ? p9::to_string(d.frame).c_str() : "(does not decode)", p9::to_string(a).c_str(),
                 p9::to_string(b).c_str());
    std::abort();
  }

  // Both sides, compared; returns the model's reply.
  p9::Frame both(const std::vector<std::uint8_t>& req) {
    p9::Frame a = model.handle(req, "model"), b = posix.handle(req, "posix");
    if (a.tag != b.tag) fail("reply tags differ", req, a, b);
    std::string why = p9::diff::compare(a.body, b.body, qids);
    if (!why.empty()) fail(why, req, a, b);
    return a;
  }

  void readdir(const p9::msg::Treaddir& m, const std::vector<std::uint8_t>& req) {
    p9::Frame a = model.handle(req, "model"), b = posix.handle(req, "posix");
    auto einval = [](const p9::Frame& f) {
      auto* e = std::get_if<p9::msg::Rlerror>(&f.body);
      return e && e->ecode == static_cast<std::uint32_t>(p9::Errno::INVAL);
    };
    bool reachable = m.offset <= static_cast<std::uint64_t>(INT64_MAX);
    if (m.offset != 0 && reachable && einval(a) != einval(b)) return;
    if (p9::type_of(a.body) != p9::type_of(b.body)) fail("reply type differs", req, a, b);
    std::string why = p9::diff::compare(a.body, b.body, qids);  // errno, or nothing for Rreaddir
    if (!why.empty()) fail(why, req, a, b);
    auto* ra = std::get_if<p9::msg::Rreaddir>(&a.body);
    auto* rb = std::get_if<p9::msg::Rreaddir>(&b.body);
    if (!ra || m.offset != 0) return;
    if (ra->entries.empty() != rb->entries.empty()) fail("one listing is empty", req, a, b);
    if (ra->entries.empty()) return;
    // Probe: are both listings complete?
    auto next = [&](Side& s, std::uint64_t off, const char* n) {
      return s.handle(p9::encode(p9::Frame{kProbeTag, p9::msg::Treaddir{m.fid, off, m.count}}), n);
    };
    p9::Frame pa = next(model, ra->entries.back().offset, "model");
    p9::Frame pb = next(posix, rb->entries.back().offset, "posix");
    auto empty = [](const p9::Frame& f) {
      auto* r = std::get_if<p9::msg::Rreaddir>(&f.body);
      return r && r->entries.empty();
    };
    if (!empty(pa) || !empty(pb)) return;
    p9::diff::EntrySet sa, sb;
    p9::diff::add_entries(a.body, sa);
    p9::diff::add_entries(b.body, sb);
    if (sa != sb) fail("listing differs: " + p9::diff::describe_difference(sa, sb), req, a, b);
  }

  bool is_symlink(std::uint32_t fid) {
    auto probe = p9::encode(p9::Frame{kProbeTag, p9::msg::Tgetattr{fid, p9::getattr::MODE}});
    p9::Frame a = both(probe);
    auto* g = std::get_if<p9::msg::Rgetattr>(&a.body);
    return g && (g->mode & 0170000) == 0120000;
  }

  // One request frame: filtered (see the top of the file), then to both sides.
  void request(const std::vector<std::uint8_t>& req) {
    p9::Decoded d = p9::decode(req, p9::Expect::Request, kMsize);
    if (d.ok()) {
      const p9::Message& m = d.frame.body;
      if (auto* mk = std::get_if<p9::msg::Tmknod>(&m); mk && (mk->mode & 0170000) != 0100000) return;
      auto user = [](const std::string& n) { return n.rfind("user.", 0) == 0; };
      if (auto* xw = std::get_if<p9::msg::Txattrwalk>(&m); xw && !user(xw->name)) return;
      if (auto* xc = std::get_if<p9::msg::Txattrcreate>(&m); xc && !user(xc->name)) return;
      if (auto* w = std::get_if<p9::msg::Twrite>(&m); w && (w->offset > kMaxSize || w->offset + w->data.size() > kMaxSize))
        return;
      if (auto* sa = std::get_if<p9::msg::Tsetattr>(&m)) {
        if ((sa->valid & p9::setattr::SIZE) && sa->size > kMaxSize) return;
        if ((sa->valid & p9::setattr::MODE) && is_symlink(sa->fid)) return;
      }
      if (auto* rd = std::get_if<p9::msg::Treaddir>(&m)) {
        readdir(*rd, req);
        return;
      }
    }
    both(req);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string base = std::filesystem::temp_directory_path().string() + "/p9fuzzdiff-XXXXXX";
  std::vector<char> tmpl(base.begin(), base.end());
  tmpl.push_back('\0');
  if (!::mkdtemp(tmpl.data())) {
    std::perror("fuzz_diff: mkdtemp");
    std::abort();
  }
  std::string dir = tmpl.data();
  ::chmod(dir.c_str(), 0755);  // the model's root is 0755 root:root
  {
    std::string error;
    auto posix = p9::posix::PosixBackend::open(dir, &error);
    if (!posix) {
      std::fprintf(stderr, "fuzz_diff: %s\n", error.c_str());
      std::abort();
    }
    p9::model::Model model;
    p9::server::Options opt;
    opt.max_msize = kMsize;
    opt.max_fids = 256;
    Pair pair;
    pair.model.server = std::make_unique<p9::server::Server>(model, opt);
    pair.posix.server = std::make_unique<p9::server::Server>(*posix, opt);
    pair.model.session = std::make_unique<p9::server::Session>(*pair.model.server, 1);
    pair.posix.session = std::make_unique<p9::server::Session>(*pair.posix.server, 1);
    pair.both(p9::encode(p9::Frame{p9::NOTAG, p9::msg::Tversion{kMsize, "9P2000.L"}}));
    pair.both(p9::encode(
        p9::Frame{1, p9::msg::Tattach{0, static_cast<std::uint32_t>(p9::NOFID), "root", "", 0}}));
    std::size_t pos = 0;
    while (pos < size) {
      p9::DecodeError err;
      std::uint32_t len = p9::frame_length(data + pos, size - pos, pair.model.session->msize(), &err);
      if (err != p9::DecodeError::None || len == 0 || len > size - pos) break;
      pair.request(std::vector<std::uint8_t>(data + pos, data + pos + len));
      pos += len;
    }
    pair.model.session.reset();
    pair.posix.session.reset();
    std::string inv = model.check_invariants();
    if (!inv.empty()) {
      std::fprintf(stderr, "fuzz_diff: model invariants broken: %s\n", inv.c_str());
      std::abort();
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
