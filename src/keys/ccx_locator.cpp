// CCXLocator: `ccx-v1:` only, with no deprecated fallback (Python's CCXLocator.from_string has none).
#include "openedx_events/keys/ccx_locator.hpp"

#include <new>
#include <ostream>

#include "key_access.hpp"
#include "unicode.hpp"

namespace openedx_events::keys {

namespace {

std::optional<CourseKey> parse_ccx(std::string_view serialized) {
  if (!detail::is_valid_utf8(serialized)) return std::nullopt;
  auto split = detail::split_namespace(serialized);
  if (!split || split->namespace_part != "ccx-v1") return std::nullopt;
  return detail::KeyAccess::ccx_locator_body(split->rest);
}

}  // namespace

CCXLocator CCXLocator::from_string(std::string_view serialized) {
  if (auto key = parse_ccx(serialized)) return CCXLocator(std::move(*key));
  throw InvalidKeyError("CCXLocator", serialized);
}

std::optional<CCXLocator> CCXLocator::try_parse(std::string_view serialized) noexcept {
  try {
    if (auto key = parse_ccx(serialized)) return CCXLocator(std::move(*key));
  } catch (const std::bad_alloc&) {
  }
  return std::nullopt;
}

std::optional<CCXLocator> CCXLocator::from_course_key(const CourseKey& key) {
  if (key.kind() != CourseKey::Kind::ccx) return std::nullopt;
  return CCXLocator(key);
}

const std::string& CCXLocator::ccx() const noexcept {
  static const std::string none;
  return key_.ccx() ? *key_.ccx() : none;
}

CourseKey CCXLocator::to_course_locator() const {
  if (empty()) return {};
  // Copy the fields rather than re-parse the printed form, which drops org/course next to a version.
  return detail::KeyAccess::course_from_ccx(key_);
}

std::ostream& operator<<(std::ostream& os, const CCXLocator& key) { return os << key.course_key(); }

}  // namespace openedx_events::keys
