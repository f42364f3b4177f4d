// Stored schema snapshots (the `.avsc` files that deployed services were built with) and the
// checks that keep the current C++ types compatible with them — the reference's
// generate_avro_schemas command and its forward/backward compatibility tests.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace openedx_events {

class SignalBase;

// `<event_type with '.' replaced by '+'>_schema.avsc`
std::string schema_file_name(std::string_view event_type);

// Signals that have no stored schema by upstream policy or because their data has no Avro form.
bool is_known_unserializable(std::string_view event_type);

struct SchemaCheckResult {
  std::string event_type;
  std::filesystem::path file;
  bool ok = false;
  std::string problem;  // why it failed, with the command that fixes it where there is one
};

// For one serializable signal: the stored file exists and parses; data written with the current
// schema reads with the stored one (forward), and data written with the stored schema reads with
// the current one into the C++ type (backward), by Avro schema resolution.
SchemaCheckResult check_stored_schema(const SignalBase& signal, const std::filesystem::path& schemas_dir);

// check_stored_schema for every serializable signal, in all_events() order.
std::vector<SchemaCheckResult> check_stored_schemas(const std::filesystem::path& schemas_dir);

}  // namespace openedx_events
