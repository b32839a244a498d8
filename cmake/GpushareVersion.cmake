# The git sha is regenerated on every build (not only at configure) so --version never
# reports a stale commit; the file is rewritten only when the sha changes.
set(GPUSHARE_VERSION_CPP ${PROJECT_BINARY_DIR}/generated/version.cpp)
add_custom_target(gpushare_version_info
  COMMAND ${CMAKE_COMMAND}
          -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
          -DOUTPUT=${GPUSHARE_VERSION_CPP}
          -DVERSION=${PROJECT_VERSION}
          -P ${PROJECT_SOURCE_DIR}/cmake/WriteVersion.cmake
  BYPRODUCTS ${GPUSHARE_VERSION_CPP}
  COMMENT "Recording the git revision"
  VERBATIM)
