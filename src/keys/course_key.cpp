// CourseKey and the course-like parsers: course-v1 (and its slashes alias), library-v1, ccx-v1 and the
// deprecated org/course/run fallback, with Python's dispatch order (namespace first, then the
// deprecated form of the whole input) and its printing rules.
#include "openedx_events/keys/course_key.hpp"

#include <algorithm>
#include <new>
#include <ostream>
#include <stdexcept>

#include "key_access.hpp"
#include "unicode.hpp"

namespace openedx_events::keys {

namespace detail {

namespace {

std::optional<std::string> owned(std::optional<std::string_view> view) {
  if (!view) return std::nullopt;
  return std::string(*view);
}

bool non_empty(const std::optional<std::string>& value) { return value && !value->empty(); }

}  // namespace

std::optional<CourseKey> KeyAccess::course_from_match(const BlockBody& match, CourseKey::Kind kind) {
  CourseKey key;
  if (match.version_guid) {
    auto oid = object_id(*match.version_guid);
    if (!oid) return std::nullopt;
    key.version_guid_ = std::move(*oid);
  } else if (!match.org || !match.course || (kind != CourseKey::Kind::library && !match.run)) {
    // Without a version a course needs org, course and run; a v1 library only org and library.
    return std::nullopt;
  }
  key.kind_ = kind;
  key.org_ = owned(match.org);
  key.course_ = owned(match.course);
  // A v1 library silently drops the run token: run is not one of its key fields.
  if (kind != CourseKey::Kind::library) key.run_ = owned(match.run);
  key.branch_ = owned(match.branch);
  key.ccx_ = owned(match.ccx);
  // type@ and block@ matched the pattern and are dropped: a course key has no block fields.
  return key;
}

std::optional<CourseKey> KeyAccess::course_locator_body(std::string_view body) {
  auto match = match_block_body(body, Dialect::standard);
  if (!match) return std::nullopt;
  return course_from_match(*match, CourseKey::Kind::course);
}

std::optional<CourseKey> KeyAccess::ccx_locator_body(std::string_view body) {
  auto match = match_block_body(body, Dialect::ccx);
  if (!match) return std::nullopt;
  return course_from_match(*match, CourseKey::Kind::ccx);
}

std::optional<CourseKey> KeyAccess::library_locator_body(std::string_view body) {
  auto match = match_block_body(body, Dialect::standard);
  if (!match) return std::nullopt;
  return course_from_match(*match, CourseKey::Kind::library);
}

std::optional<CourseKey> KeyAccess::deprecated_course(std::string_view whole) {
  if (std::count(whole.begin(), whole.end(), '/') != 2) return std::nullopt;
  const auto first = whole.find('/');
  const auto second = whole.find('/', first + 1);
  const std::string_view org = whole.substr(0, first);
  const std::string_view course = whole.substr(first + 1, second - first - 1);
  const std::string_view run = whole.substr(second + 1);
  // Only org and course must be non-empty: Python explicitly allows run == ''.
  if (!is_run_of(org, CharClass::depc) || !is_run_of(course, CharClass::depc) ||
      !all_in_class(run, CharClass::depc)) {
    return std::nullopt;
  }
  CourseKey key;
  key.kind_ = CourseKey::Kind::course;
  key.deprecated_ = true;
  key.org_ = std::string(org);
  key.course_ = std::string(course);
  key.run_ = std::string(run);
  return key;
}

CourseKey KeyAccess::i4x_course(std::string_view org, std::string_view course,
                                std::optional<std::string_view> branch) {
  CourseKey key;
  key.kind_ = CourseKey::Kind::course;
  key.deprecated_ = true;
  key.org_ = std::string(org);
  key.course_ = std::string(course);
  key.branch_ = owned(branch);
  return key;
}

CourseKey KeyAccess::course_from_ccx(const CourseKey& ccx_key) {
  CourseKey key = ccx_key;
  key.kind_ = CourseKey::Kind::course;
  key.ccx_.reset();
  return key;
}

std::string KeyAccess::course_body(const CourseKey& key) {
  std::string out;
  auto add = [&out](std::string_view part) {
    if (!out.empty()) out += '+';
    out += part;
  };
  // Org, course, run and branch are printed only when course and run are both set, so a versioned
  // key that also names its course prints as version@ alone.
  if (non_empty(key.course_) && non_empty(key.run_)) {
    add(key.org_.value_or(""));
    add(*key.course_);
    add(*key.run_);
    if (non_empty(key.branch_)) add("branch@" + *key.branch_);
  }
  if (key.version_guid_) add("version@" + *key.version_guid_);
  return out;
}

std::string KeyAccess::library_body(const CourseKey& key) {
  std::string out;
  auto add = [&out](std::string_view part) {
    if (!out.empty()) out += '+';
    out += part;
  };
  // Unlike CourseLocator, org and library stay in the output next to a version.
  if (non_empty(key.course_)) {
    add(key.org_.value_or(""));
    add(*key.course_);
    if (non_empty(key.branch_)) add("branch@" + *key.branch_);
  }
  if (key.version_guid_) add("version@" + *key.version_guid_);
  return out;
}

}  // namespace detail

namespace {

std::optional<CourseKey> parse_course_key(std::string_view serialized) {
  if (!detail::is_valid_utf8(serialized)) return std::nullopt;
  // Each successful branch returns its own local, so the key is moved once, not assigned and moved.
  if (auto split = detail::split_namespace(serialized)) {
    const std::string_view ns = split->namespace_part;
    if (ns == "course-v1" || ns == "slashes") {
      if (auto key = detail::KeyAccess::course_locator_body(split->rest)) return key;
    } else if (ns == "library-v1") {
      if (auto key = detail::KeyAccess::library_locator_body(split->rest)) return key;
    } else if (ns == "ccx-v1") {
      if (auto key = detail::KeyAccess::ccx_locator_body(split->rest)) return key;
    }
  }
  // Python falls back to the deprecated parser for the whole input whenever the namespace path fails,
  // including for a known namespace with a bad body.
  return detail::KeyAccess::deprecated_course(serialized);
}

}  // namespace

CourseKey CourseKey::from_string(std::string_view serialized) {
  if (auto key = parse_course_key(serialized)) return std::move(*key);
  throw InvalidKeyError("CourseKey", serialized);
}

std::optional<CourseKey> CourseKey::try_parse(std::string_view serialized) noexcept {
  try {
    return parse_course_key(serialized);
  } catch (const std::bad_alloc&) {
    return std::nullopt;
  }
}

const std::optional<std::string>& CourseKey::run() const noexcept {
  static const std::optional<std::string> library_run{"library"};
  return kind_ == Kind::library ? library_run : run_;
}

std::string_view CourseKey::canonical_namespace() const noexcept {
  switch (kind_) {
    case Kind::course: return "course-v1";
    case Kind::library: return "library-v1";
    case Kind::ccx: return "ccx-v1";
    case Kind::none: break;
  }
  return {};
}

std::string CourseKey::to_string() const {
  switch (kind_) {
    case Kind::none:
      throw std::logic_error("to_string() called on an unset CourseKey");
    case Kind::course:
      if (deprecated_) {
        if (!run_) {
          throw std::logic_error("a deprecated course key without a run (from an i4x:// usage key) has no string form");
        }
        return org_.value_or("") + '/' + course_.value_or("") + '/' + *run_;
      }
      return "course-v1:" + detail::KeyAccess::course_body(*this);
    case Kind::library:
      return "library-v1:" + detail::KeyAccess::library_body(*this);
    case Kind::ccx:
      return "ccx-v1:" + detail::KeyAccess::course_body(*this) + "+ccx@" + ccx_.value_or("");
  }
  return {};
}

std::ostream& operator<<(std::ostream& os, const CourseKey& key) {
  if (key.empty()) return os << "None";
  if (key.deprecated() && !key.run_) {
    return os << key.org_.value_or("") << '/' << key.course_.value_or("") << "/<no run>";
  }
  return os << key.to_string();
}

}  // namespace openedx_events::keys
