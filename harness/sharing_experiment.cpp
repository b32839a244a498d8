#include "harness/sharing_experiment.hpp"

#include "harness/timeslice_probe.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace gpushare {
namespace {

void merge_failure(tenant_record& tenant, const tenant_outcome& outcome, const char* phase) {
  if (outcome.status == "ok") {
    return;
  }
  // A timeout outranks a failure in the record: it is the one the user must act on first.
  if (tenant.status == "ok" || outcome.status == "timeout") {
    tenant.status = outcome.status;
  }
  tenant.failure +=
      (tenant.failure.empty() ? "" : "; ") + fmt::format("{} phase: {}", phase, outcome.failure);
  tenant.stderr_tail += outcome.stderr_tail;
}

bool measured(const std::optional<workload_result>& result) {
  return result && result->iterations > 0;
}

/// Runs one phase with the GPUs sampled while it lasts; the sampler's thread is joined on
/// every exit path (its destructor), also when the phase throws.
std::vector<tenant_outcome> sampled_phase(const sharing_plan& plan, run_record& run,
                                          const std::vector<tenant_plan>& tenants,
                                          const tenant_launch& launch, const char* phase,
                                          std::optional<int> tenant,
                                          const released_hook& on_released = {}) {
  if (plan.telemetry.source == nullptr || plan.telemetry.gpu_uuids.empty()) {
    return run_tenant_phase(tenants, launch, on_released);
  }
  telemetry_sampler sampler(plan.telemetry, phase, tenant);
  sampler.start();
  std::vector<tenant_outcome> outcomes = run_tenant_phase(tenants, launch, on_released);
  run.telemetry.push_back(sampler.stop());
  return outcomes;
}

} // namespace

aggregate_figures aggregate_tenants(const std::vector<tenant_record>& tenants) {
  aggregate_figures aggregate;
  std::vector<double> normalized;
  std::vector<double> slowdowns;
  std::vector<std::uint64_t> starts;
  double solo_sum = 0;
  double shared_sum = 0;
  for (const auto& tenant : tenants) {
    if (tenant.status != "ok" || !measured(tenant.solo) || !measured(tenant.shared)) {
      continue;
    }
    solo_sum += tenant.solo->throughput_per_s.median;
    shared_sum += tenant.shared->throughput_per_s.median;
    normalized.push_back(tenant.shared->throughput_per_s.median /
                         tenant.solo->throughput_per_s.median);
    if (tenant.slowdown) {
      slowdowns.push_back(*tenant.slowdown);
    }
    starts.push_back(tenant.shared->first_iteration_start_ns);
  }
  if (normalized.empty()) {
    return aggregate;
  }
  aggregate.throughput_ratio = shared_sum / solo_sum;
  aggregate.fairness = jain_fairness(normalized);
  if (!slowdowns.empty()) {
    double mean = 0;
    for (const double slowdown : slowdowns) {
      mean += slowdown / static_cast<double>(slowdowns.size());
    }
    aggregate.mechanism_overhead = mean / static_cast<double>(tenants.size()) - 1.0;
  }
  const auto [first, last] = std::minmax_element(starts.begin(), starts.end());
  aggregate.start_skew_us = static_cast<double>(*last - *first) / 1000.0;
  return aggregate;
}

run_record run_sharing_experiment(const sharing_plan& plan, const sharing_hooks& hooks) {
  const auto start = std::chrono::steady_clock::now();
  run_record run;
  run.mode = plan.mode;
  run.params = {{"tenants", std::to_string(plan.tenants.size())},
                {"repetitions", std::to_string(plan.launch.settings.repetitions)}};
  if (plan.launch.settings.duration_s) {
    run.params.emplace_back("duration_s", fmt::format("{}", *plan.launch.settings.duration_s));
  } else {
    run.params.emplace_back(
        "iterations", std::to_string(plan.launch.settings.iterations.value_or(default_iterations)));
  }

  for (const tenant_plan& tenant : plan.tenants) {
    tenant_record record;
    record.id = tenant.id;
    record.workload = tenant.spec.canonical();
    record.status = "ok";
    run.tenants.push_back(record);
  }

  // Solo: each tenant alone, with no sharing mechanism, is the baseline of its slowdown.
  for (std::size_t i = 0; i < plan.tenants.size(); ++i) {
    const std::vector<tenant_outcome> solo =
        sampled_phase(plan, run, {plan.tenants[i]}, plan.launch, "solo", plan.tenants[i].id);
    run.tenants[i].solo = solo.front().result;
    merge_failure(run.tenants[i], solo.front(), "solo");
  }

  std::vector<tenant_plan> shared = plan.tenants;
  const std::map<std::string, std::string> mechanism =
      hooks.before_shared ? hooks.before_shared() : std::map<std::string, std::string>{};
  for (std::size_t i = 0; i < shared.size(); ++i) {
    shared[i].environment.insert(mechanism.begin(), mechanism.end());
    if (i < plan.shared_environment.size()) {
      for (const auto& [name, value] : plan.shared_environment[i]) {
        shared[i].environment[name] = value;
      }
    }
    shared[i].unset_environment = plan.shared_unset_environment;
    run.tenants[i].environment = shared[i].environment;
  }
  tenant_launch shared_launch = plan.launch;
  shared_launch.device = plan.shared_device.value_or(plan.launch.device);
  // Tenants that each decided alone when to stop would leave the last ones running without
  // the others; together they run a fixed count: the most any tenant needed alone.
  if (plan.launch.settings.max_repetitions > plan.launch.settings.repetitions) {
    int needed = plan.launch.settings.repetitions;
    for (const auto& tenant : run.tenants) {
      if (tenant.solo) {
        needed = std::max(needed, static_cast<int>(tenant.solo->iteration_time_us.count));
      }
    }
    shared_launch.settings.repetitions = needed;
    shared_launch.settings.max_repetitions = needed;
    run.params.emplace_back("shared_repetitions", std::to_string(needed));
  }
  const std::vector<tenant_outcome> together =
      sampled_phase(plan, run, shared, shared_launch, "shared", std::nullopt, hooks.on_released);
  for (std::size_t i = 0; i < together.size(); ++i) {
    tenant_record& tenant = run.tenants[i];
    tenant.shared = together[i].result;
    merge_failure(tenant, together[i], "shared");
    if (tenant.status == "ok" && measured(tenant.solo) && measured(tenant.shared)) {
      tenant.slowdown = tenant.shared->latency_us.p50 / tenant.solo->latency_us.p50;
      tenant.p99_inflation = tenant.shared->latency_us.p99 / tenant.solo->latency_us.p99;
    }
  }

  run.aggregate = aggregate_tenants(run.tenants);
  // Every mechanism gets the probe: under MPS or MIG it shows that the tenants did not alternate.
  if (const std::vector<traced_tenant> traced = shared_spin_traces(run.tenants);
      traced.size() >= 2) {
    run.timeslice_probe = analyze_timeslice(traced);
  }
  bool noisy = false;
  bool any_failed = false;
  bool host_only = true;
  for (const auto& tenant : run.tenants) {
    any_failed = any_failed || tenant.status != "ok";
    for (const auto* result : {&tenant.solo, &tenant.shared}) {
      if (*result) {
        noisy = noisy || (*result)->throughput_per_s.noisy;
        host_only = host_only && (*result)->host_only;
      }
    }
  }
  if (host_only) {
    run.flags.push_back("host_instruments_only");
  }
  if (noisy) {
    run.flags.push_back("noisy");
  }
  if (any_failed) {
    run.flags.push_back("tenant_failed");
  }
  add_telemetry_flags(run.telemetry, run.flags);
  run.wall_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

} // namespace gpushare
