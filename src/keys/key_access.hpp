// Private to src/keys: the single friend of every key class. It fills keys from already validated
// fields and hosts the parsers that several key classes share (a usage key embeds a course key).
// Parsers fill a caller's key and return whether the input matched, so that a parsed key is built
// once, in place, and never travels through std::optional; a parser that returns false has not
// touched the key.
#pragma once

#include <array>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "grammar.hpp"
#include "openedx_events/keys/ccx_locator.hpp"
#include "openedx_events/keys/course_key.hpp"
#include "openedx_events/keys/library_collection_locator.hpp"
#include "openedx_events/keys/library_container_locator.hpp"
#include "openedx_events/keys/library_locator_v2.hpp"
#include "openedx_events/keys/usage_key.hpp"

namespace openedx_events::keys::detail {

// Joins `parts` with one allocation (printing keys is on the Avro encode path).
inline std::string concat(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (auto part : parts) size += part.size();
  std::string out;
  out.reserve(size);
  for (auto part : parts) out.append(part);
  return out;
}

struct KeyAccess {
  // CourseLocator._from_string / CCXLocator._from_string / LibraryLocator._from_string after the
  // body matched: the field rules (24-hex version; org, course, run unless versioned). On success,
  // `set` has a bit for each course field the key has, indexed like the body's groups.
  static bool course_fields(const BlockBody& match, CourseKey::Kind kind, unsigned& set) noexcept;
  // Stores a course key: slot i of the key is values[i] when bit i of `set` is on (CourseKey's slots,
  // the block type and id of a usage key included, in the order of BlockBody's groups).
  static void set_course(CourseKey& key, CourseKey::Kind kind, bool deprecated, std::span<const std::string_view> values,
                         unsigned set);
  // The body after the namespace of course-v1/slashes (standard, course), library-v1 (standard,
  // library) or ccx-v1 (ccx, ccx).
  static bool course_body(std::string_view body, Dialect dialect, CourseKey::Kind kind, CourseKey& key);
  // CourseLocator._from_deprecated_string: the whole input as org/course/run.
  static bool deprecated_course(std::string_view whole, CourseKey& key);
  // CCXLocator.from_string on text that is already valid UTF-8.
  static bool ccx_locator(std::string_view serialized, CCXLocator& key);
  // CCXLocator.to_course_locator(): the same fields under course-v1, without ccx.
  static CourseKey course_from_ccx(const CourseKey& ccx_key);
  // The body of the CourseLocator / LibraryLocator printed forms, without namespace, appended to `out`.
  static void append_course_body(std::string& out, const CourseKey& key);
  static void append_library_body(std::string& out, const CourseKey& key);

  // The `^A+$` org and `^S+$` slug of every Learning Core key.
  static bool valid_library_v2(const Field& org, const Field& slug) noexcept {
    return org.is_run_of_dollar_anchored(CharClass::ascii_id) && slug.is_run_of_dollar_anchored(CharClass::slug);
  }
  // Stores a Learning Core key from its fields in slot order: org, slug, then those of the embedding key.
  static void set_library_v2(LibraryLocatorV2& key, std::span<const Field> fields) {
    std::array<std::string_view, LibraryLocatorV2::kSlotCount> values;
    for (std::size_t i = 0; i < fields.size(); ++i) values[i] = fields[i].text();
    key.text_.assign(std::span(values).first(fields.size()), (1U << fields.size()) - 1U);
  }
  // The body of an lb: key (ORG:SLUG:TYPE:ID), for LibraryUsageLocatorV2 and UsageKey alike.
  static bool library_usage_v2_body(std::string_view body, LibraryLocatorV2& key);

  // UsageKey.from_string on text that is already valid UTF-8; `depth` counts enclosing aside keys.
  static bool usage_key(std::string_view serialized, int depth, UsageKey& key);
  // The body of block-v1, ccx-block-v1 or lib-block-v1 (BlockUsageLocator._from_string & co.).
  static bool block_usage(std::string_view body, Dialect dialect, UsageKey::Kind kind, CourseKey::Kind course_kind,
                          UsageKey& key);
  static bool location_usage(std::string_view body, UsageKey& key);
  static bool i4x_usage(std::string_view whole, UsageKey& key);
  static void set_aside(UsageKey& key, UsageKey::Kind kind, UsageKey&& decorated, std::string&& aside_type);

  // LibraryCollectionLocator.from_string / LibraryContainerLocator.from_string.
  static bool collection(std::string_view serialized, LibraryCollectionLocator& key);
  static bool container(std::string_view serialized, LibraryContainerLocator& key);
};

}  // namespace openedx_events::keys::detail
