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

std::optional<LibraryContainerLocator> KeyAccess::container(std::string_view org, std::string_view slug,
                                                            std::string_view container_type,
                                                            std::string_view container_id) {
  auto lib = library_v2_fields(org, slug);
  if (!lib || !is_run_of_dollar_anchored(container_type, CharClass::ascii_id) ||
      !is_run_of_dollar_anchored(container_id, CharClass::slug)) {
    return std::nullopt;
  }
  LibraryContainerLocator key;
  key.lib_key_ = std::move(*lib);
  key.container_type_ = std::string(container_type);
  key.container_id_ = std::string(container_id);
  return key;
}

}  // namespace detail

namespace {

std::optional<LibraryContainerLocator> parse(std::string_view serialized) {
  if (!detail::is_valid_utf8(serialized)) return std::nullopt;
  auto split = detail::split_namespace(serialized);
  if (!split || split->namespace_part != "lct") return std::nullopt;
  std::array<std::string_view, 4> parts;
  if (!detail::split_exact(split->rest, ':', parts)) return std::nullopt;
  return detail::KeyAccess::container(parts[0], parts[1], parts[2], parts[3]);
}

}  // namespace

LibraryContainerLocator LibraryContainerLocator::from_string(std::string_view serialized) {
  if (auto key = parse(serialized)) return std::move(*key);
  throw InvalidKeyError("LibraryContainerLocator", serialized);
}

std::optional<LibraryContainerLocator> LibraryContainerLocator::try_parse(std::string_view serialized) noexcept {
  try {
    return parse(serialized);
  } catch (const std::bad_alloc&) {
    return std::nullopt;
  }
}

std::string LibraryContainerLocator::to_string() const {
  if (empty()) throw std::logic_error("to_string() called on an unset LibraryContainerLocator");
  return "lct:" + lib_key_.org() + ':' + lib_key_.slug() + ':' + container_type_ + ':' + container_id_;
}

std::ostream& operator<<(std::ostream& os, const LibraryContainerLocator& key) {
  return key.empty() ? os << "None" : os << key.to_string();
}

}  // namespace openedx_events::keys
