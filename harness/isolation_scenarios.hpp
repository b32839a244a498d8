#pragma once
// The building blocks of the isolation experiment's memory and fault scenarios: one phase of
// tenants with roles, some of them joining only after the others were released (the victim
// that allocates once the hog holds its memory, the tenant that faults while the victims run),
// and, after a fault under MPS, how long until a new client runs again. What a scenario saw is
// recorded into an isolation_cell; harness/isolation_verdict.hpp judges it.

#include "harness/records.hpp"
#include "harness/tenant_runner.hpp"
#include "harness/workload_spec.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gpushare {

struct scenario_tenant {
  std::string role; ///< victim | aggressor
  workload_spec spec;
  std::map<std::string, std::string> environment;
  bool join_after_release = false;
  std::vector<std::string> unset_environment{};
  std::optional<int> warmup_iterations{}; ///< when not the launch's
};

/// Runs `tenants` as one phase (ids in order from 0) and appends each to `cell.tenants`, its
/// outcome as the shared result, with the time it finished as the figure finished_figure(id).
/// Throws interrupted_error on SIGINT/SIGTERM like run_tenant_phase.
void run_scenario_phase(isolation_cell& cell, const std::vector<scenario_tenant>& tenants,
                        const tenant_launch& launch, const released_hook& on_released = {},
                        const finished_hook& on_finished = {});

struct recovery_result {
  std::optional<double> ms; ///< until the first probe that finished; empty when none did
  int attempts = 0;
  std::vector<std::string> failures; ///< distinct ways the probes failed before
};

/// Starts `probe` again and again, each time a fresh process, `pause` apart, until one finishes
/// its measurement or `deadline` has passed since `since` (the end of the faulting phase, from
/// which the recovery time is counted).
[[nodiscard]] recovery_result measure_recovery(const tenant_plan& probe,
                                               const tenant_launch& launch,
                                               std::chrono::steady_clock::time_point since,
                                               std::chrono::milliseconds deadline,
                                               std::chrono::milliseconds pause);

} // namespace gpushare
