#pragma once
// The measurement loop shared by every mode that runs a workload: set up, verify against the
// host reference, warm up, then R repetitions of timed iterations.

#include "harness/records.hpp"
#include "harness/workload.hpp"

#include <cstdint>
#include <functional>
#include <optional>

namespace gpushare {

struct measure_settings {
  int warmup_iterations = 3;
  int repetitions = 5; ///< at least this many
  /// More repetitions, up to this many, while the iteration time's CV is above noise_threshold
  /// (see stopping_rule.hpp); 0 = exactly `repetitions`.
  int max_repetitions = 0;
  /// Iterations per repetition; when neither this nor duration_s is set, default_iterations.
  std::optional<std::uint64_t> iterations;
  /// Per repetition: iterate until this much time has passed [seconds].
  std::optional<double> duration_s;
  double noise_threshold = default_noise_threshold;
  /// Seed of the open-loop arrival process (workloads with rate=); fixed so runs repeat.
  std::uint64_t arrival_seed = 1;
};

inline constexpr std::uint64_t default_iterations = 20;

/// Called between warm-up and the first timed iteration: a tenant reports "ready" here and
/// waits for the barrier that releases all tenants together. Empty = no pause.
using before_timing_hook = std::function<void()>;

/// Measures `work` as `spec` describes it. A spec with rate > 0 runs open loop: Poisson
/// arrivals at that rate, latency from each request's scheduled arrival. When the device output
/// does not match the host reference, returns at once with the failed verification and no timings:
/// a wrong kernel's speed is not a result. Every iteration's latency (host monotonic clock around
/// launch and synchronise) goes into the histogram; each repetition contributes one mean iteration
/// time and one throughput sample. work.on_timing_start() runs after warm-up and before
/// `before_timing`, work.add_evidence() after the last timed iteration.
[[nodiscard]] workload_result measure_workload(workload& work, const workload_spec& spec,
                                               const measure_settings& settings,
                                               const before_timing_hook& before_timing = {});

/// CLOCK_MONOTONIC now [ns]: one clock for every process on the machine, so tenants' start
/// times can be compared.
[[nodiscard]] std::uint64_t monotonic_now_ns();

} // namespace gpushare
