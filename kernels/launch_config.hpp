#pragma once
// Grid sizing shared by the elementwise kernels (host only).

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace gpushare::kernels {

/// Threads per block of the elementwise kernels: a multiple of the warp size that keeps every
/// SM of current GPUs at full occupancy for simple register-light kernels.
inline constexpr unsigned elementwise_block_threads = 256;

/// Blocks for a grid-stride loop over n elements with `block_threads` threads each: one
/// thread per element, capped at the largest x dimension a grid may have (the kernels stride
/// over the rest). At least 1, so an empty range still gives a valid configuration.
[[nodiscard]] inline unsigned blocks_to_cover(std::size_t n, unsigned block_threads) {
  constexpr std::size_t max_grid_x = 0x7fffffffu;
  const std::size_t threads = block_threads == 0 ? 1 : block_threads;
  const std::size_t blocks = (n + threads - 1) / threads;
  return static_cast<unsigned>(std::clamp<std::size_t>(blocks, 1, max_grid_x));
}

} // namespace gpushare::kernels
