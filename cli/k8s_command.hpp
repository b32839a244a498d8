#pragma once
// `gpushare-bench k8s ...`: Kubernetes and MPS service artifacts as YAML and files.

#include <CLI/CLI.hpp>

#include <functional>
#include <ostream>
#include <string>

namespace gpushare::cli {

struct k8s_arguments {
  std::string action; ///< the k8s sub-subcommand that was given
};

/// Declares `k8s` and its subcommands on `app`; `on_selected` runs when `k8s` was given.
void add_k8s_subcommand(CLI::App& app, k8s_arguments& arguments,
                        const std::function<void()>& on_selected);

/// Runs the parsed `k8s` command; returns the exit code (throws gpushare::error subclasses).
int run_k8s_command(const k8s_arguments& arguments, std::ostream& out);

} // namespace gpushare::cli
