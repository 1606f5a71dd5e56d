// The stateful property: random sequences of file-system operations sent over
// 9P to a target server, each reply checked against the model (the reference
// server core over a fresh p9::model::Model in this process: the oracle).
// See property-tests/README.md.
//
// Target: P9_TARGET (conformance/harness/target.h), default inprocess:posix.
// P9_SKIP_IF_UNAVAILABLE=1: exit 77 when the target cannot be started.
// The name space is small on purpose (a, b, c, d in the case directory and in
// its subdirectory d), so names collide and errors are frequent.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "conformance/deviations/deviation_list.h"
#include "property-tests/fs_pair.h"
#include "reference/codec/printer.h"

namespace p9::prop {
namespace {

constexpr int kSlots = 3;               // fids that stay open across commands
constexpr std::uint32_t kSlotFid = 10;  // slot i is fid 10 + i
constexpr std::uint32_t kTmp = 100, kTmp2 = 101;
constexpr std::uint64_t kGetattrAll = 0x3fff;

// What the target can be asked: from its profile, and from the rows of
// diod-deviations.md that name it (each names the field it changes): diod
// refuses Trenameat and Tunlinkat with EOPNOTSUPP (diod 1.0.24 libnpfs/fcall.c
// np_renameat / np_unlinkat: no such operation registered), and Tgetlock of a
// type other than RDLCK/WRLCK with EINVAL (diod/ops.c diod_getlock).
struct Caps {
  bool at_ops = true;  // Trenameat / Tunlinkat
  bool getlock = true;
  bool xattrs = true;
  bool locks = true;
  bool hardlinks = true;
  bool create_excl = false;  // diod: Tlcreate always with O_EXCL (diod-deviations.md)
  bool symlinks = true;      // diod follows symlinks in walks and Tlopen (diod-deviations.md)
  bool empty_xattr = true;   // diod removes the attribute for a 0-byte Txattrcreate
  bool fid_attr = true;      // Tgetattr/Tsetattr on held fids (diod: by path, ENOENT once unlinked)
};

// The switches of diod-deviations.md: a row's field, and the value it sets.
struct Switch {
  const char* name;
  bool Caps::*field;
  bool value;
};
constexpr Switch kSwitches[] = {
    {"at_ops", &Caps::at_ops, false},
    {"getlock", &Caps::getlock, false},
    {"locks", &Caps::locks, false},
    {"create_excl", &Caps::create_excl, true},
    {"symlinks", &Caps::symlinks, false},
    {"fid_attr", &Caps::fid_attr, false},
    {"empty_xattr", &Caps::empty_xattr, false},
};

// Applies the rows of the deviation list at `path` that name `target`.
bool apply_deviations(const std::string& path, const std::string& target, Caps* caps, std::string* error) {
  std::vector<deviations::Row> rows;
  if (!deviations::read(path,
                        {"target", "what diod does", "seen as", "switch", "what the property does for diod",
                         "why it is acceptable"},
                        &rows, error))
    return false;
  for (const deviations::Row& r : rows) {
    const Switch* sw = nullptr;
    for (const Switch& k : kSwitches)
      if (r.cells[3] == k.name) sw = &k;
    if (!sw) {
      *error = path + ":" + std::to_string(r.line) + ": unknown switch '" + r.cells[3] + "'";
      return false;
    }
    if (deviations::names(r.cells[0], target)) caps->*sw->field = sw->value;
  }
  return true;
}

// The abstract state: which slots hold a fid (for preconditions only; what
// the file system holds is the oracle's business).
struct State {
  Caps caps;
  std::array<bool, kSlots> slot{};
};

struct Sut {
  FsPair pair;
  std::array<bool, kSlots> live{};  // the slot's fid exists on both sides
};

using Cmd = rc::state::Command<State, Sut>;

// ---- the name space ----
struct Path {
  int dir = 0;   // 0: the case directory, 1: its subdirectory "d"
  int name = 0;  // a, b, c, d
};
const char* name_of(int n) { return n == 0 ? "a" : n == 1 ? "b" : n == 2 ? "c" : "d"; }
std::vector<std::string> parent_names(const Path& p) {
  return p.dir ? std::vector<std::string>{"d"} : std::vector<std::string>{};
}
std::vector<std::string> full_names(const Path& p) {
  auto v = parent_names(p);
  v.push_back(name_of(p.name));
  return v;
}
std::string show(const Path& p) { return std::string(p.dir ? "d/" : "") + name_of(p.name); }

rc::Gen<Path> gen_path() {
  return rc::gen::build<Path>(
      rc::gen::set(&Path::dir, rc::gen::weightedElement<int>({{3, 0}, {2, 1}})),
      rc::gen::set(&Path::name, rc::gen::weightedElement<int>({{3, 0}, {3, 1}, {2, 2}, {2, 3}})));
}
rc::Gen<std::uint64_t> gen_offset() {
  return rc::gen::weightedOneOf<std::uint64_t>(
      {{4, rc::gen::inRange<std::uint64_t>(0, 64)},
       {2, rc::gen::element<std::uint64_t>(4095, 4096, 8191, 8192, 10000)},
       {1, rc::gen::inRange<std::uint64_t>(0, 20000)}});
}
rc::Gen<std::string> gen_data() {
  return rc::gen::weightedOneOf<std::string>(
      {{4, rc::gen::mapcat(rc::gen::inRange<std::size_t>(0, 40),
                           [](std::size_t n) {
                             return rc::gen::container<std::string>(
                                 n, rc::gen::element<char>('x', 'y', '\0', 'z'));
                           })},
       {1, rc::gen::map(rc::gen::inRange<std::size_t>(0, 5000),
                        [](std::size_t n) { return std::string(n, 'q'); })}});
}
rc::Gen<std::uint32_t> gen_mode() {
  return rc::gen::element<std::uint32_t>(0644, 0600, 0755, 0444, 0700, 04755, 01777);
}

// ---- helpers run on both sides ----
// Walks fid -> newfid; true when newfid exists afterwards (on both sides: the replies were compared).
bool walk(Sut& s, std::uint32_t fid, std::uint32_t newfid, const std::vector<std::string>& names) {
  auto r = s.pair.rpc(msg::Twalk{fid, newfid, names});
  auto* w = std::get_if<msg::Rwalk>(&r.ref);
  return w && w->wqid.size() == names.size();
}
void clunk(Sut& s, std::uint32_t fid) { s.pair.rpc(msg::Tclunk{fid}); }
std::uint32_t slot_fid(int i) { return kSlotFid + static_cast<std::uint32_t>(i); }

// The posix backend refuses chmod of a symlink with EOPNOTSUPP, as Linux's
// fchmodat(AT_SYMLINK_NOFOLLOW) does (lchmod), where the model changes the
// mode bits; a Linux client never asks (chmod(2) follows the link). So a mode
// change is only sent when a Tgetattr (compared too) says the fid is no symlink.
bool is_symlink(Sut& s, std::uint32_t fid) {
  auto r = s.pair.rpc(msg::Tgetattr{fid, getattr::MODE});
  auto* g = std::get_if<msg::Rgetattr>(&r.ref);
  return g && (g->mode & 0170000) == 0120000;
}

// Truncates fid to `value` (size) or gives it mode `value` (not on a symlink, above).
void set_size_or_mode(Sut& s, std::uint32_t fid, bool size, std::uint64_t value) {
  msg::Tsetattr m{};
  m.fid = fid;
  if (size)
    m.valid = setattr::SIZE, m.size = value;
  else
    m.valid = setattr::MODE, m.mode = static_cast<std::uint32_t>(value);
  if (!size && is_symlink(s, fid)) return;
  s.pair.rpc(m);
}

// Runs body with kTmp walked to `names` (if the walk succeeds), then clunks it.
template <class F>
void with_tmp(Sut& s, const std::vector<std::string>& names, F body) {
  if (!walk(s, FsPair::kCaseFid, kTmp, names)) return;
  body();
  clunk(s, kTmp);
}

// ---- commands ----
struct Create : Cmd {
  Path p = *gen_path();
  int slot = *rc::gen::inRange(-1, kSlots);
  std::uint32_t flags = access::RDWR | *rc::gen::elementOf(std::vector<std::uint32_t>{
                                           0, lopen::EXCL, lopen::TRUNC, lopen::APPEND});
  std::uint32_t mode = *gen_mode();
  explicit Create(const State& m) {
    if (slot >= 0 && m.slot[slot]) slot = -1;
    if (m.caps.create_excl) flags |= lopen::EXCL;
  }
  void checkPreconditions(const State& m) const override {
    // RC_PRE decomposes its expression (no short circuit): index only when valid.
    const bool free_or_none = slot < 0 || !m.slot[static_cast<std::size_t>(slot)];
    RC_PRE(free_or_none);
  }
  void apply(State& m) const override {
    if (slot >= 0) m.slot[slot] = true;
  }
  void run(const State&, Sut& s) const override {
    std::uint32_t fid = slot >= 0 ? slot_fid(slot) : kTmp;
    if (!walk(s, FsPair::kCaseFid, fid, parent_names(p))) return;
    auto r = s.pair.rpc(msg::Tlcreate{fid, name_of(p.name), flags, mode, 0});
    if (slot >= 0 && r.ok()) {
      s.live[slot] = true;
      return;
    }
    clunk(s, fid);
  }
  void show(std::ostream& os) const override {
    os << "create " << prop::show(p) << " " << format_open_flags(flags) << " " << std::oct << mode << std::dec
       << " slot=" << slot;
  }
};

struct Open : Cmd {
  Path p = *gen_path();
  int slot = 0;
  bool whole_dir =
      *rc::gen::weightedElement<bool>({{1, true}, {6, false}});  // open "d" or the case dir itself
  std::uint32_t flags =
      *rc::gen::elementOf(std::vector<std::uint32_t>{access::RDONLY, access::WRONLY, access::RDWR}) |
      *rc::gen::elementOf(std::vector<std::uint32_t>{0, 0, lopen::TRUNC, lopen::APPEND, lopen::DIRECTORY});
  explicit Open(const State& m) {
    std::vector<int> free;
    for (int i = 0; i < kSlots; ++i)
      if (!m.slot[i]) free.push_back(i);
    RC_PRE(!free.empty());
    slot = *rc::gen::elementOf(free);
  }
  void checkPreconditions(const State& m) const override { RC_PRE(!m.slot[slot]); }
  void apply(State& m) const override { m.slot[slot] = true; }
  void run(const State&, Sut& s) const override {
    auto names = whole_dir ? parent_names(p) : full_names(p);
    if (!walk(s, FsPair::kCaseFid, slot_fid(slot), names)) return;
    s.live[slot] = true;  // walked; maybe not opened (then I/O on it is refused alike)
    s.pair.rpc(msg::Tlopen{slot_fid(slot), flags});
  }
  void show(std::ostream& os) const override {
    os << "open " << (whole_dir ? (p.dir ? "d" : ".") : prop::show(p)) << " " << format_open_flags(flags)
       << " slot=" << slot;
  }
};

// Commands on a slot: the slot must hold a fid.
struct SlotCmd : Cmd {
  int slot = 0;
  explicit SlotCmd(const State& m) {
    std::vector<int> used;
    for (int i = 0; i < kSlots; ++i)
      if (m.slot[i]) used.push_back(i);
    RC_PRE(!used.empty());
    slot = *rc::gen::elementOf(used);
  }
  void checkPreconditions(const State& m) const override { RC_PRE(m.slot[slot]); }
  bool live(const Sut& s) const { return s.live[slot]; }
};

struct Write : SlotCmd {
  std::uint64_t offset = *gen_offset();
  std::string data = *gen_data();
  using SlotCmd::SlotCmd;
  void run(const State&, Sut& s) const override {
    if (live(s)) s.pair.rpc(msg::Twrite{slot_fid(slot), offset, data});
  }
  void show(std::ostream& os) const override {
    os << "write slot=" << slot << " at " << offset << " " << data.size() << " bytes";
  }
};

struct Read : SlotCmd {
  std::uint64_t offset = *gen_offset();
  std::uint32_t count = *rc::gen::element<std::uint32_t>(0, 1, 10, 100, 6000);
  using SlotCmd::SlotCmd;
  void run(const State&, Sut& s) const override {
    if (live(s)) s.pair.rpc(msg::Tread{slot_fid(slot), offset, count});
  }
  void show(std::ostream& os) const override {
    os << "read slot=" << slot << " at " << offset << " count " << count;
  }
};

struct Fstat : SlotCmd {
  using SlotCmd::SlotCmd;
  void checkPreconditions(const State& m) const override {
    SlotCmd::checkPreconditions(m);
    RC_PRE(m.caps.fid_attr);
  }
  void run(const State&, Sut& s) const override {
    if (live(s)) s.pair.rpc(msg::Tgetattr{slot_fid(slot), kGetattrAll});
  }
  void show(std::ostream& os) const override { os << "fstat slot=" << slot; }
};

struct Fsetattr : SlotCmd {  // ftruncate / fchmod on a slot (also open-unlinked files)
  bool size = *rc::gen::arbitrary<bool>();
  std::uint64_t value = size ? *gen_offset() : *gen_mode();
  using SlotCmd::SlotCmd;
  void checkPreconditions(const State& m) const override {
    SlotCmd::checkPreconditions(m);
    RC_PRE(m.caps.fid_attr);
  }
  void run(const State&, Sut& s) const override {
    if (live(s)) set_size_or_mode(s, slot_fid(slot), size, value);
  }
  void show(std::ostream& os) const override {
    os << "fsetattr slot=" << slot << (size ? " size " : " mode ") << value;
  }
};

struct Lock : SlotCmd {
  std::uint8_t type = *rc::gen::element<std::uint8_t>(lock_type::RDLCK, lock_type::WRLCK, lock_type::UNLCK);
  std::uint64_t start = *rc::gen::element<std::uint64_t>(0, 0, 5, 10, 100);
  std::uint64_t length = *rc::gen::element<std::uint64_t>(0, 1, 10, 50);
  std::uint32_t proc = *rc::gen::element<std::uint32_t>(1, 2);
  bool get = false;
  Lock(const State& m) : SlotCmd(m) { get = m.caps.getlock && *rc::gen::arbitrary<bool>(); }
  void checkPreconditions(const State& m) const override {
    SlotCmd::checkPreconditions(m);
    const bool ok = m.caps.locks && (!get || m.caps.getlock);
    RC_PRE(ok);
  }
  void run(const State&, Sut& s) const override {
    if (!live(s)) return;
    if (get)
      s.pair.rpc(msg::Tgetlock{slot_fid(slot), type, start, length, proc, "p9prop"});
    else
      s.pair.rpc(msg::Tlock{slot_fid(slot), type, 0, start, length, proc, "p9prop"});
  }
  void show(std::ostream& os) const override {
    os << (get ? "getlock" : "lock") << " slot=" << slot << " type " << int(type) << " " << start << "+"
       << length << " proc " << proc;
  }
};

struct Clunk : SlotCmd {
  using SlotCmd::SlotCmd;
  void apply(State& m) const override { m.slot[slot] = false; }
  void run(const State&, Sut& s) const override {
    if (live(s)) clunk(s, slot_fid(slot));
    s.live[slot] = false;
  }
  void show(std::ostream& os) const override { os << "clunk slot=" << slot; }
};

struct Stat : Cmd {
  Path p = *gen_path();
  void run(const State&, Sut& s) const override {
    with_tmp(s, full_names(p), [&] { s.pair.rpc(msg::Tgetattr{kTmp, kGetattrAll}); });
  }
  void show(std::ostream& os) const override { os << "stat " << prop::show(p); }
};

struct Setattr : Cmd {  // truncate / chmod by name
  Path p = *gen_path();
  bool size = *rc::gen::arbitrary<bool>();
  std::uint64_t value = size ? *gen_offset() : *gen_mode();
  void run(const State&, Sut& s) const override {
    with_tmp(s, full_names(p), [&] { set_size_or_mode(s, kTmp, size, value); });
  }
  void show(std::ostream& os) const override {
    os << (size ? "truncate " : "chmod ") << prop::show(p) << " " << value;
  }
};

struct Mkdir : Cmd {
  Path p = *rc::gen::build<Path>(
      rc::gen::set(&Path::dir, rc::gen::element(0, 1)),
      rc::gen::set(&Path::name, rc::gen::weightedElement<int>({{1, 0}, {1, 1}, {4, 3}})));
  std::uint32_t mode = *rc::gen::element<std::uint32_t>(0755, 0700, 0555);
  void run(const State&, Sut& s) const override {
    with_tmp(s, parent_names(p), [&] { s.pair.rpc(msg::Tmkdir{kTmp, name_of(p.name), mode, 0}); });
  }
  void show(std::ostream& os) const override {
    os << "mkdir " << prop::show(p) << " " << std::oct << mode << std::dec;
  }
};

struct Rename : Cmd {
  Path from = *gen_path(), to = *gen_path();
  bool at = false;
  explicit Rename(const State& m) { at = m.caps.at_ops && *rc::gen::arbitrary<bool>(); }
  void checkPreconditions(const State& m) const override {
    const bool ok = !at || m.caps.at_ops;
    RC_PRE(ok);
  }
  void run(const State&, Sut& s) const override {
    if (at) {
      if (!walk(s, FsPair::kCaseFid, kTmp, parent_names(from))) return;
      if (walk(s, FsPair::kCaseFid, kTmp2, parent_names(to))) {
        s.pair.rpc(msg::Trenameat{kTmp, name_of(from.name), kTmp2, name_of(to.name)});
        clunk(s, kTmp2);
      }
      clunk(s, kTmp);
    } else {
      if (!walk(s, FsPair::kCaseFid, kTmp, full_names(from))) return;
      if (walk(s, FsPair::kCaseFid, kTmp2, parent_names(to))) {
        s.pair.rpc(msg::Trename{kTmp, kTmp2, name_of(to.name)});
        clunk(s, kTmp2);
      }
      clunk(s, kTmp);
    }
  }
  void show(std::ostream& os) const override {
    os << (at ? "renameat " : "rename ") << prop::show(from) << " " << prop::show(to);
  }
};

struct Link : Cmd {
  Path from = *gen_path(), to = *gen_path();
  void checkPreconditions(const State& m) const override { RC_PRE(m.caps.hardlinks); }
  void run(const State&, Sut& s) const override {
    if (!walk(s, FsPair::kCaseFid, kTmp, full_names(from))) return;
    if (walk(s, FsPair::kCaseFid, kTmp2, parent_names(to))) {
      s.pair.rpc(msg::Tlink{kTmp2, kTmp, name_of(to.name)});
      clunk(s, kTmp2);
    }
    clunk(s, kTmp);
  }
  void show(std::ostream& os) const override { os << "link " << prop::show(from) << " " << prop::show(to); }
};

struct Symlink : Cmd {
  Path p = *gen_path();
  std::string target = *rc::gen::element<std::string>("a", "../b", "d/c", "/etc/passwd", "nowhere");
  void checkPreconditions(const State& m) const override { RC_PRE(m.caps.symlinks); }
  void run(const State&, Sut& s) const override {
    with_tmp(s, parent_names(p), [&] { s.pair.rpc(msg::Tsymlink{kTmp, name_of(p.name), target, 0}); });
  }
  void show(std::ostream& os) const override { os << "symlink " << prop::show(p) << " -> " << target; }
};

struct Readlink : Cmd {
  Path p = *gen_path();
  void run(const State&, Sut& s) const override {
    with_tmp(s, full_names(p), [&] { s.pair.rpc(msg::Treadlink{kTmp}); });
  }
  void show(std::ostream& os) const override { os << "readlink " << prop::show(p); }
};

struct Unlink : Cmd {
  Path p = *gen_path();
  bool rmdir = *rc::gen::weightedElement<bool>({{1, true}, {3, false}});
  bool at = false;
  explicit Unlink(const State& m) {
    at = m.caps.at_ops && *rc::gen::weightedElement<bool>({{3, true}, {1, false}});
  }
  void checkPreconditions(const State& m) const override {
    const bool ok = !at || m.caps.at_ops;
    RC_PRE(ok);
  }
  void run(const State&, Sut& s) const override {
    if (at) {
      with_tmp(s, parent_names(p), [&] {
        s.pair.rpc(msg::Tunlinkat{kTmp, name_of(p.name), rmdir ? at::REMOVEDIR : 0u});
      });
    } else if (walk(s, FsPair::kCaseFid, kTmp, full_names(p))) {
      s.pair.rpc(msg::Tremove{kTmp});  // the fid is gone whatever the outcome
    }
  }
  void show(std::ostream& os) const override {
    os << (at ? (rmdir ? "unlinkat(AT_REMOVEDIR) " : "unlinkat ") : "remove ") << prop::show(p);
  }
};

struct Readdir : Cmd {
  int which = *rc::gen::element(0, 1, 2);  // the case dir, d, d/d
  std::uint32_t count = *rc::gen::element<std::uint32_t>(60, 200, 8192);
  void run(const State&, Sut& s) const override {
    std::vector<std::string> names;
    if (which >= 1) names.push_back("d");
    if (which == 2) names.push_back("d");
    with_tmp(s, names, [&] {
      if (!s.pair.rpc(msg::Tlopen{kTmp, access::RDONLY | lopen::DIRECTORY}).ok()) return;
      diff::EntrySet ref, tgt;
      std::uint64_t ref_off = 0, tgt_off = 0;
      for (int i = 0; i < 100; ++i) {
        auto r = s.pair.rpc2(msg::Treaddir{kTmp, ref_off, count}, msg::Treaddir{kTmp, tgt_off, count});
        if (type_of(r.ref) != type_of(r.tgt)) s.pair.fail("reply type differs", r.ref, r.tgt);
        auto* a = std::get_if<msg::Rreaddir>(&r.ref);
        auto* b = std::get_if<msg::Rreaddir>(&r.tgt);
        if (!a) {
          s.pair.rpc2(r.ref, r.tgt);  // never reached with equal types; keeps the compiler quiet
          return;
        }
        diff::add_entries(r.ref, ref);
        diff::add_entries(r.tgt, tgt);
        if (a->entries.empty() || b->entries.empty()) {
          if (a->entries.empty() != b->entries.empty() && ref != tgt)
            s.pair.fail("listing ended on one side only: " + diff::describe_difference(ref, tgt), r.ref,
                        r.tgt);
          if (!a->entries.empty() || !b->entries.empty()) continue;
          break;
        }
        ref_off = a->entries.back().offset;
        tgt_off = b->entries.back().offset;
      }
      if (ref != tgt) {
        Message x = msg::Rreaddir{}, y = msg::Rreaddir{};
        s.pair.fail(
            "directory listing differs (as a set of name/type): " + diff::describe_difference(ref, tgt), x,
            y);
      }
    });
  }
  void show(std::ostream& os) const override {
    os << "readdir " << (which == 0 ? "." : which == 1 ? "d" : "d/d") << " count " << count;
  }
};

struct XattrSet : Cmd {
  Path p = *gen_path();
  std::string name = *rc::gen::element<std::string>("user.x", "user.y");
  std::string value = *rc::gen::element<std::string>("", "1", "value-two");
  std::uint32_t flags = *rc::gen::element<std::uint32_t>(0, 0, 1, 2);
  void checkPreconditions(const State& m) const override {
    const bool ok = m.caps.xattrs && (m.caps.empty_xattr || !value.empty());
    RC_PRE(ok);
  }
  void run(const State&, Sut& s) const override {
    if (!walk(s, FsPair::kCaseFid, kTmp, full_names(p))) return;
    if (s.pair.rpc(msg::Txattrcreate{kTmp, name, value.size(), flags}).ok() && !value.empty())
      s.pair.rpc(msg::Twrite{kTmp, 0, value});
    clunk(s, kTmp);  // the value is set at clunk; its error comes back in Rclunk
  }
  void show(std::ostream& os) const override {
    os << "setxattr " << prop::show(p) << " " << name << "=\"" << value << "\" flags " << flags;
  }
};

struct XattrGet : Cmd {
  Path p = *gen_path();
  std::string name = *rc::gen::element<std::string>("user.x", "user.y");
  void checkPreconditions(const State& m) const override { RC_PRE(m.caps.xattrs); }
  void run(const State&, Sut& s) const override {
    with_tmp(s, full_names(p), [&] {
      auto r = s.pair.rpc(msg::Txattrwalk{kTmp, kTmp2, name});
      if (!r.ok()) return;
      s.pair.rpc(msg::Tread{kTmp2, 0, 100});
      clunk(s, kTmp2);
    });
  }
  void show(std::ostream& os) const override { os << "getxattr " << prop::show(p) << " " << name; }
};

// ---- the test ----
struct Env {
  std::unique_ptr<conformance::Target> target;
  std::string error;
  Caps caps;
};
Env& env() {
  static Env e;
  return e;
}
std::string file_name_for(const std::string& target) {
  std::string f = "stateful-" + target;
  for (char& c : f)
    if (c == ':' || c == '/') c = '_';
  return f + ".trace";
}

TEST(StatefulProperty, TargetAgreesWithTheModel) {
  auto& e = env();
  ASSERT_TRUE(e.target) << e.error;
  static std::atomic<int> case_no{0};
  std::string written;
  bool ok = rc::check("9P target agrees with the model, operation by operation", [&] {
    State s0;
    s0.caps = e.caps;
    Sut sut;
    std::string why = sut.pair.start(*e.target, "case-" + std::to_string(++case_no));
    RC_ASSERT(why.empty());
    try {
      rc::state::check(s0, sut,
                       rc::state::gen::execOneOfWithArgs<Create, Open, Write, Read, Fstat, Fsetattr, Lock,
                                                         Clunk, Stat, Setattr, Mkdir, Rename, Link, Symlink,
                                                         Readlink, Unlink, Readdir, XattrSet, XattrGet>());
    } catch (...) {
      // Every failing run overwrites the file, and RapidCheck keeps each
      // failing shrink it finds: the last one written is the shrunk counterexample.
      written = sut.pair.write_trace(file_name_for(e.target->name()), e.target->name());
      throw;
    }
  });
  if (!ok && !written.empty())
    std::printf("counterexample trace (target's side, shrunk): %s\n", written.c_str());
  EXPECT_TRUE(ok);
  std::string inv = e.target->check_invariants();
  EXPECT_EQ(inv, "");
}

}  // namespace
}  // namespace p9::prop

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  setenv("P9_TARGET", "inprocess:posix", 0);  // this test's default target
  auto& e = p9::prop::env();
  e.target = p9::conformance::make_target_from_env(&e.error);
  if (!e.target) {
    const char* skip = std::getenv("P9_SKIP_IF_UNAVAILABLE");
    if (skip && std::string(skip) == "1") {
      std::printf("SKIPPED: target %s unavailable: %s\n", std::getenv("P9_TARGET"), e.error.c_str());
      return 77;
    }
  } else {
    p9::fs::Profile pr = e.target->profile();
    e.caps.xattrs = pr.xattrs;
    e.caps.locks = pr.locks;
    e.caps.hardlinks = pr.hardlinks;
    std::string error;
    if (!p9::prop::apply_deviations(P9_PROPERTY_DEVIATIONS, e.target->deviation_id(), &e.caps, &error)) {
      std::fprintf(stderr, "stateful_property_test: %s\n", error.c_str());
      return 2;
    }
  }
  int rc = RUN_ALL_TESTS();
  e.target.reset();
  return rc;
}
