// CourseKey: the course-like learning-context keys of edx-opaque-keys and edx-ccx-keys, i.e. what
// Python's `CourseKey.from_string` returns (CourseLocator, LibraryLocator or CCXLocator). Its fields
// live back to back in one buffer (detail::FieldText), viewed by the accessors.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "openedx_events/keys/errors.hpp"
#include "openedx_events/keys/field_text.hpp"

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

  // User-provided (not `= default`) so that value-initialising a key, as `CourseKey{}` and every
  // event data object `{}` do, does not zero-fill all of it before constructing it.
  CourseKey() noexcept {}  // NOLINT(modernize-use-equals-default)
  CourseKey(const CourseKey&) = default;
  CourseKey& operator=(const CourseKey&) = default;
  // A moved-from key is unset, like a default-constructed one.
  CourseKey(CourseKey&& other) noexcept
      : text_(std::move(other.text_)),
        kind_(std::exchange(other.kind_, Kind::none)),
        deprecated_(std::exchange(other.deprecated_, false)) {}
  CourseKey& operator=(CourseKey&& other) noexcept {
    text_ = std::move(other.text_);
    kind_ = std::exchange(other.kind_, Kind::none);
    deprecated_ = std::exchange(other.deprecated_, false);
    return *this;
  }
  ~CourseKey() = default;

  // Throws InvalidKeyError exactly where Python's CourseKey.from_string raises InvalidKeyError.
  static CourseKey from_string(std::string_view serialized);
  static std::optional<CourseKey> try_parse(std::string_view serialized) noexcept;

  bool empty() const noexcept { return kind_ == Kind::none; }
  Kind kind() const noexcept { return kind_; }
  // Python's `is_course`: true for course and CCX keys, false for v1 libraries.
  bool is_course() const noexcept { return kind_ == Kind::course || kind_ == Kind::ccx; }
  // True only for the org/course/run form (and for the course key of an i4x:// usage key).
  bool deprecated() const noexcept { return deprecated_; }

  // The key fields, nullopt where Python has None. Each is a view into this key, valid while the key
  // lives and is not assigned to or moved from (as for a std::string's data); copy it into a
  // std::string to keep it longer.
  std::optional<std::string_view> org() const noexcept { return text_.get(kOrg); }
  // For a v1 library this is the library name, as Python's deprecated `course` property.
  std::optional<std::string_view> course() const noexcept { return text_.get(kCourse); }
  std::optional<std::string_view> library() const noexcept { return text_.get(kCourse); }
  // For a v1 library this is the constant "library", as Python's deprecated `run` property. A
  // deprecated org/course/ key has an empty run; the course key of an i4x:// usage key has none.
  std::optional<std::string_view> run() const noexcept {
    if (kind_ == Kind::library) return std::string_view("library");
    return text_.get(kRun);
  }
  std::optional<std::string_view> branch() const noexcept { return text_.get(kBranch); }
  // The version ObjectId as 24 lowercase hex digits.
  std::optional<std::string_view> version_guid() const noexcept { return text_.get(kVersionGuid); }
  // The CCX id exactly as written (Unicode digits, leading zeros kept); set only for kind() ccx.
  std::optional<std::string_view> ccx() const noexcept { return text_.get(kCcx); }

  // "course-v1", "library-v1" or "ccx-v1" (also for deprecated keys, as CANONICAL_NAMESPACE).
  std::string_view canonical_namespace() const noexcept;

  // Python's str(key). Throws std::logic_error for an unset key and for a deprecated key without a
  // run (Python raises TypeError there).
  std::string to_string() const;

  friend bool operator==(const CourseKey& a, const CourseKey& b) noexcept {
    return a.kind_ == b.kind_ && a.deprecated_ == b.deprecated_ && a.text_.same_first(b.text_, kFieldCount);
  }
  // Prints to_string(), or "None" for an unset key.
  friend std::ostream& operator<<(std::ostream& os, const CourseKey& key);

 private:
  friend struct detail::KeyAccess;
  friend class UsageKey;  // keeps its block type and id in our last slots

  // The slots of text_: the key fields (a v1 library keeps its name in kCourse and has no run), then
  // the block type and id of the UsageKey that embeds this key, which this key never looks at.
  enum Slot : std::size_t { kOrg, kCourse, kRun, kBranch, kVersionGuid, kCcx, kBlockType, kBlockId, kSlotCount };
  static constexpr std::size_t kFieldCount = kCcx + 1;

  // Inline room for the fields of typical keys, a usage key's block type and 32-hex block id included
  // ("edX" "DemoX" "Demo_Course" "problem" + 32 is 58): those parse without allocating.
  static constexpr std::size_t kInlineText = 64;
  detail::FieldText<kSlotCount, kInlineText> text_;
  Kind kind_ = Kind::none;
  bool deprecated_ = false;
};

}  // namespace openedx_events::keys

namespace openedx_events {
using keys::CourseKey;
}
