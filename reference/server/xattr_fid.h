// The life cycle of a 9P extended-attribute fid, in one class.
//
// 9P2000.L reaches xattrs through fids (diod protocol.md xattrwalk,
// xattrcreate; Linux fs/9p/xattr.c):
//  - Txattrwalk makes a fid holding a whole value (or, for the name "", the
//    NUL-terminated list of names as listxattr(2) returns it), read by Tread;
//  - Txattrcreate turns a fid into one that receives a value of an announced
//    size through Twrite, in order; Tclunk applies it (setxattr(2), or
//    removexattr(2) for Linux's size-0 XATTR_REPLACE) and its error is the
//    Tclunk's (Linux fs/9p/xattr.c v9fs_xattr_set: the error surfaces at clunk).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "reference/fs/backend.h"

namespace p9::server {

class XattrFid {
 public:
  // Txattrwalk: the value (or name list) to read.
  static Result<XattrFid> for_read(fs::Backend& backend, const fs::Cred& cred, fs::Node& node,
                                   std::string_view name);
  // Txattrcreate: a value of `size` bytes to receive (checked: flags, size).
  static Result<XattrFid> for_write(std::string_view name, std::uint64_t size, std::uint32_t flags);

  bool writing() const { return writing_; }
  std::uint64_t size() const { return writing_ ? announced_ : value_.size(); }
  // Tread: the bytes at offset, at most count.
  std::string_view read(std::uint64_t offset, std::uint32_t count) const;
  // Twrite: bytes appended at `offset`, which must be where the value ends
  // (Linux writes it sequentially): EINVAL otherwise; ENOSPC past the size
  // announced. EBADF on a fid for reading.
  Result<std::uint32_t> write(std::uint64_t offset, std::string_view data);
  // Tclunk: applies a value being written (nothing for a fid for reading).
  Result<void> commit(fs::Backend& backend, const fs::Cred& cred, fs::Node& node) const;

 private:
  bool writing_ = false;
  std::string name_;
  std::string value_;
  std::uint64_t announced_ = 0;
  std::uint32_t flags_ = 0;
};

}  // namespace p9::server
