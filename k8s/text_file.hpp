#pragma once
// Writing an artifact to the path the user named: all of it or none of it, so an interrupted
// or failed write never leaves a half config that `kubectl apply` or systemd would take.

#include <filesystem>
#include <string>

namespace gpushare::k8s {

/// Writes `text` to a temporary file beside `path`, gives it `permissions`, then renames it
/// over `path`. Throws usage_error naming `path` when the directory does not exist or the
/// file cannot be written; the temporary file is removed on every failure.
void write_text_file(const std::string& path, const std::string& text,
                     std::filesystem::perms permissions = std::filesystem::perms::owner_read |
                                                          std::filesystem::perms::owner_write |
                                                          std::filesystem::perms::group_read |
                                                          std::filesystem::perms::others_read);

} // namespace gpushare::k8s
