// Twalk: cloning, qids per element, partial walks, newfid rules, "..",
// walks from opened fids, name rules and MAXWELEM.
#include "conformance/cases/fixture.h"

namespace p9::conformance {
namespace {

struct Walk : Fixture {};

TEST_F(Walk, ZeroNamesClonesTheFid) {
  P9_RULE("Twalk with nwname 0 clones fid into newfid: no qids, same file",
          "intro(5) walk: 'nwname may be zero ... newfid represents the same file'");
  auto before = getattr(dir());
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {}});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->wqid.size(), 0u);
  auto g = c().call<msg::Rgetattr>(msg::Tgetattr{nf, GETATTR_BASIC});
  P9_EXPECT_OK(g);
  if (g.ok()) P9_EXPECT_EQ(g->qid.path, before.qid.path);
}

TEST_F(Walk, CloneIsIndependentOfTheOriginal) {
  P9_RULE("clunking a clone leaves the original fid valid", "intro(5) walk, clunk");
  std::uint32_t nf = walk(dir(), {});
  ASSERT_NE(nf, 0u);
  clunk(nf);
  P9_EXPECT_EQ(fid_status(dir()), std::string("in use"));
}

TEST_F(Walk, ZeroNamesOntoItselfIsANoOp) {
  P9_RULE("Twalk with newfid == fid and nwname 0 succeeds and leaves the fid as it was",
          "intro(5) walk: 'newfid may be the same as fid'");
  auto before = getattr(dir());
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), dir(), {}});
  P9_EXPECT_OK(r);
  auto after = getattr(dir());
  P9_EXPECT_EQ(after.qid.path, before.qid.path);
}

TEST_F(Walk, OneNameGivesTheFilesQid) {
  P9_RULE("each walked name yields the qid of the file reached", "intro(5) walk: 'nwqid qids'");
  make_file(dir(), "f", "x");
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"f"}});
  P9_EXPECT_OK(r);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->wqid.size(), 1u);
  auto a = getattr(nf);
  P9_EXPECT_EQ(r->wqid[0].path, a.qid.path);
  P9_EXPECT_EQ(static_cast<int>(r->wqid[0].type), static_cast<int>(QID_TYPE_FILE));
}

TEST_F(Walk, DirectoryQidHasTheDirBit) {
  P9_RULE("a directory's qid has QTDIR", "intro(5) qid; Linux fs/9p uses qid.type to pick inode ops");
  mkdir(dir(), "d");
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"d"}});
  P9_EXPECT_OK(r);
  if (r.ok() && r->wqid.size() == 1)
    P9_EXPECT_EQ(static_cast<int>(r->wqid[0].type & qid_type::DIR), static_cast<int>(qid_type::DIR));
}

TEST_F(Walk, SymlinkIsNotFollowed) {
  P9_RULE("walking to a symlink reaches the link itself (QTSYMLINK), not its target",
          "diod protocol.md walk; Linux v9fs follows links on the client (get_link)");
  P9_REQUIRE(Symlinks);
  mkdir(dir(), "target");
  make_symlink(dir(), "l", "target");
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"l"}});
  P9_EXPECT_OK(r);
  if (r.ok() && r->wqid.size() == 1)
    P9_EXPECT_EQ(static_cast<int>(r->wqid[0].type), static_cast<int>(qid_type::SYMLINK));
  auto a = getattr(nf);
  P9_EXPECT_EQ(type_bits(a.mode), file_type::LNK);
}

TEST_F(Walk, SeveralNamesGiveAQidEach) {
  P9_RULE("a multi-element walk returns one qid per element, in order", "intro(5) walk");
  mkdir(dir(), "a");
  std::uint32_t a = walk(dir(), {"a"});
  mkdir(a, "b");
  std::uint32_t b = walk(a, {"b"});
  make_file(b, "c", "");
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"a", "b", "c"}});
  P9_EXPECT_OK(r);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->wqid.size(), 3u);
  P9_EXPECT_EQ(r->wqid[0].path, getattr(a).qid.path);
  P9_EXPECT_EQ(r->wqid[1].path, getattr(b).qid.path);
  P9_EXPECT_EQ(r->wqid[2].path, getattr(nf).qid.path);
}

TEST_F(Walk, FirstNameMissingIsENOENT) {
  P9_RULE("when the first element cannot be walked, Rlerror is returned",
          "intro(5) walk: 'If the first element cannot be walked ... Rerror'");
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"missing"}});
  P9_EXPECT_ERRNO(r, NOENT);
}

TEST_F(Walk, FailedWalkLeavesNewfidUnused) {
  P9_RULE("after a failed walk newfid is not in use", "intro(5) walk: 'newfid ... is not affected' on error");
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"missing"}});
  EXPECT_FALSE(r.ok());
  P9_EXPECT_EQ(fid_status(nf), std::string("unknown"));
}

TEST_F(Walk, LaterNameMissingGivesAPartialWalk) {
  P9_RULE("when a later element fails, Rwalk carries the qids walked so far (no error)",
          "intro(5) walk: 'nwqid < nwname ... the walk failed at element nwqid'");
  mkdir(dir(), "a");
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"a", "missing", "x"}});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->wqid.size(), 1u);
}

TEST_F(Walk, PartialWalkLeavesNewfidUnused) {
  P9_RULE(
      "a partial walk does not create newfid: Tclunk of it fails",
      "intro(5) walk: 'newfid will not be affected' if nwqid < nwname; Linux net/9p/client.c p9_client_walk");
  mkdir(dir(), "a");
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"a", "missing"}});
  P9_EXPECT_OK(r);
  auto cl = c().call<msg::Rclunk>(msg::Tclunk{nf});
  P9_EXPECT_EQ(outcome(cl), std::string("Rlerror"));
}

TEST_F(Walk, NewfidOfAPartialWalkCanBeUsedAfterwards) {
  P9_RULE("the newfid of a partial walk is free: a later walk may take it", "intro(5) walk");
  mkdir(dir(), "a");
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"a", "missing"}});
  P9_EXPECT_OK(r);
  auto again = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"a"}});
  P9_EXPECT_OK(again);
}

TEST_F(Walk, NewfidInUseIsRefused) {
  P9_RULE("Twalk to a newfid already in use (and not fid) fails; the fid in use is unchanged",
          "intro(5) walk: 'newfid must not be in use unless it is the same as fid'");
  make_file(dir(), "f");
  std::uint32_t other = walk(dir(), {});
  ASSERT_NE(other, 0u);
  auto here = getattr(other).qid.path;
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), other, {"f"}});
  P9_EXPECT_EQ(outcome(r), std::string("Rlerror"));
  if (r.ok()) return;  // the refusal failed already; where the fid went says nothing more
  P9_EXPECT_EQ(where(other, {{here, "the directory"}}), std::string("the directory"));
}

TEST_F(Walk, OntoItselfMovesTheFid) {
  P9_RULE("Twalk with newfid == fid moves the fid to the file reached", "intro(5) walk");
  mkdir(dir(), "d");
  std::uint32_t f = walk(dir(), {});
  std::uint32_t d = walk(dir(), {"d"});
  auto r = c().call<msg::Rwalk>(msg::Twalk{f, f, {"d"}});
  P9_EXPECT_OK(r);
  P9_EXPECT_EQ(getattr(f).qid.path, getattr(d).qid.path);
}

TEST_F(Walk, FailedWalkOntoItselfLeavesTheFid) {
  P9_RULE("a failed or partial walk with newfid == fid leaves the fid where it was",
          "intro(5) walk: the fid is changed only if the walk succeeds");
  mkdir(dir(), "a");
  std::uint32_t f = walk(dir(), {});
  std::vector<std::pair<std::uint64_t, std::string>> places = {{getattr(f).qid.path, "the directory"},
                                                               {attr_at({"a"}).qid.path, "a"}};
  auto r1 = c().call<msg::Rwalk>(msg::Twalk{f, f, {"missing"}});
  EXPECT_FALSE(r1.ok());
  P9_EXPECT_EQ(where(f, places), std::string("the directory"));
  auto r2 = c().call<msg::Rwalk>(msg::Twalk{f, f, {"a", "missing"}});
  P9_EXPECT_OK(r2);
  P9_EXPECT_EQ(where(f, places), std::string("the directory"));
}

TEST_F(Walk, FromAnOpenedDirectoryIntoANewFid) {
  P9_RULE(
      "walking from an opened directory fid into a new fid is allowed",
      "Linux fs/9p/fid.c v9fs_fid_find_inode: a lookup may start its Twalk from an open fid of the inode");
  make_file(dir(), "f", "x");
  std::uint32_t d = open({}, access::RDONLY | lopen::DIRECTORY);
  ASSERT_NE(d, 0u);
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{d, nf, {"f"}});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->wqid.size(), 1u);
}

TEST_F(Walk, CloneOfAnOpenedFidIsNotOpen) {
  P9_RULE("a clone of an opened fid is a new, unopened fid: it can be opened itself",
          "intro(5) walk: newfid is not open; Linux fs/9p clones open fids (v9fs_fid_clone)");
  make_file(dir(), "f", "data");
  std::uint32_t f = open({"f"}, access::RDONLY);
  ASSERT_NE(f, 0u);
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{f, nf, {}});
  P9_EXPECT_OK(r);
  auto o = c().call<msg::Rlopen>(msg::Tlopen{nf, access::RDONLY});
  P9_EXPECT_OK(o);
  if (o.ok()) P9_EXPECT_EQ(read(nf, 0, 100), std::string("data"));
}

TEST_F(Walk, DotDotAtTheAttachRootStaysThere) {
  P9_RULE("\"..\" at the attach root walks to the root itself",
          "intro(5) walk: '.. of the root is the root'");
  auto root_qid = getattr(root()).qid;
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{root(), nf, {".."}});
  P9_EXPECT_OK(r);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->wqid.size(), 1u);
  std::vector<std::pair<std::uint64_t, std::string>> places = {{root_qid.path, "the attach root"}};
  P9_EXPECT_EQ(label(r->wqid[0].path, places), std::string("the attach root"));
  P9_EXPECT_EQ(where(nf, places), std::string("the attach root"));
}

TEST_F(Walk, DotDotBeyondTheRootIsClamped) {
  P9_RULE("repeated \"..\" never climbs above the attach root",
          "intro(5) walk; exports must not leak (diod protocol.md)");
  auto root_qid = getattr(root()).qid;
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"..", "..", "..", ".."}});
  P9_EXPECT_OK(r);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->wqid.size(), 4u);
  std::vector<std::pair<std::uint64_t, std::string>> places = {{root_qid.path, "the attach root"}};
  std::vector<std::string> got;
  for (const auto& q : r->wqid) got.push_back(label(q.path, places));
  P9_EXPECT_EQ(got, std::vector<std::string>(4, "the attach root"));
}

TEST_F(Walk, DotDotReachesTheParent) {
  P9_RULE("\"..\" walks to the parent directory", "intro(5) walk; path_resolution(7)");
  mkdir(dir(), "sub");
  std::uint32_t s = walk(dir(), {"sub"});
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{s, nf, {".."}});
  P9_EXPECT_OK(r);
  if (r.ok() && r->wqid.size() == 1) P9_EXPECT_EQ(r->wqid[0].path, getattr(dir()).qid.path);
}

TEST_F(Walk, DotIsTheSameDirectory) {
  P9_RULE("\".\" walks to the directory itself", "path_resolution(7)");
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"."}});
  P9_EXPECT_OK(r);
  if (r.ok() && r->wqid.size() == 1) P9_EXPECT_EQ(r->wqid[0].path, getattr(dir()).qid.path);
}

TEST_F(Walk, FromAFileIsENOTDIR) {
  P9_RULE("walking a name from a regular file fails with ENOTDIR",
          "path_resolution(7) ENOTDIR; intro(5) walk: fid must be a directory");
  make_file(dir(), "f");
  std::uint32_t f = walk(dir(), {"f"});
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{f, nf, {"x"}});
  P9_EXPECT_ERRNO(r, NOTDIR);
}

TEST_F(Walk, ThroughAFileStopsAtTheFile) {
  P9_RULE("a walk through a regular file stops there: a partial Rwalk with the file's qid",
          "intro(5) walk: partial walk; path_resolution(7) ENOTDIR");
  make_file(dir(), "f");
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"f", "x"}});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->wqid.size(), 1u);
  P9_EXPECT_EQ(fid_status(nf), std::string("unknown"));
}

TEST_F(Walk, NameWithSlashIsRefused) {
  P9_RULE("a walk element holding '/' is refused with EINVAL, not walked as two levels",
          "path_resolution(7): components never hold '/'; diod/ioctx.c path_append joins names with '/' "
          "unchecked");
  mkdir(dir(), "a");
  std::uint32_t a = walk(dir(), {"a"});
  make_file(a, "b");
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {"a/b"}});
  P9_EXPECT_ERRNO(r, INVAL);
}

TEST_F(Walk, EmptyNameIsENOENT) {
  P9_RULE("an empty walk element fails with ENOENT", "path_resolution(7): an empty pathname -> ENOENT");
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, {""}});
  P9_EXPECT_ERRNO(r, NOENT);
}

TEST_F(Walk, SixteenNamesAreAccepted) {
  P9_RULE("a walk of MAXWELEM (16) elements is accepted",
          "intro(5) walk: 'maximum of sixteen elements'; Linux P9_MAXWELEM");
  std::vector<std::string> path;
  std::uint32_t cur = walk(dir(), {});
  for (int i = 0; i < 16; ++i) {
    std::string n = "d" + std::to_string(i);
    mkdir(cur, n);
    auto w = c().call<msg::Rwalk>(msg::Twalk{cur, cur, {n}});
    ASSERT_TRUE(w.ok()) << c().transcript();
    path.push_back(n);
  }
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{dir(), nf, path});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->wqid.size(), 16u);
  P9_EXPECT_EQ(getattr(nf).qid.path, getattr(cur).qid.path);
}

TEST_F(Walk, SeventeenNamesAreRefused) {
  P9_RULE(
      "a walk of 17 elements is refused (Rlerror, or the malformed request closes the connection); newfid "
      "stays unused",
      "intro(5) walk: at most MAXWELEM (16) elements; Linux P9_MAXWELEM");
  std::vector<std::string> names(17, ".");
  std::uint32_t nf = c().new_fid();
  ASSERT_TRUE(c().send(Frame{42, msg::Twalk{dir(), nf, names}}));
  auto reply = c().receive();
  std::string got = "refused";
  if (reply && !std::holds_alternative<msg::Rlerror>(reply->body)) got = to_string(*reply);
  if (!reply && c().last_error() != "connection closed by the server") got = c().last_error();
  P9_EXPECT_EQ(got, std::string("refused"));
  if (reply) P9_EXPECT_EQ(fid_status(nf), std::string("unknown"));
}

TEST_F(Walk, UnknownFidIsEBADF) {
  P9_RULE("Twalk from an unknown fid fails with EBADF", "intro(5) walk: fid must be valid");
  std::uint32_t nf = c().new_fid();
  auto r = c().call<msg::Rwalk>(msg::Twalk{777777, nf, {}});
  P9_EXPECT_ERRNO(r, BADF);
}

TEST_F(Walk, QidPathIsStableAcrossWalks) {
  P9_RULE("walking twice to the same file gives the same qid.path",
          "intro(5) qid: 'path is unique ... for the file'");
  make_file(dir(), "f");
  std::uint32_t a = c().new_fid(), b = c().new_fid();
  auto r1 = c().call<msg::Rwalk>(msg::Twalk{dir(), a, {"f"}});
  auto r2 = c().call<msg::Rwalk>(msg::Twalk{dir(), b, {"f"}});
  P9_EXPECT_OK(r1);
  P9_EXPECT_OK(r2);
  if (r1.ok() && r2.ok() && r1->wqid.size() == 1 && r2->wqid.size() == 1)
    P9_EXPECT_EQ(r1->wqid[0].path, r2->wqid[0].path);
}

TEST_F(Walk, DistinctFilesHaveDistinctQidPaths) {
  P9_RULE("two different files have different qid.path",
          "intro(5) qid: 'path is unique among all files in the hierarchy'");
  make_file(dir(), "f");
  make_file(dir(), "g");
  mkdir(dir(), "d");
  std::uint32_t f = walk(dir(), {"f"}), g = walk(dir(), {"g"}), d = walk(dir(), {"d"});
  auto pf = getattr(f).qid.path, pg = getattr(g).qid.path, pd = getattr(d).qid.path;
  P9_EXPECT_EQ(pf != pg && pf != pd && pg != pd, true);
}

}  // namespace
}  // namespace p9::conformance
