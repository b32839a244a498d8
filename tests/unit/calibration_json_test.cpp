// Calibration results travel from the device worker to the harness as report JSON, so the
// reader must give back exactly what the writer wrote, and name the field when it cannot.

#include "cli/device_worker.hpp"
#include "harness/calibration.hpp"
#include "report/json_reader.hpp"
#include "report/json_records.hpp"
#include "sample_records.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace gpushare {
namespace {

using nlohmann::json;

TEST(CalibrationJson, RoundTripsThroughTheWriter) {
  calibration_result calibration = test::sample_calibration();
  calibration.host_to_device.reset(); // a figure that could not be measured is null
  const json written = report::calibration_to_json(calibration);
  EXPECT_TRUE(written["host_to_device"].is_null());
  const calibration_result read = report::calibration_from_json(written, "calibration");
  EXPECT_EQ(report::calibration_to_json(read), written);
  ASSERT_EQ(read.gemm.size(), 2u);
  EXPECT_EQ(read.gemm[1].dtype, "fp16");
  EXPECT_EQ(read.gemm[1].sizes_tried, (std::vector<int>{4096, 8192}));
  EXPECT_DOUBLE_EQ(read.gemm[1].medians[0], 610);
  ASSERT_TRUE(read.device_to_host);
  EXPECT_TRUE(read.device_to_host->gb_per_s.noisy);
  EXPECT_FALSE(read.host_to_device);
  EXPECT_EQ(read.l2_cache_bytes, 50ull << 20);
}

TEST(CalibrationJson, MissingFieldIsNamedByItsPath) {
  json written = report::calibration_to_json(test::sample_calibration());
  written["gemm"][1]["sizes_tried"][0].erase("median_tflops");
  try {
    (void)report::calibration_from_json(written, "runs[0].calibration");
    FAIL() << "a missing field was accepted";
  } catch (const report::json_field_error& failure) {
    EXPECT_EQ(failure.path(), "runs[0].calibration.gemm[1].sizes_tried[0].median_tflops");
  }
}

TEST(CalibrationJson, MistypedBandwidthIsRejected) {
  json written = report::calibration_to_json(test::sample_calibration());
  written["device_copy"]["bytes"] = "1 GiB";
  try {
    (void)report::calibration_from_json(written, "calibration");
    FAIL() << "a string byte count was accepted";
  } catch (const report::json_field_error& failure) {
    EXPECT_EQ(failure.path(), "calibration.device_copy.bytes");
  }
}

TEST(CalibrationJson, LimitChecksRoundTrip) {
  const std::vector<limit_check> checks{
      {"gemm_fp16_tflops", 600, 700, 600.0 / 700, true, ""},
      {"device_memory_gb_per_s", 4000, 2900, 4000.0 / 2900, false, "fits in L2"}};
  const json written = report::limit_checks_to_json(checks);
  const std::vector<limit_check> read = report::limit_checks_from_json(written, "limits");
  EXPECT_EQ(report::limit_checks_to_json(read), written);
  EXPECT_FALSE(read[1].enforced);
  EXPECT_EQ(read[1].note, "fits in L2");
  json broken = written;
  broken[0]["enforced"] = "yes";
  EXPECT_THROW((void)report::limit_checks_from_json(broken, "limits"), report::json_field_error);
}

TEST(CalibrationJson, WorkerSettingsRoundTrip) {
  calibration_settings settings;
  settings.device = 3;
  settings.repetitions = 7;
  settings.warmup = 1;
  settings.noise_threshold = 0.02;
  settings.target_repetition_ms = 15;
  settings.gemm_dtypes = {"bf16"};
  settings.gemm_sizes = {2048, 16384};
  settings.device_copy_bytes = 123ull << 20;
  settings.host_copy_bytes = 7ull << 20;
  settings.launches_per_repetition = 11;
  const nlohmann::json written = cli::calibration_settings_to_json(settings);
  EXPECT_EQ(cli::calibration_settings_to_json(cli::calibration_settings_from_json(written)),
            written);
  EXPECT_EQ(written.size(), 10u) << "every setting travels: " << written.dump();
  const calibration_settings read = cli::calibration_settings_from_json(written);
  EXPECT_EQ(read.gemm_sizes, settings.gemm_sizes);
  EXPECT_EQ(read.device_copy_bytes, settings.device_copy_bytes);
}

TEST(CalibrationJson, AMigInstanceCalibrationSaysSo) {
  calibration_result calibration = test::sample_calibration();
  calibration.whole_gpu = false;
  const nlohmann::json written = report::calibration_to_json(calibration);
  EXPECT_EQ(written["whole_gpu"], false);
  EXPECT_EQ(written["gpu_name"], "NVIDIA H100 80GB HBM3");
  EXPECT_FALSE(report::calibration_from_json(written, "calibration").whole_gpu);
  ASSERT_TRUE(written["device_triad"].is_object());
}

TEST(CalibrationSizing, CallsFillTheTargetWithinBounds) {
  EXPECT_EQ(calls_per_repetition(1000, 40'000, 100'000), 40);
  EXPECT_EQ(calls_per_repetition(300, 40'000, 100'000), 134);  // rounds up, never short
  EXPECT_EQ(calls_per_repetition(80'000, 40'000, 100'000), 1); // one long call suffices
  EXPECT_EQ(calls_per_repetition(0.01, 40'000, 1000), 1000);   // capped
  EXPECT_EQ(calls_per_repetition(0, 40'000, 1000), 1);         // an unusable timing: one call
  EXPECT_EQ(calls_per_repetition(std::nan(""), 40'000, 1000), 1);
}

} // namespace
} // namespace gpushare
