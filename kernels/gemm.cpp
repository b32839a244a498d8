#include "kernels/gemm.hpp"

#include "common/cuda_check.hpp"
#include "common/error.hpp"

#include <cublas_v2.h>

#include <library_types.h>
#include <string>

namespace gpushare::kernels {
namespace {

struct gemm_types {
  cudaDataType storage;
  cublasComputeType_t compute;
};

gemm_types types_for(dtype type) {
  switch (type) {
  case dtype::fp32:
    return {CUDA_R_32F, CUBLAS_COMPUTE_32F};
  case dtype::tf32:
    return {CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32};
  case dtype::fp16:
    return {CUDA_R_16F, CUBLAS_COMPUTE_32F};
  case dtype::bf16:
    return {CUDA_R_16BF, CUBLAS_COMPUTE_32F};
  case dtype::fp64:
    break;
  }
  throw usage_error("gemm: dtype " + std::string(dtype_name(type)) +
                    " is not supported (use fp32, tf32, fp16 or bf16)");
}

} // namespace

bool gemm_supports(dtype type) {
  return type == dtype::fp32 || type == dtype::tf32 || type == dtype::fp16 || type == dtype::bf16;
}

int gemm_min_compute_capability(dtype type) {
  return type == dtype::bf16 || type == dtype::tf32 ? 80 : 70;
}

void require_gemm_support(dtype type, int device) {
  int major = 0;
  int minor = 0;
  GPUSHARE_CUDA_CALL(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device));
  GPUSHARE_CUDA_CALL(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device));
  const int needed = gemm_min_compute_capability(type);
  if (major * 10 + minor < needed) {
    throw usage_error("gemm dtype " + std::string(dtype_name(type)) + " needs compute capability " +
                      std::to_string(needed / 10) + "." + std::to_string(needed % 10) +
                      " or newer; device " + std::to_string(device) + " has " +
                      std::to_string(major) + "." + std::to_string(minor) + " (use fp16 or fp32)");
  }
}

void launch_gemm(const cublas_handle& handle, dtype type, int m, int n, int k, const void* a,
                 const void* b, void* c, cudaStream_t stream) {
  if (m <= 0 || n <= 0 || k <= 0) {
    throw usage_error("gemm: sizes must be positive, got m=" + std::to_string(m) +
                      " n=" + std::to_string(n) + " k=" + std::to_string(k));
  }
  const gemm_types types = types_for(type);
  // Every compute type used here is a 32F one, so alpha and beta are floats.
  const float alpha = 1.0f;
  const float beta = 0.0f;
  GPUSHARE_CUBLAS_CALL(cublasSetStream(handle.get(), stream));
  GPUSHARE_CUBLAS_CALL(cublasGemmEx(handle.get(), CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, a,
                                    types.storage, m, b, types.storage, k, &beta, c, types.storage,
                                    m, types.compute, CUBLAS_GEMM_DEFAULT));
}

} // namespace gpushare::kernels
