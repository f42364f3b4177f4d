// Avro binary primitives (spec "Binary Encoding"), as fastavro writes them: zig-zag varint longs,
// one-byte booleans, little-endian IEEE-754 doubles, length-prefixed strings and bytes.
//
// BinaryReader is the only code that touches untrusted bytes. Its invariant: it never reads past
// `end_`, and every length it returns has already been checked against the bytes left, so callers
// may allocate what it returns without further checks. Violations throw DecodeError.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "openedx_events/avro/errors.hpp"
#include "openedx_events/avro/varint.hpp"
#include "openedx_events/utf8.hpp"

namespace openedx_events::avro {

class BinaryWriter {
 public:
  explicit BinaryWriter(std::string& out) noexcept : out_(out) {}

  void write_long(std::int64_t value) { varint::append(out_, varint::zigzag(value)); }
  void write_bool(bool value) { out_.push_back(value ? '\x01' : '\x00'); }
  void write_double(double value) {
    static_assert(std::endian::native == std::endian::little, "big-endian hosts need a byte swap here");
    char buf[8];
    std::memcpy(buf, &value, 8);
    out_.append(buf, 8);
  }
  void write_bytes(std::string_view value) {
    write_long(static_cast<std::int64_t>(value.size()));
    out_.append(value);
  }
  std::string& buffer() noexcept { return out_; }

 private:
  std::string& out_;
};

using openedx_events::is_valid_utf8;

class BinaryReader {
 public:
  explicit BinaryReader(std::string_view bytes) noexcept
      : pos_(reinterpret_cast<const unsigned char*>(bytes.data())), end_(pos_ + bytes.size()) {}

  std::size_t remaining() const noexcept { return static_cast<std::size_t>(end_ - pos_); }
  bool at_end() const noexcept { return pos_ == end_; }

  std::int64_t read_long() {
    // Most varints in events are one byte (small counts, lengths, branch indexes).
    if (pos_ != end_ && *pos_ < 0x80) return varint::unzigzag(*pos_++);
    return read_long_slow();
  }

 private:
  [[gnu::noinline]] std::int64_t read_long_slow() {
    const varint::Decoded decoded = varint::read(pos_, end_);
    if (decoded.status == varint::Status::truncated) fail("unexpected end of data in a varint");
    if (decoded.status == varint::Status::overflow) fail("varint overflows 64 bits");
    return varint::unzigzag(decoded.value);
  }

 public:
  bool read_bool() {
    if (pos_ == end_) [[unlikely]] fail("unexpected end of data in a boolean");
    const unsigned char byte = *pos_++;
    if (byte > 1) [[unlikely]] fail("invalid boolean byte (neither 0 nor 1)");
    return byte == 1;
  }

  double read_double() {
    if (remaining() < 8) [[unlikely]] fail("unexpected end of data in a double");
    double value;
    std::memcpy(&value, pos_, 8);
    pos_ += 8;
    return value;
  }

  // A length-prefixed run of raw bytes, viewed in place.
  std::string_view read_bytes() {
    const std::int64_t length = read_long();
    if (length < 0 || static_cast<std::uint64_t>(length) > remaining()) [[unlikely]] {
      fail_length(length, remaining());
    }
    std::string_view view(reinterpret_cast<const char*>(pos_), static_cast<std::size_t>(length));
    pos_ += length;
    return view;
  }

  std::string_view read_string() {
    const std::string_view view = read_bytes();
    if (!is_valid_utf8(view)) [[unlikely]] fail("string is not valid UTF-8");
    return view;
  }

  // Start of an array or map block: the item count. A negative count is followed by the block's
  // byte size (allowed by the spec, never written by fastavro). Each item takes at least
  // `min_item_size` bytes, which bounds the count by the input left before anyone reserves memory.
  std::size_t read_block_count(std::size_t min_item_size) {
    std::int64_t count = read_long();
    if (count < 0) [[unlikely]] {
      if (count == INT64_MIN) fail("invalid block count");
      count = -count;
      const std::int64_t size = read_long();
      if (size < 0 || static_cast<std::uint64_t>(size) > remaining()) fail("invalid block size");
    }
    const std::size_t limit = min_item_size > 0 ? remaining() / min_item_size : std::size_t{1} << 24;
    if (static_cast<std::uint64_t>(count) > limit) [[unlikely]] fail_block(count, remaining());
    return static_cast<std::size_t>(count);
  }

 private:
  // Error paths live out of line so that the hot readers above stay small enough to inline.
  [[noreturn, gnu::cold, gnu::noinline]] static void fail(const char* reason) { throw DecodeError(reason); }
  [[noreturn, gnu::cold, gnu::noinline]] static void fail_length(std::int64_t length, std::size_t left) {
    if (length < 0) throw DecodeError("negative length " + std::to_string(length));
    throw DecodeError("length " + std::to_string(length) + " exceeds the " + std::to_string(left) + " bytes left");
  }
  [[noreturn, gnu::cold, gnu::noinline]] static void fail_block(std::int64_t count, std::size_t left) {
    throw DecodeError("block of " + std::to_string(count) + " items exceeds the " + std::to_string(left) +
                      " bytes left");
  }

 private:
  const unsigned char* pos_;
  const unsigned char* end_;
};

}  // namespace openedx_events::avro
