// WASI errno numbers (witx) and the Linux -> WASI translation.
#include "reference/wasi/errno.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace p9::wasi {
namespace {

// Every Linux errno of spec/errno.def, with its name.
struct LinuxRow {
  p9::Errno e;
  const char* name;
};
const LinuxRow kLinux[] = {
#define P9_ERRNO(ID, ENAME, VALUE, TEXT) {p9::Errno::ID, #ENAME},
#include "spec/errno.def"
#undef P9_ERRNO
};

TEST(WasiErrno, NumbersAreWitxOrderZeroToSeventySix) {
  // witx gives an enum's cases the values 0, 1, 2, ... in order: the table
  // must have no gap and no repeat, and end at notcapable = 76.
  std::uint16_t expect = 0;
#define P9_WASI_ERRNO(ID, ENAME, VALUE) \
  EXPECT_EQ(VALUE, expect) << #ENAME;   \
  ++expect;
#include "reference/wasi/errno.def"
#undef P9_WASI_ERRNO
  EXPECT_EQ(expect, 77);
  // Values a WASI program depends on, from typenames.witx / wasi-libc's api.h.
  EXPECT_EQ(static_cast<int>(Errno::TOOBIG), 1);
  EXPECT_EQ(static_cast<int>(Errno::BADF), 8);
  EXPECT_EQ(static_cast<int>(Errno::EXIST), 20);
  EXPECT_EQ(static_cast<int>(Errno::INVAL), 28);
  EXPECT_EQ(static_cast<int>(Errno::NOENT), 44);
  EXPECT_EQ(static_cast<int>(Errno::NOTDIR), 54);
  EXPECT_EQ(static_cast<int>(Errno::NOTEMPTY), 55);
  EXPECT_EQ(static_cast<int>(Errno::PERM), 63);
  EXPECT_EQ(static_cast<int>(Errno::XDEV), 75);
  EXPECT_EQ(static_cast<int>(Errno::NOTCAPABLE), 76);
  EXPECT_STREQ(errno_name(Errno::NOTCAPABLE), "ENOTCAPABLE");
  EXPECT_EQ(errno_name(77), nullptr);
}

TEST(WasiErrno, EveryLinuxErrnoMapsToTheWasiErrnoOfItsName) {
  std::set<std::string> fallback;
  for (const LinuxRow& l : kLinux) {
    Errno w = from_linux(l.e);
    ASSERT_NE(errno_name(w), nullptr) << l.name;
    EXPECT_NE(w, Errno::SUCCESS) << l.name;
    if (!has_wasi_name(l.e)) {
      EXPECT_EQ(w, Errno::IO) << l.name;
      fallback.insert(l.name);
      continue;
    }
    std::string want = std::string(l.name) == "EOPNOTSUPP" ? "ENOTSUP" : l.name;
    EXPECT_EQ(errno_name(w), want) << l.name;
  }
  // The Linux errnos WASI has no name for; a new row in spec/errno.def that
  // falls back to EIO must be looked at and added here.
  EXPECT_EQ(fallback, (std::set<std::string>{"ENOTBLK", "ENODATA", "EUSERS"}));
  EXPECT_EQ(from_linux(p9::Errno::OK), Errno::SUCCESS);
}

TEST(WasiErrno, FileSystemErrnosKeepTheirMeaningNotTheirNumber) {
  EXPECT_EQ(from_linux(p9::Errno::NOENT), Errno::NOENT);  // Linux 2, WASI 44
  EXPECT_EQ(from_linux(p9::Errno::PERM), Errno::PERM);    // Linux 1, WASI 63
  EXPECT_EQ(from_linux(p9::Errno::TOOBIG), Errno::TOOBIG);
  EXPECT_EQ(from_linux(p9::Errno::OPNOTSUPP), Errno::NOTSUP);
  EXPECT_EQ(from_linux(p9::Errno::NOTEMPTY), Errno::NOTEMPTY);
  EXPECT_EQ(from_linux(p9::Errno::LOOP), Errno::LOOP);
}

}  // namespace
}  // namespace p9::wasi
