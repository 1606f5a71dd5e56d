#include "reference/server/session.h"

#include <cstdio>
#include <optional>

#include "reference/codec/printer.h"
#include "reference/fs/names.h"
#include "reference/fs/open.h"
#include "reference/fs/resolve.h"
#include "reference/fs/rules.h"
#include "reference/server/xattr_fid.h"

namespace p9::server {

// ---------------------------------------------------------------- fids ----

// A fid names a file (a node fid, opened or not) or an extended attribute
// (xattr_fid.h). Where the walk came from is a resolver place
// (reference/fs/resolve.h): the node, and the directory and name it was
// reached by.
struct Session::Fid {
  fs::Place place;
  fs::NodeRef root;  // the attach root: ".." stays here
  fs::Cred cred;
  fs::OpenRef file;       // set once Tlopen/Tlcreate opened it
  bool writable = false;  // opened O_WRONLY or O_RDWR
  std::optional<XattrFid> xattr;

  void open(fs::OpenRef f, std::uint32_t flags) {
    file = std::move(f);
    writable = (flags & ACCMODE) == access::WRONLY || (flags & ACCMODE) == access::RDWR;
  }

  bool is_dir() const { return place.type == fs::FileType::Directory; }
  fs::Node& node() const { return *place.node; }
  // The fid now stands for another file (walk, create): the one rebinding.
  void bind(fs::Place p) { place = std::move(p); }
};

// -------------------------------------------------------------- server ----

Server::Server(fs::Backend& backend, Options options) : backend_(backend), options_(std::move(options)) {
  if (!options_.user_cred)
    options_.user_cred = [](std::uint32_t uid) { return fs::Cred{uid, uid, {}, fs::GroupTrust::Db}; };
}

void Server::log(const std::string& line) const {
  if (options_.log_sink)
    options_.log_sink(line);
  else
    std::fprintf(stderr, "%s\n", line.c_str());
}

void Server::fids_changed(std::size_t before, std::size_t after) {
  if (after >= before) {
    fids_in_use_ += after - before;
    return;
  }
  std::size_t now = fids_in_use_ -= before - after;
  if (now < options_.max_total_fids) fid_cap_logged_ = false;
}

bool Server::fid_room(std::uint64_t connection) {
  std::size_t now = fids_in_use_;
  if (now < options_.max_total_fids) return true;
  if (!fid_cap_logged_.exchange(true))
    log("p9ref: conn " + std::to_string(connection) + ": new fid refused (ENFILE): " + std::to_string(now) +
        " fids in use, the server-wide cap (--max-total-fids " + std::to_string(options_.max_total_fids) +
        "); logged once until fids are released");
  return false;
}

Session::Session(Server& server, std::uint64_t id)
    : server_(server), backend_(server.backend()), id_(id), msize_(server.options().max_msize) {}

Session::~Session() {
  server_.fids_changed(fids_.size(), 0);
  fids_.clear();
}

// ------------------------------------------------------ generic checks ----

Result<Session::Fid*> Session::check_fid(std::uint32_t fid, FidRule rule, std::uint32_t request_fid) {
  if (rule == FidRule::NoFid) {
    if (fid != NOFID) return Errno::INVAL;
    return static_cast<Fid*>(nullptr);
  }
  if (rule == FidRule::New || (rule == FidRule::NewUnlessFid && fid != request_fid)) {
    if (fid == NOFID) return Errno::INVAL;
    if (fids_.count(fid)) return Errno::INVAL;
    if (fids_.size() >= server_.options().max_fids) return Errno::MFILE;
    if (!server_.fid_room(id_)) return Errno::NFILE;
    return static_cast<Fid*>(nullptr);
  }
  auto it = fids_.find(fid);
  if (it == fids_.end()) return Errno::BADF;
  Fid* f = it->second.get();
  bool node = !f->xattr;
  switch (rule) {
    case FidRule::Any:
    case FidRule::NewUnlessFid:  // the request's own fid, already checked by its row
      return f;
    case FidRule::Node:
      if (!node) return Errno::INVAL;
      return f;
    case FidRule::Unopened:
    case FidRule::UnopenedDir:
      if (!node || f->file) return Errno::INVAL;
      if (rule == FidRule::UnopenedDir && !f->is_dir()) return Errno::NOTDIR;
      return f;
    case FidRule::Opened:
      if (!node || !f->file) return Errno::BADF;
      return f;
    case FidRule::Dir:
      // A directory fid used as the parent of a name may be open: Linux keeps
      // directory fids open and still creates through them.
      if (!node) return Errno::INVAL;
      if (!f->is_dir()) return Errno::NOTDIR;
      return f;
    case FidRule::NoFid:
    case FidRule::New:
      break;
  }
  return f;
}

template <class M>
Result<Session::Fids> Session::apply_fid_rules(const M& m) {
  Fids fids;
  std::uint32_t request_fid = NOFID;
  if constexpr (requires { m.fid; }) request_fid = m.fid;
#define P9_FID_RULE(MSG, FIELD, RULE)                        \
  if constexpr (std::is_same_v<M, msg::MSG>) {               \
    auto r = check_fid(m.FIELD, FidRule::RULE, request_fid); \
    P9_TRY(r);                                               \
    fids.at[fids.n++] = *r;                                  \
  }
#include "reference/server/fid_rules.def"
#undef P9_FID_RULE
  (void)request_fid;
  return fids;
}

std::unique_ptr<Session::Fid> Session::take(std::uint32_t fid) {
  auto it = fids_.find(fid);
  std::unique_ptr<Fid> f = std::move(it->second);
  fids_.erase(it);
  return f;
}

// qid: type from the file type (P9_QTDIR, P9_QTSYMLINK, else file), path =
// inode number, version 0 (as diod; Linux only uses version with cache=loose).
static Qid qid_of_type(fs::FileType type, std::uint64_t ino) {
  std::uint8_t t = QID_TYPE_FILE;
  if (type == fs::FileType::Directory) t = qid_type::DIR;
  if (type == fs::FileType::Symlink) t = qid_type::SYMLINK;
  return Qid{t, 0, ino};
}
static Qid qid_from_attr(const fs::Attr& a) { return qid_of_type(a.type, a.ino); }
static Qid qid_from_place(const fs::Place& p) { return qid_of_type(p.type, p.ino); }

Result<Qid> Session::qid_of(fs::Node& node) {
  auto a = backend_.getattr(node);
  P9_TRY(a);
  return qid_from_attr(*a);
}

Result<void> Session::still_named(const Fid& fid) {
  if (backend_.same(fid.node(), *fid.root)) return Errno::BUSY;  // the attach root (rmdir of a mount point)
  if (!fid.place.parent) return Errno::INVAL;                    // reached through "..": no name known
  auto now = backend_.lookup(fid.cred, *fid.place.parent, fid.place.name);
  P9_TRY(now);
  if (!backend_.same(**now, fid.node())) return Errno::STALE;  // another client renamed or replaced it
  return {};
}

// The gid a Tlcreate/Tmkdir/Tsymlink/Tmknod asks for. Linux sends the
// caller's fsgid (fs/9p/vfs_inode_dotl.c v9fs_get_fsgid_for_create); the
// invalid gid (uint32 -1, INVALID_GID) means none was given: the
// attached user's own gid, as a local create would use.
static std::uint32_t creation_gid(std::uint32_t gid, const fs::Cred& cred) {
  return gid == 0xFFFFFFFFu ? cred.gid : gid;
}

// 9P2000.L's Tlopen/Tlcreate flags are Linux's generic O_* values (Linux
// include/net/9p/9p.h P9_DOTL_*; fs/9p/vfs_inode_dotl.c
// v9fs_open_to_dotl_flags maps O_* to them one for one), so the flags pass to
// the backend unchanged — checked here, row by row, at compile time.
constexpr bool dotl_flags_are_linux_flags() {
  for (const NamedValue& d : kNamedValues) {
    if (std::string_view(d.set) != "lopen") continue;
    bool found = false;
    for (const NamedValue& l : kNamedValues)
      found = found || (std::string_view(l.set) == "oflag" && std::string_view(l.name) == d.name &&
                        l.value == d.value);
    if (!found) return false;
  }
  return true;
}
static_assert(dotl_flags_are_linux_flags(),
              "a P9_DOTL_* row of spec/constants.def differs from spec/linux.def");

// ------------------------------------------------------------ dispatch ----

void Session::respond(std::uint16_t tag, Message body, std::vector<std::uint8_t>& out) {
  Frame reply{tag, std::move(body)};
  if (server_.options().log) server_.log("conn " + std::to_string(id_) + " <- " + to_string(reply));
  if (in_place_) {
    // on(Tread) read the payload into `out` already: the reply's data views
    // those bytes, only its count and size are left to write.
    DataSlot slot = *in_place_;
    in_place_.reset();
    const auto* r = std::get_if<msg::Rread>(&reply.body);
    if (r && r->data.bytes() == out.data() + slot.payload && r->data.size() <= slot.room) {
      end_data_frame(slot, static_cast<std::uint32_t>(r->data.size()), out);
      return;
    }
    out.resize(slot.start);  // another reply after all: the room goes
  }
  if (!encode_append(reply, out)) {
    // Only a reply we built too large could get here (a bug): say so on the wire.
    encode_append(Frame{tag, msg::Rlerror{static_cast<std::uint32_t>(Errno::IO)}}, out);
  }
}

void Session::handle(const std::uint8_t* frame, std::size_t len, std::vector<std::uint8_t>& out) {
  // Data fields view the frame (a Twrite is written from where it was
  // received): the frame outlives the request, which is answered before
  // handle() returns.
  Decoded d = decode(frame, len, Expect::Request, msize_, DataMode::View);
  out_ = &out;
  tag_ = d.tag;
  in_place_.reset();
  if (!d.ok()) {
    if (server_.options().log)
      server_.log("conn " + std::to_string(id_) + " -> bad frame (" + to_string(d.error) + "): " + d.detail);
    Errno e = d.error == DecodeError::UnknownType ? Errno::OPNOTSUPP : Errno::PROTO;
    respond(d.tag, msg::Rlerror{static_cast<std::uint32_t>(e)}, out);
    return;
  }
  if (server_.options().log) server_.log("conn " + std::to_string(id_) + " -> " + to_string(d.frame));
  if (!versioned_ && !std::holds_alternative<msg::Tversion>(d.frame.body)) {
    respond(d.frame.tag, msg::Rlerror{static_cast<std::uint32_t>(Errno::PROTO)}, out);
    return;
  }
  const std::size_t fids_before = fids_.size();
  Reply r = std::visit(
      [&](const auto& m) -> Reply {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, std::monostate>) {
          return Errno::PROTO;
        } else if constexpr (M::kName[0] != 'T') {
          return Errno::PROTO;  // an R-message: the decoder (Expect::Request) already refuses these
        } else {
          // Every T-message of spec/messages.def is handled: a missing
          // Session::on(const msg::T...&, Fids&) is a compile error here.
          auto fids = apply_fid_rules(m);
          P9_TRY(fids);
          return on(m, *fids);
        }
      },
      d.frame.body);
  server_.fids_changed(fids_before, fids_.size());
  if (r.ok())
    respond(d.frame.tag, std::move(r.value()), out);
  else
    respond(d.frame.tag, msg::Rlerror{static_cast<std::uint32_t>(r.error())}, out);
}

// ------------------------------------------------------------ handlers ----

// Tversion: msize = min(client's, ours); below 4096 refused (Linux
// net/9p/client.c refuses to run below 4096 too); a version string other than
// "9P2000.L" (or one with a suffix after a '.', intro(5) version) -> "unknown".
// A Tversion resets the session: every fid is released (intro(5) version).
Session::Reply Session::on(const msg::Tversion& m, Fids&) {
  fids_.clear();
  if (m.msize < MIN_MSIZE) return Errno::INVAL;
  std::uint32_t ms = m.msize < server_.options().max_msize ? m.msize : server_.options().max_msize;
  bool known = m.version == "9P2000.L" || m.version.rfind("9P2000.L.", 0) == 0;
  if (!known) return msg::Rversion{ms, "unknown"};
  msize_ = ms;
  versioned_ = true;
  return msg::Rversion{ms, "9P2000.L"};
}

Session::Reply Session::on(const msg::Tauth&, Fids&) {
  if (server_.options().log)
    server_.log("conn " + std::to_string(id_) + ": Tauth refused: authentication not configured");
  return Errno::OPNOTSUPP;
}

// Tattach: the user is n_uname when given (9P2000.u/.L), else uname
// ("root" -> 0, a number -> that uid, anything else -> nobody 65534).
// aname "" or "/" is the backend root; another path is walked from it, one
// component at a time, and may not climb ("..": EINVAL).
Session::Reply Session::on(const msg::Tattach& m, Fids&) {
  std::uint32_t uid = 65534;
  if (m.n_uname != NONUNAME) {
    uid = m.n_uname;
  } else if (m.uname == "root") {
    uid = 0;
  } else if (!m.uname.empty() && m.uname.find_first_not_of("0123456789") == std::string::npos &&
             m.uname.size() < 10) {
    uid = static_cast<std::uint32_t>(std::stoul(m.uname));
  }
  fs::Cred cred = server_.options().user_cred(uid);
  auto root = backend_.root();
  P9_TRY(root);
  fs::Resolver walker(backend_, cred, *root, fs::Escape::Refuse);
  auto at = walker.root_place();
  P9_TRY(at);
  std::string_view rest = m.aname;
  while (!rest.empty()) {
    std::size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") return Errno::INVAL;  // an aname may not climb out of the export
    at = walker.step(*at, part);
    P9_TRY(at);
  }
  if (!(at->type == fs::FileType::Directory)) return Errno::NOTDIR;
  auto f = std::make_unique<Fid>();
  f->root = at->node;
  f->cred = cred;
  Qid q = qid_from_place(*at);
  f->bind(fs::Place{at->node, nullptr, {}, at->type, at->ino});  // the attach root has no name
  fids_[m.fid] = std::move(f);
  return msg::Rattach{q};
}

// Tflush: requests are answered in order before the next is read, so the
// flushed request (if it existed) has been answered already: Rflush at once.
Session::Reply Session::on(const msg::Tflush&, Fids&) { return msg::Rflush{}; }

// Twalk (intro(5) walk): nwname 0 clones; the first element failing is an
// error; a later one failing returns the qids walked so far and leaves newfid
// unused; newfid == fid moves fid only when the whole walk succeeds. Walking
// from an opened fid is allowed into a *different* newfid (Linux >= 5.10
// walks from open directory fids); ".." at the attach root stays there
// (fs::Resolver::step with Escape::Clamp). Symlinks are not followed: the
// client resolves them.
Session::Reply Session::on(const msg::Twalk& m, Fids& f) {
  Fid& from = f[0];
  if (m.newfid == m.fid && from.file && !m.wname.empty())
    return Errno::INVAL;  // would change the file under an open fid
  fs::Resolver walker(backend_, from.cred, from.root, fs::Escape::Clamp);
  fs::Place at = from.place;
  msg::Rwalk reply;
  for (std::size_t i = 0; i < m.wname.size(); ++i) {
    auto next = walker.step(at, m.wname[i]);
    if (!next.ok()) {
      if (i == 0) return next.error();
      return reply;  // partial walk: newfid untouched
    }
    at = std::move(*next);
    reply.wqid.push_back(qid_from_place(at));
  }
  auto nf = std::make_unique<Fid>();
  nf->root = from.root;
  nf->cred = from.cred;
  nf->bind(std::move(at));
  fids_[m.newfid] = std::move(nf);  // replaces fid itself when newfid == fid
  return reply;
}

// Payload room in a data-carrying reply: msize - size[4] type[1] tag[2] count[4].
static std::uint32_t payload_room(std::uint32_t msize) { return msize - kDataFrameOverhead; }

Session::Reply Session::on(const msg::Tread& m, Fids& f) {
  Fid& fid = f[0];
  std::uint32_t count = m.count < payload_room(msize_) ? m.count : payload_room(msize_);
  if (fid.xattr && !fid.xattr->writing()) {
    // A view of the fid's value, which outlives the reply.
    return msg::Rread{Data::view(fid.xattr->read(m.offset, count))};
  }
  if (fid.xattr || !fid.file) return Errno::BADF;
  // Read straight into the reply frame (diod src/libdiod/diod_ops.c
  // diod_read does the same: np_alloc_rread, then a read into its data): the
  // Rread's data views bytes that are already where the encoding puts them.
  DataSlot slot;
  if (!out_ || !begin_data_frame(Frame{tag_, msg::Rread{}}, count, *out_, &slot)) return Errno::IO;
  auto n = fid.file->read(m.offset, out_->data() + slot.payload, count);
  if (!n.ok()) {
    out_->resize(slot.start);
    return n.error();
  }
  in_place_ = slot;
  return msg::Rread{Data::view(out_->data() + slot.payload, *n)};
}

Session::Reply Session::on(const msg::Twrite& m, Fids& f) {
  Fid& fid = f[0];
  if (fid.xattr) {
    auto n = fid.xattr->write(m.offset, m.data.sv());
    P9_TRY(n);
    return msg::Rwrite{*n};
  }
  if (!fid.file) return Errno::BADF;
  // m.data views the request frame: written from where it was received (as
  // diod, whose np_deserialize points twrite.data into the request buffer).
  auto n = fid.file->write(m.offset, m.data.bytes(), m.data.size());
  P9_TRY(n);
  return msg::Rwrite{static_cast<std::uint32_t>(*n)};
}

// Tclunk always releases the fid. An xattr fid from Txattrcreate applies its
// value now, and reports that call's error in the reply (xattr_fid.h).
Session::Reply Session::on(const msg::Tclunk& m, Fids&) {
  std::unique_ptr<Fid> fid = take(m.fid);
  if (fid->xattr) P9_TRY(fid->xattr->commit(backend_, fid->cred, fid->node()));
  return msg::Rclunk{};
}

// Tremove: unlink/rmdir of the fid's file, then the fid is clunked even when
// the removal fails (intro(5) remove).
Session::Reply Session::on(const msg::Tremove& m, Fids&) {
  std::unique_ptr<Fid> fid = take(m.fid);
  if (fid->xattr) return Errno::INVAL;
  P9_TRY(still_named(*fid));
  P9_TRY(backend_.unlink(fid->cred, *fid->place.parent, fid->place.name, fid->is_dir()));
  return msg::Rremove{};
}

Session::Reply Session::on(const msg::Tstatfs&, Fids& f) {
  auto s = backend_.statfs(f[0].node());
  P9_TRY(s);
  return msg::Rstatfs{s->type,  s->bsize, s->blocks, s->bfree,  s->bavail,
                      s->files, s->ffree, s->fsid,   s->namelen};
}

Session::Reply Session::on(const msg::Tlopen& m, Fids& f) {
  Fid& fid = f[0];
  auto o = fs::open_node(backend_, fid.cred, fid.place.node, m.flags);
  P9_TRY(o);
  fid.open(std::move(o->file), m.flags);
  return msg::Rlopen{qid_from_attr(o->attr), 0};
}

// Tlcreate: the directory fid becomes the new file, opened (diod protocol.md
// lcreate), with open(2)'s O_CREAT rules (fs/open.h): without O_EXCL an
// existing name is opened (the Linux client sends Tlcreate for a name its
// cache thought absent; QEMU and diod open the existing file too).
Session::Reply Session::on(const msg::Tlcreate& m, Fids& f) {
  Fid& fid = f[0];
  auto o = fs::open_at(backend_, fid.cred, fid.node(), m.name, m.flags | oflag::CREAT, m.mode,
                       creation_gid(m.gid, fid.cred));
  P9_TRY(o);
  Qid q = qid_from_attr(o->attr);
  fid.bind(fs::Place{o->node, fid.place.node, m.name, o->attr.type, o->attr.ino});
  fid.open(std::move(o->file), m.flags);
  return msg::Rlcreate{q, 0};
}

Session::Reply Session::on(const msg::Tsymlink& m, Fids& f) {
  Fid& d = f[0];
  if (Errno e = fs::check_name(m.name, fs::NameUse::Create); e != Errno::OK) return e;
  if (Errno e = fs::check_symlink_target(m.symtgt); e != Errno::OK) return e;
  auto n = backend_.symlink(d.cred, d.node(), m.name, m.symtgt, creation_gid(m.gid, d.cred));
  P9_TRY(n);
  auto q = qid_of(**n);
  P9_TRY(q);
  return msg::Rsymlink{*q};
}

Session::Reply Session::on(const msg::Tmknod& m, Fids& f) {
  Fid& d = f[0];
  if (Errno e = fs::check_name(m.name, fs::NameUse::Create); e != Errno::OK) return e;
  auto n = backend_.mknod(d.cred, d.node(), m.name, m.mode, fs::make_rdev(m.major, m.minor),
                          creation_gid(m.gid, d.cred));
  P9_TRY(n);
  auto q = qid_of(**n);
  P9_TRY(q);
  return msg::Rmknod{*q};
}

// Trename: the fid's file gets `name` in dfid (diod protocol.md rename).
Session::Reply Session::on(const msg::Trename& m, Fids& f) {
  Fid& fid = f[0];
  Fid& d = f[1];
  if (Errno e = fs::check_name(m.name, fs::NameUse::Create); e != Errno::OK)
    return e == Errno::EXIST ? Errno::BUSY : e;
  P9_TRY(still_named(fid));
  P9_TRY(backend_.rename(fid.cred, *fid.place.parent, fid.place.name, d.node(), m.name));
  fid.place.parent = d.place.node;
  fid.place.name = m.name;
  return msg::Rrename{};
}

Session::Reply Session::on(const msg::Treadlink&, Fids& f) {
  auto t = backend_.readlink(f[0].node());
  P9_TRY(t);
  return msg::Rreadlink{*t};
}

// Tgetattr: every attribute is filled; valid = the requested bits this server
// knows (all of P9_GETATTR_ALL). Linux reads the basic set regardless. On an
// open fid it is fstat(2) of the open file.
Session::Reply Session::on(const msg::Tgetattr& m, Fids& f) {
  auto a = f[0].file ? f[0].file->getattr() : backend_.getattr(f[0].node());
  P9_TRY(a);
  msg::Rgetattr r;
  r.valid = m.request_mask & GETATTR_ALL;
  r.qid = qid_from_attr(*a);
  r.mode = a->mode;
  r.uid = a->uid;
  r.gid = a->gid;
  r.nlink = a->nlink;
  r.rdev = a->rdev;
  r.size = a->size;
  r.blksize = a->blksize;
  r.blocks = a->blocks;
  r.atime_sec = static_cast<std::uint64_t>(a->atime.sec);
  r.atime_nsec = a->atime.nsec;
  r.mtime_sec = static_cast<std::uint64_t>(a->mtime.sec);
  r.mtime_nsec = a->mtime.nsec;
  r.ctime_sec = static_cast<std::uint64_t>(a->ctime.sec);
  r.ctime_nsec = a->ctime.nsec;
  r.btime_sec = static_cast<std::uint64_t>(a->btime.sec);
  r.btime_nsec = a->btime.nsec;
  r.gen = a->gen;
  r.data_version = a->data_version;
  return r;
}

// Tsetattr: P9_ATTR_* to one setattr call. A time bit without its _SET bit
// means "now" (Linux fs/9p/vfs_inode_dotl.c v9fs_vfs_setattr_dotl).
Session::Reply Session::on(const msg::Tsetattr& m, Fids& f) {
  Fid& fid = f[0];
  fs::SetAttr s;
  if (m.valid & setattr::MODE) s.mode = m.mode & MODE_PERM_MASK;
  if (m.valid & setattr::UID) s.uid = m.uid;
  if (m.valid & setattr::GID) s.gid = m.gid;
  if (m.valid & setattr::SIZE) s.size = m.size;
  auto time = [](bool given, bool set, std::uint64_t sec, std::uint64_t nsec) {
    fs::TimeSet t;
    if (given) t.how = set ? fs::TimeSet::How::Value : fs::TimeSet::How::Now;
    t.value = {static_cast<std::int64_t>(sec),
               static_cast<std::uint32_t>(nsec < 1000000000u ? nsec : 1000000000u)};
    return t;
  };
  s.atime = time(m.valid & setattr::ATIME, m.valid & setattr::ATIME_SET, m.atime_sec, m.atime_nsec);
  s.mtime = time(m.valid & setattr::MTIME, m.valid & setattr::MTIME_SET, m.mtime_sec, m.mtime_nsec);
  if (Errno e = fs::check_setattr(s); e != Errno::OK) return e;
  bool any = s.mode || s.uid || s.gid || s.size || s.atime.how != fs::TimeSet::How::Omit ||
             s.mtime.how != fs::TimeSet::How::Omit;
  if (!any && (m.valid & setattr::CTIME)) s.ctime_only = true;
  if (!any && !s.ctime_only) return msg::Rsetattr{};
  // On a fid opened for writing, the open file does it (ftruncate, fchmod,
  // fchown, futimens): its permission was checked at open, so a user who
  // created a 0444 file O_RDWR may ftruncate it, as on Linux. The Linux client
  // sends ftruncate on the open fid (fs/9p/vfs_inode_dotl.c
  // v9fs_vfs_setattr_dotl: ATTR_FILE). Through any other fid — a truncate(2)
  // by path, or a fid opened only for reading, which gives no right to change
  // the size — the file's permission bits decide now.
  if (fid.file && fid.writable)
    P9_TRY(fid.file->setattr(fid.cred, s));
  else
    P9_TRY(backend_.setattr(fid.cred, fid.node(), s));
  return msg::Rsetattr{};
}

// Txattrwalk: newfid holds the whole value, or the list of names (xattr_fid.h).
Session::Reply Session::on(const msg::Txattrwalk& m, Fids& f) {
  Fid& fid = f[0];
  auto x = XattrFid::for_read(backend_, fid.cred, fid.node(), m.name);
  P9_TRY(x);
  std::uint64_t size = x->size();
  auto nf = std::make_unique<Fid>();
  nf->place = fid.place;
  nf->root = fid.root;
  nf->cred = fid.cred;
  nf->xattr = std::move(*x);
  fids_[m.newfid] = std::move(nf);
  return msg::Rxattrwalk{size};
}

// Txattrcreate: the fid turns into an xattr fid receiving the value through
// Twrite; it takes effect at Tclunk (xattr_fid.h).
Session::Reply Session::on(const msg::Txattrcreate& m, Fids& f) {
  auto x = XattrFid::for_write(m.name, m.attr_size, m.flags);
  P9_TRY(x);
  f[0].xattr = std::move(*x);
  return msg::Rxattrcreate{};
}

// Treaddir: as many whole entries as fit in count (and the msize); each
// entry's offset is the cookie that resumes after it. When not even the
// first entry fits the answer is EINVAL, as getdents64(2) gives ("result
// buffer is too small"; Linux fs/readdir.c filldir64 sets buf->error =
// -EINVAL and ksys_getdents64 returns it when nothing was filled): an empty
// Rreaddir would tell the client the directory ended. At the end of the
// directory any count gets an empty Rreaddir (nothing to fill, no error).
Session::Reply Session::on(const msg::Treaddir& m, Fids& f) {
  std::size_t room = m.count < payload_room(msize_) ? m.count : payload_room(msize_);
  msg::Rreaddir r;
  std::size_t used = 0;
  bool too_small = false;
  P9_TRY(f[0].file->readdir(m.offset, [&](const fs::DirEntry& e) {
    std::size_t need = dirent_wire_size(e.name.size());
    if (used + need > room) {
      too_small = r.entries.empty();
      return false;
    }
    used += need;
    r.entries.push_back(Dirent{qid_of_type(e.type, e.ino), e.next_cookie, fs::dirent_type(e.type), e.name});
    return true;
  }));
  if (too_small) return Errno::INVAL;
  return r;
}

Session::Reply Session::on(const msg::Tfsync& m, Fids& f) {
  P9_TRY(f[0].file->fsync(m.datasync != 0));
  return msg::Rfsync{};
}

static Result<fs::LockType> lock_type_of(std::uint8_t t) {
  switch (t) {
    case lock_type::RDLCK:
      return fs::LockType::Read;
    case lock_type::WRLCK:
      return fs::LockType::Write;
    case lock_type::UNLCK:
      return fs::LockType::Unlock;
    default:
      return Errno::INVAL;
  }
}

static std::uint8_t wire_lock_type(fs::LockType t) {
  switch (t) {
    case fs::LockType::Read:
      return lock_type::RDLCK;
    case fs::LockType::Write:
      return lock_type::WRLCK;
    case fs::LockType::Unlock:
      return lock_type::UNLCK;
  }
  return lock_type::UNLCK;
}

// Tlock: F_SETLK; a conflict answers BLOCKED (the Linux client then retries
// when it asked to block: fs/9p/vfs_file.c v9fs_file_do_lock).
Session::Reply Session::on(const msg::Tlock& m, Fids& f) {
  auto t = lock_type_of(m.type);
  P9_TRY(t);
  if (m.flags & ~static_cast<std::uint32_t>(lock_flags::BLOCK | lock_flags::RECLAIM)) return Errno::INVAL;
  auto r = f[0].file->lock(fs::LockRange{*t, m.start, m.length, m.proc_id, m.client_id});
  P9_TRY(r);
  return msg::Rlock{*r == fs::LockResult::Granted ? static_cast<std::uint8_t>(lock_status::SUCCESS)
                                                  : static_cast<std::uint8_t>(lock_status::BLOCKED)};
}

Session::Reply Session::on(const msg::Tgetlock& m, Fids& f) {
  auto t = lock_type_of(m.type);
  P9_TRY(t);
  auto r = f[0].file->getlock(fs::LockRange{*t, m.start, m.length, m.proc_id, m.client_id});
  P9_TRY(r);
  return msg::Rgetlock{wire_lock_type(r->type), r->start, r->length, r->proc_id, r->client_id};
}

Session::Reply Session::on(const msg::Tlink& m, Fids& f) {
  Fid& d = f[0];
  if (Errno e = fs::check_name(m.name, fs::NameUse::Create); e != Errno::OK) return e;
  P9_TRY(backend_.link(d.cred, f[1].node(), d.node(), m.name));
  return msg::Rlink{};
}

Session::Reply Session::on(const msg::Tmkdir& m, Fids& f) {
  Fid& d = f[0];
  if (Errno e = fs::check_name(m.name, fs::NameUse::Create); e != Errno::OK) return e;
  auto n = backend_.mkdir(d.cred, d.node(), m.name, m.mode & MODE_PERM_MASK, creation_gid(m.gid, d.cred));
  P9_TRY(n);
  auto q = qid_of(**n);
  P9_TRY(q);
  return msg::Rmkdir{*q};
}

Session::Reply Session::on(const msg::Trenameat& m, Fids& f) {
  if (Errno e = fs::check_name(m.oldname, fs::NameUse::RenameOld); e != Errno::OK) return e;
  if (Errno e = fs::check_name(m.newname, fs::NameUse::RenameNew); e != Errno::OK) return e;
  P9_TRY(backend_.rename(f[0].cred, f[0].node(), m.oldname, f[1].node(), m.newname));
  return msg::Rrenameat{};
}

Session::Reply Session::on(const msg::Tunlinkat& m, Fids& f) {
  if (m.flags & ~static_cast<std::uint32_t>(at::REMOVEDIR)) return Errno::INVAL;  // unlinkat(2): unknown flag
  bool rmdir = (m.flags & at::REMOVEDIR) != 0;
  if (Errno e = fs::check_name(m.name, rmdir ? fs::NameUse::Rmdir : fs::NameUse::Unlink); e != Errno::OK)
    return e;
  P9_TRY(backend_.unlink(f[0].cred, f[0].node(), m.name, rmdir));
  return msg::Runlinkat{};
}

}  // namespace p9::server
