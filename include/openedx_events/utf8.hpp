// UTF-8 validation shared by the Avro codec and the key parsers.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace openedx_events {

namespace detail {
bool is_valid_utf8_non_ascii(std::string_view text) noexcept;
}

// Decodes the well-formed UTF-8 sequence at `text[pos]` into `code_point` and advances `pos`;
// false (and `pos` unchanged) on a malformed or truncated sequence. `pos` must be < text.size().
bool decode_utf8(std::string_view text, std::size_t& pos, char32_t& code_point) noexcept;

// Well-formed UTF-8 as Python's strict decoder defines it (what fastavro applies to Avro strings):
// no overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequences.
// Inline because it runs for every decoded string: pure ASCII, which is almost all event text and
// every real key, is answered by OR-ing eight bytes at a time, without a call.
inline bool is_valid_utf8(std::string_view text) noexcept {
  const char* p = text.data();
  std::size_t n = text.size();
  std::uint64_t seen = 0;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    seen |= word;
  }
  for (; n > 0; ++p, --n) seen |= static_cast<unsigned char>(*p);
  if ((seen & 0x8080808080808080ULL) == 0) return true;
  return detail::is_valid_utf8_non_ascii(text);
}

}  // namespace openedx_events
