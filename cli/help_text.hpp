#pragma once
// Long help shown after the option list of --help: what each mode measures, the workloads and
// their keys, the output and the exit codes.

#include <string>

namespace gpushare::cli {

[[nodiscard]] std::string help_footer();
[[nodiscard]] std::string version_text();

} // namespace gpushare::cli
