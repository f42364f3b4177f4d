// Events of the `content_authoring` subdomain (openedx_events/content_authoring/signals.py),
// sent by Studio (openedx/edx-platform) as courses and libraries are edited.
#pragma once

#include <span>

#include "openedx_events/catalog/content_authoring/data.hpp"
#include "openedx_events/record.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events::content_authoring {

// --- Event data: one struct per data shape, its members the event's data keys ---

struct CourseCatalogEvent {
  CourseCatalogData catalog_info;
};
OPENEDX_EVENTS_RECORD(CourseCatalogEvent, (), (catalog_info))

struct XBlockEvent {
  XBlockData xblock_info;
};
OPENEDX_EVENTS_RECORD(XBlockEvent, (), (xblock_info))

struct DuplicatedXBlockEvent {
  DuplicatedXBlockData xblock_info;
};
OPENEDX_EVENTS_RECORD(DuplicatedXBlockEvent, (), (xblock_info))

struct CertificateConfigEvent {
  CertificateConfigData certificate_config;
};
OPENEDX_EVENTS_RECORD(CertificateConfigEvent, (), (certificate_config))

struct CourseEvent {
  CourseData course;
};
OPENEDX_EVENTS_RECORD(CourseEvent, (), (course))

struct ContentLibraryEvent {
  ContentLibraryData content_library;
};
OPENEDX_EVENTS_RECORD(ContentLibraryEvent, (), (content_library))

struct LibraryBlockEvent {
  LibraryBlockData library_block;
};
OPENEDX_EVENTS_RECORD(LibraryBlockEvent, (), (library_block))

struct ContentObjectChangedEvent {
  ContentObjectChangedData content_object;
};
OPENEDX_EVENTS_RECORD(ContentObjectChangedEvent, (), (content_object))

struct ContentObjectEvent {
  ContentObjectData content_object;
};
OPENEDX_EVENTS_RECORD(ContentObjectEvent, (), (content_object))

struct LibraryCollectionEvent {
  LibraryCollectionData library_collection;
};
OPENEDX_EVENTS_RECORD(LibraryCollectionEvent, (), (library_collection))

struct LibraryContainerEvent {
  LibraryContainerData library_container;
};
OPENEDX_EVENTS_RECORD(LibraryContainerEvent, (), (library_container))

// --- Signals, in upstream definition order ---

/// A course changed in Studio in a way that matters to catalog consumers (name, schedule, ...).
extern OpenEdxPublicSignal<CourseCatalogEvent> COURSE_CATALOG_INFO_CHANGED;

/// An XBlock was created in a course.
extern OpenEdxPublicSignal<XBlockEvent> XBLOCK_CREATED;
/// An XBlock was updated.
extern OpenEdxPublicSignal<XBlockEvent> XBLOCK_UPDATED;
/// An XBlock was published. Publishing a parent with changed children sends one event, for the
/// parent only.
extern OpenEdxPublicSignal<XBlockEvent> XBLOCK_PUBLISHED;
/// An XBlock was deleted.
extern OpenEdxPublicSignal<XBlockEvent> XBLOCK_DELETED;
/// An XBlock was duplicated in Studio; the payload names the copy and its source.
extern OpenEdxPublicSignal<DuplicatedXBlockEvent> XBLOCK_DUPLICATED;

/// A course certificate configuration changed in Studio. Not serializable: its signatories carry
/// a BinaryIO signature image, which has no Avro form (listed in KNOWN_UNSERIALIZABLE_SIGNALS).
/// No Open edX service sends it today.
extern OpenEdxPublicSignal<CertificateConfigEvent> COURSE_CERTIFICATE_CONFIG_CHANGED;
/// A course certificate configuration was deleted in Studio. Not serializable, for the same
/// BinaryIO reason as COURSE_CERTIFICATE_CONFIG_CHANGED. No Open edX service sends it today.
extern OpenEdxPublicSignal<CertificateConfigEvent> COURSE_CERTIFICATE_CONFIG_DELETED;

/// A course was created.
extern OpenEdxPublicSignal<CourseEvent> COURSE_CREATED;

/// A v2 content library was created.
extern OpenEdxPublicSignal<ContentLibraryEvent> CONTENT_LIBRARY_CREATED;
/// A content library's own properties (e.g. its name) changed. Not sent for changes to the
/// items inside it; those have their own LIBRARY_* events.
extern OpenEdxPublicSignal<ContentLibraryEvent> CONTENT_LIBRARY_UPDATED;
/// A content library was deleted.
extern OpenEdxPublicSignal<ContentLibraryEvent> CONTENT_LIBRARY_DELETED;

/// An XBlock was created in a content library.
extern OpenEdxPublicSignal<LibraryBlockEvent> LIBRARY_BLOCK_CREATED;
/// A library XBlock's draft was updated.
extern OpenEdxPublicSignal<LibraryBlockEvent> LIBRARY_BLOCK_UPDATED;
/// A library XBlock's draft was deleted.
extern OpenEdxPublicSignal<LibraryBlockEvent> LIBRARY_BLOCK_DELETED;
/// A library XBlock was published (including the publishing of its deletion).
extern OpenEdxPublicSignal<LibraryBlockEvent> LIBRARY_BLOCK_PUBLISHED;

/// A content object's associations (tags, collections, ...) changed.
extern OpenEdxPublicSignal<ContentObjectChangedEvent> CONTENT_OBJECT_ASSOCIATIONS_CHANGED;
/// A content object's tags changed. Deprecated: use CONTENT_OBJECT_ASSOCIATIONS_CHANGED.
extern OpenEdxPublicSignal<ContentObjectEvent> CONTENT_OBJECT_TAGS_CHANGED;

/// A collection was created in a content library.
extern OpenEdxPublicSignal<LibraryCollectionEvent> LIBRARY_COLLECTION_CREATED;
/// A library collection was updated.
extern OpenEdxPublicSignal<LibraryCollectionEvent> LIBRARY_COLLECTION_UPDATED;
/// A library collection was deleted.
extern OpenEdxPublicSignal<LibraryCollectionEvent> LIBRARY_COLLECTION_DELETED;

/// A container (unit, subsection, section) was created in a content library.
extern OpenEdxPublicSignal<LibraryContainerEvent> LIBRARY_CONTAINER_CREATED;
/// A library container was updated.
extern OpenEdxPublicSignal<LibraryContainerEvent> LIBRARY_CONTAINER_UPDATED;
/// A library container was deleted.
extern OpenEdxPublicSignal<LibraryContainerEvent> LIBRARY_CONTAINER_DELETED;
/// A library container was published (including the publishing of its deletion).
extern OpenEdxPublicSignal<LibraryContainerEvent> LIBRARY_CONTAINER_PUBLISHED;

/// A course import finished.
extern OpenEdxPublicSignal<CourseEvent> COURSE_IMPORT_COMPLETED;
/// A course re-run finished; the payload names the new run.
extern OpenEdxPublicSignal<CourseEvent> COURSE_RERUN_COMPLETED;

/// This subdomain's signals, in upstream definition order.
std::span<SignalBase* const> signals();

}  // namespace openedx_events::content_authoring
