// Cost of the harness's own telemetry bookkeeping, with NVML taken out: one sampling round of
// telemetry_sampler against an in-memory source that hands back fixed readings, and the
// per-GPU summary at the end of a phase. The sampler thread runs beside the tenants, so this
// is CPU time a measured phase shares with them. What NVML's reads add on a real GPU is in
// every report already (runs[].telemetry[].sample_cost_us); the difference between the two
// is the driver's share.
#include "harness/telemetry_fields.hpp"
#include "harness/telemetry_sampler.hpp"
#include "harness/telemetry_source.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace {

constexpr const char* bookkeeping_label = "harness bookkeeping only: in-memory source, no NVML";

// One minute of a phase at the default 50 ms interval.
constexpr std::int64_t phase_rounds = 1200;

// Every counter present and two tenant processes holding memory: the largest reading NVML
// gives a shared phase, so the copy and bookkeeping are not flattered by empty fields.
gpushare::telemetry_reading busy_reading() {
  gpushare::telemetry_reading reading;
  reading.counters.gpu_util_pct = 100;
  reading.counters.mem_copy_util_pct = 48;
  reading.counters.fb_used_mib = 16384;
  reading.counters.power_w = 612.5;
  reading.counters.sm_clock_mhz = 1980;
  reading.counters.mem_clock_mhz = 2619;
  reading.counters.gpu_temp_c = 63;
  reading.counters.clocks_event_reasons = 0;
  reading.process_memory_bytes = {{4101, 8ull << 30}, {4102, 8ull << 30}};
  return reading;
}

class fixed_source final : public gpushare::telemetry_source {
public:
  gpushare::telemetry_reading read(const std::string& /*gpu_uuid*/) override { return m_reading; }

private:
  gpushare::telemetry_reading m_reading = busy_reading();
};

std::vector<std::string> gpu_uuids(std::int64_t count) {
  std::vector<std::string> uuids;
  for (std::int64_t i = 0; i < count; ++i) {
    uuids.push_back("GPU-00000000-0000-0000-0000-00000000000" + std::to_string(i));
  }
  return uuids;
}

// A sampler keeps every reading of its phase, so a fresh one every phase_rounds rounds keeps
// memory bounded while the vectors still grow as they do during a real minute-long phase.
void BM_telemetry_sample_round_without_nvml(benchmark::State& state) {
  fixed_source source;
  gpushare::telemetry_settings settings;
  settings.source = &source;
  settings.gpu_uuids = gpu_uuids(state.range(0));
  std::optional<gpushare::telemetry_sampler> sampler;
  sampler.emplace(settings, "shared");
  std::int64_t rounds = 0;
  for (auto _ : state) {
    if (rounds == phase_rounds) {
      state.PauseTiming();
      sampler.emplace(settings, "shared");
      rounds = 0;
      state.ResumeTiming();
    }
    sampler->sample_once();
    ++rounds;
  }
  state.SetLabel(bookkeeping_label);
  state.SetItemsProcessed(state.iterations() * state.range(0)); // GPU readings
}
BENCHMARK(BM_telemetry_sample_round_without_nvml)->ArgName("gpus")->Arg(1)->Arg(2)->Arg(8);

// Busy with the SM clock stepping between 1980 and 1965 MHz, and every twentieth reading idle
// at 345 MHz: the busy filter, the drift range and reason decoding all take their real paths.
std::vector<gpushare::telemetry_reading> phase_readings(std::int64_t count) {
  std::vector<gpushare::telemetry_reading> readings;
  readings.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    gpushare::telemetry_reading reading = busy_reading();
    reading.counters.t_ms = 50.0 * static_cast<double>(i);
    reading.counters.sm_clock_mhz = i % 2 == 0 ? 1980 : 1965;
    if (i % 20 == 0) {
      reading.counters.gpu_util_pct = 0;
      reading.counters.sm_clock_mhz = 345;
      reading.counters.clocks_event_reasons = gpushare::clocks_event_reason::gpu_idle;
    }
    readings.push_back(reading);
  }
  return readings;
}

void BM_telemetry_summarize_gpu(benchmark::State& state) {
  const std::vector<gpushare::telemetry_reading> readings = phase_readings(state.range(0));
  const std::string uuid = gpu_uuids(1).front();
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        gpushare::summarize_gpu(uuid, readings, gpushare::default_max_clock_drift));
  }
  state.SetLabel(bookkeeping_label);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_telemetry_summarize_gpu)
    ->ArgName("readings")
    ->Arg(phase_rounds)
    ->Unit(benchmark::kMicrosecond);

} // namespace
