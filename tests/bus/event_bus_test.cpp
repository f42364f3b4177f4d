// The bus entry points: auto-publishing from EVENT_BUS_PRODUCER_CONFIG (what is published, where,
// and that events re-emitted by a consumer are never published again), and the factories when
// nothing is configured.
#include "openedx_events/bus/event_bus.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "openedx_events/bus/dispatch.hpp"
#include "openedx_events/bus/embedded.hpp"
#include "openedx_events/bus/message.hpp"
#include "openedx_events/catalog.hpp"

namespace {

namespace oe = openedx_events;
namespace bus = openedx_events::bus;
using oe::learning::COURSE_ENROLLMENT_CREATED;
using oe::learning::STUDENT_REGISTRATION_COMPLETED;
using oe::learning::UserEvent;

// Records what the auto-publisher hands to the producer.
class RecordingProducer final : public bus::EventBusProducer {
 public:
  struct Sent {
    std::string event_type;
    std::string topic;
    std::string event_key_field;
    std::string metadata_id;
    oe::avro::json data;
  };
  void send_erased(oe::EventDataRef event_data, std::string_view topic, std::string_view event_key_field,
                   const oe::EventsMetadata& metadata) override {
    const std::lock_guard lock(mutex_);
    sent_.push_back({event_data.signal().event_type(), std::string(topic), std::string(event_key_field),
                     metadata.id.to_string(), event_data.to_json()});
  }
  std::vector<Sent> sent() {
    const std::lock_guard lock(mutex_);
    return sent_;
  }

 private:
  std::mutex mutex_;
  std::vector<Sent> sent_;
};

UserEvent make_user(std::int64_t id) {
  UserEvent event;
  event.user.id = id;
  event.user.is_active = true;
  event.user.pii.username = "user" + std::to_string(id);
  event.user.pii.email = "user" + std::to_string(id) + "@example.com";
  event.user.pii.name = "User " + std::to_string(id);
  return event;
}

bus::ProducerConfig config(const char* text) { return bus::parse_producer_config(nlohmann::ordered_json::parse(text)); }

constexpr const char* kRegistrationConfig = R"({
  "org.openedx.learning.student.registration.completed.v1": {
    "user-registrations": {"event_key_field": "user.pii.username", "enabled": true},
    "disabled-topic": {"event_key_field": "user.id", "enabled": false},
    "analytics": {"event_key_field": "user.id", "enabled": true}
  }
})";

TEST(AutoPublisher, PublishesEachEnabledTopicOnceWithItsKeyField) {
  RecordingProducer producer;
  const bus::AutoPublisher publisher(config(kRegistrationConfig), producer);
  const auto results = STUDENT_REGISTRATION_COMPLETED.send_event(make_user(7));
  (void)results;

  const auto sent = producer.sent();
  ASSERT_EQ(sent.size(), 2u);  // the disabled topic is skipped
  EXPECT_EQ(sent[0].topic, "user-registrations");
  EXPECT_EQ(sent[0].event_key_field, "user.pii.username");
  EXPECT_EQ(sent[1].topic, "analytics");
  EXPECT_EQ(sent[1].event_key_field, "user.id");
  for (const auto& s : sent) {
    EXPECT_EQ(s.event_type, STUDENT_REGISTRATION_COMPLETED.event_type());
    EXPECT_EQ(s.data, STUDENT_REGISTRATION_COMPLETED.to_json(make_user(7)));
  }
  // One event, one metadata: both topics carry the same id.
  EXPECT_EQ(sent[0].metadata_id, sent[1].metadata_id);
}

TEST(AutoPublisher, IgnoresEventTypesNotConfigured) {
  RecordingProducer producer;
  const bus::AutoPublisher publisher(config(kRegistrationConfig), producer);
  oe::learning::CourseEnrollmentEvent enrollment;
  enrollment.enrollment.user.id = 1;
  enrollment.enrollment.user.pii.username = "u";
  enrollment.enrollment.course.course_key = oe::CourseKey::from_string("course-v1:edX+DemoX+Demo_Course");
  enrollment.enrollment.mode = "audit";
  enrollment.enrollment.is_active = true;
  (void)COURSE_ENROLLMENT_CREATED.send_event(enrollment);
  EXPECT_TRUE(producer.sent().empty());
}

TEST(AutoPublisher, NeverRepublishesAnEventReEmittedFromTheBus) {
  RecordingProducer producer;
  const bus::AutoPublisher publisher(config(kRegistrationConfig), producer);
  // What a consumer does with an entry: re-emit it with the producer's metadata.
  const auto metadata = STUDENT_REGISTRATION_COMPLETED.generate_signal_metadata();
  const auto message = bus::BusMessage::from_event(metadata, STUDENT_REGISTRATION_COMPLETED.serialize(make_user(3)));
  std::vector<bool> received;  // from_event_bus of each event the receiver saw
  const oe::ScopedConnection receiver = STUDENT_REGISTRATION_COMPLETED.connect(
      [&](const auto& event) { received.push_back(event.from_event_bus); });
  const auto emitted = bus::emit_message(message);
  EXPECT_EQ(received, std::vector<bool>{true});
  EXPECT_EQ(emitted.id, metadata.id);
  EXPECT_TRUE(producer.sent().empty()) << "an event from the bus went back to the bus";

  // The same event sent locally is published.
  (void)STUDENT_REGISTRATION_COMPLETED.send_event(make_user(3));
  EXPECT_EQ(received, (std::vector<bool>{true, false}));
  EXPECT_EQ(producer.sent().size(), 2u);
}

TEST(AutoPublisher, StopsWhenDestroyed) {
  RecordingProducer producer;
  {
    const bus::AutoPublisher publisher(config(kRegistrationConfig), producer);
    (void)STUDENT_REGISTRATION_COMPLETED.send_event(make_user(1));
  }
  (void)STUDENT_REGISTRATION_COMPLETED.send_event(make_user(2));
  EXPECT_EQ(producer.sent().size(), 2u);  // both topics of the first send only
}

TEST(AutoPublisher, RejectsAConfigNamingAnUnknownEventType) {
  EXPECT_THROW(config(R"({"org.openedx.no.such.event.v1": {"t": {"event_key_field": "x", "enabled": true}}})"),
               bus::ProducerConfigurationError);
}

// Publisher and consumer in one process on the embedded bus: the consumer's re-emission reaches
// the receivers and is not published again, so the topic holds exactly the one entry.
TEST(AutoPublisher, NoLoopThroughARealBus) {
  const auto dir = std::filesystem::temp_directory_path() / ("auto-publisher-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  bus::Settings settings;
  settings.embedded_bus_path = dir / "bus.sqlite3";
  settings.redis_audit_logging_enabled = false;
  settings.redis_consumer_poll_timeout = 0.2;
  {
    bus::EmbeddedProducer producer(settings);
    bus::EmbeddedConsumerOptions options;
    options.consumer_name = "c1";
    bus::EmbeddedConsumer consumer(settings, "user-registrations", "lms", options);
    const bus::AutoPublisher publisher(config(kRegistrationConfig), producer);
    int from_bus = 0;
    const oe::ScopedConnection receiver = STUDENT_REGISTRATION_COMPLETED.connect([&](const auto& event) {
      if (!event.from_event_bus) return;
      ++from_bus;
      consumer.request_stop();
    });
    (void)STUDENT_REGISTRATION_COMPLETED.send_event(make_user(5));
    consumer.consume_indefinitely();
    EXPECT_EQ(from_bus, 1);
    EXPECT_EQ(bus::embedded_topic_info(settings, "user-registrations").length, 1);
    EXPECT_EQ(bus::embedded_topic_info(settings, "analytics").length, 1);
  }
  std::filesystem::remove_all(dir);
}

TEST(EventBusFactories, NothingConfigured) {
  const bus::Settings settings;
  EXPECT_EQ(bus::make_producer(settings), nullptr);
  EXPECT_THROW(bus::make_single_consumer(settings, "t", "g"), bus::NoConsumerConfiguredError);
}

}  // namespace
