#pragma once
// Owning handle to one device allocation.

#include <cuda_runtime_api.h>

#include <cstddef>

namespace gpushare::kernels {

/// A cudaMalloc'd block of bytes, freed by the destructor. Move-only; a moved-from or
/// default-constructed buffer owns nothing. Allocation happens on the current device.
class device_buffer {
public:
  device_buffer() = default;
  /// Allocates `bytes` bytes (none for 0). Throws cuda_error when the allocation fails.
  explicit device_buffer(std::size_t bytes);
  ~device_buffer();
  device_buffer(device_buffer&& other) noexcept;
  device_buffer& operator=(device_buffer&& other) noexcept;
  device_buffer(const device_buffer&) = delete;
  device_buffer& operator=(const device_buffer&) = delete;

  /// Device address of the first byte; nullptr when empty.
  [[nodiscard]] void* data() const noexcept { return m_data; }
  /// The device address as a T* (the caller knows the element type).
  template <typename T> [[nodiscard]] T* as() const noexcept { return static_cast<T*>(m_data); }
  /// Size in bytes.
  [[nodiscard]] std::size_t size_bytes() const noexcept { return m_bytes; }

  /// Copies the first `bytes` bytes to host memory at `host` through `stream` and waits for the
  /// stream, so work enqueued before on that stream is finished and included. Throws
  /// usage_error if `bytes` exceeds the buffer, cuda_error if the copy fails.
  void copy_to_host(void* host, std::size_t bytes, cudaStream_t stream) const;
  /// Asynchronously sets every byte to zero on `stream`.
  void zero(cudaStream_t stream);

private:
  void release() noexcept;

  void* m_data = nullptr;
  std::size_t m_bytes = 0;
};

} // namespace gpushare::kernels
