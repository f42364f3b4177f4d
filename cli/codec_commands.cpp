// encode and decode: the Avro codec between the JSON view of event data and Avro bytes.
#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "schemas_dir.hpp"

namespace openedx_events::cli {

int encode(const std::string& event_type, const std::string& data, bool hex, const std::filesystem::path& schemas_dir) {
  SignalBase& signal = signal_for(event_type, schemas_dir);
  const std::string bytes = signal.encode_json(parse_data_argument(data));
  if (hex) {
    std::cout << to_hex(bytes) << '\n';
  } else {
    std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  return 0;
}

int decode(const std::string& event_type, const std::string& input, bool hex, const std::filesystem::path& schemas_dir) {
  SignalBase& signal = signal_for(event_type, schemas_dir);
  std::string bytes = (input.empty() || input == "-") ? read_all_stdin() : read_file(input, "--input");
  if (hex) bytes = from_hex(bytes);
  std::cout << signal.decode_to_json(bytes).dump() << '\n';
  return 0;
}

}  // namespace openedx_events::cli
