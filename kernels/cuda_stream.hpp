#pragma once
// Owning handle to one CUDA stream.

#include <cuda_runtime_api.h>

namespace gpushare::kernels {

/// A non-blocking CUDA stream (it does not synchronise with the legacy default stream, so
/// another library's default-stream work cannot serialise a workload), destroyed by the
/// destructor. Move-only; a default-constructed or moved-from object owns no stream.
class cuda_stream {
public:
  cuda_stream() = default;
  /// Creates a non-blocking stream on the current device. Throws cuda_error on failure.
  static cuda_stream create_non_blocking();
  ~cuda_stream();
  cuda_stream(cuda_stream&& other) noexcept;
  cuda_stream& operator=(cuda_stream&& other) noexcept;
  cuda_stream(const cuda_stream&) = delete;
  cuda_stream& operator=(const cuda_stream&) = delete;

  /// The stream handle; nullptr (the legacy default stream) when empty.
  [[nodiscard]] cudaStream_t get() const noexcept { return m_stream; }
  /// Blocks until all work enqueued on the stream has finished. Throws cuda_error when that
  /// work failed (e.g. an illegal address in a kernel).
  void synchronize() const;

private:
  explicit cuda_stream(cudaStream_t stream) noexcept : m_stream(stream) {}
  void release() noexcept;

  cudaStream_t m_stream = nullptr;
};

} // namespace gpushare::kernels
