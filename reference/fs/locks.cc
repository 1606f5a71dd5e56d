// POSIX record locks. See locks.h for the rules and their Linux sources.
#include "reference/fs/locks.h"

#include <algorithm>
#include <sstream>

#include "reference/fs/findings.h"

namespace p9::fs {

namespace {

constexpr std::uint64_t kMax = kLockOffsetMax;

// Linux posix_locks_conflict(): different owners, overlapping ranges, and at
// least one write lock.
bool conflicts(const FileLocks::Lock& a, const LockOwner& owner, LockType type, std::uint64_t start,
               std::uint64_t end) {
  return !(a.owner == owner) && a.start <= end && start <= a.end &&
         (a.type == LockType::Write || type == LockType::Write);
}

LockRange to_range(const FileLocks::Lock& l) {
  LockRange r;
  r.type = l.type;
  r.start = l.start;
  r.length = l.end == kMax ? 0 : l.end - l.start + 1;
  r.proc_id = l.owner.proc_id;
  r.client_id = l.owner.client_id;
  return r;
}

}  // namespace

// Linux flock64_to_posix_lock() for l_whence SEEK_SET.
Errno FileLocks::span(const LockRange& r, std::uint64_t& start, std::uint64_t& end) {
  if (r.start > kMax) return Errno::INVAL;
  start = r.start;
  if (r.length == 0) {
    end = kMax;
  } else {
    if (r.length - 1 > kMax - r.start) return Errno::OVERFLOW;
    end = r.start + r.length - 1;
  }
  return Errno::OK;
}

Result<LockResult> FileLocks::set(const LockRange& r, bool readable, bool writable) {
  Lock req;
  if (Errno e = span(r, req.start, req.end); e != Errno::OK) return e;
  // Linux check_fmode_for_setlk(): fcntl(2) EBADF.
  if (r.type == LockType::Read && !readable) return Errno::BADF;
  if (r.type == LockType::Write && !writable) return Errno::BADF;
  req.owner = LockOwner{r.client_id, r.proc_id};
  req.type = r.type;
  if (r.type != LockType::Unlock) {
    for (const auto& l : locks_)
      if (conflicts(l, req.owner, req.type, req.start, req.end))
        return LockResult::WouldBlock;  // F_SETLK: EAGAIN
  }
  // Linux posix_lock_inode(): replace, split, merge the owner's locks.
  std::vector<Lock> out;
  out.reserve(locks_.size() + 2);
  for (auto& l : locks_) {
    if (!(l.owner == req.owner)) {
      out.push_back(std::move(l));
      continue;
    }
    bool overlaps = l.start <= req.end && req.start <= l.end;
    bool adjacent = (l.end != kMax && l.end + 1 == req.start) || (req.end != kMax && req.end + 1 == l.start);
    if (req.type != LockType::Unlock && l.type == req.type && (overlaps || adjacent)) {
      req.start = std::min(req.start, l.start);  // merge
      req.end = std::max(req.end, l.end);
      continue;
    }
    if (!overlaps) {
      out.push_back(std::move(l));
      continue;
    }
    if (l.start < req.start) {  // the part before the request survives
      Lock left = l;
      left.end = req.start - 1;
      out.push_back(std::move(left));
    }
    if (l.end > req.end) {  // and the part after it
      Lock right = l;
      right.start = req.end + 1;
      out.push_back(std::move(right));
    }
  }
  if (req.type != LockType::Unlock) out.push_back(std::move(req));
  std::sort(out.begin(), out.end(), [](const Lock& a, const Lock& b) {
    if (a.start != b.start) return a.start < b.start;
    return a.owner < b.owner;
  });
  locks_ = std::move(out);
  return LockResult::Granted;
}

Result<LockRange> FileLocks::test(const LockRange& r) const {
  // Linux fcntl_getlk(): the type is checked before the range.
  if (r.type != LockType::Read && r.type != LockType::Write) return Errno::INVAL;
  std::uint64_t start = 0, end = 0;
  if (Errno e = span(r, start, end); e != Errno::OK) return e;
  LockOwner me{r.client_id, r.proc_id};
  for (const auto& l : locks_)  // sorted: the first conflict has the lowest start
    if (conflicts(l, me, r.type, start, end)) return to_range(l);
  LockRange none = r;
  none.type = LockType::Unlock;
  return none;
}

void FileLocks::release(const LockOwners& owners) {
  if (owners.empty()) return;
  locks_.erase(
      std::remove_if(locks_.begin(), locks_.end(), [&](const Lock& l) { return owners.count(l.owner) != 0; }),
      locks_.end());
}

std::string FileLocks::check() const {
  Findings out;
  for (std::size_t i = 0; i < locks_.size(); ++i) {
    const Lock& a = locks_[i];
    if (a.start > a.end || a.end > kMax || a.type == LockType::Unlock) out << "bad lock; ";
    if (i > 0 && locks_[i - 1].start > a.start) out << "locks not sorted; ";
    for (std::size_t j = i + 1; j < locks_.size(); ++j) {
      const Lock& b = locks_[j];
      if (a.owner == b.owner && a.start <= b.end && b.start <= a.end)
        out << "overlapping locks of one owner; ";
      if (conflicts(a, b.owner, b.type, b.start, b.end)) out << "conflicting locks held; ";
    }
  }
  return out.str();
}

Result<LockResult> LockTable::set(const Key& key, const LockRange& r, bool readable, bool writable) {
  std::lock_guard<std::mutex> g(mu_);
  auto& file = files_[key];
  auto res = file.set(r, readable, writable);
  if (file.empty()) files_.erase(key);
  return res;
}

Result<LockRange> LockTable::test(const Key& key, const LockRange& r) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = files_.find(key);
  if (it == files_.end()) return FileLocks().test(r);
  return it->second.test(r);
}

void LockTable::release(const Key& key, const LockOwners& owners) {
  if (owners.empty()) return;
  std::lock_guard<std::mutex> g(mu_);
  auto it = files_.find(key);
  if (it == files_.end()) return;
  it->second.release(owners);
  if (it->second.empty()) files_.erase(it);
}

}  // namespace p9::fs
