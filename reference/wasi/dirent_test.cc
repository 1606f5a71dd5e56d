// fd_readdir's encoding: the 24-byte `$dirent` header, the name after it,
// and the cut at the buffer's end.
#include "reference/wasi/dirent.h"

#include <gtest/gtest.h>

#include <vector>

namespace p9::wasi {
namespace {

std::uint64_t le(const std::vector<std::uint8_t>& b, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::uint64_t{b[at + i]} << (8 * i);
  return v;
}

TEST(WasiDirent, HeaderIsWitxLayoutLittleEndianThenTheName) {
  std::vector<std::uint8_t> buf(64, 0xee);
  DirentWriter w(buf.data(), buf.size());
  EXPECT_TRUE(w.add(Dirent{0x0102030405060708ull, 0x1112131415161718ull, Filetype::DIRECTORY, "abc"}));
  EXPECT_EQ(w.used(), kDirentSize + 3);
  EXPECT_EQ(le(buf, 0, 8), 0x0102030405060708ull);  // d_next
  EXPECT_EQ(buf[0], 0x08);                          // little-endian
  EXPECT_EQ(le(buf, 8, 8), 0x1112131415161718ull);  // d_ino
  EXPECT_EQ(le(buf, 16, 4), 3u);                    // d_namlen
  EXPECT_EQ(buf[20], 3);                            // d_type: directory
  EXPECT_EQ(buf[21], 0);                            // padding is zero, not left over
  EXPECT_EQ(buf[22], 0);
  EXPECT_EQ(buf[23], 0);
  EXPECT_EQ(std::string(buf.begin() + 24, buf.begin() + 27), "abc");
  EXPECT_EQ(buf[27], 0xee);  // no NUL after the name
}

TEST(WasiDirent, EntriesFollowEachOtherUnaligned) {
  std::vector<std::uint8_t> buf(200);
  DirentWriter w(buf.data(), buf.size());
  ASSERT_TRUE(w.add(Dirent{1, 10, Filetype::DIRECTORY, "."}));
  ASSERT_TRUE(w.add(Dirent{2, 11, Filetype::DIRECTORY, ".."}));
  ASSERT_TRUE(w.add(Dirent{3, 12, Filetype::REGULAR_FILE, "file"}));
  EXPECT_EQ(w.used(), 3 * kDirentSize + 1 + 2 + 4);
  std::size_t at = 0, size = 0;
  std::vector<std::string> names;
  Dirent d;
  while (parse_dirent(buf.data() + at, w.used() - at, d, size)) {
    names.emplace_back(d.name);
    at += size;
  }
  EXPECT_EQ(at, w.used());
  EXPECT_EQ(names, (std::vector<std::string>{".", "..", "file"}));
  EXPECT_EQ(d.next, 3u);
  EXPECT_EQ(d.ino, 12u);
  EXPECT_EQ(d.type, Filetype::REGULAR_FILE);
}

TEST(WasiDirent, AnEntryCutInItsNameFillsTheBuffer) {
  std::vector<std::uint8_t> buf(kDirentSize + 2);
  DirentWriter w(buf.data(), buf.size());
  EXPECT_FALSE(w.add(Dirent{7, 9, Filetype::REGULAR_FILE, "abcd"}));
  EXPECT_EQ(w.used(), buf.size());  // bufused == buf_len: the caller retries
  EXPECT_EQ(le(buf, 16, 4), 4u);    // the header says the whole length
  EXPECT_EQ(buf[24], 'a');
  EXPECT_EQ(buf[25], 'b');
  Dirent d;
  std::size_t size = 0;
  EXPECT_FALSE(parse_dirent(buf.data(), buf.size(), d, size));
}

TEST(WasiDirent, AnEntryCutInItsHeaderFillsTheBuffer) {
  std::vector<std::uint8_t> buf(40);
  DirentWriter w(buf.data(), buf.size());
  ASSERT_TRUE(w.add(Dirent{1, 1, Filetype::DIRECTORY, "."}));  // 25 bytes
  EXPECT_FALSE(w.add(Dirent{2, 0x2222, Filetype::DIRECTORY, ".."}));
  EXPECT_EQ(w.used(), 40u);
  EXPECT_EQ(le(buf, 25, 8), 2u);       // the cut entry's d_next is there
  EXPECT_EQ(le(buf, 33, 7), 0x2222u);  // and 7 of d_ino's 8 bytes
}

TEST(WasiDirent, AnEntryThatFillsTheBufferExactlyEndsIt) {
  std::vector<std::uint8_t> buf(kDirentSize + 3);
  DirentWriter w(buf.data(), buf.size());
  EXPECT_FALSE(w.add(Dirent{1, 1, Filetype::REGULAR_FILE, "abc"}));  // whole, but no room after it
  EXPECT_EQ(w.used(), buf.size());
  Dirent d;
  std::size_t size = 0;
  EXPECT_TRUE(parse_dirent(buf.data(), buf.size(), d, size));
  EXPECT_EQ(d.name, "abc");
}

TEST(WasiDirent, FileTypesAreWitxFiletype) {
  EXPECT_EQ(filetype_of(fs::FileType::Regular), Filetype::REGULAR_FILE);
  EXPECT_EQ(static_cast<int>(filetype_of(fs::FileType::Regular)), 4);
  EXPECT_EQ(static_cast<int>(filetype_of(fs::FileType::Directory)), 3);
  EXPECT_EQ(static_cast<int>(filetype_of(fs::FileType::Symlink)), 7);
  EXPECT_EQ(static_cast<int>(filetype_of(fs::FileType::CharDev)), 2);
  EXPECT_EQ(static_cast<int>(filetype_of(fs::FileType::BlockDev)), 1);
  EXPECT_EQ(filetype_of(fs::FileType::Socket), Filetype::SOCKET_STREAM);
  EXPECT_EQ(filetype_of(fs::FileType::Fifo), Filetype::UNKNOWN);  // WASI has no FIFO type
}

}  // namespace
}  // namespace p9::wasi
