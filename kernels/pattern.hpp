#pragma once
// Deterministic input values. Every workload fills its inputs with pattern_value(index, seed,
// scale): one of {-1, -0.5, 0.5, 1} times a power-of-two scale. Those values are exact in
// fp64, fp32, tf32, fp16 and bf16, so a host reference can regenerate any input element
// exactly from its index, without copying inputs back from the device.

#include "kernels/dtype.hpp"
#include "kernels/hd.hpp"

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace gpushare::kernels {

/// A cheap 32-bit avalanche hash of (index, seed): every input bit affects every output bit,
/// so neighbouring indices give unrelated values. Not cryptographic; only reproducible.
GPUSHARE_HD inline std::uint32_t pattern_hash(std::uint64_t index, std::uint32_t seed) {
  std::uint32_t x = static_cast<std::uint32_t>(index) ^ (seed * 0x9e3779b9u);
  x ^= static_cast<std::uint32_t>(index >> 32) * 0x85ebca6bu;
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

/// The input value at `index` for `seed`: one of {-1, -0.5, 0.5, 1} times `scale`. With a
/// power-of-two `scale` inside a type's normal range the result is exact in that type. Zero
/// is deliberately not in the set, so a buffer of zeros never passes as pattern data.
GPUSHARE_HD inline float pattern_value(std::uint64_t index, std::uint32_t seed,
                                       float scale = 1.0f) {
  const std::uint32_t top = pattern_hash(index, seed) >> 30; // the best-mixed two bits
  const float magnitude = (top & 1u) != 0u ? 1.0f : 0.5f;
  return (top & 2u) != 0u ? magnitude * scale : -magnitude * scale;
}

/// True when `scale` is a positive (normal or subnormal) power of two, i.e. scaling by it is
/// exact in every floating-point type as long as the result stays in range.
[[nodiscard]] bool is_power_of_two(double scale);

/// Fills elements [0, n) of the device buffer `data`, whose elements are of `type` (tf32 is
/// stored as fp32), with pattern_value(i, seed, scale), on `stream` (asynchronous). `scale`
/// must be a power of two (usage_error otherwise); n == 0 enqueues nothing.
void fill_pattern(void* data, dtype type, std::size_t n, std::uint32_t seed, float scale,
                  cudaStream_t stream);

} // namespace gpushare::kernels
