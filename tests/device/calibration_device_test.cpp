// Calibration on a real GPU: what must hold on any card (never particular figures), and the
// shipped binary checking its own GEMM tenants against the limits it measured first.

#include "device_support.hpp"
#include "harness/calibration.hpp"
#include "run_binary.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace gpushare::test {
namespace {

namespace fs = std::filesystem;

gpu_info first_gpu() {
  gpu_info gpu;
  cudaDeviceProp properties{};
  EXPECT_EQ(cudaGetDeviceProperties(&properties, 0), cudaSuccess);
  gpu.l2_cache_bytes = properties.l2CacheSize;
  return gpu;
}

TEST(CalibrationOnDevice, EveryLimitIsMeasuredAndOrdered) {
  GPUSHARE_REQUIRE_DEVICE();
  calibration_settings settings;
  settings.repetitions = 3;
  settings.target_repetition_ms = 10;
  settings.gemm_dtypes = {"fp32", "fp16"};
  settings.gemm_sizes = {2048, 4096};
  settings.device_copy_bytes = 256ull << 20;
  settings.host_copy_bytes = 64ull << 20;
  settings.launches_per_repetition = 200;
  const calibration_result result = run_calibration(settings, first_gpu());
  ASSERT_EQ(result.gemm.size(), 2u);
  const gemm_peak& fp32 = result.gemm[0];
  const gemm_peak& fp16 = result.gemm[1];
  EXPECT_EQ(fp32.sizes_tried, (std::vector<int>{2048, 4096}));
  EXPECT_GT(fp32.tflops.median, 0);
  // Tensor cores multiply fp16 several times faster than the fp32 pipes on every GPU this
  // tool builds for (compute capability 7.0 and newer).
  EXPECT_GT(fp16.tflops.median, 2 * fp32.tflops.median);
  ASSERT_TRUE(result.device_copy && result.device_triad && result.host_to_device &&
              result.device_to_host);
  EXPECT_GT(result.device_triad->gb_per_s.median, result.host_to_device->gb_per_s.median);
  // Device memory is faster than any host link.
  EXPECT_GT(result.device_copy->gb_per_s.median, result.host_to_device->gb_per_s.median);
  EXPECT_GT(result.host_to_device->gb_per_s.median, 1.0);
  EXPECT_GT(result.launch_round_trip_us.median, 0);
  EXPECT_GT(result.launch_back_to_back_us.median, 0);
  EXPECT_GT(result.l2_cache_bytes, 0u);
}

TEST(CalibrationOnDevice, SuiteChecksGemmTenantsAgainstTheCalibration) {
  GPUSHARE_REQUIRE_DEVICE();
  const std::string stem =
      (fs::temp_directory_path() / ("calibrated-" + std::to_string(getpid()))).string();
  {
    std::ofstream suite(stem + ".suite");
    suite << "repetitions = 3\nduration = 0.1\n"
             "[run]\nmode = calibrate\n"
             "[run]\nmode = timeslice\ntenants = 2\nworkload = gemm:size=4096,dtype=fp16\n";
  }
  const binary_run run =
      run_gpushare({"--suite", stem + ".suite", "--quiet", "--json", stem + ".json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream in(stem + ".json");
  const auto report = nlohmann::json::parse(in);
  fs::remove(stem + ".suite");
  fs::remove(stem + ".json");
  ASSERT_EQ(report["runs"].size(), 2u);
  EXPECT_EQ(report["runs"][0]["mode"], "calibrate");
  const auto& limits = report["runs"][1]["limits"];
  ASSERT_EQ(limits.size(), 1u) << "the shared phase's sum: " << report["runs"][1].dump();
  EXPECT_EQ(limits[0]["limit"], "gemm_fp16_tflops");
  EXPECT_GT(limits[0]["fraction"].get<double>(), 0.0);
  for (const auto& tenant : report["runs"][1]["tenants"]) {
    ASSERT_TRUE(tenant["solo"].contains("limits")) << tenant.dump();
    const auto& check = tenant["solo"]["limits"][0];
    EXPECT_EQ(check["limit"], "gemm_fp16_tflops");
    EXPECT_GT(check["fraction"].get<double>(), 0.0);
    EXPECT_LE(check["fraction"].get<double>(), 1.10);
  }
}

} // namespace
} // namespace gpushare::test
