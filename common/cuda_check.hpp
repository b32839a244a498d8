#pragma once
// One place that turns CUDA runtime and cuBLAS status codes into exceptions naming the call,
// the source location, and the error's name and description.

#include "common/error.hpp"

#include <cublas_api.h>
#include <cuda_runtime_api.h>

#include <string>

namespace gpushare {

/// A CUDA runtime or cuBLAS call failed. Exit code 2: the GPU or its software stack could not
/// do what was asked.
class cuda_error : public error {
public:
  cuda_error(const std::string& message, int status)
      : error(message, exit_code::usage), m_status(status) {}
  /// The raw cudaError_t or cublasStatus_t value.
  [[nodiscard]] int status() const noexcept { return m_status; }

private:
  int m_status;
};

namespace detail {
void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line);
void throw_cublas_error(cublasStatus_t status, const char* call, const char* file, int line);

inline void check_cuda(cudaError_t status, const char* call, const char* file, int line) {
  if (status != cudaSuccess) {
    throw_cuda_error(status, call, file, line);
  }
}
inline void check_cublas(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    throw_cublas_error(status, call, file, line);
  }
}
} // namespace detail

/// Human-readable hint for the most common failures (no driver, out of memory, ...), or "".
[[nodiscard]] std::string cuda_error_hint(cudaError_t status);

} // namespace gpushare

#define GPUSHARE_CUDA_CALL(expr) ::gpushare::detail::check_cuda((expr), #expr, __FILE__, __LINE__)
#define GPUSHARE_CUBLAS_CALL(expr)                                                                 \
  ::gpushare::detail::check_cublas((expr), #expr, __FILE__, __LINE__)
/// Checks the launch of the kernel just enqueued (configuration errors surface here).
#define GPUSHARE_CHECK_LAUNCH() GPUSHARE_CUDA_CALL(cudaGetLastError())
