#include "kernels/cuda_stream.hpp"

#include "common/cuda_check.hpp"

#include <utility>

namespace gpushare::kernels {

cuda_stream cuda_stream::create_non_blocking() {
  cudaStream_t stream = nullptr;
  GPUSHARE_CUDA_CALL(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  return cuda_stream(stream);
}

cuda_stream::~cuda_stream() {
  release();
}

cuda_stream::cuda_stream(cuda_stream&& other) noexcept
    : m_stream(std::exchange(other.m_stream, nullptr)) {}

cuda_stream& cuda_stream::operator=(cuda_stream&& other) noexcept {
  if (this != &other) {
    release();
    m_stream = std::exchange(other.m_stream, nullptr);
  }
  return *this;
}

void cuda_stream::synchronize() const {
  GPUSHARE_CUDA_CALL(cudaStreamSynchronize(m_stream));
}

void cuda_stream::release() noexcept {
  if (m_stream != nullptr) {
    // Destructors must not throw; a failure here is reported by the next checked call.
    static_cast<void>(cudaStreamDestroy(m_stream));
    m_stream = nullptr;
  }
}

} // namespace gpushare::kernels
