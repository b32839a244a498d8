#pragma once
// Runs the measuring modes (--mode ...): checks the machine, measures, prints tables and keeps
// the JSON report up to date after every phase.

#include "harness/run_config.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace gpushare::cli {

/// Returns the exit code. Throws gpushare::error for failures that end the run; by then the
/// report (if --json was given) already records the error.
int run_modes(const run_config& config, const std::vector<std::string>& argv, std::ostream& out,
              std::ostream& progress);

} // namespace gpushare::cli
