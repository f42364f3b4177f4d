# `cmake --install` puts the headers, the library and a CMake package config in place, so that a
# downstream project writes `find_package(openedx_events)` and links `openedx_events::openedx_events`.
include(CMakePackageConfigHelpers)

install(TARGETS openedx_events EXPORT openedx_events_targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/openedx_events DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/include/openedx_events/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/openedx_events)
install(EXPORT openedx_events_targets NAMESPACE openedx_events::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/openedx_events)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/openedx_eventsConfig.cmake.in
  ${PROJECT_BINARY_DIR}/openedx_eventsConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/openedx_events)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/openedx_eventsConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/openedx_eventsConfig.cmake ${PROJECT_BINARY_DIR}/openedx_eventsConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/openedx_events)
