// Teaches the Avro codec DateTime and Uuid, as openedx-events' DatetimeAvroSerializer and
// UuidAvroSerializer do: both travel as Avro strings, written with datetime.isoformat() /
// str(uuid) and read with datetime.fromisoformat() / uuid.UUID().
#pragma once

#include <string>

#include "openedx_events/avro/serializer.hpp"
#include "openedx_events/types/datetime.hpp"
#include "openedx_events/types/uuid.hpp"

template <>
struct openedx_events::avro_serializer<openedx_events::DateTime> {
  using wire_type = std::string;
  static std::string serialize(const DateTime& v) { return v.isoformat(); }
  static DateTime deserialize(std::string_view s) { return DateTime::from_isoformat(s); }
  static bool is_unset(const DateTime& v) noexcept { return v.empty(); }
};

template <>
struct openedx_events::avro_serializer<openedx_events::Uuid> {
  using wire_type = std::string;
  static std::string serialize(const Uuid& v) { return v.to_string(); }
  static Uuid deserialize(std::string_view s) { return Uuid::parse(s); }
  static bool is_unset(const Uuid& v) noexcept { return v.empty(); }
};
