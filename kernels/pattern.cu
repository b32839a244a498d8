#include "common/cuda_check.hpp"
#include "common/error.hpp"
#include "kernels/launch_config.hpp"
#include "kernels/pattern.hpp"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cmath>
#include <string>

namespace gpushare::kernels {
namespace {

// One conversion per storage type; the pattern values are exact in each, so no rounding mode
// question arises.
__device__ inline void store_value(float* out, float value) {
  *out = value;
}
__device__ inline void store_value(double* out, float value) {
  *out = static_cast<double>(value);
}
__device__ inline void store_value(__half* out, float value) {
  *out = __float2half_rn(value);
}
__device__ inline void store_value(__nv_bfloat16* out, float value) {
  *out = __float2bfloat16_rn(value);
}

template <typename T>
__global__ void fill_pattern_kernel(T* data, std::size_t n, std::uint32_t seed, float scale) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    store_value(data + i, pattern_value(i, seed, scale));
  }
}

template <typename T>
void launch_fill(void* data, std::size_t n, std::uint32_t seed, float scale, cudaStream_t stream) {
  const unsigned blocks = blocks_to_cover(n, elementwise_block_threads);
  fill_pattern_kernel<T>
      <<<blocks, elementwise_block_threads, 0, stream>>>(static_cast<T*>(data), n, seed, scale);
  GPUSHARE_CHECK_LAUNCH();
}

} // namespace

bool is_power_of_two(double scale) {
  if (!(scale > 0.0) || !std::isfinite(scale)) {
    return false;
  }
  int exponent = 0;
  return std::frexp(scale, &exponent) == 0.5;
}

void fill_pattern(void* data, dtype type, std::size_t n, std::uint32_t seed, float scale,
                  cudaStream_t stream) {
  if (!is_power_of_two(scale)) {
    throw usage_error("fill_pattern: scale " + std::to_string(scale) +
                      " is not a power of two, so pattern values would not be exact");
  }
  if (n == 0) {
    return;
  }
  switch (type) {
  case dtype::fp32:
  case dtype::tf32:
    launch_fill<float>(data, n, seed, scale, stream);
    return;
  case dtype::fp16:
    launch_fill<__half>(data, n, seed, scale, stream);
    return;
  case dtype::bf16:
    launch_fill<__nv_bfloat16>(data, n, seed, scale, stream);
    return;
  case dtype::fp64:
    launch_fill<double>(data, n, seed, scale, stream);
    return;
  }
  throw usage_error("fill_pattern: unknown dtype");
}

} // namespace gpushare::kernels
