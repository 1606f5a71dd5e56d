// TEMPORARY (deleted when the store lands): the data-file pool of
// opfs/store/files.h, defined here only so that the OPFS build links before
// opfs/store/files.cc exists. The store's own definition replaces it; nothing
// here is part of the design.
#include <algorithm>

#include "opfs/store/files.h"

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
    exists_.resize(s + 1);
    used_.resize(s + 1);
  }
  if (exists_[s]) return;
  exists_[s] = true;
  free_.push_back(s);
}

bool Files::claim(Slot s) {
  if (s >= exists_.size() || !exists_[s]) return false;
  if (!used_[s]) {
    used_[s] = true;
    free_.erase(std::find(free_.begin(), free_.end(), s));
  }
  return true;
}

std::vector<Slot> Files::data_slots() const {
  std::vector<Slot> out;
  for (Slot s = kFirstData; s < exists_.size(); ++s)
    if (exists_[s]) out.push_back(s);
  return out;
}

Result<Slot> Files::acquire() {
  if (free_.empty()) return Errno::NOSPC;
  Slot s = free_.back();
  free_.pop_back();
  used_[s] = true;
  return s;
}

Result<void> Files::release(Slot s) {
  P9_TRY(truncate(s, 0));
  used_[s] = false;
  free_.push_back(s);
  return {};
}

std::size_t Files::wanted() const { return free_.size() >= kPoolTarget ? 0 : kPoolTarget - free_.size(); }

Slot Files::next_slot() const { return std::max<Slot>(kFirstData, static_cast<Slot>(exists_.size())); }

}  // namespace p9::opfs
