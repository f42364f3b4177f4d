// The Python text forms the reference's output is made of, in one place. JSON text exactly as
// Python's json.dumps writes it, for the places where the reference's text is
// part of the contract: EventsMetadata.to_json() (separators ", " and ": "), schema files
// (indent=2, written by generate_avro_schemas) and the schema-registry form of a schema
// (sort_keys=True). ensure_ascii is on, as it is by default in Python: non-ASCII characters are
// written as \uXXXX escapes (surrogate pairs above the BMP); floats use Python's repr.
#pragma once

#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace openedx_events {

struct PythonJsonOptions {
  int indent = -1;          // -1: one line, like indent=None
  bool sort_keys = false;   // objects in insertion order otherwise
};

std::string python_json_dumps(const nlohmann::ordered_json& value, PythonJsonOptions options = {});
std::string python_json_dumps(const nlohmann::json& value, PythonJsonOptions options = {});

// Python's repr() of a float: shortest round-trip digits, fixed notation for 1e-4 <= |x| < 1e16.
std::string python_float_repr(double value);

// Python's repr() of a str (given as UTF-8) and of bytes, for log lines and error texts that quote
// the reference's: the quote Python picks (' unless the text holds ' and no "), backslash, the
// quote, \n, \r, \t and other control characters escaped. Bytes escape everything from 0x80 up; so
// does text that is not valid UTF-8 (bytes a Python str could not hold), while valid UTF-8 text
// keeps its characters.
std::string python_str_repr(std::string_view text);
std::string python_bytes_repr(std::string_view bytes);

// An exception as Python's repr() shows one, `ReceiverError('...')`: the C++ class name without
// its namespaces, then the repr() of what(). The bus backends' log lines quote errors this way.
std::string python_exception_repr(const std::exception& e);

}  // namespace openedx_events
