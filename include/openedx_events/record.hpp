// Declares a payload struct's fields once; the Avro schema, the binary codec and the JSON view
// all derive from that one list (the role attrs classes play in openedx-events).
//
//   struct UserNonPersonalData { std::int64_t id; bool is_active; };
//   OPENEDX_EVENTS_RECORD(UserNonPersonalData, (), (id, is_active))
//   struct UserData : UserNonPersonalData { UserPersonalData pii; };
//   OPENEDX_EVENTS_RECORD(UserData, (UserNonPersonalData), (pii))
//
// Use it at namespace scope, in the struct's own namespace, with the unqualified struct name:
// that name is the Avro record name (the reference uses the Python class's simple __name__).
// Inherited fields come first, in base order, then the struct's own — attrs' order.
#pragma once

#include <boost/describe/class.hpp>
#include <boost/describe/members.hpp>
#include <boost/describe/bases.hpp>
#include <string_view>
#include <type_traits>

#define OPENEDX_EVENTS_RECORD(Type, Bases, Members)                                          \
  BOOST_DESCRIBE_STRUCT(Type, Bases, Members)                                               \
  [[maybe_unused]] constexpr std::string_view openedx_events_record_name(const Type*) noexcept { \
    return #Type;                                                                            \
  }

namespace openedx_events {

template <class T>
concept described_record = std::is_class_v<T> && requires(const T* p) {
  { openedx_events_record_name(p) } -> std::convertible_to<std::string_view>;
};

template <described_record T>
constexpr std::string_view record_name() noexcept {
  return openedx_events_record_name(static_cast<const T*>(nullptr));
}

}  // namespace openedx_events
