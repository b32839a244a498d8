// The reader is the inverse of the writer: a record written and read back must write the same
// JSON again, and a broken document must name the field that is wrong.

#include "report/json_reader.hpp"
#include "report/json_records.hpp"
#include "sample_records.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace gpushare {
namespace {

using nlohmann::json;

environment_info sample_environment() {
  environment_info environment;
  environment.cuda_available = true;
  environment.cuda_driver_version = 13000;
  environment.cuda_runtime_version = 13000;
  environment.driver_release = "580.95.05";
  environment.nvml_status = "ok";
  for (int index = 0; index < 2; ++index) {
    gpu_info gpu;
    gpu.index = index;
    gpu.name = "Example GPU " + std::to_string(index);
    gpu.uuid = "GPU-00000000-1111-2222-3333-44444444444" + std::to_string(index);
    gpu.pci_bus_id = "00000000:1" + std::to_string(index) + ":00.0";
    gpu.compute_capability_major = 9;
    gpu.compute_capability_minor = index;
    gpu.sm_count = 132 - index;
    gpu.memory_bytes = 85'000'000'000ull + static_cast<std::uint64_t>(index);
    gpu.mig_mode = index == 0 ? "disabled" : "enabled";
    gpu.mig_detail = index == 0 ? "" : "disable pending a GPU reset";
    gpu.compute_mode = "default";
    gpu.sm_clock_max_mhz = 1980;
    gpu.memory_clock_max_mhz = 2619;
    gpu.async_engine_count = 3;
    gpu.l2_cache_bytes = 52'428'800;
    environment.gpus.push_back(gpu);
  }
  environment.mps.daemon_running = true;
  environment.mps.control_pids = {101};
  environment.mps.server_pids = {102, 103};
  environment.mps.pipe_directory = "/tmp/nvidia-mps";
  return environment;
}

streams_result sample_streams() {
  streams_result streams;
  auto& overlap = streams.kernel_overlap;
  overlap.kernels = 32;
  overlap.blocks_per_kernel = 4;
  overlap.threads_per_block = 256;
  overlap.fma_per_element = 2048;
  overlap.elements_per_kernel = 1024;
  overlap.concurrent_capacity = 132;
  overlap.single_kernel_us = test::summary_of(201, 199, 204);
  overlap.sizing_note = "sized so one kernel runs about 200 us";
  overlap.points = {test::point_of(1, 6400, 1, 1), test::point_of(4, 1650, 3.88, 4, true)};
  auto& pipeline = streams.copy_pipeline;
  pipeline.total_bytes = 256ull << 20;
  pipeline.chunks = 16;
  pipeline.chunk_bytes = 16ull << 20;
  pipeline.copy_engines = 2;
  pipeline.fma_per_element = 64;
  pipeline.h2d_us = test::summary_of(10400, 10300, 10500);
  pipeline.kernel_us = test::summary_of(3100, 3050, 3200);
  pipeline.d2h_us = test::summary_of(10200, 10100, 10400);
  pipeline.sizing_note = "256 MiB in 16 chunks";
  pipeline.points = {test::point_of(1, 23700, 1, 1), test::point_of(2, 12900, 1.84, 2.1)};
  // A figure that went wrong is written as null and must come back as NaN, not fail.
  pipeline.points.back().efficiency = std::numeric_limits<double>::quiet_NaN();
  return streams;
}

TEST(JsonReader, EnvironmentRoundTripsThroughTheWriter) {
  const json written = report::environment_to_json(sample_environment());
  const environment_info read = report::environment_from_json(written, "environment");
  EXPECT_EQ(report::environment_to_json(read), written);
  ASSERT_EQ(read.gpus.size(), 2u);
  EXPECT_EQ(read.gpus[1].compute_capability_minor, 1);
  EXPECT_EQ(read.gpus[1].memory_bytes, 85'000'000'001ull);
}

TEST(JsonReader, StreamsRoundTripThroughTheWriter) {
  const json written = report::streams_to_json(sample_streams());
  const streams_result read = report::streams_from_json(written, "streams");
  EXPECT_EQ(report::streams_to_json(read), written);
  EXPECT_TRUE(std::isnan(read.copy_pipeline.points.back().efficiency));
  EXPECT_TRUE(read.kernel_overlap.points.back().time_us.noisy);
}

TEST(JsonReader, MissingFieldIsNamedByItsPath) {
  json written = report::environment_to_json(sample_environment());
  written["gpus"][1].erase("uuid");
  try {
    (void)report::environment_from_json(written, "environment");
    FAIL() << "a missing uuid was accepted";
  } catch (const report::json_field_error& failure) {
    EXPECT_EQ(failure.path(), "environment.gpus[1].uuid");
  }
}

TEST(JsonReader, MistypedFieldIsNamedWithTheValue) {
  json written = report::streams_to_json(sample_streams());
  written["copy_pipeline"]["points"][0]["speedup"] = "fast";
  try {
    (void)report::streams_from_json(written, "streams");
    FAIL() << "a string speedup was accepted";
  } catch (const report::json_field_error& failure) {
    EXPECT_EQ(failure.path(), "streams.copy_pipeline.points[0].speedup");
    EXPECT_NE(std::string(failure.what()).find("\"fast\""), std::string::npos);
  }
}

TEST(JsonReader, BadComputeCapabilityIsRejected) {
  json written = report::environment_to_json(sample_environment());
  written["gpus"][0]["compute_capability"] = "nine";
  EXPECT_THROW((void)report::environment_from_json(written, "environment"),
               report::json_field_error);
}

} // namespace
} // namespace gpushare
