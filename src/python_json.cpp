// Python json.dumps formatting and repr() forms (see python_json.hpp for which reference texts
// depend on them).
#include "openedx_events/python_json.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <typeinfo>
#include <vector>

#include "openedx_events/utf8.hpp"

namespace openedx_events {
namespace {

void append_u16_escape(std::string& out, unsigned unit) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", unit & 0xFFFF);
  out += buf;
}

void append_string(std::string& out, const std::string& text) {
  out.push_back('"');
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          // ensure_ascii escapes everything outside ' '..'~', DEL included.
          if (c < 0x20 || c == 0x7f) {
            append_u16_escape(out, c);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence; the text was validated upstream, malformed bytes become U+FFFD.
    std::uint32_t cp = 0xFFFD;
    std::size_t len = 1;
    if ((c & 0xE0) == 0xC0 && i + 1 < text.size()) {
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
      len = 2;
    } else if ((c & 0xF0) == 0xE0 && i + 2 < text.size()) {
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
      len = 3;
    } else if ((c & 0xF8) == 0xF0 && i + 3 < text.size()) {
      cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 12) |
           ((static_cast<unsigned char>(text[i + 2]) & 0x3Fu) << 6) | (static_cast<unsigned char>(text[i + 3]) & 0x3Fu);
      len = 4;
    }
    if (cp >= 0x10000) {
      const std::uint32_t v = cp - 0x10000;
      append_u16_escape(out, 0xD800 + (v >> 10));
      append_u16_escape(out, 0xDC00 + (v & 0x3FF));
    } else {
      append_u16_escape(out, cp);
    }
    i += len;
  }
  out.push_back('"');
}

template <class Json>
void dump(std::string& out, const Json& value, const PythonJsonOptions& options, int depth) {
  const bool pretty = options.indent >= 0;
  auto newline = [&](int level) {
    out.push_back('\n');
    out.append(static_cast<std::size_t>(options.indent * level), ' ');
  };
  switch (value.type()) {
    case nlohmann::json::value_t::null: out += "null"; return;
    case nlohmann::json::value_t::boolean: out += value.template get<bool>() ? "true" : "false"; return;
    case nlohmann::json::value_t::number_integer: out += std::to_string(value.template get<std::int64_t>()); return;
    case nlohmann::json::value_t::number_unsigned: out += std::to_string(value.template get<std::uint64_t>()); return;
    case nlohmann::json::value_t::number_float: {
      const double d = value.template get<double>();
      if (std::isnan(d)) {
        out += "NaN";
      } else if (std::isinf(d)) {
        out += d > 0 ? "Infinity" : "-Infinity";
      } else {
        out += python_float_repr(d);
      }
      return;
    }
    case nlohmann::json::value_t::string: append_string(out, value.template get_ref<const std::string&>()); return;
    case nlohmann::json::value_t::array: {
      if (value.empty()) {
        out += "[]";
        return;
      }
      out.push_back('[');
      bool first = true;
      for (const auto& item : value) {
        if (!first) out += pretty ? "," : ", ";
        first = false;
        if (pretty) newline(depth + 1);
        dump(out, item, options, depth + 1);
      }
      if (pretty) newline(depth);
      out.push_back(']');
      return;
    }
    case nlohmann::json::value_t::object: {
      if (value.empty()) {
        out += "{}";
        return;
      }
      std::vector<std::pair<const std::string*, const Json*>> entries;
      for (auto it = value.begin(); it != value.end(); ++it) entries.emplace_back(&it.key(), &it.value());
      if (options.sort_keys) {
        std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
      }
      out.push_back('{');
      bool first = true;
      for (const auto& [key, item] : entries) {
        if (!first) out += pretty ? "," : ", ";
        first = false;
        if (pretty) newline(depth + 1);
        append_string(out, *key);
        out += ": ";
        dump(out, *item, options, depth + 1);
      }
      if (pretty) newline(depth);
      out.push_back('}');
      return;
    }
    case nlohmann::json::value_t::binary:
    case nlohmann::json::value_t::discarded: out += "null"; return;
  }
}

}  // namespace

std::string python_float_repr(double value) {
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  // Shortest round-trip digits in scientific form, then laid out by Python's repr rules.
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string sci(buf, end);
  const bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  const auto e_pos = sci.find('e');
  const int exponent = std::stoi(sci.substr(e_pos + 1));
  std::string digits = sci.substr(0, e_pos);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out += "0.";
      out.append(static_cast<std::size_t>(-exponent - 1), '0');
      out += digits;
    } else if (static_cast<std::size_t>(exponent) + 1 >= digits.size()) {
      out += digits;
      out.append(static_cast<std::size_t>(exponent) + 1 - digits.size(), '0');
      out += ".0";
    } else {
      out += digits.substr(0, static_cast<std::size_t>(exponent) + 1) + "." +
             digits.substr(static_cast<std::size_t>(exponent) + 1);
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  char exp_buf[16];
  std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  out += exp_buf;
  return out;
}

std::string python_json_dumps(const nlohmann::ordered_json& value, PythonJsonOptions options) {
  std::string out;
  dump(out, value, options, 0);
  return out;
}

std::string python_json_dumps(const nlohmann::json& value, PythonJsonOptions options) {
  std::string out;
  dump(out, value, options, 0);
  return out;
}

namespace {

std::string python_repr(std::string_view text, bool bytes) {
  // Python picks single quotes unless the text holds a single quote and no double quote.
  const char quote =
      (text.find('\'') != std::string_view::npos && text.find('"') == std::string_view::npos) ? '"' : '\'';
  const bool escape_high = bytes || !is_valid_utf8(text);
  static constexpr char hex[] = "0123456789abcdef";
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
    } else if (c < 0x20 || c == 0x7F || (escape_high && c >= 0x80)) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xF];
    } else {
      out += ch;
    }
  }
  out += quote;
  return out;
}

}  // namespace

std::string python_str_repr(std::string_view text) { return python_repr(text, false); }
std::string python_bytes_repr(std::string_view bytes) { return python_repr(bytes, true); }

std::string python_exception_repr(const std::exception& e) {
  const char* mangled = typeid(e).name();
  int status = 0;
  const std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                                         std::free);
  std::string name = (status == 0 && demangled) ? demangled.get() : mangled;
  // "openedx_events::bus::ReceiverError" → "ReceiverError": Python shows the class name only.
  if (const auto colons = name.rfind("::"); colons != std::string::npos) name = name.substr(colons + 2);
  return name + "(" + python_str_repr(e.what()) + ")";
}

}  // namespace openedx_events
