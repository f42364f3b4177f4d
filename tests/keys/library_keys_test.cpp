// Learning Core library keys: lib:, lb:, lib-collection: and lct:, including Python's `$`-anchor
// quirk that lets each field end with one '\n' (reference §11).
#include <gtest/gtest.h>

#include "key_test_support.hpp"
#include "openedx_events/keys.hpp"

namespace {

using namespace openedx_events::keys;
using openedx_events::keys::testing::expect_invalid;
using openedx_events::keys::testing::expect_round_trip;

TEST(LibraryLocatorV2, AcceptsAsciiOrgsAndUnicodeSlugs) {
  expect_round_trip<LibraryLocatorV2>({"lib:MITx:reallyhardproblems", "lib:hogwarts:p300-potions-exercises",
                                       "lib:EpsilonX:έψιλον", "lib:o_r-g.1:s_l-u.g²"});
  const auto key = LibraryLocatorV2::from_string("lib:MITx:reallyhardproblems");
  EXPECT_EQ(key.org(), "MITx");
  EXPECT_EQ(key.slug(), "reallyhardproblems");
}

TEST(LibraryLocatorV2, QuirkAcceptsOneTrailingNewlinePerFieldAndKeepsIt) {
  expect_round_trip<LibraryLocatorV2>({"lib:org:slug\n", "lib:org\n:slug", "lib:org\n:slug\n"});
  EXPECT_NE(LibraryLocatorV2::from_string("lib:org:slug\n"), LibraryLocatorV2::from_string("lib:org:slug"));
  expect_invalid<LibraryLocatorV2>({"lib:org:slug\n\n", "lib:org:slug\r", "lib:org:\n", "lib:\n:slug",
                                    "lib:org:sl\nug"});
}

TEST(LibraryLocatorV2, RejectsTheInvalidExamplesOfTheReference) {
  expect_invalid<LibraryLocatorV2>({"lib:org", "lib:org:slug:extra", "lib::slug", "lib:org:", "lib:org:sl ug",
                                    "lib:org:sl~ug", "lib:org:sl+ug", "lib:org:sl:ug", "lib:έψιλον:foobar",
                                    "LIB:org:slug", "lib:org:slug ", "lb:org:lib:problem:p1", "lib:o%rg:slug"});
}

TEST(LibraryLocatorV2, IsCaseSensitiveAndNotACourseKey) {
  EXPECT_NE(LibraryLocatorV2::from_string("lib:org:slug"), LibraryLocatorV2::from_string("lib:ORG:slug"));
  expect_invalid<CourseKey>({"lib:MITx:reallyhardproblems"});
}

TEST(LibraryUsageLocatorV2, AcceptsFourFieldsWithAsciiTypes) {
  expect_round_trip<LibraryUsageLocatorV2>({"lb:MITx:reallyhardproblems:problem:problem1",
                                            "lb:UnicodeX:i18n-lib:html:έψιλον", "lb:org:Ωlib:problem:p1",
                                            "lb:org\n:lib:problem:p1", "lb:org:lib:problem\n:p1",
                                            "lb:org:lib:problem:p1\n"});
  const auto key = LibraryUsageLocatorV2::from_string("lb:org:lib:problem:p1");
  EXPECT_EQ(key.lib_key(), LibraryLocatorV2::from_string("lib:org:lib"));
  EXPECT_EQ(key.context_key(), key.lib_key());
  EXPECT_EQ(key.block_type(), "problem");
  EXPECT_EQ(key.usage_id(), "p1");
  EXPECT_EQ(key.block_id(), "p1");
}

TEST(LibraryUsageLocatorV2, RejectsTheInvalidExamplesOfTheReference) {
  expect_invalid<LibraryUsageLocatorV2>({"lb:org:lib:problem", "lb:org:lib:problem:p1:extra", "lb:org:lib:pro blem:p1",
                                         "lb:org:lib:ρroblem:p1", "lb:Ωrg:lib:problem:p1", "lb:org:lib:problem:p~1",
                                         "lb:org:lib:problem:", "lb::lib:problem:p1", "lb:org:lib:problem:p1 ",
                                         "lb:org:lib:problem:p1\n\n", "block-v1:org+course+run+type@t+block@b"});
}

TEST(LibraryCollectionLocator, AcceptsThreeFields) {
  expect_round_trip<LibraryCollectionLocator>({"lib-collection:TestX:LibraryX:test-problem-bank",
                                               "lib-collection:TestX:LibraryX:colléction", "lib-collection:org\n:lib:c"});
  const auto key = LibraryCollectionLocator::from_string("lib-collection:TestX:LibraryX:test-problem-bank");
  EXPECT_EQ(key.org(), "TestX");
  EXPECT_EQ(key.lib_key(), LibraryLocatorV2::from_string("lib:TestX:LibraryX"));
  EXPECT_EQ(key.context_key(), key.lib_key());
  EXPECT_EQ(key.collection_id(), "test-problem-bank");
}

TEST(LibraryCollectionLocator, RejectsTheInvalidExamplesOfTheReference) {
  expect_invalid<LibraryCollectionLocator>({"lib-collection:TestX:LibraryX",
                                            "lib-collection:TestX:LibraryX:test:too:many:colons",
                                            "lib-collection:TestX::coll", "lib-collection:TestX:LibraryX:coll ection",
                                            "lib-collection:TestX:LibraryX:c~oll", "lib:TestX:LibraryX"});
}

TEST(LibraryContainerLocator, AcceptsAnyAsciiContainerType) {
  expect_round_trip<LibraryContainerLocator>({"lct:TestX:LibraryX:unit:test-container", "lct:org:lib:unit\n:u1",
                                              "lct:TestX:LibraryX:un-it.x_y:u1", "lct:TestX:LibraryX:unit:ü1"});
  const auto key = LibraryContainerLocator::from_string("lct:TestX:LibraryX:unit:test-container");
  EXPECT_EQ(key.org(), "TestX");
  EXPECT_EQ(key.lib_key(), LibraryLocatorV2::from_string("lib:TestX:LibraryX"));
  EXPECT_EQ(key.container_type(), "unit");
  EXPECT_EQ(key.container_id(), "test-container");
}

TEST(LibraryContainerLocator, RejectsTheInvalidExamplesOfTheReference) {
  expect_invalid<LibraryContainerLocator>({"lct:TestX:LibraryX:unit", "lct:TestX:LibraryX:unit:u1:x",
                                           "lct:TestX:LibraryX:ünit:u1", "lct:TestX:LibraryX:unit:u~1",
                                           "lct:TestX:LibraryX::u1", "LCT:TestX:LibraryX:unit:u1"});
}

TEST(LibraryKeys, UnsetKeysAreEmptyAndCannotBePrinted) {
  EXPECT_TRUE(LibraryLocatorV2{}.empty());
  EXPECT_TRUE(LibraryUsageLocatorV2{}.empty());
  EXPECT_TRUE(LibraryCollectionLocator{}.empty());
  EXPECT_TRUE(LibraryContainerLocator{}.empty());
  EXPECT_THROW((void)LibraryLocatorV2{}.to_string(), std::logic_error);
  EXPECT_THROW((void)LibraryContainerLocator{}.to_string(), std::logic_error);
}

TEST(LibraryKeys, RejectIllFormedUtf8) {
  expect_invalid<LibraryLocatorV2>({std::string_view("lib:org:sl\xCE")});
  expect_invalid<LibraryContainerLocator>({std::string_view("lct:org:lib:unit:\xED\xB0\x80")});
}

}  // namespace
