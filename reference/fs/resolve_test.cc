// fs::Resolver over the model: path_resolution(7) rules, symlink limits, and
// the two ways of keeping a walk inside its root.
#include "reference/fs/resolve.h"

#include <gtest/gtest.h>

#include <string>

#include "reference/model/model.h"

namespace p9::fs {
namespace {

const Cred kRoot{0, 0, {}};

class ResolveTest : public ::testing::Test {
 protected:
  model::Model m;
  NodeRef top;  // the resolver's root: /top in the model
  NodeRef sub;  // /top/sub

  void SetUp() override {
    auto r = m.root();
    ASSERT_TRUE(r.ok());
    top = *m.mkdir(kRoot, **r, "top", 0755, 0);
    sub = *m.mkdir(kRoot, *top, "sub", 0755, 0);
    auto f = m.create(kRoot, *sub, "file", access::RDWR, 0644, 0);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(m.create(kRoot, **r, "outside", access::RDWR, 0644, 0).ok());
  }
  Resolver resolver(Escape e) { return Resolver(m, kRoot, top, e); }
  Place at(const NodeRef& n) {
    auto a = m.getattr(*n);
    return Place{n, nullptr, {}, a->type, a->ino};
  }
  std::uint64_t ino(const Result<Place>& p) { return p.ok() ? p->ino : 0; }
  std::uint64_t ino_of(const NodeRef& n) { return m.getattr(*n)->ino; }
  void link(const NodeRef& dir, const char* name, const char* target) {
    ASSERT_TRUE(m.symlink(kRoot, *dir, name, target, 0).ok());
  }
};

TEST_F(ResolveTest, WalksComponentsAndKeepsParentAndName) {
  auto r = resolver(Escape::Refuse).resolve(at(top), "sub//file");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, FileType::Regular);
  EXPECT_EQ(r->name, "file");
  EXPECT_TRUE(m.same(*r->parent, *sub));
}

TEST_F(ResolveTest, EmptyPathIsENOENT) {
  EXPECT_EQ(resolver(Escape::Refuse).resolve(at(top), "").error(), Errno::NOENT);
}

TEST_F(ResolveTest, ThroughAFileIsENOTDIR) {
  EXPECT_EQ(resolver(Escape::Refuse).resolve(at(top), "sub/file/x").error(), Errno::NOTDIR);
  EXPECT_EQ(resolver(Escape::Refuse).resolve(at(top), "sub/file/").error(), Errno::NOTDIR);
}

TEST_F(ResolveTest, LongComponentAndPathAreENAMETOOLONG) {
  EXPECT_EQ(resolver(Escape::Refuse).resolve(at(top), std::string(256, 'a')).error(), Errno::NAMETOOLONG);
  std::string path;
  while (path.size() < PATH_LEN_MAX) path += "sub/../";
  EXPECT_EQ(resolver(Escape::Refuse).resolve(at(top), path).error(), Errno::NAMETOOLONG);
}

TEST_F(ResolveTest, DotDotAtRootIsClampedOrRefused) {
  EXPECT_EQ(ino(resolver(Escape::Clamp).resolve(at(top), "../../sub")), ino_of(sub));
  EXPECT_EQ(resolver(Escape::Refuse).resolve(at(top), "..").error(), Errno::XDEV);
  // Leaving for a moment is leaving: sub/../../top would come back, but not beneath.
  EXPECT_EQ(resolver(Escape::Refuse).resolve(at(top), "sub/../../top/sub").error(), Errno::XDEV);
  EXPECT_EQ(ino(resolver(Escape::Refuse).resolve(at(top), "sub/..")), ino_of(top));
}

TEST_F(ResolveTest, AbsolutePathsStartAtRootOrAreRefused) {
  EXPECT_EQ(ino(resolver(Escape::Clamp).resolve(at(sub), "/sub")), ino_of(sub));
  EXPECT_EQ(resolver(Escape::Refuse).resolve(at(sub), "/sub").error(), Errno::XDEV);
}

TEST_F(ResolveTest, SymlinksFollowedFromTheirDirectory) {
  link(top, "rel", "sub/file");
  link(sub, "up", "../sub");
  auto r = resolver(Escape::Refuse).resolve(at(top), "rel");
  EXPECT_EQ(r.ok() ? r->type : FileType::Symlink, FileType::Regular);
  EXPECT_EQ(ino(resolver(Escape::Refuse).resolve(at(top), "sub/up/up/file")),
            ino(resolver(Escape::Refuse).resolve(at(top), "sub/file")));
}

TEST_F(ResolveTest, LastSymlinkKeptWithoutFollowUnlessTrailingSlash) {
  link(top, "d", "sub");
  auto r = resolver(Escape::Refuse).resolve(at(top), "d", ResolveFlags{false, false});
  EXPECT_EQ(r.ok() ? r->type : FileType::Regular, FileType::Symlink);
  EXPECT_EQ(ino(resolver(Escape::Refuse).resolve(at(top), "d/", ResolveFlags{false, false})), ino_of(sub));
}

TEST_F(ResolveTest, SymlinkLeavingTheRoot) {
  link(top, "abs", "/sub");
  link(top, "esc", "../outside");
  EXPECT_EQ(ino(resolver(Escape::Clamp).resolve(at(top), "abs")), ino_of(sub));
  EXPECT_EQ(resolver(Escape::Refuse).resolve(at(top), "abs").error(), Errno::XDEV);
  EXPECT_EQ(resolver(Escape::Refuse).resolve(at(top), "esc").error(), Errno::XDEV);
  // Clamped, "../outside" from the root is "outside" in the root: absent.
  EXPECT_EQ(resolver(Escape::Clamp).resolve(at(top), "esc").error(), Errno::NOENT);
}

TEST_F(ResolveTest, FortySymlinksFollowTheFortyFirstIsELOOP) {
  // l0 -> sub, l1 -> l0, ..., l40 -> l39: resolving l39 follows 40 links, l40 41.
  link(top, "l0", "sub");
  for (int i = 1; i <= 40; ++i)
    link(top, ("l" + std::to_string(i)).c_str(), ("l" + std::to_string(i - 1)).c_str());
  EXPECT_EQ(ino(resolver(Escape::Refuse).resolve(at(top), "l39")), ino_of(sub));
  EXPECT_EQ(resolver(Escape::Refuse).resolve(at(top), "l40").error(), Errno::LOOP);
  link(top, "self", "self");
  EXPECT_EQ(resolver(Escape::Refuse).resolve(at(top), "self").error(), Errno::LOOP);
}

TEST_F(ResolveTest, EmptySymlinkTargetIsENOENT) {
  // The model refuses to make one (symlink(2)); a backend that had one would
  // resolve it as an empty path.
  EXPECT_EQ(resolver(Escape::Refuse).resolve(at(top), "", ResolveFlags{}).error(), Errno::NOENT);
}

TEST_F(ResolveTest, ParentOnlyStopsBeforeTheLastComponent) {
  link(top, "d", "sub");
  std::string last;
  auto r = resolver(Escape::Refuse).resolve(at(top), "d/newname", ResolveFlags{true, true}, &last);
  EXPECT_EQ(ino(r), ino_of(sub));
  EXPECT_EQ(last, "newname");
  EXPECT_EQ(resolver(Escape::Refuse).resolve(at(top), "sub/file/x", ResolveFlags{true, true}, &last).error(),
            Errno::NOTDIR);
}

TEST_F(ResolveTest, SearchPermissionIsChecked) {
  const Cred user{1000, 1000, {}};
  SetAttr s;
  s.mode = 0700;
  ASSERT_TRUE(m.setattr(kRoot, *sub, s).ok());
  Resolver r(m, user, top, Escape::Refuse);
  EXPECT_EQ(r.resolve(at(top), "sub/file").error(), Errno::ACCES);
}

TEST_F(ResolveTest, StepDoesNotFollowAndChecksNames) {
  link(top, "d", "sub");
  Resolver r = resolver(Escape::Clamp);
  auto s = r.step(at(top), "d");
  EXPECT_EQ(s.ok() ? s->type : FileType::Directory, FileType::Symlink);
  EXPECT_EQ(r.step(at(top), "a/b").error(), Errno::INVAL);
  EXPECT_EQ(r.step(at(top), "").error(), Errno::NOENT);
  EXPECT_EQ(ino(r.step(at(top), "..")), ino_of(top));
}

}  // namespace
}  // namespace p9::fs
