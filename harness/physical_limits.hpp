#pragma once
// Every workload's rate against the matching limit of the card, measured by --mode calibrate
// in the same run: GEMM TFLOP/s against the cuBLAS peak of its dtype, memory-bound bytes per
// second against the device copy bandwidth. A rate clearly above its limit means the work was
// counted wrongly or not done at all, so such a run is an error, never a record.

#include "harness/records.hpp"

#include <string>
#include <vector>

namespace gpushare {

/// How far above a limit a rate may land before it counts as impossible. The limit is a median
/// of repetitions timed with CUDA events; a workload timed on the host clock, on other sizes,
/// can come a few percent close from either side without any error.
inline constexpr double limit_tolerance = 0.10;

/// The checks that apply to one measured workload (none for host-*, infer, spin, or a dtype
/// the calibration did not measure).
[[nodiscard]] std::vector<limit_check> check_against_limits(const workload_result& result,
                                                            const calibration_result& limits);

/// Fills the checks of every tenant phase and the shared phase's sums (run.limits; for a
/// streams run, the copy pipeline's host-to-device and device-to-host stages). When an
/// enforced check exceeds 1 + limit_tolerance, the run becomes failed with the flag
/// "above_physical_limit" and a reason naming the tenant, the rate and the limit. Returns one
/// sentence per violation (empty when none).
std::vector<std::string> apply_limits(run_record& run, const calibration_result& limits);

/// The latest successful calibration among `runs`, if any.
[[nodiscard]] const calibration_result* latest_calibration(const std::vector<run_record>& runs);

} // namespace gpushare
