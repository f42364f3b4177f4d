// Strict UTF-8 validation, matching Python's bytes.decode('utf-8') (what fastavro applies to Avro
// strings): rejects overlong forms, surrogates, code points above U+10FFFF and truncated sequences.
#include "openedx_events/avro/binary.hpp"

namespace openedx_events::avro {

bool is_valid_utf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p != end) {
    // Fast path for the ASCII that makes up almost every event.
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const unsigned char lead = *p;
    std::size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      need = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      need = 2;
      if (lead == 0xE0) lo = 0xA0;
      if (lead == 0xED) hi = 0x9F;  // U+D800..U+DFFF are surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      need = 3;
      if (lead == 0xF0) lo = 0x90;
      if (lead == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) <= need) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (std::size_t i = 2; i <= need; ++i) {
      if (p[i] < 0x80 || p[i] > 0xBF) return false;
    }
    p += need + 1;
  }
  return true;
}

}  // namespace openedx_events::avro
