#include "reference/server/session.h"

#include <cstdio>

#include "reference/codec/printer.h"
#include "reference/server/names.h"

namespace p9::server {

// ---------------------------------------------------------------- fids ----

struct Session::Fid {
  enum class Kind { Node, XattrRead, XattrWrite };
  Kind kind = Kind::Node;
  fs::NodeRef node;
  fs::NodeRef root;    // the attach root: ".." stays here
  fs::NodeRef parent;  // directory where `name` was found; null when unknown (attach root, after "..")
  std::string name;
  fs::Cred cred;
  fs::OpenRef file;    // set once Tlopen/Tlcreate opened it
  bool is_dir = false;
  // xattr fids (Txattrwalk: the value to read; Txattrcreate: the value being written)
  std::string xattr_name;
  std::string xattr_value;
  std::uint64_t xattr_size = 0;
  std::uint32_t xattr_flags = 0;
};

// -------------------------------------------------------------- server ----

Server::Server(fs::Backend& backend, Options options) : backend_(backend), options_(std::move(options)) {
  if (!options_.user_cred)
    options_.user_cred = [](std::uint32_t uid) { return fs::Cred{uid, uid, {}}; };
}

void Server::log(const std::string& line) const {
  if (options_.log_sink)
    options_.log_sink(line);
  else
    std::fprintf(stderr, "%s\n", line.c_str());
}

Session::Session(Server& server, std::uint64_t id)
    : server_(server), backend_(server.backend()), id_(id), msize_(server.options().max_msize) {}

Session::~Session() { fids_.clear(); }

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
  Reply r = std::visit(
      [&](const auto& m) -> Reply {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, std::monostate>) {
          return Errno::PROTO;
        } else if constexpr (requires { this->on(m); }) {
          return on(m);
        } else {
          return Errno::PROTO;  // an R-message: the decoder (Expect::Request) already refuses these
        }
      },
      d.frame.body);
  if (r.ok())
    respond(d.frame.tag, std::move(r.value()), out);
  else
    respond(d.frame.tag, msg::Rlerror{static_cast<std::uint32_t>(r.error())}, out);
}

// ------------------------------------------------------ generic checks ----

Result<Session::Fid*> Session::find(std::uint32_t fid) {
  auto it = fids_.find(fid);
  if (it == fids_.end()) return Errno::BADF;
  return it->second.get();
}

// A node fid that is not open and not an xattr fid (walk source, lopen, create ...).
Result<Session::Fid*> Session::find_unopened(std::uint32_t fid) {
  auto f = find(fid);
  P9_TRY(f);
  if ((*f)->kind != Fid::Kind::Node) return Errno::INVAL;
  if ((*f)->file) return Errno::INVAL;
  return f;
}

Result<Session::Fid*> Session::find_opened(std::uint32_t fid) {
  auto f = find(fid);
  P9_TRY(f);
  if ((*f)->kind != Fid::Kind::Node || !(*f)->file) return Errno::BADF;
  return f;
}

// A directory fid used as the parent of a name (it may be open: Linux keeps
// directory fids open and still creates through them).
Result<Session::Fid*> Session::find_dir(std::uint32_t fid) {
  auto f = find(fid);
  P9_TRY(f);
  if ((*f)->kind != Fid::Kind::Node) return Errno::INVAL;
  if (!(*f)->is_dir) return Errno::NOTDIR;
  return f;
}

Result<void> Session::check_new_fid(std::uint32_t newfid) {
  if (newfid == NOFID) return Errno::INVAL;
  if (fids_.count(newfid)) return Errno::INVAL;
  if (fids_.size() >= server_.options().max_fids) return Errno::MFILE;
  return {};
}

// qid: type from the file type (P9_QTDIR, P9_QTSYMLINK, else file), path =
// inode number, version 0 (as diod; Linux only uses version with cache=loose).
Qid qid_from_attr(const fs::Attr& a) {
  std::uint8_t t = QID_TYPE_FILE;
  if (a.type == fs::FileType::Directory) t = qid_type::DIR;
  if (a.type == fs::FileType::Symlink) t = qid_type::SYMLINK;
  return Qid{t, 0, a.ino};
}

Result<Qid> Session::qid_of(fs::Node& node) {
  auto a = backend_.getattr(node);
  P9_TRY(a);
  return qid_from_attr(*a);
}

void Session::release(std::uint32_t fid) { fids_.erase(fid); }

// The gid a Tlcreate/Tmkdir/Tsymlink/Tmknod asks for. Linux sends the
// caller's fsgid (fs/9p/vfs_inode_dotl.c v9fs_get_fsgid_for_create); the
// invalid gid (uint32 -1, INVALID_GID) means none was given: the
// attached user's own gid, as a local create would use.
static std::uint32_t creation_gid(std::uint32_t gid, const fs::Cred& cred) {
  return gid == 0xFFFFFFFFu ? cred.gid : gid;
}

// ------------------------------------------------------------ handlers ----

// Tversion: msize = min(client's, ours); below 4096 refused (Linux
// net/9p/client.c refuses to run below 4096 too); a version string other than
// "9P2000.L" (or one with a suffix after a '.', intro(5) version) -> "unknown".
// A Tversion resets the session: every fid is released (intro(5) version).
Session::Reply Session::on(const msg::Tversion& m) {
  fids_.clear();
  if (m.msize < MIN_MSIZE) return Errno::INVAL;
  std::uint32_t ms = m.msize < server_.options().max_msize ? m.msize : server_.options().max_msize;
  bool known = m.version == "9P2000.L" || m.version.rfind("9P2000.L.", 0) == 0;
  if (!known) return msg::Rversion{ms, "unknown"};
  msize_ = ms;
  versioned_ = true;
  return msg::Rversion{ms, "9P2000.L"};
}

Session::Reply Session::on(const msg::Tauth&) {
  if (server_.options().log) server_.log("conn " + std::to_string(id_) + ": Tauth refused: authentication not configured");
  return Errno::OPNOTSUPP;
}

// Tattach: the user is n_uname when given (9P2000.u/.L), else uname
// ("root" -> 0, a number -> that uid, anything else -> nobody 65534).
// aname "" or "/" is the backend root; another path is walked from it.
Session::Reply Session::on(const msg::Tattach& m) {
  if (m.afid != NOFID) return Errno::INVAL;
  P9_TRY(check_new_fid(m.fid));
  std::uint32_t uid = 65534;
  if (m.n_uname != NONUNAME) {
    uid = m.n_uname;
  } else if (m.uname == "root") {
    uid = 0;
  } else if (!m.uname.empty() && m.uname.find_first_not_of("0123456789") == std::string::npos && m.uname.size() < 10) {
    uid = static_cast<std::uint32_t>(std::stoul(m.uname));
  }
  fs::Cred cred = server_.options().user_cred(uid);
  auto root = backend_.root();
  P9_TRY(root);
  fs::NodeRef node = *root;
  std::string_view rest = m.aname;
  while (!rest.empty()) {
    std::size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") return Errno::INVAL;  // an aname may not climb out of the export
    auto next = backend_.lookup(cred, *node, part);
    P9_TRY(next);
    node = *next;
  }
  auto attr = backend_.getattr(*node);
  P9_TRY(attr);
  if (attr->type != fs::FileType::Directory) return Errno::NOTDIR;
  auto f = std::make_unique<Fid>();
  f->node = node;
  f->root = node;
  f->cred = cred;
  f->is_dir = true;
  fids_[m.fid] = std::move(f);
  return msg::Rattach{qid_from_attr(*attr)};
}

// Tflush: requests are answered in order before the next is read, so the
// flushed request (if it existed) has been answered already: Rflush at once.
Session::Reply Session::on(const msg::Tflush&) { return msg::Rflush{}; }

// Twalk (intro(5) walk): nwname 0 clones; the first element failing is an
// error; a later one failing returns the qids walked so far and leaves newfid
// unused; newfid == fid moves fid only when the whole walk succeeds. Walking
// from an opened fid is allowed into a *different* newfid (Linux >= 5.10
// walks from open directory fids); ".." at the attach root stays there.
Session::Reply Session::on(const msg::Twalk& m) {
  auto src = find(m.fid);
  P9_TRY(src);
  Fid& from = **src;
  if (from.kind != Fid::Kind::Node) return Errno::INVAL;
  if (m.newfid != m.fid) {
    P9_TRY(check_new_fid(m.newfid));
  } else if (from.file && !m.wname.empty()) {
    return Errno::INVAL;  // would change the file under an open fid
  }
  if (m.wname.size() > MAXWELEM) return Errno::INVAL;  // the decoder already refuses this
  if (!m.wname.empty() && !from.is_dir) return Errno::NOTDIR;

  fs::NodeRef node = from.node, parent = from.parent;
  std::string name = from.name;
  bool is_dir = from.is_dir;
  msg::Rwalk reply;
  for (std::size_t i = 0; i < m.wname.size(); ++i) {
    const std::string& w = m.wname[i];
    Errno e = check_name(w, NameUse::Lookup);
    if (e == Errno::OK && !is_dir) e = Errno::NOTDIR;
    fs::NodeRef next;
    if (e == Errno::OK) {
      if (w == ".." && backend_.same(*node, *from.root)) {
        next = node;  // clamp at the attach root
      } else {
        auto r = backend_.lookup(from.cred, *node, w);
        if (r.ok()) next = *r;
        else e = r.error();
      }
    }
    fs::Attr attr;
    if (e == Errno::OK) {
      auto a = backend_.getattr(*next);
      if (a.ok()) attr = *a;
      else e = a.error();
    }
    if (e != Errno::OK) {
      if (i == 0) return e;
      return reply;  // partial walk: newfid untouched
    }
    reply.wqid.push_back(qid_from_attr(attr));
    if (w == "..") {
      parent = nullptr;  // the name of a parent reached by ".." is not known
      name.clear();
    } else if (w != ".") {
      parent = node;
      name = w;
    }
    node = next;
    is_dir = attr.type == fs::FileType::Directory;
  }
  auto f = std::make_unique<Fid>();
  f->node = node;
  f->root = from.root;
  f->parent = parent;
  f->name = name;
  f->cred = from.cred;
  f->is_dir = is_dir;
  fids_[m.newfid] = std::move(f);  // replaces fid itself when newfid == fid
  return reply;
}

// Payload room in a data-carrying reply: msize - size[4] type[1] tag[2] count[4].
static std::uint32_t payload_room(std::uint32_t msize) { return msize - kDataFrameOverhead; }

Session::Reply Session::on(const msg::Tread& m) {
  auto f = find(m.fid);
  P9_TRY(f);
  Fid& fid = **f;
  std::uint32_t count = m.count < payload_room(msize_) ? m.count : payload_room(msize_);
  if (fid.kind == Fid::Kind::XattrRead) {
    msg::Rread r;  // a view of the fid's value, which outlives the reply
    if (m.offset < fid.xattr_value.size())
      r.data = Data::view(std::string_view(fid.xattr_value).substr(m.offset, count));
    return r;
  }
  if (fid.kind != Fid::Kind::Node || !fid.file) return Errno::BADF;
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

Session::Reply Session::on(const msg::Twrite& m) {
  auto f = find(m.fid);
  P9_TRY(f);
  Fid& fid = **f;
  if (fid.kind == Fid::Kind::XattrWrite) {
    // The value arrives in order (Linux writes it sequentially); it may not
    // exceed the size announced in Txattrcreate.
    if (m.offset != fid.xattr_value.size()) return Errno::INVAL;
    if (fid.xattr_value.size() + m.data.size() > fid.xattr_size) return Errno::NOSPC;
    fid.xattr_value += m.data.sv();
    return msg::Rwrite{static_cast<std::uint32_t>(m.data.size())};
  }
  if (fid.kind != Fid::Kind::Node || !fid.file) return Errno::BADF;
  // m.data views the request frame: written from where it was received (as
  // diod, whose np_deserialize points twrite.data into the request buffer).
  auto n = fid.file->write(m.offset, m.data.bytes(), m.data.size());
  P9_TRY(n);
  return msg::Rwrite{static_cast<std::uint32_t>(*n)};
}

// Tclunk always releases the fid. An xattr fid from Txattrcreate applies its
// value now, and reports that call's error in the reply (Linux
// fs/9p/xattr.c: the error of setxattr surfaces at clunk).
Session::Reply Session::on(const msg::Tclunk& m) {
  auto f = find(m.fid);
  P9_TRY(f);
  std::unique_ptr<Fid> fid = std::move(fids_[m.fid]);
  fids_.erase(m.fid);
  if (fid->kind != Fid::Kind::XattrWrite) return msg::Rclunk{};
  if (fid->xattr_value.size() != fid->xattr_size) return Errno::INVAL;  // fewer bytes than announced
  // Linux removexattr() sends Txattrcreate with size 0 and XATTR_REPLACE
  // (fs/9p/xattr.c v9fs_xattr_set with value NULL); an empty value set with
  // XATTR_CREATE or no flag stays a set of an empty value.
  if (fid->xattr_size == 0 && fid->xattr_flags == static_cast<std::uint32_t>(fs::XattrFlags::Replace)) {
    P9_TRY(backend_.removexattr(fid->cred, *fid->node, fid->xattr_name));
  } else {
    P9_TRY(backend_.setxattr(fid->cred, *fid->node, fid->xattr_name, fid->xattr_value,
                             static_cast<fs::XattrFlags>(fid->xattr_flags)));
  }
  return msg::Rclunk{};
}

// Tremove: unlink/rmdir of the fid's file, then the fid is clunked even when
// the removal fails (intro(5) remove).
Session::Reply Session::on(const msg::Tremove& m) {
  auto f = find(m.fid);
  P9_TRY(f);
  std::unique_ptr<Fid> fid = std::move(fids_[m.fid]);
  fids_.erase(m.fid);
  if (fid->kind != Fid::Kind::Node) return Errno::INVAL;
  if (backend_.same(*fid->node, *fid->root)) return Errno::BUSY;  // the attach root (rmdir of a mount point)
  if (!fid->parent) return Errno::INVAL;                          // reached through "..": no name known
  // The name must still refer to this file (another client may have renamed it).
  auto now = backend_.lookup(fid->cred, *fid->parent, fid->name);
  P9_TRY(now);
  if (!backend_.same(**now, *fid->node)) return Errno::STALE;
  P9_TRY(backend_.unlink(fid->cred, *fid->parent, fid->name, fid->is_dir));
  return msg::Rremove{};
}

Session::Reply Session::on(const msg::Tstatfs& m) {
  auto f = find(m.fid);
  P9_TRY(f);
  if ((*f)->kind != Fid::Kind::Node) return Errno::INVAL;
  auto s = backend_.statfs(*(*f)->node);
  P9_TRY(s);
  return msg::Rstatfs{s->type, s->bsize, s->blocks, s->bfree, s->bavail, s->files, s->ffree, s->fsid, s->namelen};
}

Session::Reply Session::on(const msg::Tlopen& m) {
  auto f = find_unopened(m.fid);
  P9_TRY(f);
  Fid& fid = **f;
  auto attr = backend_.getattr(*fid.node);
  P9_TRY(attr);
  auto file = backend_.open(fid.cred, *fid.node, m.flags);
  P9_TRY(file);
  fid.file = std::move(*file);
  return msg::Rlopen{qid_from_attr(*attr), 0};
}

// Tlcreate: the directory fid becomes the new file, opened (diod protocol.md lcreate).
Session::Reply Session::on(const msg::Tlcreate& m) {
  auto f = find_unopened(m.fid);
  P9_TRY(f);
  Fid& fid = **f;
  if (!fid.is_dir) return Errno::NOTDIR;
  // open(".", O_CREAT) names an existing directory: EEXIST with O_EXCL, else
  // EISDIR (fs/namei.c do_open).
  if ((m.name == "." || m.name == "..") && !(m.flags & lopen::EXCL)) return Errno::ISDIR;
  if (Errno e = check_name(m.name, NameUse::Create); e != Errno::OK) return e;
  auto c = backend_.create(fid.cred, *fid.node, m.name, m.flags, m.mode & 07777, creation_gid(m.gid, fid.cred));
  if (!c.ok() && c.error() == Errno::EXIST && !(m.flags & lopen::EXCL)) {
    // open(2): O_CREAT without O_EXCL opens a file that already exists (the
    // Linux client sends Tlcreate for a name its cache thought absent; QEMU
    // and diod open the existing file too).
    auto existing = backend_.lookup(fid.cred, *fid.node, m.name);
    P9_TRY(existing);
    auto file = backend_.open(fid.cred, **existing, m.flags);
    P9_TRY(file);
    auto q = qid_of(**existing);
    P9_TRY(q);
    fid.parent = fid.node;
    fid.name = m.name;
    fid.node = *existing;
    fid.file = std::move(*file);
    fid.is_dir = q->type == qid_type::DIR;
    return msg::Rlcreate{*q, 0};
  }
  P9_TRY(c);
  auto q = qid_of(*c->node);
  P9_TRY(q);
  fid.parent = fid.node;
  fid.name = m.name;
  fid.node = c->node;
  fid.file = std::move(c->file);
  fid.is_dir = false;
  return msg::Rlcreate{*q, 0};
}

Session::Reply Session::on(const msg::Tsymlink& m) {
  auto d = find_dir(m.fid);
  P9_TRY(d);
  if (Errno e = check_name(m.name, NameUse::Create); e != Errno::OK) return e;
  if (m.symtgt.empty()) return Errno::NOENT;  // symlink(2): empty target -> ENOENT
  if (m.symtgt.find('\0') != std::string::npos) return Errno::INVAL;
  auto n = backend_.symlink((*d)->cred, *(*d)->node, m.name, m.symtgt, creation_gid(m.gid, (*d)->cred));
  P9_TRY(n);
  auto q = qid_of(**n);
  P9_TRY(q);
  return msg::Rsymlink{*q};
}

Session::Reply Session::on(const msg::Tmknod& m) {
  auto d = find_dir(m.dfid);
  P9_TRY(d);
  if (Errno e = check_name(m.name, NameUse::Create); e != Errno::OK) return e;
  auto n = backend_.mknod((*d)->cred, *(*d)->node, m.name, m.mode, fs::make_rdev(m.major, m.minor), creation_gid(m.gid, (*d)->cred));
  P9_TRY(n);
  auto q = qid_of(**n);
  P9_TRY(q);
  return msg::Rmknod{*q};
}

// Trename: the fid's file gets `name` in dfid (diod protocol.md rename).
Session::Reply Session::on(const msg::Trename& m) {
  auto f = find(m.fid);
  P9_TRY(f);
  Fid& fid = **f;
  if (fid.kind != Fid::Kind::Node) return Errno::INVAL;
  auto d = find_dir(m.dfid);
  P9_TRY(d);
  if (Errno e = check_name(m.name, NameUse::Create); e != Errno::OK) return e == Errno::EXIST ? Errno::BUSY : e;
  if (backend_.same(*fid.node, *fid.root)) return Errno::BUSY;
  if (!fid.parent) return Errno::INVAL;
  auto now = backend_.lookup(fid.cred, *fid.parent, fid.name);
  P9_TRY(now);
  if (!backend_.same(**now, *fid.node)) return Errno::STALE;
  P9_TRY(backend_.rename(fid.cred, *fid.parent, fid.name, *(*d)->node, m.name));
  fid.parent = (*d)->node;
  fid.name = m.name;
  return msg::Rrename{};
}

Session::Reply Session::on(const msg::Treadlink& m) {
  auto f = find(m.fid);
  P9_TRY(f);
  if ((*f)->kind != Fid::Kind::Node) return Errno::INVAL;
  auto t = backend_.readlink(*(*f)->node);
  P9_TRY(t);
  return msg::Rreadlink{*t};
}

// Tgetattr: every attribute is filled; valid = the requested bits this server
// knows (all of P9_GETATTR_ALL). Linux reads the basic set regardless.
Session::Reply Session::on(const msg::Tgetattr& m) {
  auto f = find(m.fid);
  P9_TRY(f);
  if ((*f)->kind != Fid::Kind::Node) return Errno::INVAL;
  auto a = backend_.getattr(*(*f)->node);
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
Session::Reply Session::on(const msg::Tsetattr& m) {
  auto f = find(m.fid);
  P9_TRY(f);
  if ((*f)->kind != Fid::Kind::Node) return Errno::INVAL;
  fs::SetAttr s;
  if (m.valid & setattr::MODE) s.mode = m.mode & 07777;
  if (m.valid & setattr::UID) s.uid = m.uid;
  if (m.valid & setattr::GID) s.gid = m.gid;
  if (m.valid & setattr::SIZE) s.size = m.size;
  if (m.valid & setattr::ATIME) {
    s.atime.how = (m.valid & setattr::ATIME_SET) ? fs::TimeSet::How::Value : fs::TimeSet::How::Now;
    s.atime.value = {static_cast<std::int64_t>(m.atime_sec), static_cast<std::uint32_t>(m.atime_nsec)};
    if ((m.valid & setattr::ATIME_SET) && m.atime_nsec >= 1000000000u) return Errno::INVAL;
  }
  if (m.valid & setattr::MTIME) {
    s.mtime.how = (m.valid & setattr::MTIME_SET) ? fs::TimeSet::How::Value : fs::TimeSet::How::Now;
    s.mtime.value = {static_cast<std::int64_t>(m.mtime_sec), static_cast<std::uint32_t>(m.mtime_nsec)};
    if ((m.valid & setattr::MTIME_SET) && m.mtime_nsec >= 1000000000u) return Errno::INVAL;
  }
  bool any = s.mode || s.uid || s.gid || s.size || s.atime.how != fs::TimeSet::How::Omit ||
             s.mtime.how != fs::TimeSet::How::Omit;
  if (!any && (m.valid & setattr::CTIME)) s.ctime_only = true;
  if (!any && !s.ctime_only) return msg::Rsetattr{};
  P9_TRY(backend_.setattr((*f)->cred, *(*f)->node, s));
  return msg::Rsetattr{};
}

// Txattrwalk: newfid holds the whole value (or, for name "", the list of
// names, each NUL-terminated as listxattr(2) returns them); Tread reads it.
Session::Reply Session::on(const msg::Txattrwalk& m) {
  auto f = find(m.fid);
  P9_TRY(f);
  Fid& fid = **f;
  if (fid.kind != Fid::Kind::Node) return Errno::INVAL;
  if (m.newfid != m.fid) P9_TRY(check_new_fid(m.newfid));
  if (Errno e = check_name(m.name, NameUse::Xattr); e != Errno::OK) return e;
  std::string value;
  if (m.name.empty()) {
    auto names = backend_.listxattr(fid.cred, *fid.node);
    P9_TRY(names);
    for (const auto& n : *names) {
      value += n;
      value += '\0';
    }
  } else {
    auto v = backend_.getxattr(fid.cred, *fid.node, m.name);
    P9_TRY(v);
    value = std::move(*v);
  }
  auto x = std::make_unique<Fid>();
  x->kind = Fid::Kind::XattrRead;
  x->node = fid.node;
  x->root = fid.root;
  x->cred = fid.cred;
  x->xattr_name = m.name;
  x->xattr_value = std::move(value);
  std::uint64_t size = x->xattr_value.size();
  fids_[m.newfid] = std::move(x);
  return msg::Rxattrwalk{size};
}

// Txattrcreate: the fid turns into an xattr fid receiving the value through
// Twrite; it takes effect at Tclunk (diod protocol.md xattrcreate).
Session::Reply Session::on(const msg::Txattrcreate& m) {
  auto f = find_unopened(m.fid);
  P9_TRY(f);
  Fid& fid = **f;
  if (Errno e = check_name(m.name, NameUse::Xattr); e != Errno::OK) return e;
  if (m.name.empty()) return Errno::INVAL;
  if (m.flags & ~3u) return Errno::INVAL;  // XATTR_CREATE 1 | XATTR_REPLACE 2 (setxattr(2))
  // XATTR_SIZE_MAX (Linux include/uapi/linux/limits.h, 65536): setxattr(2)
  // refuses a larger value with E2BIG, so a guest never announces more; QEMU
  // hw/9pfs v9fs_xattrcreate refuses it the same way. It also bounds what a
  // peer's claim makes us hold in memory until the clunk.
  constexpr std::uint64_t kXattrSizeMax = 65536;
  if (m.attr_size > kXattrSizeMax) return Errno::TOOBIG;
  fid.kind = Fid::Kind::XattrWrite;
  fid.xattr_name = m.name;
  fid.xattr_size = m.attr_size;
  fid.xattr_flags = m.flags;
  fid.xattr_value.clear();
  return msg::Rxattrcreate{};
}

// Treaddir: as many whole entries as fit in count (and the msize); each
// entry's offset is the cookie that resumes after it.
Session::Reply Session::on(const msg::Treaddir& m) {
  auto f = find_opened(m.fid);
  P9_TRY(f);
  std::size_t room = m.count < payload_room(msize_) ? m.count : payload_room(msize_);
  msg::Rreaddir r;
  std::size_t used = 0;
  P9_TRY((*f)->file->readdir(m.offset, [&](const fs::DirEntry& e) {
    std::size_t need = dirent_wire_size(e.name.size());
    if (used + need > room) return false;
    used += need;
    Qid q{QID_TYPE_FILE, 0, e.ino};
    if (e.type == fs::FileType::Directory) q.type = qid_type::DIR;
    if (e.type == fs::FileType::Symlink) q.type = qid_type::SYMLINK;
    r.entries.push_back(Dirent{q, e.next_cookie, fs::dirent_type(e.type), e.name});
    return true;
  }));
  return r;
}

Session::Reply Session::on(const msg::Tfsync& m) {
  auto f = find_opened(m.fid);
  P9_TRY(f);
  P9_TRY((*f)->file->fsync(m.datasync != 0));
  return msg::Rfsync{};
}

static Result<fs::LockType> lock_type_of(std::uint8_t t) {
  switch (t) {
    case lock_type::RDLCK: return fs::LockType::Read;
    case lock_type::WRLCK: return fs::LockType::Write;
    case lock_type::UNLCK: return fs::LockType::Unlock;
    default: return Errno::INVAL;
  }
}

static std::uint8_t wire_lock_type(fs::LockType t) {
  switch (t) {
    case fs::LockType::Read: return lock_type::RDLCK;
    case fs::LockType::Write: return lock_type::WRLCK;
    case fs::LockType::Unlock: return lock_type::UNLCK;
  }
  return lock_type::UNLCK;
}

// Tlock: F_SETLK; a conflict answers BLOCKED (the Linux client then retries
// when it asked to block: fs/9p/vfs_file.c v9fs_file_do_lock).
Session::Reply Session::on(const msg::Tlock& m) {
  auto f = find_opened(m.fid);
  P9_TRY(f);
  auto t = lock_type_of(m.type);
  P9_TRY(t);
  if (m.flags & ~static_cast<std::uint32_t>(lock_flags::BLOCK | lock_flags::RECLAIM)) return Errno::INVAL;
  auto r = (*f)->file->lock(fs::LockRange{*t, m.start, m.length, m.proc_id, m.client_id});
  P9_TRY(r);
  return msg::Rlock{*r == fs::LockResult::Granted ? static_cast<std::uint8_t>(lock_status::SUCCESS)
                                                  : static_cast<std::uint8_t>(lock_status::BLOCKED)};
}

Session::Reply Session::on(const msg::Tgetlock& m) {
  auto f = find_opened(m.fid);
  P9_TRY(f);
  auto t = lock_type_of(m.type);
  P9_TRY(t);
  auto r = (*f)->file->getlock(fs::LockRange{*t, m.start, m.length, m.proc_id, m.client_id});
  P9_TRY(r);
  return msg::Rgetlock{wire_lock_type(r->type), r->start, r->length, r->proc_id, r->client_id};
}

Session::Reply Session::on(const msg::Tlink& m) {
  auto d = find_dir(m.dfid);
  P9_TRY(d);
  auto f = find(m.fid);
  P9_TRY(f);
  if ((*f)->kind != Fid::Kind::Node) return Errno::INVAL;
  if (Errno e = check_name(m.name, NameUse::Create); e != Errno::OK) return e;
  P9_TRY(backend_.link((*d)->cred, *(*f)->node, *(*d)->node, m.name));
  return msg::Rlink{};
}

Session::Reply Session::on(const msg::Tmkdir& m) {
  auto d = find_dir(m.dfid);
  P9_TRY(d);
  if (Errno e = check_name(m.name, NameUse::Create); e != Errno::OK) return e;
  auto n = backend_.mkdir((*d)->cred, *(*d)->node, m.name, m.mode & 07777, creation_gid(m.gid, (*d)->cred));
  P9_TRY(n);
  auto q = qid_of(**n);
  P9_TRY(q);
  return msg::Rmkdir{*q};
}

Session::Reply Session::on(const msg::Trenameat& m) {
  auto od = find_dir(m.olddirfid);
  P9_TRY(od);
  auto nd = find_dir(m.newdirfid);
  P9_TRY(nd);
  if (Errno e = check_name(m.oldname, NameUse::RenameOld); e != Errno::OK) return e;
  if (Errno e = check_name(m.newname, NameUse::RenameNew); e != Errno::OK) return e;
  P9_TRY(backend_.rename((*od)->cred, *(*od)->node, m.oldname, *(*nd)->node, m.newname));
  return msg::Rrenameat{};
}

Session::Reply Session::on(const msg::Tunlinkat& m) {
  auto d = find_dir(m.dirfid);
  P9_TRY(d);
  if (m.flags & ~static_cast<std::uint32_t>(at::REMOVEDIR)) return Errno::INVAL;  // unlinkat(2): unknown flag
  bool rmdir = (m.flags & at::REMOVEDIR) != 0;
  if (Errno e = check_name(m.name, rmdir ? NameUse::Rmdir : NameUse::Unlink); e != Errno::OK) return e;
  P9_TRY(backend_.unlink((*d)->cred, *(*d)->node, m.name, rmdir));
  return msg::Runlinkat{};
}

}  // namespace p9::server
