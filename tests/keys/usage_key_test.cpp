// UsageKey: block-v1 (with the type@None quirk), i4x:// keys, location:, lib-block-v1, ccx-block-v1,
// lb: and the aside wrappers (reference §7-§10, §13; opaque_keys/edx/asides.py).
#include <gtest/gtest.h>

#include <sstream>

#include "key_test_support.hpp"
#include "openedx_events/keys.hpp"

namespace {

using namespace openedx_events::keys;
using openedx_events::keys::testing::expect_invalid;
using openedx_events::keys::testing::expect_round_trip;
using openedx_events::keys::testing::printed;

TEST(UsageKeyBlockV1, AcceptsCanonicalKeysAndPrintsThemUnchanged) {
  expect_round_trip<UsageKey>({
      "block-v1:org+course+run+branch@revision+type@category+block@name",
      "block-v1:org.dept.sub-prof+course.num.section-4+run.hour.min-99+type@category+block@name:12.33-44",
      "block-v1:org+course+run+type@pro:blem+block@name:12.33-44~x",
      "block-v1:version@519665f6223ebd6980884f2b+type@problem+block@lab2",
  });
}

TEST(UsageKeyBlockV1, CarriesItsCourseKey) {
  const auto key =
      UsageKey::from_string("block-v1:org+course+run+branch@draft+version@519665f6223ebd6980884f2b+type@problem+block@lab2");
  EXPECT_EQ(key.kind(), UsageKey::Kind::block);
  EXPECT_FALSE(key.deprecated());
  EXPECT_EQ(key.block_type(), "problem");
  EXPECT_EQ(key.block_id(), "lab2");
  EXPECT_EQ(key.course_key().to_string(), "course-v1:org+course+run+branch@draft+version@519665f6223ebd6980884f2b");
  EXPECT_EQ(key.canonical_namespace(), "block-v1");
}

TEST(UsageKeyBlockV1, NormalisesTheCoursePartLikeCourseKey) {
  EXPECT_EQ(printed<UsageKey>("block-v1:org+course+version@519665f6223ebd6980884f2b+type@problem+block@lab2"),
            "block-v1:version@519665f6223ebd6980884f2b+type@problem+block@lab2");
}

TEST(UsageKeyBlockV1, QuirkMissingTypePrintsTypeNoneAndReparsesToADifferentKey) {
  const auto key = UsageKey::from_string("block-v1:org+course+run+block@abc");
  EXPECT_FALSE(key.block_type().has_value());
  EXPECT_EQ(key.to_string(), "block-v1:org+course+run+type@None+block@abc");
  const auto reparsed = UsageKey::from_string(key.to_string());
  EXPECT_EQ(reparsed.block_type(), "None");
  EXPECT_NE(reparsed, key);
  EXPECT_EQ(reparsed.to_string(), key.to_string());
}

TEST(UsageKeyBlockV1, RejectsTheInvalidExamplesOfTheReference) {
  expect_invalid<UsageKey>({
      "block-v1:org+course+run+type@problem",
      "block-v1:org+course+run",
      "block-v1:org+course+run+type@problem+block@abc+",
      "block-v1:org+course+run+type@problem+block@abc\n",
      "block-v1:org+course+run+type@problem+block@",
      "block-v1:org+course+run+block@abc+type@problem",
      "block-v1:org+course+type@problem+block@abc",
      "block-v1:org+course+run+type@problem+block@a b",
      "block-v1:org+course+run+Type@t+block@x",
      "block-v1:org+course+run+type@problem+block@x@y",
      "block-v1:org+course+run+type@problem+block@x\u00a0",
      "block-v1:org+course+run+type@problem+block@a%20b",  // '%' passes the pattern, not the block check
      "course-v1:org+course+run",
      "Block-v1:org+course+run+type@t+block@b",
  });
}

TEST(UsageKeyI4x, ParsesTheDeprecatedFormWithACourseKeyWithoutRun) {
  const auto key = UsageKey::from_string("i4x://org/course/category/name@revision");
  EXPECT_TRUE(key.deprecated());
  EXPECT_EQ(key.kind(), UsageKey::Kind::block);
  EXPECT_EQ(key.block_type(), "category");
  EXPECT_EQ(key.block_id(), "name");
  EXPECT_TRUE(key.course_key().deprecated());
  EXPECT_EQ(key.course_key().org(), "org");
  EXPECT_FALSE(key.course_key().run());
  EXPECT_EQ(key.course_key().branch(), "revision");
  EXPECT_EQ(key.to_string(), "i4x://org/course/category/name@revision");
  // Python's str() of that course key raises TypeError (run is None).
  EXPECT_THROW((void)key.course_key().to_string(), std::logic_error);
}

TEST(UsageKeyI4x, AcceptsTheValidExamplesAndNeverChecksTheCategory) {
  expect_round_trip<UsageKey>({
      "i4x://org/course/category/name@re:v~1",
      "i4x://org/course/category/name%2F",
      "i4x://org/course/category/name@rev%",
      "i4x://org/course/category/été",
      "i4x://org.dept%sub-prof/course.num%section-4/category/name:12%33-44",
      "i4x://org/course/cat egory/name",
      "i4x://org/course/cat@gory/name",
      "i4x://org/course/ca+t/name",
      "i4x://org/course/ca:t/name",
      "i4x://org/course/ca\nt/name",
  });
}

TEST(UsageKeyI4x, CategoryAcceptsAnyWellFormedUtf8ButNothingElse) {
  // The category is the one field no character class limits, so it exercises the UTF-8 decoder alone.
  expect_round_trip<UsageKey>({
      std::string_view("i4x://org/course/\x7F\xC2\x80/name"),        // U+007F, U+0080
      std::string_view("i4x://org/course/\xED\x9F\xBF\xEE\x80\x80/name"),  // U+D7FF, U+E000 around the surrogates
      std::string_view("i4x://org/course/\xEF\xBF\xBF/name"),         // U+FFFF (a noncharacter, still a str char)
      std::string_view("i4x://org/course/\xF4\x8F\xBF\xBF/name"),    // U+10FFFF
      std::string_view("i4x://org/course/\0/name", 23),                 // NUL
  });
  expect_invalid<UsageKey>({
      std::string_view("i4x://org/course/\xC1\xBF/name"),          // overlong 2-byte
      std::string_view("i4x://org/course/\xE0\x9F\xBF/name"),     // overlong 3-byte
      std::string_view("i4x://org/course/\xF0\x8F\xBF\xBF/name"),  // overlong 4-byte
      std::string_view("i4x://org/course/\xED\xA0\x80/name"),     // surrogate
      std::string_view("i4x://org/course/\xF4\x90\x80\x80/name"),  // above U+10FFFF
      std::string_view("i4x://org/course/\xF5\x80\x80\x80/name"),
      std::string_view("i4x://org/course/\x80/name"),               // lone continuation byte
      std::string_view("i4x://org/course/\xE2\x82/name"),          // truncated
      std::string_view("i4x://org/course/cat/name\xE2\x82"),       // truncated at the very end
  });
}

TEST(UsageKeyI4x, RejectsTheInvalidExamplesOfTheReference) {
  expect_invalid<UsageKey>({
      "i4x://org/course/category/na me",
      "i4x://org/course/category/name@",
      "i4x://org/course/category/name@rev/x",
      "i4x://org/course/category/name@rev@x",
      "i4x://org/course/category/",
      "i4x://org/course/category",
      "i4x://org/course/category/a/b",
      "i4x://org/course/run/category/name",
      "i4x://or:g/course/category/name",
      "i4x://org/cour~se/category/name",
      "i4x:///course/category/name",
      "I4X://org/course/category/name",
      "i4x:/org/course/category/name",
      "i4x://org/course/category/name\n",
  });
}

TEST(UsageKeyI4x, IsNotEqualToTheBlockV1KeyWithTheSameParts) {
  EXPECT_NE(UsageKey::from_string("i4x://org/course/category/name"),
            UsageKey::from_string("block-v1:org+course+run+type@category+block@name"));
}

TEST(UsageKeyLocation, ParsesFiveIdsAndNeverEqualsBlockV1) {
  const auto key = UsageKey::from_string("location:GradingUniv+GT101+2014+chapter+4420ef6679b34ee8ba0cfd6d514b1b38");
  EXPECT_EQ(key.kind(), UsageKey::Kind::location);
  EXPECT_FALSE(key.deprecated());
  EXPECT_EQ(key.course_key(), CourseKey::from_string("course-v1:GradingUniv+GT101+2014"));
  EXPECT_EQ(key.to_string(), "location:GradingUniv+GT101+2014+chapter+4420ef6679b34ee8ba0cfd6d514b1b38");
  EXPECT_NE(UsageKey::from_string("location:org+course+run+type+id"),
            UsageKey::from_string("block-v1:org+course+run+type@type+block@id"));
  expect_invalid<UsageKey>({"location:org+course+run+type", "location:org+course+run+type+id+x",
                            "location:org+course+run+type+i%d", "location:org+course+run+branch@b+id"});
}

TEST(UsageKeyLibraryBlockV1, RequiresTypeAndBlockAndDropsTheRun) {
  expect_round_trip<UsageKey>({"lib-block-v1:org+lib+version@519665f6223ebd6980884f2b+type@category+block@name",
                               "lib-block-v1:version@519665f6223ebd6980884f2b+type@category+block@name"});
  const auto key = UsageKey::from_string("lib-block-v1:org+lib+run+type@problem+block@x");
  EXPECT_EQ(key.to_string(), "lib-block-v1:org+lib+type@problem+block@x");
  EXPECT_EQ(key.kind(), UsageKey::Kind::library_block);
  EXPECT_EQ(key.course_key().kind(), CourseKey::Kind::library);
  expect_invalid<UsageKey>({"lib-block-v1:org+lib+block@x", "lib-block-v1:org+lib+type@problem",
                            "lib-block-v1:org+lib+type@problem+block@a%20b", "lib-block-v1:org+type@t+block@b"});
}

TEST(UsageKeyCcxBlockV1, IsCaseInsensitiveAndKeepsTheTypeNoneQuirk) {
  expect_round_trip<UsageKey>({"ccx-block-v1:org+course+run+branch@revision+ccx@1+type@category+block@name"});
  EXPECT_EQ(printed<UsageKey>("ccx-block-v1:org+course+run+CCX@1+TYPE@problem+BLOCK@x"),
            "ccx-block-v1:org+course+run+ccx@1+type@problem+block@x");
  EXPECT_EQ(printed<UsageKey>("ccx-block-v1:org+course+run+ccx@1+block@x"),
            "ccx-block-v1:org+course+run+ccx@1+type@None+block@x");
  const auto key = UsageKey::from_string("ccx-block-v1:org+course+run+ccx@1+type@t+block@b");
  EXPECT_EQ(key.kind(), UsageKey::Kind::ccx_block);
  EXPECT_EQ(key.course_key(), CourseKey::from_string("ccx-v1:org+course+run+ccx@1"));
  expect_invalid<UsageKey>({"ccx-block-v1:org+course+run+ccx@1+type@problem",
                            "ccx-block-v1:org+course+run+ccx@1+type@problem+block@a%20b",
                            "ccx-block-v1:org+course+run+type@t+block@b"});
}

TEST(UsageKeyLibraryV2, ParsesLbKeysAsLibraryUsageLocatorV2) {
  const auto key = UsageKey::from_string("lb:UnicodeX:i18n-lib:html:έψιλον");
  EXPECT_EQ(key.kind(), UsageKey::Kind::library_v2);
  EXPECT_EQ(key.lib_key(), LibraryLocatorV2::from_string("lib:UnicodeX:i18n-lib"));
  EXPECT_TRUE(key.course_key().empty());
  EXPECT_EQ(key.block_type(), "html");
  EXPECT_EQ(key.block_id(), "έψιλον");
  EXPECT_EQ(key.to_string(), "lb:UnicodeX:i18n-lib:html:έψιλον");
  const auto lb = LibraryUsageLocatorV2::from_string("lb:UnicodeX:i18n-lib:html:έψιλον");
  EXPECT_EQ(key, UsageKey(lb));
  EXPECT_EQ(key.as_library_usage_v2(), lb);
  expect_invalid<UsageKey>({"lb:org:lib:ρroblem:p1", "lb:org:lib:problem", "lb:org:lib:problem:p1:extra"});
}

TEST(UsageKeyAside, RoundTripsTheUpstreamSerializedExamples) {
  expect_round_trip<UsageKey>({
      "aside-usage-v1:i4x://org/course/cat/name::aside",
      "aside-usage-v1:block-v1:org+course+cat+type@block_type+block@name::aside",
      "aside-usage-v2:lib-block-v1$:$:+-+branch@-+version@000000000000000000000000+type@-+block@-::0",
      "aside-usage-v2:i4x$://-/-/-/$:$:-::0",
      "aside-usage-v2:i4x$://-/-/-/$:$:$:-::0",
      "aside-usage-v2:i4x$://-/-/$:$:$:$:$:/-::0",
  });
}

TEST(UsageKeyAside, ExposesTheDecoratedKeyAndAnswersForIt) {
  const auto key = UsageKey::from_string("aside-usage-v2:block-v1$:org+course+run+type@t+block@b::my$:aside$$");
  EXPECT_EQ(key.kind(), UsageKey::Kind::aside_v2);
  EXPECT_EQ(key.aside_type(), "my:aside$");
  EXPECT_EQ(key.usage_key(), UsageKey::from_string("block-v1:org+course+run+type@t+block@b"));
  EXPECT_EQ(key.block_type(), "t");
  EXPECT_EQ(key.block_id(), "b");
  EXPECT_EQ(key.course_key(), CourseKey::from_string("course-v1:org+course+run"));
  EXPECT_FALSE(key.deprecated());
  EXPECT_NE(key, UsageKey::from_string("aside-usage-v2:block-v1$:org+course+run+type@t+block@b::other"));
}

TEST(UsageKeyAside, NestsV2KeysAndSplitsAtTheLastSeparator) {
  const auto inner = UsageKey::from_string("aside-usage-v2:block-v1$:o+c+r+type@t+block@b::in");
  const auto outer = UsageKey::from_string("aside-usage-v2:aside-usage-v2$:block-v1$$$:o+c+r+type@t+block@b$:$:in::out");
  EXPECT_EQ(outer.usage_key(), inner);
  EXPECT_EQ(outer.aside_type(), "out");
  EXPECT_EQ(outer.to_string(), "aside-usage-v2:aside-usage-v2$:block-v1$$$:o+c+r+type@t+block@b$:$:in::out");
  EXPECT_EQ(UsageKey::from_string("aside-usage-v2:block-v1$:o+c+r+type@t+block@b::").aside_type(), "");
}

TEST(UsageKeyAside, RejectsBadEscapingAndUnparseableDecoratedKeys) {
  expect_invalid<UsageKey>({
      "aside-usage-v2:block-v1:org+course+run+type@t+block@b::aside",   // unescaped ':'
      "aside-usage-v2:block-v1$:org+course+run+type@t+block@b::as$ide",  // lone '$'
      "aside-usage-v2:block-v1$:org+course+run+type@t+block@b",          // no separator
      "aside-usage-v2:block-v1$:org+course+run+type@t+block@b:::",
      "aside-usage-v2:",
      "aside-usage-v2:course-v1$:a+b+c::x",
      "aside-usage-v1:block-v1:org+course+run+type@t+block@b::$",
      "aside-usage-v1:aside-usage-v1:block-v1:org+course+run+type@t+block@b::x",  // V1 cannot nest
      "Aside-usage-v1:i4x://org/course/cat/name::aside",
  });
}

TEST(UsageKeyAside, V1SplitsAtTheFirstSeparatorAndRequiresCanonicalEscaping) {
  const auto key = UsageKey::from_string("aside-usage-v1:block-v1:org+course+run+type@t+block@b::a$::b");
  EXPECT_EQ(key.kind(), UsageKey::Kind::aside_v1);
  EXPECT_EQ(key.aside_type(), "a::b");
  EXPECT_EQ(key.to_string(), "aside-usage-v1:block-v1:org+course+run+type@t+block@b::a$::b");
  // "a::b" would decode to itself, but its canonical escaping is "a$::b", so Python rejects it.
  expect_invalid<UsageKey>({"aside-usage-v1:block-v1:org+course+run+type@t+block@b::a::b"});
}

TEST(UsageKeyDispatch, RejectsOtherKeyTypesAndUnknownNamespaces) {
  expect_invalid<UsageKey>({"org/course/run", "ccx-v1:org+course+run+ccx@1", "lib:org:slug",
                            "lct:org:lib:unit:u1", "def-v1:519665f6223ebd6980884f2b+type@t", "", "i4x"});
}

TEST(UsageKeyUnset, IsEmptyAndHasEmptyAccessors) {
  const UsageKey unset;
  EXPECT_TRUE(unset.empty());
  EXPECT_EQ(unset, UsageKey{});
  EXPECT_TRUE(unset.course_key().empty());
  EXPECT_TRUE(unset.usage_key().empty());
  EXPECT_FALSE(unset.as_library_usage_v2());
  EXPECT_THROW((void)unset.to_string(), std::logic_error);
  std::ostringstream out;
  out << unset;
  EXPECT_EQ(out.str(), "None");
  EXPECT_TRUE(UsageKey(LibraryUsageLocatorV2{}).empty());
}

}  // namespace
