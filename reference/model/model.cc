// The model file system. See model.h for the decisions it makes; every rule
// below names its source. "Linux f()" means the kernel function f (fs/namei.c,
// fs/attr.c, fs/locks.c, fs/xattr.c, fs/inode.c, fs/open.c) as of Linux 6.1.
#include "reference/model/model.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <set>
#include <sstream>
#include <utility>

#include "reference/fs/findings.h"
#include "reference/fs/locks.h"
#include "reference/fs/names.h"
#include "reference/fs/rules.h"
#include "reference/model/file_data.h"
#include "reference/model/store.h"

namespace p9::model {

using fs::FileType;
using fs::Timespec;

namespace {

constexpr std::size_t kNameMax = NAME_LEN_MAX;             // NAME_MAX (spec/linux.def)
constexpr std::uint64_t kOffsetMax = Model::kMaxFileSize;  // Linux OFFSET_MAX
static_assert(FileData::kBlockSize == Model::kBlockSize, "st_blocks counts FileData blocks");
constexpr std::uint64_t kDirentSize = 20;  // tmpfs BOGO_DIRENT_SIZE (mm/shmem.c)
constexpr std::size_t kReaddirBatch = 64;  // entries gathered per lock hold

// Fixed capacity statfs reports; grown if the model holds more.
constexpr std::uint64_t kStatFsBlocks = 1ULL << 24;  // 64 GiB of 4 KiB blocks
constexpr std::uint64_t kStatFsFiles = 1ULL << 20;

constexpr std::uint32_t kSetUid = mode_bits::ISUID;
constexpr std::uint32_t kSetGid = mode_bits::ISGID;
constexpr std::uint32_t kSticky = mode_bits::ISVTX;
constexpr std::uint32_t kGroupExec = 0010;

using fs::kMayExec;
using fs::kMayRead;
using fs::kMayWrite;

bool before_or_equal(const Timespec& a, const Timespec& b) {
  return a.sec < b.sec || (a.sec == b.sec && a.nsec <= b.nsec);
}

}  // namespace

// ---------------------------------------------------------------------------
// Inodes

struct Inode;

struct Entry {
  std::uint64_t cookie = 0;
  Inode* node = nullptr;
};

struct Inode {
  std::uint64_t ino = 0;
  FileType type = FileType::Regular;
  std::uint32_t perm = 0;  // 07777 bits; the type is `type`
  std::uint32_t uid = 0, gid = 0;
  std::uint64_t nlink = 0;
  std::uint64_t rdev = 0;
  Timespec atime, mtime, ctime, btime;
  std::uint64_t data_version = 0;
  std::size_t refs = 0;  // NodeRefs and OpenFiles naming this inode

  std::unique_ptr<Content> data;  // regular file: its bytes (in memory, or the store's)

  // Directory: entries by name, and the same entries by cookie.
  std::map<std::string, Entry, std::less<>> entries;
  std::map<std::uint64_t, std::string> by_cookie;
  std::uint64_t next_cookie = Model::kDotDotCookie + 1;
  Inode* parent = nullptr;  // the directory holding its name; the root's is itself; null once removed

  std::string target;  // symlink

  std::map<std::string, std::string, std::less<>> xattrs;
  fs::FileLocks locks;  // POSIX record locks (reference/fs/locks.h)

  bool is_dir() const { return type == FileType::Directory; }
  bool dead() const { return nlink == 0; }
};

// A regular file's bytes in memory (file_data.h): the model's own Content
// when it has no Store.
class MemoryContent final : public Content {
 public:
  std::uint64_t size() const override { return d_.size(); }
  std::uint64_t blocks() const override { return d_.blocks(); }
  Result<std::size_t> read(std::uint64_t off, std::uint8_t* out, std::size_t len) override {
    return d_.read(off, out, len);
  }
  Result<void> write(std::uint64_t off, const std::uint8_t* data, std::size_t len) override {
    d_.write(off, data, len);
    return {};
  }
  Result<void> set_size(std::uint64_t size) override {
    d_.set_size(size);
    return {};
  }
  std::uint64_t blocks_to_allocate(std::uint64_t off, std::uint64_t len) const override {
    return d_.blocks_to_allocate(off, len);
  }
  Result<void> allocate(std::uint64_t off, std::uint64_t len) override {
    d_.allocate(off, len);
    return {};
  }
  std::string check() const override { return d_.check(); }

 private:
  FileData d_;
};

// ---------------------------------------------------------------------------
// Shared state, node handles and open files

struct Model::State {
  std::mutex mu;
  Clock clock;
  std::uint64_t next_ino = kRootIno;
  std::map<std::uint64_t, std::unique_ptr<Inode>> inodes;
  Inode* root = nullptr;

  // ---- persistence (store.h); all of it does nothing without a store ----
  std::unique_ptr<Store> store;
  // Inodes whose attributes this call changed: recorded when it ends.
  std::set<std::uint64_t> dirty;
  // Inodes changed by data calls (write, read's atime, allocate): recorded
  // at fsync, at the close of an open file, or in the next checkpoint.
  std::set<std::uint64_t> lazy;

  void mark(const Inode* n) {
    if (store) dirty.insert(n->ino);
  }
  void mark_lazy(const Inode* n) {
    if (store) lazy.insert(n->ino);
  }
  // Before the first change of a metadata call: ENOSPC or EIO from the store
  // (store.h reserve()); `bytes` bounds the size of the call's records.
  Errno begin(std::size_t bytes, bool frees = false) {
    return store ? store->reserve(bytes + 512, frees) : Errno::OK;
  }
  // The end of a call that changed something: its records, then the
  // commit; durable for metadata calls and fsync (opfs/README.md,
  // "Durability"). EIO if the store failed.
  Errno end(bool durable);
  Image image() const;
  InodeRecord record_of(const Inode& n) const;

  std::uint64_t used_blocks() const {
    std::uint64_t used = 0;
    for (const auto& [ino, in] : inodes)
      if (in->data) used += in->data->blocks();
    return used;
  }

  std::unique_ptr<Content> new_content(std::uint64_t ino, bool existing) {
    if (store) return store->content(ino, existing);
    return std::make_unique<MemoryContent>();
  }

  Timespec now() const { return clock(); }

  Inode* new_inode(FileType type, std::uint32_t perm, std::uint32_t uid, std::uint32_t gid,
                   const Timespec& t) {
    auto n = std::make_unique<Inode>();
    n->ino = next_ino++;
    n->type = type;
    n->perm = perm & 07777;
    n->uid = uid;
    n->gid = gid;
    n->atime = n->mtime = n->ctime = n->btime = t;
    if (type == FileType::Regular) n->data = new_content(n->ino, false);
    Inode* raw = n.get();
    inodes.emplace(raw->ino, std::move(n));
    mark(raw);
    return raw;
  }

  // An inode lives while it has a name or a reference (POSIX unlink(2): "the
  // file shall remain in existence until the last open reference is closed").
  void maybe_free(Inode* n) {
    if (n->nlink == 0 && n->refs == 0 && n != root) {
      std::uint64_t ino = n->ino;
      inodes.erase(ino);
      if (store) {
        dirty.erase(ino);
        lazy.erase(ino);
        store->freed(ino);
      }
    }
  }
  void unref(Inode* n) {
    --n->refs;
    maybe_free(n);
  }

  // Directory entries. Link counts follow Linux: the name counts one link of
  // the child; a child directory's ".." counts one link of the parent.
  void add_entry(Inode* dir, std::string_view name, Inode* child) {
    std::uint64_t cookie = dir->next_cookie++;
    dir->entries.emplace(std::string(name), Entry{cookie, child});
    dir->by_cookie.emplace(cookie, std::string(name));
    if (store) store->entry_added(dir->ino, name, cookie, child->ino);
    mark(dir);
    mark(child);
    ++child->nlink;
    if (child->is_dir()) {
      ++dir->nlink;
      child->parent = dir;
    }
  }
  // `moving`: the child gets a new name right after (rename), so a
  // directory keeps its "." link.
  void remove_entry(Inode* dir, std::string_view name, bool moving = false) {
    auto it = dir->entries.find(name);
    Inode* child = it->second.node;
    dir->by_cookie.erase(it->second.cookie);
    dir->entries.erase(it);
    if (store) store->entry_removed(dir->ino, name);
    mark(dir);
    mark(child);
    --child->nlink;
    if (child->is_dir()) {
      --dir->nlink;
      child->parent = nullptr;
      // A removed directory loses its "." too and is dead (Linux rmdir:
      // clear_nlink()).
      if (!moving) child->nlink = 0;
    }
  }
  Inode* find(Inode* dir, std::string_view name) {
    auto it = dir->entries.find(name);
    return it == dir->entries.end() ? nullptr : it->second.node;
  }
};

InodeRecord Model::State::record_of(const Inode& n) const {
  InodeRecord r;
  r.ino = n.ino;
  r.type = n.type;
  r.perm = n.perm;
  r.uid = n.uid;
  r.gid = n.gid;
  r.nlink = n.nlink;
  r.rdev = n.rdev;
  r.atime = n.atime;
  r.mtime = n.mtime;
  r.ctime = n.ctime;
  r.btime = n.btime;
  r.data_version = n.data_version;
  r.next_cookie = n.next_cookie;
  r.target = n.target;
  return r;
}

Image Model::State::image() const {
  Image img;
  img.next_ino = next_ino;
  for (const auto& [ino, n] : inodes) {
    img.inodes.emplace(ino, record_of(*n));
    if (n->is_dir()) {
      auto& out = img.entries[ino];
      for (const auto& [name, e] : n->entries) out.emplace(name, Image::Entry{e.cookie, e.node->ino});
    }
    if (!n->xattrs.empty()) img.xattrs[ino] = n->xattrs;
  }
  return img;
}

Errno Model::State::end(bool durable) {
  if (!store) return Errno::OK;
  for (std::uint64_t ino : dirty) {
    auto it = inodes.find(ino);
    if (it == inodes.end()) continue;  // freed meanwhile: its `freed` record says so
    store->inode(record_of(*it->second));
    lazy.erase(ino);
  }
  dirty.clear();
  if (Errno e = store->commit(durable); e != Errno::OK) return e;
  if (store->checkpoint_due()) {
    // The checkpoint holds every pending change, the data calls' too.
    if (Errno e = store->checkpoint(image()); e != Errno::OK) return e;
    lazy.clear();
  }
  return Errno::OK;
}

namespace {

using State = Model::State;

class ModelNode final : public fs::Node {
 public:
  ModelNode(std::shared_ptr<State> s, Inode* n) : state(std::move(s)), inode(n) {}
  ~ModelNode() override {
    std::lock_guard<std::mutex> lk(state->mu);
    state->unref(inode);
    if (state->store) (void)state->end(false);  // a freed inode's record (a failure shows at the next call)
  }
  std::shared_ptr<State> state;
  Inode* inode;
};

// Must be called with the mutex held, as the last step of a call: a NodeRef
// released while the mutex is held would deadlock.
fs::NodeRef make_ref(const std::shared_ptr<State>& s, Inode* n) {
  ++n->refs;
  return std::make_shared<ModelNode>(s, n);
}

// ---- permissions ----------------------------------------------------------

bool is_root(const fs::Cred& c) { return c.uid == 0; }

// Linux generic_permission(), with the group rule of reference/fs/cred.h.
bool permitted(const fs::Cred& c, const Inode& n, unsigned mask) {
  return fs::permits(c, n.uid, n.gid, n.perm, n.is_dir(), mask);
}

// inode_owner_or_capable() (CAP_FOWNER for root).
bool owner_or_root(const fs::Cred& c, const Inode& n) { return is_root(c) || c.uid == n.uid; }

// Sticky directories: only the file's owner, the directory's owner or a
// privileged user may remove or rename an entry (unlink(2), rename(2) EPERM;
// Linux __check_sticky).
bool sticky_denies(const fs::Cred& c, const Inode& dir, const Inode& victim) {
  return (dir.perm & kSticky) && c.uid != victim.uid && c.uid != dir.uid && !is_root(c);
}

// Linux should_remove_suid()/file_remove_privs(): a write or truncate by a
// user without CAP_FSETID clears S_ISUID, and S_ISGID when group-exec is set
// (S_ISGID without group-exec marks mandatory locking and stays).
void remove_privs(const fs::Cred& c, Inode& n) {
  if (is_root(c) || n.type != FileType::Regular) return;
  n.perm &= ~kSetUid;
  if (n.perm & kGroupExec) n.perm &= ~kSetGid;
}

// ---- directory checks shared by the calls that look a name up --------------

// Path walk into `dir` (path_resolution(7)): ENOTDIR if not a directory, then
// EACCES without search permission.
Errno walk_into(const fs::Cred& c, const Inode& dir) {
  if (!dir.is_dir()) return Errno::NOTDIR;
  if (!permitted(c, dir, kMayExec)) return Errno::ACCES;
  return Errno::OK;
}

// Everything before creating `name` in `dir` (Linux filename_create() then
// may_create()): a bad name or "." and ".." (EEXIST), by fs::check_name (the
// caller checked already; the model checks again so it never stores a bad
// name), a removed directory
// (ENOENT, IS_DEADDIR), an existing name (EEXIST), then write+search
// permission on the directory (EACCES).
Errno may_create(const fs::Cred& c, Inode& dir, std::string_view name, State& s) {
  if (Errno e = walk_into(c, dir); e != Errno::OK) return e;
  if (Errno e = fs::check_name(name, fs::NameUse::Create); e != Errno::OK) return e;
  if (dir.dead()) return Errno::NOENT;
  if (s.find(&dir, name)) return Errno::EXIST;
  if (!permitted(c, dir, kMayWrite | kMayExec)) return Errno::ACCES;
  return Errno::OK;
}

// Linux may_delete() on an existing victim: write+search on the directory
// (EACCES), the sticky rule (EPERM), then the type rule: removing a directory
// needs a directory (ENOTDIR), removing a non-directory needs a
// non-directory (EISDIR).
Errno may_delete(const fs::Cred& c, const Inode& dir, const Inode& victim, bool want_dir) {
  if (!permitted(c, dir, kMayWrite | kMayExec)) return Errno::ACCES;
  if (sticky_denies(c, dir, victim)) return Errno::PERM;
  if (want_dir && !victim.is_dir()) return Errno::NOTDIR;
  if (!want_dir && victim.is_dir()) return Errno::ISDIR;
  return Errno::OK;
}

// The gid and mode of a new inode (Linux inode_init_owner(), mkdir(2),
// open(2) "O_CREAT"): in a set-group-ID directory the new entry takes the
// directory's gid, and a new subdirectory inherits S_ISGID. Otherwise the
// gid is the one the client gives.
std::uint32_t new_gid(const Inode& dir, std::uint32_t gid) { return (dir.perm & kSetGid) ? dir.gid : gid; }

// Linux mode_strip_sgid() (6.0+): a new non-directory in a set-group-ID
// directory keeps S_ISGID|S_IXGRP only if the creator is in the directory's
// group or privileged.
std::uint32_t strip_sgid(const fs::Cred& c, const Inode& dir, std::uint32_t perm) {
  if ((perm & (kSetGid | kGroupExec)) != (kSetGid | kGroupExec)) return perm;
  if (!(dir.perm & kSetGid)) return perm;
  if (fs::keeps_sgid(c, dir.gid)) return perm;
  return perm & ~kSetGid;
}

void touch_dir(Inode& dir, const Timespec& t) { dir.mtime = dir.ctime = t; }

// Linux relatime_need_update(): atime moves on access only if it is not
// newer than mtime or ctime, or is at least a day old.
void touch_atime(Inode& n, const Timespec& t) {
  if (before_or_equal(n.atime, n.mtime) || before_or_equal(n.atime, n.ctime) ||
      t.sec - n.atime.sec >= 24 * 60 * 60)
    n.atime = t;
}

// ---- attributes -------------------------------------------------------------

// stat(2) of an inode (the sizes and blocks model.h describes).
fs::Attr attr_of(const Inode& n) {
  fs::Attr a;
  a.type = n.type;
  a.mode = fs::mode_type_bits(n.type) | n.perm;
  a.uid = n.uid;
  a.gid = n.gid;
  a.nlink = n.nlink;
  a.rdev = n.rdev;
  switch (n.type) {
    case FileType::Regular:
      a.size = n.data->size();
      a.blocks = n.data->blocks() * (Model::kBlockSize / 512);
      break;
    case FileType::Directory:
      a.size = kDirentSize * (2 + n.entries.size());
      break;
    case FileType::Symlink:
      a.size = n.target.size();
      break;
    default:
      break;
  }
  a.blksize = Model::kBlockSize;
  a.atime = n.atime;
  a.mtime = n.mtime;
  a.ctime = n.ctime;
  a.btime = n.btime;
  a.ino = n.ino;
  a.gen = 0;
  a.data_version = n.data_version;
  return a;
}

// How an open file was opened, for the calls made through it.
struct OpenMode {
  bool readable = false, writable = false, append = false;
};

// Linux notify_change() for chmod/chown/truncate/utimensat in one call.
// `file` is null for the path calls (Backend::setattr: truncate(2)) and the
// open file for the descriptor calls (OpenFile::setattr/truncate:
// ftruncate(2), fchmod(2), fchown(2), futimens(2)); only the size rule
// differs between them.
Errno set_attr(State& s, const fs::Cred& cred, Inode& n, const fs::SetAttr& attr, const OpenMode* file) {
  const bool root = is_root(cred);
  if (attr.size) {
    // A size above OFFSET_MAX is a negative loff_t: EINVAL before anything
    // else (fs/open.c do_sys_truncate and do_sys_ftruncate). (EFBIG,
    // inode_newsize_ok(), needs a size above s_maxbytes, which is OFFSET_MAX
    // here as on tmpfs: not reachable.)
    if (*attr.size > kOffsetMax) return Errno::INVAL;
    if (file) {
      // ftruncate(2) (Linux do_sys_ftruncate): EINVAL unless a regular file
      // open for writing; no permission check (it was made at open).
      if (n.type != FileType::Regular || !file->writable) return Errno::INVAL;
    } else {
      // truncate(2) (Linux vfs_truncate()): EISDIR for a directory, EINVAL
      // for another non-regular file, EACCES without write permission.
      if (n.is_dir()) return Errno::ISDIR;
      if (n.type != FileType::Regular) return Errno::INVAL;
      if (!permitted(cred, n, kMayWrite)) return Errno::ACCES;
    }
  }
  // chown(2) (Linux chown_ok()/chgrp_ok()): only a privileged user changes
  // the owner (the owner may "change" it to itself); the owner may change the
  // group to any group it is a member of; otherwise EPERM.
  if (attr.uid && !(root || (cred.uid == n.uid && *attr.uid == n.uid))) return Errno::PERM;
  if (attr.gid && !fs::may_chgrp(cred, n.uid, n.gid, *attr.gid)) return Errno::PERM;
  // chmod(2) EPERM: "The effective UID does not match the owner of the file,
  // and the process is not privileged".
  if (attr.mode && !owner_or_root(cred, n)) return Errno::PERM;
  // utimensat(2) "Permissions requirements": setting a time to an explicit
  // value needs ownership (EPERM); setting times to now needs ownership or
  // write permission (EACCES).
  using How = fs::TimeSet::How;
  bool explicit_time = attr.atime.how == How::Value || attr.mtime.how == How::Value;
  bool now_time = attr.atime.how == How::Now || attr.mtime.how == How::Now;
  if (explicit_time && !owner_or_root(cred, n)) return Errno::PERM;
  if (now_time && !owner_or_root(cred, n) && !permitted(cred, n, kMayWrite)) return Errno::ACCES;

  if (Errno e = s.begin(0); e != Errno::OK) return e;
  const Timespec t = s.now();
  bool changed = attr.ctime_only;
  s.mark(&n);
  if (attr.size) {
    // truncate(2)/POSIX: times change only if the size does; ftruncate(2)
    // marks them whatever the size (Linux do_sys_ftruncate passes
    // ATTR_MTIME|ATTR_CTIME to do_truncate). Linux do_truncate() also drops
    // set-id bits for unprivileged callers. First, so that a store's error
    // (ENOSPC, EIO) leaves every attribute as it was.
    if (*attr.size != n.data->size() || file) {
      if (*attr.size != n.data->size()) {
        P9_TRY(n.data->set_size(*attr.size));
        ++n.data_version;
      }
      n.mtime = t;
      if (!attr.mode) remove_privs(cred, n);
      changed = true;
    }
  }
  if (attr.uid) {
    n.uid = *attr.uid;
    changed = true;
  }
  if (attr.gid) {
    n.gid = *attr.gid;
    changed = true;
  }
  if (attr.mode) {
    std::uint32_t m = *attr.mode & 07777;
    // chmod(2): an unprivileged caller not in the file's group (the new group
    // if this call also changes it) loses S_ISGID, without error (Linux
    // setattr_prepare()).
    if (!fs::keeps_sgid(cred, attr.gid ? *attr.gid : n.gid)) m &= ~kSetGid;
    n.perm = m;
    changed = true;
  } else if ((attr.uid || attr.gid) && !n.is_dir()) {
    // chown(2): changing the owner or group of a non-directory clears
    // S_ISUID, and S_ISGID when group-exec is set; "since Linux 2.2.13, root
    // is treated like other users" (Linux chown_common() ATTR_KILL_S*ID).
    n.perm &= ~kSetUid;
    if (n.perm & kGroupExec) n.perm &= ~kSetGid;
  }
  if (attr.atime.how != How::Omit) {
    n.atime = attr.atime.how == How::Now ? t : attr.atime.value;
    changed = true;
  }
  if (attr.mtime.how != How::Omit) {
    n.mtime = attr.mtime.how == How::Now ? t : attr.mtime.value;
    changed = true;
  }
  if (changed) n.ctime = t;  // every attribute change updates ctime (stat(2))
  return Errno::OK;
}

// ---- open files ---------------------------------------------------------------

class ModelFile final : public fs::OpenFile {
 public:
  ModelFile(std::shared_ptr<State> s, Inode* n, std::uint32_t flags, const fs::Cred& cred)
      : state_(std::move(s)), inode_(n), cred_(cred) {
    // open(2): the access mode is O_RDONLY, O_WRONLY or O_RDWR; mode 3 asks
    // for both permissions but allows neither read nor write (Linux
    // ACC_MODE / FMODE bits: ioctl-only).
    std::uint32_t acc = flags & ACCMODE;
    mode_.readable = acc == access::RDONLY || acc == access::RDWR;
    mode_.writable = acc == access::WRONLY || acc == access::RDWR;
    mode_.append = (flags & oflag::APPEND) != 0;
  }

  ~ModelFile() override {
    std::lock_guard<std::mutex> lk(state_->mu);
    // fcntl(2): "If a process closes any file descriptor referring to a file,
    // then all of the process's locks on that file are released, regardless
    // of the file descriptor(s) on which the locks were obtained." The
    // owners that locked through this file lose their locks on it.
    inode_->locks.release(owners_);
    // The data calls' changes are recorded at the latest when the file is closed.
    if (state_->lazy.count(inode_->ino)) state_->mark(inode_);
    state_->unref(inode_);
    if (state_->store) (void)state_->end(false);
  }

  Result<std::size_t> read(std::uint64_t offset, std::uint8_t* out, std::size_t len) override {
    std::lock_guard<std::mutex> lk(state_->mu);
    // 9P offsets are u64, Linux's loff_t is signed: one past OFFSET_MAX is a
    // negative position, which pread(2) refuses before it looks at the
    // descriptor; a range passing OFFSET_MAX is EINVAL after it (fs/rules.h).
    if (Errno e = fs::check_position(offset); e != Errno::OK) return e;
    if (!mode_.readable) return Errno::BADF;  // read(2) EBADF
    if (Errno e = fs::check_io_range(offset, len); e != Errno::OK) return e;
    if (inode_->is_dir()) return Errno::ISDIR;                   // read(2) EISDIR
    if (inode_->type != FileType::Regular) return Errno::INVAL;  // not reached: open() refuses special files
    Result<std::size_t> n = inode_->data->read(offset, out, len);
    if (!n) return n.error();
    if (len > 0) {
      Timespec before = inode_->atime;
      touch_atime(*inode_, state_->now());
      if (before.sec != inode_->atime.sec || before.nsec != inode_->atime.nsec) state_->mark_lazy(inode_);
    }
    return n;
  }

  Result<std::size_t> write(std::uint64_t offset, const std::uint8_t* data, std::size_t len) override {
    std::lock_guard<std::mutex> lk(state_->mu);
    // A negative position (above OFFSET_MAX as u64): pwrite(2) EINVAL, checked
    // before anything else, the descriptor and O_APPEND included; a range
    // passing OFFSET_MAX is EINVAL after the descriptor's check, before
    // O_APPEND and EFBIG (fs/rules.h).
    if (Errno e = fs::check_position(offset); e != Errno::OK) return e;
    if (!mode_.writable) return Errno::BADF;  // write(2) EBADF
    if (Errno e = fs::check_io_range(offset, len); e != Errno::OK) return e;
    if (inode_->type != FileType::Regular) return Errno::INVAL;
    // Linux generic_write_checks(): nothing to write changes nothing.
    if (len == 0) return std::size_t{0};
    // open(2) O_APPEND: "the file offset is positioned at the end of the
    // file" before each write.
    if (mode_.append) offset = inode_->data->size();
    // Linux generic_write_check_limits(): EFBIG at or past the maximum size,
    // else a short write up to it.
    if (offset >= kOffsetMax) return Errno::FBIG;
    len = static_cast<std::size_t>(std::min<std::uint64_t>(len, kOffsetMax - offset));
    P9_TRY(inode_->data->write(offset, data, len));
    std::uint32_t perm = inode_->perm;
    remove_privs(cred_, *inode_);
    // write(2)/POSIX: a successful write marks mtime and ctime for update.
    inode_->mtime = inode_->ctime = state_->now();
    ++inode_->data_version;
    // A cleared set-id bit is a metadata change, recorded now; the times
    // wait (see State::lazy).
    if (perm != inode_->perm) {
      state_->mark(inode_);
      if (Errno e = state_->end(true); e != Errno::OK) return e;
    } else {
      state_->mark_lazy(inode_);
    }
    return len;
  }

  Result<void> readdir(std::uint64_t cookie, const std::function<bool(const fs::DirEntry&)>& emit) override {
    std::vector<fs::DirEntry> batch;
    bool first = true;
    for (;;) {
      batch.clear();
      {
        std::lock_guard<std::mutex> lk(state_->mu);
        Inode* d = inode_;
        if (!d->is_dir()) return Errno::NOTDIR;  // getdents(2) ENOTDIR
        // A cookie no lseek(2) can reach (a negative loff_t): EINVAL.
        if (Errno e = fs::check_position(cookie); e != Errno::OK) return e;
        if (d->dead()) return Errno::NOENT;  // Linux iterate_dir(): IS_DEADDIR
        if (first) {
          Timespec before = d->atime;
          touch_atime(*d, state_->now());
          if (before.sec != d->atime.sec || before.nsec != d->atime.nsec) state_->mark_lazy(d);
        }
        first = false;
        if (cookie < Model::kDotCookie)
          batch.push_back({".", d->ino, FileType::Directory, Model::kDotCookie});
        if (cookie < Model::kDotDotCookie)
          batch.push_back({"..", d->parent->ino, FileType::Directory, Model::kDotDotCookie});
        for (auto it = d->by_cookie.upper_bound(std::max(cookie, Model::kDotDotCookie));
             it != d->by_cookie.end() && batch.size() < kReaddirBatch; ++it) {
          const Inode* child = d->entries.find(it->second)->second.node;
          batch.push_back({it->second, child->ino, child->type, it->first});
        }
      }
      if (batch.empty()) return {};
      // The callback runs without the mutex, so it may call the model.
      for (const auto& e : batch) {
        if (!emit(e)) return {};
        cookie = e.next_cookie;
      }
    }
  }

  // fsync(2): without a store the model's data lives in memory only, there
  // is nothing to flush and nothing survives the process. With a store the
  // file's bytes are made durable, then its pending metadata with everything
  // else recorded so far.
  Result<void> fsync(bool) override {
    std::lock_guard<std::mutex> lk(state_->mu);
    if (!state_->store) return {};
    if (inode_->data) P9_TRY(inode_->data->sync());
    if (state_->lazy.count(inode_->ino)) state_->mark(inode_);
    if (Errno e = state_->end(true); e != Errno::OK) return e;
    return {};
  }

  Result<fs::Attr> getattr() override {
    std::lock_guard<std::mutex> lk(state_->mu);
    return attr_of(*inode_);  // fstat(2): also of an open-unlinked file
  }

  Result<void> truncate(std::uint64_t size) override {
    std::lock_guard<std::mutex> lk(state_->mu);
    fs::SetAttr a;
    a.size = size;
    // ftruncate(2) as the opener (set-id bits: Linux do_truncate with the
    // caller's CAP_FSETID; the opener stands for the process).
    if (Errno e = set_attr(*state_, cred_, *inode_, a, &mode_); e != Errno::OK) return e;
    if (Errno e = state_->end(true); e != Errno::OK) return e;
    return {};
  }

  Result<void> setattr(const fs::Cred& cred, const fs::SetAttr& attr) override {
    std::lock_guard<std::mutex> lk(state_->mu);
    if (Errno e = set_attr(*state_, cred, *inode_, attr, &mode_); e != Errno::OK) return e;
    if (Errno e = state_->end(true); e != Errno::OK) return e;
    return {};
  }

  Result<void> set_append(bool on) override {
    std::lock_guard<std::mutex> lk(state_->mu);
    mode_.append = on;  // fcntl(2) F_SETFL: O_APPEND is one of the flags it may change
    return {};
  }

  Result<void> allocate(std::uint64_t offset, std::uint64_t len) override {
    std::lock_guard<std::mutex> lk(state_->mu);
    // Linux vfs_fallocate(), in its order: a negative offset or a length
    // <= 0 (as loff_t) is EINVAL; EBADF unless open for writing; EISDIR for
    // a directory (ESPIPE for a FIFO: the model opens none); ENODEV for
    // anything but a regular file; EFBIG past s_maxbytes.
    if (offset > kOffsetMax || len == 0 || len > kOffsetMax) return Errno::INVAL;
    if (!mode_.writable) return Errno::BADF;
    if (inode_->is_dir()) return Errno::ISDIR;
    if (inode_->type != FileType::Regular) return Errno::NODEV;
    if (offset + len > kOffsetMax) return Errno::FBIG;
    // fallocate(2) ENOSPC: the blocks it needs exceed what statfs reports free.
    std::uint64_t used = state_->used_blocks();
    std::uint64_t free = std::max(kStatFsBlocks, used) - used;
    if (inode_->data->blocks_to_allocate(offset, len) > free) return Errno::NOSPC;
    P9_TRY(inode_->data->allocate(offset, len));
    // tmpfs (mm/shmem.c shmem_fallocate): mode 0 extends i_size to
    // offset + len and marks ctime; the data and mtime are unchanged.
    inode_->ctime = state_->now();
    state_->mark_lazy(inode_);
    return {};
  }

  Result<fs::LockResult> lock(const fs::LockRange& range) override {
    std::lock_guard<std::mutex> lk(state_->mu);
    auto r = inode_->locks.set(range, mode_.readable, mode_.writable);
    if (r.ok()) owners_.insert({range.client_id, range.proc_id});
    return r;
  }

  // F_GETLK answers the conflicting lock with the lowest start (locks.h).
  Result<fs::LockRange> getlock(const fs::LockRange& range) override {
    std::lock_guard<std::mutex> lk(state_->mu);
    return inode_->locks.test(range);
  }

 private:
  std::shared_ptr<State> state_;
  Inode* inode_;
  fs::Cred cred_;  // the opener: writes clear set-id bits unless it is root
  OpenMode mode_;
  fs::LockOwners owners_;  // lock owners seen through this file
};

fs::OpenRef make_file(const std::shared_ptr<State>& s, Inode* n, std::uint32_t flags, const fs::Cred& cred) {
  ++n->refs;
  return std::make_unique<ModelFile>(s, n, flags, cred);
}

// ---- xattrs ---------------------------------------------------------------

// Namespaces (xattr(7)): user.* (regular files and directories only, file
// permission bits apply), trusted.* (CAP_SYS_ADMIN only; hidden from others),
// security.* (no VFS check). system.* holds ACLs, which the model does not
// have, and other prefixes are unknown: EOPNOTSUPP.
enum class Ns { User, Trusted, Security };

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Linux xattr_permission() and xattr_resolve_name(); `write` is set/remove.
Errno xattr_check(const fs::Cred& c, const Inode& n, std::string_view name, bool write) {
  // xattr(7) names (fs::check_name): NUL is EINVAL; Linux
  // import_xattr_name(): an empty name or one longer than XATTR_NAME_MAX
  // (255) is ERANGE.
  if (Errno e = fs::check_name(name, fs::NameUse::Xattr); e != Errno::OK) return e;
  if (name.empty()) return Errno::RANGE;
  Ns ns;
  std::string_view prefix;
  if (starts_with(name, "user.")) {
    ns = Ns::User, prefix = "user.";
  } else if (starts_with(name, "trusted.")) {
    ns = Ns::Trusted, prefix = "trusted.";
  } else if (starts_with(name, "security.")) {
    ns = Ns::Security, prefix = "security.";
  } else {
    return Errno::OPNOTSUPP;
  }
  if (name.size() == prefix.size()) return Errno::INVAL;  // xattr_resolve_name(): prefix alone
  switch (ns) {
    case Ns::Security:
      return Errno::OK;
    case Ns::Trusted:
      if (!is_root(c)) return write ? Errno::PERM : Errno::NODATA;
      return Errno::OK;
    case Ns::User:
      if (n.type != FileType::Regular && !n.is_dir()) return write ? Errno::PERM : Errno::NODATA;
      // A sticky directory's user.* attributes are its owner's.
      if (write && n.is_dir() && (n.perm & kSticky) && !owner_or_root(c, n)) return Errno::PERM;
      if (!permitted(c, n, write ? kMayWrite : kMayRead)) return Errno::ACCES;
      return Errno::OK;
  }
  return Errno::OK;
}

}  // namespace

// ---------------------------------------------------------------------------
// Model

Timespec Model::real_clock() {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  Timespec t;
  t.sec = ns / 1000000000;
  t.nsec = static_cast<std::uint32_t>(ns % 1000000000);
  return t;
}

Model::Model(Clock clock) : s_(std::make_shared<State>()) {
  s_->clock = clock ? std::move(clock) : Clock(&Model::real_clock);
  Inode* r = s_->new_inode(FileType::Directory, 0755, 0, 0, s_->now());
  r->nlink = 2;  // "." and its own ".."
  r->parent = r;
  s_->root = r;
}

Model::~Model() = default;

// Rebuilding a model from a store's Image is also its consistency check
// (fsck): every rule used here is the model's own (model.h: nlink, "..",
// cookies), applied to what the store kept.
std::unique_ptr<Model> Model::restore(Clock clock, std::unique_ptr<Store> store, const Image& img,
                                      RestoreReport* report, std::string* error) {
  std::unique_ptr<Model> m(new Model(std::move(clock)));
  State& s = *m->s_;
  RestoreReport local;
  RestoreReport& rep = report ? *report : local;
  if (img.inodes.empty()) {
    // A new store: the root the constructor made is its first record.
    s.store = std::move(store);
    s.mark(s.root);
    if (Errno e = s.end(true); e != Errno::OK) {
      *error = std::string("cannot write the new store's first record: ") +
               errno_name(static_cast<std::uint32_t>(e));
      return nullptr;
    }
    return m;
  }
  std::ostringstream out;
  s.inodes.clear();
  s.root = nullptr;
  s.next_ino = std::max<std::uint64_t>(img.next_ino, kRootIno + 1);
  for (const auto& [ino, r] : img.inodes) {
    auto n = std::make_unique<Inode>();
    n->ino = ino;
    n->type = r.type;
    n->perm = r.perm & 07777;
    n->uid = r.uid;
    n->gid = r.gid;
    n->nlink = r.nlink;
    n->rdev = r.rdev;
    n->atime = r.atime;
    n->mtime = r.mtime;
    n->ctime = r.ctime;
    n->btime = r.btime;
    n->data_version = r.data_version;
    n->next_cookie = std::max(r.next_cookie, kDotDotCookie + 1);
    n->target = r.target;
    if (ino >= s.next_ino) {
      out << "inode " << ino << " is not below the next inode number " << s.next_ino << "; ";
      s.next_ino = ino + 1;
    }
    s.inodes.emplace(ino, std::move(n));
  }
  auto find = [&](std::uint64_t ino) -> Inode* {
    auto it = s.inodes.find(ino);
    return it == s.inodes.end() ? nullptr : it->second.get();
  };
  s.root = find(kRootIno);
  if (!s.root || !s.root->is_dir()) {
    *error = "the store has no root directory (inode 1)";
    return nullptr;
  }
  s.root->parent = s.root;
  // Entries, in cookie order so that repaired cookies keep the listing order.
  for (const auto& [dino, ents] : img.entries) {
    Inode* dir = find(dino);
    if (!dir || !dir->is_dir()) {
      out << ents.size() << " entries of " << (dir ? "non-directory " : "missing inode ") << dino
          << " dropped; ";
      continue;
    }
    std::vector<std::pair<std::uint64_t, const std::string*>> order;
    for (const auto& [name, e] : ents) order.emplace_back(e.cookie, &name);
    std::sort(order.begin(), order.end());
    for (const auto& [cookie, name] : order) {
      Inode* child = find(ents.find(*name)->second.child);
      if (!child || child == s.root || fs::check_name(*name, fs::NameUse::Create) != Errno::OK) {
        out << "dir " << dino << ": entry '" << *name << "' names "
            << (child ? "the root" : "a missing inode") << " or is not a valid name, dropped; ";
        continue;
      }
      if (child->is_dir() && child->parent) {
        out << "dir " << child->ino << " has a second name '" << *name << "' in dir " << dino
            << ", dropped; ";
        continue;
      }
      std::uint64_t c = cookie;
      if (c <= kDotDotCookie || dir->by_cookie.count(c) || c >= dir->next_cookie) {
        out << "dir " << dino << ": entry '" << *name << "' has a bad cookie " << c << ", renumbered; ";
        c = std::max(dir->next_cookie, dir->by_cookie.empty() ? 0 : dir->by_cookie.rbegin()->first + 1);
        dir->next_cookie = c + 1;
      }
      dir->entries.emplace(*name, Entry{c, child});
      dir->by_cookie.emplace(c, *name);
      if (child->is_dir()) child->parent = dir;
    }
  }
  // What the root reaches; a directory whose ".." chain never reaches the
  // root (a cycle) loses its entries.
  std::set<Inode*> reached{s.root};
  std::vector<Inode*> todo{s.root};
  std::map<Inode*, std::uint64_t> names, subdirs;
  while (!todo.empty()) {
    Inode* d = todo.back();
    todo.pop_back();
    for (auto& [name, e] : d->entries) {
      ++names[e.node];
      if (e.node->is_dir()) {
        ++subdirs[d];
        if (reached.insert(e.node).second) todo.push_back(e.node);
      }
    }
  }
  for (auto& [ino, n] : s.inodes) {
    if (n->is_dir() && !reached.count(n.get()) && !n->entries.empty()) {
      out << "dir " << ino << " is not reached from the root: its " << n->entries.size()
          << " entries dropped; ";
      n->entries.clear();
      n->by_cookie.clear();
    }
  }
  // nlink by the model's rule (model.h); an inode with no name left is
  // reclaimed: a file that was open but unlinked when the store stopped is
  // the expected case (unlink(2)), anything else is a repair.
  std::vector<std::uint64_t> gone;
  for (auto& [ino, n] : s.inodes) {
    Inode* p = n.get();
    bool linked = p == s.root || (p->is_dir() ? reached.count(p) != 0 : names.count(p) != 0);
    if (p->is_dir() && !linked) p->parent = nullptr;
    std::uint64_t want = !linked ? 0 : p->is_dir() ? 2 + subdirs[p] : names[p];
    if (p->nlink != want && !(want == 0 && p->nlink == 0)) {
      out << "inode " << ino << ": nlink " << p->nlink << " recorded, " << want << " counted; ";
      p->nlink = want;
    }
    if (want == 0 && p != s.root) gone.push_back(ino);
  }
  for (const auto& [ino, xs] : img.xattrs)
    if (Inode* n = find(ino)) n->xattrs = xs;
  s.store = std::move(store);
  for (std::uint64_t ino : gone) {
    s.inodes.erase(ino);
    s.store->freed(ino);
  }
  rep.reclaimed = gone.size();
  for (auto& [ino, n] : s.inodes)
    if (n->type == FileType::Regular) n->data = s.store->content(ino, true);
  rep.repairs = out.str();
  if (std::string bad = m->check_invariants(); !bad.empty()) {
    *error = "the recovered tree is inconsistent after repair: " + bad;
    return nullptr;
  }
  if (!gone.empty() || !rep.repairs.empty()) {
    // Make the repairs and reclaims the new starting point.
    if (Errno e = s.store->checkpoint(s.image()); e != Errno::OK) {
      *error = std::string("cannot write the repaired store: ") + errno_name(static_cast<std::uint32_t>(e));
      return nullptr;
    }
  }
  return m;
}

Errno Model::flush() {
  std::lock_guard<std::mutex> lk(s_->mu);
  if (!s_->store) return Errno::OK;
  for (std::uint64_t ino : s_->lazy) s_->dirty.insert(ino);
  s_->lazy.clear();
  return s_->end(true);
}

namespace {
// The model's inode behind a Node, or null if another backend (or another
// Model) made it.
Inode* inode_of(const std::shared_ptr<State>& s, fs::Node& node) {
  auto* mn = dynamic_cast<ModelNode*>(&node);
  if (!mn || mn->state != s) return nullptr;
  return mn->inode;
}
}  // namespace

#define P9_MODEL_NODE(var, node)   \
  Inode* var = inode_of(s_, node); \
  if (!var) return Errno::XDEV

fs::Profile Model::profile() const {
  fs::Profile p;
  p.name = "model";
  return p;
}

Result<fs::NodeRef> Model::root() {
  std::lock_guard<std::mutex> lk(s_->mu);
  return make_ref(s_, s_->root);
}

Result<fs::NodeRef> Model::lookup(const fs::Cred& cred, fs::Node& dir, std::string_view name) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(d, dir);
  if (Errno e = walk_into(cred, *d); e != Errno::OK) return e;
  if (Errno e = fs::check_name(name, fs::NameUse::Lookup); e != Errno::OK) return e;
  if (name == ".") return make_ref(s_, d);
  // A removed directory has no entries and no parent (Linux __lookup_slow():
  // IS_DEADDIR gives ENOENT).
  if (d->dead()) return Errno::NOENT;
  if (name == "..") return make_ref(s_, d->parent);  // the root's parent is the root
  Inode* child = s_->find(d, name);
  if (!child) return Errno::NOENT;
  return make_ref(s_, child);
}

Result<fs::Attr> Model::getattr(fs::Node& node) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(n, node);
  return attr_of(*n);
}

Result<void> Model::setattr(const fs::Cred& cred, fs::Node& node, const fs::SetAttr& attr) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(n, node);
  if (Errno e = set_attr(*s_, cred, *n, attr, nullptr); e != Errno::OK) return e;
  if (Errno e = s_->end(true); e != Errno::OK) return e;
  return {};
}

Result<fs::OpenRef> Model::open(const fs::Cred& cred, fs::Node& node, std::uint32_t flags) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(n, node);
  // Linux build_open_flags(): the access mode asks for read, write or both
  // (mode 3 both); O_TRUNC also asks for write.
  std::uint32_t acc = flags & ACCMODE;
  unsigned need = acc == access::RDONLY ? kMayRead : acc == access::WRONLY ? kMayWrite : kMayRead | kMayWrite;
  if (flags & oflag::TRUNC) need |= kMayWrite;
  // Linux do_open() then may_open(): O_DIRECTORY on a non-directory is
  // ENOTDIR; a symlink is ELOOP (open(2) with O_NOFOLLOW: the server never
  // follows links); writing a directory is EISDIR; then the permission bits.
  if ((flags & oflag::DIRECTORY) && !n->is_dir()) return Errno::NOTDIR;
  if (n->type == FileType::Symlink) return Errno::LOOP;
  if (n->is_dir() && (need & kMayWrite)) return Errno::ISDIR;
  if (!permitted(cred, *n, need)) return Errno::ACCES;
  // No pipes, drivers or sockets here (see model.h); open(2) ENXIO.
  if (n->type != FileType::Regular && !n->is_dir()) return Errno::NXIO;
  if ((flags & oflag::TRUNC) && n->type == FileType::Regular) {
    // open(2)/POSIX: O_TRUNC on an existing regular file truncates it to 0
    // and marks mtime and ctime, even if it was already empty.
    if (Errno e = s_->begin(0); e != Errno::OK) return e;
    Timespec t = s_->now();
    P9_TRY(n->data->set_size(0));
    n->mtime = n->ctime = t;
    ++n->data_version;
    remove_privs(cred, *n);
    s_->mark(n);
    if (Errno e = s_->end(true); e != Errno::OK) return e;
  }
  return make_file(s_, n, flags, cred);
}

Result<Model::Created> Model::create(const fs::Cred& cred, fs::Node& dir, std::string_view name,
                                     std::uint32_t flags, std::uint32_t mode, std::uint32_t gid) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(d, dir);
  if (Errno e = may_create(cred, *d, name, *s_); e != Errno::OK) return e;
  if (Errno e = s_->begin(name.size()); e != Errno::OK) return e;
  Timespec t = s_->now();
  // open(2) O_CREAT: mode & 07777 (the client applied the umask); no access
  // check on the file just made, and O_TRUNC has nothing to do (Linux
  // do_open(): FMODE_CREATED).
  Inode* n =
      s_->new_inode(FileType::Regular, strip_sgid(cred, *d, mode & 07777), cred.uid, new_gid(*d, gid), t);
  s_->add_entry(d, name, n);
  touch_dir(*d, t);  // POSIX open(): a new file marks the parent's mtime and ctime
  if (Errno e = s_->end(true); e != Errno::OK) return e;
  Created c;
  c.file = make_file(s_, n, flags & ~oflag::TRUNC, cred);
  c.node = make_ref(s_, n);
  return c;
}

Result<fs::NodeRef> Model::mkdir(const fs::Cred& cred, fs::Node& dir, std::string_view name,
                                 std::uint32_t mode, std::uint32_t gid) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(d, dir);
  if (Errno e = may_create(cred, *d, name, *s_); e != Errno::OK) return e;
  if (Errno e = s_->begin(name.size()); e != Errno::OK) return e;
  Timespec t = s_->now();
  // mkdir(2): permission bits and the sticky bit are taken from mode
  // (Linux vfs_mkdir(): mode & (S_IRWXUGO|S_ISVTX)); S_ISGID comes from a
  // set-group-ID parent.
  std::uint32_t perm = (mode & 01777) | (d->perm & kSetGid);
  Inode* n = s_->new_inode(FileType::Directory, perm, cred.uid, new_gid(*d, gid), t);
  n->nlink = 1;  // its "."; add_entry adds its name
  s_->add_entry(d, name, n);
  touch_dir(*d, t);
  if (Errno e = s_->end(true); e != Errno::OK) return e;
  return make_ref(s_, n);
}

Result<fs::NodeRef> Model::symlink(const fs::Cred& cred, fs::Node& dir, std::string_view name,
                                   std::string_view target, std::uint32_t gid) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(d, dir);
  if (Errno e = fs::check_symlink_target(target); e != Errno::OK) return e;  // symlink(2), fs/rules.h
  if (Errno e = may_create(cred, *d, name, *s_); e != Errno::OK) return e;
  if (Errno e = s_->begin(name.size() + target.size()); e != Errno::OK) return e;
  Timespec t = s_->now();
  Inode* n =
      s_->new_inode(FileType::Symlink, 0777, cred.uid, new_gid(*d, gid), t);  // symlink(7): always 0777
  n->target = std::string(target);
  s_->add_entry(d, name, n);
  touch_dir(*d, t);
  if (Errno e = s_->end(true); e != Errno::OK) return e;
  return make_ref(s_, n);
}

Result<fs::NodeRef> Model::mknod(const fs::Cred& cred, fs::Node& dir, std::string_view name,
                                 std::uint32_t mode, std::uint64_t rdev, std::uint32_t gid) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(d, dir);
  // mknod(2) (Linux may_mknod(), checked before the name): type 0 means a
  // regular file; a directory is EPERM; an unknown type is EINVAL.
  FileType type = FileType::Regular;
  if ((mode & MODE_TYPE_MASK) != 0) {
    auto ft = fs::file_type_from_mode(mode);
    if (!ft) return Errno::INVAL;
    if (*ft == FileType::Directory) return Errno::PERM;
    if (*ft == FileType::Symlink) return Errno::INVAL;
    type = *ft;
  }
  if (Errno e = may_create(cred, *d, name, *s_); e != Errno::OK) return e;
  bool device = type == FileType::CharDev || type == FileType::BlockDev;
  // mknod(2) EPERM: devices need CAP_MKNOD (Linux vfs_mknod()).
  if (device && !is_root(cred)) return Errno::PERM;
  if (Errno e = s_->begin(name.size()); e != Errno::OK) return e;
  Timespec t = s_->now();
  Inode* n = s_->new_inode(type, strip_sgid(cred, *d, mode & 07777), cred.uid, new_gid(*d, gid), t);
  n->rdev = device ? rdev : 0;  // Linux do_mknodat(): dev is used for devices only
  s_->add_entry(d, name, n);
  touch_dir(*d, t);
  if (Errno e = s_->end(true); e != Errno::OK) return e;
  return make_ref(s_, n);
}

Result<void> Model::link(const fs::Cred& cred, fs::Node& target, fs::Node& dir, std::string_view name) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(n, target);
  P9_MODEL_NODE(d, dir);
  if (Errno e = may_create(cred, *d, name, *s_); e != Errno::OK) return e;
  // link(2): EPERM for a directory; ENOENT for a file with no name left
  // (Linux vfs_link(): i_nlink == 0). Linux's protected_hardlinks sysctl is
  // not modelled.
  if (n->is_dir()) return Errno::PERM;
  if (n->nlink == 0) return Errno::NOENT;
  if (Errno e = s_->begin(name.size()); e != Errno::OK) return e;
  Timespec t = s_->now();
  s_->add_entry(d, name, n);
  n->ctime = t;  // link(2)/POSIX: the file's ctime, the directory's mtime and ctime
  touch_dir(*d, t);
  if (Errno e = s_->end(true); e != Errno::OK) return e;
  return {};
}

Result<void> Model::rename(const fs::Cred& cred, fs::Node& old_dir, std::string_view old_name,
                           fs::Node& new_dir, std::string_view new_name) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(od, old_dir);
  P9_MODEL_NODE(nd, new_dir);
  if (Errno e = walk_into(cred, *od); e != Errno::OK) return e;
  if (Errno e = walk_into(cred, *nd); e != Errno::OK) return e;
  // Linux do_renameat2(): "." or ".." as either name is EBUSY (fs::check_name).
  if (Errno e = fs::check_name(old_name, fs::NameUse::RenameOld); e != Errno::OK) return e;
  if (Errno e = fs::check_name(new_name, fs::NameUse::RenameNew); e != Errno::OK) return e;
  Inode* src = s_->find(od, old_name);
  if (!src) return Errno::NOENT;
  if (nd->dead()) return Errno::NOENT;  // Linux __lookup_hash(): IS_DEADDIR
  Inode* tgt = s_->find(nd, new_name);
  // rename(2) EINVAL: "an attempt was made to make a directory a
  // subdirectory of itself" (the source is new_dir or one of its ancestors).
  if (src->is_dir()) {
    for (Inode* p = nd;; p = p->parent) {
      if (p == src) return Errno::INVAL;
      if (p == s_->root) break;
    }
  }
  // Linux do_renameat2(): a target that is an ancestor of the source (or
  // its parent) is ENOTEMPTY.
  if (tgt && tgt->is_dir()) {
    for (Inode* p = od;; p = p->parent) {
      if (p == tgt) return Errno::NOTEMPTY;
      if (p == s_->root) break;
    }
  }
  // rename(2): "If oldpath and newpath are existing hard links referring to
  // the same file, then rename() does nothing, and returns a success
  // status" (Linux vfs_rename(), before the permission checks).
  if (src == tgt) return {};
  // Linux vfs_rename(): may_delete() on the source, then may_create() or
  // may_delete() on the target with the source's type (file over directory
  // EISDIR, directory over file ENOTDIR).
  if (Errno e = may_delete(cred, *od, *src, src->is_dir()); e != Errno::OK) return e;
  if (!tgt) {
    if (!permitted(cred, *nd, kMayWrite | kMayExec)) return Errno::ACCES;
  } else {
    if (Errno e = may_delete(cred, *nd, *tgt, src->is_dir()); e != Errno::OK) return e;
  }
  // Linux vfs_rename(): moving a directory to another parent rewrites its
  // "..", which needs write permission on the directory itself.
  if (src->is_dir() && od != nd && !permitted(cred, *src, kMayWrite)) return Errno::ACCES;
  // rename(2) ENOTEMPTY: a directory target must be empty.
  if (tgt && tgt->is_dir() && !tgt->entries.empty()) return Errno::NOTEMPTY;

  if (Errno e = s_->begin(old_name.size() + 2 * new_name.size()); e != Errno::OK) return e;
  Timespec t = s_->now();
  if (tgt) {
    s_->remove_entry(nd, new_name);
    tgt->ctime = t;
  }
  s_->remove_entry(od, old_name, /*moving=*/true);
  s_->add_entry(nd, new_name, src);
  // Linux ext4_rename()/shmem_rename2(): both directories' mtime and ctime,
  // and the moved inode's ctime.
  touch_dir(*od, t);
  touch_dir(*nd, t);
  src->ctime = t;
  if (tgt) s_->maybe_free(tgt);
  if (Errno e = s_->end(true); e != Errno::OK) return e;
  return {};
}

Result<void> Model::unlink(const fs::Cred& cred, fs::Node& dir, std::string_view name, bool rmdir) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(d, dir);
  if (Errno e = walk_into(cred, *d); e != Errno::OK) return e;
  // Linux do_rmdir(): rmdir(".") is EINVAL, rmdir("..") ENOTEMPTY;
  // do_unlinkat(): unlink of either is EISDIR (fs::check_name).
  if (Errno e = fs::check_name(name, rmdir ? fs::NameUse::Rmdir : fs::NameUse::Unlink); e != Errno::OK)
    return e;
  Inode* victim = s_->find(d, name);
  if (!victim) return Errno::NOENT;
  // unlink(2) EISDIR (Linux, where POSIX says EPERM); rmdir(2) ENOTDIR.
  if (Errno e = may_delete(cred, *d, *victim, rmdir); e != Errno::OK) return e;
  if (rmdir && !victim->entries.empty()) return Errno::NOTEMPTY;  // rmdir(2) ENOTEMPTY
  if (Errno e = s_->begin(name.size(), /*frees=*/true); e != Errno::OK) return e;
  Timespec t = s_->now();
  s_->remove_entry(d, name);
  victim->ctime = t;  // unlink(2)/POSIX: the file's ctime (its link count changed)
  touch_dir(*d, t);
  s_->maybe_free(victim);
  if (Errno e = s_->end(true); e != Errno::OK) return e;
  return {};
}

Result<std::string> Model::readlink(fs::Node& node) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(n, node);
  if (n->type != FileType::Symlink) return Errno::INVAL;  // readlink(2) EINVAL
  return n->target;
}

Result<fs::StatFs> Model::statfs(fs::Node& node) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(n, node);
  (void)n;
  std::uint64_t used = s_->used_blocks();
  fs::StatFs st;
  st.type = kStatFsType;
  st.bsize = static_cast<std::uint32_t>(kBlockSize);
  st.blocks = std::max(kStatFsBlocks, used);
  st.bfree = st.bavail = st.blocks - used;
  st.files = std::max<std::uint64_t>(kStatFsFiles, s_->inodes.size());
  st.ffree = st.files - s_->inodes.size();
  st.fsid = 0;
  st.namelen = static_cast<std::uint32_t>(kNameMax);
  return st;
}

Result<std::string> Model::getxattr(const fs::Cred& cred, fs::Node& node, std::string_view name) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(n, node);
  if (Errno e = xattr_check(cred, *n, name, false); e != Errno::OK) return e;
  auto it = n->xattrs.find(name);
  if (it == n->xattrs.end()) return Errno::NODATA;  // getxattr(2) ENODATA
  return it->second;
}

Result<std::vector<std::string>> Model::listxattr(const fs::Cred& cred, fs::Node& node) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(n, node);
  // listxattr(2) needs no permission on the file; trusted.* names are
  // listed to privileged callers only (Linux simple_xattr_list()). Names
  // come in byte order.
  std::vector<std::string> names;
  for (const auto& [k, v] : n->xattrs)
    if (is_root(cred) || !starts_with(k, "trusted.")) names.push_back(k);
  return names;
}

Result<void> Model::setxattr(const fs::Cred& cred, fs::Node& node, std::string_view name,
                             std::string_view value, fs::XattrFlags flags) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(n, node);
  auto f = static_cast<std::uint32_t>(flags);
  if (Errno e = fs::check_xattr_flags(f); e != Errno::OK) return e;  // setxattr(2), fs/rules.h
  if (Errno e = xattr_check(cred, *n, name, true); e != Errno::OK) return e;
  // Values of any size are kept (Linux's XATTR_SIZE_MAX of 64 KiB is a
  // syscall limit; 9P carries larger values).
  auto it = n->xattrs.find(name);
  // setxattr(2): XATTR_CREATE on an existing attribute is EEXIST;
  // XATTR_REPLACE on a missing one is ENODATA.
  if ((f & static_cast<std::uint32_t>(fs::XattrFlags::Create)) && it != n->xattrs.end()) return Errno::EXIST;
  if ((f & static_cast<std::uint32_t>(fs::XattrFlags::Replace)) && it == n->xattrs.end())
    return Errno::NODATA;
  if (Errno e = s_->begin(name.size() + value.size()); e != Errno::OK) return e;
  if (it == n->xattrs.end())
    n->xattrs.emplace(std::string(name), std::string(value));
  else
    it->second = std::string(value);
  n->ctime = s_->now();  // inode metadata changed (Linux __vfs_setxattr: ctime)
  if (s_->store) s_->store->xattr_set(n->ino, name, value);
  s_->mark(n);
  if (Errno e = s_->end(true); e != Errno::OK) return e;
  return {};
}

Result<void> Model::removexattr(const fs::Cred& cred, fs::Node& node, std::string_view name) {
  std::lock_guard<std::mutex> lk(s_->mu);
  P9_MODEL_NODE(n, node);
  if (Errno e = xattr_check(cred, *n, name, true); e != Errno::OK) return e;
  auto it = n->xattrs.find(name);
  if (it == n->xattrs.end()) return Errno::NODATA;  // removexattr(2) ENODATA
  if (Errno e = s_->begin(name.size()); e != Errno::OK) return e;
  n->xattrs.erase(it);
  n->ctime = s_->now();
  if (s_->store) s_->store->xattr_removed(n->ino, name);
  s_->mark(n);
  if (Errno e = s_->end(true); e != Errno::OK) return e;
  return {};
}

bool Model::same(fs::Node& a, fs::Node& b) {
  Inode* x = inode_of(s_, a);
  Inode* y = inode_of(s_, b);
  return x && x == y;
}

std::size_t Model::inode_count() const {
  std::lock_guard<std::mutex> lk(s_->mu);
  return s_->inodes.size();
}

std::uint64_t Model::allocated_blocks() const {
  std::lock_guard<std::mutex> lk(s_->mu);
  return s_->used_blocks();
}

std::string Model::check_invariants() {
  std::lock_guard<std::mutex> lk(s_->mu);
  fs::Findings out;
  const Inode* root = s_->root;
  if (!root || !root->is_dir() || root->parent != root)
    out << "root is not a directory that is its own parent; ";
  // Walk the tree from the root, counting the names of every inode and the
  // subdirectories of every directory.
  std::map<const Inode*, std::uint64_t> names, subdirs;
  std::vector<const Inode*> todo{root};
  std::set<const Inode*> seen{root};
  while (!todo.empty()) {
    const Inode* d = todo.back();
    todo.pop_back();
    if (d->entries.size() != d->by_cookie.size())
      out << "dir " << d->ino << ": " << d->entries.size() << " names but " << d->by_cookie.size()
          << " cookies; ";
    for (const auto& [name, e] : d->entries) {
      auto c = d->by_cookie.find(e.cookie);
      if (c == d->by_cookie.end() || c->second != name)
        out << "dir " << d->ino << ": entry '" << name << "' cookie " << e.cookie << " not indexed; ";
      if (e.cookie <= kDotDotCookie || e.cookie >= d->next_cookie)
        out << "dir " << d->ino << ": entry '" << name << "' has cookie " << e.cookie << " out of range; ";
      if (!s_->inodes.count(e.node->ino) || s_->inodes.at(e.node->ino).get() != e.node)
        out << "dir " << d->ino << ": entry '" << name << "' names a freed inode; ";
      ++names[e.node];
      if (e.node->is_dir()) {
        ++subdirs[d];
        if (e.node->parent != d)
          out << "dir " << e.node->ino << " ('" << name << "'): '..' is not its parent " << d->ino << "; ";
        if (seen.insert(e.node).second)
          todo.push_back(e.node);
        else
          out << "dir " << e.node->ino << " has more than one name; ";
      }
    }
  }
  for (const auto& [ino, up] : s_->inodes) {
    const Inode* n = up.get();
    bool linked = n == root || names.count(n) != 0;
    std::uint64_t want;
    if (n->is_dir())
      want = linked ? 2 + subdirs[n] : 0;
    else
      want = names.count(n) ? names[n] : 0;
    if (n->nlink != want) out << "inode " << ino << ": nlink " << n->nlink << ", expected " << want << "; ";
    if (!linked && n->refs == 0) out << "inode " << ino << ": orphan (no name, no reference); ";
    if (n->is_dir() && !linked && (!n->entries.empty() || n->parent))
      out << "removed dir " << ino << " not empty; ";
    if (n->type == FileType::Regular) {
      if (std::string d = n->data->check(); !d.empty()) out << "inode " << ino << ": " << d;
    }
    if (std::string l = n->locks.check(); !l.empty()) out << "inode " << ino << ": " << l;
  }
  return out.str();
}

#undef P9_MODEL_NODE

}  // namespace p9::model
