#pragma once
// Suites: which measurements `--mode all` (or `--suite FILE`) runs. A suite is a small text
// document (see suites/default.suite): `key = value` lines, global settings first, then one
// [run] section per measurement. Everything is validated before anything runs; an error
// names the file, the line and the field.

#include "harness/run_config.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace gpushare {
/// The text of suites/default.suite, compiled into the binary.
const char* default_suite_text();
} // namespace gpushare

namespace gpushare::cli {

/// Name under which the embedded suite appears in messages and reports.
inline constexpr const char* default_suite_name = "(embedded default suite)";

/// Turns the suite into one resolved run_config per [run], each starting from `base` (the
/// command line's settings). Throws usage_error "suite SOURCE:LINE: field 'KEY': ..." on the
/// first problem.
[[nodiscard]] std::vector<run_config> expand_suite(std::string_view text, const std::string& source,
                                                   const run_config& base);

/// Reads a suite file; throws usage_error naming the file when it cannot be read.
[[nodiscard]] std::string read_suite_file(const std::string& path);

} // namespace gpushare::cli
