#include "bench/gpu_device.hpp"

#include <cuda_runtime_api.h>

#include <benchmark/benchmark.h>

#include <string>

namespace gpushare::bench {

const device_status& cuda_device() {
  static const device_status status = [] {
    device_status result;
    int count = 0;
    const cudaError_t error = cudaGetDeviceCount(&count);
    if (error != cudaSuccess) {
      result.reason = std::string("no usable CUDA device (cudaGetDeviceCount: ") +
                      cudaGetErrorName(error) + ", " + cudaGetErrorString(error) + ")";
      return result;
    }
    if (count == 0) {
      result.reason = "no CUDA device present";
      return result;
    }
    cudaDeviceProp properties{};
    const cudaError_t props_error = cudaGetDeviceProperties(&properties, 0);
    if (props_error != cudaSuccess) {
      result.reason =
          std::string("cudaGetDeviceProperties failed: ") + cudaGetErrorString(props_error);
      return result;
    }
    result.usable = true;
    result.compute_capability = properties.major * 10 + properties.minor;
    result.name = std::string(properties.name) + " (sm_" + std::to_string(properties.major) +
                  std::to_string(properties.minor) + ")";
    return result;
  }();
  return status;
}

namespace {

// The context is printed before any benchmark runs, so it has to be registered at start-up.
const bool context_registered = [] {
  const device_status& device = cuda_device();
  benchmark::AddCustomContext("gpu", device.usable ? device.name : "none: " + device.reason);
  return true;
}();

} // namespace

} // namespace gpushare::bench
