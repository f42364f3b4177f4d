// CCXLocator (edx-ccx-keys): ccx-v1 only, IGNORECASE prefixes with Python's Unicode folding, hex in
// either case, the ccx id kept verbatim, and its relation to CourseKey (reference §5).
#include <gtest/gtest.h>

#include <sstream>

#include "key_test_support.hpp"
#include "openedx_events/keys.hpp"

namespace {

using namespace openedx_events::keys;
using openedx_events::keys::testing::expect_invalid;
using openedx_events::keys::testing::expect_round_trip;
using openedx_events::keys::testing::printed;

TEST(CCXLocator, AcceptsCanonicalKeysAndPrintsThemUnchanged) {
  expect_round_trip<CCXLocator>({
      "ccx-v1:mit.eecs+6002x+2014_T2+branch@draft-1+version@519665f6223ebd6980884f2b+ccx@1",
      "ccx-v1:org+course+run+ccx@1",
      "ccx-v1:version@519665f6223ebd6980884f2b+ccx@7",
  });
  const auto key = CCXLocator::from_string("ccx-v1:org+course+run+branch@b+ccx@12");
  EXPECT_EQ(key.org(), "org");
  EXPECT_EQ(key.course(), "course");
  EXPECT_EQ(key.run(), "run");
  EXPECT_EQ(key.branch(), "b");
  EXPECT_EQ(key.ccx(), "12");
}

TEST(CCXLocator, MatchesPrefixesCaseInsensitivelyAndPrintsThemLowercase) {
  EXPECT_EQ(printed<CCXLocator>("ccx-v1:org+course+run+CCX@1"), "ccx-v1:org+course+run+ccx@1");
  EXPECT_EQ(printed<CCXLocator>("ccx-v1:org+course+run+Branch@b+ccx@1"), "ccx-v1:org+course+run+branch@b+ccx@1");
  EXPECT_EQ(printed<CCXLocator>("ccx-v1:org+course+run+ccx@1+TYPE@problem+BLOCK@x"), "ccx-v1:org+course+run+ccx@1");
}

TEST(CCXLocator, FoldsLongSDottedAndDotlessIAndKelvinSignLikePython) {
  const char* expected = "ccx-v1:org+course+run+version@519665f6223ebd6980884f2b+ccx@1";
  EXPECT_EQ(printed<CCXLocator>("ccx-v1:org+course+run+verſion@519665f6223ebd6980884f2b+ccx@1"), expected);
  EXPECT_EQ(printed<CCXLocator>("ccx-v1:org+course+run+versİon@519665f6223ebd6980884f2b+ccx@1"), expected);
  EXPECT_EQ(printed<CCXLocator>("ccx-v1:org+course+run+versıon@519665f6223ebd6980884f2b+ccx@1"), expected);
  EXPECT_EQ(printed<CCXLocator>("ccx-v1:org+course+run+ccx@1+bloc\u212a@x"), "ccx-v1:org+course+run+ccx@1");
  // Other look-alikes are not folded.
  expect_invalid<CCXLocator>({"ccx-v1:org+course+run+ｃcx@1", "ccx-v1:org+course+run+çcx@1"});
}

TEST(CCXLocator, AcceptsUppercaseHexAndPrintsItLowercase) {
  const auto upper = CCXLocator::from_string("ccx-v1:org+course+run+version@519665F6223EBD6980884F2B+ccx@1");
  const auto lower = CCXLocator::from_string("ccx-v1:org+course+run+version@519665f6223ebd6980884f2b+ccx@1");
  EXPECT_EQ(upper.to_string(), "ccx-v1:org+course+run+version@519665f6223ebd6980884f2b+ccx@1");
  EXPECT_EQ(upper, lower);  // the same ObjectId
}

TEST(CCXLocator, KeepsTheCcxIdVerbatim) {
  expect_round_trip<CCXLocator>({"ccx-v1:org+course+run+ccx@01", "ccx-v1:org+course+run+ccx@١٢"});
  EXPECT_NE(CCXLocator::from_string("ccx-v1:org+course+run+ccx@01"),
            CCXLocator::from_string("ccx-v1:org+course+run+ccx@1"));
}

TEST(CCXLocator, PrintsOnlyTheVersionWhenTheRunIsMissing) {
  EXPECT_EQ(printed<CCXLocator>("ccx-v1:org+course+version@519665f6223ebd6980884f2b+ccx@1"),
            "ccx-v1:version@519665f6223ebd6980884f2b+ccx@1");
}

TEST(CCXLocator, RejectsTheInvalidExamplesOfTheReference) {
  expect_invalid<CCXLocator>({
      "ccx-v1:org+course+run",
      "ccx-v1:org+course+ccx@1",
      "ccx-v1:ccx@1",
      "ccx-v1:org+course+run+ccx@",
      "ccx-v1:org+course+run+ccx@-1",
      "ccx-v1:org+course+run+ccx@abc",
      "ccx-v1:org+course+run+ccx@1+ccx@2",
      "ccx-v1:org+course+run+ccx@1+branch@b",
      "ccx-v1:org+course+run+ccx@1+block@a%20b",
      "ccx-v1:org+course+run+version@519665f6223ebd6980884f2+ccx@1",
      "ccx-v1:org+course+run+ccx@1+",
      "ccx-v1:org+course+run+ccx@1\n",
      "CCX-V1:org+course+run+ccx@1",
      "ccx-v1:",
  });
}

TEST(CCXLocator, AcceptsOnlyTheCcxNamespaceWithoutFallback) {
  expect_invalid<CCXLocator>({"course-v1:org+course+run", "org/course/run", "library-v1:org+lib",
                              "ccx-block-v1:org+course+run+ccx@1+type@t+block@b"});
}

TEST(CCXLocator, ConvertsToTheCourseKeyItIsButNeverEqualsACourseLocator) {
  const auto ccx = CCXLocator::from_string("ccx-v1:org+course+run+ccx@1");
  const CourseKey as_course = ccx;
  EXPECT_EQ(as_course.kind(), CourseKey::Kind::ccx);
  EXPECT_EQ(as_course, CourseKey::from_string("ccx-v1:org+course+run+ccx@1"));
  EXPECT_NE(as_course, CourseKey::from_string("course-v1:org+course+run"));
  EXPECT_EQ(ccx.to_course_locator(), CourseKey::from_string("course-v1:org+course+run"));
  EXPECT_EQ(CCXLocator::from_course_key(as_course), ccx);
  EXPECT_FALSE(CCXLocator::from_course_key(CourseKey::from_string("course-v1:org+course+run")));
}

TEST(CCXLocator, ToCourseLocatorKeepsFieldsThatAreNotPrinted) {
  const auto ccx = CCXLocator::from_string("ccx-v1:org+course+version@519665f6223ebd6980884f2b+ccx@1");
  const auto course = ccx.to_course_locator();
  EXPECT_EQ(course.org(), "org");
  EXPECT_EQ(course.to_string(), "course-v1:version@519665f6223ebd6980884f2b");
}

TEST(CCXLocator, UnsetLocatorIsEmpty) {
  const CCXLocator unset;
  EXPECT_TRUE(unset.empty());
  EXPECT_EQ(unset.ccx(), "");
  EXPECT_TRUE(unset.to_course_locator().empty());
  std::ostringstream out;
  out << unset;
  EXPECT_EQ(out.str(), "None");
}

}  // namespace
