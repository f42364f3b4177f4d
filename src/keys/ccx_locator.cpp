// CCXLocator: `ccx-v1:` only, with no deprecated fallback (Python's CCXLocator.from_string has none).
#include "openedx_events/keys/ccx_locator.hpp"

#include <new>
#include <ostream>

#include "key_access.hpp"
#include "unicode.hpp"

namespace openedx_events::keys {

namespace detail {

bool KeyAccess::ccx_locator(std::string_view serialized, CCXLocator& key) {
  constexpr std::string_view kNamespace = "ccx-v1:";
  return in_namespace(serialized, kNamespace) &&
         course_body(serialized.substr(kNamespace.size()), Dialect::ccx, CourseKey::Kind::ccx, key.key_);
}

}  // namespace detail

CCXLocator CCXLocator::from_string(std::string_view serialized) {
  // Filled in place and returned by name, so the key is never moved.
  CCXLocator key;
  if (detail::is_valid_utf8(serialized) && detail::KeyAccess::ccx_locator(serialized, key)) return key;
  throw InvalidKeyError("CCXLocator", serialized);
}

std::optional<CCXLocator> CCXLocator::try_parse(std::string_view serialized) noexcept {
  try {
    std::optional<CCXLocator> key(std::in_place);
    if (!detail::is_valid_utf8(serialized) || !detail::KeyAccess::ccx_locator(serialized, *key)) key.reset();
    return key;
  } catch (const std::bad_alloc&) {
    return std::nullopt;
  }
}

std::optional<CCXLocator> CCXLocator::from_course_key(const CourseKey& key) {
  if (key.kind() != CourseKey::Kind::ccx) return std::nullopt;
  return CCXLocator(key);
}

CourseKey CCXLocator::to_course_locator() const {
  if (empty()) return {};
  // Copy the fields rather than re-parse the printed form, which drops org/course next to a version.
  return detail::KeyAccess::course_from_ccx(key_);
}

std::ostream& operator<<(std::ostream& os, const CCXLocator& key) { return os << key.course_key(); }

}  // namespace openedx_events::keys
