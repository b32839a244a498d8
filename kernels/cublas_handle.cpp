#include "kernels/cublas_handle.hpp"

#include "common/cuda_check.hpp"

#include <cublas_v2.h>

#include <utility>

namespace gpushare::kernels {

cublas_handle cublas_handle::create() {
  cublasHandle_t raw = nullptr;
  GPUSHARE_CUBLAS_CALL(cublasCreate(&raw));
  cublas_handle handle(raw); // owns it from here, so a failure below does not leak it
  GPUSHARE_CUBLAS_CALL(cublasSetMathMode(
      raw, static_cast<cublasMath_t>(CUBLAS_DEFAULT_MATH |
                                     CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION)));
  return handle;
}

cublas_handle::~cublas_handle() {
  release();
}

cublas_handle::cublas_handle(cublas_handle&& other) noexcept
    : m_handle(std::exchange(other.m_handle, nullptr)) {}

cublas_handle& cublas_handle::operator=(cublas_handle&& other) noexcept {
  if (this != &other) {
    release();
    m_handle = std::exchange(other.m_handle, nullptr);
  }
  return *this;
}

void cublas_handle::release() noexcept {
  if (m_handle != nullptr) {
    // Destructors must not throw; a failure here is reported by the next checked call.
    static_cast<void>(cublasDestroy(m_handle));
    m_handle = nullptr;
  }
}

} // namespace gpushare::kernels
