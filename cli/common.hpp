// What the subcommands of `openedx-events` share: the usage error, reading inputs, the JSON data
// argument, and the JSON line printed per event.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "openedx_events/metadata.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events::cli {

// Usage and input errors: exit status 2, like the command line's own parse errors.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The whole file; `what` names the argument in the error ("--data @/tmp/x: …: Is a directory").
std::string read_file(const std::filesystem::path& path, std::string_view what);
std::string read_all_stdin();

SignalBase& signal_for(const std::string& event_type);

// JSON text from outside, parsed and checked against avro::max_json_depth; `what` names the
// argument or line in the error. Throws UsageError, naming the path of a value nested too deeply.
nlohmann::json parse_json_input(std::string_view text, std::string_view what);

// --data: JSON text, or @FILE.
nlohmann::json parse_data_argument(const std::string& data);

std::string to_hex(std::string_view bytes);
std::string from_hex(std::string_view text);

// One JSON line per event: {"metadata": EventsMetadata.to_json_data(), "data": <JSON view>}.
std::string event_line(EventDataRef event, const EventsMetadata& metadata);

}  // namespace openedx_events::cli
