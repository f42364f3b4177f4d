// Interop probe for the Kafka backend, driven by tests/parity/test_kafka_interop.py (and the other
// test_kafka_*.py) against the real edx-event-bus-kafka on the other side of a Kafka broker and
// schema registry, and by tests/bus/kafka_test.cpp as a consumer process that can be killed. The
// requests and answers are bus_probe.hpp's; the backend fields of a request: "bootstrap"
// (EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS), "registry" (EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL),
// "registry_api_key" / "registry_api_secret" (EVENT_BUS_KAFKA_SCHEMA_REGISTRY_API_*), "prefix"
// (EVENT_BUS_TOPIC_PREFIX) and "config": {librdkafka property: value} (EVENT_BUS_KAFKA_CONFIG).
#include "bus_probe.hpp"
#include "openedx_events/bus/kafka.hpp"

int main() {
  using bus_probe::bus::Settings;
  using bus_probe::json;
  bus_probe::BusProbeBackend backend;
  backend.name = "Kafka";
  backend.settings_for = [](const json& request) {
    Settings settings;
    settings.kafka_bootstrap_servers = request.at("bootstrap").get<std::string>();
    settings.kafka_schema_registry_url = request.at("registry").get<std::string>();
    settings.kafka_schema_registry_api_key = request.value("registry_api_key", "");
    settings.kafka_schema_registry_api_secret = request.value("registry_api_secret", "");
    settings.event_bus_topic_prefix = request.value("prefix", "");
    settings.kafka_consumer_poll_timeout = 0.2;
    settings.kafka_consumer_poll_failure_sleep = 0.05;
    settings.kafka_poll_interval_sec = 0.1;
    const json config = request.value("config", json::object());  // items() must not outlive it
    for (const auto& [name, value] : config.items()) {
      settings.kafka_config.emplace_back(name, value.is_string() ? value.get<std::string>() : value.dump());
    }
    return settings;
  };
  backend.make_producer = [](const Settings& settings) { return openedx_events::bus::make_kafka_producer(settings); };
  backend.make_consumer = [](const Settings& settings, const std::string& topic, const std::string& group,
                             const json& extra) {
    return openedx_events::bus::make_kafka_consumer(settings, topic, group, extra);
  };
  backend.bench_settings = [](Settings& settings, bool audit, int) { settings.kafka_audit_logging_enabled = audit; };
  backend.bench_consumer_extra = {{"check_backlog", true}};
  return bus_probe::Probe(std::move(backend)).run();
}
