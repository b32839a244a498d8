#pragma once
// Move-only owner of a CUDA timing event; the destructor destroys without throwing.

#include "common/cuda_check.hpp"

#include <cuda_runtime_api.h>

#include <utility>

namespace gpushare::kernels {

/// A timing event (device timestamps, resolution about 0.5 us).
class cuda_event {
public:
  cuda_event() { GPUSHARE_CUDA_CALL(cudaEventCreate(&m_event)); }
  cuda_event(cuda_event&& other) noexcept : m_event(std::exchange(other.m_event, nullptr)) {}
  cuda_event& operator=(cuda_event&& other) noexcept {
    std::swap(m_event, other.m_event);
    return *this;
  }
  cuda_event(const cuda_event&) = delete;
  cuda_event& operator=(const cuda_event&) = delete;
  ~cuda_event() {
    if (m_event != nullptr) {
      (void)cudaEventDestroy(m_event);
    }
  }
  [[nodiscard]] cudaEvent_t get() const noexcept { return m_event; }
  void record(cudaStream_t stream) const { GPUSHARE_CUDA_CALL(cudaEventRecord(m_event, stream)); }
  void synchronize() const { GPUSHARE_CUDA_CALL(cudaEventSynchronize(m_event)); }
  /// Microseconds from `start` to this event; both must have completed.
  [[nodiscard]] double elapsed_us_since(const cuda_event& start) const {
    float milliseconds = 0;
    GPUSHARE_CUDA_CALL(cudaEventElapsedTime(&milliseconds, start.m_event, m_event));
    return static_cast<double>(milliseconds) * 1000.0;
  }

private:
  cudaEvent_t m_event = nullptr;
};

} // namespace gpushare::kernels
