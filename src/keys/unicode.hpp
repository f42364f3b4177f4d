// Private to src/keys: UTF-8 decoding and the Unicode character classes of Python's `re` that the
// opaque-key grammars are written in. Everything here works on code points, so a multi-byte character
// is one character exactly as it is for Python's `str`.
#pragma once

#include "openedx_events/utf8.hpp"

#include <cstddef>
#include <span>
#include <string_view>

namespace openedx_events::keys::detail {

struct CodePointRange {
  char32_t first;
  char32_t last;
};

struct CaseInsensitiveExtra {
  char32_t code_point;
  char ascii_letter;  // lowercase
};

// Generated tables (unicode_word_table.cpp).
const char* unicode_table_version() noexcept;
std::span<const CodePointRange> word_ranges() noexcept;
std::span<const CodePointRange> decimal_ranges() noexcept;
std::span<const CaseInsensitiveExtra> case_insensitive_extras() noexcept;

// Python never sees bytes, so an ill-formed key has no Python behaviour to copy and is rejected up
// front with the library's strict UTF-8 check.
using openedx_events::is_valid_utf8;

// Decodes the code point at `pos` of a string already accepted by is_valid_utf8 and advances `pos`.
char32_t next_code_point(std::string_view valid_utf8, std::size_t& pos) noexcept;

bool is_word_char(char32_t cp) noexcept;       // Python `\w`
bool is_decimal_digit(char32_t cp) noexcept;   // Python `\d`

// Whether `cp` matches the lowercase ASCII letter `lower` under re.IGNORECASE (so 'ſ' matches 's').
bool matches_letter_ignore_case(char32_t cp, char lower) noexcept;

}  // namespace openedx_events::keys::detail
