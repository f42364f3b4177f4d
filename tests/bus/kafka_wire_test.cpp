// The Kafka backend's parts that need no broker: Confluent framing, the key schema traversal and its
// error texts (as edx-event-bus-kafka 6.2.0 prints them), key extraction, subjects, headers ↔
// metadata, the registry client's errors, and the factories' checks. The broker tests are in
// kafka_test.cpp; the texts below were checked against the real Python package.
#include <gtest/gtest.h>

#include <mutex>

#include "support/log_capture.hpp"
#include "bus/kafka/schema_registry.hpp"
#include "bus/kafka/wire.hpp"
#include "openedx_events/bus/kafka.hpp"
#include "openedx_events/catalog.hpp"
#include "openedx_events/logging.hpp"

namespace oe = openedx_events;
namespace bus = openedx_events::bus;
using nlohmann::json;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

// Captures the log lines of one test, silencing the other sinks (the logger's level unchanged).
struct CapturedLog : oe_test::LogCapture {
  CapturedLog() : LogCapture(oe::logger(), oe::logger().level()) {}
  std::vector<std::string> lines() { return sink().lines(); }
};

// --- framing -------------------------------------------------------------------------------------

TEST(KafkaFraming, TheReferencesExampleKey) {
  // python-stack.md §8.5: key b'\x00\x00\x00\x00\x01\x0cfoobob' (schema id 1, string "foobob").
  const std::string framed = bus::confluent_frame(1, std::string("\x0c" "foobob"));
  EXPECT_EQ(framed, std::string("\x00\x00\x00\x00\x01\x0c" "foobob", 12));
  const auto frame = bus::parse_confluent_frame(framed);
  EXPECT_EQ(frame.schema_id, 1);
  EXPECT_EQ(frame.payload, "\x0c" "foobob");
}

TEST(KafkaFraming, SchemaIdIsBigEndian) {
  const std::string framed = bus::confluent_frame(100019, "x");
  EXPECT_EQ(framed, std::string("\x00\x00\x01\x86\xb3x", 6));
  EXPECT_EQ(bus::parse_confluent_frame(framed).schema_id, 100019);
  EXPECT_EQ(bus::parse_confluent_frame(bus::confluent_frame(0x7FFFFFFF, "")).schema_id, 0x7FFFFFFF);
  EXPECT_EQ(bus::parse_confluent_frame(std::string("\x00\x00\x00\x00\x07", 5)).payload, "");
}

TEST(KafkaFraming, ShortAndForeignBytesAreUnusable) {
  for (const std::string& bytes : {std::string(), std::string("\x00", 1), std::string("\x00\x00\x00\x01", 4)}) {
    try {
      bus::parse_confluent_frame(bytes);
      ADD_FAILURE() << "no error for " << bytes.size() << " bytes";
    } catch (const bus::UnusableMessageError& e) {
      EXPECT_EQ(std::string(e.what()), "Confluent framing: " + std::to_string(bytes.size()) +
                                           " bytes is too short for the 5-byte header (magic byte 0x00 and a 4-byte "
                                           "schema id)");
    }
  }
  EXPECT_EQ(error_of([] { bus::parse_confluent_frame("{\"user\": 1}"); }),
            "Confluent framing: unknown magic byte 0x7b (expected 0x00); not a schema-registry framed Avro value");
  EXPECT_THROW(bus::parse_confluent_frame("\x01\x00\x00\x00\x01xyz"), bus::UnusableMessageError);
}

// --- key schema ----------------------------------------------------------------------------------

TEST(KafkaKeySchema, TheFieldDefinitionWithSortedKeys) {
  const auto& signal = oe::learning::STUDENT_REGISTRATION_COMPLETED;
  auto key = bus::kafka_key_schema(signal, "user.pii.username");
  EXPECT_EQ(key.text, R"({"name": "username", "type": "string"})");
  EXPECT_EQ(key.type, "string");
  EXPECT_EQ(bus::kafka_key_subject("dev-learning", key), "dev-learning-string");
  key = bus::kafka_key_schema(signal, "user.id");
  EXPECT_EQ(key.text, R"({"name": "id", "type": "long"})");
  EXPECT_EQ(bus::kafka_key_subject("t", key), "t-long");
  key = bus::kafka_key_schema(signal, "user.is_active");
  EXPECT_EQ(key.text, R"({"name": "is_active", "type": "boolean"})");
  EXPECT_EQ(bus::kafka_key_schema(oe::learning::COURSE_ENROLLMENT_CREATED, "enrollment.course.course_key").text,
            R"({"name": "course_key", "type": "string"})");
  EXPECT_EQ(bus::kafka_value_subject("dev-learning", signal.event_type()),
            "dev-learning-org.openedx.learning.student.registration.completed.v1.CloudEvent");
}

TEST(KafkaKeySchema, TraversalErrorsAreTheReferences) {
  const auto& registration = oe::learning::STUDENT_REGISTRATION_COMPLETED;
  const auto& enrollment = oe::learning::COURSE_ENROLLMENT_CREATED;
  // No such field.
  EXPECT_EQ(error_of([&] { bus::kafka_key_schema(registration, "user.nope"); }),
            "Error traversing Avro schema along path ['user', 'nope']; failed at 'nope'.");
  // Through an optional record (a union) and through a record referred to by name: the reference
  // cannot descend either (UserData is defined in `user` and named again in `created_by`).
  EXPECT_EQ(error_of([&] { bus::kafka_key_schema(enrollment, "enrollment.created_by.pii.username"); }),
            "Error traversing Avro schema along path ['enrollment', 'created_by', 'pii', 'username']; failed at "
            "'pii'.");
  EXPECT_EQ(error_of([&] { bus::kafka_key_schema(enrollment, "enrollment.created_by.id"); }),
            "Error traversing Avro schema along path ['enrollment', 'created_by', 'id']; failed at 'id'.");
  // Past a primitive.
  EXPECT_EQ(error_of([&] { bus::kafka_key_schema(registration, "user.id.x"); }),
            "Error traversing Avro schema along path ['user', 'id', 'x']; failed at 'x'.");
  EXPECT_EQ(error_of([&] { bus::kafka_key_schema(registration, "nope"); }),
            "Error traversing Avro schema along path ['nope']; failed at 'nope'.");
}

TEST(KafkaKeySchema, RecordsAndOptionalFieldsAreNotKeys) {
  // The reference gets this far too, then fails building the serializer (TypeError: unhashable
  // type 'dict' / 'list'); the event is not produced either way.
  EXPECT_EQ(error_of([] { bus::kafka_key_schema(oe::learning::STUDENT_REGISTRATION_COMPLETED, "user.pii"); }),
            "Cannot use 'user.pii' as the Kafka event key: its Avro type {\"fields\": [{\"name\": \"username\", "
            "\"type\": \"string\"}, {\"name\": \"email\", \"type\": \"string\"}, {\"name\": \"name\", \"type\": "
            "\"string\"}], \"name\": \"UserPersonalData\", \"type\": \"record\"} is not a primitive type (string, long, "
            "int, boolean, double, float, bytes)");
  EXPECT_TRUE(error_of([] {
                bus::kafka_key_schema(oe::content_authoring::COURSE_CATALOG_INFO_CHANGED, "catalog_info.schedule_data.end");
              }).starts_with("Cannot use 'catalog_info.schedule_data.end' as the Kafka event key: its Avro type "
                             "[\"null\", \"string\"] is not a primitive type"));
}

TEST(KafkaKeySchema, ValueSchemaTextIsSortedJson) {
  const std::string text = bus::kafka_value_schema_text(oe::content_authoring::XBLOCK_PUBLISHED);
  EXPECT_EQ(text,
            R"({"doc": "Avro Event Format for CloudEvents created with openedx_events/schema", "fields": [{"name": )"
            R"("xblock_info", "type": {"fields": [{"name": "usage_key", "type": "string"}, {"name": "block_type", )"
            R"("type": "string"}, {"default": null, "name": "version", "type": ["null", "string"]}], "name": )"
            R"("XBlockData", "type": "record"}}], "name": "CloudEvent", "namespace": )"
            R"("org.openedx.content_authoring.xblock.published.v1", "type": "record"})");
}

// --- key extraction ------------------------------------------------------------------------------

TEST(KafkaEventKey, WalksDictsByKeyAndObjectsByAttribute) {
  const auto& signal = oe::learning::COURSE_ENROLLMENT_CREATED;
  const json data = {{"enrollment",
                      {{"user", {{"id", 7}, {"is_active", true}, {"pii", {{"username", "ann"}}}}},
                       {"course", {{"course_key", "course-v1:edX+D+1"}}},
                       {"created_by", nullptr}}}};
  EXPECT_EQ(bus::extract_event_key(signal, data, "enrollment.user.pii.username"), json("ann"));
  EXPECT_EQ(bus::extract_event_key(signal, data, "enrollment.user.id"), json(7));
  EXPECT_EQ(bus::extract_event_key(signal, data, "enrollment.course.course_key"), json("course-v1:edX+D+1"));
  EXPECT_EQ(error_of([&] { bus::extract_event_key(signal, data, "nope"); }),
            "Could not extract key from event; lookup in nope failed at 'nope' in dictionary");
  EXPECT_EQ(error_of([&] { bus::extract_event_key(signal, data, "enrollment.nope"); }),
            "Could not extract key from event; lookup in enrollment.nope failed at 'nope' in object");
  // An optional record that is None: getattr(None, 'id') fails "in object".
  EXPECT_EQ(error_of([&] { bus::extract_event_key(signal, data, "enrollment.created_by.id"); }),
            "Could not extract key from event; lookup in enrollment.created_by.id failed at 'id' in object");
}

// --- headers -------------------------------------------------------------------------------------

oe::EventsMetadata sample_metadata() {
  oe::EventsMetadata m = oe::EventsMetadata::create("org.openedx.learning.auth.session.login.completed.v1");
  m.id = oe::Uuid::parse("c45efb10-3556-11ee-9f19-7e694b1e500b");
  m.source = "openedx/lms/web";
  m.sourcehost = "host-1";
  m.time = oe::DateTime::from_isoformat("2023-01-01T14:00:00.123456+00:00");
  m.minorversion = 3;
  m.sourcelib = {11, 2, 0};
  return m;
}

TEST(KafkaHeaders, TheReferencesTenHeadersInOrder) {
  const bus::KafkaHeaders expected = {
      {"ce_specversion", "1.0"},
      {"content-type", "application/avro"},
      {"ce_datacontenttype", "application/avro"},
      {"ce_type", "org.openedx.learning.auth.session.login.completed.v1"},
      {"ce_id", "c45efb10-3556-11ee-9f19-7e694b1e500b"},
      {"ce_source", "openedx/lms/web"},
      {"ce_time", "2023-01-01T14:00:00.123456+00:00"},
      {"ce_minorversion", "3"},
      {"sourcehost", "host-1"},
      {"sourcelib", "11.2.0"},
  };
  EXPECT_EQ(bus::kafka_headers_from_metadata(sample_metadata()), expected);
  EXPECT_EQ(bus::kafka_metadata_from_headers(expected), sample_metadata());
}

bus::KafkaHeaders without(bus::KafkaHeaders headers, std::string_view name) {
  headers.erase(std::remove_if(headers.begin(), headers.end(), [&](const auto& h) { return h.first == name; }),
                headers.end());
  return headers;
}

TEST(KafkaHeaders, MissingCeIdIsFatalOthersTakeDefaultsWithAWarning) {
  const auto headers = bus::kafka_headers_from_metadata(sample_metadata());
  EXPECT_EQ(error_of([&] { bus::kafka_metadata_from_headers(without(headers, "ce_id")); }),
            "Missing \"ce_id\" header on message, cannot continue");
  CapturedLog log;
  auto stripped = without(without(without(headers, "ce_source"), "sourcelib"), "ce_minorversion");
  const oe::EventsMetadata m = bus::kafka_metadata_from_headers(stripped);
  EXPECT_EQ(m.id, sample_metadata().id);
  EXPECT_EQ(m.source, oe::default_source());
  EXPECT_EQ(m.sourcelib, oe::default_sourcelib());
  EXPECT_EQ(m.minorversion, 0);
  const auto lines = log.lines();
  const std::vector<std::string> warnings = {
      "Missing \"ce_source\" header on message, will use EventsMetadata default",
      "Missing \"ce_minorversion\" header on message, will use EventsMetadata default",
      "Missing \"sourcelib\" header on message, will use EventsMetadata default"};
  EXPECT_EQ(lines, warnings);
  // A header named "minorversion" (no ce_ prefix) is not read.
  stripped.emplace_back("minorversion", "9");
  EXPECT_EQ(bus::kafka_metadata_from_headers(stripped).minorversion, 0);
}

TEST(KafkaHeaders, DuplicatesAreErrorsEmptyValuesAreUsed) {
  auto headers = bus::kafka_headers_from_metadata(sample_metadata());
  auto twice = headers;
  twice.emplace_back("ce_time", "2024-01-01T00:00:00+00:00");
  EXPECT_EQ(error_of([&] { bus::kafka_metadata_from_headers(twice); }),
            "Multiple \"ce_time\" headers on message. Cannot determine correct metadata.");
  // Unlike Redis, an empty value is used as it is...
  auto empty = headers;
  for (auto& [name, value] : empty) {
    if (name == "ce_source" || name == "sourcehost") value.clear();
  }
  const auto m = bus::kafka_metadata_from_headers(empty);
  EXPECT_EQ(m.source, "");
  EXPECT_EQ(m.sourcehost, "");
  // ...so it must parse.
  for (const char* name : {"ce_time", "ce_minorversion", "sourcelib", "ce_id"}) {
    auto bad = headers;
    for (auto& [n, value] : bad) {
      if (n == name) value.clear();
    }
    EXPECT_FALSE(error_of([&] { bus::kafka_metadata_from_headers(bad); }).empty()) << name;
  }
  EXPECT_EQ(error_of([&] {
              auto bad = headers;
              bad[7].second = "x";
              bus::kafka_metadata_from_headers(bad);
            }),
            "invalid literal for int() with base 10: 'x'");
  // A time that is not UTC is refused, as EventsMetadata's validator does.
  auto local = headers;
  local[6].second = "2023-01-01T14:00:00+02:00";
  EXPECT_FALSE(error_of([&] { bus::kafka_metadata_from_headers(local); }).empty());
}

// --- dead letters --------------------------------------------------------------------------------

TEST(KafkaDeadLetter, TheRecordsHeadersInOrderThenFiveMarks) {
  auto original = bus::kafka_headers_from_metadata(sample_metadata());
  original.emplace_back("x-foreign", "kept");
  auto expected = original;
  expected.insert(expected.end(), {{"dead_letter_error", "ReceiverError('1 receiver(s) out of 1 ...')"},
                                   {"dead_letter_topic", "dev-learning"},
                                   {"dead_letter_partition", "2"},
                                   {"dead_letter_offset", "9007199254740993"},
                                   {"dead_letter_group", "lms-group"}});
  EXPECT_EQ(bus::kafka_dead_letter_headers(original, "ReceiverError('1 receiver(s) out of 1 ...')", "dev-learning", 2,
                                           9007199254740993, "lms-group"),
            expected);
  EXPECT_EQ(bus::kafka_dead_letter_headers({}, "e", "t", 0, 0, "g").size(), 5u);
}

TEST(KafkaDeadLetter, AReplayedDeadLetterThatFailsAgainIsMarkedOnce) {
  const auto original = bus::kafka_headers_from_metadata(sample_metadata());
  const auto first = bus::kafka_dead_letter_headers(original, "first", "dev-t", 0, 5, "g");
  const auto second = bus::kafka_dead_letter_headers(first, "second", "dev-t.dead-letter.g", 0, 0, "replay");
  EXPECT_EQ(second, bus::kafka_dead_letter_headers(original, "second", "dev-t.dead-letter.g", 0, 0, "replay"));
}

TEST(KafkaDeadLetter, TheMarksAreIgnoredByTheHeaderToMetadataMapping) {
  // As the reference's _get_metadata_from_headers(), which only looks up the headers it maps
  // (checked with edx-event-bus-kafka 6.2.0: equal metadata with and without the five marks).
  CapturedLog log;
  const auto original = bus::kafka_headers_from_metadata(sample_metadata());
  const auto marked = bus::kafka_dead_letter_headers(original, "UnusableMessageError('x')", "dev-t", 0, 5, "g");
  EXPECT_EQ(bus::kafka_metadata_from_headers(marked), sample_metadata());
  EXPECT_EQ(log.lines(), std::vector<std::string>{});  // no "Missing ..." or other warning
}

TEST(KafkaDeadLetter, TopicNamesKafkaAccepts) {
  EXPECT_EQ(bus::dead_letter_topic_name("dev-learning", "lms-group"), "dev-learning.dead-letter.lms-group");
  EXPECT_EQ(bus::kafka_topic_name_error("dev-learning.dead-letter.lms_group-1"), std::nullopt);
  EXPECT_EQ(bus::kafka_topic_name_error(std::string(249, 'a')), std::nullopt);
  EXPECT_NE(bus::kafka_topic_name_error(std::string(250, 'a')), std::nullopt);
  EXPECT_NE(bus::kafka_topic_name_error(""), std::nullopt);
  EXPECT_NE(bus::kafka_topic_name_error("."), std::nullopt);
  EXPECT_NE(bus::kafka_topic_name_error(".."), std::nullopt);
  EXPECT_EQ(bus::kafka_topic_name_error("t.dead-letter.my group"),
            "a topic name holds only ASCII letters, digits, '.', '_' and '-'; 't.dead-letter.my group' does not");
  EXPECT_NE(bus::kafka_topic_name_error("t.dead-letter.lms:g"), std::nullopt);
  EXPECT_NE(bus::kafka_topic_name_error("t.dead-letter.\xc3\xa9"), std::nullopt);
}

TEST(KafkaDeadLetter, AGroupWhoseDeadLetterTopicKafkaRefusesIsRefusedUpFront) {
  bus::Settings settings;
  settings.kafka_bootstrap_servers = "127.0.0.1:9";
  settings.kafka_schema_registry_url = "http://127.0.0.1:9";
  settings.event_bus_topic_prefix = "dev";
  EXPECT_EQ(error_of([&] { bus::make_kafka_consumer(settings, "t", "lms group", json::object()); }),
            "Cannot use the dead-letter topic 'dev-t.dead-letter.lms group' of consumer group 'lms group': a topic name "
            "holds only ASCII letters, digits, '.', '_' and '-'; 'dev-t.dead-letter.lms group' does not (choose "
            "another group id, or set EVENT_BUS_DEAD_LETTER_ENABLED=false)");
  // Offset-reset mode processes nothing; without dead letters the group id is the reference's business.
  EXPECT_NE(bus::make_kafka_consumer(settings, "t", "lms group", {{"offset_time", "2023-01-01T00:00:00+00:00"}}),
            nullptr);
  settings.dead_letter_enabled = false;
  EXPECT_NE(bus::make_kafka_consumer(settings, "t", "lms group", json::object()), nullptr);
}

// --- registry client -----------------------------------------------------------------------------

TEST(SchemaRegistryClient, UnreachableRegistryNamesTheUrl) {
  // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
  bus::SchemaRegistryClient client({"http://user:secret@127.0.0.1:9/", "", ""});
  try {
    client.get_schema(1);
    FAIL() << "no error";
  } catch (const bus::SchemaRegistryError& e) {
    const std::string what = e.what();
    EXPECT_TRUE(what.starts_with("Schema registry GET http://127.0.0.1:9/schemas/ids/1 failed: ")) << what;
    EXPECT_EQ(what.find("secret"), std::string::npos) << what;
    EXPECT_TRUE(e.unavailable());
    EXPECT_EQ(e.status(), 0);
  }
  EXPECT_TRUE(error_of([&] { client.register_schema("t-string", R"({"type": "string"})"); })
                  .starts_with("Schema registry POST http://127.0.0.1:9/subjects/t-string/versions?normalize=False "
                               "failed: "));
}

// --- factories -----------------------------------------------------------------------------------

TEST(KafkaFactory, MissingSettings) {
  CapturedLog log;
  bus::Settings settings;
  EXPECT_EQ(bus::make_kafka_producer(settings), nullptr);
  EXPECT_EQ(log.lines(), std::vector<std::string>{
                             "Cannot configure event-bus-kafka: Missing setting EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS"});
  EXPECT_EQ(error_of([&] { bus::make_kafka_consumer(settings, "t", "g", json::object()); }),
            "Cannot configure event-bus-kafka: Missing setting EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS");
  settings.kafka_bootstrap_servers = "127.0.0.1:9";
  EXPECT_TRUE(error_of([&] { bus::make_kafka_consumer(settings, "t", "g", json::object()); })
                  .starts_with("Cannot configure event-bus-kafka: Missing setting EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL"));
}

TEST(KafkaFactory, ExtraOptionsAreTheReferencesPlusCheckBacklog) {
  CapturedLog log;
  bus::Settings settings;
  settings.kafka_bootstrap_servers = "127.0.0.1:9";
  settings.kafka_schema_registry_url = "http://127.0.0.1:9";
  EXPECT_EQ(error_of([&] { bus::make_kafka_consumer(settings, "t", "g", {{"consumer_name", "c"}}); }),
            "KafkaEventConsumer.__init__() got an unexpected keyword argument 'consumer_name'");
  EXPECT_EQ(error_of([&] { bus::make_kafka_consumer(settings, "t", "g", {{"offset_time", "12345"}}); }),
            "Invalid isoformat string: '12345'");
  EXPECT_EQ(log.lines().back(), "Could not parse the offset timestamp.");
  EXPECT_EQ(error_of([&] { bus::make_kafka_consumer(settings, "t", "g", {{"check_backlog", "yes"}}); }),
            "check_backlog must be true or false");
  EXPECT_NE(bus::make_kafka_consumer(settings, "t", "g", {{"offset_time", "2023-01-01T00:00:00+00:00"}}), nullptr);
  EXPECT_NE(bus::make_kafka_consumer(settings, "t", "g", {{"offset_time", nullptr}, {"check_backlog", true}}), nullptr);
  const auto made = bus::make_kafka_consumer(settings, "t", "g", json::object());
  const auto* consumer = dynamic_cast<const bus::KafkaConsumer*>(made.get());
  ASSERT_NE(consumer, nullptr);
  EXPECT_EQ(consumer->full_topic(), "t");
  EXPECT_EQ(consumer->group_id(), "g");
}

TEST(KafkaFactory, LibrdkafkaRefusesBadConfiguration) {
  bus::Settings settings;
  settings.kafka_bootstrap_servers = "127.0.0.1:9";
  settings.kafka_config = {{"no.such.property", "1"}};
  EXPECT_EQ(error_of([&] { bus::KafkaProducer producer(settings); }),
            "librdkafka refuses no.such.property='1': No such configuration property: \"no.such.property\"");
}

TEST(KafkaProducer, SendNeverThrowsAndLogsWhatIsNeededToResend) {
  CapturedLog log;
  bus::Settings settings;
  settings.kafka_bootstrap_servers = "127.0.0.1:9";
  // No registry: every send fails before reaching librdkafka, as in the reference.
  bus::KafkaProducer producer(settings);
  const auto& signal = oe::learning::STUDENT_REGISTRATION_COMPLETED;
  oe::learning::UserEvent data;
  data.user.id = 42;
  data.user.is_active = true;
  data.user.pii = {"ada", "ada@example.com", "Ada"};
  oe::EventsMetadata metadata = sample_metadata();
  metadata.event_type = signal.event_type();
  EXPECT_NO_THROW(producer.send(signal, "learning", "user.pii.username", data, metadata));
  EXPECT_NO_THROW(producer.send(signal, "learning", "user.nope", data, metadata));
  std::vector<std::string> errors;
  for (const auto& line : log.lines()) {
    if (line.starts_with("Error delivering")) errors.push_back(line);
  }
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0],
            "Error delivering message to Kafka event bus. error=Cannot create Kafka serializers -- missing library or "
            "settings full_topic='learning' event_key='ada' signal=<OpenEdxPublicSignal: "
            "org.openedx.learning.student.registration.completed.v1> initial_topic='learning' "
            "event_key_field='user.pii.username' event_data={\"user\": {\"id\": 42, \"is_active\": true, \"pii\": "
            "{\"email\": \"ada@example.com\", \"name\": \"Ada\", \"username\": \"ada\"}}} "
            "event_metadata={\"event_type\": \"org.openedx.learning.student.registration.completed.v1\", \"id\": "
            "\"c45efb10-3556-11ee-9f19-7e694b1e500b\", \"minorversion\": 3, \"source\": \"openedx/lms/web\", "
            "\"sourcehost\": \"host-1\", \"time\": \"2023-01-01T14:00:00.123456+00:00\", \"sourcelib\": [11, 2, 0]} "
            "event_data_as_json='{\"user\": {\"id\": 42, \"is_active\": true, \"pii\": {\"email\": "
            "\"ada@example.com\", \"name\": \"Ada\", \"username\": \"ada\"}}}' event_metadata_as_json='{\"event_type\": "
            "\"org.openedx.learning.student.registration.completed.v1\", \"id\": \"c45efb10-3556-11ee-9f19-7e694b1e500b\", "
            "\"minorversion\": 3, \"source\": \"openedx/lms/web\", \"sourcehost\": \"host-1\", \"time\": "
            "\"2023-01-01T14:00:00.123456+00:00\", \"sourcelib\": [11, 2, 0]}'");
  EXPECT_TRUE(errors[1].starts_with("Error delivering message to Kafka event bus. error=Could not extract key from "
                                    "event; lookup in user.nope failed at 'nope' in object full_topic='learning' "
                                    "event_key=None "))
      << errors[1];
}

}  // namespace
