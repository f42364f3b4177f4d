// Probe for test_avro_parity.py. One JSON request per stdin line:
//   {"event_type": T, "json": <to_dict() of the data>, "hex": <Python's Avro bytes>}
// One JSON answer per line: {"encoded_hex" | "encode_error", "decoded" | "decode_error", "reencoded_hex"}.
#include <iostream>
#include <string>

#include "openedx_events/signal.hpp"
#include "probe_hex.hpp"

namespace {
using probe::from_hex;
using probe::to_hex;
}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    const auto request = nlohmann::json::parse(line);
    nlohmann::json answer = nlohmann::json::object();
    auto& signal = openedx_events::SignalBase::get_signal_by_type(request.at("event_type").get<std::string>());
    try {
      answer["encoded_hex"] = to_hex(signal.encode_json(request.at("json")));
    } catch (const std::exception& e) {
      answer["encode_error"] = e.what();
    }
    try {
      const auto decoded = signal.decode_to_json(from_hex(request.at("hex").get<std::string>()));
      answer["decoded"] = decoded;
      answer["reencoded_hex"] = to_hex(signal.encode_json(decoded));
    } catch (const std::exception& e) {
      answer["decode_error"] = e.what();
    }
    std::cout << answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict) << '\n';
  }
  return 0;
}
