#include "harness/isolation_scenarios.hpp"

#include "common/interrupt.hpp"
#include "harness/isolation_verdict.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <thread>

namespace gpushare {

void run_scenario_phase(isolation_cell& cell, const std::vector<scenario_tenant>& tenants,
                        const tenant_launch& launch, const released_hook& on_released,
                        const finished_hook& on_finished) {
  std::vector<tenant_plan> plans;
  for (std::size_t i = 0; i < tenants.size(); ++i) {
    plans.push_back({static_cast<int>(i), tenants[i].spec, tenants[i].environment,
                     tenants[i].join_after_release, tenants[i].unset_environment,
                     tenants[i].warmup_iterations});
  }
  const std::vector<tenant_outcome> outcomes =
      run_tenant_phase(plans, launch, on_released, on_finished);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const tenant_outcome& outcome = outcomes[i];
    tenant_record record;
    record.id = outcome.id;
    record.role = tenants[i].role;
    record.workload = tenants[i].spec.canonical();
    record.status = outcome.status;
    record.environment = tenants[i].environment;
    record.shared = outcome.result;
    record.failure = outcome.failure;
    record.stderr_tail = outcome.stderr_tail;
    if (outcome.finished_ms >= 0) {
      cell.figures[finished_figure(record.id)] = outcome.finished_ms;
    }
    cell.tenants.push_back(std::move(record));
  }
}

recovery_result measure_recovery(const tenant_plan& probe, const tenant_launch& launch,
                                 std::chrono::steady_clock::time_point since,
                                 std::chrono::milliseconds deadline,
                                 std::chrono::milliseconds pause) {
  using clock = std::chrono::steady_clock;
  const auto start = since;
  recovery_result recovery;
  while (true) {
    throw_if_interrupted();
    ++recovery.attempts;
    const tenant_outcome outcome = run_tenant_phase({probe}, launch).front();
    if (outcome.status == "ok") {
      recovery.ms = std::chrono::duration<double, std::milli>(clock::now() - start).count();
      return recovery;
    }
    // The CUDA error is what tells "the server is not ready" from anything else; the text
    // around it changes with every attempt.
    const std::vector<std::string> errors = cuda_error_names(outcome.failure);
    const std::string failure = errors.empty() ? outcome.failure.substr(0, 200)
                                               : fmt::format("{}", fmt::join(errors, ", "));
    if (std::find(recovery.failures.begin(), recovery.failures.end(), failure) ==
        recovery.failures.end()) {
      recovery.failures.push_back(failure);
    }
    if (clock::now() - start + pause >= deadline) {
      return recovery;
    }
    std::this_thread::sleep_for(pause);
  }
}

} // namespace gpushare
