#pragma once
// `infer` on the device: the elementwise bias + ReLU kernel and the whole decode step (GEMMs
// through cuBLAS plus the elementwise passes). The problem and its inputs are described in
// infer_problem.hpp.

#include "kernels/cublas_handle.hpp"
#include "kernels/dtype.hpp"
#include "kernels/hd.hpp"
#include "kernels/infer_problem.hpp"

#include <cuda_runtime_api.h>

namespace gpushare::kernels {

/// The elementwise op after each GEMM, in float: y + bias, then ReLU. A NaN passes through (it
/// is not < 0), so a broken GEMM cannot hide behind the ReLU.
GPUSHARE_HD inline float bias_relu(float y, float bias) {
  const float value = y + bias;
  return value < 0.0f ? 0.0f : value;
}

/// Enqueues y[r + c*rows] = storage(bias_relu(y[r + c*rows], bias[r])) in place for the
/// column-major rows x cols matrix y of `type` (fp16, bf16 or fp32; the result is rounded to
/// nearest even into the storage type) on `stream`. Device pointers. Throws usage_error for
/// another dtype; an empty matrix enqueues nothing.
void launch_bias_relu(void* y, const void* bias, dtype type, int rows, int cols,
                      cudaStream_t stream);

/// Device buffers of one step, all of the problem's storage type.
struct infer_buffers {
  const void* weights = nullptr;             ///< infer_weight_elements, layer after layer
  const void* bias = nullptr;                ///< infer_bias_elements, layer after layer
  const void* input = nullptr;               ///< infer_activation_elements, never written
  void* activations[2] = {nullptr, nullptr}; ///< ping-pong, infer_activation_elements each
};

/// Enqueues the whole step on `stream` and returns the activation buffer holding its output
/// (activations[(layers - 1) % 2]). The input buffer is left intact, so steps can repeat.
void* launch_infer_step(const cublas_handle& handle, const infer_problem& problem,
                        const infer_buffers& buffers, cudaStream_t stream);

} // namespace gpushare::kernels
