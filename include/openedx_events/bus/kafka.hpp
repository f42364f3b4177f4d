// The Kafka backend: wire-compatible both ways with edx-event-bus-kafka (6.2.0, confluent-kafka 2.x).
//
// One event is one Kafka record on the topic full_topic_name(topic, EVENT_BUS_TOPIC_PREFIX):
//   key     Confluent framing of the Avro key: 0x00, the key schema's registry id (4 bytes, big
//           endian), then the schemaless Avro of the event data's `event_key_field` value, whose
//           schema is that field's definition in the event schema (kafka_key_schema()), registered
//           under "{full_topic}-{primitive type}" (e.g. "dev-learning-string").
//   value   the same framing around the schemaless Avro of the event data, with the event's schema
//           registered under "{full_topic}-{event_type}.CloudEvent".
//   headers ce_specversion, content-type, ce_datacontenttype, ce_type, ce_id, ce_source, ce_time,
//           ce_minorversion, sourcehost, sourcelib, in this order (kafka_headers_from_metadata()).
// Schemas are registered with the same text as the reference's (json.dumps(schema, sort_keys=True)),
// so whichever side registers first, both get the same id. A KafkaConsumer reads the value with the
// writer's schema, fetched by id from the registry, resolved to this build's schema of the event
// (Avro schema resolution): an older or newer compatible producer is read correctly.
//
// Where this backend deliberately differs from the reference:
//  - A consumer is not made without EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL (the reference makes one
//    that fails, and commits, every message: it would silently skip the whole topic).
//  - A schema registry that cannot be reached (connection refused, timeout, HTTP 5xx) or refuses
//    the credentials or the rate (HTTP 401, 403, 429) while a
//    consumer fetches a writer schema does not skip the message: the consumer logs the error, goes
//    back to that message's offset (nothing is committed) and tries again after
//    EVENT_BUS_KAFKA_CONSUMER_POLL_FAILURE_SLEEP. The reference commits such a message as failed. A
//    schema id the registry does not know (HTTP 404) is an unusable message, committed and skipped
//    as the reference does.
//  - request_stop() ends consume_indefinitely() between polls: the event in hand is finished and its
//    offset committed synchronously before the consumer leaves its group.
//  - Offset-reset mode (extra {"offset_time": "..."}) returns once the offsets of the partitions this
//    member was assigned are committed, instead of sleeping for ever; a partition with no message at
//    or after that time is moved to its end. A time without a UTC offset is read as UTC (the
//    reference uses the machine's local zone).
//  - extra {"check_backlog": true} (ours, as on the Redis backend) makes a group that has no
//    committed offset yet start at the beginning of the topic (auto.offset.reset=earliest); without
//    it a new group starts at the end, as the reference's does.
//  - Key fields whose Avro type is not a primitive (records, optional fields) are refused with a
//    message saying so; the reference fails at the same point with TypeError "unhashable type:
//    'dict'" / "'list'". Either way the event is logged and not produced.
//  - EVENT_BUS_KAFKA_CONFIG passes any librdkafka property (TLS files, linger.ms, ...).
//  - The first send to a topic asks the broker for that topic's partitions (waiting up to 2 s): with
//    librdkafka 2.0 the first records of a topic otherwise waited up to a second in the queue.
//  - Failed records are not forgotten (EVENT_BUS_DEAD_LETTER_ENABLED, default true): a record the
//    consumer could not process (bad framing, unknown schema id, missing ce_id, unknown ce_type,
//    bad Avro, a receiver that raised) is still logged and committed, as the reference does, but
//    first copied as received to the topic "<full topic>.dead-letter.<group>" with five extra
//    headers (kafka_dead_letter_headers()). Consuming the topic "<topic>.dead-letter.<group>"
//    replays those events with their data and metadata. A copy that cannot be delivered leaves the
//    record uncommitted and it is consumed again. false: logged and committed only, as the reference.
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

#include "openedx_events/avro/generic/schema.hpp"
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

// --- Confluent wire format -------------------------------------------------------------------------

inline constexpr std::size_t confluent_header_size = 5;  // magic byte + 4-byte schema id

// 0x00, the big-endian schema id, then `avro` (appended to `out`).
void append_confluent_frame(std::int32_t schema_id, std::string_view avro, std::string& out);
std::string confluent_frame(std::int32_t schema_id, std::string_view avro);

struct ConfluentFrame {
  std::int32_t schema_id = 0;
  std::string_view payload;  // the Avro bytes, a view into the framed bytes
};
// Throws UnusableMessageError: "Confluent framing: N bytes is too short ..." or "... unknown magic
// byte 0xNN ...".
ConfluentFrame parse_confluent_frame(std::string_view bytes);

// --- Keys and subjects -----------------------------------------------------------------------------

// descend_avro_schema(schema, path) of the reference: from the event schema, along the field names,
// stepping into a field's "type" when the node has no "fields". Throws std::runtime_error with the
// reference's text "Error traversing Avro schema along path ['a', 'b']; failed at 'b'.".
nlohmann::json descend_avro_schema(const nlohmann::json& schema, const std::vector<std::string>& path);

struct KafkaKeySchema {
  std::string text;      // json.dumps(field definition, sort_keys=True): what is registered
  std::string type;      // "string", "long", "boolean", ...: the subject's record-name part
  avro::generic::Schema schema = avro::generic::parse_schema(R"("null")");  // the type alone, for encoding
};
// The key schema of `event_key_field` ('.'-separated) in the signal's schema. Throws
// std::runtime_error: the traversal error above, or for a field that is not of a primitive type.
KafkaKeySchema kafka_key_schema(const SignalBase& signal, std::string_view event_key_field);

// The value schema as registered: json.dumps(schema_from_signal(signal), sort_keys=True).
std::string kafka_value_schema_text(const SignalBase& signal);
// "{full_topic}-{event_type}.CloudEvent" and "{full_topic}-{key type}".
std::string kafka_value_subject(std::string_view full_topic, std::string_view event_type);
std::string kafka_key_subject(std::string_view full_topic, const KafkaKeySchema& key_schema);

// extract_event_key(event_data, event_key_field) of the reference, on the JSON view of the data
// (opaque keys, datetimes and UUIDs are already their strings, as the reference's to_dict() makes
// them). Throws std::runtime_error "Could not extract key from event; lookup in {path} failed at
// '{name}' in dictionary" (the top level and map fields) / "... in object" (records, null).
nlohmann::json extract_event_key(const SignalBase& signal, const nlohmann::json& event_data,
                                 std::string_view event_key_field);

// --- Headers ---------------------------------------------------------------------------------------

using KafkaHeaders = std::vector<std::pair<std::string, std::string>>;

// The ten headers, in the reference's order (values UTF-8: time as isoformat(), minor version as
// decimal text, sourcelib as "1.2.3").
KafkaHeaders kafka_headers_from_metadata(const EventsMetadata& metadata);

// _get_metadata_from_headers(): ce_type, ce_id, ce_source, ce_time, ce_minorversion, sourcehost and
// sourcelib, in that order. A header present once is used even when empty (then it must still
// parse); one that is missing takes EventsMetadata's default with a WARNING "Missing \"{key}\"
// header on message, will use EventsMetadata default", except ce_id: std::runtime_error "Missing
// \"ce_id\" header on message, cannot continue". One present twice: "Multiple \"{key}\" headers on
// message. Cannot determine correct metadata.". Bad values throw std::invalid_argument (Python's
// messages where there are some). The consumer wraps all of these as UnusableMessageError "Error
// determining metadata from message headers: ...".
EventsMetadata kafka_metadata_from_headers(const KafkaHeaders& headers);

// --- Dead letters ----------------------------------------------------------------------------------

// Where the consumer's failed records go is dead_letter_topic_name(full_topic, group_id) (message.hpp).
// The copy's headers: the record's own, in their order (less any dead_letter_* ones: a replayed
// dead letter that fails again is not marked twice), then dead_letter_error (the error repr as
// logged), dead_letter_topic, dead_letter_partition and dead_letter_offset (decimal) of the failed
// record, and dead_letter_group. Neither our header→metadata mapping nor the reference's reads
// these, so the dead-letter topic is consumed like any other topic.
KafkaHeaders kafka_dead_letter_headers(const KafkaHeaders& original, std::string_view error, std::string_view topic,
                                       std::int32_t partition, std::int64_t offset, std::string_view group_id);

// Why Kafka would refuse `name` as a topic (empty, longer than 249 characters, "." or "..", a
// character other than ASCII letters, digits, '.', '_' and '-'), or nullopt when it is a legal one.
std::optional<std::string> kafka_topic_name_error(std::string_view name);

// --- Schema registry -------------------------------------------------------------------------------

// An HTTP failure talking to the registry. what() names the method, the URL, and the HTTP status and
// body, or curl's error when there was no answer. unavailable(): no answer, a 5xx status, or a
// refusal that says nothing about the message — 401/403 (credentials) and 429 (rate limit) — all
// worth retrying later; otherwise the registry answered and refused the request itself (other
// 4xx such as 404 for an unknown schema id, a malformed reply).
class SchemaRegistryError : public std::runtime_error {
 public:
  SchemaRegistryError(const std::string& message, long status, bool unavailable)
      : std::runtime_error(message), status_(status), unavailable_(unavailable) {}
  long status() const noexcept { return status_; }  // 0 when there was no HTTP answer
  bool unavailable() const noexcept { return unavailable_; }

 private:
  long status_;
  bool unavailable_;
};

struct SchemaRegistryConfig {
  std::string url;         // EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL; a trailing '/' is ignored
  std::string api_key;     // basic auth "{key}:{secret}", sent when either is non-empty
  std::string api_secret;
  std::chrono::milliseconds timeout{10000};
  std::chrono::milliseconds connect_timeout{5000};
};

// A Confluent Schema Registry (or Karapace) client over HTTP (libcurl). Both lookups are cached for
// the life of the client: a subject's registration of one schema text, and a schema id's text.
// Thread-safe; requests are made one at a time.
class SchemaRegistryClient {
 public:
  explicit SchemaRegistryClient(SchemaRegistryConfig config);
  ~SchemaRegistryClient();
  SchemaRegistryClient(const SchemaRegistryClient&) = delete;
  SchemaRegistryClient& operator=(const SchemaRegistryClient&) = delete;

  // POST /subjects/{subject}/versions?normalize=False with {"schema": text, "schemaType": "AVRO",
  // "references": []}, as confluent-kafka sends it; returns the schema id (an already registered
  // schema returns its existing id).
  std::int32_t register_schema(std::string_view subject, std::string_view schema_text);
  // GET /schemas/ids/{id}: the schema text.
  std::string get_schema(std::int32_t schema_id);

  const std::string& url() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// nullptr, after the reference's warning "Cannot configure event-bus-kafka: Missing setting
// EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL", when the URL is not set.
std::unique_ptr<SchemaRegistryClient> make_schema_registry_client(const Settings& settings);

// --- Producer --------------------------------------------------------------------------------------

// The reference's KafkaEventProducer (librdkafka producer, same settings: bootstrap.servers, SASL
// PLAIN over TLS when EVENT_BUS_KAFKA_API_KEY and _API_SECRET are both set, client.id = the service
// name, then EVENT_BUS_KAFKA_CONFIG). send_erased() never throws: any failure before the record is
// handed to librdkafka (key extraction, schema registration, serialization, a full queue) and any
// failed delivery later is logged as the reference does:
//   Error delivering message to Kafka event bus. error=... full_topic='...' event_key=... signal=...
//   initial_topic='...' event_key_field='...' event_data=... event_metadata=...
//   event_data_as_json='...' event_metadata_as_json='...'
// with the event data and metadata as JSON so that the event can be re-sent by hand. A delivered
// record is logged (EVENT_BUS_KAFKA_AUDIT_LOGGING_ENABLED) as "Message delivered to Kafka event bus:
// topic=..., partition=..., offset=..., message_id=..., key=b'...'".
// The first send of an event type to a topic registers its schemas (one HTTP round trip each, in the
// sending thread, as the reference does); later sends only queue the record. A background thread
// serves delivery reports every EVENT_BUS_KAFKA_POLL_INTERVAL_SEC; flush() and the destructor wait
// until every queued record is delivered or has failed (and been logged). Thread-safe.
class KafkaProducer final : public EventBusProducer {
 public:
  // Throws std::invalid_argument without EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS, KafkaError when
  // librdkafka refuses the configuration. A missing registry URL is not an error here: every send
  // then logs "Cannot create Kafka serializers -- missing library or settings", as the reference.
  explicit KafkaProducer(const Settings& settings);
  ~KafkaProducer() override;
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  void send_erased(const SignalBase& signal, std::string_view topic, std::string_view event_key_field,
                   const void* event_data, const EventsMetadata& metadata) override;
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
std::unique_ptr<KafkaProducer> make_kafka_producer(const Settings& settings);

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

// The reference's KafkaEventConsumer: a member of consumer group `group_id` (enable.auto.commit
// false) subscribed to the full topic. consume_indefinitely() polls with
// EVENT_BUS_KAFKA_CONSUMER_POLL_TIMEOUT (in slices of at most 1 s, so that request_stop() is seen
// within about a second) and for each record:
//   1. the signal from the ce_type header (several event types may share a topic);
//   2. the value: its writer schema by id from the registry (cached), resolved to the signal's
//      schema, then decoded;
//   3. audit line "Message received from Kafka: topic=..., partition=..., offset=...,
//      message_id=..., key=b'...', event_timestamp_ms=..."; metadata from the headers;
//      send_event_with_custom_metadata (from_event_bus = true); receiver errors → ReceiverError;
//      "Message from Kafka processed successfully";
//   4. the record's offset is committed (asynchronously, as the reference does) whether or not that
//      succeeded: a record that cannot be used (bad framing, unknown schema id, missing ce_id,
//      unknown ce_type, bad Avro, receiver errors) is logged with its topic, partition, offset,
//      headers and key, and skipped. At-least-once: a consumer that dies before a commit lands
//      makes its group read that record again.
//   Dead letters (EVENT_BUS_DEAD_LETTER_ENABLED, ours): before a failed record is committed it is
//   produced to dead_letter_topic_name(full_topic, group_id): the same key and value bytes (the
//   Confluent framing untouched, so the same registry schema ids decode it), the same headers in
//   the same order, then dead_letter_error (the error repr as logged), dead_letter_topic,
//   dead_letter_partition, dead_letter_offset and dead_letter_group. It is produced by a producer
//   handle of this consumer's own (made on the first failure, same client settings, acks=all,
//   message.timeout.ms 10 s), and its delivery report is waited for (at most 15 s) before the
//   commit; a WARNING "Record '...' [p] offset o failed and was copied to the dead-letter topic
//   '...' [p] offset o" says where it went. If the copy fails, the record is not committed: an
//   ERROR "Could not copy failed record ... to the dead-letter topic ...", the consumer goes back to
//   its offset (as for an unreachable registry) and processes it again after
//   EVENT_BUS_KAFKA_CONSUMER_POLL_FAILURE_SLEEP; that failure counts as one more consecutive error.
//   Offset-reset mode processes no record, so it copies none; fatal broker errors are not records
//   and are handled as above.
// Before polling, and again after librdkafka reports every broker down, the consumer waits for the
// cluster: one attempt of up to 5 s, then 100 ms, 200 ms, ... up to 5 s between attempts (the
// Redis consumer's reconnection backoff), each failed attempt counted as a consecutive error and
// logged with its reason (librdkafka's last client error, e.g. a refused connection) and "Kafka at
// ... is unreachable (N consecutive errors...); next attempt in N ms". The reference polls on
// without counting (librdkafka only logs), so its error limit never ends such a wait.
// Errors are logged as "Error consuming event from Kafka: {error} in context full_topic='...',
// consumer_group='...' -- {event details | no event available}". It throws KafkaError on a fatal
// librdkafka error and std::runtime_error("Too many consecutive errors, exiting (N in a row)") when
// EVENT_BUS_KAFKA_CONSUMER_CONSECUTIVE_ERRORS_LIMIT is reached; EVENT_BUS_KAFKA_CONSUMERS_ENABLED
// false makes it log "Kafka consumers not enabled, exiting." and return.
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
std::unique_ptr<KafkaConsumer> make_kafka_consumer(const Settings& settings, std::string topic, std::string group_id,
                                                   const nlohmann::json& extra);

}  // namespace openedx_events::bus
