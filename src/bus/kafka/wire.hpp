// The Kafka backend's wire format, as edx-event-bus-kafka writes it
// (edx_event_bus_kafka/internal/producer.py, consumer.py): Confluent framing of keys and values,
// key and value schemas and their registry subjects, the ten ce_* headers and the dead-letter
// headers. Internal to the backend (and its tests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "openedx_events/avro/generic/schema.hpp"
#include "openedx_events/metadata.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events::bus {

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

}  // namespace openedx_events::bus
