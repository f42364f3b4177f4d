// CCXLocator: the `ccx-v1:` course keys of edx-ccx-keys, the only form Python's
// `CCXLocator.from_string` accepts. A thin wrapper over the CourseKey of kind ccx it holds.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "openedx_events/keys/course_key.hpp"

namespace openedx_events::keys {

// `ccx-v1:<course-v1 body>+ccx@N`. Prefixes are case-insensitive with Python's Unicode rules
// (`CCX@1`, `verſion@…`, `bloc\u212A@…` are accepted) and the version may be upper-case hex; the
// printed form uses lowercase prefixes and hex. The ccx id is kept verbatim (`ccx@01` != `ccx@1`).
// Converts implicitly to the CourseKey it also is; a CCXLocator never equals a CourseLocator.
class CCXLocator {
 public:
  // User-provided (not `= default`) so that value-initialising a key, as `CCXLocator{}` and every
  // event data object `{}` do, does not zero-fill all of it before constructing it.
  CCXLocator() noexcept {}  // NOLINT(modernize-use-equals-default)

  static CCXLocator from_string(std::string_view serialized);
  static std::optional<CCXLocator> try_parse(std::string_view serialized) noexcept;
  // The CCXLocator a CourseKey of kind ccx holds; nullopt for any other key.
  static std::optional<CCXLocator> from_course_key(const CourseKey& key);

  bool empty() const noexcept { return key_.empty(); }
  // Views into the key, as CourseKey's accessors.
  std::optional<std::string_view> org() const noexcept { return key_.org(); }
  std::optional<std::string_view> course() const noexcept { return key_.course(); }
  std::optional<std::string_view> run() const noexcept { return key_.run(); }
  std::optional<std::string_view> branch() const noexcept { return key_.branch(); }
  std::optional<std::string_view> version_guid() const noexcept { return key_.version_guid(); }
  // Empty only for an unset locator.
  std::string_view ccx() const noexcept { return key_.ccx().value_or(std::string_view()); }

  // The `course-v1:` key of the course this CCX belongs to (Python's to_course_locator()).
  CourseKey to_course_locator() const;

  const CourseKey& course_key() const noexcept { return key_; }
  operator const CourseKey&() const noexcept { return key_; }  // NOLINT: implicit by design

  std::string to_string() const { return key_.to_string(); }

  friend bool operator==(const CCXLocator&, const CCXLocator&) = default;
  friend std::ostream& operator<<(std::ostream& os, const CCXLocator& key);

 private:
  friend struct detail::KeyAccess;
  explicit CCXLocator(CourseKey key) : key_(std::move(key)) {}
  CourseKey key_;  // always Kind::ccx unless empty
};

}  // namespace openedx_events::keys

namespace openedx_events {
using keys::CCXLocator;
}
