#include "kernels/device_buffer.hpp"

#include "common/cuda_check.hpp"
#include "common/error.hpp"

#include <string>
#include <utility>

namespace gpushare::kernels {

device_buffer::device_buffer(std::size_t bytes) : m_bytes(bytes) {
  if (bytes != 0) {
    GPUSHARE_CUDA_CALL(cudaMalloc(&m_data, bytes));
  }
}

device_buffer::~device_buffer() {
  release();
}

device_buffer::device_buffer(device_buffer&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_bytes(std::exchange(other.m_bytes, 0)) {}

device_buffer& device_buffer::operator=(device_buffer&& other) noexcept {
  if (this != &other) {
    release();
    m_data = std::exchange(other.m_data, nullptr);
    m_bytes = std::exchange(other.m_bytes, 0);
  }
  return *this;
}

void device_buffer::copy_to_host(void* host, std::size_t bytes, cudaStream_t stream) const {
  if (bytes > m_bytes) {
    throw usage_error("device_buffer::copy_to_host: " + std::to_string(bytes) +
                      " bytes requested from a buffer of " + std::to_string(m_bytes));
  }
  if (bytes == 0) {
    return;
  }
  GPUSHARE_CUDA_CALL(cudaMemcpyAsync(host, m_data, bytes, cudaMemcpyDeviceToHost, stream));
  GPUSHARE_CUDA_CALL(cudaStreamSynchronize(stream));
}

void device_buffer::zero(cudaStream_t stream) {
  if (m_bytes != 0) {
    GPUSHARE_CUDA_CALL(cudaMemsetAsync(m_data, 0, m_bytes, stream));
  }
}

void device_buffer::release() noexcept {
  if (m_data != nullptr) {
    // A destructor must not throw. A failure here (typically a sticky error after a device
    // fault) is reported by the next checked call, so the status is deliberately dropped.
    static_cast<void>(cudaFree(m_data));
    m_data = nullptr;
    m_bytes = 0;
  }
}

} // namespace gpushare::kernels
