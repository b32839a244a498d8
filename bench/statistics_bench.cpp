// Cost of summarising R repetitions (sort, order-statistic interval, moments).
#include "harness/statistics.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

namespace {

std::vector<double> repetition_times(std::size_t count) {
  std::mt19937_64 rng(count);
  std::vector<double> values;
  values.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    values.push_back(1.0 + static_cast<double>(rng() >> 11) * 0x1.0p-53 * 0.1);
  }
  return values;
}

void BM_summarize(benchmark::State& state) {
  const auto samples = repetition_times(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(gpushare::summarize(samples));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_summarize)->Arg(5)->Arg(10)->Arg(30)->Arg(100)->Arg(1000);

void BM_median_interval_coverage(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(gpushare::median_interval_coverage(n, n / 2));
  }
}
BENCHMARK(BM_median_interval_coverage)->Arg(100)->Arg(10000);

void BM_jain_fairness(benchmark::State& state) {
  const auto values = repetition_times(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(gpushare::jain_fairness(values));
  }
}
BENCHMARK(BM_jain_fairness)->Arg(8);

} // namespace
