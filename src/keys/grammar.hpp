// Private to src/keys: the hand-written equivalents of the regular expressions in edx-opaque-keys and
// edx-ccx-keys. Each function documents the Python pattern it stands for; inputs are valid UTF-8
// (checked once at each from_string entry) and all results are views into the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace openedx_events::keys::detail {

enum class CharClass : std::uint8_t {
  id,         // [\w\-~.:]      Locator.ALLOWED_ID_CHARS
  id_pct,     // [\w\-~.:%]     DEPRECATED_ALLOWED_ID_CHARS / BLOCK_ALLOWED_ID_CHARS
  depc,       // [\w.%-]        complement of INVALID_CHARS_DEPRECATED
  ascii_id,   // [a-zA-Z0-9_\-.] CheckFieldMixin's default
  slug,       // [\w\-.]        library slugs and ids
  hex_lower,  // [a-f0-9]
  hex_any,    // [A-F0-9] under IGNORECASE (ASCII only, verified by the table generator)
  digit,      // \d
};

bool in_class(char32_t cp, CharClass cls) noexcept;
// Every character is in `cls` (true for the empty string).
bool all_in_class(std::string_view text, CharClass cls) noexcept;
// `^C+\Z`: non-empty and every character in `cls`.
bool is_run_of(std::string_view text, CharClass cls) noexcept;
// `re.match('^C+$', text)`: Python's `$` also matches before one final '\n', so a run of `cls`
// optionally followed by exactly one '\n'.
bool is_run_of_dollar_anchored(std::string_view text, CharClass cls) noexcept;

// Python's `str.partition(':')` as `OpaqueKey._separate_namespace` uses it: nullopt without a ':'.
struct NamespaceSplit {
  std::string_view namespace_part;
  std::string_view rest;
};
std::optional<NamespaceSplit> split_namespace(std::string_view serialized) noexcept;

// Python's `str.split(sep)` when exactly out.size() parts are expected (tuple unpacking): false for
// any other number of parts.
bool split_exact(std::string_view text, char sep, std::span<std::string_view> out) noexcept;

// The block-style body grammar, BlockLocatorBase.URL_RE (standard) or CCXLocator.URL_RE (ccx):
//   ((org+course(+run)?)SEP)?? (branch@ID+ SEP)? (version@HEX+ SEP)? [(ccx@\d+ SEP)]
//   (type@ID+ SEP)? (block@ID%+ | block@ID+ for ccx)?  \Z       SEP = (\+(?=.)|\Z)
// As no value may contain '+' or '@', this is a tokenizer over '+'-separated tokens.
enum class Dialect : std::uint8_t {
  standard,  // course-v1, library-v1, block-v1, lib-block-v1: case-sensitive, lowercase hex
  ccx,       // ccx-v1, ccx-block-v1: IGNORECASE prefixes and hex, ccx@ required, block id without '%'
};
struct BlockBody {
  std::optional<std::string_view> org;
  std::optional<std::string_view> course;
  std::optional<std::string_view> run;
  std::optional<std::string_view> branch;
  std::optional<std::string_view> version_guid;
  std::optional<std::string_view> ccx;
  std::optional<std::string_view> block_type;
  std::optional<std::string_view> block_id;
};
std::optional<BlockBody> match_block_body(std::string_view body, Dialect dialect) noexcept;

// bson.ObjectId(text) for text the body grammar already limited to hex digits: exactly 24 of them,
// printed as lowercase.
std::optional<std::string> object_id(std::string_view hex);

}  // namespace openedx_events::keys::detail
