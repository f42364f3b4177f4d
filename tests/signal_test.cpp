// OpenEdxPublicSignal: metadata generation, receivers, robust and strict sending, validation and
// the registry, on a signal declared here (the catalog has its own tests).
#include "openedx_events/signal.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "openedx_events/keys.hpp"
#include "openedx_events/types/serializers.hpp"
#include "openedx_events/version.hpp"

namespace signal_test {
struct PingData {
  openedx_events::CourseKey course_key;
  std::string note;
  std::optional<std::int64_t> count;
};
OPENEDX_EVENTS_RECORD(PingData, (), (course_key, note, count))
struct PingEvent {
  PingData ping;
};
OPENEDX_EVENTS_RECORD(PingEvent, (), (ping))
struct KeyEvent {
  openedx_events::CourseKey course_key;
};
OPENEDX_EVENTS_RECORD(KeyEvent, (), (course_key))
}  // namespace signal_test

namespace openedx_events {
namespace {
using signal_test::KeyEvent;
using signal_test::PingEvent;

PingEvent ping() { return {{CourseKey::from_string("course-v1:edX+DemoX+Demo_Course"), "hello", 3}}; }

class SignalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("EVENTS_SERVICE_NAME", "signal-tests", 1);
    unsetenv("SERVICE_VARIANT");
  }
  OpenEdxPublicSignal<PingEvent> signal{"org.openedx.test.ping.sent.v1", 2};
};

TEST_F(SignalTest, SendEventGeneratesMetadataAsTheReference) {
  std::optional<EventsMetadata> seen;
  bool from_bus = true;
  auto c = signal.connect([&](const auto& event) {
    seen = event.metadata;
    from_bus = event.from_event_bus;
  });
  const auto before = DateTime::utc_now();
  signal.send_event(ping());
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->event_type, "org.openedx.test.ping.sent.v1");
  EXPECT_EQ(seen->minorversion, 2);
  EXPECT_EQ(seen->source, "openedx/signal-tests/web");
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  EXPECT_EQ(seen->sourcehost, host);
  EXPECT_EQ(seen->id.version(), 1);
  EXPECT_EQ(seen->sourcelib, (std::vector<std::int64_t>{version_major, version_minor, version_patch}));
  ASSERT_TRUE(seen->time.utc_offset());
  EXPECT_EQ(seen->time.utc_offset()->count(), 0);
  EXPECT_LE(before.to_sys_time(), seen->time.to_sys_time());
  EXPECT_FALSE(from_bus);
}

TEST_F(SignalTest, ServiceNameFallsBackToServiceVariantThenToUnset) {
  unsetenv("EVENTS_SERVICE_NAME");
  setenv("SERVICE_VARIANT", "lms", 1);
  EXPECT_EQ(signal.generate_signal_metadata().source, "openedx/lms/web");
  unsetenv("SERVICE_VARIANT");
  EXPECT_EQ(signal.generate_signal_metadata().source, "openedx/SERVICE_NAME_UNSET/web");
}

TEST_F(SignalTest, GivenTimeIsUsedAndMustBeUtc) {
  const auto t = DateTime::from_isoformat("2023-01-01T14:00:00+00:00");
  std::optional<EventsMetadata> seen;
  auto c = signal.connect([&](const auto& event) { seen = event.metadata; });
  signal.send_event(ping(), {.time = t});
  EXPECT_EQ(seen->time.isoformat(), "2023-01-01T14:00:00+00:00");
  EXPECT_THROW(signal.send_event(ping(), {.time = DateTime::from_isoformat("2023-01-01T14:00:00+01:00")}), MetadataError);
  EXPECT_THROW(signal.send_event(ping(), {.time = DateTime::from_isoformat("2023-01-01T14:00:00")}), MetadataError);
}

TEST_F(SignalTest, CustomMetadataIsPassedThroughAndMarksTheEventAsFromTheBus) {
  auto metadata = EventsMetadata::create("org.openedx.test.ping.sent.v1", 7);
  metadata.source = "openedx/other/web";
  std::optional<EventsMetadata> seen;
  bool from_bus = false;
  auto c = signal.connect([&](const auto& event) {
    seen = event.metadata;
    from_bus = event.from_event_bus;
  });
  signal.send_event_with_custom_metadata(metadata, ping());
  EXPECT_EQ(*seen, metadata);
  EXPECT_TRUE(from_bus);
}

TEST_F(SignalTest, ReceiversRunInConnectionOrderAndAThrowingOneDoesNotStopTheOthers) {
  std::vector<int> calls;
  auto a = signal.connect([&](const auto&) { calls.push_back(1); }, "first");
  auto b = signal.connect([&](const auto&) {
    calls.push_back(2);
    throw std::runtime_error("receiver whoops");
  }, "second");
  auto c = signal.connect([&](const auto&) { calls.push_back(3); });
  const auto results = signal.send_event(ping());
  EXPECT_EQ(calls, (std::vector<int>{1, 2, 3}));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[0].receiver, "first");
  EXPECT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].receiver, "second");
  EXPECT_EQ(results[1].error_message(), "receiver whoops");
  EXPECT_TRUE(results[2].ok());
}

TEST_F(SignalTest, StrictModePropagatesTheFirstFailure) {
  std::vector<int> calls;
  auto a = signal.connect([&](const auto&) { throw std::runtime_error("boom"); });
  auto b = signal.connect([&](const auto&) { calls.push_back(2); });
  EXPECT_THROW(signal.send_event(ping(), {.send_robust = false}), std::runtime_error);
  EXPECT_TRUE(calls.empty());
  signal.allow_send_event_failure();
  EXPECT_THROW(signal.send_event(ping()), std::runtime_error);
  EXPECT_TRUE(calls.empty());
}

TEST_F(SignalTest, DisabledSignalCallsNoReceiverAndDoesNotValidate) {
  int calls = 0;
  auto c = signal.connect([&](const auto&) { ++calls; });
  signal.disable();
  EXPECT_TRUE(signal.send_event(PingEvent{}).empty());
  signal.enable();
  signal.send_event(ping());
  EXPECT_EQ(calls, 1);
}

TEST_F(SignalTest, UnsetTopLevelValueIsAMissingArgument) {
  OpenEdxPublicSignal<KeyEvent> key_signal{"org.openedx.test.key.v1"};
  try {
    key_signal.send_event(KeyEvent{});
    FAIL();
  } catch (const SenderValidationError& e) {
    EXPECT_STREQ(e.what(), "SenderValidationError org.openedx.test.key.v1: Missing required argument 'course_key'");
  }
}

TEST_F(SignalTest, ConnectionsDisconnect) {
  int calls = 0;
  auto c = signal.connect([&](const auto&) { ++calls; });
  {
    ScopedConnection scoped = signal.connect([&](const auto&) { ++calls; });
    signal.send_event(ping());
    EXPECT_EQ(calls, 2);
  }
  signal.send_event(ping());
  EXPECT_EQ(calls, 3);
  EXPECT_TRUE(c.connected());
  c.disconnect();
  EXPECT_FALSE(c.connected());
  EXPECT_TRUE(signal.send_event(ping()).empty());
}

TEST_F(SignalTest, RegistryFindsTheSignalByTypeAndForgetsItWhenDestroyed) {
  EXPECT_EQ(&SignalBase::get_signal_by_type("org.openedx.test.ping.sent.v1"), &signal);
  {
    OpenEdxPublicSignal<PingEvent> shadow{"org.openedx.test.ping.sent.v1"};
    EXPECT_EQ(&SignalBase::get_signal_by_type("org.openedx.test.ping.sent.v1"), &shadow);
  }
  EXPECT_EQ(&SignalBase::get_signal_by_type("org.openedx.test.ping.sent.v1"), &signal);
  EXPECT_THROW(SignalBase::get_signal_by_type("org.openedx.test.nope.v1"), UnknownEventTypeError);
  const auto all = SignalBase::all_events();
  EXPECT_NE(std::find(all.begin(), all.end(), &signal), all.end());
}

TEST_F(SignalTest, SerializeAndDeserializeRoundTrip) {
  const auto bytes = signal.serialize(ping());
  const auto back = signal.deserialize(bytes);
  EXPECT_EQ(back.ping.course_key, ping().ping.course_key);
  EXPECT_EQ(back.ping.count, 3);
  EXPECT_EQ(signal.decode_to_json(bytes), signal.to_json(ping()));
}

TEST_F(SignalTest, DecodeErrorsNameTheEventTypeAndTheFieldPath) {
  std::string bytes = signal.serialize(ping());
  // Corrupt the course key's text: "course-v1:" becomes "course-v2:".
  bytes[9] = '2';
  try {
    signal.deserialize(bytes);
    FAIL();
  } catch (const avro::DecodeError& e) {
    EXPECT_EQ(e.event_type(), "org.openedx.test.ping.sent.v1");
    EXPECT_EQ(e.path(), "ping.course_key");
  }
  EXPECT_THROW(signal.deserialize(signal.serialize(ping()) + "x"), avro::DecodeError);
}

TEST_F(SignalTest, EventsFromBytesKeepTheirDataWhenAReceiverReEmitsFromBytes) {
  PingEvent first = ping();
  PingEvent second = ping();
  second.ping.note = "second";
  const auto first_bytes = signal.serialize(first);
  const auto second_bytes = signal.serialize(second);
  std::vector<std::string> notes;
  bool nested = false;
  auto c = signal.connect([&](const auto& event) {
    if (!nested) {
      nested = true;
      signal.send_avro_with_custom_metadata(event.metadata, second_bytes);
    }
    notes.push_back(event.data.ping.note);  // the outer event's data must still be its own
  });
  const auto metadata = signal.generate_signal_metadata();
  signal.send_avro_with_custom_metadata(metadata, first_bytes);
  EXPECT_EQ(notes, (std::vector<std::string>{"second", "hello"}));
  // And the reused decoding object gives the right data for the next event too.
  notes.clear();
  signal.send_avro_with_custom_metadata(metadata, second_bytes);
  EXPECT_EQ(notes, (std::vector<std::string>{"second"}));
}

TEST_F(SignalTest, UnsetNestedKeyCannotBeEncoded) {
  PingEvent data = ping();
  data.ping.course_key = {};
  try {
    signal.serialize(data);
    FAIL();
  } catch (const avro::EncodeError& e) {
    EXPECT_EQ(e.path(), "ping.course_key");
  }
}

}  // namespace
}  // namespace openedx_events
