#pragma once
// Runs a phase of tenant processes: each tenant is this program re-executed with its hidden
// `tenant` command (fork + exec, so no CUDA state crosses the fork; the parent never needs a
// CUDA context). Tenants set up, verify and warm up, report "ready", and are released
// together by a barrier ("go" to every one); then each measures and reports its result.
// A tenant that crashes, errs or outlives the timeout is recorded and the others are kept.

#include "harness/measure.hpp"
#include "harness/records.hpp"
#include "harness/workload_spec.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace gpushare {

struct tenant_plan {
  int id = 0;
  workload_spec spec;
  std::map<std::string, std::string> environment; ///< on top of the harness's own
  /// Started only once the barrier has released the others, and released as soon as it is
  /// ready: a tenant that must act while the others already run (the isolation experiment's
  /// faulting tenant, or a victim that allocates after the hog holds its memory).
  bool join_after_release = false;
  /// Variables of the harness's environment this tenant must not inherit.
  std::vector<std::string> unset_environment{};
  /// Warm-up iterations of this tenant when not the launch's (a faulting tenant takes none, so
  /// that it faults after the harness has released it and could check it).
  std::optional<int> warmup_iterations{};
};

struct tenant_launch {
  std::string program; ///< the gpushare-bench binary to re-execute
  measure_settings settings;
  int device = 0;
  std::chrono::milliseconds timeout{300000}; ///< per phase, from spawn to result
  std::string scratch_directory;             ///< where tenants' stderr files go
  /// CUDA_MPS_PIPE_DIRECTORY of every tenant whose plan sets none: an empty directory
  /// (make_mps_free_pipe_directory), so that a tenant meant to run without MPS never joins a
  /// daemon the harness did not start. Empty: tenants inherit the harness's own, which is
  /// what --mps-use-existing needs, where that daemon may be the only way onto the GPU.
  std::string mps_free_pipe_directory{};
};

struct tenant_outcome {
  int id = 0;
  std::string status = "ok"; ///< ok | failed | timeout
  std::optional<workload_result> result;
  std::string failure; ///< how it ended when not ok
  std::string stderr_tail;
  /// When it finished (result, error, exit or kill), since the phase started [ms]; -1 when
  /// it was never started.
  double finished_ms = -1;
};

/// Called once the barrier has released the tenants, with their process ids (the MPS mode
/// checks here that every tenant is a client of the server), and again for each tenant that
/// joined after the barrier, when it is released.
using released_hook = std::function<void(const std::vector<pid_t>&)>;

/// Called as soon as a tenant has finished (result, error, exit or kill), with its id, while
/// the others may still run.
using finished_hook = std::function<void(int)>;

/// Runs `tenants` together and returns one outcome per tenant, in order. Throws
/// interrupted_error on SIGINT/SIGTERM after killing and reaping every tenant.
[[nodiscard]] std::vector<tenant_outcome> run_tenant_phase(const std::vector<tenant_plan>& tenants,
                                                           const tenant_launch& launch,
                                                           const released_hook& on_released = {},
                                                           const finished_hook& on_finished = {});

/// The command line a tenant is started with (also shown in error messages).
[[nodiscard]] std::vector<std::string> tenant_command_line(const tenant_plan& tenant,
                                                           const tenant_launch& launch);

/// Path of the running executable (/proc/self/exe).
[[nodiscard]] std::string current_executable();

} // namespace gpushare
