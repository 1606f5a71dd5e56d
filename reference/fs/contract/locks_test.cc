// Contract: POSIX record locks (fcntl(2) F_SETLK/F_GETLK; reference/fs/locks.h).
#include "reference/fs/contract/contract.h"

namespace p9::fs::contract {
namespace {

class Locks : public Contract {};
P9_CONTRACT_TOPIC(Locks);

TEST_P(Locks, LocksConflictAcrossOwners) {
  P9_NEEDS(locks);
  auto n = mkfile(root(), "f");
  auto f = open(n, RW);
  auto g = open(n, RW);
  EXPECT_EQ(f->lock(lock_range(LockType::Read, 0, 100, 1)).value(), LockResult::Granted);
  EXPECT_EQ(g->lock(lock_range(LockType::Read, 50, 100, 2)).value(), LockResult::Granted);  // read + read
  EXPECT_EQ(g->lock(lock_range(LockType::Write, 50, 10, 2)).value(), LockResult::WouldBlock);
  EXPECT_EQ(g->lock(lock_range(LockType::Write, 100, 10, 2)).value(), LockResult::Granted);  // after 0..99
  EXPECT_EQ(g->lock(lock_range(LockType::Write, 0, 10, 2, "other-host")).value(), LockResult::WouldBlock);
  EXPECT_EQ(f->lock(lock_range(LockType::Write, 0, 50, 1)).value(), LockResult::Granted);  // own upgrade
}

TEST_P(Locks, GetlockReportsConflictOrUnlock) {
  P9_NEEDS(locks);
  auto n = mkfile(root(), "f");
  auto f = open(n, RW);
  ASSERT_EQ(f->lock(lock_range(LockType::Write, 10, 10, 7)).value(), LockResult::Granted);
  LockRange got = f->getlock(lock_range(LockType::Read, 0, 0, 8)).value();
  EXPECT_EQ(got.type, LockType::Write);
  EXPECT_EQ(got.start, 10u);
  EXPECT_EQ(got.length, 10u);
  EXPECT_EQ(got.proc_id, 7u);
  EXPECT_EQ(got.client_id, "c");
  LockRange none = f->getlock(lock_range(LockType::Write, 20, 5, 8)).value();
  EXPECT_EQ(none.type, LockType::Unlock);
  EXPECT_EQ(none.start, 20u);
  EXPECT_EQ(f->getlock(lock_range(LockType::Write, 10, 1, 7)).value().type, LockType::Unlock);  // own lock
  EXPECT_EQ(E(f->getlock(lock_range(LockType::Unlock, 0, 0, 8))), Errno::INVAL);
}

TEST_P(Locks, UnlockOfSubRangeSplitsLock) {
  P9_NEEDS(locks);
  auto n = mkfile(root(), "f");
  auto f = open(n, RW);
  ASSERT_EQ(f->lock(lock_range(LockType::Write, 0, 100, 1)).value(), LockResult::Granted);
  ASSERT_EQ(f->lock(lock_range(LockType::Unlock, 40, 20, 1)).value(), LockResult::Granted);
  EXPECT_EQ(f->getlock(lock_range(LockType::Write, 45, 10, 2)).value().type, LockType::Unlock);
  LockRange left = f->getlock(lock_range(LockType::Write, 0, 50, 2)).value();
  EXPECT_EQ(left.start, 0u);
  EXPECT_EQ(left.length, 40u);
  LockRange right = f->getlock(lock_range(LockType::Write, 50, 0, 2)).value();
  EXPECT_EQ(right.start, 60u);
  EXPECT_EQ(right.length, 40u);
}

TEST_P(Locks, AdjacentLocksMerge) {
  P9_NEEDS(locks);
  auto n = mkfile(root(), "f");
  auto f = open(n, RW);
  ASSERT_EQ(f->lock(lock_range(LockType::Read, 0, 10, 1)).value(), LockResult::Granted);
  ASSERT_EQ(f->lock(lock_range(LockType::Read, 20, 10, 1)).value(), LockResult::Granted);
  ASSERT_EQ(f->lock(lock_range(LockType::Read, 10, 10, 1)).value(), LockResult::Granted);
  LockRange got = f->getlock(lock_range(LockType::Write, 0, 0, 2)).value();
  EXPECT_EQ(got.start, 0u);
  EXPECT_EQ(got.length, 30u);
}

TEST_P(Locks, TypeChangeInMiddleSplitsLock) {
  P9_NEEDS(locks);
  auto n = mkfile(root(), "f");
  auto f = open(n, RW);
  ASSERT_EQ(f->lock(lock_range(LockType::Write, 0, 100, 1)).value(), LockResult::Granted);
  ASSERT_EQ(f->lock(lock_range(LockType::Read, 20, 10, 1)).value(), LockResult::Granted);
  EXPECT_EQ(f->lock(lock_range(LockType::Read, 20, 10, 2)).value(), LockResult::Granted);
  EXPECT_EQ(f->lock(lock_range(LockType::Read, 10, 5, 2)).value(), LockResult::WouldBlock);
  EXPECT_EQ(f->lock(lock_range(LockType::Read, 30, 5, 2)).value(), LockResult::WouldBlock);
}

TEST_P(Locks, LockToEndOfFile) {
  P9_NEEDS(locks);
  auto n = mkfile(root(), "f");
  auto f = open(n, RW);
  ASSERT_EQ(f->lock(lock_range(LockType::Write, 100, 0, 1)).value(), LockResult::Granted);
  EXPECT_EQ(f->lock(lock_range(LockType::Write, 1ULL << 50, 1, 2)).value(), LockResult::WouldBlock);
  EXPECT_EQ(f->getlock(lock_range(LockType::Read, 5000, 1, 2)).value().length, 0u);
}

TEST_P(Locks, LockRangeErrors) {
  P9_NEEDS(locks);
  auto f = open(mkfile(root(), "f"), RW);
  EXPECT_EQ(E(f->lock(lock_range(LockType::Write, FILE_SIZE_MAX + 1, 1, 1))), Errno::INVAL);
  EXPECT_EQ(E(f->lock(lock_range(LockType::Write, FILE_SIZE_MAX, 2, 1))), Errno::OVERFLOW);
}

TEST_P(Locks, LockNeedsMatchingOpenMode) {
  P9_NEEDS(locks);
  auto n = mkfile(root(), "f");
  EXPECT_EQ(E(open(n, RD)->lock(lock_range(LockType::Write, 0, 1, 1))), Errno::BADF);
  EXPECT_EQ(E(open(n, WR)->lock(lock_range(LockType::Read, 0, 1, 1))), Errno::BADF);
  EXPECT_EQ(open(n, WR)->lock(lock_range(LockType::Unlock, 0, 1, 1)).value(), LockResult::Granted);
}

TEST_P(Locks, LocksReleasedWhenOpenFileCloses) {
  P9_NEEDS(locks);
  auto n = mkfile(root(), "f");
  auto other = open(n, RW);
  {
    auto f = open(n, RW);
    ASSERT_EQ(f->lock(lock_range(LockType::Write, 0, 0, 1)).value(), LockResult::Granted);
    EXPECT_EQ(other->lock(lock_range(LockType::Write, 0, 1, 2)).value(), LockResult::WouldBlock);
  }
  EXPECT_EQ(other->lock(lock_range(LockType::Write, 0, 1, 2)).value(), LockResult::Granted);
  {
    auto g = open(n, RW);  // closing a file the owner never locked through keeps its locks
  }
  EXPECT_EQ(other->getlock(lock_range(LockType::Write, 0, 1, 3)).value().proc_id, 2u);
}

TEST_P(Locks, LocksConflictBetweenOwnersOnly) {
  auto c = make_file(root(), "f", "data");
  auto o2 = be->open(kRoot, *c.node, access::RDWR).value();
  auto& a = *c.file;
  auto& b = *o2;
  using fs::LockResult;
  using fs::LockType;
  EXPECT_EQ(*a.lock(lock_range(LockType::Write, 0, 10, 1)), LockResult::Granted);
  EXPECT_EQ(*b.lock(lock_range(LockType::Read, 5, 1, 2)), LockResult::WouldBlock);
  EXPECT_EQ(*b.lock(lock_range(LockType::Read, 5, 1, 1, "other-host")), LockResult::WouldBlock);
  EXPECT_EQ(*b.lock(lock_range(LockType::Write, 10, 0, 2)), LockResult::Granted);  // [10, EOF)
  // The same owner through another OpenFile: no conflict, it converts.
  EXPECT_EQ(*b.lock(lock_range(LockType::Read, 0, 5, 1)), LockResult::Granted);
  auto g = a.getlock(lock_range(LockType::Read, 0, 0, 3));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->type, LockType::Write);  // [5,10) of owner 1 is still a write lock
  EXPECT_EQ(g->start, 5u);
  EXPECT_EQ(g->length, 5u);
  EXPECT_EQ(g->proc_id, 1u);
  EXPECT_EQ(g->client_id, "c");
  auto g2 = a.getlock(lock_range(LockType::Read, 20, 5, 3));
  EXPECT_EQ(g2->type, LockType::Write);
  EXPECT_EQ(g2->start, 10u);
  EXPECT_EQ(g2->length, 0u);  // to end of file
  EXPECT_EQ(g2->proc_id, 2u);
  auto none = a.getlock(lock_range(LockType::Read, 0, 5, 3));  // owner 1 holds a read lock there
  EXPECT_EQ(none->type, LockType::Unlock);
  EXPECT_EQ(none->start, 0u);
  EXPECT_EQ(none->length, 5u);
  // Own locks are never reported.
  EXPECT_EQ(a.getlock(lock_range(LockType::Write, 5, 5, 1))->type, LockType::Unlock);
  EXPECT_EQ(a.getlock(lock_range(LockType::Unlock, 0, 0, 1)).error(), Errno::INVAL);
}

TEST_P(Locks, LockSplitMergeAndUnlock) {
  auto c = make_file(root(), "f");
  auto& f = *c.file;
  using fs::LockResult;
  using fs::LockType;
  ASSERT_EQ(*f.lock(lock_range(LockType::Write, 0, 100, 1)), LockResult::Granted);
  ASSERT_EQ(*f.lock(lock_range(LockType::Unlock, 40, 20, 1)), LockResult::Granted);  // hole [40,60)
  EXPECT_EQ(*f.lock(lock_range(LockType::Write, 40, 20, 2)), LockResult::Granted);
  EXPECT_EQ(*f.lock(lock_range(LockType::Write, 39, 2, 3)), LockResult::WouldBlock);
  ASSERT_EQ(*f.lock(lock_range(LockType::Unlock, 0, 0, 2)), LockResult::Granted);
  // Re-lock the hole as owner 1: merges back to one [0,100) lock.
  ASSERT_EQ(*f.lock(lock_range(LockType::Write, 40, 20, 1)), LockResult::Granted);
  auto g = f.getlock(lock_range(LockType::Read, 0, 0, 9));
  EXPECT_EQ(g->start, 0u);
  EXPECT_EQ(g->length, 100u);
  // Downgrade the middle to read: another owner may read-lock there.
  ASSERT_EQ(*f.lock(lock_range(LockType::Read, 10, 10, 1)), LockResult::Granted);
  EXPECT_EQ(*f.lock(lock_range(LockType::Read, 12, 2, 4)), LockResult::Granted);
  EXPECT_EQ(*f.lock(lock_range(LockType::Read, 9, 2, 4)), LockResult::WouldBlock);
  // Range checks of fcntl.
  EXPECT_EQ(f.lock(lock_range(LockType::Write, std::uint64_t(1) << 63, 1, 1)).error(), Errno::INVAL);
  EXPECT_EQ(f.lock(lock_range(LockType::Write, 10, ~std::uint64_t(0), 1)).error(), Errno::OVERFLOW);
}

TEST_P(Locks, LocksNeedTheRightOpenModeAndDieWithTheFile) {
  auto c = make_file(root(), "f");
  using fs::LockResult;
  using fs::LockType;
  auto ro = be->open(kRoot, *c.node, access::RDONLY).value();
  auto wo = be->open(kRoot, *c.node, access::WRONLY).value();
  EXPECT_EQ(ro->lock(lock_range(LockType::Write, 0, 1, 1)).error(), Errno::BADF);
  EXPECT_EQ(wo->lock(lock_range(LockType::Read, 0, 1, 1)).error(), Errno::BADF);
  EXPECT_EQ(*ro->lock(lock_range(LockType::Read, 0, 1, 1)), LockResult::Granted);
  EXPECT_EQ(*wo->lock(lock_range(LockType::Write, 5, 1, 2)), LockResult::Granted);
  // Another node object for the same file sees the same locks.
  auto again = look(root(), "f");
  auto other = be->open(kRoot, *again, access::RDWR).value();
  EXPECT_EQ(*other->lock(lock_range(LockType::Write, 0, 0, 3)), LockResult::WouldBlock);
  ro.reset();  // close: owner 1's locks go
  wo.reset();  // owner 2's too
  EXPECT_EQ(*other->lock(lock_range(LockType::Write, 0, 0, 3)), LockResult::Granted);
}

}  // namespace
}  // namespace p9::fs::contract
