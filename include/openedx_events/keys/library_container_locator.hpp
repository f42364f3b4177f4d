// LibraryContainerLocator: `lct:ORG:SLUG:CONTAINER_TYPE:CONTAINER_ID`, a container (unit, section,
// subsection...) inside a Learning Core content library.
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
  LibraryContainerLocator() = default;

  static LibraryContainerLocator from_string(std::string_view serialized);
  static std::optional<LibraryContainerLocator> try_parse(std::string_view serialized) noexcept;

  bool empty() const noexcept { return lib_key_.empty(); }
  const LibraryLocatorV2& lib_key() const noexcept { return lib_key_; }
  const LibraryLocatorV2& context_key() const noexcept { return lib_key_; }
  const std::string& org() const noexcept { return lib_key_.org(); }
  const std::string& container_type() const noexcept { return container_type_; }
  const std::string& container_id() const noexcept { return container_id_; }

  std::string to_string() const;

  friend bool operator==(const LibraryContainerLocator&, const LibraryContainerLocator&) = default;
  friend std::ostream& operator<<(std::ostream& os, const LibraryContainerLocator& key);

 private:
  friend struct detail::KeyAccess;
  LibraryLocatorV2 lib_key_;
  std::string container_type_;
  std::string container_id_;
};

}  // namespace openedx_events::keys

namespace openedx_events {
using keys::LibraryContainerLocator;
}
