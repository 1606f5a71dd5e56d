// Treaddir: entries, types and qids, cookies and resuming, counts, large
// directories, and listings while entries come and go.
#include <map>
#include <set>

#include "conformance/cases/fixture.h"

namespace p9::conformance {
namespace {

struct Readdir : Fixture {
  // Bytes the entries take in an Rreaddir.
  static std::size_t wire_bytes(const std::vector<Dirent>& es) {
    std::size_t n = 0;
    for (const auto& e : es) n += dirent_wire_size(e.name.size());
    return n;
  }
  // How many times each name was listed.
  static std::map<std::string, int> tally(const std::vector<Dirent>& es) {
    std::map<std::string, int> m;
    for (const auto& e : es) m[e.name]++;
    return m;
  }
  const Dirent* find_entry(const std::vector<Dirent>& es, const std::string& name) {
    for (const auto& e : es)
      if (e.name == name) return &e;
    return nullptr;
  }
  // Every entry after `offset`, read with count 8192.
  std::vector<Dirent> readdir_all_from(std::uint32_t fid, std::uint64_t offset) {
    std::vector<Dirent> all;
    for (int rounds = 0; rounds < 100000; ++rounds) {
      auto r = c().call<msg::Rreaddir>(msg::Treaddir{fid, offset, 8192});
      if (!r.ok()) {
        ADD_FAILURE() << "readdir failed\n" << c().transcript();
        return all;
      }
      if (r->entries.empty()) return all;
      for (auto& e : r->entries) all.push_back(e);
      offset = r->entries.back().offset;
    }
    return all;
  }
  // One Treaddir; the entries or an empty vector (with a failure) on error.
  std::vector<Dirent> one(std::uint32_t fid, std::uint64_t offset, std::uint32_t count) {
    auto r = c().call<msg::Rreaddir>(msg::Treaddir{fid, offset, count});
    if (!r.ok()) {
      ADD_FAILURE() << "readdir failed\n" << c().transcript();
      return {};
    }
    return r->entries;
  }
};

TEST_F(Readdir, ListsEveryEntry) {
  P9_RULE("a listing holds every name in the directory", "getdents64(2); diod protocol.md readdir");
  P9_REQUIRE(Symlinks);
  make_file(dir(), "a");
  mkdir(dir(), "b");
  make_symlink(dir(), "c", "a");
  P9_EXPECT_EQ(names(listing({})), (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(Readdir, NewDirectoryHasOnlyDotEntries) {
  P9_RULE("a new directory lists nothing but \".\" and \"..\"", "mkdir(2); getdents64(2)");
  mkdir(dir(), "d");
  P9_EXPECT_EQ(names(listing({"d"})), std::vector<std::string>{});
}

TEST_F(Readdir, DotAndDotDotAreListed) {
  P9_RULE(
      "\".\" and \"..\" are listed, pointing at the directory and its parent",
      "getdents64(2) on Linux local file systems; diod/ops.c diod_readdir passes the host's entries through");
  mkdir(dir(), "d");
  auto es = listing({"d"});
  auto t = tally(es);
  P9_EXPECT_EQ(t["."], 1);
  P9_EXPECT_EQ(t[".."], 1);
  const Dirent* dot = find_entry(es, ".");
  const Dirent* dotdot = find_entry(es, "..");
  if (dot) P9_EXPECT_EQ(dot->qid.path, attr_at({"d"}).qid.path);
  if (dotdot) P9_EXPECT_EQ(dotdot->qid.path, getattr(dir()).qid.path);
}

TEST_F(Readdir, EachNameListedOnce) {
  P9_RULE("a complete listing names each entry exactly once", "getdents64(2); readdir(3)");
  for (int i = 0; i < 50; ++i) make_file(dir(), "f" + std::to_string(i));
  auto t = tally(listing({}, 512));
  int dups = 0, files = 0;
  for (auto& [n, k] : t) {
    if (k != 1) ++dups;
    if (n[0] == 'f') ++files;
  }
  P9_EXPECT_EQ(dups, 0);
  P9_EXPECT_EQ(files, 50);
}

TEST_F(Readdir, EntryTypes) {
  P9_RULE("each entry carries its DT_* type: DT_REG, DT_DIR, DT_LNK, DT_FIFO",
          "getdents64(2) d_type; net/9p/protocol.c p9dirent_read");
  P9_REQUIRE(Symlinks);
  make_file(dir(), "file");
  mkdir(dir(), "dir");
  make_symlink(dir(), "link", "file");
  bool fifo = supports(Feature::Mknod);
  if (fifo) {
    auto m = c().call<msg::Rmknod>(msg::Tmknod{dir(), "fifo", file_type::FIFO | 0644, 0, 0, 0});
    P9_EXPECT_OK(m);
  }
  auto es = listing({});
  auto type_of = [&](const std::string& n) -> int {
    const Dirent* e = find_entry(es, n);
    return e ? e->type : -1;
  };
  P9_EXPECT_EQ(type_of("file"), static_cast<int>(dirent_type::REG));
  P9_EXPECT_EQ(type_of("dir"), static_cast<int>(dirent_type::DIR));
  P9_EXPECT_EQ(type_of("link"), static_cast<int>(dirent_type::LNK));
  if (fifo) P9_EXPECT_EQ(type_of("fifo"), static_cast<int>(dirent_type::FIFO));
}

TEST_F(Readdir, EntryQidsMatchWalks) {
  P9_RULE("an entry's qid.path is the qid.path a walk to the name gives",
          "intro(5) qid; diod protocol.md readdir");
  make_file(dir(), "f");
  mkdir(dir(), "d");
  auto es = listing({});
  for (const std::string n : {"f", "d"}) {
    const Dirent* e = find_entry(es, n);
    P9_EXPECT_EQ(e != nullptr, true);
    if (e) P9_EXPECT_EQ(e->qid.path, attr_at({n}).qid.path);
  }
  const Dirent* d = find_entry(es, "d");
  if (d) P9_EXPECT_EQ(static_cast<int>(d->qid.type & qid_type::DIR), static_cast<int>(qid_type::DIR));
}

TEST_F(Readdir, NamesAreBytesExactly) {
  P9_RULE("names are listed byte for byte (spaces, UTF-8, control bytes)",
          "intro(5): names are UTF-8 strings; Linux names are bytes");
  const std::vector<std::string> odd = {"with space", "caf\xc3\xa9", "tab\there", "-dash",
                                        std::string(255, 'L')};
  for (const auto& n : odd) make_file(dir(), n);
  auto got = names(listing({}));
  auto want = odd;
  std::sort(want.begin(), want.end());
  P9_EXPECT_EQ(got, want);
}

TEST_F(Readdir, ResumingFromTheLastCookieContinues) {
  P9_RULE(
      "Treaddir at the last entry's offset continues after it: small counts list the same names as one big "
      "call",
      "diod protocol.md readdir: 'offset ... returned in the previous entry'; Linux fs/9p/vfs_dir.c");
  for (int i = 0; i < 30; ++i) make_file(dir(), "e" + std::to_string(i));
  auto big = names(listing({}, c().msize() - static_cast<std::uint32_t>(READDIRHDRSZ)));
  auto small = names(listing({}, 64));
  P9_EXPECT_EQ(small, big);
  P9_EXPECT_EQ(big.size(), 30u);
}

TEST_F(Readdir, ResumingFromAnEarlierCookieRepeatsWhatFollows) {
  P9_RULE("a cookie can be reused: reading again from an entry's offset gives the entries after it",
          "telldir(3)/seekdir(3); Linux fs/9p/vfs_dir.c restarts from ctx->pos");
  for (int i = 0; i < 10; ++i) make_file(dir(), "e" + std::to_string(i));
  std::uint32_t d = open({}, access::RDONLY);
  auto all = readdir_all(d, 8192);
  ASSERT_GE(all.size(), 6u);
  std::vector<Dirent> rest(all.begin() + 4, all.end());
  auto again = readdir_all_from(d, all[3].offset);
  P9_EXPECT_EQ(names(again), names(rest));
  P9_EXPECT_EQ(again.size(), rest.size());
}

TEST_F(Readdir, OffsetZeroStartsAgain) {
  P9_RULE("Treaddir at offset 0 starts from the beginning, even after a complete listing",
          "rewinddir(3); Linux fs/9p/vfs_dir.c");
  for (int i = 0; i < 5; ++i) make_file(dir(), "e" + std::to_string(i));
  std::uint32_t d = open({}, access::RDONLY);
  auto first = readdir_all(d, 8192);
  auto second = readdir_all(d, 8192);
  P9_EXPECT_EQ(names(second), names(first));
  P9_EXPECT_EQ(second.size(), first.size());
}

TEST_F(Readdir, AtTheEndRepliesAreEmpty) {
  P9_RULE("after the last entry, Treaddir returns no entries (and keeps doing so)",
          "diod protocol.md readdir; getdents64(2) returns 0 at end");
  make_file(dir(), "a");
  std::uint32_t d = open({}, access::RDONLY);
  auto all = readdir_all(d, 8192);
  ASSERT_FALSE(all.empty());
  auto end1 = one(d, all.back().offset, 8192);
  auto end2 = one(d, all.back().offset, 8192);
  P9_EXPECT_EQ(end1.size(), 0u);
  P9_EXPECT_EQ(end2.size(), 0u);
}

TEST_F(Readdir, RepliesFitTheCount) {
  P9_RULE("an Rreaddir's entries never exceed the count asked for",
          "diod protocol.md readdir: 'count ... maximum bytes'; intro(5) read");
  for (int i = 0; i < 40; ++i) make_file(dir(), "name-" + std::to_string(i));
  std::uint32_t d = open({}, access::RDONLY);
  std::uint64_t off = 0;
  int calls = 0, over = 0;
  for (; calls < 1000; ++calls) {
    auto es = one(d, off, 100);
    if (es.empty()) break;
    if (wire_bytes(es) > 100) ++over;
    off = es.back().offset;
  }
  P9_EXPECT_EQ(over, 0);
  P9_EXPECT_EQ(calls > 10, true);
}

TEST_F(Readdir, CountAboveTheMsizeIsCapped) {
  P9_RULE("a Treaddir count of 0xFFFFFFFF is answered with an Rreaddir that fits the msize",
          "intro(5) read (the reply must fit msize); diod libnpfs/fcall.c np_readdir (count + header wraps)");
  P9_REQUIRE(Symlinks);
  // 700 entries of 124 bytes each: more than a 64 KiB reply holds.
  for (int i = 0; i < 700; ++i) {
    auto m = c().call<msg::Rsymlink>(
        msg::Tsymlink{dir(), std::string(95, 'n') + std::to_string(10000 + i), "t", 0});
    if (!m.ok()) {
      ADD_FAILURE() << "setup symlink failed\n" << c().transcript();
      break;
    }
  }
  std::uint32_t d = open({}, access::RDONLY);
  auto r = c().call<msg::Rreaddir>(msg::Treaddir{d, 0, 0xFFFFFFFFu});
  std::string got = outcome(r);
  if (r.ok()) {
    if (r->entries.empty())
      got = "empty listing";
    else
      got = wire_bytes(r->entries) <= c().msize() - kDataFrameOverhead ? "entries that fit"
                                                                       : "too many entries";
  }
  P9_EXPECT_EQ(got, std::string("entries that fit"));
}

TEST_F(Readdir, CountTooSmallForOneEntryIsEINVAL) {
  P9_RULE(
      "a count too small for the next entry is EINVAL, never an empty Rreaddir (which means the end) "
      "nor a cut entry",
      "getdents64(2) EINVAL 'result buffer is too small'; Linux fs/readdir.c filldir64 (buf->error = "
      "-EINVAL)");
  make_file(dir(), "a-long-enough-name");
  std::uint32_t d = open({}, access::RDONLY);
  auto r = c().call<msg::Rreaddir>(msg::Treaddir{d, 0, 10});
  P9_EXPECT_ERRNO(r, INVAL);
  // The refusal consumed nothing: a large enough count lists every entry.
  P9_EXPECT_EQ(names(readdir_all_from(d, 0)), std::vector<std::string>{"a-long-enough-name"});
}

TEST_F(Readdir, CountTooSmallAtTheEndIsAnEmptyReply) {
  P9_RULE("at the end of the directory even a count too small for any entry gets an empty Rreaddir",
          "getdents64(2): 0 at the end of the directory; Linux fs/readdir.c (no entry filled, no error)");
  make_file(dir(), "f");
  std::uint32_t d = open({}, access::RDONLY);
  auto all = readdir_all_from(d, 0);
  if (all.empty()) return;  // readdir_all_from reported it
  auto r = c().call<msg::Rreaddir>(msg::Treaddir{d, all.back().offset, 10});
  P9_EXPECT_OK(r);
  if (r.ok()) P9_EXPECT_EQ(r->entries.size(), 0u);
}

TEST_F(Readdir, OffsetAboveOffsetMaxIsEINVAL) {
  P9_RULE("a Treaddir offset above 2^63-1 is a negative position: EINVAL, as lseek(2) on the directory gives",
          "lseek(2) EINVAL 'the resulting file offset would be negative'; Linux fs/read_write.c vfs_setpos");
  make_file(dir(), "f");
  std::uint32_t d = open({}, access::RDONLY);
  P9_EXPECT_ERRNO(c().call<msg::Rreaddir>(msg::Treaddir{d, 1ULL << 63, 8192}), INVAL);
  P9_EXPECT_ERRNO(c().call<msg::Rreaddir>(msg::Treaddir{d, ~0ULL, 8192}), INVAL);
}

TEST_F(Readdir, OffsetNeverHandedOutListsOnlyRealEntriesOnce) {
  P9_RULE(
      "a Treaddir from an offset no entry carried is answered: only names of the directory, none twice; "
      "the fid still lists everything from offset 0 afterwards",
      "getdents64(2) after lseek(2) to any position up to 2^63-1 succeeds; which entries follow it is the "
      "file system's (ext4: hash order, tmpfs: its offset map)");
  for (const char* n : {"a", "b", "c", "d"}) make_file(dir(), n);
  std::uint32_t d = open({}, access::RDONLY);
  auto all = readdir_all_from(d, 0);
  std::set<std::uint64_t> handed_out;
  for (const auto& e : all) handed_out.insert(e.offset);
  const auto everything = names(all);
  for (std::uint64_t off : {(1ULL << 62) + 12345, (1ULL << 63) - 1, 7ULL}) {
    if (handed_out.count(off)) continue;  // not a fresh offset on this server
    auto r = c().call<msg::Rreaddir>(msg::Treaddir{d, off, 8192});
    P9_EXPECT_OK(r);
    if (!r.ok()) continue;
    std::string bad;
    for (const auto& [name, times] : tally(r->entries)) {
      bool known = name == "." || name == ".." ||
                   std::find(everything.begin(), everything.end(), name) != everything.end();
      if (times > 1 || !known) bad += name + " ";
    }
    P9_EXPECT_EQ(bad, std::string());
  }
  P9_EXPECT_EQ(names(readdir_all_from(d, 0)), everything);
}

TEST_F(Readdir, TwoThousandEntriesListedOnceWithSmallCounts) {
  P9_RULE("a 2,000-entry directory read with small counts lists every entry exactly once",
          "getdents64(2); Linux fs/9p/vfs_dir.c v9fs_dir_readdir_dotl resumes from each entry's offset");
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    auto m = c().call<msg::Rmkdir>(msg::Tmkdir{dir(), "e" + std::to_string(i), 0755, 0});
    if (!m.ok()) {
      ADD_FAILURE() << "setup mkdir failed\n" << c().transcript();
      break;
    }
  }
  auto t = tally(listing({}, 200));
  int missing = 0, dups = 0, extra = 0;
  for (int i = 0; i < n; ++i) {
    auto it = t.find("e" + std::to_string(i));
    if (it == t.end())
      ++missing;
    else if (it->second != 1)
      ++dups;
  }
  for (auto& [name, k] : t)
    if (name != "." && name != ".." && name[0] != 'e') ++extra;
  P9_EXPECT_EQ(missing, 0);
  P9_EXPECT_EQ(dups, 0);
  P9_EXPECT_EQ(extra, 0);
}

TEST_F(Readdir, RemovalsDuringAListingSkipNothing) {
  P9_RULE(
      "entries removed between Treaddirs do not make the listing skip or repeat entries present throughout",
      "readdir(3)/POSIX: entries not removed are returned once; telldir(3): an offset is a cookie, not an "
      "index");
  for (int i = 0; i < 40; ++i) make_file(dir(), "k" + std::to_string(i));
  std::uint32_t d = open({}, access::RDONLY);
  std::vector<Dirent> seen;
  std::uint64_t off = 0;
  bool removed = false;
  for (int calls = 0; calls < 10000; ++calls) {
    auto es = one(d, off, 120);
    if (es.empty()) break;
    for (auto& e : es) seen.push_back(e);
    off = es.back().offset;
    if (!removed && seen.size() >= 12) {
      // Remove everything already listed: an index-based offset would now skip.
      for (auto& e : seen)
        if (e.name != "." && e.name != "..") {
          auto u = unlink_at(dir(), e.name);
          if (!u.ok()) ADD_FAILURE() << "cannot remove " << e.name << "\n" << c().transcript();
        }
      removed = true;
    }
  }
  auto t = tally(seen);
  int missing = 0, dups = 0;
  for (int i = 0; i < 40; ++i) {
    auto it = t.find("k" + std::to_string(i));
    if (it == t.end())
      ++missing;
    else if (it->second != 1)
      ++dups;
  }
  P9_EXPECT_EQ(missing, 0);
  P9_EXPECT_EQ(dups, 0);
}

TEST_F(Readdir, AdditionsDuringAListingRepeatNothing) {
  P9_RULE("entries added between Treaddirs do not make entries present throughout repeat or vanish",
          "readdir(3)/POSIX: an entry added or removed meanwhile may or may not be returned, the others "
          "exactly once");
  for (int i = 0; i < 40; ++i) make_file(dir(), "k" + std::to_string(i));
  std::uint32_t d = open({}, access::RDONLY);
  std::vector<Dirent> seen;
  std::uint64_t off = 0;
  int round = 0;
  for (int calls = 0; calls < 10000; ++calls) {
    auto es = one(d, off, 120);
    if (es.empty()) break;
    for (auto& e : es) seen.push_back(e);
    off = es.back().offset;
    if (round < 3) {
      for (int j = 0; j < 5; ++j) make_file(dir(), "new" + std::to_string(round) + "_" + std::to_string(j));
      ++round;
    }
  }
  auto t = tally(seen);
  int missing = 0, dups = 0;
  for (auto& [name, k] : t)
    if (k != 1) ++dups;
  for (int i = 0; i < 40; ++i)
    if (!t.count("k" + std::to_string(i))) ++missing;
  P9_EXPECT_EQ(missing, 0);
  P9_EXPECT_EQ(dups, 0);
}

TEST_F(Readdir, CreatedAndRemovedNamesShowInANewListing) {
  P9_RULE("a new listing shows a created name and no longer shows a removed one", "getdents64(2)");
  make_file(dir(), "a");
  make_file(dir(), "b");
  auto u = unlink_at(dir(), "a");  // Tremove where Tunlinkat is refused, as Linux does
  P9_EXPECT_OK(u);
  make_file(dir(), "c");
  P9_EXPECT_EQ(names(listing({})), (std::vector<std::string>{"b", "c"}));
}

TEST_F(Readdir, OfARegularFileIsENOTDIR) {
  P9_RULE("Treaddir on an opened regular file fails with ENOTDIR", "getdents64(2) ENOTDIR");
  make_file(dir(), "f", "x");
  std::uint32_t f = open({"f"}, access::RDONLY);
  auto r = c().call<msg::Rreaddir>(msg::Treaddir{f, 0, 8192});
  P9_EXPECT_ERRNO(r, NOTDIR);
}

TEST_F(Readdir, OnAFidNotOpenedIsRefused) {
  P9_RULE("Treaddir on a directory fid that was not opened fails",
          "diod protocol.md readdir (fid from Tlopen); getdents64(2) EBADF");
  std::uint32_t d = walk(dir(), {});
  auto r = c().call<msg::Rreaddir>(msg::Treaddir{d, 0, 8192});
  P9_EXPECT_EQ(outcome(r), std::string("Rlerror"));
}

TEST_F(Readdir, SeveralOpensListIndependently) {
  P9_RULE("two open fids on one directory each list it whole, interleaved",
          "opendir(3): each stream has its own position");
  for (int i = 0; i < 20; ++i) make_file(dir(), "e" + std::to_string(i));
  std::uint32_t a = open({}, access::RDONLY), b = open({}, access::RDONLY);
  std::vector<Dirent> la, lb;
  std::uint64_t oa = 0, ob = 0;
  bool done_a = false, done_b = false;
  for (int i = 0; i < 1000 && !(done_a && done_b); ++i) {
    if (!done_a) {
      auto es = one(a, oa, 100);
      if (es.empty()) done_a = true;
      for (auto& e : es) la.push_back(e);
      if (!es.empty()) oa = es.back().offset;
    }
    if (!done_b) {
      auto es = one(b, ob, 150);
      if (es.empty()) done_b = true;
      for (auto& e : es) lb.push_back(e);
      if (!es.empty()) ob = es.back().offset;
    }
  }
  P9_EXPECT_EQ(names(la), names(lb));
  P9_EXPECT_EQ(names(la).size(), 20u);
}

}  // namespace
}  // namespace p9::conformance
