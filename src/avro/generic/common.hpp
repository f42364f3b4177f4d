// Internal helpers shared by the generic Avro sources: the value path used in error messages, and
// UTF-8 / ISO-8859-1 text checks. Not installed; nothing here is public API.
//
// The path is kept as a stack of cheap segments (views of names and keys owned by the caller) and
// only rendered when an error is reported, so that the happy path does not build strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openedx_events/avro/generic/schema.hpp"

namespace openedx_events::avro::generic::detail {

// Bounds recursion over values that come from outside (JSON documents, schema graphs walked by
// sample_datum and check_compatible) so that hostile input cannot exhaust the stack.
inline constexpr std::size_t max_value_depth = 512;

class Path {
 public:
  void push_field(std::string_view name) { segments_.push_back({Kind::field, name, 0}); }
  void push_index(std::size_t index) { segments_.push_back({Kind::index, {}, index}); }
  void push_key(std::string_view key) { segments_.push_back({Kind::key, key, 0}); }
  // For static paths (no data): "items[]" and "values{}".
  void push_any_item() { segments_.push_back({Kind::any_item, {}, 0}); }
  void push_any_value() { segments_.push_back({Kind::any_value, {}, 0}); }
  void pop() noexcept { segments_.pop_back(); }
  std::size_t depth() const noexcept { return segments_.size(); }

  // "enrollment.user.pii.email", "items[3]", "map[\"key\"]"; "" at the top level.
  std::string str() const;

 private:
  enum class Kind : std::uint8_t { field, index, key, any_item, any_value };
  struct Segment {
    Kind kind;
    std::string_view text;
    std::size_t index;
  };
  std::vector<Segment> segments_;
};

// Pops the segment pushed just before it, on every exit, so a caught error leaves the path intact.
class PathScope {
 public:
  explicit PathScope(Path& path) noexcept : path_(path) {}
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;
  ~PathScope() { path_.pop(); }

 private:
  Path& path_;
};

// Strict UTF-8 as Python decodes it: no overlong forms, no surrogates, nothing above U+10FFFF.
// Returns the offset of the first invalid byte, or nullopt when the text is valid.
std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept;

// Raw bytes as a string of code points U+0000..U+00FF, UTF-8 encoded.
std::string latin1_to_utf8(std::string_view bytes);
// The inverse; nullopt if the text is not valid UTF-8 or has a code point above U+00FF.
std::optional<std::string> utf8_to_latin1(std::string_view text);

// "long", "record \"ns.Name\"", "union [null, string]".
std::string describe(const Node& node);

// "an int", "a long", "an enum \"E\"": the text with its indefinite article.
std::string with_article(std::string_view text);

// "3 bytes" / "1 byte".
std::string byte_count(std::size_t n);

}  // namespace openedx_events::avro::generic::detail
