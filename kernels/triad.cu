#include "common/cuda_check.hpp"
#include "kernels/launch_config.hpp"
#include "kernels/triad.hpp"

namespace gpushare::kernels {
namespace {

template <typename T>
__global__ void triad_kernel(T* __restrict__ a, const T* __restrict__ b, const T* __restrict__ c,
                             T s, std::size_t n) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    a[i] = triad_element(b[i], s, c[i]);
  }
}

template <typename T>
void launch(T* a, const T* b, const T* c, T s, std::size_t n, cudaStream_t stream) {
  if (n == 0) {
    return;
  }
  const unsigned blocks = blocks_to_cover(n, elementwise_block_threads);
  triad_kernel<T><<<blocks, elementwise_block_threads, 0, stream>>>(a, b, c, s, n);
  GPUSHARE_CHECK_LAUNCH();
}

} // namespace

void launch_triad(float* a, const float* b, const float* c, float s, std::size_t n,
                  cudaStream_t stream) {
  launch(a, b, c, s, n, stream);
}

void launch_triad(double* a, const double* b, const double* c, double s, std::size_t n,
                  cudaStream_t stream) {
  launch(a, b, c, s, n, stream);
}

} // namespace gpushare::kernels
