#pragma once
// `gpushare-bench mig ...`: the MIG profile catalog, geometry validation and planning.

#include <CLI/CLI.hpp>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace gpushare::cli {

struct mig_arguments {
  std::string action; ///< the mig sub-subcommand given: "profiles", "validate", "plan", "instances"
  std::string gpu;    ///< --gpu MODEL (board key or product name), or "live"
  int device = 0;     ///< --device N: nvidia-smi's GPU index, for --gpu live and instances
  std::string nvidia_smi = "nvidia-smi"; ///< --nvidia-smi PATH
  std::string geometry;                  ///< validate --geometry "3g.40gb,2x2g.20gb"
  std::vector<std::string> needs;        ///< plan --need SIZE:COUNT, one entry per option
};

/// Declares `mig` and its subcommands on `app`; `on_selected` runs when `mig` was given.
void add_mig_subcommand(CLI::App& app, mig_arguments& arguments,
                        const std::function<void()>& on_selected);

/// Runs the parsed `mig` command; returns the exit code (throws gpushare::error subclasses).
int run_mig_command(const mig_arguments& arguments, std::ostream& out);

} // namespace gpushare::cli
