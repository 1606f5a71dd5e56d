// Codec tests: round trips for every message type, byte vectors built outside
// our encoder for every type, and one test per decoder rejection rule.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "reference/codec/codec.h"
#include "reference/codec/printer.h"

namespace p9 {
namespace {

constexpr std::uint32_t kMsize = 65536;

std::vector<std::uint8_t> unhex(const std::string& s) {
  std::vector<std::uint8_t> out;
  int nib = -1;
  for (char c : s) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue;  // spaces and separators are for the reader
    if (nib < 0) {
      nib = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(nib << 4 | v));
      nib = -1;
    }
  }
  EXPECT_LT(nib, 0) << "odd number of hex digits in " << s;
  return out;
}

// ---- round trips: every alternative of Message, fields filled with
// distinct non-default values derived from the field's position ----
template <class K>
void fill(typename K::type& v, int seed) {
  using T = typename K::type;
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, Data>) {
    v = "n" + std::to_string(seed) + std::string("\x00\xff/", 3);  // bytes, not text
  } else if constexpr (std::is_unsigned_v<T>) {
    v = static_cast<T>(0x0102030405060708ULL * static_cast<unsigned>(seed + 1));
  } else if constexpr (std::is_same_v<T, Qid>) {
    v = Qid{static_cast<std::uint8_t>(seed), static_cast<std::uint32_t>(seed * 7), 0xdeadbeef00ULL + seed};
  } else if constexpr (std::is_same_v<K, kind::wnames>) {
    for (int i = 0; i < 16; ++i) v.push_back("w" + std::to_string(i + seed));
  } else if constexpr (std::is_same_v<K, kind::wqids>) {
    for (int i = 0; i < 16; ++i) v.push_back(Qid{0x80, static_cast<std::uint32_t>(i), static_cast<std::uint64_t>(i + seed)});
  } else if constexpr (std::is_same_v<K, kind::dirents>) {
    for (int i = 0; i < 3; ++i)
      v.push_back(Dirent{Qid{0, 1, static_cast<std::uint64_t>(i)}, static_cast<std::uint64_t>(i + 1), 8,
                         "e" + std::to_string(i + seed)});
  }
}

template <std::size_t I = 0>
void round_trip_all(std::set<int>& seen) {
  if constexpr (I + 1 < std::variant_size_v<Message>) {
    using M = std::variant_alternative_t<I, Message>;
    M m;
    int seed = 1;
    msg::visit_fields(m, [&](const char*, auto& value, auto k) { fill<decltype(k)>(value, seed++); });
    Frame f{static_cast<std::uint16_t>(I + 1), m};
    std::vector<std::uint8_t> bytes = encode(f);
    const MsgInfo* info = msg_info(static_cast<std::uint8_t>(M::kType));
    ASSERT_NE(info, nullptr) << M::kName;
    Decoded d = decode(bytes, info->is_request ? Expect::Request : Expect::Reply, 1u << 20);
    ASSERT_TRUE(d.ok()) << M::kName << ": " << to_string(d.error) << " " << d.detail;
    EXPECT_EQ(d.frame, f) << M::kName << "\n got  " << to_string(d.frame) << "\n want " << to_string(f);
    EXPECT_EQ(encode(d.frame), bytes) << M::kName;  // encode(decode(b)) == b
    Decoded v = decode(bytes, info->is_request ? Expect::Request : Expect::Reply, 1u << 20, DataMode::View);
    EXPECT_EQ(v.frame, f) << M::kName << ": data fields viewing the frame decode the same values";
    seen.insert(static_cast<int>(M::kType));
    round_trip_all<I + 1>(seen);
  }
}

TEST(CodecRoundTrip, EveryMessageType) {
  std::set<int> seen;
  round_trip_all(seen);
  EXPECT_EQ(seen.size(), std::variant_size_v<Message> - 1);
  EXPECT_EQ(seen.size(), 57u);  // 9P2000.L as Linux uses it: 28 pairs + Rlerror
}

TEST(CodecRoundTrip, EmptyWalkAndEmptyReaddirAndEmptyData) {
  for (const Frame& f : {Frame{1, msg::Twalk{1, 2, {}}}, Frame{2, msg::Rreaddir{{}}}, Frame{3, msg::Rread{""}}}) {
    Decoded d = decode(encode(f), Expect::Any, kMsize);
    ASSERT_TRUE(d.ok()) << d.detail;
    EXPECT_EQ(d.frame, f);
  }
}

TEST(CodecEncode, RefusesWhatTheWireCannotCarry) {
  std::vector<std::uint8_t> out{0xAA};
  msg::Rreadlink big;
  big.target.assign(70000, 'x');  // a string over 65535 bytes has no u16 length
  EXPECT_FALSE(encode_append(Frame{1, big}, out));
  EXPECT_EQ(out, std::vector<std::uint8_t>{0xAA}) << "a refused frame must leave the buffer unchanged";
}

TEST(CodecEncode, SeventeenWalkNamesAreEncodableForHostileTests) {
  msg::Twalk w{1, 2, std::vector<std::string>(17, "a")};
  std::vector<std::uint8_t> out;
  ASSERT_TRUE(encode_append(Frame{1, w}, out));
  EXPECT_EQ(decode(out, Expect::Request, kMsize).error, DecodeError::TooManyWalkElements);
}

// ---- data fields: owned, or views of a frame ----

TEST(CodecData, ViewModePointsIntoTheFrameAndCopyModeOwns) {
  std::vector<std::uint8_t> bytes = encode(Frame{5, msg::Twrite{3, 9, "payload"}});
  Decoded v = decode(bytes, Expect::Request, kMsize, DataMode::View);
  ASSERT_TRUE(v.ok()) << v.detail;
  const auto& wv = std::get<msg::Twrite>(v.frame.body);
  EXPECT_TRUE(wv.data.is_view());
  EXPECT_EQ(wv.data.bytes(), bytes.data() + 23);  // size[4] type[1] tag[2] fid[4] offset[8] count[4]
  EXPECT_EQ(wv.data, "payload");
  Decoded c = decode(bytes, Expect::Request, kMsize);
  ASSERT_TRUE(c.ok()) << c.detail;
  const auto& wc = std::get<msg::Twrite>(c.frame.body);
  EXPECT_FALSE(wc.data.is_view());
  EXPECT_EQ(wc, wv);  // compared by content
  std::fill(bytes.begin(), bytes.end(), 0);
  EXPECT_EQ(wc.data, "payload") << "a copy outlives its frame";
}

TEST(CodecData, OwnedAndViewedBytesCompareByContent) {
  std::string text("ab\0c", 4);
  Data owned(text), view = Data::view(text.data(), text.size());
  EXPECT_FALSE(owned.is_view());
  EXPECT_TRUE(view.is_view());
  EXPECT_EQ(owned, view);
  EXPECT_EQ(view, text);
  EXPECT_EQ(view.size(), 4u);
  EXPECT_EQ(Data::view(text.data(), 0), Data());
  Data kept = view;
  kept.own();
  EXPECT_FALSE(kept.is_view());
  text[0] = 'X';
  EXPECT_EQ(view.substr(0, 1), "X") << "a view sees its bytes change";
  EXPECT_EQ(kept.substr(0, 1), "a") << "own() copied them";
}

TEST(CodecData, PayloadFilledInPlaceEncodesLikeTheWholeMessage) {
  std::vector<std::uint8_t> out{0xAA};
  DataSlot slot;
  ASSERT_TRUE(begin_data_frame(Frame{7, msg::Rread{}}, 100, out, &slot));
  EXPECT_EQ(slot.start, 1u);
  EXPECT_EQ(slot.payload, 1u + kDataFrameOverhead);
  EXPECT_EQ(out.size(), slot.payload + 100);
  std::memcpy(out.data() + slot.payload, "hello", 5);  // as a read(2) into the frame would
  end_data_frame(slot, 5, out);
  std::vector<std::uint8_t> want{0xAA};
  ASSERT_TRUE(encode_append(Frame{7, msg::Rread{"hello"}}, want));
  EXPECT_EQ(out, want);
  // A message with fields before its data (Twrite) keeps them.
  out.clear();
  ASSERT_TRUE(begin_data_frame(Frame{8, msg::Twrite{3, 1u << 20, {}}}, 3, out, &slot));
  std::memcpy(out.data() + slot.payload, "xyz", 3);
  end_data_frame(slot, 3, out);
  EXPECT_EQ(out, encode(Frame{8, msg::Twrite{3, 1u << 20, "xyz"}}));
  // Only a message whose last field is data has a payload to fill.
  out.clear();
  EXPECT_FALSE(begin_data_frame(Frame{9, msg::Rwrite{4}}, 10, out, &slot));
  EXPECT_TRUE(out.empty());
}

// ---- byte vectors built outside our encoder ----
// "cap" vectors: frames from ../shared/captures/linux-6.1-v9fs-basic.9p (Linux
// 6.1 v9fs client <-> diod 1.0.24), copied byte for byte with their offset.
// "hand" vectors: written from the layouts in Linux net/9p/client.c pack
// strings (quoted beside each), field by field, little-endian.

struct Vec {
  const char* source;
  const char* hex;
};

Frame expect_frame(const Vec& v) {
  auto bytes = unhex(v.hex);
  Decoded d = decode(bytes, Expect::Any, 1u << 20);
  EXPECT_TRUE(d.ok()) << v.source << ": " << to_string(d.error) << " " << d.detail;
  EXPECT_EQ(encode(d.frame), bytes) << v.source << ": re-encoding differs";
  return d.frame;
}

template <class M>
M as(const Frame& f, std::uint16_t tag) {
  EXPECT_EQ(f.tag, tag);
  const M* m = std::get_if<M>(&f.body);
  EXPECT_NE(m, nullptr) << "got " << to_string(f) << ", wanted " << M::kName;
  return m ? *m : M{};
}

std::set<int>& vector_types() {
  static std::set<int> s;
  return s;
}
template <class M>
M vec(const Vec& v, std::uint16_t tag) {
  vector_types().insert(static_cast<int>(M::kType));
  return as<M>(expect_frame(v), tag);
}

void session_vectors() {
  auto tv = vec<msg::Tversion>({"cap@0", "15000000 64 ffff 00000200 0800 3950323030302e4c"}, NOTAG);
  EXPECT_EQ(tv.msize, 131072u);
  EXPECT_EQ(tv.version, "9P2000.L");
  auto rv = vec<msg::Rversion>({"cap@21", "15000000 65 ffff 00000100 0800 3950323030302e4c"}, NOTAG);
  EXPECT_EQ(rv.msize, 65536u);
  EXPECT_EQ(rv.version, "9P2000.L");
  auto ta = vec<msg::Tattach>(
      {"cap@290", "2d000000 68 0000 01000000 ffffffff 0000 1600 2f746d702f7370696b652d763966732f6578706f7274 00000000"},
      0);
  EXPECT_EQ(ta.fid, 1u);
  EXPECT_EQ(ta.afid, NOFID);
  EXPECT_EQ(ta.uname, "");
  EXPECT_EQ(ta.aname, "/tmp/spike-v9fs/export");
  EXPECT_EQ(ta.n_uname, 0u);
  auto ra = vec<msg::Rattach>({"cap@91", "14000000 69 0000 80 00000000 9482a70000000000"}, 0);
  EXPECT_EQ(ra.qid, (Qid{0x80, 0, 10977940}));
  // hand: Tauth "dssd" afid=5 uname="u" aname="" n_uname=1000, tag 1.
  auto tau = vec<msg::Tauth>({"hand Tauth dssd", "14000000 66 0100 05000000 0100 75 0000 e8030000"}, 1);
  EXPECT_EQ(tau.afid, 5u);
  EXPECT_EQ(tau.uname, "u");
  EXPECT_EQ(tau.aname, "");
  EXPECT_EQ(tau.n_uname, 1000u);
  // hand: Rauth "Q" aqid type=AUTH(0x08) version=1 path=2.
  auto rau = vec<msg::Rauth>({"hand Rauth Q", "14000000 67 0100 08 01000000 0200000000000000"}, 1);
  EXPECT_EQ(rau.aqid, (Qid{0x08, 1, 2}));
  auto le = vec<msg::Rlerror>({"cap@386", "0b000000 07 0000 02000000"}, 0);
  EXPECT_EQ(le.ecode, 2u);
  // hand: Tflush "w" oldtag=3, tag 5; Rflush empty.
  auto tf = vec<msg::Tflush>({"hand Tflush w", "09000000 6c 0500 0300"}, 5);
  EXPECT_EQ(tf.oldtag, 3);
  vec<msg::Rflush>({"hand Rflush", "07000000 6d 0500"}, 5);
  vec<msg::Rclunk>({"cap@526", "07000000 79 0000"}, 0);
  EXPECT_EQ(vec<msg::Tclunk>({"cap@515", "0b000000 78 0000 02000000"}, 0).fid, 2u);
  EXPECT_EQ(vec<msg::Tremove>({"cap@2118813", "0b000000 7a 0000 04000000"}, 0).fid, 4u);
  vec<msg::Rremove>({"cap@2118824", "07000000 7b 0000"}, 0);
}

void walk_read_write_vectors() {
  auto tw = vec<msg::Twalk>({"cap Twalk", "15000000 6e 0000 01000000 02000000 0100 0200 6431"}, 0);
  EXPECT_EQ(tw.fid, 1u);
  EXPECT_EQ(tw.newfid, 2u);
  EXPECT_EQ(tw.wname, std::vector<std::string>{"d1"});
  auto tw0 = vec<msg::Twalk>({"cap@830", "11000000 6e 0000 02000000 03000000 0000"}, 0);
  EXPECT_TRUE(tw0.wname.empty());
  // hand: Rwalk "R" nwqid=1 qid{DIR,0,10982828} (the reply to the walk above, from the capture's Rmkdir qid).
  auto rw = vec<msg::Rwalk>({"hand Rwalk R", "16000000 6f 0000 0100 80 00000000 ac95a70000000000"}, 0);
  ASSERT_EQ(rw.wqid.size(), 1u);
  EXPECT_EQ(rw.wqid[0], (Qid{0x80, 0, 10982828}));
  auto tr = vec<msg::Tread>({"cap@1772", "17000000 74 0000 04000000 0000000000000000 e8ff0000"}, 0);
  EXPECT_EQ(tr.fid, 4u);
  EXPECT_EQ(tr.offset, 0u);
  EXPECT_EQ(tr.count, 65512u);  // msize 65536 - IOHDRSZ 24
  EXPECT_EQ(vec<msg::Rread>({"cap Rread", "11000000 75 0000 06000000 68656c6c6f0a"}, 0).data, "hello\n");
  auto twr = vec<msg::Twrite>({"cap@1129", "1d000000 76 0000 03000000 0000000000000000 06000000 68656c6c6f0a"}, 0);
  EXPECT_EQ(twr.fid, 3u);
  EXPECT_EQ(twr.data, "hello\n");
  EXPECT_EQ(vec<msg::Rwrite>({"cap@1158", "0b000000 77 0000 06000000"}, 0).count, 6u);
}

void dotl_file_vectors() {
  EXPECT_EQ(vec<msg::Tstatfs>({"cap@2112154", "0b000000 08 0000 01000000"}, 0).fid, 1u);
  auto rs = vec<msg::Rstatfs>(
      {"cap@2112165",
       "43000000 09 0000 97190201 00100000 9de3ef0300000000 2480a40300000000 105e330100000000 0000000100000000 "
       "6d61f90000000000 e2e964b0ffffffff ff000000"},
      0);
  EXPECT_EQ(rs.fstype, 0x01021997u);  // V9FS_MAGIC: diod without -p
  EXPECT_EQ(rs.bsize, 4096u);
  EXPECT_EQ(rs.blocks, 66053021u);
  EXPECT_EQ(rs.files, 16777216u);
  EXPECT_EQ(rs.namelen, 255u);
  auto tlo = vec<msg::Tlopen>({"cap@1733", "0f000000 0c 0000 04000000 00800000"}, 0);
  EXPECT_EQ(tlo.fid, 4u);
  EXPECT_EQ(tlo.flags, lopen::LARGEFILE);
  auto rlo = vec<msg::Rlopen>({"cap@1748", "18000000 0d 0000 00 00000000 bc95a70000000000 00000000"}, 0);
  EXPECT_EQ(rlo.qid, (Qid{0, 0, 10982844}));
  EXPECT_EQ(rlo.iounit, 0u);
  auto tlc = vec<msg::Tlcreate>({"cap@856", "1b000000 0e 0000 03000000 0200 6631 41800000 a4810000 00000000"}, 0);
  EXPECT_EQ(tlc.name, "f1");
  EXPECT_EQ(tlc.flags, access::WRONLY | lopen::CREAT | lopen::LARGEFILE);
  EXPECT_EQ(tlc.mode, 0100644u);
  EXPECT_EQ(tlc.gid, 0u);
  EXPECT_EQ(vec<msg::Rlcreate>({"cap@883", "18000000 0f 0000 00 00000000 bc95a70000000000 00000000"}, 0).qid.path,
            10982844u);
  auto tsy = vec<msg::Tsymlink>({"cap@5067", "17000000 10 0000 02000000 0200 6c31 0200 6632 00000000"}, 0);
  EXPECT_EQ(tsy.name, "l1");
  EXPECT_EQ(tsy.symtgt, "f2");
  EXPECT_EQ(vec<msg::Rsymlink>({"cap@5090", "14000000 11 0000 02 00000000 9a96a70000000000"}, 0).qid.type, 0x02);
  // hand: Tmknod "dsdddg" dfid=2 name="p" mode=S_IFIFO|0644 major=0 minor=0 gid=100, tag 9.
  auto tmk = vec<msg::Tmknod>(
      {"hand Tmknod dsdddg", "1e000000 12 0900 02000000 0100 70 a4110000 00000000 00000000 64000000"}, 9);
  EXPECT_EQ(tmk.dfid, 2u);
  EXPECT_EQ(tmk.name, "p");
  EXPECT_EQ(tmk.mode, 010644u);
  EXPECT_EQ(tmk.gid, 100u);
  // hand: Rmknod "Q".
  EXPECT_EQ(vec<msg::Rmknod>({"hand Rmknod Q", "14000000 13 0900 00 00000000 2a00000000000000"}, 9).qid.path, 42u);
  auto trn = vec<msg::Trename>({"cap@4399", "13000000 14 0000 03000000 05000000 0200 6632"}, 0);
  EXPECT_EQ(trn.fid, 3u);
  EXPECT_EQ(trn.dfid, 5u);
  EXPECT_EQ(trn.name, "f2");
  vec<msg::Rrename>({"cap@4418", "07000000 15 0000"}, 0);
  EXPECT_EQ(vec<msg::Treadlink>({"cap@5617", "0b000000 16 0000 03000000"}, 0).fid, 3u);
  EXPECT_EQ(vec<msg::Rreadlink>({"cap@5628", "0b000000 17 0000 0200 6632"}, 0).target, "f2");
  auto tga = vec<msg::Tgetattr>({"cap@111", "13000000 18 0000 00000000 ff07000000000000"}, 0);
  EXPECT_EQ(tga.request_mask, GETATTR_BASIC);
  auto rga = vec<msg::Rgetattr>(
      {"cap@130",
       "a0000000 19 0000 ff07000000000000 80 00000000 9482a70000000000 ed410000 00000000 00000000 "
       "0200000000000000 0000000000000000 0010000000000000 0010000000000000 0800000000000000 "
       "f146056b00000000 50296c3500000000 f146056b00000000 50296c3500000000 f146056b00000000 50296c3500000000 "
       "0000000000000000 0000000000000000 0000000000000000 0000000000000000"},
      0);
  EXPECT_EQ(rga.mode, 040755u);
  EXPECT_EQ(rga.nlink, 2u);
  EXPECT_EQ(rga.size, 4096u);
  EXPECT_EQ(rga.blocks, 8u);
  EXPECT_EQ(rga.atime_sec, 1795507953u);
  EXPECT_EQ(rga.atime_nsec, 896280912u);
  EXPECT_EQ(rga.ctime_nsec, 896280912u);
  EXPECT_EQ(rga.data_version, 0u);
  auto tsa = vec<msg::Tsetattr>({"cap@8993",
                                 "43000000 1a 0000 03000000 41000000 80810000 ffffffff ffffffff 0000000000000000 "
                                 "0000000000000000 0000000000000000 0000000000000000 0000000000000000"},
                                0);
  EXPECT_EQ(tsa.valid, setattr::MODE | setattr::CTIME);
  EXPECT_EQ(tsa.mode, 0100600u);
  EXPECT_EQ(tsa.uid, 0xFFFFFFFFu);
  vec<msg::Rsetattr>({"cap@9060", "07000000 1b 0000"}, 0);
  auto txw = vec<msg::Txattrwalk>(
      {"cap@11136", "24000000 1e 0000 03000000 05000000 1300 73656375726974792e6361706162696c697479"}, 0);
  EXPECT_EQ(txw.newfid, 5u);
  EXPECT_EQ(txw.name, "security.capability");
  // hand: Rxattrwalk "q" size=70000.
  EXPECT_EQ(vec<msg::Rxattrwalk>({"hand Rxattrwalk q", "0f000000 1f 0200 7011010000000000"}, 2).size, 70000u);
  // hand: Txattrcreate "dsqd" fid=5 name="user.a" attr_size=3 flags=1 (XATTR_CREATE).
  auto txc = vec<msg::Txattrcreate>(
      {"hand Txattrcreate dsqd", "1f000000 20 0300 05000000 0600 757365722e61 0300000000000000 01000000"}, 3);
  EXPECT_EQ(txc.name, "user.a");
  EXPECT_EQ(txc.attr_size, 3u);
  EXPECT_EQ(txc.flags, 1u);
  vec<msg::Rxattrcreate>({"hand Rxattrcreate", "07000000 21 0300"}, 3);
  auto trd = vec<msg::Treaddir>({"cap@2892", "17000000 28 0000 03000000 0000000000000000 e8ff0000"}, 0);
  EXPECT_EQ(trd.count, 65512u);
  auto rrd = vec<msg::Rreaddir>(
      {"cap Rreaddir",
       "58000000 29 0000 4d000000 "
       "80 00000000 ac95a70000000000 be46d830c7998d40 04 0100 2e "
       "00 00000000 bc95a70000000000 1eba4030d7643a58 08 0200 6631 "
       "80 00000000 9482a70000000000 ffffffffffffff7f 04 0200 2e2e"},
      0);
  ASSERT_EQ(rrd.entries.size(), 3u);
  EXPECT_EQ(rrd.entries[0].name, ".");
  EXPECT_EQ(rrd.entries[0].type, dirent_type::DIR);
  EXPECT_EQ(rrd.entries[1].name, "f1");
  EXPECT_EQ(rrd.entries[1].type, dirent_type::REG);
  EXPECT_EQ(rrd.entries[1].offset, 0x583a64d73040ba1eULL);
  EXPECT_EQ(rrd.entries[2].name, "..");
  EXPECT_EQ(rrd.entries[2].offset, 0x7fffffffffffffffULL);
  EXPECT_EQ(rrd.entries[2].qid.path, 10977940u);
  // hand: Tfsync "dd" fid=4 datasync=1; Rfsync.
  auto tfs = vec<msg::Tfsync>({"hand Tfsync dd", "0f000000 32 0400 04000000 01000000"}, 4);
  EXPECT_EQ(tfs.fid, 4u);
  EXPECT_EQ(tfs.datasync, 1u);
  vec<msg::Rfsync>({"hand Rfsync", "07000000 33 0400"}, 4);
}

void lock_link_dir_vectors() {
  // hand: Tlock "dbdqqds" fid=3 type=WRLCK flags=BLOCK start=0 length=0 proc_id=77 client_id="vm".
  auto tl = vec<msg::Tlock>(
      {"hand Tlock dbdqqds", "28000000 34 0600 03000000 01 01000000 0000000000000000 0000000000000000 4d000000 0200 766d"},
      6);
  EXPECT_EQ(tl.type, lock_type::WRLCK);
  EXPECT_EQ(tl.flags, lock_flags::BLOCK);
  EXPECT_EQ(tl.proc_id, 77u);
  EXPECT_EQ(tl.client_id, "vm");
  EXPECT_EQ(vec<msg::Rlock>({"hand Rlock b", "08000000 35 0600 01"}, 6).status, lock_status::BLOCKED);
  // hand: Tgetlock "dbqqds" fid=3 type=RDLCK start=10 length=5 proc_id=1 client_id="".
  auto tg = vec<msg::Tgetlock>(
      {"hand Tgetlock dbqqds", "22000000 36 0700 03000000 00 0a00000000000000 0500000000000000 01000000 0000"}, 7);
  EXPECT_EQ(tg.type, lock_type::RDLCK);
  EXPECT_EQ(tg.start, 10u);
  EXPECT_EQ(tg.length, 5u);
  // hand: Rgetlock "bqqds" type=WRLCK start=0 length=100 proc_id=9 client_id="h".
  auto rg = vec<msg::Rgetlock>(
      {"hand Rgetlock bqqds", "1f000000 37 0700 01 0000000000000000 6400000000000000 09000000 0100 68"}, 7);
  EXPECT_EQ(rg.type, lock_type::WRLCK);
  EXPECT_EQ(rg.length, 100u);
  EXPECT_EQ(rg.proc_id, 9u);
  EXPECT_EQ(rg.client_id, "h");
  auto tli = vec<msg::Tlink>({"cap@7127", "13000000 46 0000 02000000 03000000 0200 6831"}, 0);
  EXPECT_EQ(tli.dfid, 2u);
  EXPECT_EQ(tli.fid, 3u);
  EXPECT_EQ(tli.name, "h1");
  vec<msg::Rlink>({"cap@7146", "07000000 47 0000"}, 0);
  auto tmd = vec<msg::Tmkdir>({"cap@429", "17000000 48 0000 01000000 0200 6431 ed410000 00000000"}, 0);
  EXPECT_EQ(tmd.dfid, 1u);
  EXPECT_EQ(tmd.name, "d1");
  EXPECT_EQ(tmd.mode, 040755u);
  EXPECT_EQ(vec<msg::Rmkdir>({"cap@452", "14000000 49 0000 80 00000000 ac95a70000000000"}, 0).qid.path, 10982828u);
  auto tra = vec<msg::Trenameat>({"cap@4365", "17000000 4a 0000 04000000 0200 6631 05000000 0200 6632"}, 0);
  EXPECT_EQ(tra.olddirfid, 4u);
  EXPECT_EQ(tra.oldname, "f1");
  EXPECT_EQ(tra.newdirfid, 5u);
  EXPECT_EQ(tra.newname, "f2");
  vec<msg::Rrenameat>({"hand Rrenameat", "07000000 4b 0000"}, 0);
  auto tun = vec<msg::Tunlinkat>({"cap@2118757", "13000000 4c 0000 02000000 0200 6632 00000000"}, 0);
  EXPECT_EQ(tun.name, "f2");
  EXPECT_EQ(tun.flags, 0u);
  EXPECT_EQ(vec<msg::Tunlinkat>({"hand Tunlinkat AT_REMOVEDIR", "13000000 4c 0100 02000000 0200 6431 00020000"}, 1).flags,
            at::REMOVEDIR);
  vec<msg::Runlinkat>({"hand Runlinkat", "07000000 4d 0100"}, 1);
}

TEST(CodecVectors, SessionMessages) { session_vectors(); }
TEST(CodecVectors, WalkReadWrite) { walk_read_write_vectors(); }
TEST(CodecVectors, DotLFileMessages) { dotl_file_vectors(); }
TEST(CodecVectors, LocksLinksDirectories) { lock_link_dir_vectors(); }

TEST(CodecVectors, EveryTypeHasAnIndependentVector) {
  session_vectors();
  walk_read_write_vectors();
  dotl_file_vectors();
  lock_link_dir_vectors();
  std::set<int> all;
#define P9_FIELD(KIND, NAME)
#define P9_MESSAGE(NAME, NUM, FIELDS) all.insert(NUM);
#include "spec/messages.def"
#undef P9_MESSAGE
#undef P9_FIELD
  for (int t : all) EXPECT_TRUE(vector_types().count(t)) << msg_name(static_cast<std::uint8_t>(t)) << " has no vector";
}

// ---- decoder rejection rules, one test each, exact error ----
Decoded dec(const std::string& hex, Expect e = Expect::Any, std::uint32_t msize = kMsize) {
  return decode(unhex(hex), e, msize);
}
std::string why(const std::string& hex, Expect e = Expect::Any, std::uint32_t msize = kMsize) {
  return dec(hex, e, msize).detail.str();
}

TEST(CodecReject, SizeBelowHeader) {
  EXPECT_EQ(dec("06000000 78 0000").error, DecodeError::TooShort);
  EXPECT_EQ(dec("00000000").error, DecodeError::TooShort);
  EXPECT_EQ(dec("0b00").error, DecodeError::TooShort) << "fewer than 4 bytes: no size field at all";
  EXPECT_EQ(why("06000000 78 0000"), "size field 6 < 7, the size of the header alone");
  EXPECT_EQ(why("0b00"), "frame of 2 bytes is shorter than its 4-byte size field");
  EXPECT_EQ(why(""), "frame of 0 bytes is shorter than its 4-byte size field");
}

TEST(CodecReject, SizeAboveMsize) {
  Decoded d = dec("0b000000 78 0000 02000000", Expect::Any, 10);
  EXPECT_EQ(d.error, DecodeError::TooLarge);
  EXPECT_EQ(d.detail.str(), "size field 11 > msize 10");
  EXPECT_EQ(dec("0b000000 78 0000 02000000", Expect::Any, 11).error, DecodeError::None) << "size == msize is fine";
}

TEST(CodecReject, SizeFieldDiffersFromFrame) {
  EXPECT_EQ(dec("0c000000 78 0000 02000000").error, DecodeError::SizeMismatch);
  EXPECT_EQ(dec("0b000000 78 0000 02000000 00").error, DecodeError::SizeMismatch);
  EXPECT_EQ(why("0c000000 78 0000 02000000"), "size field 12 but frame has 11 bytes");
}

TEST(CodecReject, BytesLeftAfterLastField) {
  Decoded d = dec("0c000000 78 0000 02000000 ff");  // Tclunk with one byte too many
  EXPECT_EQ(d.error, DecodeError::TrailingBytes);
  EXPECT_EQ(d.error_offset, 11u);
  EXPECT_EQ(d.type, 120);
  EXPECT_EQ(d.detail.str(), "Tclunk: 1 byte after the last field");
  d = dec("08000000 79 0000 00");  // Rclunk has no fields
  EXPECT_EQ(d.error, DecodeError::TrailingBytes);
  EXPECT_EQ(why("09000000 79 0000 0000"), "Rclunk: 2 bytes after the last field");
}

TEST(CodecReject, StringLengthRunsPastEnd) {
  // Twalk with one name claiming 0xffff bytes but holding 2.
  Decoded d = dec("15000000 6e 0000 01000000 02000000 0100 ffff 6431");
  EXPECT_EQ(d.error, DecodeError::Truncated);
  EXPECT_EQ(d.error_offset, 19u);
  EXPECT_EQ(d.tag, 0);
  EXPECT_EQ(d.detail.str(), "Twalk.wname[0]: length 65535 but 2 bytes left");
  // Rreadlink: length 3, 2 bytes.
  EXPECT_EQ(dec("0b000000 17 0000 0300 6632").error, DecodeError::Truncated);
  EXPECT_EQ(why("0b000000 17 0000 0300 6632"), "Rreadlink.target: length 3 but 2 bytes left");
  // The second walk name is the one cut short.
  EXPECT_EQ(why("18000000 6e 0000 01000000 02000000 0200 0100 61 0300 6263"),
            "Twalk.wname[1]: length 3 but 2 bytes left");
}

TEST(CodecReject, DataLengthRunsPastEnd) {
  EXPECT_EQ(dec("11000000 75 0000 ffffffff 68656c6c6f0a").error, DecodeError::Truncated);  // Rread count 4 GiB
  EXPECT_EQ(dec("1d000000 76 0000 03000000 0000000000000000 07000000 68656c6c6f0a").error, DecodeError::Truncated);
  EXPECT_EQ(why("11000000 75 0000 ffffffff 68656c6c6f0a"), "Rread.data: length 4294967295 but 6 bytes left");
  EXPECT_EQ(why("1d000000 76 0000 03000000 0000000000000000 07000000 68656c6c6f0a"),
            "Twrite.data: length 7 but 6 bytes left");
}

TEST(CodecReject, IntegerRunsPastEnd) {
  EXPECT_EQ(dec("0a000000 78 0000 020000").error, DecodeError::Truncated);  // Tclunk fid of 3 bytes
  EXPECT_EQ(dec("09000000 6e 0000 0100").error, DecodeError::Truncated);
  EXPECT_EQ(why("0a000000 78 0000 020000"), "Tclunk.fid: needs 4 bytes, 3 left");
  EXPECT_EQ(why("09000000 6e 0000 0100"), "Twalk.fid: needs 4 bytes, 2 left");
  Decoded d = dec("0f000000 69 0000 80 00000000 010000");  // Rattach: the qid's path is cut short
  EXPECT_EQ(d.detail.str(), "Rattach.qid.path: needs 8 bytes, 3 left");
  EXPECT_EQ(d.error_offset, 12u);
  EXPECT_EQ(why("08000000 6f 0000 01"), "Rwalk.wqid: needs 2 bytes, 1 left");
  EXPECT_EQ(why("17000000 6f 0000 0200 80 00000000 0100000000000000 00"),
            "Rwalk.wqid[1].version: needs 4 bytes, 0 left");
}

TEST(CodecReject, DirentRunsPastItsCount) {
  // Rreaddir count 20: an entry needs at least 24 bytes.
  Decoded d = dec("1f000000 29 0000 14000000 80 00000000 0100000000000000 01000000000000");
  EXPECT_EQ(d.error, DecodeError::Truncated);
  EXPECT_EQ(d.detail.str(), "Rreaddir.entries[0].offset: needs 8 bytes, 7 left");
  EXPECT_EQ(d.error_offset, 24u) << "the offset field of the first entry, not the end of the entries";
  // count larger than the frame.
  EXPECT_EQ(dec("0b000000 29 0000 ffffffff").error, DecodeError::Truncated);
  EXPECT_EQ(why("0b000000 29 0000 ffffffff"), "Rreaddir.entries: count 4294967295 but 0 bytes left");
  // The second entry's name claims 2 bytes and has 1.
  d = dec("3d000000 29 0000 32000000 "
          "00 00000000 0100000000000000 0100000000000000 08 0100 61 "
          "00 00000000 0200000000000000 0200000000000000 08 0200 62");
  EXPECT_EQ(d.detail.str(), "Rreaddir.entries[1].name: length 2 but 1 byte left");
  EXPECT_EQ(d.error_offset, 60u);
}

TEST(CodecReject, MoreThanSixteenWalkNames) {
  std::string hex = "00000000 6e 0000 01000000 02000000 1100";
  for (int i = 0; i < 17; ++i) hex += " 0100 61";
  auto bytes = unhex(hex);
  bytes[0] = static_cast<std::uint8_t>(bytes.size());
  Decoded d = decode(bytes, Expect::Request, kMsize);
  EXPECT_EQ(d.error, DecodeError::TooManyWalkElements);
  EXPECT_EQ(d.detail.str(), "Twalk.wname: 17 elements > MAXWELEM (16)");
  EXPECT_EQ(d.error_offset, 17u);
  EXPECT_EQ(dec("0d000000 6e 0000 01000000 0200").error, DecodeError::Truncated) << "shorter than its fids";
  EXPECT_EQ(why("0d000000 6e 0000 01000000 0200"), "Twalk.newfid: needs 4 bytes, 2 left");
}

TEST(CodecReject, MoreThanSixteenWalkQids) {
  EXPECT_EQ(dec("09000000 6f 0000 1100").error, DecodeError::TooManyWalkElements);
  EXPECT_EQ(dec("09000000 6f 0000 ffff").error, DecodeError::TooManyWalkElements)
      << "the count is checked before anything is allocated for it";
  EXPECT_EQ(why("09000000 6f 0000 ffff"), "Rwalk.wqid: 65535 elements > MAXWELEM (16)");
}

TEST(CodecReject, UnknownType) {
  for (int t : {0, 6, 106, 107, 112, 113, 124, 125, 126, 255}) {  // incl. 9P2000 Rerror/Topen/Tstat
    std::vector<std::uint8_t> b{7, 0, 0, 0, static_cast<std::uint8_t>(t), 1, 0};
    Decoded d = decode(b, Expect::Any, kMsize);
    EXPECT_EQ(d.error, DecodeError::UnknownType) << t;
    EXPECT_EQ(d.type, t);
    EXPECT_EQ(d.tag, 1) << "the tag is reported so a server can answer the request";
    EXPECT_EQ(d.detail.str(), "type " + std::to_string(t) + " is not a 9P2000.L message");
  }
}

TEST(CodecReject, ReplyWhereRequestExpected) {
  EXPECT_EQ(dec("0b000000 07 0000 02000000", Expect::Request).error, DecodeError::NotARequest);
  EXPECT_EQ(dec("07000000 79 0000", Expect::Request).error, DecodeError::NotARequest);
  EXPECT_EQ(why("0b000000 07 0000 02000000", Expect::Request), "Rlerror sent as a request");
  EXPECT_EQ(dec("07000000 79 0000", Expect::Reply).error, DecodeError::None);
}

TEST(CodecReject, RequestWhereReplyExpected) {
  EXPECT_EQ(dec("0b000000 78 0000 02000000", Expect::Reply).error, DecodeError::NotAReply);
  EXPECT_EQ(why("0b000000 78 0000 02000000", Expect::Reply), "Tclunk sent as a reply");
  EXPECT_EQ(why("0b000000 78 0000 02000000", Expect::Request), "");
}

// The direction check depends on the type byte alone (fuzz_decode relies on
// this to decode each input once, with Expect::Any): all 256 values, each on a
// header-only frame and, for known types, on a well-formed default message.
TEST(CodecReject, DirectionDependsOnTheTypeByteOnly) {
  for (int t = 0; t < 256; ++t) {
    const auto type = static_cast<std::uint8_t>(t);
    std::vector<std::vector<std::uint8_t>> frames{{7, 0, 0, 0, type, 1, 0}};
    Message m;
    if (make_default_message(type, m)) frames.push_back(encode(Frame{1, m}));
    for (const auto& b : frames) {
      Decoded any = decode(b, Expect::Any, kMsize);
      const MsgInfo* info = msg_info(type);
      if (!info) {
        EXPECT_EQ(any.error, DecodeError::UnknownType) << t;
        EXPECT_EQ(decode(b, Expect::Request, kMsize).error, DecodeError::UnknownType) << t;
        EXPECT_EQ(decode(b, Expect::Reply, kMsize).error, DecodeError::UnknownType) << t;
        continue;
      }
      Decoded right = decode(b, info->is_request ? Expect::Request : Expect::Reply, kMsize);
      Decoded wrong = decode(b, info->is_request ? Expect::Reply : Expect::Request, kMsize);
      EXPECT_EQ(right.error, any.error) << info->name;
      EXPECT_EQ(right.error_offset, any.error_offset) << info->name;
      EXPECT_EQ(right.detail.str(), any.detail.str()) << info->name;
      EXPECT_EQ(right.frame, any.frame) << info->name;
      EXPECT_EQ(wrong.error, info->is_request ? DecodeError::NotAReply : DecodeError::NotARequest) << info->name;
      EXPECT_EQ(wrong.error_offset, 4u) << info->name;
      EXPECT_EQ(wrong.detail.str(),
                std::string(info->name) + (info->is_request ? " sent as a reply" : " sent as a request"));
    }
  }
}

// The detail is facts until read; every way of reading it gives the same sentence.
TEST(CodecReject, DetailIsFormattedOnDemand) {
  Decoded d = dec("0a000000 78 0000 020000");
  const std::string want = "Tclunk.fid: needs 4 bytes, 3 left";
  EXPECT_EQ(d.detail.fact(), DecodeDetail::Fact::IntegerPastEnd);
  EXPECT_STREQ(d.detail.message(), "Tclunk");
  EXPECT_STREQ(d.detail.field(), "fid");
  EXPECT_EQ(d.detail.a(), 4u);
  EXPECT_EQ(d.detail.b(), 3u);
  EXPECT_EQ(std::string(d.detail.c_str()), want);
  EXPECT_EQ(std::string(d.detail.c_str()), want) << "a second c_str() gives the cached text";
  EXPECT_EQ("bad: " + d.detail, "bad: " + want);
  EXPECT_EQ(std::string("bad: ") + d.detail, "bad: " + want);
  const std::string prefix = "bad: ";
  EXPECT_EQ(prefix + d.detail, "bad: " + want);
  std::ostringstream os;
  os << d.detail;
  EXPECT_EQ(os.str(), want);
  Decoded copy = d;
  EXPECT_EQ(std::string(copy.detail.c_str()), want);
  Decoded ok = dec("0b000000 78 0000 02000000");
  EXPECT_TRUE(ok.detail.empty());
  EXPECT_STREQ(ok.detail.c_str(), "");
  EXPECT_EQ(dec("0b000000 78 0000 02000000", Expect::Request).error, DecodeError::None);
}

TEST(CodecFraming, FrameLengthDelimitsStreams) {
  DecodeError e;
  auto b = unhex("0b000000 78 0000 02000000");
  EXPECT_EQ(frame_length(b.data(), 3, kMsize, &e), 0u);
  EXPECT_EQ(e, DecodeError::None);
  EXPECT_EQ(frame_length(b.data(), b.size(), kMsize, &e), 11u);
  EXPECT_EQ(e, DecodeError::None);
  EXPECT_EQ(frame_length(b.data(), b.size(), 10, &e), 11u);
  EXPECT_EQ(e, DecodeError::TooLarge);
  auto z = unhex("03000000");
  frame_length(z.data(), z.size(), kMsize, &e);
  EXPECT_EQ(e, DecodeError::TooShort);
}

// ---- printer ----
TEST(Printer, OneLinePerMessageWithSymbolicBits) {
  EXPECT_EQ(to_string(Frame{3, msg::Twalk{1, 2, {"a", "b"}}}), "Twalk tag=3 fid=1 newfid=2 wname=[\"a\",\"b\"]");
  EXPECT_EQ(to_string(Frame{3, msg::Rlerror{2}}), "Rlerror tag=3 ecode=2 (ENOENT)");
  EXPECT_EQ(to_string(Frame{1, msg::Tlopen{4, access::RDWR | lopen::TRUNC | lopen::APPEND}}),
            "Tlopen tag=1 fid=4 flags=O_RDWR|O_TRUNC|O_APPEND");
  EXPECT_EQ(to_string(Frame{1, msg::Tmkdir{1, "d", 02755, 7}}), "Tmkdir tag=1 dfid=1 name=\"d\" mode=02755 gid=7");
  EXPECT_EQ(format_mode(0100644), "S_IFREG|0644");
  EXPECT_EQ(format_mode(0120777), "S_IFLNK|0777");
  EXPECT_EQ(to_string(Frame{NOTAG, msg::Tversion{8192, "9P2000.L"}}), "Tversion tag=NOTAG msize=8192 version=\"9P2000.L\"");
  EXPECT_EQ(to_string(Frame{1, msg::Tgetattr{1, getattr::MODE | getattr::SIZE | 0x80000}}),
            "Tgetattr tag=1 fid=1 request_mask=MODE|SIZE|0x80000");
  EXPECT_EQ(to_string(Frame{1, msg::Tunlinkat{1, "x", at::REMOVEDIR}}),
            "Tunlinkat tag=1 dirfid=1 name=\"x\" flags=AT_REMOVEDIR");
  EXPECT_EQ(to_string(Frame{1, msg::Rlerror{4242}}), "Rlerror tag=1 ecode=4242 (unknown errno)");
  EXPECT_EQ(quote_bytes(std::string("a\0\"\xff", 4)), "\"a\\x00\\\"\\xff\"");
}

}  // namespace
}  // namespace p9
