// Uuid: Python 3.11's uuid.UUID(text) and str(uuid), plus v1 generation like Python's uuid1()
// (node from libuuid) and v4 through libuuid.
//
// UUID(hex) is `int(hex.replace('urn:', '').replace('uuid:', '').strip('{}').replace('-', ''),
// 16)` after a 32-character length check, so parsing follows those steps and then CPython's
// int() (PyLong_FromUnicodeObject + PyLong_FromString): the length is counted in code points,
// non-ASCII whitespace and decimal digits are first folded to ASCII, and the number may carry
// whitespace, '+', "0x" and '_' separators. The canonical 36- and 32-character forms take a
// direct path.
#include "openedx_events/types/uuid.hpp"
#include "openedx_events/utf8.hpp"

#include <unistd.h>
#include <uuid/uuid.h>

#include <array>
#include <chrono>
#include <mutex>
#include <cstring>
#include <ostream>
#include <stdexcept>
#include <string>

namespace openedx_events {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Hex digit values by byte, -1 for anything else: one load per character on the decode path.
constexpr auto kHexValues = [] {
  std::array<std::int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) {
    table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'a' + 10);
    table[static_cast<std::size_t>(c - 'a' + 'A')] = static_cast<std::int8_t>(c - 'a' + 10);
  }
  return table;
}();

constexpr int hex_value(unsigned char c) noexcept { return kHexValues[c]; }

// Unicode 14.0 (Python 3.11's unicodedata) decimal digits outside ASCII: each run of ten starts
// at one of these zeros. Generated with
//   [c for c in range(128, 0x110000) if chr(c).isdecimal() and int(chr(c)) == 0]
constexpr std::uint32_t kDecimalZeros[] = {
    0x660,   0x6f0,   0x7c0,   0x966,   0x9e6,   0xa66,   0xae6,   0xb66,   0xbe6,   0xc66,
    0xce6,   0xd66,   0xde6,   0xe50,   0xed0,   0xf20,   0x1040,  0x1090,  0x17e0,  0x1810,
    0x1946,  0x19d0,  0x1a80,  0x1a90,  0x1b50,  0x1bb0,  0x1c40,  0x1c50,  0xa620,  0xa8d0,
    0xa900,  0xa9d0,  0xa9f0,  0xaa50,  0xabf0,  0xff10,  0x104a0, 0x10d30, 0x11066, 0x110f0,
    0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950,
    0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec,
    0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
};

// Non-ASCII characters for which str.isspace() holds (same source).
constexpr std::uint32_t kSpaces[] = {
    0x85,   0xa0,   0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
    0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
};

// _PyUnicode_TransformDecimalAndSpaceToASCII for one code point; '?' marks "not a digit".
char fold_to_ascii(std::uint32_t cp) noexcept {
  if (cp < 127) return static_cast<char>(cp);
  for (const std::uint32_t s : kSpaces) {
    if (cp == s) return ' ';
  }
  for (const std::uint32_t zero : kDecimalZeros) {
    if (cp >= zero && cp < zero + 10) return static_cast<char>('0' + (cp - zero));
  }
  return '?';
}

// Decodes one UTF-8 code point at s[i], advancing i; false on malformed input (a Python str
// never holds such bytes, so they are refused rather than guessed at).
bool next_code_point(std::string_view s, std::size_t& i, std::uint32_t& cp) noexcept {
  char32_t decoded;
  if (!decode_utf8(s, i, decoded)) return false;
  cp = decoded;
  return true;
}

// str.replace(pattern, "") — left to right, non-overlapping, like Python's.
std::string remove_all(std::string_view s, std::string_view pattern) {
  std::string out;
  out.reserve(s.size());
  std::size_t pos = 0;
  for (;;) {
    const std::size_t hit = s.find(pattern, pos);
    if (hit == std::string_view::npos) break;
    out.append(s, pos, hit - pos);
    pos = hit + pattern.size();
  }
  out.append(s, pos);
  return out;
}

// Py_ISSPACE: ASCII whitespace only (non-ASCII spaces were already folded to ' ').
constexpr bool py_isspace(char c) noexcept {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

// PyLong_FromString(buf, base=16) requiring the whole buffer to be consumed, as
// PyLong_FromUnicodeObject does; the buffer is NUL-terminated in CPython, so at() yields '\0'
// past the end and an embedded NUL ends the number early (and so fails the consumed check).
bool python_int16(const char (&buf)[32], Uuid::bytes_type& out) noexcept {
  const auto at = [&](std::size_t i) -> char { return i < 32 ? buf[i] : '\0'; };
  std::size_t p = 0;
  while (at(p) != '\0' && py_isspace(at(p))) ++p;
  bool negative = false;
  if (at(p) == '+') {
    ++p;
  } else if (at(p) == '-') {
    ++p;
    negative = true;
  }
  if (at(p) == '0' && (at(p + 1) == 'x' || at(p + 1) == 'X')) {
    p += 2;
    if (at(p) == '_') ++p;  // "One underscore allowed here."
  }
  if (at(p) == '_') return false;

  std::uint8_t nibbles[32];
  std::size_t count = 0;
  char prev = 0;
  for (;;) {
    const char c = at(p);
    if (c == '_') {
      if (prev == '_') return false;
    } else {
      const int v = hex_value(static_cast<unsigned char>(c));
      if (v < 0) break;
      nibbles[count++] = static_cast<std::uint8_t>(v);  // at most 32 characters, so no overflow
    }
    prev = c;
    ++p;
  }
  if (prev == '_') return false;
  if (count == 0) return false;
  while (at(p) != '\0' && py_isspace(at(p))) ++p;
  if (p != 32) return false;

  out = {};
  bool nonzero = false;
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t pos = 32 - count + k;  // right-aligned nibble index
    out[pos / 2] = static_cast<std::uint8_t>(out[pos / 2] | (pos % 2 ? nibbles[k] : nibbles[k] << 4));
    nonzero = nonzero || nibbles[k] != 0;
  }
  // UUID() refuses negative ints ("int is out of range"); -0 is just 0.
  return !(negative && nonzero);
}

bool parse_canonical(std::string_view s, Uuid::bytes_type& out) noexcept {
  std::size_t pos = 0;
  const bool hyphenated = s.size() == 36;
  if (!hyphenated && s.size() != 32) return false;
  for (std::size_t b = 0; b < 16; ++b) {
    if (hyphenated && (b == 4 || b == 6 || b == 8 || b == 10)) {
      if (s[pos++] != '-') return false;
    }
    const int hi = hex_value(static_cast<unsigned char>(s[pos]));
    const int lo = hex_value(static_cast<unsigned char>(s[pos + 1]));
    if (hi < 0 || lo < 0) return false;
    out[b] = static_cast<std::uint8_t>(hi << 4 | lo);
    pos += 2;
  }
  return true;
}

bool parse_python(std::string_view text, Uuid::bytes_type& out) {
  if (parse_canonical(text, out)) return true;

  std::string s = remove_all(remove_all(text, "urn:"), "uuid:");
  const std::size_t first = s.find_first_not_of("{}");
  if (first == std::string::npos) return false;
  const std::size_t last = s.find_last_not_of("{}");
  std::string_view stripped(s.data() + first, last - first + 1);

  char buf[32];
  std::size_t length = 0;  // in code points, as len() counts
  for (std::size_t i = 0; i < stripped.size();) {
    std::uint32_t cp = 0;
    if (!next_code_point(stripped, i, cp)) return false;
    if (cp == '-') continue;
    if (length == 32) return false;  // "badly formed hexadecimal UUID string"
    buf[length++] = fold_to_ascii(cp);
  }
  if (length != 32) return false;
  return python_int16(buf, out);
}

std::string quote(std::string_view s) {
  constexpr std::size_t kMaxShown = 200;
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += kHexDigits[c >> 4];
      out += kHexDigits[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += s.size() > kMaxShown ? "'..." : "'";
  return out;
}

}  // namespace

std::optional<Uuid> Uuid::try_parse(std::string_view text) noexcept {
  bytes_type bytes{};
  try {
    if (parse_python(text, bytes)) return Uuid(bytes);
  } catch (...) {  // only std::bad_alloc can get here
  }
  return std::nullopt;
}

Uuid Uuid::parse(std::string_view text) {
  bytes_type bytes{};
  if (!parse_python(text, bytes)) {
    throw std::invalid_argument("badly formed hexadecimal UUID string: " + quote(text));
  }
  return Uuid(bytes);
}

// libuuid's uuid_generate_time() asks the uuidd daemon over a socket on every call (socket,
// connect, close: more than the whole rest of an event's metadata) before falling back to its own
// clock. Like Python's uuid1(), the UUID is made here instead: RFC 4122 version 1 from the
// 100-ns timestamp since 1582, a 14-bit clock sequence and the node id. libuuid gives the node
// (the MAC address, as Python's getnode()) and the first clock sequence once per process; the
// timestamp strictly increases within the process, and a forked child takes a new random clock
// sequence so that parent and child never produce the same UUID.
Uuid Uuid::generate_v1() {
  static std::mutex mutex;
  static pid_t owner = 0;
  static std::array<unsigned char, 6> node{};
  static std::uint16_t clock_seq = 0;
  static std::uint64_t last_timestamp = 0;
  const std::lock_guard lock(mutex);
  const pid_t pid = ::getpid();
  if (owner != pid) {
    uuid_t raw;
    const std::uint16_t previous_seq = clock_seq;
    if (owner == 0) {
      uuid_generate_time(raw);  // node and clock sequence as libuuid chooses them
      std::memcpy(node.data(), raw + 10, node.size());
    } else {
      uuid_generate_random(raw);  // a forked child: a fresh clock sequence, the same node
    }
    clock_seq = static_cast<std::uint16_t>(((raw[8] & 0x3F) << 8) | raw[9]);
    if (owner != 0 && clock_seq == previous_seq) clock_seq = static_cast<std::uint16_t>((clock_seq + 1) & 0x3FFF);
    owner = pid;
  }
  constexpr std::uint64_t gregorian_offset = 0x01B21DD213814000ULL;  // 1582-10-15 → 1970-01-01, in 100 ns
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  std::uint64_t timestamp =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count() / 100) +
      gregorian_offset;
  if (timestamp <= last_timestamp) timestamp = last_timestamp + 1;
  last_timestamp = timestamp;

  bytes_type bytes;
  const auto time_low = static_cast<std::uint32_t>(timestamp & 0xFFFFFFFFULL);
  const auto time_mid = static_cast<std::uint16_t>((timestamp >> 32) & 0xFFFF);
  const auto time_hi = static_cast<std::uint16_t>(((timestamp >> 48) & 0x0FFF) | 0x1000);  // version 1
  bytes[0] = static_cast<std::uint8_t>(time_low >> 24);
  bytes[1] = static_cast<std::uint8_t>(time_low >> 16);
  bytes[2] = static_cast<std::uint8_t>(time_low >> 8);
  bytes[3] = static_cast<std::uint8_t>(time_low);
  bytes[4] = static_cast<std::uint8_t>(time_mid >> 8);
  bytes[5] = static_cast<std::uint8_t>(time_mid);
  bytes[6] = static_cast<std::uint8_t>(time_hi >> 8);
  bytes[7] = static_cast<std::uint8_t>(time_hi);
  bytes[8] = static_cast<std::uint8_t>(((clock_seq >> 8) & 0x3F) | 0x80);  // RFC 4122 variant
  bytes[9] = static_cast<std::uint8_t>(clock_seq & 0xFF);
  std::memcpy(bytes.data() + 10, node.data(), node.size());
  return Uuid(bytes);
}

Uuid Uuid::generate_v4() {
  uuid_t raw;
  uuid_generate_random(raw);
  bytes_type bytes;
  std::memcpy(bytes.data(), raw, bytes.size());
  return Uuid(bytes);
}

char* Uuid::to_chars(char* out) const {
  if (!set_) throw std::logic_error("Uuid is unset (Python None)");
  for (std::size_t b = 0; b < 16; ++b) {
    if (b == 4 || b == 6 || b == 8 || b == 10) *out++ = '-';
    *out++ = kHexDigits[bytes_[b] >> 4];
    *out++ = kHexDigits[bytes_[b] & 0xF];
  }
  return out;
}

std::string Uuid::to_string() const {
  std::string out(string_size, '\0');
  to_chars(out.data());
  return out;
}

std::ostream& operator<<(std::ostream& os, const Uuid& value) {
  if (value.empty()) return os << "None";
  char buffer[Uuid::string_size];
  value.to_chars(buffer);
  return os.write(buffer, Uuid::string_size);
}

}  // namespace openedx_events

std::size_t std::hash<openedx_events::Uuid>::operator()(
    const openedx_events::Uuid& value) const noexcept {
  const auto& b = value.bytes();
  return std::hash<std::string_view>{}(
      std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}
