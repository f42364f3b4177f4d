// Uuid: the value openedx-events carries in `UUID` fields and in EventsMetadata.id.
//
// The reference writes these as str(uuid) (36 lowercase characters, hyphenated) and reads them
// with uuid.UUID(text), whose leniency parse() reproduces exactly (see there). Metadata ids are
// time-based, uuid.uuid1(); generate_v1() makes them the same way through libuuid.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace openedx_events {

class Uuid {
 public:
  using bytes_type = std::array<std::uint8_t, 16>;

  // Python's uuid.RESERVED_NCS, RFC_4122, RESERVED_MICROSOFT, RESERVED_FUTURE.
  enum class Variant { reserved_ncs, rfc_4122, reserved_microsoft, reserved_future };

  static constexpr std::size_t string_size = 36;

  // Unset: stands for Python's None. Distinct from the nil UUID 00000000-0000-..., which is a
  // real value in Python (UUID(int=0)) and so is one here.
  constexpr Uuid() noexcept = default;
  // UUID(bytes=...): big-endian, as str() shows them.
  constexpr explicit Uuid(const bytes_type& bytes) noexcept : bytes_(bytes), set_(true) {}

  static constexpr Uuid nil() noexcept { return Uuid(bytes_type{}); }

  // uuid.UUID(text) of Python 3.11: removes every "urn:" then every "uuid:", strips '{' and '}'
  // from both ends, removes every '-', and needs exactly 32 characters that int(_, 16) accepts
  // (so also surrounding whitespace, a '+' sign, a "0x" prefix, single '_' between digits and
  // non-ASCII decimal digits). Input is UTF-8. Throws std::invalid_argument naming the input.
  static Uuid parse(std::string_view text);
  static std::optional<Uuid> try_parse(std::string_view text) noexcept;

  // uuid.uuid1(): time-based, from libuuid's uuid_generate_time.
  static Uuid generate_v1();
  // uuid.uuid4(): random.
  static Uuid generate_v4();

  // str(uuid): "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lowercase. Throws std::logic_error when
  // unset.
  [[nodiscard]] std::string to_string() const;
  // Same text without allocating: writes exactly string_size chars, returns the end.
  char* to_chars(char* out) const;

  [[nodiscard]] constexpr bool empty() const noexcept { return !set_; }
  [[nodiscard]] constexpr const bytes_type& bytes() const noexcept { return bytes_; }
  [[nodiscard]] constexpr Variant variant() const noexcept {
    const std::uint8_t b = bytes_[8];
    if (!(b & 0x80)) return Variant::reserved_ncs;
    if (!(b & 0x40)) return Variant::rfc_4122;
    if (!(b & 0x20)) return Variant::reserved_microsoft;
    return Variant::reserved_future;
  }
  // UUID.version: the version nibble, but only for RFC 4122 variants (None otherwise).
  [[nodiscard]] constexpr std::optional<int> version() const noexcept {
    if (!set_ || variant() != Variant::rfc_4122) return std::nullopt;
    return bytes_[6] >> 4;
  }

  // Python compares UUIDs by their integer value, i.e. by big-endian bytes; unset sorts first.
  friend constexpr bool operator==(const Uuid& a, const Uuid& b) noexcept {
    return a.set_ == b.set_ && a.bytes_ == b.bytes_;
  }
  friend constexpr std::strong_ordering operator<=>(const Uuid& a, const Uuid& b) noexcept {
    if (a.set_ != b.set_) return a.set_ <=> b.set_;
    return a.bytes_ <=> b.bytes_;
  }

 private:
  bytes_type bytes_{};
  bool set_ = false;
};

// Writes to_string(), or "None" when unset.
std::ostream& operator<<(std::ostream& os, const Uuid& value);

}  // namespace openedx_events

template <>
struct std::hash<openedx_events::Uuid> {
  std::size_t operator()(const openedx_events::Uuid& value) const noexcept;
};
