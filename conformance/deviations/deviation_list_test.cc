// The shared deviation-list reader (deviation_list.h): the rows it gives,
// the rows it refuses, and which targets a target cell names.
#include "conformance/deviations/deviation_list.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

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
