// The schema registry client of the Kafka backend (the Confluent REST API, as confluent-kafka's
// SchemaRegistryClient uses it). Internal to the backend (and its tests).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "openedx_events/bus/settings.hpp"

namespace openedx_events::bus {

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

}  // namespace openedx_events::bus
