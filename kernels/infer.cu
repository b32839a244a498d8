#include "common/cuda_check.hpp"
#include "common/error.hpp"
#include "kernels/gemm.hpp"
#include "kernels/infer.hpp"
#include "kernels/launch_config.hpp"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <string>

namespace gpushare::kernels {
namespace {

__device__ inline float load_value(const float* p) {
  return *p;
}
__device__ inline float load_value(const __half* p) {
  return __half2float(*p);
}
__device__ inline float load_value(const __nv_bfloat16* p) {
  return __bfloat162float(*p);
}
__device__ inline void store_value(float* p, float value) {
  *p = value;
}
__device__ inline void store_value(__half* p, float value) {
  *p = __float2half_rn(value);
}
__device__ inline void store_value(__nv_bfloat16* p, float value) {
  *p = __float2bfloat16_rn(value);
}

template <typename T>
__global__ void bias_relu_kernel(T* y, const T* bias, std::size_t rows, std::size_t n) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    store_value(y + i, bias_relu(load_value(y + i), load_value(bias + i % rows)));
  }
}

template <typename T>
void launch(void* y, const void* bias, std::size_t rows, std::size_t n, cudaStream_t stream) {
  const unsigned blocks = blocks_to_cover(n, elementwise_block_threads);
  bias_relu_kernel<T><<<blocks, elementwise_block_threads, 0, stream>>>(
      static_cast<T*>(y), static_cast<const T*>(bias), rows, n);
  GPUSHARE_CHECK_LAUNCH();
}

} // namespace

void launch_bias_relu(void* y, const void* bias, dtype type, int rows, int cols,
                      cudaStream_t stream) {
  if (type != dtype::fp16 && type != dtype::bf16 && type != dtype::fp32) {
    throw usage_error("bias_relu: dtype " + std::string(dtype_name(type)) +
                      " is not supported (use fp16, bf16 or fp32)");
  }
  if (rows <= 0 || cols <= 0) {
    return;
  }
  const auto row_count = static_cast<std::size_t>(rows);
  const std::size_t n = row_count * static_cast<std::size_t>(cols);
  switch (type) {
  case dtype::fp16:
    launch<__half>(y, bias, row_count, n, stream);
    return;
  case dtype::bf16:
    launch<__nv_bfloat16>(y, bias, row_count, n, stream);
    return;
  default:
    launch<float>(y, bias, row_count, n, stream);
    return;
  }
}

void* launch_infer_step(const cublas_handle& handle, const infer_problem& problem,
                        const infer_buffers& buffers, cudaStream_t stream) {
  const std::size_t element_size = dtype_size(problem.type);
  const std::size_t weight_bytes = static_cast<std::size_t>(problem.hidden) *
                                   static_cast<std::size_t>(problem.hidden) * element_size;
  const std::size_t bias_bytes = static_cast<std::size_t>(problem.hidden) * element_size;
  const void* x = buffers.input;
  void* y = nullptr;
  for (int layer = 0; layer < problem.layers; ++layer) {
    const auto offset = static_cast<std::size_t>(layer);
    const auto* weights = static_cast<const char*>(buffers.weights) + offset * weight_bytes;
    const auto* bias = static_cast<const char*>(buffers.bias) + offset * bias_bytes;
    y = buffers.activations[layer % 2];
    launch_gemm(handle, problem.type, problem.hidden, problem.batch, problem.hidden, weights, x, y,
                stream);
    launch_bias_relu(y, bias, problem.type, problem.hidden, problem.batch, stream);
    x = y;
  }
  return y;
}

} // namespace gpushare::kernels
