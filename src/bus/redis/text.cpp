// Python repr() forms used in the Redis backend's log lines, so that they read like the
// reference's (operators grep for `redis_msg_id=b'...'`, `full_topic='...'`).
#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <typeinfo>

#include "bus/redis/connection.hpp"

namespace openedx_events::bus::detail {

namespace {

// Python picks single quotes unless the text holds a single quote and no double quote.
char pick_quote(std::string_view text) {
  return (text.find('\'') != std::string_view::npos && text.find('"') == std::string_view::npos) ? '"' : '\'';
}

void append_hex(std::string& out, unsigned char c) {
  static constexpr char digits[] = "0123456789abcdef";
  out += "\\x";
  out += digits[c >> 4];
  out += digits[c & 0xF];
}

std::string repr(std::string_view text, bool bytes) {
  const char quote = pick_quote(text);
  std::string out;
  out.reserve(text.size() + 3);
  if (bytes) out += 'b';
  out += quote;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == quote || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F || (bytes && c >= 0x80)) {
      append_hex(out, c);
    } else {
      // A str keeps printable non-ASCII characters as they are (UTF-8 passes through).
      out += ch;
    }
  }
  out += quote;
  return out;
}

}  // namespace

std::string py_repr(std::string_view text) { return repr(text, false); }
std::string py_bytes_repr(std::string_view bytes) { return repr(bytes, true); }

std::string exception_repr(const std::exception& e) {
  const char* mangled = typeid(e).name();
  int status = 0;
  const std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                                         std::free);
  std::string name = (status == 0 && demangled) ? demangled.get() : mangled;
  // "openedx_events::bus::ReceiverError" → "ReceiverError", as Python shows the class name only.
  if (const auto colons = name.rfind("::"); colons != std::string::npos) name = name.substr(colons + 2);
  return name + "(" + py_repr(e.what()) + ")";
}

}  // namespace openedx_events::bus::detail
