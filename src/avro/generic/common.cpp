// Implementation of the internal helpers in common.hpp: path rendering and text checks.
#include "common.hpp"

#include <nlohmann/json.hpp>

namespace openedx_events::avro::generic::detail {

std::string Path::str() const {
  std::string out;
  for (const Segment& segment : segments_) {
    switch (segment.kind) {
      case Kind::field:
        if (!out.empty()) out += '.';
        out += segment.text;
        break;
      case Kind::index:
        out += '[';
        out += std::to_string(segment.index);
        out += ']';
        break;
      case Kind::key:
        out += '[';
        // JSON quoting keeps keys with quotes or control characters unambiguous.
        out += nlohmann::json(std::string(segment.text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        out += ']';
        break;
      case Kind::any_item: out += "[]"; break;
      case Kind::any_value: out += "{}"; break;
    }
  }
  return out;
}

std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = bytes[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c == 0xE0) {
      length = 3, low = 0xA0;  // no overlong forms
    } else if (c >= 0xE1 && c <= 0xEC) {
      length = 3;
    } else if (c == 0xED) {
      length = 3, high = 0x9F;  // no surrogates
    } else if (c >= 0xEE && c <= 0xEF) {
      length = 3;
    } else if (c == 0xF0) {
      length = 4, low = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      length = 4;
    } else if (c == 0xF4) {
      length = 4, high = 0x8F;  // nothing above U+10FFFF
    } else {
      return i;
    }
    if (n - i < length) return i;
    if (bytes[i + 1] < low || bytes[i + 1] > high) return i;
    for (std::size_t k = 2; k < length; ++k) {
      if ((bytes[i + k] & 0xC0) != 0x80) return i;
    }
    i += length;
  }
  return std::nullopt;
}

std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::optional<std::string> utf8_to_latin1(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < text.size() &&
               (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
      out += static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F));
      ++i;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::string describe(const Node& node) {
  if (node.is_named()) return std::string(type_name(node.type)) + " \"" + node.name + "\"";
  if (node.type == Type::union_) {
    std::string out = "union [";
    for (std::size_t i = 0; i < node.branches.size(); ++i) {
      if (i > 0) out += ", ";
      const Node& branch = *node.branches[i];
      out += branch.is_named() ? branch.name : std::string(type_name(branch.type));
    }
    return out + "]";
  }
  return std::string(type_name(node.type));
}

std::string with_article(std::string_view text) {
  const bool vowel = !text.empty() && (text[0] == 'a' || text[0] == 'e' || text[0] == 'i' || text[0] == 'o');
  return (vowel ? "an " : "a ") + std::string(text);
}

std::string byte_count(std::size_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

}  // namespace openedx_events::avro::generic::detail
