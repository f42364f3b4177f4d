// The Avro customization point for the opaque keys: every key class travels as its str() and comes
// back through its own from_string, and an unset key stands for Python's None.
#include <gtest/gtest.h>

#include <string>

#include "openedx_events/keys.hpp"

namespace {

using namespace openedx_events;
using namespace openedx_events::keys;

static_assert(custom_avro_type<CourseKey>);
static_assert(custom_avro_type<CCXLocator>);
static_assert(custom_avro_type<UsageKey>);
static_assert(custom_avro_type<LibraryLocatorV2>);
static_assert(custom_avro_type<LibraryUsageLocatorV2>);
static_assert(custom_avro_type<LibraryCollectionLocator>);
static_assert(custom_avro_type<LibraryContainerLocator>);

template <class Key>
void expect_wire_round_trip(const std::string& text) {
  SCOPED_TRACE(text);
  const Key key = Key::from_string(text);
  std::string wire = avro_serializer<Key>::serialize(key);
  EXPECT_EQ(wire, text);
  EXPECT_EQ(avro_serializer<Key>::deserialize(std::move(wire)), key);
  EXPECT_FALSE(is_unset_value(key));
  EXPECT_TRUE(is_unset_value(Key{}));
}

TEST(KeySerializers, WriteStrAndReadBackWithTheClassOwnFromString) {
  expect_wire_round_trip<CourseKey>("course-v1:edX+DemoX+Demo_Course");
  expect_wire_round_trip<CourseKey>("org/course/run");
  expect_wire_round_trip<CCXLocator>("ccx-v1:org+course+run+ccx@1");
  expect_wire_round_trip<UsageKey>("block-v1:org+course+run+type@problem+block@p1");
  expect_wire_round_trip<LibraryLocatorV2>("lib:org:slug");
  expect_wire_round_trip<LibraryUsageLocatorV2>("lb:org:slug:problem:p1");
  expect_wire_round_trip<LibraryCollectionLocator>("lib-collection:org:slug:c1");
  expect_wire_round_trip<LibraryContainerLocator>("lct:org:slug:unit:u1");
}

TEST(KeySerializers, WriteTheCanonicalFormNotTheInput) {
  EXPECT_EQ(avro_serializer<CourseKey>::serialize(CourseKey::from_string("slashes:org+course+run")),
            "course-v1:org+course+run");
}

TEST(KeySerializers, RejectWireTextOfAnotherKeyType) {
  EXPECT_THROW(avro_serializer<CCXLocator>::deserialize("course-v1:org+course+run"), InvalidKeyError);
  EXPECT_THROW(avro_serializer<CourseKey>::deserialize("lib:org:slug"), InvalidKeyError);
  EXPECT_THROW(avro_serializer<LibraryUsageLocatorV2>::deserialize("block-v1:o+c+r+type@t+block@b"), InvalidKeyError);
}

}  // namespace
