// The Avro varint (spec "Binary Encoding": zig-zag, then 7 bits per byte, low group first), shared
// by the typed codec (binary.hpp) and the generic one (src/avro/generic/binary.cpp), so that both
// accept and reject exactly the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace openedx_events::avro::varint {

constexpr std::uint64_t zigzag(std::int64_t value) noexcept {
  return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}
constexpr std::int64_t unzigzag(std::uint64_t value) noexcept {
  return static_cast<std::int64_t>((value >> 1) ^ (~(value & 1) + 1));
}

// The shortest encoding of `value` appended to `out` (what fastavro writes).
inline void append(std::string& out, std::uint64_t value) {
  char buf[10];
  std::size_t n = 0;
  while (value >= 0x80) {
    buf[n++] = static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  buf[n++] = static_cast<char>(value);
  out.append(buf, n);
}

enum class Status : std::uint8_t {
  ok,
  truncated,  // the input ends inside the varint
  overflow,   // the tenth byte carries more than bit 63
};

struct Decoded {
  std::uint64_t value = 0;
  Status status = Status::ok;
  bool canonical = true;  // false when padded with redundant zero groups (0x80 0x00 for 0)
};

// Reads one varint from [pos, end), advancing pos past what it read. Never reads at or past end.
inline Decoded read(const unsigned char*& pos, const unsigned char* end) noexcept {
  Decoded result;
  for (unsigned i = 0;; ++i) {
    if (pos == end) {
      result.status = Status::truncated;
      return result;
    }
    const std::uint64_t byte = *pos++;
    // The tenth byte may only supply bit 63; anything more does not fit in 64 bits.
    if (i == 9 && byte > 1) {
      result.status = Status::overflow;
      return result;
    }
    result.value |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      if (byte == 0 && i > 0) result.canonical = false;
      return result;
    }
  }
}

}  // namespace openedx_events::avro::varint
