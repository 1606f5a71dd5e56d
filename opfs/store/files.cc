#include "opfs/store/files.h"

#include <algorithm>

namespace p9::opfs {

std::string slot_name(Slot s) {
  switch (s) {
    case kJournal:
      return "journal";
    case kCheckpoint0:
      return "checkpoint.0";
    case kCheckpoint1:
      return "checkpoint.1";
    default:
      return "d" + std::to_string(s);
  }
}

void Files::add(Slot s) {
  if (s < kFirstData) return;
  if (exists_.size() <= s) {
    exists_.resize(s + 1, false);
    used_.resize(s + 1, false);
  }
  if (exists_[s]) return;
  exists_[s] = true;
  free_.push_back(s);
}

bool Files::claim(Slot s) {
  if (s >= exists_.size() || !exists_[s] || used_[s]) return false;
  used_[s] = true;
  free_.erase(std::find(free_.begin(), free_.end(), s));
  return true;
}

std::vector<Slot> Files::data_slots() const {
  std::vector<Slot> out;
  for (Slot s = kFirstData; s < exists_.size(); ++s)
    if (exists_[s]) out.push_back(s);
  return out;
}

Result<Slot> Files::acquire() {
  if (free_.empty()) {
    // Implementations that can make a file synchronously do it here; the
    // browser's host tops the pool up between requests instead.
    Slot s = next_slot();
    if (!create_now(s)) return Errno::NOSPC;
    add(s);
  }
  Slot s = free_.back();
  free_.pop_back();
  used_[s] = true;
  return s;
}

Result<void> Files::release(Slot s) {
  if (s >= exists_.size() || !used_[s]) return Errno::INVAL;
  used_[s] = false;
  exists_[s] = false;  // exists_ keeps its size: next_slot() never returns s again
  if (!remove_now(s)) retired_.push_back(s);
  return {};
}

std::int64_t Files::take_retired() {
  if (retired_.empty()) return -1;
  Slot s = retired_.back();
  retired_.pop_back();
  return s;
}

std::size_t Files::wanted() const { return free_.size() >= pool_target_ ? 0 : pool_target_ - free_.size(); }

Slot Files::next_slot() const { return std::max<Slot>(kFirstData, static_cast<Slot>(exists_.size())); }

}  // namespace p9::opfs
