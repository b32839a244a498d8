#pragma once
// Device tests call GPUSHARE_REQUIRE_DEVICE() first: without a usable CUDA device the test is
// skipped and the reason is printed, so ctest reports it as skipped rather than passed.

#include <cuda_runtime_api.h>

#include <gtest/gtest.h>

#include <string>

namespace gpushare::test {

/// "" when a CUDA device is usable, otherwise why not.
inline std::string cuda_unavailable_reason() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    return std::string("no usable CUDA device (cudaGetDeviceCount: ") + cudaGetErrorName(status) +
           ", " + cudaGetErrorString(status) + ")";
  }
  if (count == 0) {
    return "no CUDA device present";
  }
  return "";
}

} // namespace gpushare::test

#define GPUSHARE_REQUIRE_DEVICE()                                                                  \
  do {                                                                                             \
    const std::string gpushare_reason = ::gpushare::test::cuda_unavailable_reason();               \
    if (!gpushare_reason.empty()) {                                                                \
      GTEST_SKIP() << gpushare_reason;                                                             \
    }                                                                                              \
  } while (false)
