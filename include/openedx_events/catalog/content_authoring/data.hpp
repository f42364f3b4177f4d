// Payloads of the `content_authoring` subdomain (openedx_events/content_authoring/data.py):
// courses, XBlocks, certificate configurations and v2 content libraries as Studio edits them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "openedx_events/keys.hpp"
#include "openedx_events/record.hpp"
#include "openedx_events/types/binary_io.hpp"
#include "openedx_events/types/datetime.hpp"
#include "openedx_events/types/serializers.hpp"

namespace openedx_events::content_authoring {

/// A course, identified by its key only. (Not the same record as learning::CourseData.)
struct CourseData {
  CourseKey course_key;
};
OPENEDX_EVENTS_RECORD(CourseData, (), (course_key))

/// When a course runs and how it is paced ("instructor" or "self").
struct CourseScheduleData {
  DateTime start;
  std::string pacing;
  std::optional<DateTime> end;
  std::optional<DateTime> enrollment_start;
  std::optional<DateTime> enrollment_end;
};
OPENEDX_EVENTS_RECORD(CourseScheduleData, (), (start, pacing, end, enrollment_start, enrollment_end))

/// The catalog-facing facts of a course: what discovery services index.
struct CourseCatalogData {
  CourseKey course_key;
  std::string name;
  CourseScheduleData schedule_data;
  bool hidden = false;
  bool invitation_only = false;
};
OPENEDX_EVENTS_RECORD(CourseCatalogData, (), (course_key, name, schedule_data, hidden, invitation_only))

/// An XBlock in a course. `version` is the usage key with branch and version, when known.
struct XBlockData {
  UsageKey usage_key;
  std::string block_type;
  std::optional<UsageKey> version;
};
OPENEDX_EVENTS_RECORD(XBlockData, (), (usage_key, block_type, version))

/// An XBlock created as a copy of `source_usage_key`.
struct DuplicatedXBlockData : XBlockData {
  UsageKey source_usage_key;
};
OPENEDX_EVENTS_RECORD(DuplicatedXBlockData, (XBlockData), (source_usage_key))

/// A person whose signature appears on a certificate. `image` is the signature image file; it has
/// no Avro form, so events carrying it cannot go on the event bus.
struct CertificateSignatoryData {
  BinaryIO image;
  std::string name;
  std::string organization;
  std::string title;
};
OPENEDX_EVENTS_RECORD(CertificateSignatoryData, (), (image, name, organization, title))

/// A course's certificate configuration for one course mode (e.g. "verified", "professional").
struct CertificateConfigData {
  std::string certificate_type;
  CourseKey course_key;
  std::string title;
  std::vector<CertificateSignatoryData> signatories;
  bool is_active = false;
};
OPENEDX_EVENTS_RECORD(CertificateConfigData, (), (certificate_type, course_key, title, signatories, is_active))

/// A v2 content library. `update_blocks` is deprecated: per-item events are sent instead.
struct ContentLibraryData {
  LibraryLocatorV2 library_key;
  bool update_blocks = false;
};
OPENEDX_EVENTS_RECORD(ContentLibraryData, (), (library_key, update_blocks))

/// An XBlock inside a v2 content library.
struct LibraryBlockData {
  LibraryLocatorV2 library_key;
  LibraryUsageLocatorV2 usage_key;
};
OPENEDX_EVENTS_RECORD(LibraryBlockData, (), (library_key, usage_key))

/// Any taggable content object (course, block, ...), by the string form of its key.
struct ContentObjectData {
  std::string object_id;
};
OPENEDX_EVENTS_RECORD(ContentObjectData, (), (object_id))

/// A content object plus what changed about it ("tags", "collections", ...); an empty list means
/// everything may have changed.
struct ContentObjectChangedData : ContentObjectData {
  std::vector<std::string> changes;
};
OPENEDX_EVENTS_RECORD(ContentObjectChangedData, (ContentObjectData), (changes))

/// A collection in a content library. `background` is deprecated.
struct LibraryCollectionData {
  LibraryCollectionLocator collection_key;
  bool background = false;
};
OPENEDX_EVENTS_RECORD(LibraryCollectionData, (), (collection_key, background))

/// A container (unit, subsection, section) in a content library. `background` is deprecated.
struct LibraryContainerData {
  LibraryContainerLocator container_key;
  bool background = false;
};
OPENEDX_EVENTS_RECORD(LibraryContainerData, (), (container_key, background))

}  // namespace openedx_events::content_authoring
