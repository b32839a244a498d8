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

/// Two GPUs and a running MPS daemon, so every list in the environment has entries.
environment_info sample_environment() {
  environment_info environment = test::h100_environment();
  gpu_info second = environment.gpus.front();
  second.index = 1;
  second.uuid = "GPU-00000000-1111-2222-3333-444444444441";
  second.compute_capability_minor = 1;
  second.memory_bytes += 1;
  second.mig_mode = "enabled";
  second.mig_detail = "disable pending a GPU reset";
  environment.gpus.push_back(second);
  environment.mps.daemon_running = true;
  environment.mps.control_pids = {101};
  environment.mps.server_pids = {102, 103};
  environment.mps.pipe_directory = "/tmp/nvidia-mps";
  return environment;
}

/// A figure that went wrong is written as null and must come back as NaN, not fail.
streams_result sample_streams() {
  streams_result streams = test::sample_streams();
  streams.copy_pipeline.points.back().efficiency = std::numeric_limits<double>::quiet_NaN();
  return streams;
}

TEST(JsonReader, EnvironmentRoundTripsThroughTheWriter) {
  const json written = report::environment_to_json(sample_environment());
  const environment_info read = report::environment_from_json(written, "environment");
  EXPECT_EQ(report::environment_to_json(read), written);
  ASSERT_EQ(read.gpus.size(), 2u);
  EXPECT_EQ(read.gpus[1].compute_capability_minor, 1);
  EXPECT_EQ(read.gpus[1].memory_bytes, read.gpus[0].memory_bytes + 1);
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
