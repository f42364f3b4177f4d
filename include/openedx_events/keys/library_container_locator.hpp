// LibraryContainerLocator: `lct:ORG:SLUG:CONTAINER_TYPE:CONTAINER_ID`, a container (unit, section,
// subsection...) inside a Learning Core content library. Its own fields are stored in the buffer of
// its library key.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "openedx_events/keys/library_locator_v2.hpp"

namespace openedx_events::keys {

// CONTAINER_TYPE is ASCII [A-Za-z0-9_.-]+ (any such value, no list of known types); CONTAINER_ID is
// [\w.-]+. ORG and SLUG follow LibraryLocatorV2, including the one-trailing-'\n'-per-field quirk.
class LibraryContainerLocator {
 public:
  // User-provided (not `= default`) so that value-initialising a key, as `LibraryContainerLocator{}` and every
  // event data object `{}` do, does not zero-fill all of it before constructing it.
  LibraryContainerLocator() noexcept {}  // NOLINT(modernize-use-equals-default)

  static LibraryContainerLocator from_string(std::string_view serialized);
  static std::optional<LibraryContainerLocator> try_parse(std::string_view serialized) noexcept;

  bool empty() const noexcept { return lib_key_.empty(); }
  const LibraryLocatorV2& lib_key() const noexcept { return lib_key_; }
  const LibraryLocatorV2& context_key() const noexcept { return lib_key_; }
  // Views into the key, as LibraryLocatorV2's accessors.
  std::string_view org() const noexcept { return lib_key_.org(); }
  std::string_view container_type() const noexcept { return lib_key_.text_.view(LibraryLocatorV2::kOuter0); }
  std::string_view container_id() const noexcept { return lib_key_.text_.view(LibraryLocatorV2::kOuter1); }

  std::string to_string() const;

  friend bool operator==(const LibraryContainerLocator& a, const LibraryContainerLocator& b) noexcept { return a.same_fields(b); }
  friend std::ostream& operator<<(std::ostream& os, const LibraryContainerLocator& key);

 private:
  friend struct detail::KeyAccess;
  // Every field, the library's and this key's own (a member, as only members share our friendship
  // with LibraryLocatorV2).
  bool same_fields(const LibraryContainerLocator& other) const noexcept { return lib_key_.text_ == other.lib_key_.text_; }
  LibraryLocatorV2 lib_key_;  // also holds the container type and id (slots kOuter0, kOuter1)
};

}  // namespace openedx_events::keys

namespace openedx_events {
using keys::LibraryContainerLocator;
}
