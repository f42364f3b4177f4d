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

std::optional<LibraryCollectionLocator> KeyAccess::collection(std::string_view org, std::string_view slug,
                                                              std::string_view collection_id) {
  auto lib = library_v2_fields(org, slug);
  if (!lib || !is_run_of_dollar_anchored(collection_id, CharClass::slug)) return std::nullopt;
  LibraryCollectionLocator key;
  key.lib_key_ = std::move(*lib);
  key.collection_id_ = std::string(collection_id);
  return key;
}

}  // namespace detail

namespace {

std::optional<LibraryCollectionLocator> parse(std::string_view serialized) {
  if (!detail::is_valid_utf8(serialized)) return std::nullopt;
  auto split = detail::split_namespace(serialized);
  if (!split || split->namespace_part != "lib-collection") return std::nullopt;
  std::array<std::string_view, 3> parts;
  if (!detail::split_exact(split->rest, ':', parts)) return std::nullopt;
  return detail::KeyAccess::collection(parts[0], parts[1], parts[2]);
}

}  // namespace

LibraryCollectionLocator LibraryCollectionLocator::from_string(std::string_view serialized) {
  if (auto key = parse(serialized)) return std::move(*key);
  throw InvalidKeyError("LibraryCollectionLocator", serialized);
}

std::optional<LibraryCollectionLocator> LibraryCollectionLocator::try_parse(std::string_view serialized) noexcept {
  try {
    return parse(serialized);
  } catch (const std::bad_alloc&) {
    return std::nullopt;
  }
}

std::string LibraryCollectionLocator::to_string() const {
  if (empty()) throw std::logic_error("to_string() called on an unset LibraryCollectionLocator");
  return "lib-collection:" + lib_key_.org() + ':' + lib_key_.slug() + ':' + collection_id_;
}

std::ostream& operator<<(std::ostream& os, const LibraryCollectionLocator& key) {
  return key.empty() ? os << "None" : os << key.to_string();
}

}  // namespace openedx_events::keys
