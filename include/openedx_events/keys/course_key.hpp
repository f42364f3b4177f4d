// CourseKey: the course-like learning-context keys of edx-opaque-keys and edx-ccx-keys, i.e. what
// Python's `CourseKey.from_string` returns (CourseLocator, LibraryLocator or CCXLocator).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "openedx_events/keys/errors.hpp"

namespace openedx_events::keys {

namespace detail {
struct KeyAccess;
}

// A course key as Python's `CourseKey.from_string` parses it:
//
//   course-v1:ORG+COURSE+RUN[+branch@B][+version@HEX24]   CourseLocator
//   slashes:...                                           the same (legacy alias), prints course-v1:
//   org/course/run                                        CourseLocator, deprecated()
//   library-v1:ORG+LIB[+branch@B][+version@HEX24]         LibraryLocator (v1 library), kind() library
//   ccx-v1:<course-v1 body>+ccx@N                         CCXLocator, kind() ccx
//
// A default-constructed CourseKey is "unset" (Python None). Equality follows Python (namespace,
// deprecated flag and every key field), not the printed string: `course-v1:org+course+version@V`
// keeps org and course but prints as `course-v1:version@V`.
class CourseKey {
 public:
  enum class Kind : std::uint8_t {
    none,     // unset key
    course,   // CourseLocator: course-v1 / slashes / deprecated org/course/run
    library,  // LibraryLocator: library-v1 (is_course() is false, as in Python)
    ccx,      // CCXLocator: ccx-v1
  };

  CourseKey() = default;

  // Throws InvalidKeyError exactly where Python's CourseKey.from_string raises InvalidKeyError.
  static CourseKey from_string(std::string_view serialized);
  static std::optional<CourseKey> try_parse(std::string_view serialized) noexcept;

  bool empty() const noexcept { return kind_ == Kind::none; }
  Kind kind() const noexcept { return kind_; }
  // Python's `is_course`: true for course and CCX keys, false for v1 libraries.
  bool is_course() const noexcept { return kind_ == Kind::course || kind_ == Kind::ccx; }
  // True only for the org/course/run form (and for the course key of an i4x:// usage key).
  bool deprecated() const noexcept { return deprecated_; }

  const std::optional<std::string>& org() const noexcept { return org_; }
  // For a v1 library this is the library name, as Python's deprecated `course` property.
  const std::optional<std::string>& course() const noexcept { return course_; }
  const std::optional<std::string>& library() const noexcept { return course_; }
  // For a v1 library this is the constant "library", as Python's deprecated `run` property. A
  // deprecated org/course/ key has an empty run; the course key of an i4x:// usage key has none.
  const std::optional<std::string>& run() const noexcept;
  const std::optional<std::string>& branch() const noexcept { return branch_; }
  // The version ObjectId as 24 lowercase hex digits.
  const std::optional<std::string>& version_guid() const noexcept { return version_guid_; }
  // The CCX id exactly as written (Unicode digits, leading zeros kept); set only for kind() ccx.
  const std::optional<std::string>& ccx() const noexcept { return ccx_; }

  // "course-v1", "library-v1" or "ccx-v1" (also for deprecated keys, as CANONICAL_NAMESPACE).
  std::string_view canonical_namespace() const noexcept;

  // Python's str(key). Throws std::logic_error for an unset key and for a deprecated key without a
  // run (Python raises TypeError there).
  std::string to_string() const;

  friend bool operator==(const CourseKey&, const CourseKey&) = default;
  // Prints to_string(), or "None" for an unset key.
  friend std::ostream& operator<<(std::ostream& os, const CourseKey& key);

 private:
  friend struct detail::KeyAccess;

  Kind kind_ = Kind::none;
  bool deprecated_ = false;
  std::optional<std::string> org_;
  std::optional<std::string> course_;  // the library name for Kind::library
  std::optional<std::string> run_;     // never set for Kind::library (not a key field there)
  std::optional<std::string> branch_;
  std::optional<std::string> version_guid_;
  std::optional<std::string> ccx_;
};

}  // namespace openedx_events::keys

namespace openedx_events {
using keys::CourseKey;
}
