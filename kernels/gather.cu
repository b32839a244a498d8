#include "common/cuda_check.hpp"
#include "common/error.hpp"
#include "kernels/gather.hpp"
#include "kernels/launch_config.hpp"

#include <string>

namespace gpushare::kernels {
namespace {

// Elements are moved as unsigned integers of their size: a bit-exact copy, whatever the type.
template <typename T>
__global__ void gather_kernel(const T* source, const std::uint64_t* indices, std::size_t count,
                              T* destination) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += stride) {
    destination[i] = source[indices[i]];
  }
}

template <typename T>
void launch(const void* source, const std::uint64_t* indices, std::size_t count, void* destination,
            cudaStream_t stream) {
  const unsigned blocks = blocks_to_cover(count, elementwise_block_threads);
  gather_kernel<T><<<blocks, elementwise_block_threads, 0, stream>>>(
      static_cast<const T*>(source), indices, count, static_cast<T*>(destination));
  GPUSHARE_CHECK_LAUNCH();
}

} // namespace

void launch_gather(const void* source, std::size_t element_bytes, const std::uint64_t* indices,
                   std::size_t count, void* destination, cudaStream_t stream) {
  if (element_bytes != 2 && element_bytes != 4 && element_bytes != 8) {
    throw usage_error("gather: element size " + std::to_string(element_bytes) +
                      " bytes is not supported (2, 4 or 8)");
  }
  if (count == 0) {
    return;
  }
  switch (element_bytes) {
  case 2:
    launch<std::uint16_t>(source, indices, count, destination, stream);
    return;
  case 4:
    launch<std::uint32_t>(source, indices, count, destination, stream);
    return;
  default:
    launch<std::uint64_t>(source, indices, count, destination, stream);
    return;
  }
}

} // namespace gpushare::kernels
