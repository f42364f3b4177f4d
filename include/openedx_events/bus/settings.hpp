// Event bus settings: the reference's Django settings, by the same names, read from environment
// variables and from a YAML config file (Open edX services keep their settings in YAML).
//
// Precedence: an environment variable beats the file, the file beats the default. The file is
// named by OPENEDX_EVENTS_CONFIG (no file when unset). Every value is validated when loaded: an
// invalid one throws SettingsError naming the setting, what was expected and what was found.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace openedx_events::bus {

class SettingsError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// An invalid EVENT_BUS_PRODUCER_CONFIG. what() is the reference's str(exc) exactly:
// "ProducerConfigurationError {event_type}: {message}", so "ProducerConfigurationError : {message}"
// (a space before the colon) when the reference leaves the event type out.
class ProducerConfigurationError : public SettingsError {
 public:
  ProducerConfigurationError(std::string_view event_type, std::string_view message);
  const std::string& event_type() const noexcept { return event_type_; }
  const std::string& message() const noexcept { return message_; }

 private:
  std::string event_type_;
  std::string message_;
};

struct ProducerTopicConfig {
  std::string event_key_field;
  bool enabled = false;
  friend bool operator==(const ProducerTopicConfig&, const ProducerTopicConfig&) = default;
};

// EVENT_BUS_PRODUCER_CONFIG: {event_type: {topic: {"event_key_field": str, "enabled": bool}}}, in
// configuration order (publishing follows it).
using ProducerConfig = std::vector<std::pair<std::string, std::vector<std::pair<std::string, ProducerTopicConfig>>>>;

// Validates a parsed EVENT_BUS_PRODUCER_CONFIG as the reference does at start-up (same checks,
// same order, same messages; unknown event types are checked against the declared signals).
ProducerConfig parse_producer_config(const nlohmann::ordered_json& value);

// merge_producer_configs(original, overrides): a copy of `original` where every (event type,
// topic) of `overrides` sets `enabled` / `event_key_field` when the override gives them.
nlohmann::ordered_json merge_producer_configs(const nlohmann::ordered_json& original,
                                              const nlohmann::ordered_json& overrides);

struct Settings {
  // Service identity (EventsMetadata.source).
  std::string events_service_name;  // EVENTS_SERVICE_NAME
  std::string service_variant;      // SERVICE_VARIANT

  // Backends, normalized to "redis", "local" (the embedded bus) or "kafka"; the settings also accept
  // the reference's dotted paths (edx_event_bus_redis.create_producer, ...RedisEventConsumer, and
  // the Kafka ones) as aliases.
  std::string event_bus_producer;  // EVENT_BUS_PRODUCER; empty: no producer (warns once)
  std::string event_bus_consumer;  // EVENT_BUS_CONSUMER; empty: consumers fail with a clear error
  std::string event_bus_topic_prefix;  // EVENT_BUS_TOPIC_PREFIX; empty: none
  ProducerConfig event_bus_producer_config;  // EVENT_BUS_PRODUCER_CONFIG (JSON in the environment)

  // Redis (edx-event-bus-redis).
  std::string redis_connection_url;                             // EVENT_BUS_REDIS_CONNECTION_URL
  std::int64_t redis_stream_max_len = 10000;                    // EVENT_BUS_REDIS_STREAM_MAX_LEN
  // EVENT_BUS_REDIS_RETENTION (ours): "safe" trims a stream to about EVENT_BUS_REDIS_STREAM_MAX_LEN
  // but never an entry a consumer group has not acknowledged; "reference": XADD MAXLEN ~ as the
  // reference, which drops the oldest entries whether read or not.
  std::string redis_retention = "safe";
  // EVENT_BUS_REDIS_STREAM_HARD_MAX_LEN (ours): with safe retention, the length beyond which even
  // entries a group still needs are trimmed (each group that loses some is logged); 0 or empty:
  // none. Never below EVENT_BUS_REDIS_STREAM_MAX_LEN.
  std::optional<std::int64_t> redis_stream_hard_max_len = 100000;
  double redis_consumer_poll_timeout = 60;                      // EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT, s
  double redis_consumer_poll_failure_sleep = 1.0;               // EVENT_BUS_REDIS_CONSUMER_POLL_FAILURE_SLEEP, s
  std::optional<std::int64_t> redis_consumer_consecutive_errors_limit;  // ..._CONSECUTIVE_ERRORS_LIMIT
  // EVENT_BUS_REDIS_CONSUMER_CLAIM_IDLE_SECONDS (ours), s: a Redis consumer takes over its group's
  // entries pending (delivered, never acknowledged) for longer than this — those of a member that
  // was killed and whose name is not coming back — at start and then at least once per that many
  // seconds; 0: never, the reference's claim_msgs_older_than=None. That option, when given, wins.
  double redis_consumer_claim_idle_seconds = 60;
  bool redis_consumers_enabled = true;                          // EVENT_BUS_REDIS_CONSUMERS_ENABLED
  bool redis_audit_logging_enabled = true;                      // EVENT_BUS_REDIS_AUDIT_LOGGING_ENABLED

  // Kafka (edx-event-bus-kafka). Empty strings are the reference's None.
  std::string kafka_bootstrap_servers;            // EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS (required)
  std::string kafka_api_key;                      // EVENT_BUS_KAFKA_API_KEY: SASL PLAIN over TLS
  std::string kafka_api_secret;                   // EVENT_BUS_KAFKA_API_SECRET   (only when both are set)
  std::string kafka_schema_registry_url;          // EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL (required)
  std::string kafka_schema_registry_api_key;      // EVENT_BUS_KAFKA_SCHEMA_REGISTRY_API_KEY
  std::string kafka_schema_registry_api_secret;   // EVENT_BUS_KAFKA_SCHEMA_REGISTRY_API_SECRET
  double kafka_consumer_poll_timeout = 1.0;       // EVENT_BUS_KAFKA_CONSUMER_POLL_TIMEOUT, s
  double kafka_consumer_poll_failure_sleep = 1.0; // EVENT_BUS_KAFKA_CONSUMER_POLL_FAILURE_SLEEP, s
  std::optional<std::int64_t> kafka_consumer_consecutive_errors_limit;  // ..._CONSECUTIVE_ERRORS_LIMIT
  bool kafka_consumers_enabled = true;            // EVENT_BUS_KAFKA_CONSUMERS_ENABLED
  bool kafka_audit_logging_enabled = true;        // EVENT_BUS_KAFKA_AUDIT_LOGGING_ENABLED
  double kafka_poll_interval_sec = 1.0;           // EVENT_BUS_KAFKA_POLL_INTERVAL_SEC (producer), s
  // EVENT_BUS_KAFKA_CONFIG (ours): more librdkafka properties for both producer and consumer, e.g.
  // {"ssl.ca.location": "/etc/ca.pem", "linger.ms": 5}; a JSON object in the environment, a mapping
  // in the file. Each one is checked by librdkafka when the settings load (unknown names and bad
  // values are SettingsErrors carrying librdkafka's message). Applied after the common properties
  // (bootstrap.servers, SASL, client.id), so they can override those; a consumer's group.id and
  // enable.auto.commit=false always win.
  std::vector<std::pair<std::string, std::string>> kafka_config;

  // The embedded bus: one SQLite database file shared by the processes of one machine.
  std::filesystem::path embedded_bus_path;  // EVENT_BUS_EMBEDDED_PATH

  // Throughput (ours; the reference has neither). EVENT_BUS_PRODUCER_ASYNC: send() queues the
  // event and returns; a background thread writes what is queued in batches (one pipelined round
  // trip to Redis, one transaction in the embedded bus). flush() and the producer's destruction
  // wait for the queue; a failed batch is logged event by event, as a failed send is. Off by
  // default: the reference's send() returns once the event is stored.
  bool producer_async = false;
  // EVENT_BUS_PRODUCER_ASYNC_RETRY_SECONDS: while the broker is unreachable the async writer keeps
  // the batch in hand and retries it with backoff, in order, for up to this long from the start of
  // the outage (librdkafka's message.timeout.ms default, so both backends hold an event as long);
  // past it, each event is given up on (logged and counted once) until the broker is back.
  double producer_async_retry_seconds = 300;
  // EVENT_BUS_PRODUCER_SHUTDOWN_TIMEOUT: how long prepare_for_shutdown() (SIGTERM with
  // TerminationHandler, a producer's destruction) waits for accepted events to be delivered before
  // giving up on the rest (each logged, then their count). 8 s fits Docker's 10 s stop grace.
  double producer_shutdown_timeout = 8;
  // EVENT_BUS_CONSUMER_BATCH_SIZE: how many new entries a consumer takes per read (COUNT of
  // XREADGROUP; rows per read of the embedded bus). Each is still acknowledged only after its
  // receivers ran; acknowledgements of a batch are sent together. 1 reads as the reference does.
  std::int64_t consumer_batch_size = 100;
  // EVENT_BUS_DEAD_LETTER_ENABLED: an event a consumer could not process (unusable entry, unknown
  // type, bad Avro, a receiver that threw) is copied to "<full topic>.dead-letter.<group>" before it
  // is acknowledged. The reference only logs it and acknowledges it: it is gone. false: as the
  // reference.
  bool dead_letter_enabled = true;

  // EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT in milliseconds (Redis's BLOCK); load() guarantees it is
  // a whole number of them.
  std::int64_t redis_consumer_poll_timeout_ms() const;

  // Defaults, then OPENEDX_EVENTS_CONFIG's file, then the environment.
  static Settings load();
  // The same from explicit sources (tests): `environment` maps names to values (XDG_STATE_HOME and
  // HOME included, for the embedded bus's default path); OPENEDX_EVENTS_CONFIG in it is ignored,
  // `config_file` names the file.
  static Settings load(const std::map<std::string, std::string>& environment,
                       const std::optional<std::filesystem::path>& config_file);
};

// A duration setting given in seconds (the reference's float seconds), as milliseconds rounded to
// the nearest; not finite or not positive: zero.
std::chrono::milliseconds seconds_setting_to_ms(double seconds);

// The settings in force for this process (loaded once, on first use; throws SettingsError).
const Settings& current_settings();
// Replace them (tests, tools that build settings themselves). References returned earlier stay
// valid (the replaced settings are kept, not destroyed).
void set_current_settings(Settings settings);
// Forget them, so that the next current_settings() loads again from the environment and the file
// (tests that change the environment).
void reset_current_settings();

}  // namespace openedx_events::bus
