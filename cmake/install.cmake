# Install and export ppx as a CMake package (ppxConfig.cmake + version file) and pkg-config file.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
set(ppx_installed_targets ppx ppx_tls)
if(TARGET ppx_redis)
  list(APPEND ppx_installed_targets ppx_redis)
endif()
install(TARGETS ${ppx_installed_targets} EXPORT ppxTargets)
install(EXPORT ppxTargets NAMESPACE ppx:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ppx)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ppxConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ppxConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ppx)
# Header-only: the package is usable from any architecture of the same compiler family.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ppxConfigVersion.cmake
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/ppxConfig.cmake ${PROJECT_BINARY_DIR}/ppxConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ppx)

configure_file(${PROJECT_SOURCE_DIR}/cmake/ppx.pc.in ${PROJECT_BINARY_DIR}/ppx.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ppx.pc DESTINATION ${CMAKE_INSTALL_DATADIR}/pkgconfig)
