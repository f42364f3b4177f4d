// CourseKey: course-v1 (and slashes), the deprecated org/course/run form, library-v1, and the
// Python equality and printing rules (reference §3, §4, §6, §2.4).
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "key_test_support.hpp"
#include "openedx_events/keys.hpp"

namespace {

using namespace openedx_events::keys;
using openedx_events::keys::testing::expect_invalid;
using openedx_events::keys::testing::expect_round_trip;
using openedx_events::keys::testing::printed;

constexpr const char* kVersion = "519665f6223ebd6980884f2b";

TEST(CourseKeyCourseV1, AcceptsCanonicalKeysAndPrintsThemUnchanged) {
  expect_round_trip<CourseKey>({
      "course-v1:edX+DemoX+Demo_Course",
      "course-v1:mit.eecs+~6002x+2014_T2+branch@draft-1+version@519665f6223ebd6980884f2b",
      "course-v1:org+course+run+branch@b",
      "course-v1:version@519665f6223ebd6980884f2b",
      "course-v1:Ωrg+cöurse+rün",
  });
}

TEST(CourseKeyCourseV1, ExposesFieldsAndKind) {
  const auto key = CourseKey::from_string("course-v1:org+course+run+branch@draft+version@519665f6223ebd6980884f2b");
  EXPECT_EQ(key.kind(), CourseKey::Kind::course);
  EXPECT_TRUE(key.is_course());
  EXPECT_FALSE(key.deprecated());
  EXPECT_EQ(key.org(), "org");
  EXPECT_EQ(key.course(), "course");
  EXPECT_EQ(key.run(), "run");
  EXPECT_EQ(key.branch(), "draft");
  EXPECT_EQ(key.version_guid(), kVersion);
  EXPECT_FALSE(key.ccx());
  EXPECT_EQ(key.canonical_namespace(), "course-v1");
}

TEST(CourseKeyCourseV1, DropsTypeAndBlockParts) {
  EXPECT_EQ(printed<CourseKey>("course-v1:org+course+run+type@problem+block@x"), "course-v1:org+course+run");
  EXPECT_EQ(printed<CourseKey>("course-v1:version@519665f6223ebd6980884f2b+block@hw3"),
            "course-v1:version@519665f6223ebd6980884f2b");
  // Only the pattern sees the block value, and it allows '%'.
  EXPECT_EQ(printed<CourseKey>("course-v1:org+course+run+type@problem+block@a%20b"), "course-v1:org+course+run");
}

TEST(CourseKeyCourseV1, PrintsOnlyTheVersionWhenCourseAndRunAreNotBothSet) {
  const auto key = CourseKey::from_string("course-v1:org+course+version@519665f6223ebd6980884f2b");
  EXPECT_EQ(key.to_string(), "course-v1:version@519665f6223ebd6980884f2b");
  // The fields are kept even though they are not printed.
  EXPECT_EQ(key.org(), "org");
  EXPECT_EQ(key.course(), "course");
  EXPECT_FALSE(key.run());
  EXPECT_EQ(printed<CourseKey>("course-v1:org+course+branch@b+version@519665f6223ebd6980884f2b"),
            "course-v1:version@519665f6223ebd6980884f2b");
  EXPECT_EQ(printed<CourseKey>("course-v1:branch@draft+version@519665f6223ebd6980884f2b"),
            "course-v1:version@519665f6223ebd6980884f2b");
}

TEST(CourseKeyCourseV1, RejectsTheInvalidExamplesOfTheReference) {
  expect_invalid<CourseKey>({
      "course-v1:",
      "course-v1:org+course",
      "course-v1:org+course+run+",
      "course-v1:org+course+run\n",
      "course-v1:org+course+run ",
      "course-v1:org++run",
      "course-v1:+course+run",
      "course-v1:a+b+c+d",
      "course-v1:org+course+run+branch@",
      "course-v1:org+course+run+branch@b+branch@c",
      "course-v1:org+course+run+version@519665f6223ebd6980884f2b+branch@b",
      "course-v1:org+course+run+ccx@1",
      "course-v1:org+co%20urse+run",
      "course-v1:test+mit.ee cs+2014_T2",
      "course-v1:org+c\u0301ourse+run",
      "course-v1:org+course+run+version@519665F6223EBD6980884F2B",
      "Course-V1:org+course+run",
      "course-v1:org/course/run",
      "course-v1:org+course+branch@b",
      "course-v1:org",
  });
}

TEST(CourseKeyCourseV1, RequiresAVersionOfExactly24LowercaseHexDigits) {
  expect_invalid<CourseKey>({
      "course-v1:org+course+run+version@519665f6223ebd6980884f2",    // 23
      "course-v1:org+course+run+version@519665f6223ebd6980884f2b00",  // 26
      "course-v1:org+course+run+version@519665f6223ebd6980884f2g",    // not hex
      "course-v1:org+course+run+version@",
  });
}

TEST(CourseKeyCourseV1, AllowsColonsInIdsAndSplitsTheNamespaceAtTheFirstColon) {
  expect_round_trip<CourseKey>({"course-v1:org:x+cou:rse+run:1"});
  const auto key = CourseKey::from_string("course-v1:course-v1:a+b+c");
  EXPECT_EQ(key.org(), "course-v1:a");
  EXPECT_EQ(key.to_string(), "course-v1:course-v1:a+b+c");
}

TEST(CourseKeyCourseV1, NeverTrimsOrCaseFoldsTheInput) {
  expect_invalid<CourseKey>({" course-v1:a+b+c", "course-v1:a+b+c ", "course-v1:a+b+c\n", "\tcourse-v1:a+b+c",
                             "COURSE-V1:a+b+c", "course-v1:a+b+c+Branch@x", "course-v1:a+b+c+BRANCH@x"});
}

TEST(CourseKeyCourseV1, HasNoLengthLimit) {
  const std::string org(100000, 'o');
  const std::string input = "course-v1:" + org + "+course+run";
  EXPECT_EQ(CourseKey::from_string(input).to_string(), input);
}

TEST(CourseKeySlashes, IsAnAliasOfCourseV1AndPrintsAsCourseV1) {
  const auto alias = CourseKey::from_string("slashes:DemoUniversity+DM01+2014");
  EXPECT_EQ(alias.to_string(), "course-v1:DemoUniversity+DM01+2014");
  EXPECT_FALSE(alias.deprecated());
  EXPECT_EQ(alias, CourseKey::from_string("course-v1:DemoUniversity+DM01+2014"));
  expect_invalid<CourseKey>({"slashes:org/course/run", "Slashes:org+course+run"});
}

TEST(CourseKeyDeprecated, AcceptsOrgCourseRunAndPrintsItUnchanged) {
  expect_round_trip<CourseKey>({"org/course/run", "org/course/", "org/course/run%20", "Ωrg/cöurse/rün",
                                "org.x-y%z/c_1/r.2-3%"});
  const auto key = CourseKey::from_string("org/course/run");
  EXPECT_TRUE(key.deprecated());
  EXPECT_EQ(key.kind(), CourseKey::Kind::course);
  EXPECT_EQ(key.canonical_namespace(), "course-v1");
  EXPECT_FALSE(key.branch());
  EXPECT_FALSE(key.version_guid());
}

TEST(CourseKeyDeprecated, KeepsAnEmptyRunAsEmptyNotMissing) {
  const auto key = CourseKey::from_string("org/course/");
  ASSERT_TRUE(key.run());
  EXPECT_EQ(*key.run(), "");
}

TEST(CourseKeyDeprecated, RejectsTheInvalidExamplesOfTheReference) {
  expect_invalid<CourseKey>({"/course/run", "org//run", "org/cou rse/run", "org/course/run:x", "org/course/run~1",
                             "org/course/run/extra", "org/course", "foo!/bar/baz", "org/course/run+x",
                             "org/course/run\n", "org/co\u00a0urse/run"});
}

TEST(CourseKeyDeprecated, IsNotEqualToTheCourseV1KeyWithTheSameParts) {
  const auto deprecated = CourseKey::from_string("org/course/run");
  const auto modern = CourseKey::from_string("course-v1:org+course+run");
  EXPECT_NE(deprecated, modern);
  EXPECT_EQ(deprecated.org(), modern.org());
  EXPECT_EQ(deprecated.course(), modern.course());
  EXPECT_EQ(deprecated.run(), modern.run());
}

TEST(CourseKeyLibraryV1, DropsTheRunTokenAndKeepsOrgAndLibraryNextToAVersion) {
  EXPECT_EQ(printed<CourseKey>("library-v1:org+lib+run"), "library-v1:org+lib");
  EXPECT_EQ(printed<CourseKey>("library-v1:org+lib+run+branch@b"), "library-v1:org+lib+branch@b");
  EXPECT_EQ(printed<CourseKey>("library-v1:org+lib+type@problem+block@x"), "library-v1:org+lib");
  expect_round_trip<CourseKey>({"library-v1:org+lib", "library-v1:org+lib+version@519665f6223ebd6980884f2b",
                                "library-v1:version@519665f6223ebd6980884f2b"});
  EXPECT_EQ(printed<CourseKey>("library-v1:branch@b+version@519665f6223ebd6980884f2b"),
            "library-v1:version@519665f6223ebd6980884f2b");
  // The dropped run is not part of the key's identity.
  EXPECT_EQ(CourseKey::from_string("library-v1:org+lib+run"), CourseKey::from_string("library-v1:org+lib"));
}

TEST(CourseKeyLibraryV1, IsALibraryNotACourse) {
  const auto key = CourseKey::from_string("library-v1:UniX+PhysicsProbs");
  EXPECT_EQ(key.kind(), CourseKey::Kind::library);
  EXPECT_FALSE(key.is_course());
  EXPECT_EQ(key.library(), "PhysicsProbs");
  EXPECT_EQ(key.course(), "PhysicsProbs");
  EXPECT_EQ(key.run(), "library");  // Python's deprecated LibraryLocator.run
  EXPECT_EQ(key.canonical_namespace(), "library-v1");
  EXPECT_NE(key, CourseKey::from_string("course-v1:UniX+PhysicsProbs+library"));
}

TEST(CourseKeyLibraryV1, RejectsIncompleteOrBadBodies) {
  expect_invalid<CourseKey>({"library-v1:org", "library-v1:org+lib+", "library-v1:org+lib%", "library-v1:",
                             "library-v1:org+lib+version@519665f6223ebd6980884f2"});
}

TEST(CourseKeyCcx, ParsesCcxV1AsKindCcx) {
  const auto key = CourseKey::from_string("ccx-v1:org+course+run+ccx@1");
  EXPECT_EQ(key.kind(), CourseKey::Kind::ccx);
  EXPECT_TRUE(key.is_course());
  EXPECT_EQ(key.ccx(), "1");
  EXPECT_EQ(key.to_string(), "ccx-v1:org+course+run+ccx@1");
}

TEST(CourseKeyDispatch, RejectsOtherKeyTypes) {
  expect_invalid<CourseKey>({"lib:MITx:reallyhardproblems", "block-v1:org+course+run+type@t+block@b",
                             "lb:org:lib:problem:p1", "i4x://org/course/category/name", "", ":", "course-v1"});
}

TEST(CourseKeyEquality, FollowsPythonFieldsNotThePrintedString) {
  const auto with_course = CourseKey::from_string("course-v1:org+course+version@519665f6223ebd6980884f2b");
  const auto version_only = CourseKey::from_string("course-v1:version@519665f6223ebd6980884f2b");
  EXPECT_EQ(with_course.to_string(), version_only.to_string());
  EXPECT_NE(with_course, version_only);
  EXPECT_EQ(CourseKey::from_string("course-v1:a+b+c"), CourseKey::from_string("course-v1:a+b+c+type@t"));
  EXPECT_NE(CourseKey::from_string("course-v1:a+b+c"), CourseKey::from_string("course-v1:A+b+c"));
}

TEST(CourseKeyUnicode, AcceptsEveryPythonWordCharacter) {
  // No (superscript two), Nl (Roman numeral), Nd (Arabic-Indic), fullwidth, sharp s, titlecase, modifier.
  expect_round_trip<CourseKey>({"course-v1:²+Ⅻ+١", "course-v1:Ａ+ß+ǅʰ", "course-v1:org+𝒞ourse+run"});
}

TEST(CourseKeyUnicode, RejectsMarksSpacesJoinersPunctuationAndSymbols) {
  expect_invalid<CourseKey>({
      "course-v1:org+c\u0301+run",       // Mn
      "course-v1:org+c\u00a0d+run",      // NBSP
      "course-v1:org+c\u200dd+run",      // ZWJ (Cf)
      "course-v1:org+c\u00b7d+run",      // Po
      "course-v1:org+c\U0001F600d+run",  // So
  });
}

TEST(CourseKeyUnicode, RejectsIllFormedUtf8) {
  expect_invalid<CourseKey>({
      std::string_view("course-v1:org+c\xC3+run"),          // truncated sequence
      std::string_view("course-v1:org+c\xC0\xAF+run"),      // overlong '/'
      std::string_view("course-v1:org+c\xED\xA0\x80+run"),  // UTF-16 surrogate
      std::string_view("course-v1:org+c\xF4\x90\x80\x80+run"),  // above U+10FFFF
      std::string_view("org/c\xFF/run"),
      std::string_view("course-v1:org+course+\x80"),
  });
}

TEST(CourseKeyUnset, IsEmptyEqualToOtherUnsetKeysAndCannotBePrinted) {
  const CourseKey unset;
  EXPECT_TRUE(unset.empty());
  EXPECT_EQ(unset.kind(), CourseKey::Kind::none);
  EXPECT_EQ(unset, CourseKey{});
  EXPECT_NE(unset, CourseKey::from_string("course-v1:a+b+c"));
  EXPECT_THROW((void)unset.to_string(), std::logic_error);
  std::ostringstream out;
  out << unset << ' ' << CourseKey::from_string("org/course/run");
  EXPECT_EQ(out.str(), "None org/course/run");
}

TEST(CourseKeyErrors, NameTheKeyTypeAndQuoteTheInput) {
  try {
    (void)CourseKey::from_string("course-v1:org+course");
    FAIL() << "expected InvalidKeyError";
  } catch (const InvalidKeyError& error) {
    EXPECT_STREQ(error.what(), "invalid CourseKey: \"course-v1:org+course\"");
    EXPECT_EQ(error.key_type(), "CourseKey");
    EXPECT_EQ(error.input(), "course-v1:org+course");
  }
  try {
    (void)CourseKey::from_string(std::string_view("a\n\"b\xFF", 5));
    FAIL() << "expected InvalidKeyError";
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(), "invalid CourseKey: \"a\\n\\\"b\\xff\"");
  }
}

}  // namespace
