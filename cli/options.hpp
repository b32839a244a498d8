#pragma once
// The command-line grammar: every option, its range and its help text, bound to plain values.
// Parsing produces an `invocation`; nothing here measures or prints results.

#include "harness/run_config.hpp"

#include <CLI/CLI.hpp>

#include <string>

namespace gpushare::cli {

enum class command { run, probe };

struct invocation {
  command what = command::run;
  run_config config;
  std::string probe_json_path; ///< probe --json FILE; "" = none
};

/// The modes --mode accepts, in the order --help lists them.
[[nodiscard]] const std::vector<std::string>& mode_names();

/// Declares every option and subcommand on `app`, writing parsed values into `result`.
void configure_parser(CLI::App& app, invocation& result);

/// Checks what CLI11 cannot express (a mode is required without a subcommand, workload specs
/// are valid, the JSON directory exists) and fills derived values. Throws usage_error.
void finish_invocation(invocation& result);

} // namespace gpushare::cli
