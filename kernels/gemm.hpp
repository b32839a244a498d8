#pragma once
// `gemm`: C = A * B through cublasGemmEx, column-major, on a caller's stream.

#include "kernels/cublas_handle.hpp"
#include "kernels/dtype.hpp"

#include <cuda_runtime_api.h>

namespace gpushare::kernels {

/// True for the dtypes launch_gemm accepts: fp32, tf32, fp16, bf16.
[[nodiscard]] bool gemm_supports(dtype type);

/// Lowest compute capability (major * 10 + minor) whose tensor cores multiply `type`: bf16 and
/// tf32 arrived with Ampere (8.0); fp32 and fp16 run everywhere this tool builds for.
[[nodiscard]] int gemm_min_compute_capability(dtype type);

/// Throws usage_error when the current device cannot multiply `type` (e.g. bf16 on a T4), so
/// the user reads why instead of a bare cuBLAS status.
void require_gemm_support(dtype type, int device);

/// Enqueues C = A * B on `stream` (alpha 1, beta 0). Column-major: A is m x k with leading
/// dimension m, B is k x n with leading dimension k, C is m x n with leading dimension m; all
/// device pointers. Storage and arithmetic per `type`:
///   fp32: fp32 A, B, C, CUBLAS_COMPUTE_32F (true fp32 multiply-add)
///   tf32: fp32 A, B, C, CUBLAS_COMPUTE_32F_FAST_TF32 (tensor cores, inputs rounded to tf32)
///   fp16: fp16 A, B, C, CUBLAS_COMPUTE_32F (fp32 accumulation, one rounding of C to fp16)
///   bf16: bf16 A, B, C, CUBLAS_COMPUTE_32F (fp32 accumulation, one rounding of C to bf16)
/// Throws usage_error for another dtype or a non-positive size, cuda_error when cuBLAS fails.
void launch_gemm(const cublas_handle& handle, dtype type, int m, int n, int k, const void* a,
                 const void* b, void* c, cudaStream_t stream);

} // namespace gpushare::kernels
