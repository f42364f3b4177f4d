// The character classes and tokenizers that replace edx-opaque-keys' regular expressions. The block
// body tokenizer is the heart of course-v1/library-v1/ccx-v1/block-v1 parsing; see grammar.hpp for the
// pattern it implements and why splitting on '+' is equivalent to it. split_fields does the same for
// the keys made of a fixed number of separated fields (lib:, lb:, lct:, location:, org/course/run).
// Both classify ASCII bytes with one table lookup each, in the same pass that finds the separators.
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
// Per byte value: bit `c` says whether that ASCII character is in CharClass `c` (keys are almost
// always ASCII, and this answers them without decoding or a call per character); the bits above
// mark the bytes the body tokenizer must stop at, so that its loop tests each byte once.
constexpr unsigned kClassBits = 0xFFU;
constexpr unsigned kPlusByte = 1U << 8;
constexpr unsigned kAtByte = 1U << 9;
constexpr unsigned kNonAsciiByte = 1U << 10;
constexpr unsigned kTokenizerStop = kPlusByte | kAtByte | kNonAsciiByte;

constexpr std::array<std::uint16_t, 256> kByteInfo = [] {
  std::array<std::uint16_t, 256> info{};
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
      if (in) info[ch] = static_cast<std::uint16_t>(info[ch] | (1U << c));
    }
  }
  info['+'] = kPlusByte;  // '+' and '@' are in no class
  info['@'] = kAtByte;
  for (unsigned b = 0x80; b < 0x100; ++b) info[b] = kNonAsciiByte;
  return info;
}();
}  // namespace

bool all_in_class(std::string_view text, CharClass cls) noexcept {
  const unsigned bit = 1U << static_cast<unsigned>(cls);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto ch = static_cast<unsigned char>(text[pos]);
    if (ch < 0x80) {
      if ((kByteInfo[ch] & bit) == 0) return false;
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

bool Field::is_run_of(CharClass cls) const noexcept {
  if (begin == end) return false;
  return ascii ? ((classes >> static_cast<unsigned>(cls)) & 1U) != 0 : all_in_class(text(), cls);
}

bool Field::is_run_of_dollar_anchored(CharClass cls) const noexcept {
  if (begin == end || end[-1] != '\n') return is_run_of(cls);
  if (end - 1 == begin) return false;  // "\n" alone: the run before it is empty
  return ascii ? ((classes_but_last >> static_cast<unsigned>(cls)) & 1U) != 0
               : all_in_class(std::string_view(begin, static_cast<std::size_t>(end - 1 - begin)), cls);
}

bool split_fields(std::string_view text, char sep, std::span<Field> out) noexcept {
  std::size_t count = 0;
  const char* start = text.data();
  const char* const end = start + text.size();
  unsigned classes = kClassBits;
  unsigned classes_but_last = kClassBits;
  bool ascii = true;
  for (const char* p = start;; ++p) {
    if (p == end || *p == sep) {
      if (count == out.size()) return false;
      out[count++] = Field{start, p, classes, classes_but_last, ascii};
      if (p == end) break;
      start = p + 1;
      classes = kClassBits;
      classes_but_last = kClassBits;
      ascii = true;
      continue;
    }
    const unsigned info = kByteInfo[static_cast<unsigned char>(*p)];
    classes_but_last = classes;
    classes &= info;  // the class bits of a non-ASCII byte are all off: `ascii` sends those fields to all_in_class
    ascii = ascii && (info & kNonAsciiByte) == 0;
  }
  return count == out.size();
}

namespace {

// The prefix of a `prefix@value` token in the standard dialect, compared exactly. The five words have
// five different lengths, so the length picks the only candidate.
const PrefixSpec* standard_prefix(std::string_view prefix) noexcept {
  for (const auto& candidate : kPrefixes) {
    if (candidate.word.size() == prefix.size()) {
      return candidate.slot != Slot::ccx && prefix == candidate.word ? &candidate : nullptr;
    }
  }
  return nullptr;
}

// The same under re.IGNORECASE (ccx dialect): per code point, so not by length.
const PrefixSpec* ccx_prefix(std::string_view prefix) noexcept {
  for (const auto& candidate : kPrefixes) {
    if (equals_ignore_case(prefix, candidate.word)) return &candidate;
  }
  return nullptr;
}

// Built only when returned, so the success path never zero-fills a whole BlockBody first.
BlockBody no_match() noexcept { return BlockBody{{}, false}; }

}  // namespace

BlockBody match_block_body(std::string_view body, Dialect dialect) noexcept {
  const bool ccx = dialect == Dialect::ccx;
  // Every group but ccx@ is optional, so an empty body matches with nothing set (the field rules
  // reject it later) except in the ccx dialect.
  if (body.empty()) return BlockBody{{}, !ccx};

  std::string_view plain[3];  // org, course, run
  std::string_view branch;
  std::string_view version_guid;
  std::string_view ccx_id;
  std::string_view block_type;
  std::string_view block_id;
  std::size_t plain_count = 0;
  bool seen_prefixed = false;
  int last_slot = -1;

  const char* p = body.data();
  const char* const end = p + body.size();
  while (true) {
    // One pass over the token finds where it ends, its first '@', and the classes that hold every
    // ASCII character of its value (all of a plain token, what follows '@' otherwise): keys are short
    // and almost always ASCII, so this beats separate searches and class checks per token.
    const char* const token = p;
    const char* value = p;
    bool prefixed = false;
    unsigned ascii_classes = kClassBits;
    bool ascii = true;
    for (; p != end; ++p) {
      const unsigned info = kByteInfo[static_cast<unsigned char>(*p)];
      if ((info & kTokenizerStop) == 0) {
        ascii_classes &= info;
      } else if ((info & kPlusByte) != 0) {
        break;
      } else if ((info & kAtByte) != 0) {
        if (prefixed) {
          ascii_classes = 0;  // a second '@' belongs to the value, and '@' is in no class
        } else {
          prefixed = true;
          value = p + 1;
          ascii_classes = kClassBits;
          ascii = true;
        }
      } else {
        ascii = false;
      }
    }
    // Empty tokens come from a leading '+', a trailing '+' (SEP needs a following character) or "++".
    if (p == token) return no_match();
    const std::string_view value_text(value, static_cast<std::size_t>(p - value));
    // `^C+` on the value: the bits say it for ASCII text, anything else takes the code-point path.
    const auto is_run = [&](CharClass cls) {
      if (value_text.empty()) return false;
      return ascii ? (ascii_classes & (1U << static_cast<unsigned>(cls))) != 0 : all_in_class(value_text, cls);
    };

    if (!prefixed) {
      // org, course, run: ID+, only before any prefixed token, at most three of them.
      if (seen_prefixed || plain_count == 3 || !is_run(CharClass::id)) return no_match();
      plain[plain_count++] = value_text;
    } else {
      seen_prefixed = true;
      const std::string_view prefix(token, static_cast<std::size_t>(value - 1 - token));
      const PrefixSpec* spec = ccx ? ccx_prefix(prefix) : standard_prefix(prefix);
      // Each prefix at most once and in grammar order.
      if (spec == nullptr || static_cast<int>(spec->slot) <= last_slot) return no_match();
      last_slot = static_cast<int>(spec->slot);
      switch (spec->slot) {
        case Slot::branch:
          if (!is_run(CharClass::id)) return no_match();
          branch = value_text;
          break;
        case Slot::version:
          if (!is_run(ccx ? CharClass::hex_any : CharClass::hex_lower)) return no_match();
          version_guid = value_text;
          break;
        case Slot::ccx:
          if (!is_run(CharClass::digit)) return no_match();
          ccx_id = value_text;
          break;
        case Slot::type:
          if (!is_run(CharClass::id)) return no_match();
          block_type = value_text;
          break;
        case Slot::block:
          if (!is_run(ccx ? CharClass::id : CharClass::id_pct)) return no_match();
          block_id = value_text;
          break;
      }
    }
    if (p == end) break;
    ++p;  // past the '+'; a '+' at the very end leaves an empty token, rejected above
  }

  // Exactly one plain token cannot be org+course; four or more were rejected above. With none, two
  // or three, the unused entries of `plain` are empty, as unmatched groups are.
  if (plain_count == 1 || (ccx && ccx_id.empty())) return no_match();
  return BlockBody{{plain[0], plain[1], plain[2], branch, version_guid, ccx_id, block_type, block_id}, true};
}

}  // namespace openedx_events::keys::detail
