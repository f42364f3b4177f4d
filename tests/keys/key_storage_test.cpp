// How keys store their fields (detail::FieldText over detail::TextBuffer): copies, moves and
// assignments of keys whose text is inline or on the heap, moved-from keys, and the fields an
// embedding key keeps in its context key's text (which the context key must neither show nor compare).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "openedx_events/keys.hpp"

namespace {

using namespace openedx_events::keys;

// Fields that fit the inline buffer, and fields that do not (an 80-character block id).
const std::string kShortUsage = "block-v1:edX+DemoX+Demo_Course+type@problem+block@p1";
const std::string kLongBlockId(80, 'b');
const std::string kLongUsage = "block-v1:edX+DemoX+Demo_Course+type@problem+block@" + kLongBlockId;
const std::string kLongCourse = "course-v1:" + std::string(40, 'o') + "+" + std::string(40, 'c') + "+run";
const std::string kLongLibraryUsage = "lb:" + std::string(40, 'o') + ":" + std::string(40, 's') + ":html:id";

template <class Key>
void expect_value_semantics(const std::string& text) {
  SCOPED_TRACE(text);
  const Key original = Key::from_string(text);

  Key copy = original;  // copy construction
  EXPECT_EQ(copy, original);
  EXPECT_EQ(copy.to_string(), text);

  Key assigned = Key::from_string(text);
  assigned = copy;  // copy assignment over a key that already holds text
  EXPECT_EQ(assigned, original);

  Key moved = std::move(copy);  // move construction
  EXPECT_EQ(moved, original);
  EXPECT_EQ(moved.to_string(), text);
  // A moved-from key is a valid (unset) key: its accessors never view past its text.
  EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(copy, Key());     // NOLINT(bugprone-use-after-move)

  Key target = Key::from_string(text);
  target = std::move(moved);  // move assignment over a key that already holds text
  EXPECT_EQ(target, original);
  EXPECT_EQ(target.to_string(), text);

  Key& self = target;
  target = self;  // self-assignment keeps the key
  EXPECT_EQ(target, original);
  target = std::move(self);
  EXPECT_EQ(target.to_string(), text);

  // Copies of copies outlive the original's buffer.
  std::vector<Key> keys;
  for (int i = 0; i < 20; ++i) keys.push_back(original);  // the vector reallocates and moves them
  for (const auto& key : keys) EXPECT_EQ(key.to_string(), text);
}

TEST(KeyStorage, CourseKeysCopyMoveAndAssignInlineAndOnTheHeap) {
  expect_value_semantics<CourseKey>("course-v1:edX+DemoX+Demo_Course");
  expect_value_semantics<CourseKey>(kLongCourse);
  expect_value_semantics<CourseKey>("edX/DemoX/Demo_Course");
  expect_value_semantics<CCXLocator>("ccx-v1:edX+DemoX+Demo_Course+ccx@1");
}

TEST(KeyStorage, UsageKeysCopyMoveAndAssignInlineAndOnTheHeap) {
  expect_value_semantics<UsageKey>(kShortUsage);
  expect_value_semantics<UsageKey>(kLongUsage);
  expect_value_semantics<UsageKey>("i4x://edX/DemoX/problem/p1@draft");
  expect_value_semantics<UsageKey>("lb:TestX:LIB1:problem:p1");
  expect_value_semantics<UsageKey>(kLongLibraryUsage);
  expect_value_semantics<UsageKey>("aside-usage-v2:block-v1$:edX+DemoX+Demo_Course+type@html+block@intro::tagging");
}

TEST(KeyStorage, LearningCoreKeysCopyMoveAndAssignInlineAndOnTheHeap) {
  expect_value_semantics<LibraryLocatorV2>("lib:TestX:LIB1");
  expect_value_semantics<LibraryUsageLocatorV2>("lb:TestX:LIB1:problem:p1");
  expect_value_semantics<LibraryUsageLocatorV2>(kLongLibraryUsage);
  expect_value_semantics<LibraryCollectionLocator>("lib-collection:TestX:LIB1:" + std::string(70, 'c'));
  expect_value_semantics<LibraryContainerLocator>("lct:TestX:LIB1:unit:my-unit-1");
}

TEST(KeyStorage, MovedFromKeysAnswerEveryAccessorSafely) {
  CourseKey course = CourseKey::from_string(kLongCourse);
  UsageKey usage = UsageKey::from_string(kLongUsage);
  LibraryUsageLocatorV2 library_usage = LibraryUsageLocatorV2::from_string(kLongLibraryUsage);
  const CourseKey course_sink = std::move(course);
  const UsageKey usage_sink = std::move(usage);
  const LibraryUsageLocatorV2 library_sink = std::move(library_usage);

  // NOLINTBEGIN(bugprone-use-after-move): the moved-from state is what is under test.
  EXPECT_FALSE(course.org());
  EXPECT_FALSE(course.version_guid());
  EXPECT_EQ(usage.block_id(), "");
  EXPECT_EQ(usage.course_key(), CourseKey());
  EXPECT_EQ(library_usage.usage_id(), "");
  EXPECT_TRUE(library_usage.lib_key().empty());
  // NOLINTEND(bugprone-use-after-move)
  EXPECT_EQ(course_sink.to_string(), kLongCourse);
  EXPECT_EQ(usage_sink.to_string(), kLongUsage);
  EXPECT_EQ(library_sink.to_string(), kLongLibraryUsage);
}

// A usage key keeps its block type and id in the text of its course key; the course key must look
// exactly like the one parsed on its own.
TEST(KeyStorage, EmbeddedCourseKeyIgnoresTheUsageKeysFields) {
  const UsageKey usage = UsageKey::from_string(kLongUsage);
  const CourseKey course = CourseKey::from_string("course-v1:edX+DemoX+Demo_Course");
  EXPECT_EQ(usage.course_key(), course);
  EXPECT_EQ(usage.course_key().to_string(), course.to_string());
  EXPECT_FALSE(usage.course_key().ccx());

  const CourseKey copied = usage.course_key();  // copies the usage key's fields along, unseen
  EXPECT_EQ(copied, course);
  EXPECT_EQ(copied.to_string(), "course-v1:edX+DemoX+Demo_Course");

  // Two usage keys in one course differ by their block fields only.
  const UsageKey other = UsageKey::from_string(kShortUsage);
  EXPECT_EQ(other.course_key(), usage.course_key());
  EXPECT_NE(other, usage);
  EXPECT_EQ(other.block_id(), "p1");
  EXPECT_EQ(usage.block_id(), kLongBlockId);

  // Likewise for a ccx-block-v1 key and the CCXLocator of its course.
  const UsageKey ccx_usage = UsageKey::from_string("ccx-block-v1:edX+DemoX+Demo_Course+ccx@3+type@html+block@b");
  const auto ccx = CCXLocator::from_course_key(ccx_usage.course_key());
  ASSERT_TRUE(ccx.has_value());
  EXPECT_EQ(*ccx, CCXLocator::from_string("ccx-v1:edX+DemoX+Demo_Course+ccx@3"));
  EXPECT_EQ(ccx->to_course_locator(), course);
}

TEST(KeyStorage, EmbeddedLibraryKeyIgnoresTheEmbeddingKeysFields) {
  const LibraryLocatorV2 library = LibraryLocatorV2::from_string("lib:TestX:LIB1");
  EXPECT_EQ(LibraryUsageLocatorV2::from_string("lb:TestX:LIB1:problem:p1").lib_key(), library);
  EXPECT_EQ(LibraryCollectionLocator::from_string("lib-collection:TestX:LIB1:c").lib_key(), library);
  EXPECT_EQ(LibraryContainerLocator::from_string("lct:TestX:LIB1:unit:u").lib_key(), library);
  EXPECT_EQ(UsageKey::from_string("lb:TestX:LIB1:problem:p1").lib_key(), library);
  EXPECT_EQ(LibraryUsageLocatorV2::from_string("lb:TestX:LIB1:problem:p1").lib_key().to_string(), "lib:TestX:LIB1");

  // The embedding keys do compare their own fields.
  EXPECT_NE(LibraryUsageLocatorV2::from_string("lb:TestX:LIB1:problem:p1"),
            LibraryUsageLocatorV2::from_string("lb:TestX:LIB1:problem:p2"));
  EXPECT_NE(LibraryCollectionLocator::from_string("lib-collection:TestX:LIB1:c1"),
            LibraryCollectionLocator::from_string("lib-collection:TestX:LIB1:c2"));
  EXPECT_NE(LibraryContainerLocator::from_string("lct:TestX:LIB1:unit:u"),
            LibraryContainerLocator::from_string("lct:TestX:LIB1:section:u"));

  // An lb: key converts to a UsageKey and back unchanged.
  const auto lb = LibraryUsageLocatorV2::from_string(kLongLibraryUsage);
  const UsageKey usage = lb;
  EXPECT_EQ(usage, UsageKey::from_string(kLongLibraryUsage));
  EXPECT_EQ(usage.as_library_usage_v2(), lb);
}

// Fields are stored back to back, so a set-but-empty field must stay distinct from an unset one and
// from its neighbours.
TEST(KeyStorage, EmptyAndUnsetFieldsStayDistinct) {
  const CourseKey no_run = CourseKey::from_string("org/course/");
  ASSERT_TRUE(no_run.run());
  EXPECT_EQ(*no_run.run(), "");
  const UsageKey i4x = UsageKey::from_string("i4x://org/course/category/name");
  EXPECT_FALSE(i4x.course_key().run());
  EXPECT_NE(i4x.course_key(), no_run);
  EXPECT_NE(CourseKey::from_string("course-v1:ab+c+run"), CourseKey::from_string("course-v1:a+bc+run"));
  EXPECT_NE(UsageKey::from_string("block-v1:o+c+r+type@ab+block@c"), UsageKey::from_string("block-v1:o+c+r+type@a+block@bc"));
  EXPECT_NE(UsageKey::from_string("block-v1:o+c+r+block@b"), UsageKey::from_string("block-v1:o+c+r+type@None+block@b"));
}

}  // namespace
