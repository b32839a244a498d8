#pragma once
// The command-line grammar: every option, its range and its help text, bound to plain values.
// Parsing produces an `invocation`; nothing here measures or prints results.

#include "cli/compare_command.hpp"
#include "cli/k8s_command.hpp"
#include "cli/mig_command.hpp"
#include "cli/report_command.hpp"
#include "cli/tenant_command.hpp"
#include "harness/run_config.hpp"

#include <CLI/CLI.hpp>

#include <string>

namespace gpushare::cli {

enum class command { run, probe, tenant, device_worker, suite, mig, k8s, compare, report };

struct invocation {
  command what = command::run;
  run_config config;
  std::string probe_json_path; ///< probe --json FILE; "" = none
  tenant_arguments tenant;     ///< the hidden tenant command
  bool print_suite = false;    ///< suite --print
  mig_arguments mig;           ///< mig profiles|validate|plan ...
  k8s_arguments k8s;           ///< k8s ...
  compare_arguments compare;   ///< compare BASE NEW
  report_arguments report;     ///< report FILE... -o DIR
};

/// Workload of each tenant when no --workload is given.
inline constexpr const char* default_tenant_workload = "gemm";
/// Seconds per repetition for tenant modes when neither --iterations nor --duration is given.
inline constexpr double default_tenant_duration_s = 0.5;

/// The modes --mode accepts, in the order --help lists them.
[[nodiscard]] const std::vector<std::string>& mode_names();

/// True for the modes that run tenant processes (and `all`, which includes them).
[[nodiscard]] bool uses_tenants(const std::string& mode);

/// True for the modes that accept --workload (the tenant modes and mig).
[[nodiscard]] bool takes_workloads(const std::string& mode);

/// Gives every tenant its workload (a single --workload is repeated --tenants times; none
/// means two tenants of the default workload), checks the per-tenant MPS values against the
/// tenant count, and defaults tenant timing to --duration 0.5. Throws usage_error.
void resolve_tenants(run_config& config);

/// Declares every option and subcommand on `app`, writing parsed values into `result`.
void configure_parser(CLI::App& app, invocation& result);

/// Checks what CLI11 cannot express (a mode is required without a subcommand, workload specs
/// are valid, the JSON directory exists) and fills derived values. Throws usage_error.
void finish_invocation(invocation& result);

} // namespace gpushare::cli
