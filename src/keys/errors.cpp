// InvalidKeyError: builds the human-readable message. The input is quoted with escapes so that a key
// containing a newline or stray bytes still yields a one-line, printable message.
#include "openedx_events/keys/errors.hpp"

#include <string>

#include "unicode.hpp"

namespace openedx_events::keys {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_escaped_byte(std::string& out, unsigned char byte) {
  out += "\\x";
  out += kHex[byte >> 4U];
  out += kHex[byte & 0x0FU];
}

std::string quote(std::string_view input) {
  std::string out = "\"";
  const bool utf8 = detail::is_valid_utf8(input);
  for (char ch : input) {
    const auto byte = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        // Keep UTF-8 text readable; escape control bytes, and every non-ASCII byte of ill-formed input.
        if (byte < 0x20U || byte == 0x7FU || (byte >= 0x80U && !utf8)) {
          append_escaped_byte(out, byte);
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace

InvalidKeyError::InvalidKeyError(std::string_view key_type, std::string_view input)
    : std::invalid_argument("invalid " + std::string(key_type) + ": " + quote(input)),
      details_(std::make_shared<const Details>(Details{std::string(key_type), std::string(input)})) {}

}  // namespace openedx_events::keys
