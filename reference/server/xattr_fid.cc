#include "reference/server/xattr_fid.h"

#include "reference/fs/names.h"
#include "reference/fs/rules.h"

namespace p9::server {

Result<XattrFid> XattrFid::for_read(fs::Backend& backend, const fs::Cred& cred, fs::Node& node,
                                    std::string_view name) {
  if (Errno e = fs::check_name(name, fs::NameUse::Xattr); e != Errno::OK) return e;
  XattrFid x;
  x.name_ = std::string(name);
  if (name.empty()) {
    auto names = backend.listxattr(cred, node);
    P9_TRY(names);
    for (const auto& n : *names) {
      x.value_ += n;
      x.value_ += '\0';
    }
  } else {
    auto v = backend.getxattr(cred, node, name);
    P9_TRY(v);
    x.value_ = std::move(*v);
  }
  return x;
}

Result<XattrFid> XattrFid::for_write(std::string_view name, std::uint64_t size, std::uint32_t flags) {
  if (Errno e = fs::check_name(name, fs::NameUse::Xattr); e != Errno::OK) return e;
  if (name.empty()) return Errno::INVAL;
  if (Errno e = fs::check_xattr_flags(flags); e != Errno::OK) return e;
  // A larger value than XATTR_SIZE_MAX is refused at once (QEMU hw/9pfs
  // v9fs_xattrcreate does the same); it also bounds what a peer's claim makes
  // us hold in memory until the clunk.
  if (Errno e = fs::check_xattr_value_size(size); e != Errno::OK) return e;
  XattrFid x;
  x.writing_ = true;
  x.name_ = std::string(name);
  x.announced_ = size;
  x.flags_ = flags;
  return x;
}

std::string_view XattrFid::read(std::uint64_t offset, std::uint32_t count) const {
  if (offset >= value_.size()) return {};
  return std::string_view(value_).substr(offset, count);
}

Result<std::uint32_t> XattrFid::write(std::uint64_t offset, std::string_view data) {
  if (!writing_) return Errno::BADF;
  if (offset != value_.size()) return Errno::INVAL;
  if (value_.size() + data.size() > announced_) return Errno::NOSPC;
  value_ += data;
  return static_cast<std::uint32_t>(data.size());
}

Result<void> XattrFid::commit(fs::Backend& backend, const fs::Cred& cred, fs::Node& node) const {
  if (!writing_) return {};
  if (value_.size() != announced_) return Errno::INVAL;  // fewer bytes than announced
  // Linux removexattr() sends Txattrcreate with size 0 and XATTR_REPLACE
  // (fs/9p/xattr.c v9fs_xattr_set with value NULL); an empty value set with
  // XATTR_CREATE or no flag stays a set of an empty value.
  if (announced_ == 0 && flags_ == xattr_flag::REPLACE) return backend.removexattr(cred, node, name_);
  return backend.setxattr(cred, node, name_, value_, static_cast<fs::XattrFlags>(flags_));
}

}  // namespace p9::server
