// The Avro encoding of one value inside a record, found by its field names: how the Kafka backend
// makes a message key (the `event_key_field` value, e.g. "enrollment.user.pii.username") straight
// from the typed data, without building the event's JSON view first.
#pragma once

#include <span>
#include <string>
#include <type_traits>

#include "openedx_events/avro/codec_traits.hpp"

namespace openedx_events::avro {

// Appends the encoding of the value at `path` (record field names, outermost first) and returns
// true when every step is a field of a record (an optional record counts when it is set). Returns
// false, with `out` as it was, for anything else — a map, an unset optional, a name that is no
// field, a value its codec refuses — so that the caller can take the general path, which also
// knows the reference's error texts for those cases.
template <class T>
bool encode_field_at_path(const T& value, std::span<const std::string> path, std::string& out) {
  if (path.empty()) {
    const std::size_t size = out.size();
    try {
      BinaryWriter writer(out);
      codec_traits<T>::encode(writer, value);
      return true;
    } catch (const std::exception&) {
      out.resize(size);
      return false;
    }
  } else if constexpr (detail::is_optional<T>::value) {
    return value.has_value() && encode_field_at_path(*value, path, out);
  } else if constexpr (described_record<T>) {
    bool found = false;
    bool encoded = false;
    boost::mp11::mp_for_each<detail::record_members<T>>([&](auto d) {
      if (!found && detail::field_name(d.name) == path.front()) {
        found = true;
        encoded = encode_field_at_path(value.*d.pointer, path.subspan(1), out);
      }
    });
    return encoded;
  } else {
    return false;
  }
}

}  // namespace openedx_events::avro
