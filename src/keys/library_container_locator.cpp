// LibraryContainerLocator: `lct:ORG:SLUG:CONTAINER_TYPE:CONTAINER_ID`, exactly four fields, with
// Python's `$`-anchored field checks (one trailing '\n' per field is accepted and kept).
#include "openedx_events/keys/library_container_locator.hpp"

#include <array>
#include <new>
#include <ostream>
#include <stdexcept>

#include "key_access.hpp"
#include "unicode.hpp"

namespace openedx_events::keys {

namespace detail {

bool KeyAccess::container(std::string_view serialized, LibraryContainerLocator& key) {
  constexpr std::string_view kNamespace = "lct:";
  if (!is_valid_utf8(serialized) || !in_namespace(serialized, kNamespace)) return false;
  // org, slug, container type, container id: the order of the key's slots.
  std::array<Field, 4> fields;
  if (!split_fields(serialized.substr(kNamespace.size()), ':', fields) || !valid_library_v2(fields[0], fields[1]) ||
      !fields[2].is_run_of_dollar_anchored(CharClass::ascii_id) ||
      !fields[3].is_run_of_dollar_anchored(CharClass::slug)) {
    return false;
  }
  set_library_v2(key.lib_key_, fields);
  return true;
}

}  // namespace detail

// Filled in place and returned by name, so the key is never moved.
LibraryContainerLocator LibraryContainerLocator::from_string(std::string_view serialized) {
  LibraryContainerLocator key;
  if (detail::KeyAccess::container(serialized, key)) return key;
  throw InvalidKeyError("LibraryContainerLocator", serialized);
}

std::optional<LibraryContainerLocator> LibraryContainerLocator::try_parse(std::string_view serialized) noexcept {
  try {
    std::optional<LibraryContainerLocator> key(std::in_place);
    if (!detail::KeyAccess::container(serialized, *key)) key.reset();
    return key;
  } catch (const std::bad_alloc&) {
    return std::nullopt;
  }
}

std::string LibraryContainerLocator::to_string() const {
  if (empty()) throw std::logic_error("to_string() called on an unset LibraryContainerLocator");
  return detail::concat({"lct:", lib_key_.org(), ":", lib_key_.slug(), ":", container_type(), ":", container_id()});
}

std::ostream& operator<<(std::ostream& os, const LibraryContainerLocator& key) {
  return key.empty() ? os << "None" : os << key.to_string();
}

}  // namespace openedx_events::keys
