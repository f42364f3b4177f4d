// Stored schema snapshots and the compatibility checks of the reference's test_avro.py, made a
// library function so the test suite and `openedx-events check-schemas` run the very same check.
//
// Forward: data generated from the current schema, written with it, must read with the stored
// schema as reader (an old consumer reads a new producer's events). Backward: data generated from
// the stored schema, written with it, must read with the current schema as reader (a new consumer
// reads events an old producer wrote). Both by Avro schema resolution.
#include "openedx_events/schema_files.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>

#include "openedx_events/avro/generic.hpp"
#include "openedx_events/catalog.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events {

namespace generic = avro::generic;

std::string schema_file_name(std::string_view event_type) {
  std::string name(event_type);
  std::replace(name.begin(), name.end(), '.', '+');
  return name + "_schema.avsc";
}

bool is_known_unserializable(std::string_view event_type) {
  return std::find(KNOWN_UNSERIALIZABLE_SIGNALS.begin(), KNOWN_UNSERIALIZABLE_SIGNALS.end(), event_type) !=
         KNOWN_UNSERIALIZABLE_SIGNALS.end();
}

SchemaCheckResult check_stored_schema(const SignalBase& signal, const std::filesystem::path& schemas_dir) {
  SchemaCheckResult result{signal.event_type(), schemas_dir / schema_file_name(signal.event_type()), false, {}};
  const std::string regenerate = "openedx-events generate-avro-schemas " + signal.event_type();
  std::ifstream in(result.file, std::ios::binary);
  if (!in) {
    result.problem = "Missing file " + result.file.string() +
                     ". If a new signal has been added, run `" + regenerate + "` to save the signal schema.";
    return result;
  }
  const std::string stored_text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  std::optional<generic::Schema> stored_schema;
  std::optional<generic::Schema> current_schema;
  try {
    stored_schema = generic::parse_schema(stored_text);
  } catch (const std::exception& e) {
    result.problem = "cannot parse the stored schema " + result.file.string() + ": " + e.what();
    return result;
  }
  try {
    current_schema = generic::parse_schema(signal.avro_schema_text());
  } catch (const std::exception& e) {
    result.problem = "cannot parse the current schema: " + std::string(e.what());
    return result;
  }

  const generic::Schema& stored = *stored_schema;
  const generic::Schema& current = *current_schema;
  const std::string advice =
      ". Deployed services use the stored schema: make the change compatible (new fields in payload classes must be "
      "optional), or publish the change as a new event type and run `" + regenerate + "`.";
  try {
    std::string bytes;
    generic::encode(current, generic::sample_datum(current), bytes);
    (void)generic::decode_resolved(current, stored, bytes);
  } catch (const std::exception& e) {
    result.problem = "data written with the current schema cannot be read with the stored schema " +
                     result.file.string() + " (forward compatibility): " + e.what() + advice;
    return result;
  }
  try {
    std::string bytes;
    generic::encode(stored, generic::sample_datum(stored), bytes);
    (void)generic::decode_resolved(stored, current, bytes);
  } catch (const std::exception& e) {
    result.problem = "data written with the stored schema " + result.file.string() +
                     " cannot be read with the current schema (backward compatibility): " + e.what() + advice;
    return result;
  }
  result.ok = true;
  return result;
}

std::vector<SchemaCheckResult> check_stored_schemas(const std::filesystem::path& schemas_dir) {
  std::vector<SchemaCheckResult> results;
  for (const SignalBase* signal : SignalBase::all_events()) {
    if (is_known_unserializable(signal->event_type())) continue;
    results.push_back(check_stored_schema(*signal, schemas_dir));
  }
  return results;
}

}  // namespace openedx_events
