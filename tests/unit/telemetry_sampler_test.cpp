// The telemetry sampler fed recorded series through the sample-source interface: aggregation,
// the columnar timeline, throttle-reason decoding and both trust flags. The series values are
// written here to look like an H100 under load; they are inputs, not measurements.

#include "harness/private_directory.hpp"
#include "harness/sharing_experiment.hpp"
#include "harness/telemetry_fields.hpp"
#include "harness/telemetry_sampler.hpp"
#include "harness/workload_spec.hpp"
#include "report/console_table.hpp"
#include "report/json_telemetry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

namespace gpushare {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* gpu_a = "GPU-aaaaaaaa-0000-0000-0000-000000000001";
constexpr const char* gpu_b = "GPU-bbbbbbbb-0000-0000-0000-000000000002";

/// Replays a series per GPU, one reading per read(); the last reading repeats once the series
/// is exhausted (a sampler thread may read more often than a test planned).
class recorded_source final : public telemetry_source {
public:
  void add(const std::string& uuid, std::vector<telemetry_reading> series) {
    m_series[uuid] = std::move(series);
  }

  telemetry_reading read(const std::string& gpu_uuid) override {
    ++m_reads;
    const auto found = m_series.find(gpu_uuid);
    if (found == m_series.end() || found->second.empty()) {
      telemetry_reading missing;
      missing.failed_reads = 1;
      missing.first_error = "no series for " + gpu_uuid;
      return missing;
    }
    std::size_t& next = m_next[gpu_uuid];
    const telemetry_reading reading = found->second[std::min(next, found->second.size() - 1)];
    ++next;
    return reading;
  }

  [[nodiscard]] int reads() const { return m_reads.load(); }

private:
  std::map<std::string, std::vector<telemetry_reading>> m_series;
  std::map<std::string, std::size_t> m_next;
  std::atomic<int> m_reads{0};
};

telemetry_reading busy(double util, double sm_mhz, double power_w, std::uint64_t reasons = 0) {
  telemetry_reading reading;
  reading.counters.gpu_util_pct = util;
  reading.counters.mem_copy_util_pct = util / 2;
  reading.counters.fb_used_mib = 8192;
  reading.counters.power_w = power_w;
  reading.counters.sm_clock_mhz = sm_mhz;
  reading.counters.mem_clock_mhz = 2619;
  reading.counters.gpu_temp_c = 61;
  reading.counters.clocks_event_reasons = reasons;
  return reading;
}

telemetry_reading idle(double sm_mhz) {
  telemetry_reading reading = busy(0, sm_mhz, 72, clocks_event_reason::gpu_idle);
  reading.counters.mem_copy_util_pct = 0;
  return reading;
}

/// Steps a sampler through `rounds` readings without its thread, so the test is exact.
phase_telemetry replay(recorded_source& source, std::vector<std::string> gpus, std::size_t rounds,
                       double max_clock_drift = default_max_clock_drift) {
  telemetry_settings settings;
  settings.source = &source;
  settings.gpu_uuids = std::move(gpus);
  settings.max_clock_drift = max_clock_drift;
  telemetry_sampler sampler(settings, "shared");
  for (std::size_t i = 0; i < rounds; ++i) {
    sampler.sample_once();
  }
  return sampler.stop();
}

TEST(ClocksEventReasons, DecodesEveryNvmlBitByName) {
  EXPECT_THAT(clocks_event_reason_names(0), IsEmpty());
  EXPECT_THAT(clocks_event_reason_names(0x4), ElementsAre("sw_power_cap"));
  EXPECT_THAT(clocks_event_reason_names(0x1 | 0x40),
              ElementsAre("gpu_idle", "hw_thermal_slowdown"));
  EXPECT_THAT(clocks_event_reason_names(0x1FF),
              ElementsAre("gpu_idle", "applications_clocks_setting", "sw_power_cap", "hw_slowdown",
                          "sync_boost", "sw_thermal_slowdown", "hw_thermal_slowdown",
                          "hw_power_brake_slowdown", "display_clock_setting"));
  // A bit a newer driver adds is kept, not dropped.
  EXPECT_THAT(clocks_event_reason_names(std::uint64_t{1} << 12), ElementsAre("bit_12"));
}

TEST(ClocksEventReasons, ThrottlingMaskHoldsPowerThermalAndSlowdownOnly) {
  using namespace clocks_event_reason;
  for (const std::uint64_t reason : {sw_power_cap, hw_slowdown, sw_thermal_slowdown,
                                     hw_thermal_slowdown, hw_power_brake_slowdown}) {
    EXPECT_NE(throttling & reason, 0u) << reason;
  }
  for (const std::uint64_t reason :
       {gpu_idle, applications_clocks_setting, sync_boost, display_clock_setting}) {
    EXPECT_EQ(throttling & reason, 0u) << reason;
  }
}

TEST(TelemetrySampler, SummarisesMeanAndMaxPerCounter) {
  recorded_source source;
  source.add(gpu_a, {busy(90, 1980, 600), busy(100, 1980, 700), busy(95, 1980, 650)});
  const phase_telemetry phase = replay(source, {gpu_a}, 3);
  ASSERT_EQ(phase.gpus.size(), 1u);
  const gpu_phase_telemetry& gpu = phase.gpus.front();
  EXPECT_EQ(gpu.gpu_uuid, gpu_a);
  ASSERT_EQ(gpu.samples.size(), 3u);
  EXPECT_DOUBLE_EQ(*gpu.gpu_util_pct.mean, 95.0);
  EXPECT_DOUBLE_EQ(*gpu.gpu_util_pct.max, 100.0);
  EXPECT_DOUBLE_EQ(*gpu.mem_copy_util_pct.mean, 47.5);
  EXPECT_DOUBLE_EQ(*gpu.power_w.mean, 650.0);
  EXPECT_DOUBLE_EQ(*gpu.power_w.max, 700.0);
  EXPECT_DOUBLE_EQ(*gpu.sm_clock_mhz.max, 1980.0);
  EXPECT_DOUBLE_EQ(*gpu.gpu_temp_c.mean, 61.0);
  EXPECT_DOUBLE_EQ(*gpu.sm_clock_drift, 0.0);
  EXPECT_FALSE(gpu.throttled);
  EXPECT_FALSE(gpu.clock_drift);
  EXPECT_THAT(phase.flags, IsEmpty());
  EXPECT_EQ(phase.phase, "shared");
  EXPECT_EQ(phase.samples, 3u);
}

TEST(TelemetrySampler, CounterTheGpuDoesNotReportStaysEmpty) {
  // A MIG-enabled GPU answers "not supported" for utilisation: no figure, not a zero.
  telemetry_reading reading = busy(0, 1980, 300);
  reading.counters.gpu_util_pct.reset();
  reading.counters.mem_copy_util_pct.reset();
  recorded_source source;
  source.add(gpu_a, {reading, reading});
  const gpu_phase_telemetry gpu = replay(source, {gpu_a}, 2).gpus.front();
  EXPECT_FALSE(gpu.gpu_util_pct.mean.has_value());
  EXPECT_FALSE(gpu.gpu_util_pct.max.has_value());
  EXPECT_TRUE(gpu.power_w.mean.has_value());
  const nlohmann::json json = report::phase_telemetry_to_json(replay(source, {gpu_a}, 1));
  EXPECT_TRUE(json["gpus"][0]["timeline"]["DCGM_FI_DEV_GPU_UTIL"][0].is_null());
  EXPECT_TRUE(json["gpus"][0]["summary"]["DCGM_FI_DEV_GPU_UTIL"]["mean"].is_null());
}

TEST(TelemetrySampler, PowerCapRaisesTheThrottledFlag) {
  recorded_source source;
  source.add(gpu_a, {busy(100, 1980, 690), busy(100, 1830, 700, clocks_event_reason::sw_power_cap),
                     busy(100, 1890, 699)});
  const phase_telemetry phase = replay(source, {gpu_a}, 3, /*max_clock_drift=*/0.5);
  const gpu_phase_telemetry& gpu = phase.gpus.front();
  EXPECT_TRUE(gpu.throttled);
  EXPECT_THAT(gpu.clocks_event_reasons, ElementsAre("sw_power_cap"));
  EXPECT_THAT(phase.flags, ElementsAre("throttled"));
}

TEST(TelemetrySampler, ThermalAndHardwareSlowdownRaiseTheThrottledFlag) {
  for (const std::uint64_t reason :
       {clocks_event_reason::hw_thermal_slowdown, clocks_event_reason::sw_thermal_slowdown,
        clocks_event_reason::hw_slowdown, clocks_event_reason::hw_power_brake_slowdown}) {
    recorded_source source;
    source.add(gpu_a, {busy(100, 1980, 500), busy(100, 1980, 500, reason)});
    EXPECT_TRUE(replay(source, {gpu_a}, 2).gpus.front().throttled) << reason;
  }
}

TEST(TelemetrySampler, IdleAndApplicationClocksAreNotThrottling) {
  recorded_source source;
  source.add(gpu_a,
             {idle(345), busy(100, 1980, 500, clocks_event_reason::applications_clocks_setting),
              busy(100, 1980, 500, clocks_event_reason::sync_boost)});
  const phase_telemetry phase = replay(source, {gpu_a}, 3);
  EXPECT_FALSE(phase.gpus.front().throttled);
  EXPECT_THAT(phase.gpus.front().clocks_event_reasons,
              ElementsAre("gpu_idle", "applications_clocks_setting", "sync_boost"));
  EXPECT_THAT(phase.flags, IsEmpty());
}

TEST(TelemetrySampler, SmClockMovingMoreThanTheThresholdRaisesClockDrift) {
  recorded_source source;
  source.add(gpu_a, {busy(100, 1980, 500), busy(100, 1755, 500), busy(100, 1980, 500)});
  const phase_telemetry phase = replay(source, {gpu_a}, 3);
  const gpu_phase_telemetry& gpu = phase.gpus.front();
  EXPECT_NEAR(*gpu.sm_clock_drift, (1980.0 - 1755.0) / 1980.0, 1e-12);
  EXPECT_TRUE(gpu.clock_drift);
  EXPECT_FALSE(gpu.throttled);
  EXPECT_THAT(phase.flags, ElementsAre("clock_drift"));
}

TEST(TelemetrySampler, ClockDriftHonoursTheConfiguredThreshold) {
  recorded_source source;
  source.add(gpu_a, {busy(100, 1980, 500), busy(100, 1755, 500)});
  // 11.4 % moved: flagged at 5 %, not at 20 %.
  EXPECT_TRUE(replay(source, {gpu_a}, 2, 0.05).gpus.front().clock_drift);
  recorded_source again;
  again.add(gpu_a, {busy(100, 1980, 500), busy(100, 1755, 500)});
  EXPECT_FALSE(replay(again, {gpu_a}, 2, 0.20).gpus.front().clock_drift);
}

TEST(TelemetrySampler, IdleClocksBetweenPhasesAreNotDrift) {
  // Tenants start and stop inside a phase; the GPU's idle clock then is by design.
  recorded_source source;
  source.add(gpu_a, {idle(345), busy(100, 1980, 500), busy(100, 1965, 500), idle(345)});
  const gpu_phase_telemetry gpu = replay(source, {gpu_a}, 4).gpus.front();
  EXPECT_NEAR(*gpu.sm_clock_drift, 15.0 / 1980.0, 1e-12);
  EXPECT_FALSE(gpu.clock_drift);
  EXPECT_DOUBLE_EQ(*gpu.sm_clock_mhz.max, 1980.0); // the summary keeps every sample
}

TEST(TelemetrySampler, EveryGpuInUseIsSampledAndFlaggedSeparately) {
  recorded_source source;
  source.add(gpu_a, {busy(100, 1980, 500), busy(100, 1980, 500)});
  source.add(gpu_b, {busy(100, 1980, 700, clocks_event_reason::sw_power_cap),
                     busy(100, 1600, 700, clocks_event_reason::sw_power_cap)});
  const phase_telemetry phase = replay(source, {gpu_a, gpu_b}, 2);
  ASSERT_EQ(phase.gpus.size(), 2u);
  EXPECT_FALSE(phase.gpus[0].throttled);
  EXPECT_TRUE(phase.gpus[1].throttled);
  EXPECT_TRUE(phase.gpus[1].clock_drift);
  EXPECT_THAT(phase.flags, ElementsAre("throttled", "clock_drift"));
}

TEST(TelemetrySampler, KeepsTheLargestMemoryOfEachProcessAndCountsReadErrors) {
  telemetry_reading first = busy(100, 1980, 500);
  first.process_memory_bytes = {{101, 1u << 30}, {102, 2u << 30}};
  telemetry_reading second = busy(100, 1980, 500);
  second.process_memory_bytes = {{101, 3u << 30}};
  second.failed_reads = 1;
  second.first_error = "nvmlDeviceGetPowerUsage: GPU is lost (NVML error 15)";
  recorded_source source;
  source.add(gpu_a, {first, second});
  const gpu_phase_telemetry gpu = replay(source, {gpu_a}, 2).gpus.front();
  EXPECT_EQ(gpu.process_memory_bytes.at(101), 3ull << 30);
  EXPECT_EQ(gpu.process_memory_bytes.at(102), 2ull << 30);
  EXPECT_EQ(gpu.read_errors, 1u);
  EXPECT_THAT(gpu.last_read_error, HasSubstr("GPU is lost"));
}

TEST(TelemetryJson, TimelineIsColumnarWithDcgmFieldNames) {
  recorded_source source;
  telemetry_reading capped = busy(100, 1830, 700, clocks_event_reason::sw_power_cap);
  capped.counters.power_w.reset();
  source.add(gpu_a, {busy(90, 1980, 600), capped, busy(95, 1980, 650)});
  const nlohmann::json phase = report::phase_telemetry_to_json(replay(source, {gpu_a}, 3));
  EXPECT_EQ(phase["phase"], "shared");
  EXPECT_TRUE(phase["tenant"].is_null());
  EXPECT_EQ(phase["samples"], 3);
  EXPECT_TRUE(phase["sample_cost_us"]["mean"].is_number());
  // 1980 -> 1830 MHz under the power cap is also 7.6 % of clock drift.
  EXPECT_EQ(phase["flags"], nlohmann::json::array({"throttled", "clock_drift"}));
  const nlohmann::json& timeline = phase["gpus"][0]["timeline"];
  ASSERT_TRUE(timeline["t_ms"].is_array());
  ASSERT_EQ(timeline["t_ms"].size(), 3u);
  for (const telemetry_field& field : telemetry_fields) {
    ASSERT_TRUE(timeline.contains(field.dcgm_name)) << field.dcgm_name;
    EXPECT_EQ(timeline[field.dcgm_name].size(), 3u) << field.dcgm_name;
    EXPECT_TRUE(phase["gpus"][0]["summary"].contains(field.dcgm_name)) << field.dcgm_name;
  }
  EXPECT_EQ(timeline["DCGM_FI_DEV_GPU_UTIL"], nlohmann::json::array({90.0, 100.0, 95.0}));
  EXPECT_EQ(timeline["DCGM_FI_DEV_POWER_USAGE"], nlohmann::json::array({600.0, nullptr, 650.0}));
  EXPECT_EQ(timeline["DCGM_FI_DEV_CLOCK_THROTTLE_REASONS"], nlohmann::json::array({0, 4, 0}));
  EXPECT_LE(timeline["t_ms"][0].get<double>(), timeline["t_ms"][1].get<double>());
  EXPECT_LE(timeline["t_ms"][1].get<double>(), timeline["t_ms"][2].get<double>());
  const nlohmann::json& summary = phase["gpus"][0]["summary"];
  EXPECT_DOUBLE_EQ(summary["DCGM_FI_DEV_POWER_USAGE"]["mean"].get<double>(), 625.0);
  EXPECT_DOUBLE_EQ(summary["DCGM_FI_DEV_GPU_UTIL"]["max"].get<double>(), 100.0);
  EXPECT_EQ(phase["gpus"][0]["clocks_event_reasons"], nlohmann::json::array({"sw_power_cap"}));
  EXPECT_EQ(phase["gpus"][0]["throttled"], true);
}

TEST(TelemetrySampler, ThreadSamplesEveryIntervalUntilStopped) {
  recorded_source source;
  source.add(gpu_a, {busy(100, 1980, 500)});
  telemetry_settings settings;
  settings.source = &source;
  settings.gpu_uuids = {gpu_a};
  settings.interval = std::chrono::milliseconds(2);
  telemetry_sampler sampler(settings, "solo", 3);
  sampler.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  const phase_telemetry phase = sampler.stop();
  // One at start, one per tick, one at stop; a loaded machine may skip ticks, never all.
  EXPECT_GE(phase.samples, 3u);
  EXPECT_EQ(phase.samples, static_cast<std::uint64_t>(source.reads()));
  EXPECT_EQ(phase.tenant, 3);
  EXPECT_EQ(phase.interval_ms, 2.0);
  const auto& samples = phase.gpus.front().samples;
  EXPECT_TRUE(std::is_sorted(samples.begin(), samples.end(),
                             [](const auto& a, const auto& b) { return a.t_ms < b.t_ms; }));
  EXPECT_GT(samples.back().t_ms, samples.front().t_ms);
  ASSERT_TRUE(phase.sample_cost_us.mean.has_value());
  EXPECT_GE(*phase.sample_cost_us.max, *phase.sample_cost_us.mean);
}

TEST(TelemetrySampler, DestructorJoinsTheThreadWithoutStop) {
  recorded_source source;
  source.add(gpu_a, {busy(100, 1980, 500)});
  telemetry_settings settings;
  settings.source = &source;
  settings.gpu_uuids = {gpu_a};
  settings.interval = std::chrono::milliseconds(1);
  {
    telemetry_sampler sampler(settings, "shared");
    sampler.start();
  } // a phase that throws leaves through here
  SUCCEED();
}

/// Breaks the source contract on purpose: from the third read on, read() throws.
class failing_source final : public telemetry_source {
public:
  telemetry_reading read(const std::string&) override {
    if (++m_reads > 2) {
      throw std::runtime_error("counter read exploded");
    }
    return busy(100, 1980, 500);
  }

private:
  std::atomic<int> m_reads{0};
};

TEST(TelemetrySampler, AThrowingSourceStopsSamplingWithTheReasonNotThePhase) {
  failing_source source;
  telemetry_settings settings;
  settings.source = &source;
  settings.gpu_uuids = {gpu_a};
  settings.interval = std::chrono::milliseconds(1);
  telemetry_sampler sampler(settings, "shared");
  sampler.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const phase_telemetry phase = sampler.stop(); // must not throw
  EXPECT_EQ(phase.flags, std::vector<std::string>{"telemetry_stopped"});
  ASSERT_EQ(phase.gpus.size(), 1u);
  EXPECT_EQ(phase.gpus[0].samples.size(), 2u);
  EXPECT_EQ(phase.gpus[0].last_read_error, "sampling stopped: counter read exploded");
}

TEST(TelemetrySharingRun, ThrottledPhaseFlagsTheRunAndShowsInTheTable) {
  // A whole timeslice experiment with host-sleep tenants (the real tenant processes) and a
  // recorded power-capped series standing in for NVML: every phase is sampled and the run is
  // flagged throttled.
  recorded_source source;
  source.add(gpu_a, {busy(100, 1980, 700, clocks_event_reason::sw_power_cap)});
  sharing_plan plan;
  plan.mode = "timeslice";
  plan.launch.program = GPUSHARE_BINARY_PATH;
  plan.launch.settings.repetitions = 1;
  plan.launch.settings.warmup_iterations = 0;
  plan.launch.settings.iterations = 5;
  const scoped_private_directory scratch(std::filesystem::temp_directory_path().string(),
                                         "gpushare-telemetry-test-");
  plan.launch.scratch_directory = scratch.path();
  plan.launch.timeout = std::chrono::milliseconds(60000);
  for (int id = 0; id < 2; ++id) {
    plan.tenants.push_back({id, parse_workload_spec("host-sleep:us=100"), {}});
  }
  plan.telemetry.source = &source;
  plan.telemetry.gpu_uuids = {gpu_a};
  plan.telemetry.interval = std::chrono::milliseconds(5);
  const run_record run = run_sharing_experiment(plan);
  ASSERT_EQ(run.telemetry.size(), 3u); // solo 0, solo 1, shared
  EXPECT_EQ(run.telemetry[0].phase, "solo");
  EXPECT_EQ(run.telemetry[0].tenant, 0);
  EXPECT_EQ(run.telemetry[1].tenant, 1);
  EXPECT_EQ(run.telemetry[2].phase, "shared");
  for (const phase_telemetry& phase : run.telemetry) {
    EXPECT_GE(phase.samples, 2u);
    EXPECT_THAT(phase.flags, ElementsAre("throttled"));
  }
  EXPECT_EQ(std::count(run.flags.begin(), run.flags.end(), "throttled"), 1);

  std::ostringstream table;
  report::print_run(table, run);
  EXPECT_THAT(table.str(), HasSubstr("throttled"));
  EXPECT_THAT(table.str(), HasSubstr("THROTTLED"));
  EXPECT_THAT(table.str(), HasSubstr("reasons sw_power_cap"));
}

TEST(TelemetrySharingRun, NoSourceMeansNoTelemetry) {
  sharing_plan plan;
  plan.mode = "timeslice";
  plan.launch.program = GPUSHARE_BINARY_PATH;
  plan.launch.settings.repetitions = 1;
  plan.launch.settings.warmup_iterations = 0;
  plan.launch.settings.iterations = 3;
  const scoped_private_directory scratch(std::filesystem::temp_directory_path().string(),
                                         "gpushare-telemetry-test-");
  plan.launch.scratch_directory = scratch.path();
  plan.tenants.push_back({0, parse_workload_spec("host-sleep:us=100"), {}});
  const run_record run = run_sharing_experiment(plan);
  EXPECT_THAT(run.telemetry, IsEmpty());
  EXPECT_EQ(std::count(run.flags.begin(), run.flags.end(), "throttled"), 0);
}

} // namespace
} // namespace gpushare
