#include "common/cuda_check.hpp"
#include "kernels/launch_config.hpp"
#include "kernels/mixed.hpp"

namespace gpushare::kernels {
namespace {

__global__ void mixed_kernel(float* data, std::size_t n, int fma_per_element) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    data[i] = mixed_element(data[i], fma_per_element);
  }
}

} // namespace

void launch_mixed(float* data, std::size_t n, int fma_per_element, unsigned grid_blocks,
                  unsigned block_threads, cudaStream_t stream) {
  if (n == 0) {
    return;
  }
  const unsigned threads = block_threads == 0 ? mixed_default_block_threads : block_threads;
  const unsigned blocks = grid_blocks == 0 ? blocks_to_cover(n, threads) : grid_blocks;
  mixed_kernel<<<blocks, threads, 0, stream>>>(data, n, fma_per_element);
  GPUSHARE_CHECK_LAUNCH();
}

int mixed_max_blocks_per_sm(unsigned block_threads) {
  int blocks = 0;
  GPUSHARE_CUDA_CALL(cudaOccupancyMaxActiveBlocksPerMultiprocessor(
      &blocks, mixed_kernel, static_cast<int>(block_threads), 0));
  return blocks;
}

} // namespace gpushare::kernels
