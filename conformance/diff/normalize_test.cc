// The shared reply normaliser (normalize.h): the qid map's two reuse
// policies, the comparison and the listing difference.
#include "conformance/diff/normalize.h"

#include <gtest/gtest.h>

namespace p9::diff {
namespace {

Qid file(std::uint64_t path) { return Qid{0, 0, path}; }

TEST(QidMap, OneToOneUnderBothPolicies) {
  for (auto reuse : {QidMap::Reuse::kOtherSide, QidMap::Reuse::kForgottenOnly}) {
    QidMap m(reuse);
    std::string why;
    EXPECT_TRUE(m.check(file(1), file(100), &why));
    EXPECT_TRUE(m.check(file(1), file(100), &why));
    EXPECT_FALSE(m.check(file(1), file(101), &why));
    EXPECT_EQ(why.rfind("one object, two numbers: reference qid.path 1 stood for other side 100", 0), 0u)
        << why;
    EXPECT_FALSE(m.check(Qid{0x80, 0, 1}, file(100), &why));
    EXPECT_EQ(why.rfind("qid type differs", 0), 0u) << why;
  }
}

TEST(QidMap, OtherSideReuseRetiresTheOldReferenceNumber) {
  QidMap m;
  std::string why;
  ASSERT_TRUE(m.check(file(1), file(100), &why));
  EXPECT_TRUE(m.check(file(2), file(100), &why)) << why;  // 100 reused for a new object
  EXPECT_FALSE(m.check(file(1), file(100), &why));
  EXPECT_NE(why.find("reappeared"), std::string::npos) << why;
}

TEST(QidMap, ForgottenOnlyRefusesReuseUntilForgotten) {
  QidMap m(QidMap::Reuse::kForgottenOnly, "recorded", "replayed");
  std::string why;
  ASSERT_TRUE(m.check(file(1), file(100), &why));
  EXPECT_FALSE(m.check(file(2), file(100), &why));
  EXPECT_EQ(why, "two objects, one number: replayed qid.path 100 stood for recorded 1 earlier, now for 2");
  m.forget(1);
  EXPECT_TRUE(m.check(file(2), file(100), &why)) << why;  // the replay server reused it
  m.forget(2);
  EXPECT_TRUE(m.check(file(2), file(200), &why)) << why;  // the recorded server reused it
  EXPECT_TRUE(m.check(file(1), file(300), &why)) << why;  // forgotten numbers are not retired
}

TEST(NormalizeCompare, TypesErrnosQidsAndIgnoredFields) {
  QidMap m;
  Message a = msg::Rlerror{2}, b = msg::Rlerror{13};
  EXPECT_EQ(compare(a, b, m), "errno differs");
  EXPECT_EQ(compare(a, Message{msg::Rclunk{}}, m), "reply type differs");
  msg::Rgetattr g1, g2;
  g1.qid = file(5);
  g2.qid = file(50);
  g1.mtime_sec = 1;
  g2.mtime_sec = 2;
  EXPECT_EQ(compare(g1, g2, m), "");
  g2.nlink = 3;
  EXPECT_EQ(compare(g1, g2, m), "reply differs");
}

TEST(NormalizeListings, DifferenceIsCappedPerSide) {
  EntrySet ref, other;
  for (int k = 0; k < 10; ++k) ref.insert({"f" + std::to_string(k), 8});
  other.insert({"x", 4});
  EXPECT_EQ(describe_difference(ref, other, 2),
            "missing: \"f0\"/8, \"f1\"/8, ... (10 in all); extra: \"x\"/4; ");
  EXPECT_EQ(describe_difference(ref, ref), "");
}

}  // namespace
}  // namespace p9::diff
