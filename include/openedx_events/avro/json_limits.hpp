// Limits for JSON that comes from outside (the CLI's --data, a line of --data-lines, --extra): how
// deep it may nest, and how much of a value an error message may repeat.
//
// nlohmann::json parses and destroys values without recursion, but dump() and copies recurse once
// per nesting level: a value nested 100,000 deep crashed the CLI with a stack overflow while the
// error message rendered it. Nothing here recurses, so these are safe on any input.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace openedx_events::avro {

// More than any event's JSON view needs (the deepest nests less than a dozen levels), far less
// than what would strain a thread's stack in code that walks a value recursively.
inline constexpr std::size_t max_json_depth = 100;

// How many characters of a value an error message repeats before "…".
inline constexpr std::size_t message_value_limit = 200;

// `text` when it is at most `limit` bytes, else its first `limit` bytes (never cutting a UTF-8
// sequence) followed by "…".
std::string truncate_for_message(std::string_view text, std::size_t limit = message_value_limit);

// The compact JSON text of `value` for an error message: at most about `limit` characters, then
// "…". Renders without recursion, so any depth is safe.
std::string json_for_message(const nlohmann::json& value, std::size_t limit = message_value_limit);

// Throws JsonViewError naming the path of the first array or object nested more than `max_depth`
// levels deep (the top-level array or object is level 1). Walks without recursion.
void check_json_depth(const nlohmann::json& value, std::size_t max_depth = max_json_depth);

}  // namespace openedx_events::avro
