#pragma once
// Host reference for the `gemm` workload: the inputs it uses, one exact output element, and
// the tolerance a device result must meet.
//
// Inputs are pattern values (exact in every dtype) times power-of-two scales, so every product
// a[i,k] * b[k,j] is a power of two and every partial sum is a multiple of
// 0.25 * scale_a * scale_b no larger than k * scale_a * scale_b. Such sums are exact in fp32
// for any k < 2^22 and any summation order, and exact in double always.
//
// Tolerance rule (gemm_tolerance):
//   fp32, tf32: fp32 accumulation of these exact inputs is exact; 4 fp32 ulps at the reference
//     magnitude (at least that of one product, scale_a * scale_b) are allowed for safety. Any
//     real error is a multiple of 0.25 * scale_a * scale_b, far above that.
//   fp16, bf16: C is accumulated in fp32 and rounded once to the output type, i.e. within half
//     an ulp of the output type. Allowed: one ulp of the output type at the reference magnitude
//     plus 4 fp32 ulps of the largest possible |C| (k * scale_a * scale_b) as accumulation
//     slack.

#include "kernels/dtype.hpp"

#include <cstdint>

namespace gpushare::kernels {

/// Sizes, dtype and the input pattern of one GEMM C = A * B (column-major, A m x k, B k x n).
struct gemm_problem {
  dtype type = dtype::fp32;
  int m = 0;
  int n = 0;
  int k = 0;
  std::uint32_t seed_a = 0xa11ce; ///< pattern seed of A
  std::uint32_t seed_b = 0xb0b;   ///< pattern seed of B
  float scale_a = 1.0f;           ///< power of two multiplying every A value
  float scale_b = 1.0f;           ///< power of two multiplying every B value
};

/// |C| can never exceed this (all products +1), whatever k; it is well inside the fp16 range.
inline constexpr double gemm_max_abs_output = 1024.0;

/// The problem the gemm workload runs. For k > 1024 the inputs are scaled by powers of two
/// whose product is at most 1024 / k, so |C| <= gemm_max_abs_output. Throws usage_error for a
/// dtype launch_gemm does not accept or a non-positive size.
[[nodiscard]] gemm_problem make_gemm_problem(dtype type, int m, int n, int k);

/// A[row, col] (row < m, col < k) exactly as the device holds it; element index row + col*m.
[[nodiscard]] float gemm_a_value(const gemm_problem& problem, int row, int col);
/// B[row, col] (row < k, col < n) exactly as the device holds it; element index row + col*k.
[[nodiscard]] float gemm_b_value(const gemm_problem& problem, int row, int col);

/// C[row, col] = sum over kk of A[row, kk] * B[kk, col], computed in double (exact, see
/// above). O(k) work.
[[nodiscard]] double gemm_reference_element(const gemm_problem& problem, int row, int col);

/// Largest |device - reference| accepted for an element whose exact value is `reference`,
/// by the rule stated at the top of this file.
[[nodiscard]] double gemm_tolerance(const gemm_problem& problem, double reference);

} // namespace gpushare::kernels
