// LibraryLocatorV2 (`lib:`) and LibraryUsageLocatorV2 (`lb:`): colon-separated keys with an exact
// number of fields. Field checks copy Python's `re.match('^C+$', value)`, trailing-newline quirk
// included, because a key Python accepted may arrive on the event bus.
#include "openedx_events/keys/library_locator_v2.hpp"

#include <array>
#include <new>
#include <ostream>
#include <stdexcept>

#include "key_access.hpp"
#include "unicode.hpp"

namespace openedx_events::keys {

namespace detail {

std::optional<LibraryLocatorV2> KeyAccess::library_v2_fields(std::string_view org, std::string_view slug) {
  if (!is_run_of_dollar_anchored(org, CharClass::ascii_id) || !is_run_of_dollar_anchored(slug, CharClass::slug)) {
    return std::nullopt;
  }
  LibraryLocatorV2 key;
  key.org_ = std::string(org);
  key.slug_ = std::string(slug);
  return key;
}

std::optional<LibraryUsageLocatorV2> KeyAccess::library_usage_v2_body(std::string_view body) {
  std::array<std::string_view, 4> parts;
  if (!split_exact(body, ':', parts)) return std::nullopt;
  auto lib = library_v2_fields(parts[0], parts[1]);
  if (!lib || !is_run_of_dollar_anchored(parts[2], CharClass::ascii_id) ||
      !is_run_of_dollar_anchored(parts[3], CharClass::slug)) {
    return std::nullopt;
  }
  LibraryUsageLocatorV2 key;
  key.lib_key_ = std::move(*lib);
  key.block_type_ = std::string(parts[2]);
  key.usage_id_ = std::string(parts[3]);
  return key;
}

}  // namespace detail

namespace {

// The body after `expected_namespace:`, or nullopt if the input is not UTF-8 or has another namespace.
std::optional<std::string_view> body_of(std::string_view serialized, std::string_view expected_namespace) {
  if (!detail::is_valid_utf8(serialized)) return std::nullopt;
  auto split = detail::split_namespace(serialized);
  if (!split || split->namespace_part != expected_namespace) return std::nullopt;
  return split->rest;
}

std::optional<LibraryLocatorV2> parse_library(std::string_view serialized) {
  auto body = body_of(serialized, "lib");
  if (!body) return std::nullopt;
  std::array<std::string_view, 2> parts;
  if (!detail::split_exact(*body, ':', parts)) return std::nullopt;
  return detail::KeyAccess::library_v2_fields(parts[0], parts[1]);
}

std::optional<LibraryUsageLocatorV2> parse_library_usage(std::string_view serialized) {
  auto body = body_of(serialized, "lb");
  if (!body) return std::nullopt;
  return detail::KeyAccess::library_usage_v2_body(*body);
}

}  // namespace

LibraryLocatorV2 LibraryLocatorV2::from_string(std::string_view serialized) {
  if (auto key = parse_library(serialized)) return std::move(*key);
  throw InvalidKeyError("LibraryLocatorV2", serialized);
}

std::optional<LibraryLocatorV2> LibraryLocatorV2::try_parse(std::string_view serialized) noexcept {
  try {
    return parse_library(serialized);
  } catch (const std::bad_alloc&) {
    return std::nullopt;
  }
}

std::string LibraryLocatorV2::to_string() const {
  if (empty()) throw std::logic_error("to_string() called on an unset LibraryLocatorV2");
  return "lib:" + org_ + ':' + slug_;
}

std::ostream& operator<<(std::ostream& os, const LibraryLocatorV2& key) {
  return key.empty() ? os << "None" : os << key.to_string();
}

LibraryUsageLocatorV2 LibraryUsageLocatorV2::from_string(std::string_view serialized) {
  if (auto key = parse_library_usage(serialized)) return std::move(*key);
  throw InvalidKeyError("LibraryUsageLocatorV2", serialized);
}

std::optional<LibraryUsageLocatorV2> LibraryUsageLocatorV2::try_parse(std::string_view serialized) noexcept {
  try {
    return parse_library_usage(serialized);
  } catch (const std::bad_alloc&) {
    return std::nullopt;
  }
}

std::string LibraryUsageLocatorV2::to_string() const {
  if (empty()) throw std::logic_error("to_string() called on an unset LibraryUsageLocatorV2");
  return "lb:" + lib_key_.org() + ':' + lib_key_.slug() + ':' + block_type_ + ':' + usage_id_;
}

std::ostream& operator<<(std::ostream& os, const LibraryUsageLocatorV2& key) {
  return key.empty() ? os << "None" : os << key.to_string();
}

}  // namespace openedx_events::keys
