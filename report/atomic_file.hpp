#pragma once
// Replacing a file so that readers see either the old contents or the new, never a mix or a
// truncated file, even if the process dies half way (reports are rewritten after every phase).

#include <string>
#include <string_view>

namespace gpushare::report {

/// Writes `contents` to `path` atomically: a temporary file is created in the same directory
/// (so the final rename never crosses a file system), filled, flushed to disk with fsync,
/// closed and renamed over `path`; the directory is then synced so the rename itself is
/// durable. A new file gets mode 0644; a replaced file keeps the permission bits it had.
///
/// The directory of `path` must already exist. On any failure the temporary file is removed,
/// `path` is left as it was, and gpushare::error (exit_code::usage) is thrown whose message
/// names the path, the step that failed and the system error.
void write_file_atomically(const std::string& path, std::string_view contents);

} // namespace gpushare::report
