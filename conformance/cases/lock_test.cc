// POSIX byte-range locks over 9P: Tlock (F_SETLK) and Tgetlock (F_GETLK).
// The lock owner is (client_id, proc_id), as the Linux client names it
// (fs/9p/vfs_file.c v9fs_file_do_lock: client_id = the node name, proc_id = fl_pid).
#include "conformance/cases/fixture.h"

namespace p9::conformance {
namespace {

struct Lock : Fixture {
  std::uint32_t a = 0, b = 0;  // two open fids of one file (two open file descriptions)
  void SetUp() override {
    Fixture::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;  // not run: nothing to set up
    a = create(dir(), "f", std::string(200, 'x'));
    b = open({"f"}, access::RDWR);
  }
  Result<msg::Rlock> lock(std::uint32_t fid, std::uint8_t type, std::uint64_t start, std::uint64_t length,
                          std::uint32_t proc, const std::string& owner) {
    return c().call<msg::Rlock>(msg::Tlock{fid, type, 0, start, length, proc, owner});
  }
  // The status of a Tlock as text ("SUCCESS", "BLOCKED", ... or the error).
  std::string status(std::uint32_t fid, std::uint8_t type, std::uint64_t start, std::uint64_t length,
                     std::uint32_t proc, const std::string& owner) {
    auto r = lock(fid, type, start, length, proc, owner);
    if (!r.ok()) {
      const char* n = errno_name(static_cast<std::uint32_t>(r.error()));
      return std::string("Rlerror ") + (n ? n : "?");
    }
    switch (r->status) {
      case lock_status::SUCCESS:
        return "SUCCESS";
      case lock_status::BLOCKED:
        return "BLOCKED";
      case lock_status::ERROR:
        return "ERROR";
      case lock_status::GRACE:
        return "GRACE";
    }
    return "status " + std::to_string(r->status);
  }
};

TEST_F(Lock, WriteLockIsGranted) {
  P9_RULE("a write lock on a file open for writing is granted",
          "fcntl(2) F_SETLK F_WRLCK; diod protocol.md lock");
  P9_REQUIRE(Locks);
  P9_EXPECT_EQ(status(a, lock_type::WRLCK, 0, 10, 1, "alpha"), std::string("SUCCESS"));
}

TEST_F(Lock, ReadLockIsGranted) {
  P9_RULE("a read lock on a file open for reading is granted", "fcntl(2) F_SETLK F_RDLCK");
  P9_REQUIRE(Locks);
  P9_EXPECT_EQ(status(a, lock_type::RDLCK, 0, 10, 1, "alpha"), std::string("SUCCESS"));
}

TEST_F(Lock, WriteConflictBetweenOwnersIsBlocked) {
  P9_RULE("a write lock over another owner's write lock is answered BLOCKED",
          "fcntl(2) F_SETLK: conflicting lock -> EAGAIN; 9P answers status BLOCKED (fs/9p/vfs_file.c)");
  P9_REQUIRE(Locks);
  P9_EXPECT_EQ(status(a, lock_type::WRLCK, 0, 10, 1, "alpha"), std::string("SUCCESS"));
  P9_EXPECT_EQ(status(b, lock_type::WRLCK, 5, 10, 2, "beta"), std::string("BLOCKED"));
}

TEST_F(Lock, ReadLocksShare) {
  P9_RULE("read locks of different owners on one range coexist",
          "fcntl(2): any number of processes may hold a read lock");
  P9_REQUIRE(Locks);
  P9_EXPECT_EQ(status(a, lock_type::RDLCK, 0, 10, 1, "alpha"), std::string("SUCCESS"));
  P9_EXPECT_EQ(status(b, lock_type::RDLCK, 0, 10, 2, "beta"), std::string("SUCCESS"));
}

TEST_F(Lock, WriteOverAnotherOwnersReadLockIsBlocked) {
  P9_RULE("a write lock over another owner's read lock is answered BLOCKED", "fcntl(2) F_SETLK");
  P9_REQUIRE(Locks);
  P9_EXPECT_EQ(status(a, lock_type::RDLCK, 0, 10, 1, "alpha"), std::string("SUCCESS"));
  P9_EXPECT_EQ(status(b, lock_type::WRLCK, 9, 1, 2, "beta"), std::string("BLOCKED"));
}

TEST_F(Lock, SameOwnerUpgradesItsLock) {
  P9_RULE("an owner's own read lock does not block its write lock: the lock is converted",
          "fcntl(2): 'a lock request by the same process replaces the existing lock'");
  P9_REQUIRE(Locks);
  P9_EXPECT_EQ(status(a, lock_type::RDLCK, 0, 10, 1, "alpha"), std::string("SUCCESS"));
  P9_EXPECT_EQ(status(a, lock_type::WRLCK, 0, 10, 1, "alpha"), std::string("SUCCESS"));
  P9_EXPECT_EQ(status(b, lock_type::RDLCK, 0, 1, 2, "beta"), std::string("BLOCKED"));
}

TEST_F(Lock, UnlockReleases) {
  P9_RULE("after F_UNLCK the range is free for another owner", "fcntl(2) F_UNLCK");
  P9_REQUIRE(Locks);
  P9_EXPECT_EQ(status(a, lock_type::WRLCK, 0, 10, 1, "alpha"), std::string("SUCCESS"));
  P9_EXPECT_EQ(status(a, lock_type::UNLCK, 0, 10, 1, "alpha"), std::string("SUCCESS"));
  P9_EXPECT_EQ(status(b, lock_type::WRLCK, 0, 10, 2, "beta"), std::string("SUCCESS"));
}

TEST_F(Lock, UnlockOfASubRangeSplitsTheLock) {
  P9_RULE("unlocking the middle of a lock frees only that part",
          "fcntl(2): locks are split and merged by range");
  P9_REQUIRE(Locks);
  P9_EXPECT_EQ(status(a, lock_type::WRLCK, 0, 100, 1, "alpha"), std::string("SUCCESS"));
  P9_EXPECT_EQ(status(a, lock_type::UNLCK, 10, 10, 1, "alpha"), std::string("SUCCESS"));
  P9_EXPECT_EQ(status(b, lock_type::WRLCK, 10, 10, 2, "beta"), std::string("SUCCESS"));
  P9_EXPECT_EQ(status(b, lock_type::WRLCK, 0, 10, 2, "beta"), std::string("BLOCKED"));
  P9_EXPECT_EQ(status(b, lock_type::WRLCK, 20, 5, 2, "beta"), std::string("BLOCKED"));
}

TEST_F(Lock, DisjointRangesDoNotConflict) {
  P9_RULE("write locks on disjoint ranges of one file are both granted", "fcntl(2)");
  P9_REQUIRE(Locks);
  P9_EXPECT_EQ(status(a, lock_type::WRLCK, 0, 10, 1, "alpha"), std::string("SUCCESS"));
  P9_EXPECT_EQ(status(b, lock_type::WRLCK, 10, 10, 2, "beta"), std::string("SUCCESS"));
}

TEST_F(Lock, LengthZeroReachesPastTheEnd) {
  P9_RULE("length 0 locks to the end of the file, however far it grows", "fcntl(2): l_len 0 means to EOF");
  P9_REQUIRE(Locks);
  P9_EXPECT_EQ(status(a, lock_type::WRLCK, 100, 0, 1, "alpha"), std::string("SUCCESS"));
  P9_EXPECT_EQ(status(b, lock_type::WRLCK, 1000000000, 1, 2, "beta"), std::string("BLOCKED"));
  P9_EXPECT_EQ(status(b, lock_type::WRLCK, 0, 100, 2, "beta"), std::string("SUCCESS"));
}

TEST_F(Lock, ClunkReleasesTheLocksOfTheFid) {
  P9_RULE("clunking the fid (close) releases the locks taken through it",
          "fcntl(2): locks are released on close");
  P9_REQUIRE(Locks);
  P9_EXPECT_EQ(status(a, lock_type::WRLCK, 0, 10, 1, "alpha"), std::string("SUCCESS"));
  clunk(a);
  P9_EXPECT_EQ(status(b, lock_type::WRLCK, 0, 10, 2, "beta"), std::string("SUCCESS"));
}

TEST_F(Lock, NotOpenFidIsEBADF) {
  P9_RULE("Tlock on a fid that is not open fails with EBADF",
          "fcntl(2) EBADF: fd is not an open file descriptor");
  P9_REQUIRE(Locks);
  std::uint32_t w = walk(dir(), {"f"});
  auto r = lock(w, lock_type::WRLCK, 0, 10, 1, "alpha");
  P9_EXPECT_ERRNO(r, BADF);
}

TEST_F(Lock, ReadLockOnWriteOnlyFidIsEBADF) {
  P9_RULE("a read lock through a fid open write-only fails with EBADF",
          "fcntl(2) EBADF: F_RDLCK and fd not open for reading");
  P9_REQUIRE(Locks);
  std::uint32_t w = open({"f"}, access::WRONLY);
  auto r = lock(w, lock_type::RDLCK, 0, 10, 1, "alpha");
  P9_EXPECT_ERRNO(r, BADF);
}

TEST_F(Lock, UnknownTypeIsEINVAL) {
  P9_RULE("a lock type other than RDLCK/WRLCK/UNLCK fails with EINVAL",
          "fcntl(2) EINVAL; Linux 9p.h P9_LOCK_TYPE_*");
  P9_REQUIRE(Locks);
  auto r = lock(a, 7, 0, 10, 1, "alpha");
  P9_EXPECT_ERRNO(r, INVAL);
}

struct Getlock : Lock {};

TEST_F(Getlock, ReturnsTheConflictingLock) {
  P9_RULE("Tgetlock over another owner's lock returns that lock: type, range and proc_id",
          "fcntl(2) F_GETLK; diod protocol.md getlock");
  P9_REQUIRE(Locks);
  P9_EXPECT_EQ(status(a, lock_type::WRLCK, 20, 30, 77, "alpha"), std::string("SUCCESS"));
  auto g = c().call<msg::Rgetlock>(msg::Tgetlock{b, lock_type::RDLCK, 0, 100, 2, "beta"});
  P9_EXPECT_OK(g);
  if (!g.ok()) return;
  // One line, so a difference is reported once: type (WRLCK = 1), range, proc_id.
  std::string got = "type=" + std::to_string(g->type) + " start=" + std::to_string(g->start) +
                    " length=" + std::to_string(g->length) + " proc_id=" + std::to_string(g->proc_id);
  P9_EXPECT_EQ(got, std::string("type=1 start=20 length=30 proc_id=77"));
}

TEST_F(Getlock, NoConflictAnswersUnlck) {
  P9_RULE("Tgetlock with no conflicting lock answers type UNLCK", "fcntl(2) F_GETLK: l_type set to F_UNLCK");
  P9_REQUIRE(Locks);
  P9_EXPECT_EQ(status(a, lock_type::RDLCK, 0, 10, 1, "alpha"), std::string("SUCCESS"));
  auto g = c().call<msg::Rgetlock>(msg::Tgetlock{b, lock_type::RDLCK, 0, 10, 2, "beta"});
  P9_EXPECT_OK(g);
  if (g.ok()) P9_EXPECT_EQ(static_cast<int>(g->type), static_cast<int>(lock_type::UNLCK));
}

TEST_F(Getlock, OwnLockIsNoConflict) {
  P9_RULE("an owner's own lock never conflicts with its Tgetlock",
          "fcntl(2) F_GETLK: only other processes' locks");
  P9_REQUIRE(Locks);
  P9_EXPECT_EQ(status(a, lock_type::WRLCK, 0, 10, 1, "alpha"), std::string("SUCCESS"));
  auto g = c().call<msg::Rgetlock>(msg::Tgetlock{a, lock_type::WRLCK, 0, 10, 1, "alpha"});
  P9_EXPECT_OK(g);
  if (g.ok()) P9_EXPECT_EQ(static_cast<int>(g->type), static_cast<int>(lock_type::UNLCK));
}

TEST_F(Getlock, NotOpenFidIsEBADF) {
  P9_RULE("Tgetlock on a fid that is not open fails with EBADF", "fcntl(2) EBADF");
  P9_REQUIRE(Locks);
  std::uint32_t w = walk(dir(), {"f"});
  auto g = c().call<msg::Rgetlock>(msg::Tgetlock{w, lock_type::WRLCK, 0, 10, 1, "alpha"});
  P9_EXPECT_ERRNO(g, BADF);
}

}  // namespace
}  // namespace p9::conformance
