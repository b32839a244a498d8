#include "harness/workloads/device_download.hpp"

#include "common/cuda_check.hpp"
#include "common/error.hpp"
#include "kernels/gather.hpp"
#include "kernels/precision.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstring>

namespace gpushare {

std::vector<double> download_elements(const kernels::device_buffer& buffer, kernels::dtype type,
                                      const std::vector<std::uint64_t>& indices,
                                      cudaStream_t stream) {
  const std::size_t element_bytes = kernels::dtype_size(type);
  const std::size_t capacity = buffer.size_bytes() / element_bytes;
  for (const std::uint64_t index : indices) {
    if (index >= capacity) {
      throw usage_error(fmt::format("download_elements: index {} is outside a buffer of {} {} "
                                    "elements",
                                    index, capacity, kernels::dtype_name(type)));
    }
  }
  std::vector<double> values(indices.size());
  if (indices.empty()) {
    return values;
  }
  const std::size_t count = indices.size();
  kernels::device_buffer device_indices(count * sizeof(std::uint64_t));
  kernels::device_buffer gathered(count * element_bytes);
  GPUSHARE_CUDA_CALL(cudaMemcpyAsync(device_indices.data(), indices.data(),
                                     count * sizeof(std::uint64_t), cudaMemcpyHostToDevice,
                                     stream));
  kernels::launch_gather(buffer.data(), element_bytes, device_indices.as<std::uint64_t>(), count,
                         gathered.data(), stream);
  std::vector<unsigned char> raw(count * element_bytes);
  gathered.copy_to_host(raw.data(), raw.size(), stream); // waits, so `indices` may go now
  for (std::size_t i = 0; i < count; ++i) {
    const unsigned char* element = raw.data() + i * element_bytes;
    switch (type) {
    case kernels::dtype::fp16:
    case kernels::dtype::bf16: {
      std::uint16_t bits = 0;
      std::memcpy(&bits, element, sizeof(bits));
      values[i] = type == kernels::dtype::fp16 ? kernels::fp16_bits_to_float(bits)
                                               : kernels::bf16_bits_to_float(bits);
      break;
    }
    case kernels::dtype::fp32:
    case kernels::dtype::tf32: {
      float value = 0.0f;
      std::memcpy(&value, element, sizeof(value));
      values[i] = value;
      break;
    }
    case kernels::dtype::fp64:
      std::memcpy(&values[i], element, sizeof(double));
      break;
    }
  }
  return values;
}

} // namespace gpushare
