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

bool KeyAccess::library_usage_v2_body(std::string_view body, LibraryLocatorV2& key) {
  // ORG:SLUG:TYPE:USAGE_ID, which is also the order of the key's slots.
  std::array<Field, LibraryLocatorV2::kSlotCount> fields;
  if (!split_fields(body, ':', fields) || !valid_library_v2(fields[0], fields[1]) ||
      !fields[2].is_run_of_dollar_anchored(CharClass::ascii_id) ||
      !fields[3].is_run_of_dollar_anchored(CharClass::slug)) {
    return false;
  }
  set_library_v2(key, fields);
  return true;
}

}  // namespace detail

namespace {

// The body after `ns_colon` ("lib:"), or nullopt if the input is not UTF-8 or has another namespace.
std::optional<std::string_view> body_of(std::string_view serialized, std::string_view ns_colon) {
  if (!detail::is_valid_utf8(serialized) || !detail::in_namespace(serialized, ns_colon)) return std::nullopt;
  return serialized.substr(ns_colon.size());
}

bool parse_library(std::string_view serialized, LibraryLocatorV2& key) {
  auto body = body_of(serialized, "lib:");
  std::array<detail::Field, 2> fields;  // org, slug
  if (!body || !detail::split_fields(*body, ':', fields) || !detail::KeyAccess::valid_library_v2(fields[0], fields[1])) {
    return false;
  }
  detail::KeyAccess::set_library_v2(key, fields);
  return true;
}

bool parse_library_usage(std::string_view serialized, LibraryLocatorV2& lib_key) {
  auto body = body_of(serialized, "lb:");
  return body && detail::KeyAccess::library_usage_v2_body(*body, lib_key);
}

}  // namespace

// Each key is filled in place and returned by name, so it is never moved.

LibraryLocatorV2 LibraryLocatorV2::from_string(std::string_view serialized) {
  LibraryLocatorV2 key;
  if (parse_library(serialized, key)) return key;
  throw InvalidKeyError("LibraryLocatorV2", serialized);
}

std::optional<LibraryLocatorV2> LibraryLocatorV2::try_parse(std::string_view serialized) noexcept {
  try {
    std::optional<LibraryLocatorV2> key(std::in_place);
    if (!parse_library(serialized, *key)) key.reset();
    return key;
  } catch (const std::bad_alloc&) {
    return std::nullopt;
  }
}

std::string LibraryLocatorV2::to_string() const {
  if (empty()) throw std::logic_error("to_string() called on an unset LibraryLocatorV2");
  return detail::concat({"lib:", org(), ":", slug()});
}

std::ostream& operator<<(std::ostream& os, const LibraryLocatorV2& key) {
  return key.empty() ? os << "None" : os << key.to_string();
}

LibraryUsageLocatorV2 LibraryUsageLocatorV2::from_string(std::string_view serialized) {
  LibraryUsageLocatorV2 key;
  if (parse_library_usage(serialized, key.lib_key_)) return key;
  throw InvalidKeyError("LibraryUsageLocatorV2", serialized);
}

std::optional<LibraryUsageLocatorV2> LibraryUsageLocatorV2::try_parse(std::string_view serialized) noexcept {
  try {
    std::optional<LibraryUsageLocatorV2> key(std::in_place);
    if (!parse_library_usage(serialized, key->lib_key_)) key.reset();
    return key;
  } catch (const std::bad_alloc&) {
    return std::nullopt;
  }
}

std::string LibraryUsageLocatorV2::to_string() const {
  if (empty()) throw std::logic_error("to_string() called on an unset LibraryUsageLocatorV2");
  return detail::concat({"lb:", lib_key_.org(), ":", lib_key_.slug(), ":", block_type(), ":", usage_id()});
}

std::ostream& operator<<(std::ostream& os, const LibraryUsageLocatorV2& key) {
  return key.empty() ? os << "None" : os << key.to_string();
}

}  // namespace openedx_events::keys
