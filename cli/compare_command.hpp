#pragma once
// `gpushare-bench compare BASE NEW`: the regression gate. Markdown on stdout (or -o FILE);
// exit 1 when a metric got slower beyond --threshold with intervals apart, 0 otherwise, 2 for
// unreadable files or reports measured under different conditions (unless --force).

#include <CLI/CLI.hpp>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace gpushare::cli {

struct compare_arguments {
  std::string base;
  std::string next;
  double threshold_pct = 5;
  std::vector<std::string> metrics; ///< --metric GLOB, repeatable
  bool force = false;
  bool allow_missing = false;
  std::string output; ///< -o FILE; "" = stdout
};

void add_compare_subcommand(CLI::App& app, compare_arguments& arguments,
                            const std::function<void()>& on_selected);

/// Returns the exit code (0 or 1); throws usage_error (exit 2) for bad input.
int run_compare_command(const compare_arguments& arguments, std::ostream& out);

} // namespace gpushare::cli
