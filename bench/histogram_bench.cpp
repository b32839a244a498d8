// Cost of the latency histogram on the measurement path: record() runs once per timed
// iteration, percentile queries and merges once per report.
#include "harness/histogram.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace {

// log10(value) spread between 3 and 9: 1 us to 1 s in nanoseconds.
std::vector<std::uint64_t> latency_like_values(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto unit = [&rng] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  std::vector<std::uint64_t> values;
  values.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const double bell = (unit() + unit() + unit() + unit()) / 4;
    values.push_back(static_cast<std::uint64_t>(std::pow(10.0, 3.0 + 6.0 * bell)));
  }
  return values;
}

gpushare::latency_histogram histogram_of(const std::vector<std::uint64_t>& values) {
  gpushare::latency_histogram histogram;
  for (std::uint64_t value : values) {
    histogram.record(value);
  }
  return histogram;
}

void BM_histogram_record(benchmark::State& state) {
  const auto values = latency_like_values(1 << 16, 1);
  // Pre-recording the values grows the bucket vector once, so the loop measures the
  // steady state: no allocation.
  gpushare::latency_histogram histogram = histogram_of(values);
  std::size_t next = 0;
  for (auto _ : state) {
    histogram.record(values[next]);
    next = (next + 1) & (values.size() - 1);
  }
  benchmark::DoNotOptimize(histogram.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_histogram_record);

// Values below 2048 ns: the exact region, no shift computation.
void BM_histogram_record_exact_region(benchmark::State& state) {
  gpushare::latency_histogram histogram;
  histogram.record(2047);
  std::uint64_t value = 0;
  for (auto _ : state) {
    histogram.record(value);
    value = (value + 7) & 2047;
  }
  benchmark::DoNotOptimize(histogram.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_histogram_record_exact_region);

void BM_histogram_percentile(benchmark::State& state) {
  const gpushare::latency_histogram histogram =
      histogram_of(latency_like_values(static_cast<std::size_t>(state.range(0)), 2));
  for (auto _ : state) {
    benchmark::DoNotOptimize(histogram.value_at_percentile(99.0));
  }
  state.counters["buckets"] = static_cast<double>(histogram.nonzero_buckets().size());
}
BENCHMARK(BM_histogram_percentile)->Arg(1000)->Arg(1000000);

void BM_summarize_latency(benchmark::State& state) {
  const gpushare::latency_histogram histogram =
      histogram_of(latency_like_values(static_cast<std::size_t>(state.range(0)), 3));
  for (auto _ : state) {
    benchmark::DoNotOptimize(gpushare::summarize_latency(histogram));
  }
}
BENCHMARK(BM_summarize_latency)->Arg(1000)->Arg(1000000);

void BM_histogram_merge(benchmark::State& state) {
  const gpushare::latency_histogram part =
      histogram_of(latency_like_values(static_cast<std::size_t>(state.range(0)), 4));
  gpushare::latency_histogram pooled = part;
  for (auto _ : state) {
    pooled.merge(part);
  }
  benchmark::DoNotOptimize(pooled.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_histogram_merge)->Arg(1000)->Arg(1000000);

} // namespace
