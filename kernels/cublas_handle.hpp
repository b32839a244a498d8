#pragma once
// Owning handle to one cuBLAS context.

#include <cublas_api.h>

namespace gpushare::kernels {

/// A cuBLAS handle on the current device, destroyed by the destructor. Move-only; a
/// default-constructed or moved-from object owns no handle.
///
/// The handle's math mode forbids reductions in the output type
/// (CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION): with fp16/bf16 outputs cuBLAS may
/// otherwise sum split-K partial results in fp16/bf16, which rounds more than once and makes the
/// result depend on the algorithm it picks. With the flag, every GEMM accumulates in fp32 and
/// rounds once to the output type, which is what the verification tolerances assume.
class cublas_handle {
public:
  cublas_handle() = default;
  /// Creates a handle on the current device. Throws cuda_error on failure.
  static cublas_handle create();
  ~cublas_handle();
  cublas_handle(cublas_handle&& other) noexcept;
  cublas_handle& operator=(cublas_handle&& other) noexcept;
  cublas_handle(const cublas_handle&) = delete;
  cublas_handle& operator=(const cublas_handle&) = delete;

  /// The raw handle; nullptr when empty.
  [[nodiscard]] cublasHandle_t get() const noexcept { return m_handle; }

private:
  explicit cublas_handle(cublasHandle_t handle) noexcept : m_handle(handle) {}
  void release() noexcept;

  cublasHandle_t m_handle = nullptr;
};

} // namespace gpushare::kernels
