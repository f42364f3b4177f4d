// EventsMetadata defaults, validation and JSON forms (see metadata.hpp).
#include "openedx_events/metadata.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "openedx_events/python_json.hpp"
#include "openedx_events/version.hpp"

namespace openedx_events {

namespace {
std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

// Constant-initialized, so a source installed during static initialization is not lost.
constinit std::atomic<ServiceIdentitySource> identity_source{nullptr};
}  // namespace

void set_service_identity_source(ServiceIdentitySource source) noexcept { identity_source.store(source); }

std::string service_name() {
  const ServiceIdentitySource source = identity_source.load();
  ServiceIdentity identity = source ? source()
                                    : ServiceIdentity{env_or_empty("EVENTS_SERVICE_NAME"), env_or_empty("SERVICE_VARIANT")};
  if (!identity.events_service_name.empty()) return std::move(identity.events_service_name);
  if (!identity.service_variant.empty()) return std::move(identity.service_variant);
  return "SERVICE_NAME_UNSET";
}

std::string default_source() { return "openedx/" + service_name() + "/web"; }

std::string default_sourcehost() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

std::vector<std::int64_t> default_sourcelib() { return {version_major, version_minor, version_patch}; }

EventsMetadata EventsMetadata::create(std::string event_type, std::int64_t minorversion, std::optional<DateTime> time) {
  EventsMetadata m;
  m.event_type = std::move(event_type);
  m.id = Uuid::generate_v1();
  m.minorversion = minorversion;
  m.source = default_source();
  m.sourcehost = default_sourcehost();
  m.time = time ? *time : DateTime::utc_now();
  m.sourcelib = default_sourcelib();
  m.validate();
  return m;
}

void EventsMetadata::validate() const {
  if (event_type.empty()) throw MetadataError("'event_type' must be a non-empty string");
  if (id.empty()) throw MetadataError("'id' must be a UUID");
  if (time.empty()) throw MetadataError("'time' must be a datetime");
  if (!time.is_utc()) {
    throw MetadataError("'time' must have timezone.utc (got " + time.isoformat() + ")");
  }
}

nlohmann::ordered_json EventsMetadata::to_json_data() const {
  nlohmann::ordered_json out;
  out["event_type"] = event_type;
  out["id"] = id.to_string();
  out["minorversion"] = minorversion;
  out["source"] = source;
  out["sourcehost"] = sourcehost;
  out["time"] = time.isoformat();
  out["sourcelib"] = sourcelib;
  return out;
}

std::string EventsMetadata::to_json() const { return python_json_dumps(to_json_data()); }

EventsMetadata EventsMetadata::from_json(std::string_view text) {
  nlohmann::json data;
  try {
    data = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw MetadataError(std::string("metadata is not valid JSON: ") + e.what());
  }
  return from_json_data(data);
}

EventsMetadata EventsMetadata::from_json_data(const nlohmann::json& data) {
  if (!data.is_object()) throw MetadataError("metadata must be a JSON object");
  auto text = [&](const char* key) -> std::string {
    const auto it = data.find(key);
    if (it == data.end()) throw MetadataError(std::string("metadata is missing '") + key + "'");
    if (!it->is_string()) throw MetadataError(std::string("metadata '") + key + "' must be a string");
    return it->get<std::string>();
  };
  EventsMetadata m;
  m.event_type = text("event_type");
  try {
    m.id = Uuid::parse(text("id"));
    m.time = DateTime::from_isoformat(text("time"));
  } catch (const MetadataError&) {
    throw;
  } catch (const std::exception& e) {
    throw MetadataError(std::string("invalid metadata: ") + e.what());
  }
  m.source = text("source");
  m.sourcehost = text("sourcehost");
  if (const auto it = data.find("minorversion"); it != data.end()) {
    if (!it->is_number_integer()) throw MetadataError("metadata 'minorversion' must be an integer");
    m.minorversion = it->get<std::int64_t>();
  }
  const auto lib = data.find("sourcelib");
  if (lib == data.end()) throw MetadataError("metadata is missing 'sourcelib'");
  if (!lib->is_array()) throw MetadataError("metadata 'sourcelib' must be a list of integers");
  for (const auto& part : *lib) {
    if (!part.is_number_integer()) throw MetadataError("metadata 'sourcelib' must be a list of integers");
    m.sourcelib.push_back(part.get<std::int64_t>());
  }
  m.validate();
  return m;
}

}  // namespace openedx_events
