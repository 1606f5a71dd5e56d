// The shared deviation-list reader (deviation_list.h): the rows it gives,
// the rows it refuses, and which targets a target cell names.
#include "conformance/deviations/deviation_list.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "conformance/deviations/fid_names.h"

namespace p9::deviations {
namespace {

const std::vector<std::string> kHeader = {"target", "case", "reason"};

class DeviationListFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/deviation_list_test.XXXXXX";
    int fd = ::mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    ::close(fd);
    path_ = tmpl;
  }
  void TearDown() override { std::remove(path_.c_str()); }
  bool read_text(const std::string& text) {
    std::ofstream(path_) << text;
    rows_.clear();
    error_.clear();
    return read(path_, kHeader, &rows_, &error_);
  }
  std::string path_, error_;
  std::vector<Row> rows_;
};

TEST_F(DeviationListFile, ReadsTheRowsOfEveryTableAndIgnoresProse) {
  ASSERT_TRUE(
      read_text("# title\n\nprose | with a bar\n\n| target | case | reason |\n|---|---|---|\n"
                "| diod | A.B | `Rlerror EIO` |\n\n## more\n\n| target | case | reason |\n|---|:--|---|\n"
                "| p9ref-posix, diod | C.D | why ` inside ` |\n"))
      << error_;
  ASSERT_EQ(rows_.size(), 2u);
  EXPECT_EQ(rows_[0].line, 7);
  EXPECT_EQ(rows_[0].cells, (std::vector<std::string>{"diod", "A.B", "Rlerror EIO"}));
  EXPECT_EQ(rows_[1].line, 13);
  EXPECT_EQ(rows_[1].cells, (std::vector<std::string>{"p9ref-posix, diod", "C.D", "why ` inside `"}));
}

TEST_F(DeviationListFile, RefusesARowWithAnEmptyOrMissingCell) {
  EXPECT_FALSE(read_text("| target | case | reason |\n|---|---|---|\n| diod | A.B |  |\n"));
  EXPECT_EQ(error_.rfind(path_ + ":3: a row needs 3 non-empty cells", 0), 0u) << error_;
  EXPECT_FALSE(read_text("| target | case | reason |\n|---|---|---|\n| diod | A.B |\n"));
  EXPECT_FALSE(read_text("| target | case | reason |\n|---|---|---|\n| diod | A.B | x | y |\n"));
}

TEST_F(DeviationListFile, RefusesATableWithAnotherHeader) {
  EXPECT_FALSE(read_text("| target | test | reason |\n|---|---|---|\n| diod | A.B | x |\n"));
  EXPECT_EQ(error_, path_ + ":1: a table's header must be | target | case | reason |");
}

TEST_F(DeviationListFile, AMissingFileIsAnError) {
  std::vector<Row> rows;
  std::string error;
  EXPECT_FALSE(read(path_ + ".absent", kHeader, &rows, &error));
  EXPECT_NE(error.find(".absent"), std::string::npos);
}

TEST_F(DeviationListFile, ReadsTablesOfSeveralHeadersAndSaysWhichEachRowIs) {
  std::ofstream(path_)
      << "| target | case | reason |\n|---|---|---|\n| diod | A.B | x |\n\n"
         "| target | request | reference reply | server reply | class | reason |\n"
         "|---|---|---|---|---|---|\n| diod | Tgetattr | Rgetattr | Rlerror ENOENT | data | y |\n";
  std::vector<Row> rows;
  std::string error;
  ASSERT_TRUE(read_tables(path_, {kHeader, kRuleHeader}, &rows, &error)) << error;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].table, 0);
  EXPECT_EQ(rows[1].table, 1);
  EXPECT_EQ(rows[1].line, 7);
  // A list read for one kind of table refuses the other.
  EXPECT_FALSE(read(path_, kHeader, &rows, &error));
  EXPECT_EQ(error, path_ + ":5: a table's header must be | target | case | reason |");
}

// A rule row's cells as read_tables gives them.
Row rule_row(std::vector<std::string> cells) { return Row{12, std::move(cells), 1}; }

TEST(Rules, ParseTheirCells) {
  Rule r;
  std::string error;
  ASSERT_TRUE(parse_rule("list.md",
                         rule_row({"diod, p9ref-*", "Tgetattr stale-fid", "Rgetattr *",
                                   "Rlerror ENOENT, Rlerror EIO", "Linux-visible", "why"}),
                         &r, &error))
      << error;
  EXPECT_EQ(r.type, "Tgetattr");
  EXPECT_EQ(r.qualifier, "stale-fid");
  EXPECT_EQ(r.reference, (std::vector<std::string>{"Rgetattr *"}));
  EXPECT_EQ(r.server, (std::vector<std::string>{"Rlerror ENOENT", "Rlerror EIO"}));
  EXPECT_EQ(r.where(), "list.md:12");
  EXPECT_EQ(r.text(),
            "diod, p9ref-* | Tgetattr stale-fid | Rgetattr * | Rlerror ENOENT, Rlerror EIO | Linux-visible");
}

TEST(Rules, MalformedCellsAreRefusedWithFileAndLine) {
  Rule r;
  std::string error;
  auto refused = [&](std::vector<std::string> cells, const std::string& what) {
    error.clear();
    EXPECT_FALSE(parse_rule("list.md", rule_row(std::move(cells)), &r, &error));
    EXPECT_EQ(error.rfind("list.md:12: ", 0), 0u) << error;
    EXPECT_NE(error.find(what), std::string::npos) << error;
  };
  refused({"diod", "Twalkk", "*", "*", "data", "x"}, "'Twalkk' is no request type");
  refused({"diod", "Rwalk", "*", "*", "data", "x"}, "'Rwalk' is no request type");
  refused({"diod", "Twalk deep", "*", "*", "data", "x"}, "unknown qualifier 'deep'");
  refused({"diod", "Twalk", "Twalk", "*", "data", "x"}, "reference reply: 'Twalk' is no reply type");
  refused({"diod", "Twalk", "*", "Rlerror ENOPE", "data", "x"}, "server reply: 'ENOPE' is no errno name");
  refused({"diod", "Twalk", "Rwalk 3", "*", "data", "x"}, "only Rlerror takes more");
  refused({"diod", "Twalk", "*", "*", "bad", "x"}, "class 'bad'");
  refused({"diod", "Twalk", "*", "*", "data"}, "a rule needs 6 cells");
}

TEST(Rules, MatchTargetRequestAndBothReplies) {
  Rule r;
  std::string error;
  ASSERT_TRUE(
      parse_rule("l", rule_row({"diod", "Tgetattr", "Rgetattr", "Rlerror ENOENT", "data", "x"}), &r, &error));
  const RuleRequest getattr{"Tgetattr", {}};
  EXPECT_TRUE(rule_matches(r, "diod", getattr, "Rgetattr", "Rlerror ENOENT"));
  EXPECT_FALSE(rule_matches(r, "p9ref-posix", getattr, "Rgetattr", "Rlerror ENOENT"));
  EXPECT_FALSE(rule_matches(r, "diod", RuleRequest{"Tlopen", {}}, "Rgetattr", "Rlerror ENOENT"));
  EXPECT_FALSE(rule_matches(r, "diod", getattr, "Rgetattr", "Rlerror EIO"));
  EXPECT_FALSE(rule_matches(r, "diod", getattr, "Rlerror ENOENT", "Rgetattr"));  // the other way round
  EXPECT_FALSE(rule_matches(r, "diod", getattr, "Rgetattr", ""));                // no reply
  // A qualifier must hold too.
  ASSERT_TRUE(
      parse_rule("l", rule_row({"diod", "Tgetattr stale-fid", "*", "Rlerror *", "data", "x"}), &r, &error));
  EXPECT_FALSE(rule_matches(r, "diod", getattr, "Rgetattr", "Rlerror ENOENT"));
  EXPECT_TRUE(rule_matches(r, "diod", RuleRequest{"Tgetattr", {"stale-fid"}}, "Rgetattr", "Rlerror ENOENT"));
  EXPECT_FALSE(rule_matches(r, "diod", RuleRequest{"Tgetattr", {"stale-fid"}}, "Rgetattr", "Rgetattr"));
  // "*" is any reply that came, "no reply" none.
  ASSERT_TRUE(parse_rule("l", rule_row({"*", "*", "*", "no reply", "crash/hang", "x"}), &r, &error));
  EXPECT_TRUE(rule_matches(r, "any", RuleRequest{"Tread", {}}, "Rread", ""));
  EXPECT_FALSE(rule_matches(r, "any", RuleRequest{"Tread", {}}, "", ""));
}

TEST(Rules, ReplyTexts) {
  EXPECT_EQ(reply_text(7, 2), "Rlerror ENOENT");
  EXPECT_EQ(reply_text(25, 0), "Rgetattr");
  EXPECT_EQ(reply_text(0, 0), "");
}

// A session as a server answers it: qid.path 1 the root, 2 "d", 3 "d/f", 4 "e".
Qid q(std::uint64_t path) { return Qid{0, 0, path}; }

TEST(FidNames, AFidIsStaleOnceANameItWasReachedByLeadsElsewhere) {
  FidNames n;
  n.exchange(0, msg::Tattach{1, 0xFFFFFFFFu, "root", "", 0}, msg::Rattach{q(1)});
  n.exchange(0, msg::Twalk{1, 2, {"d", "f"}}, msg::Rwalk{{q(2), q(3)}});  // fid 2 on d/f
  n.exchange(0, msg::Twalk{1, 3, {"d"}}, msg::Rwalk{{q(2)}});             // fid 3 on d
  n.exchange(0, msg::Tmkdir{1, "e", 0755, 0}, msg::Rmkdir{q(4)});
  n.exchange(0, msg::Twalk{1, 4, {"e"}}, msg::Rwalk{{q(4)}});  // fid 4 on e
  EXPECT_FALSE(n.stale(0, msg::Tgetattr{2, 0}));
  // A directory above it is renamed (through fid 3, which follows its file).
  n.exchange(0, msg::Trename{3, 4, "d2"}, msg::Rrename{});
  EXPECT_TRUE(n.stale(0, msg::Tgetattr{2, 0}));
  EXPECT_TRUE(n.stale(0, msg::Tlopen{2, 0}));
  EXPECT_FALSE(n.stale(0, msg::Tgetattr{3, 0}));
  EXPECT_FALSE(n.stale(1, msg::Tgetattr{2, 0}));  // another connection's fid 2 is unknown
  // Walked again by its new name: not stale; unlinked: stale.
  n.exchange(0, msg::Twalk{4, 5, {"d2", "f"}}, msg::Rwalk{{q(2), q(3)}});
  EXPECT_FALSE(n.stale(0, msg::Tgetattr{5, 0}));
  n.exchange(0, msg::Twalk{4, 6, {"d2"}}, msg::Rwalk{{q(2)}});
  n.exchange(0, msg::Tunlinkat{6, "f", 0}, msg::Runlinkat{});
  EXPECT_TRUE(n.stale(0, msg::Tgetattr{5, 0}));
  // A refused request changes nothing.
  n.exchange(0, msg::Tunlinkat{4, "d2", 0}, msg::Rlerror{39});
  EXPECT_FALSE(n.stale(0, msg::Tgetattr{6, 0}));
}

TEST(FidNames, RemoveForgetsTheNameOfItsFid) {
  FidNames n;
  n.exchange(0, msg::Tattach{1, 0xFFFFFFFFu, "root", "", 0}, msg::Rattach{q(1)});
  n.exchange(0, msg::Twalk{1, 2, {"f"}}, msg::Rwalk{{q(3)}});
  n.exchange(0, msg::Twalk{1, 3, {"f"}}, msg::Rwalk{{q(3)}});
  n.exchange(0, msg::Tremove{3}, msg::Rremove{});  // the fallback Linux takes from Tunlinkat
  EXPECT_TRUE(n.stale(0, msg::Tgetattr{2, 0}));
}

// A recording that starts after the case's directory (fid 1) was walked to:
// without adopt_unknown_fids nothing walked from fid 1 is followed.
TEST(FidNames, AdoptedFidsAreFollowedFromTheMiddleOfASession) {
  for (bool adopt : {false, true}) {
    FidNames n;
    if (adopt) n.adopt_unknown_fids();
    n.exchange(0, msg::Tmkdir{1, "d", 0755, 0}, msg::Rmkdir{q(2)});
    n.exchange(0, msg::Twalk{1, 2, {"d"}}, msg::Rwalk{{q(2)}});
    n.exchange(0, msg::Twalk{1, 3, {"d"}}, msg::Rwalk{{q(2)}});
    n.exchange(0, msg::Trename{3, 1, "e"}, msg::Rrename{});
    EXPECT_EQ(n.stale(0, msg::Tlopen{2, 0}), adopt);
    EXPECT_FALSE(n.stale(0, msg::Tlopen{3, 0}));
  }
}

TEST(DeviationNames, ListsAndPatterns) {
  EXPECT_TRUE(names("diod", "diod"));
  EXPECT_FALSE(names("diod", "diod2"));
  EXPECT_FALSE(names("differential:diod", "diod"));
  EXPECT_TRUE(names("reference-model, reference-posix", "reference-posix"));
  EXPECT_FALSE(names("reference-model, reference-posix", "p9ref-posix"));
  EXPECT_TRUE(names("*", "anything"));
  EXPECT_TRUE(names("reference-*", "reference-model"));
  EXPECT_FALSE(names("reference-*", "p9ref-model"));
  EXPECT_TRUE(names("recorded:diod", "recorded:diod"));
}

}  // namespace
}  // namespace p9::deviations
