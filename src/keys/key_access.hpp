// Private to src/keys: the single friend of every key class. It builds keys from already validated
// fields and hosts the parsers that several key classes share (a usage key embeds a course key).
#pragma once

#include <optional>
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

struct KeyAccess {
  // CourseLocator._from_string / CCXLocator._from_string / LibraryLocator._from_string: the body
  // after the namespace, with the field rules (24-hex version; org, course, run unless versioned).
  static std::optional<CourseKey> course_from_match(const BlockBody& match, CourseKey::Kind kind);
  static std::optional<CourseKey> course_locator_body(std::string_view body);
  static std::optional<CourseKey> ccx_locator_body(std::string_view body);
  static std::optional<CourseKey> library_locator_body(std::string_view body);
  // CourseLocator._from_deprecated_string: the whole input as org/course/run.
  static std::optional<CourseKey> deprecated_course(std::string_view whole);
  // The course key of an i4x:// usage key: deprecated, run None, branch = revision.
  static CourseKey i4x_course(std::string_view org, std::string_view course,
                              std::optional<std::string_view> branch);
  // The body of the CourseLocator printed form, without namespace (CourseLocator._to_string).
  static std::string course_body(const CourseKey& key);
  static std::string library_body(const CourseKey& key);

  static std::optional<LibraryLocatorV2> library_v2_fields(std::string_view org, std::string_view slug);
  static std::optional<LibraryUsageLocatorV2> library_usage_v2_body(std::string_view body);
  static std::optional<LibraryCollectionLocator> collection(std::string_view org, std::string_view slug,
                                                            std::string_view collection_id);
  static std::optional<LibraryContainerLocator> container(std::string_view org, std::string_view slug,
                                                          std::string_view container_type,
                                                          std::string_view container_id);

  // UsageKey.from_string on text that is already valid UTF-8; `depth` counts enclosing aside keys.
  static std::optional<UsageKey> usage_key(std::string_view serialized, int depth);
  static LibraryUsageLocatorV2 library_usage_v2(const UsageKey& key);
  static UsageKey make_block_usage(UsageKey::Kind kind, CourseKey course,
                                   std::optional<std::string_view> block_type, std::string_view block_id);
  static UsageKey make_aside(UsageKey::Kind kind, UsageKey decorated, std::string aside_type);
  // CCXLocator.to_course_locator(): the same fields under course-v1, without ccx.
  static CourseKey course_from_ccx(const CourseKey& ccx_key);
};

}  // namespace openedx_events::keys::detail
