// The character classes and tokenizers that replace edx-opaque-keys' regular expressions. The block
// body tokenizer is the heart of course-v1/library-v1/ccx-v1/block-v1 parsing; see grammar.hpp for the
// pattern it implements and why splitting on '+' is equivalent to it.
#include "grammar.hpp"

#include <array>

#include "unicode.hpp"

namespace openedx_events::keys::detail {

namespace {

bool is_ascii_alnum(char32_t cp) noexcept {
  return (cp >= U'0' && cp <= U'9') || (cp >= U'A' && cp <= U'Z') || (cp >= U'a' && cp <= U'z');
}

// Case-insensitive comparison of a token prefix with a lowercase ASCII word, per code point, with
// the Unicode extras Python's IGNORECASE adds (ſ, İ, ı, Kelvin sign).
bool equals_ignore_case(std::string_view text, std::string_view lower_word) noexcept {
  std::size_t pos = 0;
  for (char letter : lower_word) {
    if (pos >= text.size()) return false;
    if (!matches_letter_ignore_case(next_code_point(text, pos), letter)) return false;
  }
  return pos == text.size();
}

enum class Slot : std::uint8_t { branch, version, ccx, type, block };

struct PrefixSpec {
  std::string_view word;
  Slot slot;
};

constexpr std::array<PrefixSpec, 5> kPrefixes{{
    {"branch", Slot::branch},
    {"version", Slot::version},
    {"ccx", Slot::ccx},
    {"type", Slot::type},
    {"block", Slot::block},
}};

}  // namespace

bool in_class(char32_t cp, CharClass cls) noexcept {
  switch (cls) {
    case CharClass::id:
      return is_word_char(cp) || cp == U'-' || cp == U'~' || cp == U'.' || cp == U':';
    case CharClass::id_pct:
      return is_word_char(cp) || cp == U'-' || cp == U'~' || cp == U'.' || cp == U':' || cp == U'%';
    case CharClass::depc:
      return is_word_char(cp) || cp == U'.' || cp == U'%' || cp == U'-';
    case CharClass::ascii_id:
      return is_ascii_alnum(cp) || cp == U'_' || cp == U'-' || cp == U'.';
    case CharClass::slug:
      return is_word_char(cp) || cp == U'-' || cp == U'.';
    case CharClass::hex_lower:
      return (cp >= U'0' && cp <= U'9') || (cp >= U'a' && cp <= U'f');
    case CharClass::hex_any:
      return (cp >= U'0' && cp <= U'9') || (cp >= U'a' && cp <= U'f') || (cp >= U'A' && cp <= U'F');
    case CharClass::digit:
      return is_decimal_digit(cp);
  }
  return false;
}

namespace {
// Bit `c` of entry `ch` says whether ASCII character `ch` is in CharClass `c`: keys are almost
// always ASCII, and this answers them without decoding or a call per character.
constexpr std::array<std::uint8_t, 128> kAsciiClassBits = [] {
  std::array<std::uint8_t, 128> bits{};
  for (char32_t ch = 0; ch < 128; ++ch) {
    for (unsigned c = 0; c <= static_cast<unsigned>(CharClass::digit); ++c) {
      const bool word = (ch >= U'0' && ch <= U'9') || (ch >= U'A' && ch <= U'Z') || (ch >= U'a' && ch <= U'z') || ch == U'_';
      bool in = false;
      switch (static_cast<CharClass>(c)) {
        case CharClass::id: in = word || ch == U'-' || ch == U'~' || ch == U'.' || ch == U':'; break;
        case CharClass::id_pct: in = word || ch == U'-' || ch == U'~' || ch == U'.' || ch == U':' || ch == U'%'; break;
        case CharClass::depc: in = word || ch == U'.' || ch == U'%' || ch == U'-'; break;
        case CharClass::ascii_id: in = word || ch == U'-' || ch == U'.'; break;
        case CharClass::slug: in = word || ch == U'-' || ch == U'.'; break;
        case CharClass::hex_lower: in = (ch >= U'0' && ch <= U'9') || (ch >= U'a' && ch <= U'f'); break;
        case CharClass::hex_any: in = (ch >= U'0' && ch <= U'9') || (ch >= U'a' && ch <= U'f') || (ch >= U'A' && ch <= U'F'); break;
        case CharClass::digit: in = ch >= U'0' && ch <= U'9'; break;
      }
      if (in) bits[ch] = static_cast<std::uint8_t>(bits[ch] | (1U << c));
    }
  }
  return bits;
}();
}  // namespace

bool all_in_class(std::string_view text, CharClass cls) noexcept {
  const unsigned bit = 1U << static_cast<unsigned>(cls);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto ch = static_cast<unsigned char>(text[pos]);
    if (ch < 0x80) {
      if ((kAsciiClassBits[ch] & bit) == 0) return false;
      ++pos;
      continue;
    }
    if (!in_class(next_code_point(text, pos), cls)) return false;
  }
  return true;
}

bool is_run_of(std::string_view text, CharClass cls) noexcept {
  return !text.empty() && all_in_class(text, cls);
}

bool is_run_of_dollar_anchored(std::string_view text, CharClass cls) noexcept {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  return is_run_of(text, cls);
}

std::optional<NamespaceSplit> split_namespace(std::string_view serialized) noexcept {
  const auto colon = serialized.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return NamespaceSplit{serialized.substr(0, colon), serialized.substr(colon + 1)};
}

bool split_exact(std::string_view text, char sep, std::span<std::string_view> out) noexcept {
  std::size_t count = 0;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(sep, start);
    if (count == out.size()) return false;
    out[count++] = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return count == out.size();
}

std::optional<BlockBody> match_block_body(std::string_view body, Dialect dialect) noexcept {
  BlockBody out;
  // Every group but ccx@ is optional, so an empty body matches with nothing set (the field rules
  // reject it later) except in the ccx dialect.
  if (body.empty()) {
    if (dialect == Dialect::ccx) return std::nullopt;
    return out;
  }

  const bool ccx = dialect == Dialect::ccx;
  std::string_view plain[3];
  std::size_t plain_count = 0;
  bool seen_prefixed = false;
  int last_slot = -1;

  std::size_t start = 0;
  while (start <= body.size()) {
    const auto plus = body.find('+', start);
    const std::string_view token =
        body.substr(start, plus == std::string_view::npos ? std::string_view::npos : plus - start);
    // Empty tokens come from a leading '+', a trailing '+' (SEP needs a following character) or "++".
    if (token.empty()) return std::nullopt;

    const auto at = token.find('@');
    if (at == std::string_view::npos) {
      // org, course, run: ID+, only before any prefixed token, at most three of them.
      if (seen_prefixed || plain_count == 3 || !is_run_of(token, CharClass::id)) return std::nullopt;
      plain[plain_count++] = token;
    } else {
      seen_prefixed = true;
      const std::string_view prefix = token.substr(0, at);
      const std::string_view value = token.substr(at + 1);
      const PrefixSpec* spec = nullptr;
      for (const auto& candidate : kPrefixes) {
        if (candidate.slot == Slot::ccx && !ccx) continue;
        if (ccx ? equals_ignore_case(prefix, candidate.word) : prefix == candidate.word) {
          spec = &candidate;
          break;
        }
      }
      // Each prefix at most once and in grammar order.
      if (spec == nullptr || static_cast<int>(spec->slot) <= last_slot) return std::nullopt;
      last_slot = static_cast<int>(spec->slot);
      switch (spec->slot) {
        case Slot::branch:
          if (!is_run_of(value, CharClass::id)) return std::nullopt;
          out.branch = value;
          break;
        case Slot::version:
          if (!is_run_of(value, ccx ? CharClass::hex_any : CharClass::hex_lower)) return std::nullopt;
          out.version_guid = value;
          break;
        case Slot::ccx:
          if (!is_run_of(value, CharClass::digit)) return std::nullopt;
          out.ccx = value;
          break;
        case Slot::type:
          if (!is_run_of(value, CharClass::id)) return std::nullopt;
          out.block_type = value;
          break;
        case Slot::block:
          if (!is_run_of(value, ccx ? CharClass::id : CharClass::id_pct)) return std::nullopt;
          out.block_id = value;
          break;
      }
    }
    if (plus == std::string_view::npos) break;
    start = plus + 1;
  }

  // Exactly one plain token cannot be org+course; four or more were rejected above.
  if (plain_count == 1) return std::nullopt;
  if (plain_count >= 2) {
    out.org = plain[0];
    out.course = plain[1];
    if (plain_count == 3) out.run = plain[2];
  }
  if (ccx && !out.ccx) return std::nullopt;
  return out;
}

std::optional<std::string> object_id(std::string_view hex) {
  if (hex.size() != 24) return std::nullopt;
  std::string lower(hex);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

}  // namespace openedx_events::keys::detail
