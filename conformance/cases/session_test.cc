// Version/msize, attach/auth, flush, clunk and fid errors, tags.
#include "conformance/cases/fixture.h"

namespace p9::conformance {
namespace {

using client::Client;

struct Version : Fixture {};

TEST_F(Version, AnswersNineP2000L) {
  P9_RULE("Tversion 9P2000.L is answered with 9P2000.L",
          "intro(5) version; Linux net/9p/client.c p9_client_version");
  auto cl = raw_connection();
  ASSERT_TRUE(cl);
  auto r = cl->call<msg::Rversion>(msg::Tversion{8192, "9P2000.L"});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->version, std::string("9P2000.L"));
}

TEST_F(Version, MsizeIsClampedToTheClientsOffer) {
  P9_RULE("Rversion msize is at most the client's msize",
          "intro(5) version: the server's msize must be <= the client's");
  auto cl = raw_connection();
  auto r = cl->call<msg::Rversion>(msg::Tversion{4096, "9P2000.L"});
  P9_EXPECT_OK(r);
  if (r.ok()) {
    EXPECT_LE(r->msize, 4096u) << cl->transcript();
  }
}

TEST_F(Version, LargeOfferIsReducedToTheServersMaximum) {
  P9_RULE("a huge msize offer is answered with the server's own limit, at least 4096",
          "intro(5) version; Linux rejects msize < 4096");
  auto cl = raw_connection();
  auto r = cl->call<msg::Rversion>(msg::Tversion{0xFFFFFFFFu, "9P2000.L"});
  P9_EXPECT_OK(r);
  if (r.ok()) {
    EXPECT_GE(r->msize, 4096u);
    EXPECT_LT(r->msize, 0xFFFFFFFFu);
  }
}

TEST_F(Version, UnknownVersionIsAnsweredUnknown) {
  P9_RULE("a version the server does not speak is answered with version \"unknown\"", "intro(5) version");
  auto cl = raw_connection();
  auto r = cl->call<msg::Rversion>(msg::Tversion{8192, "9P2023.X"});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->version, std::string("unknown"));
}

TEST_F(Version, NinePTwoThousandUIsNotSpokenAsDotL) {
  P9_RULE("9P2000.u is not 9P2000.L: the answer is not 9P2000.L",
          "intro(5) version; Linux compares by prefix");
  auto cl = raw_connection();
  auto r = cl->call<msg::Rversion>(msg::Tversion{8192, "9P2000.u"});
  // Any answer but 9P2000.L will do: "unknown", or an Rlerror (diod answers EIO).
  if (r.ok())
    P9_EXPECT_EQ(r->version == "9P2000.L", false);
  else
    EXPECT_NE(r.error(), Errno::PROTO) << "no answer, or a wrong one\n" << cl->transcript();
}

TEST_F(Version, VersionResetsTheSessionsFids) {
  P9_RULE("Tversion aborts all outstanding fids",
          "intro(5) version: 'all outstanding I/O is aborted; fids clunked'");
  std::uint32_t f = walk(dir(), {});
  ASSERT_NE(f, 0u);
  auto v = c().call<msg::Rversion>(msg::Tversion{case_msize(), "9P2000.L"});
  P9_EXPECT_OK(v);
  P9_EXPECT_ERRNO(c().call<msg::Rgetattr>(msg::Tgetattr{f, GETATTR_BASIC}), BADF);
}

TEST_F(Version, TooSmallMsizeIsRefused) {
  P9_RULE("an msize below 4096 cannot carry Linux's messages and is refused",
          "Linux net/9p/client.c p9_client_version: msize < 4096 -> EREMOTEIO");
  auto cl = raw_connection();
  Frame f = cl->rpc(msg::Tversion{256, "9P2000.L"});
  bool refused = std::holds_alternative<msg::Rlerror>(f.body);
  if (auto* v = std::get_if<msg::Rversion>(&f.body)) refused = v->msize < 4096 || v->version != "9P2000.L";
  P9_EXPECT_EQ(refused ? std::string("refused") : to_string(f), std::string("refused"));
}

struct Attach : Fixture {};

TEST_F(Attach, RootIsADirectory) {
  P9_RULE("Rattach's qid names a directory", "intro(5) attach");
  auto cl = raw_connection();
  ASSERT_TRUE(cl->call<msg::Rversion>(msg::Tversion{case_msize(), "9P2000.L"}).ok());
  auto a =
      cl->call<msg::Rattach>(msg::Tattach{5, static_cast<std::uint32_t>(NOFID), "root", target().aname(), 0});
  P9_EXPECT_OK(a);
  if (a.ok()) P9_EXPECT_EQ(static_cast<int>(a->qid.type & qid_type::DIR), static_cast<int>(qid_type::DIR));
}

TEST_F(Attach, FidInUseIsRefused) {
  P9_RULE("Tattach with a fid already in use fails", "intro(5) attach: fid must be unused");
  auto a = c().call<msg::Rattach>(
      msg::Tattach{dir(), static_cast<std::uint32_t>(NOFID), "root", target().aname(), 0});
  P9_EXPECT_EQ(a.ok() ? "attached" : "refused", std::string("refused"));
}

TEST_F(Attach, AuthIsRefusedWithoutAuthentication) {
  P9_RULE("Tauth gets Rlerror when the server needs no authentication",
          "diod protocol.md auth; intro(5) attach");
  auto r = c().call<msg::Rauth>(msg::Tauth{77, "root", target().aname(), 0});
  EXPECT_FALSE(r.ok()) << c().transcript();
  EXPECT_NE(r.error(), Errno::PROTO) << "must be an Rlerror, not silence or a wrong reply\n"
                                     << c().transcript();
}

TEST_F(Attach, RequestBeforeVersionIsRefused) {
  P9_RULE("nothing but Tversion is accepted before a version is agreed", "intro(5) version");
  auto cl = raw_connection();
  auto a =
      cl->call<msg::Rattach>(msg::Tattach{1, static_cast<std::uint32_t>(NOFID), "root", target().aname(), 0});
  P9_EXPECT_EQ(a.ok() ? "attached" : "refused", std::string("refused"));
}

TEST_F(Attach, TwoAttachesShareTheTree) {
  P9_RULE("two attaches to the same aname see the same files", "intro(5) attach");
  auto other = connect_as(0);
  ASSERT_TRUE(other.client);
  ASSERT_NE(create(dir(), "shared", "x"), 0u);
  auto w = other.client->call<msg::Rwalk>(msg::Twalk{other.dir, 9, {"shared"}});
  P9_EXPECT_OK(w);
}

struct Clunk : Fixture {};

TEST_F(Clunk, UnknownFidFails) {
  P9_RULE("Tclunk of a fid never used fails", "intro(5) clunk");
  P9_EXPECT_ERRNO(c().call<msg::Rclunk>(msg::Tclunk{4242}), BADF);
}

TEST_F(Clunk, FidIsGoneAfterClunk) {
  P9_RULE("after Tclunk the fid is unknown", "intro(5) clunk: 'the fid is no longer valid'");
  std::uint32_t f = walk(dir(), {});
  clunk(f);
  P9_EXPECT_ERRNO(c().call<msg::Rgetattr>(msg::Tgetattr{f, GETATTR_BASIC}), BADF);
  P9_EXPECT_ERRNO(c().call<msg::Rclunk>(msg::Tclunk{f}), BADF);
}

TEST_F(Clunk, FidCanBeReusedAfterClunk) {
  P9_RULE("a clunked fid number may be used again", "intro(5) clunk");
  std::uint32_t f = walk(dir(), {});
  clunk(f);
  P9_EXPECT_OK(c().call<msg::Rwalk>(msg::Twalk{dir(), f, {}}));
}

TEST_F(Clunk, UnknownFidInGetattrFails) {
  P9_RULE("a request naming an unknown fid fails with EBADF", "intro(5): fids are client-chosen handles");
  P9_EXPECT_ERRNO(c().call<msg::Rgetattr>(msg::Tgetattr{999999, GETATTR_BASIC}), BADF);
}

struct Flush : Fixture {};

TEST_F(Flush, FlushOfUnknownTagIsAnswered) {
  P9_RULE("Tflush of a tag not in flight is answered with Rflush", "intro(5) flush");
  P9_EXPECT_OK(c().call<msg::Rflush>(msg::Tflush{4321}));
}

TEST_F(Flush, FlushAfterReplyStillAnswered) {
  P9_RULE("Tflush of a finished request is answered with Rflush",
          "flush(5): whether or not oldtag is pending, the server answers Rflush");
  Frame g{77, msg::Tgetattr{dir(), GETATTR_BASIC}};
  ASSERT_TRUE(c().send(g));
  auto rg = c().receive();
  ASSERT_TRUE(rg);
  P9_EXPECT_OK(c().call<msg::Rflush>(msg::Tflush{77}));
}

TEST_F(Flush, PipelinedFlushComesAfterTheFlushedReply) {
  P9_RULE("a flushed request is either answered before Rflush or not at all", "intro(5) flush");
  ASSERT_TRUE(c().send(Frame{10, msg::Tgetattr{dir(), GETATTR_BASIC}}));
  ASSERT_TRUE(c().send(Frame{11, msg::Tflush{10}}));
  auto first = c().receive();
  ASSERT_TRUE(first) << c().transcript();
  if (first->tag == 11) {
    // The getattr was flushed: its reply must never arrive after Rflush.
    P9_EXPECT_EQ(std::holds_alternative<msg::Rflush>(first->body), true);
    auto late = c().receive(300);
    P9_EXPECT_EQ(late ? to_string(*late) : std::string("nothing"), std::string("nothing"));
  } else {
    P9_EXPECT_EQ(first->tag, 10);
    auto second = c().receive();
    ASSERT_TRUE(second) << c().transcript();
    P9_EXPECT_EQ(to_string(*second), to_string(Frame{11, msg::Rflush{}}));
  }
}

struct Tags : Fixture {};

TEST_F(Tags, RepliesCarryTheRequestsTag) {
  P9_RULE("a reply carries its request's tag", "intro(5)");
  for (std::uint16_t tag : {0, 1, 2, 0x7fff, 0xfffe}) {
    ASSERT_TRUE(c().send(Frame{tag, msg::Tgetattr{dir(), GETATTR_BASIC}}));
    auto r = c().receive();
    ASSERT_TRUE(r) << c().last_error();
    P9_EXPECT_EQ(r->tag, tag);
  }
}

TEST_F(Tags, PipelinedRequestsAllAnswered) {
  P9_RULE("several requests in flight on different tags are each answered once",
          "intro(5); Linux client pipelines");
  for (std::uint16_t t = 100; t < 132; ++t)
    ASSERT_TRUE(c().send(Frame{t, msg::Tgetattr{dir(), GETATTR_BASIC}}));
  std::vector<int> seen(32, 0);
  for (int i = 0; i < 32; ++i) {
    auto r = c().receive();
    ASSERT_TRUE(r) << c().last_error();
    ASSERT_GE(r->tag, 100);
    ASSERT_LT(r->tag, 132);
    seen[r->tag - 100]++;
  }
  for (int i = 0; i < 32; ++i) P9_EXPECT_EQ(seen[i], 1);
}

TEST_F(Tags, TagReusedAfterReplyIsFine) {
  P9_RULE("a tag is free again once its reply arrived", "intro(5)");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c().send(Frame{5, msg::Tgetattr{dir(), GETATTR_BASIC}}));
    auto r = c().receive();
    ASSERT_TRUE(r);
    P9_EXPECT_EQ(std::holds_alternative<msg::Rgetattr>(r->body), true);
  }
}

}  // namespace
}  // namespace p9::conformance
