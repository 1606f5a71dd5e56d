// The OPFS store: the model (reference/model/model.h, every file-system rule)
// given a model::Store that keeps its metadata in a journal with checkpoints
// and each regular file's bytes in a data slot of `Files` (files.h). The
// layout, the durability contract and the recovery are in opfs/README.md.
#pragma once

#include <memory>
#include <string>

#include "opfs/store/files.h"
#include "reference/model/model.h"

namespace p9::opfs {

struct OpenReport {
  std::string summary;  // one line: what was recovered (records replayed, files, repairs)
  std::string fsck;     // empty, or what the consistency check found and repaired
};

// Opens the store kept in `files`, creating an empty one (a root directory
// owned by 0:0, mode 0755) when there is none: loads the newest valid
// checkpoint, replays the journal up to its last complete record, checks
// the tree (fsck) and reclaims what no name or open file holds any more.
// Every data slot must have been add()ed first. Null on failure, with the
// reason in *error (a damaged checkpoint and journal, an I/O error).
std::unique_ptr<model::Model> open_store(std::shared_ptr<Files> files, model::Model::Clock clock,
                                         OpenReport* report, std::string* error);

}  // namespace p9::opfs
