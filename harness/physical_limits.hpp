#pragma once
// Every workload's rate against the matching limit of the card, measured by --mode calibrate
// in the same run: GEMM TFLOP/s against the cuBLAS peak of its dtype, memory-bound bytes per
// second against device memory bandwidth, the streams copy stages against the host links. A
// rate clearly above its limit means the work was counted wrongly or not done at all, so such
// a run is an error, never a record.

#include "harness/records.hpp"

#include <string>
#include <vector>

namespace gpushare {

/// How far above a limit a rate may land before it counts as impossible. The limit is a median
/// of repetitions timed with CUDA events; a workload timed on the host clock, on other sizes,
/// can come a few percent close from either side without any error. The margin is taken on
/// top of the upper end of the limit's interval.
inline constexpr double limit_tolerance = 0.10;

/// Shared-phase rates of several tenants only add up when the tenants ran at the same time:
/// the fraction of their joint time span during which all of them were timing.
inline constexpr double min_tenant_overlap = 0.9;

/// The checks that apply to one measured workload (none for host-*, infer, spin, or a dtype
/// the calibration did not measure).
[[nodiscard]] std::vector<limit_check> check_against_limits(const workload_result& result,
                                                            const calibration_result& limits);

/// True when an enforced check's rate is above the limit by more than the tolerance.
[[nodiscard]] bool exceeds_limit(const limit_check& check);

/// Fills the checks of every tenant phase and the shared phase's sums (run.limits; for a
/// streams run, the copy pipeline's host-to-device and device-to-host stages). When an
/// enforced check exceeds its limit, the run becomes failed with the flag
/// "above_physical_limit" and a reason naming the tenant, the rate and the limit. Returns one
/// sentence per violation (empty when none).
///
/// `calibration_flags` are the flags of the calibrate run: limits measured while the GPU was
/// throttled, its clock drifted or the figures were noisy are reported but never enforced. A
/// mig run is not checked against the limits of a single MIG instance.
std::vector<std::string> apply_limits(run_record& run, const calibration_result& limits,
                                      const std::vector<std::string>& calibration_flags = {});

/// The latest successful calibrate run among `runs`, if any.
[[nodiscard]] const run_record* latest_calibration(const std::vector<run_record>& runs);

/// How much of the tenants' joint shared-phase time span all of them spent timing (0-1),
/// estimated from each one's first iteration start and its iterations times mean iteration
/// time; empty when a tenant's start is unknown. Exposed for tests.
[[nodiscard]] std::optional<double> shared_overlap(const std::vector<tenant_record>& tenants);

} // namespace gpushare
