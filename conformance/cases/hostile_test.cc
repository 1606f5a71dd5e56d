// Hostile and broken input. A server may answer a bad frame with Rlerror or
// close the connection, but it must never hang, crash, or stop serving other
// connections: every case ends by checking that a SECOND connection still
// gets Tversion + Tattach + Tgetattr answered.
#include <chrono>

#include "conformance/cases/fixture.h"

namespace p9::conformance {
namespace {

using client::Client;

void put16(std::vector<std::uint8_t>& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put64(std::vector<std::uint8_t>& b, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// A frame with the given header and body; size is the real length unless given.
std::vector<std::uint8_t> raw_frame(std::uint8_t type, std::uint16_t tag,
                                    const std::vector<std::uint8_t>& body, std::int64_t size = -1) {
  std::vector<std::uint8_t> b;
  put32(b, size >= 0 ? static_cast<std::uint32_t>(size) : static_cast<std::uint32_t>(7 + body.size()));
  b.push_back(type);
  put16(b, tag);
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

struct Hostile : Fixture {
  // A connection after Tversion + Tattach (root fid 1).
  std::shared_ptr<Client> session() {
    auto cl = raw_connection();
    if (!cl) return cl;
    auto h = cl->handshake(case_msize(), target().aname(), 0, 1);
    if (!h.ok()) ADD_FAILURE() << "handshake failed\n" << cl->transcript();
    return cl;
  }
  // What the server did after a bad frame: "Rlerror", "closed", or what else happened.
  static std::string reaction(Client& cl, int timeout_ms = 3000) {
    auto f = cl.receive(timeout_ms);
    if (f) {
      if (std::holds_alternative<msg::Rlerror>(f->body)) return "Rlerror";
      const char* n = msg_name(static_cast<std::uint8_t>(type_of(f->body)));
      return std::string("reply ") + (n ? n : "?");
    }
    const std::string& e = cl.last_error();
    if (e.find("closed") != std::string::npos || e.find("recv:") != std::string::npos) return "closed";
    return "no answer (" + e + ")";
  }
  static std::string refused(const std::string& r) {
    return r == "Rlerror" || r == "closed" ? std::string("Rlerror or closed") : r;
  }
  // The whole check for "a bad frame is refused, and the server lives on".
  void expect_refused(const std::vector<std::uint8_t>& bytes) {
    auto cl = session();
    ASSERT_TRUE(cl);
    ASSERT_TRUE(cl->send_bytes(bytes));
    P9_EXPECT_EQ(refused(reaction(*cl)), std::string("Rlerror or closed"));
    expect_server_still_answers();
  }
  // An unknown or unexpected type must get an Rlerror on its own tag.
  void expect_rlerror_on_tag(std::uint8_t type, const std::vector<std::uint8_t>& body) {
    auto cl = session();
    ASSERT_TRUE(cl);
    ASSERT_TRUE(cl->send_bytes(raw_frame(type, 0x4242, body)));
    auto f = cl->receive(3000);
    std::string got = !f ? "no reply (" + cl->last_error() + ")"
                      : std::holds_alternative<msg::Rlerror>(f->body) && f->tag == 0x4242
                          ? "Rlerror on tag 0x4242"
                          : to_string(*f);
    P9_EXPECT_EQ(got, std::string("Rlerror on tag 0x4242"));
    expect_server_still_answers();
  }
};

TEST_F(Hostile, SizeBelowTheHeaderIsRefused) {
  P9_RULE("a size field below 7 (no room for the header) is refused: Rlerror or the connection is closed",
          "intro(5): size[4] is the length of the whole message, size and header included");
  auto b = raw_frame(100, 0, {}, 3);
  b.insert(b.end(), {1, 2, 3, 4, 5, 6, 7, 8});
  expect_refused(b);
}

TEST_F(Hostile, SizeZeroIsRefused) {
  P9_RULE("a size field of 0 is refused: Rlerror or close", "intro(5)");
  expect_refused({0, 0, 0, 0, 110, 1, 0});
}

TEST_F(Hostile, SizeAboveMsizeIsRefused) {
  P9_RULE("a size field far above msize is refused at once (closed), not waited for",
          "intro(5) version: 'msize is the maximum length of any message'");
  auto b = raw_frame(118, 1, {1, 0, 0, 0}, 0x7fffffff);
  expect_refused(b);
}

TEST_F(Hostile, WriteLargerThanMsizeIsRefused) {
  P9_RULE("a Twrite frame longer than msize is refused (the connection is closed, or Rlerror)",
          "intro(5) version: no message may exceed msize");
  std::uint32_t f = create(dir(), "f");
  ASSERT_NE(f, 0u);
  auto cl = session();
  ASSERT_TRUE(cl);
  auto wf = try_walk(*cl, 1, {dir_name(), "f"});
  ASSERT_TRUE(wf.ok());
  auto o = cl->call<msg::Rlopen>(msg::Tlopen{*wf, access::WRONLY});
  ASSERT_TRUE(o.ok());
  std::string data(cl->msize() + 1000, 'w');
  std::vector<std::uint8_t> bytes;
  ASSERT_TRUE(encode_append(Frame{9, msg::Twrite{*wf, 0, data}}, bytes));
  cl->send_bytes(bytes);  // the server may close before taking it all
  P9_EXPECT_EQ(refused(reaction(*cl)), std::string("Rlerror or closed"));
  expect_server_still_answers();
}

TEST_F(Hostile, TruncatedFrameThenDisconnect) {
  P9_RULE("a client that sends half a frame and disconnects does not disturb the server",
          "intro(5); robustness");
  {
    auto cl = session();
    ASSERT_TRUE(cl);
    auto b = encode(Frame{5, msg::Twalk{1, 2, {"a", "b", "c"}}});
    b.resize(b.size() / 2);
    ASSERT_TRUE(cl->send_bytes(b));
  }  // closed here
  expect_server_still_answers();
}

TEST_F(Hostile, DisconnectInsideTheSizeField) {
  P9_RULE("a client that disconnects after two bytes of a size field does not disturb the server",
          "robustness");
  {
    auto cl = session();
    ASSERT_TRUE(cl);
    ASSERT_TRUE(cl->send_bytes({0x20, 0x00}));
  }
  expect_server_still_answers();
}

TEST_F(Hostile, RversionSentToTheServerIsRefused) {
  P9_RULE("an R-message sent to the server is refused with Rlerror or close",
          "intro(5): T-messages go to the server");
  expect_refused(encode(Frame{3, msg::Rversion{8192, "9P2000.L"}}));
}

TEST_F(Hostile, RlerrorSentToTheServerIsRefused) {
  P9_RULE("an Rlerror sent to the server is refused with Rlerror or close", "intro(5)");
  expect_refused(encode(Frame{3, msg::Rlerror{5}}));
}

TEST_F(Hostile, RreadSentToTheServerIsRefused) {
  P9_RULE("an Rread sent to the server is refused with Rlerror or close", "intro(5)");
  expect_refused(encode(Frame{3, msg::Rread{"stray data"}}));
}

TEST_F(Hostile, UnknownType6IsAnsweredWithRlerror) {
  P9_RULE("message type 6 (unassigned; Tlerror is never sent) gets an Rlerror on its tag",
          "intro(5): the reply to a T-message has its tag; QEMU hw/9pfs/9p.c pdu_submit answers a type "
          "without a handler (v9fs_op_not_supp)");
  expect_rlerror_on_tag(6, {0, 0, 0, 0});
}

TEST_F(Hostile, UnknownType106IsAnsweredWithRlerror) {
  P9_RULE("message type 106 (Terror does not exist) gets an Rlerror on its tag",
          "intro(5): the reply to a T-message has its tag; QEMU hw/9pfs/9p.c pdu_submit (v9fs_op_not_supp)");
  expect_rlerror_on_tag(106, {0, 0});
}

TEST_F(Hostile, LegacyTopenIsAnsweredWithRlerror) {
  P9_RULE("Topen (112, not part of 9P2000.L) gets an Rlerror on its tag",
          "diod protocol.md: .L uses Tlopen; Linux net/9p/client.c p9_client_open sends Tlopen on 9P2000.L");
  expect_rlerror_on_tag(112, {1, 0, 0, 0, 0});
}

TEST_F(Hostile, LegacyTstatIsAnsweredWithRlerror) {
  P9_RULE("Tstat (124, not part of 9P2000.L) gets an Rlerror on its tag",
          "diod protocol.md: .L uses Tgetattr");
  expect_rlerror_on_tag(124, {1, 0, 0, 0});
}

TEST_F(Hostile, UnknownType200IsAnsweredWithRlerror) {
  P9_RULE("message type 200 gets an Rlerror on its tag",
          "intro(5): the reply to a T-message has its tag; QEMU hw/9pfs/9p.c pdu_submit (v9fs_op_not_supp)");
  expect_rlerror_on_tag(200, {9, 9, 9});
}

TEST_F(Hostile, StringLongerThanItsFrameIsRefused) {
  P9_RULE("a string whose length runs past the end of the frame is refused (Rlerror or close)",
          "intro(5): s = len[2] + bytes");
  std::vector<std::uint8_t> body;
  put32(body, 1);
  put32(body, 2);
  put16(body, 1);
  put16(body, 500);                          // a 500-byte name ...
  body.insert(body.end(), {'a', 'b', 'c'});  // ... of which 3 bytes are present
  expect_refused(raw_frame(110, 7, body));
}

TEST_F(Hostile, DataLongerThanItsFrameIsRefused) {
  P9_RULE("a Twrite whose count exceeds the bytes in the frame is refused (Rlerror or close)",
          "intro(5) write: count[4] data[count]");
  std::vector<std::uint8_t> body;
  put32(body, 1);
  put64(body, 0);
  put32(body, 1000);
  body.insert(body.end(), 10, 'x');
  expect_refused(raw_frame(118, 7, body));
}

TEST_F(Hostile, SeventeenWalkNamesAreRefused) {
  P9_RULE("a Twalk with 17 names (MAXWELEM is 16) is refused and newfid stays unused",
          "intro(5) walk: 'maximum of sixteen elements'; Linux P9_MAXWELEM");
  auto cl = session();
  ASSERT_TRUE(cl);
  std::vector<std::string> names(17, ".");
  auto w = cl->call<msg::Rwalk>(msg::Twalk{1, 77, names});
  P9_EXPECT_EQ(w.ok() ? std::string("walked") : std::string("refused"), std::string("refused"));
  auto g = cl->call<msg::Rgetattr>(msg::Tgetattr{77, GETATTR_BASIC});
  P9_EXPECT_EQ(g.ok() ? std::string("newfid in use") : std::string("newfid unused"),
               std::string("newfid unused"));
  expect_server_still_answers();
}

TEST_F(Hostile, ReadCountNearUint32MaxIsClamped) {
  P9_RULE("a Tread count of 0xFFFFFFFF is served within msize",
          "intro(5) read; version(5): msize bounds every message; diod libnpfs/fcall.c np_read (count + "
          "IOHDRSZ wraps)");
  std::uint32_t f = create(dir(), "f", std::string(300, 'r'));
  ASSERT_NE(f, 0u);
  auto r = c().call<msg::Rread>(msg::Tread{f, 0, 0xFFFFFFFFu});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->data, std::string(300, 'r'));
  expect_server_still_answers();
}

TEST_F(Hostile, ReaddirCountNearUint32MaxIsClamped) {
  P9_RULE("a Treaddir count of 0xFFFFFFFF is served within msize",
          "intro(5) read; version(5): msize bounds every message; diod libnpfs/fcall.c np_readdir (count + "
          "header wraps)");
  make_file(dir(), "a");
  std::uint32_t d = open({}, access::RDONLY);
  ASSERT_NE(d, 0u);
  auto r = c().call<msg::Rreaddir>(msg::Treaddir{d, 0, 0xFFFFFFFFu});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(names(r->entries), std::vector<std::string>{"a"});
  expect_server_still_answers();
}

TEST_F(Hostile, TenThousandFids) {
  P9_RULE("10,000 fids on one connection are each granted or refused (EMFILE), and the server stays up",
          "intro(5): fids are the client's; a server may limit them (EMFILE) but must not fail otherwise");
  auto cl = session();
  ASSERT_TRUE(cl);
  const int kFids = 10000, kBatch = 500;
  int granted = 0;
  std::string refusal;
  for (int base = 0; base < kFids && refusal.empty(); base += kBatch) {
    std::vector<std::uint8_t> bytes;
    for (int i = 0; i < kBatch; ++i)
      encode_append(Frame{static_cast<std::uint16_t>(i + 1),
                          msg::Twalk{1, static_cast<std::uint32_t>(100 + base + i), {}}},
                    bytes);
    ASSERT_TRUE(cl->send_bytes(bytes));
    for (int i = 0; i < kBatch; ++i) {
      auto f = cl->receive(10000);
      ASSERT_TRUE(f) << "no reply to walk " << base + i << ": " << cl->last_error();
      if (std::holds_alternative<msg::Rwalk>(f->body)) {
        ++granted;
      } else if (auto* e = std::get_if<msg::Rlerror>(&f->body)) {
        if (refusal.empty()) refusal = errno_name(e->ecode) ? errno_name(e->ecode) : std::to_string(e->ecode);
      } else {
        refusal = "unexpected " + to_string(*f);
      }
    }
  }
  P9_EXPECT_EQ(refusal.empty() || refusal == "EMFILE" || refusal == "ENFILE", true);
  EXPECT_GT(granted, 0);
  auto g = cl->call<msg::Rgetattr>(msg::Tgetattr{1, GETATTR_BASIC});
  P9_EXPECT_OK(g);
  expect_server_still_answers();
}

TEST_F(Hostile, TagReusedWhileInFlightIsSurvived) {
  P9_RULE("two requests on one tag at once: the server answers (at least one) and keeps serving",
          "intro(5): tags must be unique among outstanding requests; robustness");
  auto cl = session();
  ASSERT_TRUE(cl);
  std::vector<std::uint8_t> bytes;
  encode_append(Frame{9, msg::Tgetattr{1, GETATTR_BASIC}}, bytes);
  encode_append(Frame{9, msg::Tgetattr{1, GETATTR_BASIC}}, bytes);
  ASSERT_TRUE(cl->send_bytes(bytes));
  auto first = cl->receive(3000);
  P9_EXPECT_EQ(first ? static_cast<int>(first->tag) : -1, 9);
  (void)cl->receive(500);  // a second answer is allowed
  auto g = cl->call<msg::Rgetattr>(msg::Tgetattr{1, GETATTR_BASIC});
  P9_EXPECT_OK(g);
  expect_server_still_answers();
}

TEST_F(Hostile, FlushOfNotagIsAnswered) {
  P9_RULE("Tflush naming NOTAG (never in flight) is answered", "intro(5) flush");
  auto r = c().call<msg::Rflush>(msg::Tflush{0xFFFF});
  P9_EXPECT_OK(r);
  expect_server_still_answers();
}

TEST_F(Hostile, FlushNamingItselfIsAnswered) {
  P9_RULE("a Tflush whose oldtag is its own tag is answered, not left waiting", "intro(5) flush");
  ASSERT_TRUE(c().send(Frame{33, msg::Tflush{33}}));
  auto f = c().receive(3000);
  P9_EXPECT_EQ(f ? static_cast<int>(f->tag) : -1, 33);
  expect_server_still_answers();
}

TEST_F(Hostile, DotDotTwentyTimesStaysAtTheRoot) {
  P9_RULE("walking \"..\" above the attach root twenty times stays at the root",
          "intro(5) walk: '..' of the root is the root");
  auto r = c().call<msg::Rattach>(
      msg::Tattach{700, static_cast<std::uint32_t>(NOFID), "root", target().aname(), 0});
  P9_EXPECT_OK(r);
  if (!r.ok()) return;
  std::uint32_t f = 701;
  auto w1 = c().call<msg::Rwalk>(msg::Twalk{dir(), f, std::vector<std::string>(16, "..")});
  P9_EXPECT_OK(w1);
  if (!w1.ok()) return;
  auto w2 = c().call<msg::Rwalk>(msg::Twalk{f, f, std::vector<std::string>(4, "..")});
  P9_EXPECT_OK(w2);
  auto a = c().call<msg::Rgetattr>(msg::Tgetattr{f, GETATTR_BASIC});
  P9_EXPECT_OK(a);
  if (!a.ok()) return;
  P9_EXPECT_EQ(std::string(a->qid.path == r->qid.path ? "the attach root" : "above the attach root"),
               std::string("the attach root"));
  if (a->qid.path != r->qid.path) return;
  // and the case directory is still one step below
  auto back = c().call<msg::Rwalk>(msg::Twalk{f, 702, {dir_name()}});
  P9_EXPECT_OK(back);
  expect_server_still_answers();
}

TEST_F(Hostile, ClientVanishingWithRepliesPending) {
  P9_RULE("a client that disconnects with many replies unsent does not take the server down (no SIGPIPE)",
          "send(2) MSG_NOSIGNAL / SIGPIPE; robustness");
  {
    auto cl = session();
    ASSERT_TRUE(cl);
    std::uint32_t f = create(dir(), "big", std::string(60000, 'b'));
    ASSERT_NE(f, 0u);
    auto wf = try_walk(*cl, 1, {dir_name(), "big"});
    ASSERT_TRUE(wf.ok());
    auto o = cl->call<msg::Rlopen>(msg::Tlopen{*wf, access::RDONLY});
    ASSERT_TRUE(o.ok());
    std::vector<std::uint8_t> bytes;
    for (int i = 0; i < 200; ++i)
      encode_append(Frame{static_cast<std::uint16_t>(i + 1), msg::Tread{*wf, 0, 60000}}, bytes);
    ASSERT_TRUE(cl->send_bytes(bytes));
  }  // gone without reading 12 MB of replies
  expect_server_still_answers();
}

TEST_F(Hostile, ManyConnectionsAtOnce) {
  P9_RULE("50 simultaneous connections are each served, and closing them leaves the server up", "robustness");
  std::vector<std::shared_ptr<Client>> conns;
  int ok = 0;
  for (int i = 0; i < 50; ++i) {
    auto cl = raw_connection();
    if (!cl) break;
    if (cl->handshake(case_msize(), target().aname(), 0, 1).ok()) ++ok;
    conns.push_back(std::move(cl));
  }
  P9_EXPECT_EQ(ok, 50);
  conns.clear();
  expect_server_still_answers();
}

TEST_F(Hostile, NofidAsNewfidIsRefused) {
  P9_RULE("NOFID cannot be made a fid (Twalk newfid NOFID is refused)", "intro(5): NOFID means 'no fid'");
  auto w = c().call<msg::Rwalk>(msg::Twalk{dir(), static_cast<std::uint32_t>(NOFID), {}});
  P9_EXPECT_EQ(w.ok() ? std::string("accepted") : std::string("refused"), std::string("refused"));
  expect_server_still_answers();
}

TEST_F(Hostile, HugeXattrSizeDoesNotExhaustTheServer) {
  P9_RULE("Txattrcreate announcing 2^62 bytes is refused or bounded; the server stays up",
          "setxattr(2) E2BIG/ENOSPC; a server must not allocate what a peer claims");
  P9_REQUIRE(Xattrs);
  std::uint32_t f = create(dir(), "f");
  ASSERT_NE(f, 0u);
  std::uint32_t x = walk(dir(), {"f"});
  auto r = c().call<msg::Rxattrcreate>(msg::Txattrcreate{x, "user.p9c.huge", 1ull << 62, 0});
  auto w = c().call<msg::Rwrite>(msg::Twrite{x, 0, "tiny"});
  (void)w;
  (void)r;
  auto g = c().call<msg::Rgetattr>(msg::Tgetattr{f, GETATTR_BASIC});
  P9_EXPECT_OK(g);
  expect_server_still_answers();
}

TEST_F(Hostile, LockRangeOverflowIsAnswered) {
  P9_RULE(
      "a Tlock whose start + length overflows 64 bits is answered (EINVAL or a status), the server stays up",
      "fcntl(2) EINVAL/EOVERFLOW for ranges past the maximum offset");
  P9_REQUIRE(Locks);
  std::uint32_t f = create(dir(), "f");
  ASSERT_NE(f, 0u);
  auto r = c().call<msg::Rlock>(msg::Tlock{f, lock_type::WRLCK, 0, ~0ull - 5, 100, 1, "x"});
  P9_EXPECT_EQ(r.ok() || r.error() != Errno::PROTO, true);
  expect_server_still_answers();
}

}  // namespace
}  // namespace p9::conformance
