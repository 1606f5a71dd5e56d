// Files outside the browser, so that the same store runs natively:
//  - DirFiles: one host file per slot in a directory (as the OPFS directory
//    holds them), for p9ref's `opfs-dir:DIR` backend and persistence tests;
//  - MemFiles: files in memory that remember what was flushed, to simulate a
//    crash at any point (crash()) and a full origin (a byte quota).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "opfs/store/files.h"

namespace p9::opfs {

class DirFiles final : public Files {
 public:
  // Opens (creating it and the store's fixed files when absent) the store in dir.
  static std::shared_ptr<DirFiles> open(const std::string& dir, std::string* error);
  ~DirFiles() override;
  Result<std::size_t> read(Slot s, std::uint64_t off, std::uint8_t* out, std::size_t len) override;
  Result<void> write(Slot s, std::uint64_t off, const std::uint8_t* data, std::size_t len) override;
  Result<void> truncate(Slot s, std::uint64_t size) override;
  Result<std::uint64_t> size(Slot s) override;
  Result<void> flush(Slot s) override;

 protected:
  bool create_now(Slot s) override;
  bool remove_now(Slot s) override;

 private:
  explicit DirFiles(std::string dir) : dir_(std::move(dir)) {}
  int fd(Slot s) const;
  bool open_slot(Slot s);
  std::string dir_;
  std::map<Slot, int> fds_;
};

class MemFiles final : public Files {
 public:
  MemFiles();
  Result<std::size_t> read(Slot s, std::uint64_t off, std::uint8_t* out, std::size_t len) override;
  Result<void> write(Slot s, std::uint64_t off, const std::uint8_t* data, std::size_t len) override;
  Result<void> truncate(Slot s, std::uint64_t size) override;
  Result<std::uint64_t> size(Slot s) override;
  Result<void> flush(Slot s) override;

  // The total size of all files may not pass `bytes` (ENOSPC), as an
  // origin's quota; nullopt: no limit.
  void set_quota(std::optional<std::uint64_t> bytes) { quota_ = bytes; }
  std::uint64_t total_size() const;
  // The files as a crash leaves them: each file has what was flushed plus,
  // chosen by rng, a prefix of the changes made since (the last one maybe
  // torn). rng == nullptr: every change (a killed process, whose writes the
  // host's page cache keeps).
  std::shared_ptr<MemFiles> crash(std::mt19937_64* rng) const;
  // Test hooks: the bytes of a slot as they are now, and replacing them.
  std::vector<std::uint8_t> bytes(Slot s) const;
  void set_bytes(Slot s, const std::vector<std::uint8_t>& b);
  bool exists(Slot s) const { return files_.count(s) != 0; }

 protected:
  bool create_now(Slot s) override;
  bool remove_now(Slot s) override;

 private:
  struct Change {
    bool truncate = false;
    std::uint64_t off = 0;  // write offset, or the new size
    std::vector<std::uint8_t> data;
  };
  // Sparse bytes: pages that were never written read as zeros, so a file
  // with a hole at 4 GiB costs what it holds.
  struct Bytes {
    static constexpr std::size_t kPage = 64 * 1024;
    std::uint64_t size = 0;
    std::map<std::uint64_t, std::vector<std::uint8_t>> pages;
    void write(std::uint64_t off, const std::uint8_t* p, std::size_t n);
    std::size_t read(std::uint64_t off, std::uint8_t* out, std::size_t n) const;
    void resize(std::uint64_t size);
  };
  struct File {
    Bytes now, durable;
    std::vector<Change> since_flush;
  };
  bool fits(Slot s, std::uint64_t new_size) const;
  std::map<Slot, File> files_;
  std::map<Slot, File> removed_;  // remove_now()'d, may be back after crash(rng)
  std::optional<std::uint64_t> quota_;
};

}  // namespace p9::opfs
