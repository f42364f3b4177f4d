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
  if (!is_valid_utf8(serialized)) return false;
  auto split = split_namespace(serialized);
  if (!split || split->namespace_part != "lct") return false;
  // org, slug, container type, container id: the order of the key's slots.
  std::array<std::string_view, 4> parts;
  if (!split_exact(split->rest, ':', parts) || !valid_library_v2(parts[0], parts[1]) ||
      !is_run_of_dollar_anchored(parts[2], CharClass::ascii_id) || !is_run_of_dollar_anchored(parts[3], CharClass::slug)) {
    return false;
  }
  set_library_v2(key.lib_key_, parts);
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
