#pragma once
// `gpushare-bench report FILE... -o DIR`: renders JSON reports and Google Benchmark JSON of
// bench/ as DIR/index.html (one self-contained page with inline SVG charts), DIR/report.md and
// one CSV per table. Exit 0 when written, 2 for an unreadable or malformed file (named with
// the field), a bad --fleet or --latency-bound, or an unusable output directory.

#include <CLI/CLI.hpp>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace gpushare::cli {

struct report_arguments {
  std::vector<std::string> files;
  std::string output_dir;
  std::string fleet;         ///< --fleet COUNTxSIZE; "" = none
  std::string latency_bound; ///< --latency-bound MS; "" = none
};

void add_report_subcommand(CLI::App& app, report_arguments& arguments,
                           const std::function<void()>& on_selected);

/// Writes the files and lists them on `out`; throws usage_error (exit 2) for bad input.
int run_report_command(const report_arguments& arguments, std::ostream& out);

} // namespace gpushare::cli
