// Learning Core content libraries: the library key `lib:ORG:SLUG` (LibraryLocatorV2) and the key of a
// block inside one, `lb:ORG:SLUG:TYPE:ID` (LibraryUsageLocatorV2).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "openedx_events/keys/errors.hpp"

namespace openedx_events::keys {

namespace detail {
struct KeyAccess;
}

// `lib:ORG:SLUG`: ORG is ASCII [A-Za-z0-9_.-]+, SLUG is [\w.-]+ (Unicode letters allowed).
// Printed exactly as parsed: no case folding, `lib:org:slug` != `lib:ORG:slug`.
// Python quirk kept for parity: each field may end with one '\n' (its checks anchor with `$`), and
// that newline is part of the key and is printed back.
// A LearningContextKey in Python but not a CourseKey, so CourseKey::from_string rejects it.
class LibraryLocatorV2 {
 public:
  LibraryLocatorV2() = default;

  static LibraryLocatorV2 from_string(std::string_view serialized);
  static std::optional<LibraryLocatorV2> try_parse(std::string_view serialized) noexcept;

  bool empty() const noexcept { return org_.empty(); }
  const std::string& org() const noexcept { return org_; }
  const std::string& slug() const noexcept { return slug_; }

  std::string to_string() const;

  friend bool operator==(const LibraryLocatorV2&, const LibraryLocatorV2&) = default;
  friend std::ostream& operator<<(std::ostream& os, const LibraryLocatorV2& key);

 private:
  friend struct detail::KeyAccess;
  std::string org_;
  std::string slug_;
};

// `lb:ORG:SLUG:TYPE:USAGE_ID`: TYPE is ASCII [A-Za-z0-9_.-]+, USAGE_ID is [\w.-]+; same `$` quirk.
class LibraryUsageLocatorV2 {
 public:
  LibraryUsageLocatorV2() = default;

  static LibraryUsageLocatorV2 from_string(std::string_view serialized);
  static std::optional<LibraryUsageLocatorV2> try_parse(std::string_view serialized) noexcept;

  bool empty() const noexcept { return lib_key_.empty(); }
  const LibraryLocatorV2& lib_key() const noexcept { return lib_key_; }
  const LibraryLocatorV2& context_key() const noexcept { return lib_key_; }
  const std::string& block_type() const noexcept { return block_type_; }
  const std::string& usage_id() const noexcept { return usage_id_; }
  // Another name for usage_id(), as in Python.
  const std::string& block_id() const noexcept { return usage_id_; }

  std::string to_string() const;

  friend bool operator==(const LibraryUsageLocatorV2&, const LibraryUsageLocatorV2&) = default;
  friend std::ostream& operator<<(std::ostream& os, const LibraryUsageLocatorV2& key);

 private:
  friend struct detail::KeyAccess;
  LibraryLocatorV2 lib_key_;
  std::string block_type_;
  std::string usage_id_;
};

}  // namespace openedx_events::keys

namespace openedx_events {
using keys::LibraryLocatorV2;
using keys::LibraryUsageLocatorV2;
}
