// Internal: the bounds-checked reader of Avro binary input shared by the plain decoder (binary.cpp)
// and the resolving decoder (resolution.cpp). Not installed.
//
// Every read checks the bytes left first; every failure is a DecodeError carrying the current path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "common.hpp"
#include "openedx_events/avro/generic/binary.hpp"

namespace openedx_events::avro::generic::detail {

class Input {
 public:
  Input(std::string_view bytes, const DecodeOptions& options) noexcept
      : bytes_(bytes), options_(options), zero_width_left_(options.max_zero_width_items) {}

  Path& path() noexcept { return path_; }
  std::size_t consumed() const noexcept { return pos_; }
  std::size_t remaining() const noexcept { return bytes_.size() - pos_; }
  bool canonical() const noexcept { return canonical_; }

  [[noreturn]] void fail(std::string problem) const;

  std::int64_t read_long(const char* what);
  std::int32_t read_int(const char* what);
  bool read_boolean();
  float read_float();
  double read_double();
  // A length-prefixed byte sequence; the view points into the input.
  std::string_view read_sized(const char* what);
  // A length-prefixed UTF-8 string; `what` names it in messages ("string", "map key").
  std::string_view read_utf8(const char* length_what, const char* what);
  std::string_view read_fixed(std::size_t size);
  std::size_t read_union_branch(const Node& node);
  std::size_t read_enum_symbol(const Node& node);

  // Reads the blocks of an array or map: reserve(count) once for the first block, then item(index)
  // for every item, index counting across blocks. Counts are checked against what the bytes left
  // can hold (min_item_size each) before reserve sees them.
  template <class Reserve, class Item>
  void read_blocks(const char* what, std::size_t min_item_size, Reserve&& reserve, Item&& item) {
    std::size_t index = 0;
    for (bool first = true;; first = false) {
      std::int64_t count = read_long(what);
      if (count == 0) return;
      if (!first) canonical_ = false;
      std::size_t declared_size = 0;
      bool sized = false;
      if (count < 0) {
        // A negative count is followed by the block's size in bytes, so readers can skip it.
        canonical_ = false;
        if (count == std::numeric_limits<std::int64_t>::min()) fail(std::string(what) + " " + std::to_string(count) + " is out of range");
        count = -count;
        const std::int64_t size = read_long("block size");
        if (size < 0) fail("negative block size " + std::to_string(size));
        if (static_cast<std::uint64_t>(size) > remaining()) {
          fail("block size " + std::to_string(size) + " exceeds the " + byte_count(remaining()) + " left");
        }
        declared_size = static_cast<std::size_t>(size);
        sized = true;
      }
      const auto n = static_cast<std::uint64_t>(count);
      check_count(what, n, min_item_size);
      if (first) reserve(static_cast<std::size_t>(n));
      const std::size_t start = pos_;
      for (std::uint64_t i = 0; i < n; ++i) item(index++);
      if (sized && pos_ - start != declared_size) {
        fail("block declared " + byte_count(declared_size) + " but its items took " + std::to_string(pos_ - start));
      }
    }
  }

  // Bounds nesting; one per record, array, map and union being read.
  class Nested {
   public:
    explicit Nested(Input& input) : input_(input) {
      if (++input_.depth_ > input_.options_.max_depth) {
        --input_.depth_;
        input_.fail("nested more than " + std::to_string(input_.options_.max_depth) + " levels deep");
      }
    }
    Nested(const Nested&) = delete;
    Nested& operator=(const Nested&) = delete;
    ~Nested() { --input_.depth_; }

   private:
    Input& input_;
  };

 private:
  std::uint64_t read_varint(const char* what);
  void need(std::size_t n, const char* what) const;
  void check_count(const char* what, std::uint64_t count, std::size_t min_item_size);

  std::string_view bytes_;
  const DecodeOptions& options_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
  std::size_t zero_width_left_;
  bool canonical_ = true;
  Path path_;
};

// Reads and discards one value of the node's type, with the same checks as decoding it.
void skip_value(Input& input, const Node& node);
// Reads one value of the node's type.
Datum read_value(Input& input, const Node& node);

}  // namespace openedx_events::avro::generic::detail
