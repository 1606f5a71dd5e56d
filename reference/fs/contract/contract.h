// The backend contract suite: the file-system rules every fs::Backend must
// keep, below any protocol (no 9P here). One parameterised gtest fixture runs
// each test against every backend factory of the build; a new backend should
// pass it before it meets 9P.
//
// This header needs nothing but fs::Backend and gtest. The factories live in
// one file per build (backends.cc here: model and posix); adding a backend is
// one line there. The tests are in files by topic, each instantiating its
// fixture with P9_CONTRACT_TOPIC(Fixture).
//
// Expectations are Linux's (the man page or Linux function is named), never
// a backend's own choices (inode numbers, readdir order, cookies, clocks:
// those are tested with each backend). Times are compared by setting them to
// an old explicit value first, so coarse host clocks do not matter. Tests of
// users other than root skip on a backend whose profile lacks ownership;
// tests of hard links, xattrs, locks, mknod or symlinks skip when the profile
// says the backend lacks them.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "reference/fs/backend.h"

namespace p9 {
inline void PrintTo(Errno e, std::ostream* os) {
  const char* n = errno_name(static_cast<std::uint32_t>(e));
  *os << (e == Errno::OK ? "OK" : n ? n : "E?") << "(" << static_cast<std::uint32_t>(e) << ")";
}
}  // namespace p9

namespace p9::fs::contract {

// A fresh, empty store and what removes it afterwards.
struct Store {
  std::unique_ptr<Backend> backend;
  std::function<void()> cleanup;  // may be empty
};

struct BackendFactory {
  std::string name;  // a gtest name: letters, digits, '_'
  std::function<Store()> make;
};

// gtest prints a parameter by its name (test lists, ctest names).
inline void PrintTo(const BackendFactory& f, std::ostream* os) { *os << f.name; }

// Every backend of this build (defined once per test program: backends.cc).
const std::vector<BackendFactory>& backends();

template <class T>
Errno E(const Result<T>& r) {
  return r.ok() ? Errno::OK : r.error();
}
// The errno's name, for failure messages.
template <class T>
std::string why(const Result<T>& r) {
  const char* n = r.ok() ? "OK" : errno_name(static_cast<std::uint32_t>(r.error()));
  return n ? n : "E?";
}

inline const Cred kRoot{0, 0, {}};
inline const Cred kAlice{1000, 1000, {}};
inline const Cred kBob{1001, 1001, {}};
inline const Cred kCarol{1002, 1002, {1000}};  // also in alice's group

inline constexpr std::uint32_t RD = access::RDONLY, WR = access::WRONLY, RW = access::RDWR;

inline LockRange lock_range(LockType t, std::uint64_t start, std::uint64_t len, std::uint32_t proc,
                            std::string client = "c") {
  LockRange r;
  r.type = t;
  r.start = start;
  r.length = len;
  r.proc_id = proc;
  r.client_id = std::move(client);
  return r;
}

inline const std::uint8_t* bytes(std::string_view s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

inline bool operator<(const Timespec& a, const Timespec& b) {
  return a.sec < b.sec || (a.sec == b.sec && a.nsec < b.nsec);
}

class Contract : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().make();
    ASSERT_NE(store_.backend, nullptr);
    be = store_.backend.get();
    auto r = be->root();
    ASSERT_TRUE(r.ok());
    root_ = *r;
  }
  void TearDown() override {
    if (be != nullptr) {
      EXPECT_EQ(be->check_invariants(), "");
    }
    root_.reset();
    store_.backend.reset();
    if (store_.cleanup) store_.cleanup();
  }

  Profile profile() const { return be->profile(); }
  // GTEST_SKIP() unless the profile has `what`: use as P9_NEEDS(ownership).
#define P9_NEEDS(what)                                               \
  if (!profile().what) {                                             \
    GTEST_SKIP() << "profile " << profile().name << " lacks " #what; \
  }

  // user.* xattrs work on this store (posix: the host file system may
  // refuse them, as tmpfs before Linux 6.6 does).
  bool user_xattrs_work() {
    if (!profile().xattrs) return false;
    if (!be->setxattr(kRoot, *root_, "user.p9probe", "1", XattrFlags::Any).ok()) return false;
    return be->removexattr(kRoot, *root_, "user.p9probe").ok();
  }
#define P9_NEEDS_USER_XATTRS                                             \
  if (!user_xattrs_work()) {                                             \
    GTEST_SKIP() << "user.* extended attributes are not supported here"; \
  }

  NodeRef root() { return root_; }
  Backend::Created make_file(const NodeRef& dir, std::string_view name, std::string_view data = "",
                             std::uint32_t mode = 0644, const Cred& c = kRoot) {
    auto r = be->create(c, *dir, name, RW, mode, c.gid);
    EXPECT_TRUE(r.ok()) << name << ": " << why(r);
    if (!r.ok()) return {};
    if (!data.empty()) {
      EXPECT_TRUE(r->file->write(0, bytes(data), data.size()).ok());
    }
    return std::move(*r);
  }
  NodeRef mkdir(const NodeRef& dir, std::string_view name, std::uint32_t mode = 0755, const Cred& c = kRoot) {
    auto r = be->mkdir(c, *dir, name, mode, c.gid);
    EXPECT_TRUE(r.ok()) << name << ": " << why(r);
    return r.ok() ? *r : nullptr;
  }
  NodeRef mkfile(const NodeRef& dir, std::string_view name, std::uint32_t mode = 0644,
                 const Cred& c = kRoot) {
    auto r = be->create(c, *dir, name, RW, mode, c.gid);
    EXPECT_TRUE(r.ok()) << name << ": " << why(r);
    return r.ok() ? r->node : nullptr;
  }
  NodeRef look(const NodeRef& dir, std::string_view name, const Cred& c = kRoot) {
    auto r = be->lookup(c, *dir, name);
    return r.ok() ? *r : nullptr;
  }
  Attr attr(const NodeRef& n) {
    auto r = be->getattr(*n);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : Attr{};
  }
  std::uint32_t perm(const NodeRef& n) { return attr(n).mode & 07777; }
  OpenRef open(const NodeRef& n, std::uint32_t flags, const Cred& c = kRoot) {
    auto r = be->open(c, *n, flags);
    EXPECT_TRUE(r.ok()) << why(r);
    return r.ok() ? std::move(*r) : nullptr;
  }
  void put(const NodeRef& n, std::uint64_t off, std::string_view data, const Cred& c = kRoot) {
    auto f = open(n, WR, c);
    ASSERT_TRUE(f);
    auto r = f->write(off, bytes(data), data.size());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, data.size());
  }
  std::string read_all(OpenFile& f, std::uint64_t off = 0) {
    std::string out;
    std::uint8_t buf[4096];
    for (;;) {
      auto r = f.read(off + out.size(), buf, sizeof buf);
      EXPECT_TRUE(r.ok());
      if (!r.ok() || *r == 0) return out;
      out.append(reinterpret_cast<char*>(buf), *r);
    }
  }
  std::string get(const NodeRef& n, std::uint64_t off = 0, std::size_t len = std::string::npos) {
    auto f = open(n, RD);
    return f ? read_all(*f, off).substr(0, len) : std::string();
  }
  // All entries of a directory, "." and ".." included, in listing order.
  std::vector<DirEntry> entries(const NodeRef& dir) {
    std::vector<DirEntry> out;
    auto f = open(dir, RD | oflag::DIRECTORY);
    if (!f) return out;
    EXPECT_TRUE(f->readdir(0, [&](const DirEntry& e) {
                   out.push_back(e);
                   return true;
                 }).ok());
    return out;
  }
  // getdents(2) from `cookie`: appends the names to `got` until `more`
  // returns false after an entry (that entry is kept) or the listing ends;
  // returns the cookie to go on from.
  std::uint64_t list_from(OpenFile& f, std::uint64_t cookie, std::vector<std::string>& got,
                          const std::function<bool(const DirEntry&)>& more = {}) {
    EXPECT_TRUE(f.readdir(cookie, [&](const DirEntry& e) {
                   got.push_back(e.name);
                   cookie = e.next_cookie;
                   return !more || more(e);
                 }).ok());
    return cookie;
  }
  // The entry of that name in a listing of dir (name empty if absent).
  DirEntry entry(const NodeRef& dir, std::string_view name) {
    for (auto& e : entries(dir))
      if (e.name == name) return e;
    ADD_FAILURE() << "no entry " << name;
    return {};
  }
  // The names, sorted (listing order is the backend's).
  std::vector<std::string> names(const NodeRef& dir) {
    std::vector<std::string> out;
    for (auto& e : entries(dir)) out.push_back(e.name);
    std::sort(out.begin(), out.end());
    return out;
  }
  Result<void> chmod(const NodeRef& n, std::uint32_t mode, const Cred& c = kRoot) {
    SetAttr a;
    a.mode = mode;
    return be->setattr(c, *n, a);
  }
  Result<void> chown(const NodeRef& n, std::optional<std::uint32_t> uid, std::optional<std::uint32_t> gid,
                     const Cred& c = kRoot) {
    SetAttr a;
    a.uid = uid;
    a.gid = gid;
    return be->setattr(c, *n, a);
  }
  Result<void> truncate(const NodeRef& n, std::uint64_t size, const Cred& c = kRoot) {
    SetAttr a;
    a.size = size;
    return be->setattr(c, *n, a);
  }
  // Sets atime and mtime to an old value, so a later change is visible
  // whatever the clock's resolution.
  void age(const NodeRef& n) {
    SetAttr a;
    a.atime.how = a.mtime.how = TimeSet::How::Value;
    a.atime.value = a.mtime.value = kOld;
    ASSERT_TRUE(be->setattr(kRoot, *n, a).ok());
  }
  // Waits longer than a coarse host clock's tick (Linux current_time() is
  // jiffy-grained), so the next ctime stamp differs from the last.
  static void tick() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }
  // A directory everyone may write in, for tests of ordinary users.
  NodeRef shared_dir(std::string_view name = "shared") {
    auto d = mkdir(root(), name, 0777);
    if (d) {
      EXPECT_TRUE(chmod(d, 0777).ok());  // whatever a umask did
    }
    return d;
  }

  static constexpr Timespec kOld{1000000000, 0};
  Backend* be = nullptr;

 private:
  Store store_;
  NodeRef root_;
};

inline std::string factory_name(const ::testing::TestParamInfo<BackendFactory>& info) {
  return info.param.name;
}

}  // namespace p9::fs::contract

// Runs the TEST_Ps of a fixture derived from Contract on every backend.
#define P9_CONTRACT_TOPIC(Fixture)                                                                \
  INSTANTIATE_TEST_SUITE_P(Backend, Fixture, ::testing::ValuesIn(::p9::fs::contract::backends()), \
                           ::p9::fs::contract::factory_name)
