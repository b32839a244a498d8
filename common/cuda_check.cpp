#include "common/cuda_check.hpp"

#include <fmt/format.h>

namespace gpushare {

std::string cuda_error_hint(cudaError_t status) {
  switch (status) {
  case cudaErrorInsufficientDriver:
  case cudaErrorNoDevice:
    return "check that an NVIDIA GPU and its driver are installed (nvidia-smi) and that "
           "CUDA_VISIBLE_DEVICES does not hide it";
  case cudaErrorMemoryAllocation:
    return "the GPU is out of memory: choose a smaller workload size or stop other processes";
  case cudaErrorDevicesUnavailable:
    return "the GPU is in an exclusive compute mode and already in use by another process";
  case cudaErrorInvalidDevice:
    return "the selected --device does not exist; run 'gpushare-bench probe' to list devices";
  default:
    return "";
  }
}

namespace detail {

void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line) {
  std::string message = fmt::format("CUDA call {} failed at {}:{}: {} ({})", call, file, line,
                                    cudaGetErrorName(status), cudaGetErrorString(status));
  const std::string hint = cuda_error_hint(status);
  if (!hint.empty()) {
    message += "; " + hint;
  }
  throw cuda_error(message, static_cast<int>(status));
}

void throw_cublas_error(cublasStatus_t status, const char* call, const char* file, int line) {
  throw cuda_error(fmt::format("cuBLAS call {} failed at {}:{}: {} ({})", call, file, line,
                               cublasGetStatusName(status), cublasGetStatusString(status)),
                   static_cast<int>(status));
}

} // namespace detail
} // namespace gpushare
