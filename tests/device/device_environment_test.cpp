#include "device_support.hpp"
#include "harness/environment.hpp"

#include <cuda_runtime_api.h>

#include <gtest/gtest.h>

#include <cstdio>

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

// On a GPU in MIG mode CUDA runs on a MIG instance: NVML must name it, and its GPU, so that an
// MPS daemon is given a device that exists and telemetry samples the GPU. Which form CUDA's
// uuid bytes take there is what this checks on a real card.
TEST(DeviceEnvironment, AMigInstanceIsNamedWithItsGpu) {
  GPUSHARE_REQUIRE_DEVICE();
  const gpushare::environment_info environment = gpushare::capture_environment();
  ASSERT_FALSE(environment.gpus.empty()) << environment.unavailable_reason;
  const gpushare::gpu_info& gpu = environment.gpus[0];
  std::printf("device 0: uuid %s, MIG mode %s (%s), GPU %s\n", gpu.uuid.c_str(),
              gpu.mig_mode.c_str(), gpu.mig_detail.c_str(), gpu.mig_parent_uuid.c_str());
  if (!gpu.nvml) {
    GTEST_SKIP() << "NVML does not know the device: " << environment.nvml_status;
  }
  if (gpu.mig_mode != "enabled") {
    EXPECT_EQ(gpu.uuid.rfind("GPU-", 0), 0u);
    EXPECT_EQ(gpu.mig_parent_uuid, "");
    return;
  }
  // MIG mode: CUDA's device is a MIG instance, named so, with its GPU.
  EXPECT_EQ(gpu.uuid.rfind("MIG-", 0), 0u) << gpu.uuid;
  EXPECT_EQ(gpu.mig_parent_uuid.rfind("GPU-", 0), 0u) << gpu.mig_parent_uuid;
}
