// The 40 example rows of §14 of the opaque-keys reference (/work/shared/reference/opaque-keys.md),
// each verified there against the real Python packages. Rows parsed with Python's abstract
// LearningContextKey / CollectionKey / ContainerKey use the concrete C++ class that covers them.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "openedx_events/keys.hpp"

namespace {

using namespace openedx_events::keys;

constexpr std::string_view kSame = "(same)";

struct Row {
  int number;
  std::string_view parsed_with;
  std::string_view input;
  std::string_view python_class;  // empty: InvalidKeyError
  std::string_view printed;       // kSame: identical to the input
};

constexpr Row kRows[] = {
    {1, "CourseKey", "course-v1:edX+DemoX+Demo_Course", "CourseLocator", kSame},
    {2, "CourseKey", "course-v1:mit.eecs+~6002x+2014_T2+branch@draft-1+version@519665f6223ebd6980884f2b",
     "CourseLocator", kSame},
    {3, "CourseKey", "course-v1:version@519665f6223ebd6980884f2b+block@hw3", "CourseLocator",
     "course-v1:version@519665f6223ebd6980884f2b"},
    {4, "CourseKey", "course-v1:org+course+version@519665f6223ebd6980884f2b", "CourseLocator",
     "course-v1:version@519665f6223ebd6980884f2b"},
    {5, "CourseKey", "course-v1:org+course+run+type@problem+block@x", "CourseLocator", "course-v1:org+course+run"},
    {6, "CourseKey", "course-v1:org+course+run+version@519665F6223EBD6980884F2B", "", ""},
    {7, "CourseKey", "course-v1:org+course+run+version@519665f6223ebd6980884f2", "", ""},
    {8, "CourseKey", "course-v1:mit+course+run+", "", ""},
    {9, "CourseKey", "course-v1:mit+course+run\n", "", ""},
    {10, "CourseKey", "course-v1:test+mit.ee cs+2014_T2", "", ""},
    {11, "CourseKey", "course-v1:org+course", "", ""},
    {12, "CourseKey", "course-v1:Ωrg+cöurse+rün", "CourseLocator", kSame},
    {13, "CourseKey", "org/course/run", "CourseLocator (deprecated)", kSame},
    {14, "CourseKey", "org/course/", "CourseLocator (deprecated)", kSame},
    {15, "CourseKey", "foo!/bar/baz", "", ""},
    {16, "CourseKey", "org/course/run~1", "", ""},
    {17, "CourseKey", "slashes:DemoUniversity+DM01+2014", "CourseLocator", "course-v1:DemoUniversity+DM01+2014"},
    {18, "CourseKey", "library-v1:org+lib+run", "LibraryLocator", "library-v1:org+lib"},
    {19, "CourseKey", "lib:MITx:reallyhardproblems", "", ""},
    {20, "LearningContextKey", "lib:MITx:reallyhardproblems", "LibraryLocatorV2", kSame},
    {21, "LearningContextKey", "lib:έψιλον:foobar", "", ""},
    {22, "LearningContextKey", "lib:org:slug\n", "LibraryLocatorV2", kSame},
    {23, "CourseKey",
     "ccx-v1:mit.eecs+6002x+2014_T2+branch@draft-1+version@519665f6223ebd6980884f2b+ccx@1", "CCXLocator", kSame},
    {24, "CourseKey", "ccx-v1:org+course+run+CCX@1", "CCXLocator", "ccx-v1:org+course+run+ccx@1"},
    {25, "CourseKey", "ccx-v1:org+course+run+version@519665F6223EBD6980884F2B+ccx@1", "CCXLocator",
     "ccx-v1:org+course+run+version@519665f6223ebd6980884f2b+ccx@1"},
    {26, "CourseKey", "ccx-v1:org+course+run", "", ""},
    {27, "UsageKey", "block-v1:org+course+run+branch@revision+type@category+block@name", "BlockUsageLocator", kSame},
    {28, "UsageKey",
     "block-v1:org.dept.sub-prof+course.num.section-4+run.hour.min-99+type@category+block@name:12.33-44",
     "BlockUsageLocator", kSame},
    {29, "UsageKey", "block-v1:org+course+run+type@problem+block@a%20b", "", ""},
    {30, "UsageKey", "block-v1:org+course+run+block@abc", "BlockUsageLocator",
     "block-v1:org+course+run+type@None+block@abc"},
    {31, "UsageKey", "course-v1:org+course+run", "", ""},
    {32, "UsageKey", "i4x://org/course/category/name@revision", "BlockUsageLocator (deprecated)", kSame},
    {33, "UsageKey", "i4x://org.dept%sub-prof/course.num%section-4/category/name:12%33-44",
     "BlockUsageLocator (deprecated)", kSame},
    {34, "UsageKey", "location:GradingUniv+GT101+2014+chapter+4420ef6679b34ee8ba0cfd6d514b1b38", "DeprecatedLocation",
     kSame},
    {35, "UsageKey", "lib-block-v1:org+lib+version@519665f6223ebd6980884f2b+type@category+block@name",
     "LibraryUsageLocator", kSame},
    {36, "UsageKey", "lb:UnicodeX:i18n-lib:html:έψιλον", "LibraryUsageLocatorV2", kSame},
    {37, "UsageKey", "lb:org:lib:ρroblem:p1", "", ""},
    {38, "UsageKey", "ccx-block-v1:org+course+run+branch@revision+ccx@1+type@category+block@name",
     "CCXBlockUsageLocator", kSame},
    {39, "CollectionKey", "lib-collection:TestX:LibraryX:test-problem-bank", "LibraryCollectionLocator", kSame},
    {40, "ContainerKey", "lct:TestX:LibraryX:unit:test-container", "LibraryContainerLocator", kSame},
};

struct Parsed {
  std::string python_class;
  std::string printed;
};

std::string course_class(const CourseKey& key) {
  std::string name = key.kind() == CourseKey::Kind::library ? "LibraryLocator"
                     : key.kind() == CourseKey::Kind::ccx   ? "CCXLocator"
                                                            : "CourseLocator";
  return key.deprecated() ? name + " (deprecated)" : name;
}

std::string usage_class(const UsageKey& key) {
  switch (key.kind()) {
    case UsageKey::Kind::block: return key.deprecated() ? "BlockUsageLocator (deprecated)" : "BlockUsageLocator";
    case UsageKey::Kind::ccx_block: return "CCXBlockUsageLocator";
    case UsageKey::Kind::location: return "DeprecatedLocation";
    case UsageKey::Kind::library_block: return "LibraryUsageLocator";
    case UsageKey::Kind::library_v2: return "LibraryUsageLocatorV2";
    case UsageKey::Kind::aside_v1: return "AsideUsageKeyV1";
    case UsageKey::Kind::aside_v2: return "AsideUsageKeyV2";
    case UsageKey::Kind::none: break;
  }
  return "?";
}

std::optional<Parsed> parse_as(std::string_view parsed_with, std::string_view input) {
  if (parsed_with == "CourseKey") {
    if (auto key = CourseKey::try_parse(input)) return Parsed{course_class(*key), key->to_string()};
  } else if (parsed_with == "UsageKey") {
    if (auto key = UsageKey::try_parse(input)) return Parsed{usage_class(*key), key->to_string()};
  } else if (parsed_with == "LearningContextKey") {
    // Python's LearningContextKey = CourseKey's namespaces plus lib:.
    if (auto key = LibraryLocatorV2::try_parse(input)) return Parsed{"LibraryLocatorV2", key->to_string()};
    if (auto key = CourseKey::try_parse(input)) return Parsed{course_class(*key), key->to_string()};
  } else if (parsed_with == "CollectionKey") {
    if (auto key = LibraryCollectionLocator::try_parse(input)) return Parsed{"LibraryCollectionLocator", key->to_string()};
  } else if (parsed_with == "ContainerKey") {
    if (auto key = LibraryContainerLocator::try_parse(input)) return Parsed{"LibraryContainerLocator", key->to_string()};
  }
  return std::nullopt;
}

class SpecTableRow : public ::testing::TestWithParam<Row> {};

TEST_P(SpecTableRow, ParsesToThePythonClassAndPrintsLikePython) {
  const Row& row = GetParam();
  const auto parsed = parse_as(row.parsed_with, row.input);
  if (row.python_class.empty()) {
    EXPECT_FALSE(parsed) << "row " << row.number << " must be invalid, got " << parsed->printed;
    return;
  }
  ASSERT_TRUE(parsed) << "row " << row.number << " must parse";
  EXPECT_EQ(parsed->python_class, row.python_class) << "row " << row.number;
  EXPECT_EQ(parsed->printed, row.printed == kSame ? row.input : row.printed) << "row " << row.number;
}

INSTANTIATE_TEST_SUITE_P(Section14, SpecTableRow, ::testing::ValuesIn(kRows),
                         [](const ::testing::TestParamInfo<Row>& info) {
                           return "Row" + std::to_string(info.param.number);
                         });

TEST(SpecTable, HasAllFortyRows) { EXPECT_EQ(std::size(kRows), 40U); }

}  // namespace
