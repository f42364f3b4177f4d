// EventsMetadata: the OEP-41 envelope every event carries (openedx_events/data.py). Field order is
// the JSON key order; defaults are computed when an event is created, as in the reference.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "openedx_events/types/datetime.hpp"
#include "openedx_events/types/uuid.hpp"

namespace openedx_events {

// Invalid metadata (the reference's TypeError/ValueError from the attrs validators).
class MetadataError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct EventsMetadata {
  std::string event_type;
  Uuid id;                             // uuid1() by default
  std::int64_t minorversion = 0;
  std::string source;                  // openedx/<service>/web by default
  std::string sourcehost;              // the host name by default
  DateTime time;                       // now, UTC, by default
  std::vector<std::int64_t> sourcelib; // this library's version by default

  // EventsMetadata(event_type=..., minorversion=..., time=...): every other field takes its
  // default now. Throws MetadataError if `time` is not UTC.
  static EventsMetadata create(std::string event_type, std::int64_t minorversion = 0,
                               std::optional<DateTime> time = std::nullopt);

  // The reference requires an aware time whose offset is zero.
  void validate() const;

  // to_json_data(): the seven keys in field order; id as text, time as isoformat(), sourcelib a list.
  nlohmann::ordered_json to_json_data() const;
  // to_json(): json.dumps of to_json_data(), with Python's ", " / ": " separators.
  std::string to_json() const;
  // from_json(): unlike the reference, which always resets minorversion to 0, keeps it when present.
  static EventsMetadata from_json(std::string_view text);
  static EventsMetadata from_json_data(const nlohmann::json& data);

  friend bool operator==(const EventsMetadata&, const EventsMetadata&) = default;
};

// EVENTS_SERVICE_NAME if set and non-empty, else SERVICE_VARIANT, else "SERVICE_NAME_UNSET".
// Both are read from the identity source below when one is set, else from the process environment.
std::string service_name();

// Where service_name() reads EVENTS_SERVICE_NAME and SERVICE_VARIANT (empty = unset). The event
// bus settings (bus/settings.cpp) install theirs when they are loaded or replaced, so that the
// OPENEDX_EVENTS_CONFIG file counts too, and remove it (nullptr) when they are reset. A source must
// be thread-safe; it is called on every EventsMetadata::create().
struct ServiceIdentity {
  std::string events_service_name;
  std::string service_variant;
};
using ServiceIdentitySource = ServiceIdentity (*)() noexcept;
void set_service_identity_source(ServiceIdentitySource source) noexcept;
// "openedx/<service_name()>/web"
std::string default_source();
// This machine's host name, as socket.gethostname().
std::string default_sourcehost();
// This library's version as integers (EventsMetadata.sourcelib).
std::vector<std::int64_t> default_sourcelib();

}  // namespace openedx_events
