#pragma once
// The measurement loop shared by every mode that runs a workload: set up, verify against the
// host reference, warm up, then R repetitions of timed iterations.

#include "harness/records.hpp"
#include "harness/workload.hpp"

#include <cstdint>
#include <optional>

namespace gpushare {

struct measure_settings {
  int warmup_iterations = 3;
  int repetitions = 5;
  /// Iterations per repetition; when neither this nor duration_s is set, default_iterations.
  std::optional<std::uint64_t> iterations;
  /// Per repetition: iterate until this much time has passed [seconds].
  std::optional<double> duration_s;
  double noise_threshold = default_noise_threshold;
};

inline constexpr std::uint64_t default_iterations = 20;

/// Measures `work` as `spec` describes it. When the device output does not match the host
/// reference, returns at once with the failed verification and no timings: a wrong kernel's
/// speed is not a result. Every iteration's latency (host monotonic clock around launch and
/// synchronise) goes into the histogram; each repetition contributes one mean iteration time
/// and one throughput sample.
[[nodiscard]] workload_result measure_workload(workload& work, const workload_spec& spec,
                                               const measure_settings& settings);

} // namespace gpushare
