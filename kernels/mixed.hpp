#pragma once
// `mixed`: an in-place kernel of tunable arithmetic intensity (after mixbench). Each element
// is read once, goes through `fma_per_element` dependent fused multiply-adds, and is written
// back: 2 * fma_per_element FLOP per 8 bytes of traffic.

#include "kernels/hd.hpp"

#include <cuda_runtime_api.h>

#include <cmath>
#include <cstddef>

namespace gpushare::kernels {

/// The per-element arithmetic. The constants keep the value bounded (the iteration converges
/// to 1), so long chains neither overflow nor flush to zero. fmaf rounds once on both host and
/// device, so the host result is bit-identical to the device one.
GPUSHARE_HD inline float mixed_element(float value, int fma_per_element) {
  for (int i = 0; i < fma_per_element; ++i) {
    value = fmaf(value, 0.9990234375f, 0.0009765625f);
  }
  return value;
}

/// FLOP per byte of memory traffic for a given chain length.
GPUSHARE_HD inline double mixed_intensity(int fma_per_element) {
  return 2.0 * fma_per_element / (2.0 * sizeof(float));
}

/// Launches the mixed kernel over data[0, n) in place, on a grid-stride loop. `grid_blocks`
/// = 0 picks enough blocks to cover n; a small explicit value keeps the kernel from filling
/// the GPU (the streams experiment relies on that).
void launch_mixed(float* data, std::size_t n, int fma_per_element, unsigned grid_blocks,
                  unsigned block_threads, cudaStream_t stream);

/// Threads per block launch_mixed uses when the caller has no reason to choose.
inline constexpr unsigned mixed_default_block_threads = 256;

/// Resident blocks of the mixed kernel per SM at `block_threads` (CUDA occupancy API).
[[nodiscard]] int mixed_max_blocks_per_sm(unsigned block_threads);

} // namespace gpushare::kernels
