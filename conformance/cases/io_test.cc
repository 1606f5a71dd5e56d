// Tread / Twrite / Tfsync: offsets, holes, O_APPEND, end of file, counts at
// and beyond the msize limit, and I/O on fids not open for it.
#include <numeric>

#include "conformance/cases/fixture.h"

namespace p9::conformance {
namespace {

struct Io : Fixture {};

TEST_F(Io, WriteThenReadBack) {
  P9_RULE("data written is read back; Rwrite counts every byte", "write(2), read(2); intro(5) read, write");
  std::uint32_t f = create(dir(), "f");
  auto w = c().call<msg::Rwrite>(msg::Twrite{f, 0, "hello, world"});
  P9_EXPECT_OK(w);
  if (w.ok()) P9_EXPECT_EQ(w->count, 12u);
  P9_EXPECT_EQ(read(f, 0, 100), std::string("hello, world"));
}

TEST_F(Io, ReadAtAnOffset) {
  P9_RULE("Tread returns the bytes at its offset", "pread(2); intro(5) read");
  std::uint32_t f = create(dir(), "f", "0123456789");
  P9_EXPECT_EQ(read(f, 3, 4), std::string("3456"));
}

TEST_F(Io, ShortReadAtTheEnd) {
  P9_RULE("a read crossing end of file returns the bytes up to the end",
          "pread(2): fewer bytes at end of file");
  std::uint32_t f = create(dir(), "f", "0123456789");
  P9_EXPECT_EQ(read(f, 6, 100), std::string("6789"));
}

TEST_F(Io, ReadAtEndOfFileReturnsNothing) {
  P9_RULE("a read at end of file returns 0 bytes (not an error)",
          "pread(2): 'zero indicates end of file'; intro(5) read");
  std::uint32_t f = create(dir(), "f", "0123456789");
  auto r = c().call<msg::Rread>(msg::Tread{f, 10, 100});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->data.size(), 0u);
}

TEST_F(Io, ReadPastEndOfFileReturnsNothing) {
  P9_RULE("a read past end of file returns 0 bytes", "pread(2); intro(5) read");
  std::uint32_t f = create(dir(), "f", "abc");
  auto r = c().call<msg::Rread>(msg::Tread{f, 1000000, 100});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->data.size(), 0u);
}

TEST_F(Io, ReadAtAHugeOffsetReturnsNothing) {
  P9_RULE("a read at offset 2^62 of a small file returns 0 bytes",
          "pread(2): offsets up to LLONG_MAX are valid");
  std::uint32_t f = create(dir(), "f", "abc");
  auto r = c().call<msg::Rread>(msg::Tread{f, 1ull << 62, 100});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->data.size(), 0u);
}

TEST_F(Io, ReadOfAnEmptyFileReturnsNothing) {
  P9_RULE("a read of an empty file returns 0 bytes", "read(2)");
  std::uint32_t f = create(dir(), "f");
  auto r = c().call<msg::Rread>(msg::Tread{f, 0, 4096});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->data.size(), 0u);
}

TEST_F(Io, OverwriteInTheMiddle) {
  P9_RULE("a write inside the file replaces those bytes only", "pwrite(2)");
  std::uint32_t f = create(dir(), "f", "0123456789");
  write(f, 3, "abc");
  P9_EXPECT_EQ(read(f, 0, 100), std::string("012abc6789"));
  P9_EXPECT_EQ(getattr(f).size, 10u);
}

TEST_F(Io, WritePastTheEndLeavesAHoleOfZeros) {
  P9_RULE("a write past end of file extends it; the gap reads as zeros",
          "pwrite(2); lseek(2): 'holes ... read as null bytes'");
  std::uint32_t f = create(dir(), "f", "ab");
  write(f, 10000, "z");
  P9_EXPECT_EQ(getattr(f).size, 10001u);
  std::string all = content_at({"f"});
  P9_EXPECT_EQ(all.size(), 10001u);
  std::string expect = "ab" + std::string(9998, '\0') + "z";
  P9_EXPECT_EQ(all == expect, true);
}

TEST_F(Io, HoleFourGibibytesOutReadsAsZeros) {
  P9_RULE("a write 4 GiB out makes a sparse file whose hole reads as zeros",
          "lseek(2) holes; intro(5) write: offset[8] is 64 bits");
  std::uint32_t f = create(dir(), "f");
  const std::uint64_t off = 1ull << 32;
  write(f, off, "end");
  P9_EXPECT_EQ(getattr(f).size, off + 3);
  P9_EXPECT_EQ(read(f, off - 4, 4), std::string(4, '\0'));
  P9_EXPECT_EQ(read(f, off - 1, 10), std::string("\0end", 4));
}

TEST_F(Io, AppendWritesAtTheEndWhateverTheOffset) {
  P9_RULE("a file opened O_APPEND takes every write at end of file, whatever the Twrite offset",
          "open(2) O_APPEND; pwrite(2) BUGS (Linux appends regardless of offset)");
  make_file(dir(), "f", "start");
  std::uint32_t f = open({"f"}, access::WRONLY | lopen::APPEND);
  ASSERT_NE(f, 0u);
  auto w = c().call<msg::Rwrite>(msg::Twrite{f, 0, "+end"});
  P9_EXPECT_OK(w);
  P9_EXPECT_EQ(content_at({"f"}), std::string("start+end"));
}

TEST_F(Io, AppendWithAnOffsetPastTheEndLeavesNoHole) {
  P9_RULE("an O_APPEND write with an offset past the end still lands at the end (no hole)",
          "open(2) O_APPEND; pwrite(2) BUGS");
  make_file(dir(), "f", "abc");
  std::uint32_t f = open({"f"}, access::RDWR | lopen::APPEND);
  ASSERT_NE(f, 0u);
  auto w = c().call<msg::Rwrite>(msg::Twrite{f, 100000, "d"});
  P9_EXPECT_OK(w);
  P9_EXPECT_EQ(getattr(f).size, 4u);
  P9_EXPECT_EQ(content_at({"f"}), std::string("abcd"));
}

TEST_F(Io, AppendFollowsWritesThroughOtherFids) {
  P9_RULE("O_APPEND writes land after data another fid wrote meanwhile",
          "open(2) O_APPEND: 'the file offset is positioned at the end of the file ... before each write'");
  make_file(dir(), "f", "a");
  std::uint32_t app = open({"f"}, access::WRONLY | lopen::APPEND);
  std::uint32_t other = open({"f"}, access::WRONLY);
  ASSERT_NE(app, 0u);
  ASSERT_NE(other, 0u);
  write(other, 1, "bb");
  auto w = c().call<msg::Rwrite>(msg::Twrite{app, 0, "c"});
  P9_EXPECT_OK(w);
  P9_EXPECT_EQ(content_at({"f"}), std::string("abbc"));
}

TEST_F(Io, AppendThroughLcreate) {
  P9_RULE("a file created with O_APPEND appends every write", "open(2) O_CREAT|O_APPEND");
  std::uint32_t d = walk(dir(), {});
  auto r =
      c().call<msg::Rlcreate>(msg::Tlcreate{d, "f", access::WRONLY | lopen::CREAT | lopen::APPEND, 0644, 0});
  P9_EXPECT_OK(r);
  auto w1 = c().call<msg::Rwrite>(msg::Twrite{d, 0, "one"});
  auto w2 = c().call<msg::Rwrite>(msg::Twrite{d, 0, "two"});
  P9_EXPECT_OK(w1);
  P9_EXPECT_OK(w2);
  P9_EXPECT_EQ(content_at({"f"}), std::string("onetwo"));
}

TEST_F(Io, ReadCountAboveTheMsizeIsCapped) {
  P9_RULE("a Tread with count > msize-24 returns at most msize-11 bytes (what fits one Rread)",
          "intro(5) read: the reply must fit msize; Linux net/9p/client.c trims count to msize - P9_IOHDRSZ");
  const std::uint32_t ms = c().msize();
  std::string data(2 * ms + 100, 'q');
  std::uint32_t f = create(dir(), "f", data);
  auto r = c().call<msg::Rread>(msg::Tread{f, 0, ms});
  P9_EXPECT_OK(r);
  if (r.ok()) {
    P9_EXPECT_EQ(r->data.size() > 0 && r->data.size() <= ms - kDataFrameOverhead, true);
    P9_EXPECT_EQ(r->data == data.substr(0, r->data.size()), true);
  }
}

TEST_F(Io, ReadCountMaxUint32IsCapped) {
  P9_RULE("a Tread with count 0xFFFFFFFF returns at most msize-11 bytes, not an error or a crash",
          "intro(5) read; version(5): msize bounds every message; diod libnpfs/fcall.c np_read (count + "
          "IOHDRSZ wraps)");
  const std::uint32_t ms = c().msize();
  std::string data(ms + 100, 'r');
  std::uint32_t f = create(dir(), "f", data);
  auto r = c().call<msg::Rread>(msg::Tread{f, 0, 0xFFFFFFFFu});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->data.size() > 0 && r->data.size() <= ms - kDataFrameOverhead, true);
}

TEST_F(Io, ReadCountMaxUint32AtAnOffsetNearEof) {
  P9_RULE("count 0xFFFFFFFF at an offset near the end returns the remaining bytes",
          "intro(5) read; pread(2)");
  std::uint32_t f = create(dir(), "f", "0123456789");
  auto r = c().call<msg::Rread>(msg::Tread{f, 7, 0xFFFFFFFFu});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->data, std::string("789"));
}

TEST_F(Io, ReadCountZeroReturnsNothing) {
  P9_RULE("a Tread with count 0 returns 0 bytes", "read(2): count 0 returns 0");
  std::uint32_t f = create(dir(), "f", "abc");
  auto r = c().call<msg::Rread>(msg::Tread{f, 0, 0});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->data.size(), 0u);
}

TEST_F(Io, WriteOfZeroBytesChangesNothing) {
  P9_RULE("a Twrite of 0 bytes returns count 0 and leaves the file alone",
          "write(2): count 0 on a regular file returns 0");
  std::uint32_t f = create(dir(), "f", "abc");
  auto w = c().call<msg::Rwrite>(msg::Twrite{f, 100, ""});
  P9_EXPECT_OK(w);
  if (w.ok()) P9_EXPECT_EQ(w->count, 0u);
  P9_EXPECT_EQ(getattr(f).size, 3u);
}

TEST_F(Io, WriteOfMsizeMinusIohdrszIsTakenWhole) {
  P9_RULE("a Twrite carrying msize-24 bytes (the largest Linux sends) is accepted whole",
          "Linux net/9p/client.c p9_client_write: count up to msize - P9_IOHDRSZ");
  const std::uint32_t ms = c().msize();
  std::string data(ms - IOHDRSZ, 'w');
  std::uint32_t f = create(dir(), "f");
  auto w = c().call<msg::Rwrite>(msg::Twrite{f, 0, data});
  P9_EXPECT_OK(w);
  if (w.ok()) P9_EXPECT_EQ(w->count, ms - IOHDRSZ);
  P9_EXPECT_EQ(getattr(f).size, ms - IOHDRSZ);
}

TEST_F(Io, LargeContentSpanningManyMessages) {
  P9_RULE("a file written in many msize-sized pieces reads back byte for byte", "intro(5) read, write");
  std::string data(300000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 7919) >> 3);
  std::uint32_t f = create(dir(), "f", data);
  ASSERT_NE(f, 0u);
  std::string back = content_at({"f"});
  P9_EXPECT_EQ(back.size(), data.size());
  P9_EXPECT_EQ(back == data, true);
}

TEST_F(Io, EveryByteValueRoundTrips) {
  P9_RULE("file data is bytes: all 256 values round-trip", "intro(5) read, write");
  std::string data(256, '\0');
  std::iota(data.begin(), data.end(), '\0');
  std::uint32_t f = create(dir(), "f", data);
  P9_EXPECT_EQ(read(f, 0, 1000) == data, true);
}

TEST_F(Io, ReadAtANegativeOffsetIsEINVAL) {
  P9_RULE("a Tread offset above 2^63-1 is a negative loff_t: EINVAL, as pread(2) gives",
          "Linux fs/read_write.c ksys_pread64: pos < 0 is EINVAL; found by fuzz_diff (model answered an "
          "empty Rread)");
  std::uint32_t f = create(dir(), "f", "abc");
  P9_EXPECT_ERRNO(c().call<msg::Rread>(msg::Tread{f, 1ULL << 63, 10}), INVAL);
  P9_EXPECT_ERRNO(c().call<msg::Rread>(msg::Tread{f, ~0ULL, 10}), INVAL);
}

TEST_F(Io, WriteAtANegativeOffsetIsEINVAL) {
  P9_RULE("a Twrite offset above 2^63-1 is a negative loff_t: EINVAL and nothing written, as pwrite(2) gives",
          "Linux fs/read_write.c ksys_pwrite64: pos < 0 is EINVAL");
  std::uint32_t f = create(dir(), "f", "abc");
  P9_EXPECT_ERRNO(c().call<msg::Rwrite>(msg::Twrite{f, 1ULL << 63, "x"}), INVAL);
  P9_EXPECT_EQ(getattr(f).size, 3u);
}

TEST_F(Io, WriteReachingPastOffsetMaxIsEINVAL) {
  P9_RULE(
      "a 1-byte Twrite at 2^63-1 ends past the largest loff_t: EINVAL (not EFBIG), nothing written; at "
      "2^63-1 a write of 0 bytes writes nothing and succeeds",
      "Linux fs/read_write.c rw_verify_area: '(loff_t) (pos + count) < 0' is EINVAL, checked in vfs_write "
      "before the file system's EFBIG (mm/filemap.c generic_write_check_limits)");
  std::uint32_t f = create(dir(), "f", "abc");
  P9_EXPECT_ERRNO(c().call<msg::Rwrite>(msg::Twrite{f, (1ULL << 63) - 1, "x"}), INVAL);
  P9_EXPECT_ERRNO(c().call<msg::Rwrite>(msg::Twrite{f, (1ULL << 63) - 2, "xy"}), INVAL);
  auto z = c().call<msg::Rwrite>(msg::Twrite{f, (1ULL << 63) - 1, ""});
  P9_EXPECT_OK(z);
  if (z.ok()) P9_EXPECT_EQ(z->count, 0u);
  P9_EXPECT_EQ(getattr(f).size, 3u);
}

TEST_F(Io, ReadReachingPastOffsetMaxIsEINVAL) {
  P9_RULE(
      "a Tread at 2^63-1 of 1 byte or more ends past the largest loff_t: EINVAL, as pread(2) gives; a "
      "count of 0 there reads nothing",
      "Linux fs/read_write.c rw_verify_area: '(loff_t) (pos + count) < 0' is EINVAL (vfs_read)");
  std::uint32_t f = create(dir(), "f", "abc");
  P9_EXPECT_ERRNO(c().call<msg::Rread>(msg::Tread{f, (1ULL << 63) - 1, 1}), INVAL);
  auto z = c().call<msg::Rread>(msg::Tread{f, (1ULL << 63) - 1, 0});
  P9_EXPECT_OK(z);
  if (z.ok()) P9_EXPECT_EQ(z->data.size(), 0u);
}

TEST_F(Io, WriteToAReadOnlyFidIsEBADF) {
  P9_RULE("Twrite on a fid opened O_RDONLY fails with EBADF", "write(2) EBADF: 'fd is not open for writing'");
  make_file(dir(), "f", "abc");
  std::uint32_t f = open({"f"}, access::RDONLY);
  auto w = c().call<msg::Rwrite>(msg::Twrite{f, 0, "x"});
  P9_EXPECT_ERRNO(w, BADF);
  P9_EXPECT_EQ(content_at({"f"}), std::string("abc"));
}

TEST_F(Io, ReadFromAWriteOnlyFidIsEBADF) {
  P9_RULE("Tread on a fid opened O_WRONLY fails with EBADF", "read(2) EBADF: 'fd is not open for reading'");
  make_file(dir(), "f", "abc");
  std::uint32_t f = open({"f"}, access::WRONLY);
  auto r = c().call<msg::Rread>(msg::Tread{f, 0, 10});
  P9_EXPECT_ERRNO(r, BADF);
}

TEST_F(Io, ReadOnAFidNotOpenedIsEBADF) {
  P9_RULE("Tread on a fid that was walked but never opened fails with EBADF",
          "intro(5) read: fid must be open; read(2) EBADF");
  make_file(dir(), "f", "abc");
  std::uint32_t f = walk(dir(), {"f"});
  auto r = c().call<msg::Rread>(msg::Tread{f, 0, 10});
  P9_EXPECT_ERRNO(r, BADF);
}

TEST_F(Io, WriteOnAFidNotOpenedIsEBADF) {
  P9_RULE("Twrite on a fid that was walked but never opened fails with EBADF",
          "intro(5) write: fid must be open; write(2) EBADF");
  make_file(dir(), "f", "abc");
  std::uint32_t f = walk(dir(), {"f"});
  auto w = c().call<msg::Rwrite>(msg::Twrite{f, 0, "x"});
  P9_EXPECT_ERRNO(w, BADF);
  P9_EXPECT_EQ(content_at({"f"}), std::string("abc"));
}

TEST_F(Io, ReadOfAnOpenDirectoryIsEISDIR) {
  P9_RULE("Tread on an opened directory fails with EISDIR (directories are read with Treaddir)",
          "read(2) EISDIR");
  std::uint32_t d = open({}, access::RDONLY);
  auto r = c().call<msg::Rread>(msg::Tread{d, 0, 100});
  P9_EXPECT_ERRNO(r, ISDIR);
}

TEST_F(Io, WritesAreSeenThroughAnotherFid) {
  P9_RULE("data written through one fid is read through another open of the same file",
          "POSIX read/write coherence (write(2))");
  std::uint32_t w = create(dir(), "f");
  std::uint32_t r = open({"f"}, access::RDONLY);
  write(w, 0, "shared");
  P9_EXPECT_EQ(read(r, 0, 100), std::string("shared"));
}

TEST_F(Io, WritesAreSeenOnAnotherConnection) {
  P9_RULE("data written on one connection is read on another", "intro(5) attach: one file tree per server");
  std::uint32_t w = create(dir(), "f");
  write(w, 0, "across");
  auto [o, f] = walk_as(0, {"f"});
  ASSERT_TRUE(f);
  ASSERT_TRUE(o.client->call<msg::Rlopen>(msg::Tlopen{f, access::RDONLY}).ok());
  auto r = o.client->call<msg::Rread>(msg::Tread{f, 0, 100});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->data, std::string("across"));
}

TEST_F(Io, FsyncOfAnOpenFile) {
  P9_RULE("Tfsync of an open file succeeds, with datasync 0 and 1",
          "fsync(2), fdatasync(2); Linux client.c p9_client_fsync");
  std::uint32_t f = create(dir(), "f", "data");
  auto s0 = c().call<msg::Rfsync>(msg::Tfsync{f, 0});
  auto s1 = c().call<msg::Rfsync>(msg::Tfsync{f, 1});
  P9_EXPECT_OK(s0);
  P9_EXPECT_OK(s1);
}

}  // namespace
}  // namespace p9::conformance
