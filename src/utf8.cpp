// Strict UTF-8 validation of text that is not pure ASCII (utf8.hpp answers ASCII inline).
#include <cstdint>
#include <cstring>

#include "openedx_events/utf8.hpp"

namespace openedx_events {

bool decode_utf8(std::string_view text, std::size_t& pos, char32_t& code_point) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data()) + pos;
  const std::size_t left = text.size() - pos;
  const unsigned char lead = p[0];
  if (lead < 0x80) {
    code_point = lead;
    ++pos;
    return true;
  }
  // The bounds on the second byte exclude overlong forms, surrogates and values above U+10FFFF
  // (Unicode Table 3-7, well-formed byte sequences).
  std::size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  char32_t value;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 1;
    value = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 2;
    value = lead & 0x0Fu;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 3;
    value = lead & 0x07u;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;
  } else {
    return false;
  }
  if (left <= need || p[1] < lo || p[1] > hi) return false;
  for (std::size_t i = 1; i <= need; ++i) {
    if ((p[i] & 0xC0) != 0x80) return false;
    value = (value << 6) | (p[i] & 0x3Fu);
  }
  code_point = value;
  pos += need + 1;
  return true;
}

bool detail::is_valid_utf8_non_ascii(std::string_view text) noexcept {
  std::size_t pos = 0;
  char32_t ignored;
  while (pos < text.size()) {
    if (!decode_utf8(text, pos, ignored)) return false;
  }
  return true;
}

}  // namespace openedx_events
