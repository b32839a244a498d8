#pragma once
// Filled in at build time from the project version and the git revision (see
// cmake/WriteVersion.cmake).

namespace gpushare {
const char* tool_version();
const char* tool_git_sha();
bool tool_git_dirty();
} // namespace gpushare
