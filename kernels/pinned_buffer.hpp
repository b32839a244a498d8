#pragma once
// Move-only owner of page-locked host memory; the destructor frees without throwing.

#include "common/cuda_check.hpp"

#include <cuda_runtime_api.h>

#include <cstddef>
#include <utility>

namespace gpushare::kernels {

/// `count` elements of T in page-locked host memory, so copies run asynchronously on the copy
/// engines at full bandwidth.
template <typename T> class pinned_buffer {
public:
  pinned_buffer() = default;
  explicit pinned_buffer(std::size_t count) : m_count(count) {
    GPUSHARE_CUDA_CALL(cudaMallocHost(reinterpret_cast<void**>(&m_data), count * sizeof(T)));
  }
  pinned_buffer(pinned_buffer&& other) noexcept
      : m_data(std::exchange(other.m_data, nullptr)), m_count(std::exchange(other.m_count, 0)) {}
  pinned_buffer& operator=(pinned_buffer&& other) noexcept {
    std::swap(m_data, other.m_data);
    std::swap(m_count, other.m_count);
    return *this;
  }
  pinned_buffer(const pinned_buffer&) = delete;
  pinned_buffer& operator=(const pinned_buffer&) = delete;
  ~pinned_buffer() {
    if (m_data != nullptr) {
      (void)cudaFreeHost(m_data);
    }
  }
  [[nodiscard]] T* get() const noexcept { return m_data; }
  [[nodiscard]] std::size_t size() const noexcept { return m_count; }
  T& operator[](std::size_t i) const noexcept { return m_data[i]; }

private:
  T* m_data = nullptr;
  std::size_t m_count = 0;
};

} // namespace gpushare::kernels
