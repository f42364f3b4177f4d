// CCXLocator: the `ccx-v1:` course keys of edx-ccx-keys, the only form Python's
// `CCXLocator.from_string` accepts.
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
  CCXLocator() = default;

  static CCXLocator from_string(std::string_view serialized);
  static std::optional<CCXLocator> try_parse(std::string_view serialized) noexcept;
  // The CCXLocator a CourseKey of kind ccx holds; nullopt for any other key.
  static std::optional<CCXLocator> from_course_key(const CourseKey& key);

  bool empty() const noexcept { return key_.empty(); }
  const std::optional<std::string>& org() const noexcept { return key_.org(); }
  const std::optional<std::string>& course() const noexcept { return key_.course(); }
  const std::optional<std::string>& run() const noexcept { return key_.run(); }
  const std::optional<std::string>& branch() const noexcept { return key_.branch(); }
  const std::optional<std::string>& version_guid() const noexcept { return key_.version_guid(); }
  // Empty only for an unset locator.
  const std::string& ccx() const noexcept;

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
