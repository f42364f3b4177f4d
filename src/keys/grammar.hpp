// Private to src/keys: the hand-written equivalents of the regular expressions in edx-opaque-keys and
// edx-ccx-keys. Each function documents the Python pattern it stands for; inputs are valid UTF-8
// (checked once at each from_string entry) and all results are views into the input.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
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

// Python's `str.partition(':')` as `OpaqueKey._separate_namespace` uses it: nullopt without a ':'.
struct NamespaceSplit {
  std::string_view namespace_part;
  std::string_view rest;
};
inline std::optional<NamespaceSplit> split_namespace(std::string_view serialized) noexcept {
  const auto colon = serialized.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return NamespaceSplit{serialized.substr(0, colon), serialized.substr(colon + 1)};
}

// Whether the namespace of `serialized` is `ns`, given as "ns:" (say "lb:"): no namespace contains a
// ':', so this is `serialized.partition(':')[0] == ns` without searching for the ':'.
constexpr bool in_namespace(std::string_view serialized, std::string_view ns_colon) noexcept {
  return serialized.starts_with(ns_colon);
}

// A field of a separator-delimited key, as split_fields finds it, with what its class checks need.
// Trivially constructible on purpose: arrays of fields cost nothing until split_fields fills them.
struct Field {
  const char* begin;
  const char* end;
  unsigned classes;           // bit c: every ASCII character of the field is in CharClass c
  unsigned classes_but_last;  // the same for the field without its last character
  bool ascii;

  std::string_view text() const noexcept { return {begin, static_cast<std::size_t>(end - begin)}; }
  // `^C+\Z`
  bool is_run_of(CharClass cls) const noexcept;
  // `re.match('^C+$', field)`: a run of C, optionally followed by exactly one '\n' (Python's `$`).
  bool is_run_of_dollar_anchored(CharClass cls) const noexcept;
};
// Python's `str.split(sep)` when exactly out.size() fields are expected (tuple unpacking): false for
// any other number of fields. One pass over the text finds the fields and their classes together.
bool split_fields(std::string_view text, char sep, std::span<Field> out) noexcept;

// The block-style body grammar, BlockLocatorBase.URL_RE (standard) or CCXLocator.URL_RE (ccx):
//   ((org+course(+run)?)SEP)?? (branch@ID+ SEP)? (version@HEX+ SEP)? [(ccx@\d+ SEP)]
//   (type@ID+ SEP)? (block@ID%+ | block@ID+ for ccx)?  \Z       SEP = (\+(?=.)|\Z)
// As no value may contain '+' or '@', this is a tokenizer over '+'-separated tokens.
enum class Dialect : std::uint8_t {
  standard,  // course-v1, library-v1, block-v1, lib-block-v1: case-sensitive, lowercase hex
  ccx,       // ccx-v1, ccx-block-v1: IGNORECASE prefixes and hex, ccx@ required, block id without '%'
};
// The groups of a body, in the order of CourseKey's slots. Every group is a `+` run of its class, so a
// group that matched is never empty and an empty view means it did not match (Python's None).
struct BlockBody {
  enum Group : std::size_t { org, course, run, branch, version_guid, ccx, block_type, block_id, group_count };
  std::array<std::string_view, group_count> group;
  bool matched;

  std::string_view operator[](Group g) const noexcept { return group[g]; }
  // Bit g set for each group g that matched.
  unsigned matched_groups() const noexcept {
    unsigned bits = 0;
    for (std::size_t g = 0; g < group_count; ++g) {
      if (!group[g].empty()) bits |= 1U << g;
    }
    return bits;
  }
};
// Returned by value and built in place from the matcher's locals: zero-filling a 128-byte result up
// front costs x86 compilers a `rep stos`, which is slower than the whole match of a short body.
BlockBody match_block_body(std::string_view body, Dialect dialect) noexcept;

// bson.ObjectId(text) for text the body grammar already limited to hex digits: exactly 24 of them.
// The printed (lowercase) form is the caller's to make, with to_lower_ascii, once the key is stored.
inline bool is_object_id(std::string_view hex) noexcept { return hex.size() == 24; }

}  // namespace openedx_events::keys::detail
