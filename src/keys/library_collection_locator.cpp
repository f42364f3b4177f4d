// LibraryCollectionLocator: `lib-collection:ORG:SLUG:COLLECTION_ID`, exactly three fields, with
// Python's `$`-anchored field checks (one trailing '\n' per field is accepted and kept).
#include "openedx_events/keys/library_collection_locator.hpp"

#include <array>
#include <new>
#include <ostream>
#include <stdexcept>

#include "key_access.hpp"
#include "unicode.hpp"

namespace openedx_events::keys {

namespace detail {

bool KeyAccess::collection(std::string_view serialized, LibraryCollectionLocator& key) {
  constexpr std::string_view kNamespace = "lib-collection:";
  if (!is_valid_utf8(serialized) || !in_namespace(serialized, kNamespace)) return false;
  // org, slug, collection id: the order of the key's slots.
  std::array<Field, 3> fields;
  if (!split_fields(serialized.substr(kNamespace.size()), ':', fields) || !valid_library_v2(fields[0], fields[1]) ||
      !fields[2].is_run_of_dollar_anchored(CharClass::slug)) {
    return false;
  }
  set_library_v2(key.lib_key_, fields);
  return true;
}

}  // namespace detail

// Filled in place and returned by name, so the key is never moved.
LibraryCollectionLocator LibraryCollectionLocator::from_string(std::string_view serialized) {
  LibraryCollectionLocator key;
  if (detail::KeyAccess::collection(serialized, key)) return key;
  throw InvalidKeyError("LibraryCollectionLocator", serialized);
}

std::optional<LibraryCollectionLocator> LibraryCollectionLocator::try_parse(std::string_view serialized) noexcept {
  try {
    std::optional<LibraryCollectionLocator> key(std::in_place);
    if (!detail::KeyAccess::collection(serialized, *key)) key.reset();
    return key;
  } catch (const std::bad_alloc&) {
    return std::nullopt;
  }
}

std::string LibraryCollectionLocator::to_string() const {
  if (empty()) throw std::logic_error("to_string() called on an unset LibraryCollectionLocator");
  return detail::concat({"lib-collection:", lib_key_.org(), ":", lib_key_.slug(), ":", collection_id()});
}

std::ostream& operator<<(std::ostream& os, const LibraryCollectionLocator& key) {
  return key.empty() ? os << "None" : os << key.to_string();
}

}  // namespace openedx_events::keys
