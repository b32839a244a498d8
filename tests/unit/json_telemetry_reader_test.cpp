// Telemetry read back from report JSON: a phase written and read again must write the same
// JSON (also through text, as a report file is read), counters a GPU did not report stay empty,
// and a broken telemetry section names the field that is wrong.

#include "harness/telemetry_fields.hpp"
#include "harness/telemetry_sampler.hpp"
#include "report/json_reader.hpp"
#include "report/json_records.hpp"
#include "report/json_telemetry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gpushare {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* gpu_a = "GPU-aaaaaaaa-0000-0000-0000-000000000001";
constexpr const char* gpu_b = "GPU-bbbbbbbb-0000-0000-0000-000000000002";

telemetry_reading reading(double t_ms, double util, double sm_mhz, std::optional<double> power_w,
                          std::optional<std::uint64_t> reasons) {
  telemetry_reading out;
  out.counters.t_ms = t_ms;
  out.counters.gpu_util_pct = util;
  out.counters.fb_used_mib = 8192;
  out.counters.power_w = power_w;
  out.counters.sm_clock_mhz = sm_mhz;
  out.counters.mem_clock_mhz = 2619;
  out.counters.gpu_temp_c = 61;
  out.counters.clocks_event_reasons = reasons;
  return out;
}

/// A power-capped solo phase on one GPU and an unread second GPU. Memory-copy utilisation is
/// never reported, power and temperature drop out of one sample each, and one sample has no
/// reasons: every way a counter can be missing.
phase_telemetry sample_phase() {
  std::vector<telemetry_reading> series{
      reading(0.0, 0, 345, 72.0, clocks_event_reason::gpu_idle),
      reading(50.25, 100, 1980, 690.5, 0),
      reading(100.5, 100, 1830, std::nullopt, clocks_event_reason::sw_power_cap),
      reading(150.75, 100, 1980, 700.0, std::nullopt),
  };
  series[1].process_memory_bytes = {{4101, 1ull << 30}};
  series[2].process_memory_bytes = {{4101, 3ull << 30}, {4102, (5ull << 30) + 7}};
  series[2].failed_reads = 1;
  series[2].first_error = "nvmlDeviceGetPowerUsage: Unknown Error (NVML error 999)";
  series[3].counters.gpu_temp_c.reset();

  phase_telemetry phase;
  phase.phase = "solo";
  phase.tenant = 1;
  phase.interval_ms = 50;
  phase.samples = series.size();
  phase.sample_cost_us = {12.5, 31.25};
  phase.gpus.push_back(summarize_gpu(gpu_a, series, default_max_clock_drift));
  phase.gpus.push_back(summarize_gpu(gpu_b, {}, default_max_clock_drift));
  phase.flags = {"throttled", "clock_drift"};
  return phase;
}

phase_telemetry shared_phase() {
  phase_telemetry phase;
  phase.phase = "shared";
  phase.interval_ms = 50;
  phase.samples = 5;
  std::vector<telemetry_reading> series;
  for (int i = 0; i < 5; ++i) {
    series.push_back(reading(50.0 * i, 100, 1980, 650.0 + i, 0));
  }
  phase.gpus.push_back(summarize_gpu(gpu_a, series, default_max_clock_drift));
  return phase;
}

json run_with_telemetry() {
  run_record run;
  run.mode = "timeslice";
  run.telemetry = {sample_phase(), shared_phase()};
  return report::run_to_json(run);
}

/// The path and message of the json_field_error `read` throws; "(accepted)" when none.
template <typename Read> std::pair<std::string, std::string> field_error(Read read) {
  try {
    read();
  } catch (const report::json_field_error& failure) {
    return {failure.path(), failure.what()};
  }
  return {"(accepted)", ""};
}

TEST(JsonTelemetryReader, PhaseRoundTripsThroughTheWriterAndText) {
  const phase_telemetry phase = sample_phase();
  // The inputs have to carry what the test claims to round-trip.
  ASSERT_TRUE(phase.gpus[0].throttled);
  ASSERT_TRUE(phase.gpus[0].clock_drift);
  ASSERT_FALSE(phase.gpus[0].mem_copy_util_pct.mean.has_value());

  const json written = report::phase_telemetry_to_json(phase);
  const phase_telemetry read =
      report::phase_telemetry_from_json(json::parse(written.dump()), "runs[0].telemetry[0]");
  EXPECT_EQ(report::phase_telemetry_to_json(read), written);

  EXPECT_EQ(read.phase, "solo");
  EXPECT_EQ(read.tenant, 1);
  EXPECT_EQ(read.samples, 4u);
  EXPECT_EQ(read.sample_cost_us.max, 31.25);
  EXPECT_THAT(read.flags, ElementsAre("throttled", "clock_drift"));
  ASSERT_EQ(read.gpus.size(), 2u);
  const gpu_phase_telemetry& gpu = read.gpus[0];
  EXPECT_EQ(gpu.gpu_uuid, gpu_a);
  ASSERT_EQ(gpu.samples.size(), 4u);
  EXPECT_EQ(gpu.samples[1].t_ms, 50.25);
  EXPECT_EQ(gpu.samples[1].power_w, 690.5);
  EXPECT_FALSE(gpu.samples[2].power_w.has_value());
  EXPECT_FALSE(gpu.samples[3].gpu_temp_c.has_value());
  EXPECT_EQ(gpu.samples[2].clocks_event_reasons, clocks_event_reason::sw_power_cap);
  EXPECT_FALSE(gpu.samples[3].clocks_event_reasons.has_value());
  for (const telemetry_sample& sample : gpu.samples) {
    EXPECT_FALSE(sample.mem_copy_util_pct.has_value()) << sample.t_ms;
  }
  EXPECT_FALSE(gpu.mem_copy_util_pct.mean.has_value());
  EXPECT_FALSE(gpu.mem_copy_util_pct.max.has_value());
  EXPECT_EQ(gpu.power_w.max, 700.0);
  EXPECT_THAT(gpu.clocks_event_reasons, ElementsAre("gpu_idle", "sw_power_cap"));
  EXPECT_TRUE(gpu.throttled);
  EXPECT_TRUE(gpu.clock_drift);
  EXPECT_NEAR(gpu.sm_clock_drift.value_or(0), (1980.0 - 1830.0) / 1980.0, 1e-12);
  EXPECT_EQ(gpu.process_memory_bytes,
            (std::map<unsigned, std::uint64_t>{{4101, 3ull << 30}, {4102, (5ull << 30) + 7}}));
  EXPECT_EQ(gpu.read_errors, 1u);
  EXPECT_THAT(gpu.last_read_error, HasSubstr("NVML error 999"));
  EXPECT_THAT(read.gpus[1].samples, IsEmpty());
  EXPECT_FALSE(read.gpus[1].sm_clock_drift.has_value());
}

TEST(JsonTelemetryReader, RunTelemetryIsReadInOrderAndAbsentMeansNone) {
  const std::vector<phase_telemetry> phases =
      report::run_telemetry_from_json(run_with_telemetry(), "runs[0]");
  ASSERT_EQ(phases.size(), 2u);
  EXPECT_EQ(phases[0].phase, "solo");
  EXPECT_EQ(phases[1].phase, "shared");
  EXPECT_FALSE(phases[1].tenant.has_value());
  EXPECT_EQ(report::phase_telemetry_to_json(phases[1]),
            report::phase_telemetry_to_json(shared_phase()));

  run_record untouched;
  untouched.mode = "streams";
  EXPECT_THAT(report::run_telemetry_from_json(report::run_to_json(untouched), "runs[0]"),
              IsEmpty());
}

TEST(JsonTelemetryReader, StatusRoundTripsAndItsOptionalFiguresMayBeAbsent) {
  telemetry_status disabled;
  disabled.status = "disabled";
  disabled.reason = "--telemetry-interval 0";
  disabled.interval_ms = 0;
  disabled.max_clock_drift = std::numeric_limits<double>::quiet_NaN(); // written as null
  const json written = report::telemetry_status_to_json(disabled);
  const telemetry_status read = report::telemetry_status_from_json(written, "telemetry");
  EXPECT_EQ(report::telemetry_status_to_json(read), written);
  EXPECT_EQ(read.status, "disabled");
  EXPECT_EQ(read.reason, "--telemetry-interval 0");
  EXPECT_TRUE(std::isnan(read.max_clock_drift));

  const telemetry_status bare = report::telemetry_status_from_json(
      json{{"status", "unavailable"}, {"reason", "nvmlInit_v2 failed: Driver Not Loaded"}},
      "telemetry");
  EXPECT_EQ(bare.status, "unavailable");
  EXPECT_EQ(bare.interval_ms, 0.0);
}

TEST(JsonTelemetryReader, CounterMissingFromTimelineAndSummaryStaysEmpty) {
  json written = report::phase_telemetry_to_json(sample_phase());
  json& gpu = written["gpus"][0];
  gpu["timeline"].erase("DCGM_FI_DEV_POWER_USAGE");
  gpu["summary"].erase("DCGM_FI_DEV_POWER_USAGE");
  gpu["timeline"].erase(clocks_event_reasons_dcgm_name);
  const phase_telemetry read = report::phase_telemetry_from_json(written, "runs[0].telemetry[0]");
  const gpu_phase_telemetry& first = read.gpus[0];
  ASSERT_EQ(first.samples.size(), 4u);
  for (const telemetry_sample& sample : first.samples) {
    EXPECT_FALSE(sample.power_w.has_value()) << sample.t_ms;
    EXPECT_FALSE(sample.clocks_event_reasons.has_value()) << sample.t_ms;
    EXPECT_EQ(sample.mem_clock_mhz, 2619.0) << sample.t_ms;
  }
  EXPECT_FALSE(first.power_w.mean.has_value());
  EXPECT_EQ(first.sm_clock_mhz.max, 1980.0);
}

TEST(JsonTelemetryReader, MistypedSampleTimeIsNamedByItsPath) {
  json run = run_with_telemetry();
  run["telemetry"][1]["gpus"][0]["timeline"]["t_ms"][3] = "late";
  const auto [path, message] =
      field_error([&] { (void)report::run_telemetry_from_json(run, "runs[0]"); });
  EXPECT_EQ(path, "runs[0].telemetry[1].gpus[0].timeline.t_ms[3]");
  EXPECT_THAT(message, HasSubstr("\"late\""));
}

TEST(JsonTelemetryReader, ColumnOfTheWrongLengthIsNamed) {
  json run = run_with_telemetry();
  run["telemetry"][0]["gpus"][0]["timeline"]["DCGM_FI_DEV_SM_CLOCK"].erase(0);
  const auto [path, message] =
      field_error([&] { (void)report::run_telemetry_from_json(run, "runs[0]"); });
  EXPECT_EQ(path, "runs[0].telemetry[0].gpus[0].timeline.DCGM_FI_DEV_SM_CLOCK");
  EXPECT_THAT(message, HasSubstr("3 values, but t_ms has 4"));
}

TEST(JsonTelemetryReader, MissingRequiredFieldIsNamed) {
  json run = run_with_telemetry();
  run["telemetry"][0]["gpus"][1].erase("throttled");
  EXPECT_EQ(field_error([&] { (void)report::run_telemetry_from_json(run, "runs[0]"); }).first,
            "runs[0].telemetry[0].gpus[1].throttled");

  json no_timeline = run_with_telemetry();
  no_timeline["telemetry"][1]["gpus"][0].erase("timeline");
  EXPECT_EQ(
      field_error([&] { (void)report::run_telemetry_from_json(no_timeline, "runs[0]"); }).first,
      "runs[0].telemetry[1].gpus[0].timeline");

  const json status{{"status", "available"}};
  EXPECT_EQ(
      field_error([&] { (void)report::telemetry_status_from_json(status, "telemetry"); }).first,
      "telemetry.reason");
}

TEST(JsonTelemetryReader, NegativeOrFractionalCountsAreRejected) {
  json run = run_with_telemetry();
  run["telemetry"][0]["gpus"][0]["timeline"][clocks_event_reasons_dcgm_name][2] = -4;
  EXPECT_EQ(field_error([&] { (void)report::run_telemetry_from_json(run, "runs[0]"); }).first,
            "runs[0].telemetry[0].gpus[0].timeline.DCGM_FI_DEV_CLOCK_THROTTLE_REASONS[2]");

  json fractional = run_with_telemetry();
  fractional["telemetry"][1]["samples"] = 2.5;
  EXPECT_EQ(
      field_error([&] { (void)report::run_telemetry_from_json(fractional, "runs[0]"); }).first,
      "runs[0].telemetry[1].samples");

  json wrong_tenant = run_with_telemetry();
  wrong_tenant["telemetry"][0]["tenant"] = "1";
  EXPECT_EQ(
      field_error([&] { (void)report::run_telemetry_from_json(wrong_tenant, "runs[0]"); }).first,
      "runs[0].telemetry[0].tenant");
}

TEST(JsonTelemetryReader, ProcessMemoryKeyMustBeAPid) {
  json run = run_with_telemetry();
  json& processes = run["telemetry"][0]["gpus"][0]["process_memory_max_bytes"];
  processes["tenant-1"] = processes["4101"];
  const auto [path, message] =
      field_error([&] { (void)report::run_telemetry_from_json(run, "runs[0]"); });
  EXPECT_EQ(path, "runs[0].telemetry[0].gpus[0].process_memory_max_bytes.tenant-1");
  EXPECT_THAT(message, HasSubstr("not a process id"));
}

} // namespace
} // namespace gpushare
