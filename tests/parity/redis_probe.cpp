// Interop probe for the Redis backend, driven by tests/parity/test_redis_interop.py against the real
// edx-event-bus-redis on the other side of a redis-server. The requests and answers are
// bus_probe.hpp's; the backend fields of a request: "url" (EVENT_BUS_REDIS_CONNECTION_URL) and
// "prefix" (EVENT_BUS_TOPIC_PREFIX).
#include "bus_probe.hpp"
#include "openedx_events/bus/redis.hpp"

int main() {
  using bus_probe::bus::Settings;
  using bus_probe::json;
  bus_probe::BusProbeBackend backend;
  backend.name = "Redis";
  backend.settings_for = [](const json& request) {
    Settings settings;
    settings.redis_connection_url = request.at("url").get<std::string>();
    settings.event_bus_topic_prefix = request.value("prefix", "");
    settings.redis_consumer_poll_failure_sleep = 0.05;
    return settings;
  };
  backend.make_producer = [](const Settings& settings) { return openedx_events::bus::make_redis_producer(settings); };
  backend.make_consumer = [](const Settings& settings, const std::string& topic, const std::string& group,
                             const json& extra) {
    return openedx_events::bus::make_redis_consumer(settings, topic, group, extra);
  };
  backend.bench_settings = [](Settings& settings, bool audit, int count) {
    settings.redis_audit_logging_enabled = audit;
    // Trimming must not remove entries before they are read.
    settings.redis_stream_max_len = 2 * static_cast<std::int64_t>(count) + 1000;
  };
  backend.bench_consumer_extra = {{"consumer_name", "c1"}};
  return bus_probe::Probe(std::move(backend)).run();
}
