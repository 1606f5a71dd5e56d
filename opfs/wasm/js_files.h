// Files (opfs/store/files.h) over the real OPFS: each slot is a
// FileSystemSyncAccessHandle in the worker's table, reached through the
// synchronous p9o_js_* imports of api.h (opfs/wasm/library.js).
#pragma once

#include "opfs/store/files.h"

namespace p9::opfs {

class JsFiles final : public Files {
 public:
  Result<std::size_t> read(Slot s, std::uint64_t off, std::uint8_t* out, std::size_t len) override;
  Result<void> write(Slot s, std::uint64_t off, const std::uint8_t* data, std::size_t len) override;
  Result<void> truncate(Slot s, std::uint64_t size) override;
  Result<std::uint64_t> size(Slot s) override;
  Result<void> flush(Slot s) override;

  // Direct reads (api.h, p9o_handle_direct): while on, the first read() only
  // records what it would read and where, and claims all of it; the worker
  // then reads those bytes itself, straight into the reply it sends.
  struct Deferred {
    bool set = false;
    Slot slot = 0;
    std::uint64_t off = 0;
    std::size_t len = 0;
    std::uint8_t* out = nullptr;
  };
  void defer_reads(bool on) {
    defer_ = on;
    deferred_ = {};
  }
  const Deferred& deferred() const { return deferred_; }

 private:
  bool defer_ = false;
  Deferred deferred_;
};

}  // namespace p9::opfs
