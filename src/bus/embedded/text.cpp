// Python-like reprs for the embedded bus's log lines (see text.hpp). Pure functions.
#include "bus/embedded/text.hpp"

namespace openedx_events::bus::embedded_detail {

namespace {

void append_escaped(std::string& out, std::string_view text, bool escape_non_ascii) {
  static constexpr char hex[] = "0123456789abcdef";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\'': out += "\\'"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (byte < 0x20 || byte == 0x7f || (escape_non_ascii && byte >= 0x80)) {
          out += "\\x";
          out += hex[byte >> 4];
          out += hex[byte & 0xf];
        } else {
          out += c;
        }
    }
  }
}

}  // namespace

std::string python_str_repr(std::string_view text) {
  std::string out = "'";
  append_escaped(out, text, false);
  out += '\'';
  return out;
}

std::string python_bytes_repr(std::string_view bytes) {
  std::string out = "b'";
  append_escaped(out, bytes, true);
  out += '\'';
  return out;
}

}  // namespace openedx_events::bus::embedded_detail
