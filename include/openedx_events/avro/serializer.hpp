// The customization point that teaches the Avro codec a type of your own, in the spirit of
// fmt::formatter: specialize `openedx_events::avro_serializer<T>` in your code, nothing is
// registered at run time, and a missing or malformed specialization is a compile error.
//
//   template <> struct openedx_events::avro_serializer<MyKey> {
//     using wire_type = std::string;                       // any type the codec already knows
//     static wire_type serialize(const MyKey& k) { return k.str(); }
//     static MyKey deserialize(wire_type&& s) { return MyKey::parse(s); }  // throw to reject
//   };
//
// The Avro schema of T is the schema of its wire_type ("string" for every built-in custom type,
// as in openedx-events' custom_serializers.py). `deserialize` may throw any std::exception; the
// codec turns it into a DecodeError that names the event type and the field path.
// A string wire form may take `std::string_view` in `deserialize`: decoding then parses the value
// in place from the input, without an intermediate std::string.
// Optionally `static bool is_unset(const T&)` tells the codec that a value stands for Python's
// None (a default-constructed key): encoding it in a required field is then an error, as in the
// reference.
#pragma once

#include <concepts>
#include <utility>

namespace openedx_events {

template <class T>
struct avro_serializer;  // deliberately undefined: only specializations exist

template <class T>
concept custom_avro_type = requires(const T& value, typename avro_serializer<T>::wire_type wire) {
  { avro_serializer<T>::serialize(value) } -> std::convertible_to<typename avro_serializer<T>::wire_type>;
  { avro_serializer<T>::deserialize(std::move(wire)) } -> std::convertible_to<T>;
};

template <class T>
constexpr bool is_unset_value(const T& value) {
  if constexpr (requires { { avro_serializer<T>::is_unset(value) } -> std::convertible_to<bool>; }) {
    return avro_serializer<T>::is_unset(value);
  } else {
    return false;
  }
}

}  // namespace openedx_events
