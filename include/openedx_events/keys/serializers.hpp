// Teaches the Avro codec the opaque keys: each one travels as its str() and is read back with the
// from_string of its own class, as openedx-events' custom_serializers.py does. An unset key stands
// for Python's None.
#pragma once

#include <string>

#include "openedx_events/avro/serializer.hpp"
#include "openedx_events/keys/ccx_locator.hpp"
#include "openedx_events/keys/course_key.hpp"
#include "openedx_events/keys/library_collection_locator.hpp"
#include "openedx_events/keys/library_container_locator.hpp"
#include "openedx_events/keys/library_locator_v2.hpp"
#include "openedx_events/keys/usage_key.hpp"

namespace openedx_events::keys::detail {

template <class Key>
struct string_key_serializer {
  using wire_type = std::string;
  static std::string serialize(const Key& key) { return key.to_string(); }
  static Key deserialize(std::string_view text) { return Key::from_string(text); }
  static bool is_unset(const Key& key) { return key.empty(); }
};

}  // namespace openedx_events::keys::detail

template <>
struct openedx_events::avro_serializer<openedx_events::keys::CourseKey>
    : openedx_events::keys::detail::string_key_serializer<openedx_events::keys::CourseKey> {};

template <>
struct openedx_events::avro_serializer<openedx_events::keys::CCXLocator>
    : openedx_events::keys::detail::string_key_serializer<openedx_events::keys::CCXLocator> {};

template <>
struct openedx_events::avro_serializer<openedx_events::keys::UsageKey>
    : openedx_events::keys::detail::string_key_serializer<openedx_events::keys::UsageKey> {};

template <>
struct openedx_events::avro_serializer<openedx_events::keys::LibraryLocatorV2>
    : openedx_events::keys::detail::string_key_serializer<openedx_events::keys::LibraryLocatorV2> {};

template <>
struct openedx_events::avro_serializer<openedx_events::keys::LibraryUsageLocatorV2>
    : openedx_events::keys::detail::string_key_serializer<openedx_events::keys::LibraryUsageLocatorV2> {};

template <>
struct openedx_events::avro_serializer<openedx_events::keys::LibraryCollectionLocator>
    : openedx_events::keys::detail::string_key_serializer<openedx_events::keys::LibraryCollectionLocator> {};

template <>
struct openedx_events::avro_serializer<openedx_events::keys::LibraryContainerLocator>
    : openedx_events::keys::detail::string_key_serializer<openedx_events::keys::LibraryContainerLocator> {};
