#pragma once
// `gpushare-bench mig ...`: the MIG profile catalog, geometry validation and planning.

#include <CLI/CLI.hpp>

#include <functional>
#include <ostream>
#include <string>

namespace gpushare::cli {

struct mig_arguments {
  std::string action; ///< the mig sub-subcommand that was given
};

/// Declares `mig` and its subcommands on `app`; `on_selected` runs when `mig` was given.
void add_mig_subcommand(CLI::App& app, mig_arguments& arguments,
                        const std::function<void()>& on_selected);

/// Runs the parsed `mig` command; returns the exit code (throws gpushare::error subclasses).
int run_mig_command(const mig_arguments& arguments, std::ostream& out);

} // namespace gpushare::cli
