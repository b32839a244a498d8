#pragma once
// --mode timeslice and --mode mps as the command line runs them: tenant plans from the
// options, the private MPS daemon around the shared phase, and the checks that keep the tool
// away from daemons it did not start.

#include "harness/records.hpp"
#include "harness/run_config.hpp"
#include "harness/telemetry_sampler.hpp"
#include "harness/tenant_runner.hpp"

#include <string>

namespace gpushare::cli {

/// Measures `mode` ("timeslice" or "mps"). `gpu` (null for host-only tenants) is the device
/// the MPS daemon is given, by its uuid (a MIG instance's own on a MIG-enabled GPU). Throws
/// environment_error when an MPS daemon the tool did not start is running (unless
/// --mps-use-existing) or its own cannot start. `telemetry` samples the GPU of `gpu` during
/// every phase when it has a source.
[[nodiscard]] run_record measure_sharing(const run_config& config, const std::string& mode,
                                         const gpu_info* gpu,
                                         const telemetry_settings& telemetry = {});

/// True when every tenant workload is a host-* test instrument (no GPU needed).
[[nodiscard]] bool host_only_workloads(const run_config& config);

/// Default tenant timeout: generous against the planned time of one phase [seconds].
[[nodiscard]] double default_tenant_timeout_s(const run_config& config);

/// How every tenant of a run is started: this program, the measurement settings of `config`,
/// its tenant timeout, and `scratch_directory` for their stderr files.
[[nodiscard]] tenant_launch tenant_launch_for(const run_config& config,
                                              const std::string& scratch_directory);

} // namespace gpushare::cli
