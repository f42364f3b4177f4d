// JSON text exactly as Python's json.dumps writes it, for the places where the reference's text is
// part of the contract: EventsMetadata.to_json() (separators ", " and ": "), schema files
// (indent=2, written by generate_avro_schemas) and the schema-registry form of a schema
// (sort_keys=True). ensure_ascii is on, as it is by default in Python: non-ASCII characters are
// written as \uXXXX escapes (surrogate pairs above the BMP); floats use Python's repr.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace openedx_events {

struct PythonJsonOptions {
  int indent = -1;          // -1: one line, like indent=None
  bool sort_keys = false;   // objects in insertion order otherwise
};

std::string python_json_dumps(const nlohmann::ordered_json& value, PythonJsonOptions options = {});
std::string python_json_dumps(const nlohmann::json& value, PythonJsonOptions options = {});

// Python's repr() of a float: shortest round-trip digits, fixed notation for 1e-4 <= |x| < 1e16.
std::string python_float_repr(double value);

}  // namespace openedx_events
