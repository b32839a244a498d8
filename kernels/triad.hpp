#pragma once
// `triad` (STREAM): a[i] = b[i] + s * c[i]. Memory bound: 2 FLOP and three element transfers
// (two loads, one store) per element.

#include "kernels/dtype.hpp"
#include "kernels/hd.hpp"
#include "kernels/pattern.hpp"

#include <cuda_runtime_api.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace gpushare::kernels {

/// The scalar s the triad workload uses. 3 keeps b + s*c exact for pattern inputs.
inline constexpr double triad_scalar = 3.0;

/// Pattern seeds of the triad workload's inputs b and c.
inline constexpr std::uint32_t triad_seed_b = 0x7b1u;
inline constexpr std::uint32_t triad_seed_c = 0x7c1u;

/// One fp32 triad element, b + s*c with a single rounding (fused multiply-add). fmaf rounds
/// once on the host (C library) and on the device alike, so host and device agree bit for bit
/// whatever contraction the compiler would otherwise choose.
GPUSHARE_HD inline float triad_element(float b, float s, float c) {
  return fmaf(s, c, b);
}

/// One fp64 triad element, b + s*c with a single rounding (fused multiply-add).
GPUSHARE_HD inline double triad_element(double b, double s, double c) {
  return fma(s, c, b);
}

/// The value a[index] must hold after the triad workload's kernel (inputs b and c filled with
/// the pattern of triad_seed_b and triad_seed_c, s = triad_scalar), computed in `type` (fp32
/// or fp64) exactly as the device computes it and widened to double. Host only.
[[nodiscard]] inline double triad_reference_value(dtype type, std::uint64_t index) {
  const float b = pattern_value(index, triad_seed_b);
  const float c = pattern_value(index, triad_seed_c);
  if (type == dtype::fp64) {
    return triad_element(static_cast<double>(b), triad_scalar, static_cast<double>(c));
  }
  return static_cast<double>(triad_element(b, static_cast<float>(triad_scalar), c));
}

/// Enqueues a[i] = triad_element(b[i], s, c[i]) for i in [0, n) on `stream` (grid-stride
/// loop). Device pointers; a may not alias b or c. n == 0 enqueues nothing.
void launch_triad(float* a, const float* b, const float* c, float s, std::size_t n,
                  cudaStream_t stream);
/// fp64 overload of launch_triad.
void launch_triad(double* a, const double* b, const double* c, double s, std::size_t n,
                  cudaStream_t stream);

} // namespace gpushare::kernels
