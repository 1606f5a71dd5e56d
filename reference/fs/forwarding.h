// A backend that passes every call to another one.
//
// The base for wrappers that change one behaviour of a real backend and keep
// the rest: a test that breaks one invariant on purpose (the certificate's
// "fresh backend after broken invariants", conformance/harness), a planted
// bug for `p9trace reduce` (traces/p9trace), a counter of calls. A wrapper
// overrides the methods it changes and calls Forwarding's for the rest; the
// nodes and open files are the inner backend's own, unchanged.
#pragma once

#include <memory>
#include <utility>

#include "reference/fs/backend.h"

namespace p9::fs {

class Forwarding : public Backend {
 public:
  explicit Forwarding(std::shared_ptr<Backend> inner) : inner_(std::move(inner)) {}

  Backend& inner() { return *inner_; }

  Profile profile() const override { return inner_->profile(); }
  Result<NodeRef> root() override { return inner_->root(); }
  Result<NodeRef> lookup(const Cred& cred, Node& dir, std::string_view name) override {
    return inner_->lookup(cred, dir, name);
  }
  Result<Attr> getattr(Node& node) override { return inner_->getattr(node); }
  Result<void> setattr(const Cred& cred, Node& node, const SetAttr& attr) override {
    return inner_->setattr(cred, node, attr);
  }
  Result<OpenRef> open(const Cred& cred, Node& node, std::uint32_t flags) override {
    return inner_->open(cred, node, flags);
  }
  Result<Created> create(const Cred& cred, Node& dir, std::string_view name, std::uint32_t flags,
                         std::uint32_t mode, std::uint32_t gid) override {
    return inner_->create(cred, dir, name, flags, mode, gid);
  }
  Result<NodeRef> mkdir(const Cred& cred, Node& dir, std::string_view name, std::uint32_t mode,
                        std::uint32_t gid) override {
    return inner_->mkdir(cred, dir, name, mode, gid);
  }
  Result<NodeRef> symlink(const Cred& cred, Node& dir, std::string_view name, std::string_view target,
                          std::uint32_t gid) override {
    return inner_->symlink(cred, dir, name, target, gid);
  }
  Result<NodeRef> mknod(const Cred& cred, Node& dir, std::string_view name, std::uint32_t mode,
                        std::uint64_t rdev, std::uint32_t gid) override {
    return inner_->mknod(cred, dir, name, mode, rdev, gid);
  }
  Result<void> link(const Cred& cred, Node& target, Node& dir, std::string_view name) override {
    return inner_->link(cred, target, dir, name);
  }
  Result<void> rename(const Cred& cred, Node& old_dir, std::string_view old_name, Node& new_dir,
                      std::string_view new_name) override {
    return inner_->rename(cred, old_dir, old_name, new_dir, new_name);
  }
  Result<void> unlink(const Cred& cred, Node& dir, std::string_view name, bool rmdir) override {
    return inner_->unlink(cred, dir, name, rmdir);
  }
  Result<std::string> readlink(Node& node) override { return inner_->readlink(node); }
  Result<StatFs> statfs(Node& node) override { return inner_->statfs(node); }
  Result<std::string> getxattr(const Cred& cred, Node& node, std::string_view name) override {
    return inner_->getxattr(cred, node, name);
  }
  Result<std::vector<std::string>> listxattr(const Cred& cred, Node& node) override {
    return inner_->listxattr(cred, node);
  }
  Result<void> setxattr(const Cred& cred, Node& node, std::string_view name, std::string_view value,
                        XattrFlags flags) override {
    return inner_->setxattr(cred, node, name, value, flags);
  }
  Result<void> removexattr(const Cred& cred, Node& node, std::string_view name) override {
    return inner_->removexattr(cred, node, name);
  }
  bool same(Node& a, Node& b) override { return inner_->same(a, b); }
  std::string check_invariants() override { return inner_->check_invariants(); }

 private:
  std::shared_ptr<Backend> inner_;
};

}  // namespace p9::fs
