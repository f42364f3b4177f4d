// LibraryCollectionLocator: `lib-collection:ORG:SLUG:COLLECTION_ID`, a collection inside a Learning
// Core content library.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "openedx_events/keys/library_locator_v2.hpp"

namespace openedx_events::keys {

// COLLECTION_ID is [\w.-]+ (Unicode allowed); ORG and SLUG follow LibraryLocatorV2, including the
// one-trailing-'\n'-per-field quirk. Printed exactly as parsed.
class LibraryCollectionLocator {
 public:
  LibraryCollectionLocator() = default;

  static LibraryCollectionLocator from_string(std::string_view serialized);
  static std::optional<LibraryCollectionLocator> try_parse(std::string_view serialized) noexcept;

  bool empty() const noexcept { return lib_key_.empty(); }
  const LibraryLocatorV2& lib_key() const noexcept { return lib_key_; }
  const LibraryLocatorV2& context_key() const noexcept { return lib_key_; }
  const std::string& org() const noexcept { return lib_key_.org(); }
  const std::string& collection_id() const noexcept { return collection_id_; }

  std::string to_string() const;

  friend bool operator==(const LibraryCollectionLocator&, const LibraryCollectionLocator&) = default;
  friend std::ostream& operator<<(std::ostream& os, const LibraryCollectionLocator& key);

 private:
  friend struct detail::KeyAccess;
  LibraryLocatorV2 lib_key_;
  std::string collection_id_;
};

}  // namespace openedx_events::keys

namespace openedx_events {
using keys::LibraryCollectionLocator;
}
