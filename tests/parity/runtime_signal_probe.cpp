// Probe for test_runtime_signal_parity.py. One JSON request per stdin line:
//   {"event_type": T, "schema": <schema_from_signal() of T>, "json": <to_dict() of the data>,
//    "hex": <Python's Avro bytes>}
// answered as avro_probe.cpp answers, by a RuntimeSignal made from the reference's schema under a
// type of its own (so that the compiled signal of T plays no part).
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "openedx_events/runtime_signal.hpp"
#include "probe_hex.hpp"

namespace {
using probe::from_hex;
using probe::to_hex;
}  // namespace

int main() {
  std::map<std::string, std::unique_ptr<openedx_events::RuntimeSignal>> signals;
  std::string line;
  while (std::getline(std::cin, line)) {
    const auto request = nlohmann::json::parse(line);
    const auto event_type = request.at("event_type").get<std::string>();
    auto& signal = signals[event_type];
    if (!signal) {
      signal = std::make_unique<openedx_events::RuntimeSignal>("probe.runtime." + event_type, request.at("schema"));
    }
    nlohmann::json answer = nlohmann::json::object();
    try {
      answer["encoded_hex"] = to_hex(signal->encode_json(request.at("json")));
    } catch (const std::exception& e) {
      answer["encode_error"] = e.what();
    }
    try {
      const auto decoded = signal->decode_to_json(from_hex(request.at("hex").get<std::string>()));
      answer["decoded"] = decoded;
      answer["reencoded_hex"] = to_hex(signal->encode_json(decoded));
    } catch (const std::exception& e) {
      answer["decode_error"] = e.what();
    }
    std::cout << answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict) << '\n';
  }
  return 0;
}
