// CourseKey and the course-like parsers: course-v1 (and its slashes alias), library-v1, ccx-v1 and the
// deprecated org/course/run fallback, with Python's dispatch order (namespace first, then the
// deprecated form of the whole input) and its printing rules.
#include "openedx_events/keys/course_key.hpp"

#include <array>
#include <new>
#include <ostream>
#include <stdexcept>

#include "key_access.hpp"
#include "unicode.hpp"

namespace openedx_events::keys {

namespace detail {

namespace {

bool non_empty(std::optional<std::string_view> value) { return value && !value->empty(); }

}  // namespace

bool KeyAccess::course_fields(const BlockBody& match, CourseKey::Kind kind, unsigned& set) noexcept {
  if (!match[BlockBody::version_guid].empty()) {
    if (!is_object_id(match[BlockBody::version_guid])) return false;
  } else if (match[BlockBody::org].empty() || match[BlockBody::course].empty() ||
             (kind != CourseKey::Kind::library && match[BlockBody::run].empty())) {
    // Without a version a course needs org, course and run; a v1 library only org and library.
    return false;
  }
  // type@ and block@ matched the pattern but are no course fields (a UsageKey adds them itself), and
  // a v1 library silently drops the run token: run is not one of its key fields.
  set = match.matched_groups() & ((1U << CourseKey::kFieldCount) - 1U);
  if (kind == CourseKey::Kind::library) set &= ~(1U << CourseKey::kRun);
  return true;
}

void KeyAccess::set_course(CourseKey& key, CourseKey::Kind kind, bool deprecated,
                           std::span<const std::string_view> values, unsigned set) {
  key.text_.assign(values, set);
  // bson.ObjectId prints lowercase; only the ccx dialect lets upper-case hex through.
  if (kind == CourseKey::Kind::ccx) key.text_.to_lower_ascii(CourseKey::kVersionGuid);
  key.kind_ = kind;
  key.deprecated_ = deprecated;
}

bool KeyAccess::course_body(std::string_view body, Dialect dialect, CourseKey::Kind kind, CourseKey& key) {
  // A matched body is stored as it is (here and in block_usage), so its groups must come in the order
  // of CourseKey's slots.
  using G = BlockBody::Group;
  static_assert(std::size_t{G::org} == CourseKey::kOrg && std::size_t{G::course} == CourseKey::kCourse &&
                std::size_t{G::run} == CourseKey::kRun && std::size_t{G::branch} == CourseKey::kBranch &&
                std::size_t{G::version_guid} == CourseKey::kVersionGuid && std::size_t{G::ccx} == CourseKey::kCcx &&
                std::size_t{G::block_type} == CourseKey::kBlockType && std::size_t{G::block_id} == CourseKey::kBlockId &&
                std::size_t{G::group_count} == CourseKey::kSlotCount);
  const BlockBody match = match_block_body(body, dialect);
  unsigned set = 0;
  if (!match.matched || !course_fields(match, kind, set)) return false;
  set_course(key, kind, false, match.group, set);
  return true;
}

bool KeyAccess::deprecated_course(std::string_view whole, CourseKey& key) {
  std::array<Field, 3> fields;  // org, course, run
  // Only org and course must be non-empty: Python explicitly allows run == ''.
  if (!split_fields(whole, '/', fields) || !fields[0].is_run_of(CharClass::depc) ||
      !fields[1].is_run_of(CharClass::depc) || (fields[2].begin != fields[2].end && !fields[2].is_run_of(CharClass::depc))) {
    return false;
  }
  const std::string_view values[] = {fields[0].text(), fields[1].text(), fields[2].text()};
  set_course(key, CourseKey::Kind::course, true, values, 0b111U);
  return true;
}

CourseKey KeyAccess::course_from_ccx(const CourseKey& ccx_key) {
  // Every field but ccx (the last one); nothing of an embedding usage key either.
  std::array<std::string_view, CourseKey::kCcx> values;
  for (std::size_t slot = 0; slot < values.size(); ++slot) values[slot] = ccx_key.text_.view(slot);
  CourseKey key;
  const unsigned set = ccx_key.text_.set_bits() & ((1U << CourseKey::kCcx) - 1U);
  set_course(key, CourseKey::Kind::course, ccx_key.deprecated_, values, set);
  return key;
}

void KeyAccess::append_course_body(std::string& out, const CourseKey& key) {
  const std::size_t body_start = out.size();
  auto add = [&out, body_start](std::string_view prefix, std::string_view part) {
    if (out.size() != body_start) out += '+';
    out.append(prefix).append(part);
  };
  // Org, course, run and branch are printed only when course and run are both set, so a versioned
  // key that also names its course prints as version@ alone.
  if (non_empty(key.course()) && non_empty(key.run())) {
    add({}, key.org().value_or(""));
    add({}, *key.course());
    add({}, *key.run());
    if (non_empty(key.branch())) add("branch@", *key.branch());
  }
  if (key.version_guid()) add("version@", *key.version_guid());
}

void KeyAccess::append_library_body(std::string& out, const CourseKey& key) {
  const std::size_t body_start = out.size();
  auto add = [&out, body_start](std::string_view prefix, std::string_view part) {
    if (out.size() != body_start) out += '+';
    out.append(prefix).append(part);
  };
  // Unlike CourseLocator, org and library stay in the output next to a version.
  if (non_empty(key.library())) {
    add({}, key.org().value_or(""));
    add({}, *key.library());
    if (non_empty(key.branch())) add("branch@", *key.branch());
  }
  if (key.version_guid()) add("version@", *key.version_guid());
}

}  // namespace detail

namespace {

bool parse_course_key(std::string_view serialized, CourseKey& key) {
  using detail::Dialect;
  using detail::KeyAccess;
  if (!detail::is_valid_utf8(serialized)) return false;
  // Each namespace's parser on the body after it; Python falls back to the deprecated parser for the
  // whole input whenever the namespace path fails, including for a known namespace with a bad body.
  const auto try_body = [&](std::string_view ns_colon, Dialect dialect, CourseKey::Kind kind) {
    return detail::in_namespace(serialized, ns_colon) &&
           KeyAccess::course_body(serialized.substr(ns_colon.size()), dialect, kind, key);
  };
  return try_body("course-v1:", Dialect::standard, CourseKey::Kind::course) ||
         try_body("slashes:", Dialect::standard, CourseKey::Kind::course) ||
         try_body("library-v1:", Dialect::standard, CourseKey::Kind::library) ||
         try_body("ccx-v1:", Dialect::ccx, CourseKey::Kind::ccx) || KeyAccess::deprecated_course(serialized, key);
}

}  // namespace

CourseKey CourseKey::from_string(std::string_view serialized) {
  // Filled in place and returned by name, so the key is never moved.
  CourseKey key;
  if (parse_course_key(serialized, key)) return key;
  throw InvalidKeyError("CourseKey", serialized);
}

std::optional<CourseKey> CourseKey::try_parse(std::string_view serialized) noexcept {
  try {
    std::optional<CourseKey> key(std::in_place);
    if (!parse_course_key(serialized, *key)) key.reset();
    return key;
  } catch (const std::bad_alloc&) {
    return std::nullopt;
  }
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
  std::string out;
  switch (kind_) {
    case Kind::none:
      throw std::logic_error("to_string() called on an unset CourseKey");
    case Kind::course:
      if (deprecated_) {
        if (!run()) {
          throw std::logic_error("a deprecated course key without a run (from an i4x:// usage key) has no string form");
        }
        return detail::concat({org().value_or(""), "/", course().value_or(""), "/", *run()});
      }
      out.reserve(64);
      out = "course-v1:";
      detail::KeyAccess::append_course_body(out, *this);
      return out;
    case Kind::library:
      out.reserve(64);
      out = "library-v1:";
      detail::KeyAccess::append_library_body(out, *this);
      return out;
    case Kind::ccx:
      out.reserve(64);
      out = "ccx-v1:";
      detail::KeyAccess::append_course_body(out, *this);
      out.append("+ccx@").append(ccx().value_or(""));
      return out;
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const CourseKey& key) {
  if (key.empty()) return os << "None";
  if (key.deprecated() && !key.run()) {
    return os << key.org().value_or("") << '/' << key.course().value_or("") << "/<no run>";
  }
  return os << key.to_string();
}

}  // namespace openedx_events::keys
