#pragma once
// Host reference for the `infer` workload: the whole decode step computed on the host, rounded
// to the storage type after each GEMM and each elementwise pass exactly where the device stores
// a value, and the tolerance a device result must meet.
//
// Tolerance rule (infer_tolerance). Each GEMM sum is formed here in double and rounded to
// float and then to the storage type, which is how cuBLAS stores an fp32 accumulator into C.
// The device's fp32 accumulation differs from the exact sum by at most about
// hidden * 2^-24 * |sum| (any order, even truncating accumulators), and near a rounding
// boundary that can move a stored value by one ulp of the storage type. The bias + ReLU pass is
// the same float arithmetic on both sides. A layer does not amplify the errors it receives in
// mean square (weight_scale^2 * hidden <= 1), and such flips are rare and scattered, so per
// layer 2 ulps of the storage type at the largest activation magnitude M (at least 1) plus
// hidden * 2^-24 * M are allowed, summed over the layers. A wrong result (a missing layer, a
// transposed or zeroed matrix) is off by O(1), far above that.

#include "kernels/infer_problem.hpp"

#include <vector>

namespace gpushare::kernels {

/// The reference output of one step and what the tolerance needs to know.
struct infer_reference_result {
  int columns = 0;                 ///< batch columns computed (the first ones)
  std::vector<float> output;       ///< hidden x columns, column-major, storage-type values
  double max_abs_activation = 0.0; ///< largest |value| stored by any layer (GEMM or bias+ReLU)
};

/// Runs the step on the host for the first `columns` batch columns (each column of the batch
/// is an independent request, so a prefix is exact). columns outside [1, batch] means all.
/// O(layers * hidden^2 * (columns + 1)) work, O(hidden * columns) memory.
[[nodiscard]] infer_reference_result infer_reference(const infer_problem& problem, int columns = 0);

/// Largest |device - reference| accepted for any output element, by the rule at the top of
/// this file.
[[nodiscard]] double infer_tolerance(const infer_problem& problem, double max_abs_activation);

} // namespace gpushare::kernels
