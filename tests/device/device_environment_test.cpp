#include "device_support.hpp"

#include <cuda_runtime_api.h>

#include <gtest/gtest.h>

// The canary of the device suite: when it is skipped, its message says why every GPU test was.
TEST(DeviceEnvironment, SelectedDeviceAnswersPropertyQueries) {
  GPUSHARE_REQUIRE_DEVICE();
  cudaDeviceProp properties{};
  ASSERT_EQ(cudaGetDeviceProperties(&properties, 0), cudaSuccess);
  EXPECT_GT(properties.multiProcessorCount, 0);
  EXPECT_GT(properties.totalGlobalMem, 0u);
  std::printf("device 0: %s, %d SMs, cc %d.%d\n", properties.name, properties.multiProcessorCount,
              properties.major, properties.minor);
}
