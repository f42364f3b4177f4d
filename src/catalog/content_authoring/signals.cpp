// The `content_authoring` signals: one definition per event type, registered at static
// initialization.
#include "openedx_events/catalog/content_authoring/signals.hpp"

namespace openedx_events::content_authoring {

OpenEdxPublicSignal<CourseCatalogEvent> COURSE_CATALOG_INFO_CHANGED{
    "org.openedx.content_authoring.course.catalog_info.changed.v1"};
OpenEdxPublicSignal<XBlockEvent> XBLOCK_CREATED{"org.openedx.content_authoring.xblock.created.v1"};
OpenEdxPublicSignal<XBlockEvent> XBLOCK_UPDATED{"org.openedx.content_authoring.xblock.updated.v1"};
OpenEdxPublicSignal<XBlockEvent> XBLOCK_PUBLISHED{"org.openedx.content_authoring.xblock.published.v1"};
OpenEdxPublicSignal<XBlockEvent> XBLOCK_DELETED{"org.openedx.content_authoring.xblock.deleted.v1"};
OpenEdxPublicSignal<DuplicatedXBlockEvent> XBLOCK_DUPLICATED{"org.openedx.content_authoring.xblock.duplicated.v1"};
OpenEdxPublicSignal<CertificateConfigEvent> COURSE_CERTIFICATE_CONFIG_CHANGED{
    "org.openedx.content_authoring.course.certificate_config.changed.v1"};
OpenEdxPublicSignal<CertificateConfigEvent> COURSE_CERTIFICATE_CONFIG_DELETED{
    "org.openedx.content_authoring.course.certificate_config.deleted.v1"};
OpenEdxPublicSignal<CourseEvent> COURSE_CREATED{"org.openedx.content_authoring.course.created.v1"};
OpenEdxPublicSignal<ContentLibraryEvent> CONTENT_LIBRARY_CREATED{
    "org.openedx.content_authoring.content_library.created.v1"};
OpenEdxPublicSignal<ContentLibraryEvent> CONTENT_LIBRARY_UPDATED{
    "org.openedx.content_authoring.content_library.updated.v1"};
OpenEdxPublicSignal<ContentLibraryEvent> CONTENT_LIBRARY_DELETED{
    "org.openedx.content_authoring.content_library.deleted.v1"};
OpenEdxPublicSignal<LibraryBlockEvent> LIBRARY_BLOCK_CREATED{"org.openedx.content_authoring.library_block.created.v1"};
OpenEdxPublicSignal<LibraryBlockEvent> LIBRARY_BLOCK_UPDATED{"org.openedx.content_authoring.library_block.updated.v1"};
OpenEdxPublicSignal<LibraryBlockEvent> LIBRARY_BLOCK_DELETED{"org.openedx.content_authoring.library_block.deleted.v1"};
OpenEdxPublicSignal<LibraryBlockEvent> LIBRARY_BLOCK_PUBLISHED{
    "org.openedx.content_authoring.library_block.published.v1"};
OpenEdxPublicSignal<ContentObjectChangedEvent> CONTENT_OBJECT_ASSOCIATIONS_CHANGED{
    "org.openedx.content_authoring.content.object.associations.changed.v1"};
OpenEdxPublicSignal<ContentObjectEvent> CONTENT_OBJECT_TAGS_CHANGED{
    "org.openedx.content_authoring.content.object.tags.changed.v1"};
OpenEdxPublicSignal<LibraryCollectionEvent> LIBRARY_COLLECTION_CREATED{
    "org.openedx.content_authoring.content_library.collection.created.v1"};
OpenEdxPublicSignal<LibraryCollectionEvent> LIBRARY_COLLECTION_UPDATED{
    "org.openedx.content_authoring.content_library.collection.updated.v1"};
OpenEdxPublicSignal<LibraryCollectionEvent> LIBRARY_COLLECTION_DELETED{
    "org.openedx.content_authoring.content_library.collection.deleted.v1"};
OpenEdxPublicSignal<LibraryContainerEvent> LIBRARY_CONTAINER_CREATED{
    "org.openedx.content_authoring.content_library.container.created.v1"};
OpenEdxPublicSignal<LibraryContainerEvent> LIBRARY_CONTAINER_UPDATED{
    "org.openedx.content_authoring.content_library.container.updated.v1"};
OpenEdxPublicSignal<LibraryContainerEvent> LIBRARY_CONTAINER_DELETED{
    "org.openedx.content_authoring.content_library.container.deleted.v1"};
OpenEdxPublicSignal<LibraryContainerEvent> LIBRARY_CONTAINER_PUBLISHED{
    "org.openedx.content_authoring.content_library.container.published.v1"};
OpenEdxPublicSignal<CourseEvent> COURSE_IMPORT_COMPLETED{"org.openedx.content_authoring.course.import.completed.v1"};
OpenEdxPublicSignal<CourseEvent> COURSE_RERUN_COMPLETED{"org.openedx.content_authoring.course.rerun.completed.v1"};

std::span<SignalBase* const> signals() {
  static SignalBase* const list[] = {
      &COURSE_CATALOG_INFO_CHANGED,
      &XBLOCK_CREATED,
      &XBLOCK_UPDATED,
      &XBLOCK_PUBLISHED,
      &XBLOCK_DELETED,
      &XBLOCK_DUPLICATED,
      &COURSE_CERTIFICATE_CONFIG_CHANGED,
      &COURSE_CERTIFICATE_CONFIG_DELETED,
      &COURSE_CREATED,
      &CONTENT_LIBRARY_CREATED,
      &CONTENT_LIBRARY_UPDATED,
      &CONTENT_LIBRARY_DELETED,
      &LIBRARY_BLOCK_CREATED,
      &LIBRARY_BLOCK_UPDATED,
      &LIBRARY_BLOCK_DELETED,
      &LIBRARY_BLOCK_PUBLISHED,
      &CONTENT_OBJECT_ASSOCIATIONS_CHANGED,
      &CONTENT_OBJECT_TAGS_CHANGED,
      &LIBRARY_COLLECTION_CREATED,
      &LIBRARY_COLLECTION_UPDATED,
      &LIBRARY_COLLECTION_DELETED,
      &LIBRARY_CONTAINER_CREATED,
      &LIBRARY_CONTAINER_UPDATED,
      &LIBRARY_CONTAINER_DELETED,
      &LIBRARY_CONTAINER_PUBLISHED,
      &COURSE_IMPORT_COMPLETED,
      &COURSE_RERUN_COMPLETED,
  };
  return list;
}

}  // namespace openedx_events::content_authoring
