// Parity probe for EVENT_BUS_PRODUCER_CONFIG validation and merge_producer_configs (driven by
// tests/parity/test_producer_config_parity.py, which asks the real openedx-events the same).
//
// One JSON request per stdin line, one JSON answer per stdout line:
//   {"op": "validate", "config": X}            parse_producer_config(X)
//   {"op": "env", "text": T}                   Settings::load with EVENT_BUS_PRODUCER_CONFIG=T
//   {"op": "file", "path": P}                  Settings::load with P as the OPENEDX_EVENTS_CONFIG file
//   {"op": "merge", "original": A, "overrides": B}
// Answers: {"ok": true, "config": [[event_type, [[topic, event_key_field, enabled], ...]], ...]} or
// {"ok": true, "result": merged} (merge), or {"ok": false, "error": what(), "class": exception class}.
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "openedx_events/bus/settings.hpp"

namespace {

using nlohmann::ordered_json;
namespace bus = openedx_events::bus;

ordered_json config_answer(const bus::ProducerConfig& config) {
  ordered_json events = ordered_json::array();
  for (const auto& [event_type, topics] : config) {
    ordered_json topic_list = ordered_json::array();
    for (const auto& [topic, topic_config] : topics) {
      topic_list.push_back({topic, topic_config.event_key_field, topic_config.enabled});
    }
    events.push_back({event_type, std::move(topic_list)});
  }
  return {{"ok", true}, {"config", std::move(events)}};
}

ordered_json answer(const ordered_json& request) {
  const std::string op = request.at("op").get<std::string>();
  if (op == "validate") return config_answer(bus::parse_producer_config(request.at("config")));
  if (op == "env") {
    return config_answer(
        bus::Settings::load({{"EVENT_BUS_PRODUCER_CONFIG", request.at("text").get<std::string>()}}, std::nullopt)
            .event_bus_producer_config);
  }
  if (op == "file") {
    return config_answer(
        bus::Settings::load({}, std::filesystem::path(request.at("path").get<std::string>())).event_bus_producer_config);
  }
  if (op == "merge") {
    return {{"ok", true}, {"result", bus::merge_producer_configs(request.at("original"), request.at("overrides"))}};
  }
  throw std::invalid_argument("unknown op " + op);
}

}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    ordered_json out;
    try {
      out = answer(ordered_json::parse(line));
    } catch (const bus::ProducerConfigurationError& e) {
      out = {{"ok", false}, {"class", "ProducerConfigurationError"}, {"error", e.what()}};
    } catch (const bus::SettingsError& e) {
      out = {{"ok", false}, {"class", "SettingsError"}, {"error", e.what()}};
    }
    std::cout << out.dump() << '\n';
  }
  return 0;
}
