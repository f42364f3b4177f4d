// The Kafka backend: wire-compatible both ways with edx-event-bus-kafka (6.2.0, confluent-kafka 2.x):
// the same records (Confluent-framed Avro keys and values, the reference's ten headers) and the same
// registry subjects and schema texts, so either side consumes the other's events. Where it
// deliberately differs from the reference: README.md, "Differences from the reference".
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "openedx_events/bus/consumer.hpp"
#include "openedx_events/bus/message.hpp"
#include "openedx_events/bus/producer.hpp"
#include "openedx_events/bus/settings.hpp"
#include "openedx_events/metadata.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events::bus {

// librdkafka refused a configuration, or reported a fatal error (the client cannot go on).
class KafkaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// --- Producer --------------------------------------------------------------------------------------

// edx-event-bus-kafka's KafkaEventProducer: the same settings, records, registry subjects and log
// lines. send_erased() never throws: failures are logged with the event as JSON, so that it can be
// re-sent. The first send of an event type to a topic registers its schemas; a background thread
// serves delivery reports. Thread-safe.
class KafkaProducer final : public EventBusProducer {
 public:
  // Throws std::invalid_argument without EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS, KafkaError when
  // librdkafka refuses the configuration. A missing registry URL is not an error here: every send
  // then logs "Cannot create Kafka serializers -- missing library or settings", as the reference.
  explicit KafkaProducer(const Settings& settings);
  ~KafkaProducer() override;
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  void send_erased(EventDataRef event_data, std::string_view topic, std::string_view event_key_field,
                   const EventsMetadata& metadata) override;
  // Waits (without limit) for every queued record.
  void flush() override;
  // The reference's prepare_for_shutdown() flushes without limit; ours waits at most `timeout`
  // (the destructor: EVENT_BUS_PRODUCER_SHUTDOWN_TIMEOUT), then purges what is left, each record
  // logged as failed, and logs their count.
  std::uint64_t prepare_for_shutdown(std::chrono::milliseconds timeout) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// create_producer(): nullptr, after the reference's warning "Cannot configure event-bus-kafka:
// Missing setting EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS", when the servers are not set.
std::unique_ptr<EventBusProducer> make_kafka_producer(const Settings& settings);

// --- Consumer --------------------------------------------------------------------------------------

// The keyword arguments of the reference's KafkaEventConsumer after topic and group_id (plus ours).
struct KafkaConsumerOptions {
  // Offset-reset mode: move the group's offsets to this time (ISO 8601, Python's fromisoformat)
  // and return, consuming nothing.
  std::optional<DateTime> offset_time;
  // Ours: a group without committed offsets starts at the beginning (auto.offset.reset=earliest).
  bool check_backlog = false;
  // Ours (the CLI's `consume --print` turns it on): a record whose ce_type no signal is declared
  // for is not "Unrecognized type" but read with its writer schema from the registry, through a
  // runtime signal declared from that schema (declare_runtime_signal, runtime_signal.hpp). Later
  // records of that type are resolved to that first schema, as for a compiled signal.
  bool declare_unknown_event_types = false;
};

// edx-event-bus-kafka's KafkaEventConsumer: a member of consumer group `group_id` on the full topic.
// Each record: the signal from ce_type, the value read with its writer schema (from the registry,
// resolved to the signal's), metadata from the headers, send_event_with_custom_metadata, then its
// offset committed. A record that fails is logged, copied to the dead-letter topic
// (EVENT_BUS_DEAD_LETTER_ENABLED) and committed; if the copy fails it is not committed and comes
// back. Waits for an unreachable cluster with backoff, counting each attempt toward
// EVENT_BUS_KAFKA_CONSUMER_CONSECUTIVE_ERRORS_LIMIT (then std::runtime_error "Too many consecutive
// errors, exiting (N in a row)"); KafkaError on a fatal librdkafka error. request_stop() finishes
// and commits the record in hand. README.md has the differences from the reference.
class KafkaConsumer final : public EventBusConsumer {
 public:
  // Throws std::invalid_argument without EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS or
  // EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL, or when dead letters are on and Kafka would refuse the
  // dead-letter topic's name (a group id with characters other than letters, digits, '.', '_',
  // '-', or a name over 249 characters): such a consumer would be stuck at its first failed record.
  // KafkaError when librdkafka refuses the configuration. Nothing is contacted yet.
  KafkaConsumer(const Settings& settings, std::string topic, std::string group_id, KafkaConsumerOptions options = {});
  ~KafkaConsumer() override;
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  void consume_indefinitely() override;

  const std::string& full_topic() const noexcept;
  const std::string& group_id() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// KafkaEventConsumer(topic, group_id, **extra): `extra` is a JSON object with offset_time (a string
// for Python's fromisoformat; an unparsable one is logged as "Could not parse the offset timestamp."
// and thrown, as the reference does), check_backlog and declare_unknown_event_types (ours). Unknown keys are refused with
// Python's TypeError text.
std::unique_ptr<EventBusConsumer> make_kafka_consumer(const Settings& settings, std::string topic, std::string group_id,
                                                   const nlohmann::json& extra);

}  // namespace openedx_events::bus
