// UTF-8 decoding and the lookups over the generated Unicode tables (unicode_word_table.cpp).
// ASCII is answered without touching the tables because almost every real key is ASCII.
#include "unicode.hpp"

#include <algorithm>

namespace openedx_events::keys::detail {

namespace {

bool in_ranges(std::span<const CodePointRange> ranges, char32_t cp) noexcept {
  // First range whose end is >= cp; cp is in the set iff that range also starts at or before it.
  auto it = std::lower_bound(ranges.begin(), ranges.end(), cp,
                             [](const CodePointRange& r, char32_t value) { return r.last < value; });
  return it != ranges.end() && it->first <= cp;
}

}  // namespace

char32_t next_code_point(std::string_view s, std::size_t& pos) noexcept {
  char32_t cp = 0;
  if (decode_utf8(s, pos, cp)) return cp;
  // Callers only pass validated text; should one ever not, step over the byte (never past the end).
  ++pos;
  return U'\uFFFD';
}

bool is_word_char(char32_t cp) noexcept {
  if (cp < 0x80) {
    return (cp >= U'0' && cp <= U'9') || (cp >= U'A' && cp <= U'Z') || (cp >= U'a' && cp <= U'z') ||
           cp == U'_';
  }
  return in_ranges(word_ranges(), cp);
}

bool is_decimal_digit(char32_t cp) noexcept {
  if (cp < 0x80) return cp >= U'0' && cp <= U'9';
  return in_ranges(decimal_ranges(), cp);
}

bool matches_letter_ignore_case(char32_t cp, char lower) noexcept {
  if (cp < 0x80) {
    const char32_t folded = (cp >= U'A' && cp <= U'Z') ? cp + (U'a' - U'A') : cp;
    return folded == static_cast<char32_t>(lower);
  }
  for (const auto& extra : case_insensitive_extras()) {
    if (extra.code_point == cp) return extra.ascii_letter == lower;
  }
  return false;
}

}  // namespace openedx_events::keys::detail
