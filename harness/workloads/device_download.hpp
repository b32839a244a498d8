#pragma once
// Copying selected elements of a device result back for verification.

#include "kernels/device_buffer.hpp"
#include "kernels/dtype.hpp"

#include <cuda_runtime_api.h>

#include <cstdint>
#include <vector>

namespace gpushare {

/// The elements at `indices` of `buffer`, whose elements are of `type` (tf32 is stored as
/// fp32), gathered on the device through `stream` after the work already enqueued there and
/// copied back; result[i] is element indices[i], widened exactly to double (fp16 and bf16 are
/// decoded bit-exactly). Only the selected elements cross the bus. Throws usage_error for an
/// index outside the buffer, cuda_error when the copy or earlier work on the stream failed.
[[nodiscard]] std::vector<double> download_elements(const kernels::device_buffer& buffer,
                                                    kernels::dtype type,
                                                    const std::vector<std::uint64_t>& indices,
                                                    cudaStream_t stream);

} // namespace gpushare
