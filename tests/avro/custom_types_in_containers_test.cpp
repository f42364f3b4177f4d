// Custom types as list items and map values: the reference refuses them at schema generation
// ("Type ... is not supported for list items"); here they take their wire form inside containers.
#include <gtest/gtest.h>

#include "openedx_events/keys.hpp"
#include "openedx_events/signal.hpp"
#include "openedx_events/types/serializers.hpp"

namespace containers_test {
struct ScheduleData {
  std::vector<openedx_events::CourseKey> courses;
  std::map<std::string, openedx_events::DateTime> deadlines;
  std::optional<std::vector<openedx_events::Uuid>> owners;
};
OPENEDX_EVENTS_RECORD(ScheduleData, (), (courses, deadlines, owners))
struct ScheduleEvent {
  ScheduleData schedule;
};
OPENEDX_EVENTS_RECORD(ScheduleEvent, (), (schedule))
}  // namespace containers_test

namespace openedx_events {
namespace {

OpenEdxPublicSignal<containers_test::ScheduleEvent> SCHEDULE_CHANGED{"org.openedx.test.schedule.changed.v1"};

containers_test::ScheduleEvent sample() {
  return {{{CourseKey::from_string("course-v1:edX+DemoX+2026"), CourseKey::from_string("org/course/run")},
           {{"final", DateTime::from_isoformat("2026-12-01T12:00:00+00:00")},
            {"quiz", DateTime::from_isoformat("2026-11-30T09:30:00.250000")}},
           std::vector<Uuid>{Uuid::parse("c45efb10-3556-11ee-9f19-7e694b1e500b")}}};
}

TEST(CustomTypesInContainers, SchemaUsesTheWireTypeForItemsAndValues) {
  const auto field = SCHEDULE_CHANGED.avro_schema()["fields"][0]["type"]["fields"];
  EXPECT_EQ(field[0]["type"].dump(), R"({"type":"array","items":"string"})");
  EXPECT_EQ(field[1]["type"].dump(), R"({"type":"map","values":"string"})");
  EXPECT_EQ(field[2]["type"].dump(), R"(["null",{"type":"array","items":"string"}])");
}

TEST(CustomTypesInContainers, RoundTripThroughBytesAndTheJsonView) {
  const auto bytes = SCHEDULE_CHANGED.serialize(sample());
  const auto back = SCHEDULE_CHANGED.deserialize(bytes);
  EXPECT_EQ(back.schedule.courses, sample().schedule.courses);
  EXPECT_EQ(back.schedule.deadlines, sample().schedule.deadlines);
  EXPECT_EQ(back.schedule.owners, sample().schedule.owners);
  const auto view = SCHEDULE_CHANGED.to_json(back);
  EXPECT_EQ(view["schedule"]["courses"][1], "org/course/run");
  EXPECT_EQ(view["schedule"]["deadlines"]["quiz"], "2026-11-30T09:30:00.250000");
  EXPECT_EQ(SCHEDULE_CHANGED.serialize(SCHEDULE_CHANGED.from_json(view)), bytes);
}

TEST(CustomTypesInContainers, AnInvalidItemNamesItsIndexOrKey) {
  auto view = SCHEDULE_CHANGED.to_json(sample());
  view["schedule"]["courses"][1] = "course-v1:not-a-key";
  try {
    SCHEDULE_CHANGED.from_json(view);
    FAIL();
  } catch (const avro::JsonViewError& e) {
    EXPECT_EQ(e.path(), "schedule.courses[1]");
  }
  view = SCHEDULE_CHANGED.to_json(sample());
  view["schedule"]["deadlines"]["quiz"] = "yesterday";
  try {
    SCHEDULE_CHANGED.from_json(view);
    FAIL();
  } catch (const avro::JsonViewError& e) {
    EXPECT_EQ(e.path(), "schedule.deadlines[\"quiz\"]");
  }
}

}  // namespace
}  // namespace openedx_events
