// BusMessage: one event as it travels on a stream-like bus — the entry layout of
// edx-event-bus-redis, which the embedded bus shares so that the two are interchangeable:
// fields `type, id, source, time, minorversion, sourcehost, sourcelib, event_data`, all text
// except `event_data` (the schemaless Avro bytes of the event data).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "openedx_events/metadata.hpp"

namespace openedx_events::bus {

// A message that cannot become an event (the reference's UnusableMessageError).
class UnusableMessageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BusMessage {
  std::string type;
  std::string id;
  std::string source;
  std::string time;
  std::string minorversion;
  std::string sourcehost;
  std::string sourcelib;
  std::string event_data;

  // The message for an event: metadata as the reference writes it (isoformat time, decimal minor
  // version, sourcelib joined with '.').
  static BusMessage from_event(const EventsMetadata& metadata, std::string avro_bytes);

  // Build from (field, value) pairs as read from the wire; unknown fields are ignored, a missing
  // event_data is an UnusableMessageError.
  static BusMessage from_fields(const std::vector<std::pair<std::string, std::string>>& fields);

  // The (field, value) pairs in the reference's order.
  std::vector<std::pair<std::string_view, std::string_view>> fields() const;

  // The metadata, by the reference's rules: a field that is missing or empty takes the
  // EventsMetadata default (a new uuid1, now, 0, this host...); a value that does not parse, or a
  // time that is not UTC, makes the message unusable ("Error determining metadata from message
  // headers: ...").
  EventsMetadata metadata() const;
};

// sourcelib as every bus carries it: the parts joined with '.' ("11.2.0").
std::string sourcelib_text(const std::vector<std::int64_t>& parts);

// The stream/topic name: "<prefix>-<topic>" when EVENT_BUS_TOPIC_PREFIX is set and non-empty.
std::string full_topic_name(std::string_view topic, std::string_view prefix);

// Where a consumer group's failed events go (EVENT_BUS_DEAD_LETTER_ENABLED):
// "<full topic>.dead-letter.<group>". It is a topic like any other: consuming the topic
// "<topic>.dead-letter.<group>" (the prefix is added as usual) replays what failed.
std::string dead_letter_topic_name(std::string_view full_topic, std::string_view group);

}  // namespace openedx_events::bus
