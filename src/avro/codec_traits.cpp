// Out-of-line, cold parts of the compile-time codec: error construction and the bytes JSON form.
#include "openedx_events/avro/codec_traits.hpp"

#include "openedx_events/avro/json_limits.hpp"

namespace openedx_events::avro {

namespace detail {

void throw_json_type(std::string_view expected, const json& got) {
  // json_for_message, not dump(): the value may be megabytes long or nested 100,000 deep.
  throw JsonViewError("expected " + std::string(expected) + ", got " + std::string(got.type_name()) + " " +
                      json_for_message(got));
}

void throw_invalid_union_branch(std::int64_t branch) {
  throw DecodeError("invalid union branch " + std::to_string(branch) + " (expected 0 for null or 1)");
}

void check_encodable_utf8(std::string_view text) {
  // Python strings are Unicode: bytes that are not UTF-8 could not have come from the reference
  // and would make its decoder fail, so they are refused here, on the producing side.
  if (!is_valid_utf8(text)) throw EncodeError("string is not valid UTF-8");
}

}  // namespace detail

json codec_traits<Bytes>::to_json(const Bytes& v) {
  std::string text;
  text.reserve(v.value.size());
  for (const unsigned char c : v.value) {
    if (c < 0x80) {
      text.push_back(static_cast<char>(c));
    } else {
      text.push_back(static_cast<char>(0xC0 | (c >> 6)));
      text.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return text;
}

void codec_traits<Bytes>::from_json(const json& j, Bytes& v) {
  if (!j.is_string()) detail::throw_json_type("a string", j);
  const auto& text = j.get_ref<const std::string&>();
  v.value.clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      v.value.push_back(static_cast<char>(c));
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < text.size()) {
      v.value.push_back(static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(text[++i]) & 0x3F)));
    } else {
      throw JsonViewError("bytes must be a string of code points U+0000..U+00FF");
    }
  }
}

}  // namespace openedx_events::avro
