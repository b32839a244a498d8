#pragma once
// Gathering scattered elements of a device buffer into a dense one, so verification copies
// back only the elements it compares instead of a whole (possibly many-GiB) output.

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace gpushare::kernels {

/// Enqueues destination[i] = source[indices[i]] for i in [0, count) on `stream`, for elements
/// of `element_bytes` bytes (2, 4 or 8; usage_error otherwise). All pointers are device
/// pointers; indices must be inside source (not checked on the device). count == 0 enqueues
/// nothing.
void launch_gather(const void* source, std::size_t element_bytes, const std::uint64_t* indices,
                   std::size_t count, void* destination, cudaStream_t stream);

} // namespace gpushare::kernels
