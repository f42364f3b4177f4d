// LibraryCollectionLocator: `lib-collection:ORG:SLUG:COLLECTION_ID`, a collection inside a Learning
// Core content library. Its collection id is stored in the buffer of its library key.
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
  // User-provided (not `= default`) so that value-initialising a key, as `LibraryCollectionLocator{}` and every
  // event data object `{}` do, does not zero-fill all of it before constructing it.
  LibraryCollectionLocator() noexcept {}  // NOLINT(modernize-use-equals-default)

  static LibraryCollectionLocator from_string(std::string_view serialized);
  static std::optional<LibraryCollectionLocator> try_parse(std::string_view serialized) noexcept;

  bool empty() const noexcept { return lib_key_.empty(); }
  const LibraryLocatorV2& lib_key() const noexcept { return lib_key_; }
  const LibraryLocatorV2& context_key() const noexcept { return lib_key_; }
  // Views into the key, as LibraryLocatorV2's accessors.
  std::string_view org() const noexcept { return lib_key_.org(); }
  std::string_view collection_id() const noexcept { return lib_key_.text_.view(LibraryLocatorV2::kOuter0); }

  std::string to_string() const;

  friend bool operator==(const LibraryCollectionLocator& a, const LibraryCollectionLocator& b) noexcept { return a.same_fields(b); }
  friend std::ostream& operator<<(std::ostream& os, const LibraryCollectionLocator& key);

 private:
  friend struct detail::KeyAccess;
  // Every field, the library's and this key's own (a member, as only members share our friendship
  // with LibraryLocatorV2).
  bool same_fields(const LibraryCollectionLocator& other) const noexcept { return lib_key_.text_ == other.lib_key_.text_; }
  LibraryLocatorV2 lib_key_;  // also holds the collection id (slot kOuter0)
};

}  // namespace openedx_events::keys

namespace openedx_events {
using keys::LibraryCollectionLocator;
}
