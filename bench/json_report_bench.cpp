// Cost of the JSON report for a large run: 64 tenants, each with a solo and a shared result
// carrying its full latency histogram. The report is rewritten after every phase of a run,
// so this is paid repeatedly while tenants are still being measured.
#include "harness/histogram.hpp"
#include "harness/private_directory.hpp"
#include "harness/records.hpp"
#include "harness/statistics.hpp"
#include "report/json_writer.hpp"

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace {

// Iteration times of a GEMM-like tenant: log-normal around `median_ns` with a 5 % spread and
// one iteration in a hundred delayed up to 4x (preemption by another tenant). Spread this
// wide, a histogram holds a few hundred non-empty buckets, as real tenant histograms do.
gpushare::latency_histogram tenant_histogram(double median_ns, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> body(std::log(median_ns), 0.05);
  std::uniform_real_distribution<double> tail(1.0, 4.0);
  std::uniform_int_distribution<int> percent(0, 99);
  gpushare::latency_histogram histogram;
  for (int i = 0; i < 20000; ++i) {
    const double factor = percent(rng) == 0 ? tail(rng) : 1.0;
    histogram.record(static_cast<std::uint64_t>(body(rng) * factor));
  }
  return histogram;
}

gpushare::workload_result tenant_result(double median_ns, std::uint64_t seed) {
  gpushare::workload_result result;
  result.workload = "gemm:dtype=fp16,k=4096,m=4096,n=4096";
  result.description = "fp16 GEMM 4096 x 4096 x 4096 through cuBLAS (benchmark data)";
  result.verification = {true, true, 4096, 0.0, 0.5, "sampled rows against the host reference"};
  result.flops_per_iteration = 2.0 * 4096.0 * 4096.0 * 4096.0;
  result.bytes_per_iteration = 3.0 * 4096.0 * 4096.0 * 2.0;
  result.histogram = tenant_histogram(median_ns, seed);
  result.iterations = result.histogram.count();
  result.latency_us = gpushare::summarize_latency(result.histogram);
  std::mt19937_64 rng(seed + 1);
  std::normal_distribution<double> repetition(median_ns * 1e-3, median_ns * 1e-5);
  for (int r = 0; r < 10; ++r) {
    const double time_us = repetition(rng);
    result.repetition_iteration_time_us.push_back(time_us);
    result.repetition_throughput_per_s.push_back(1e6 / time_us);
  }
  result.iteration_time_us = gpushare::summarize(result.repetition_iteration_time_us);
  result.throughput_per_s = gpushare::summarize(result.repetition_throughput_per_s);
  result.first_iteration_start_ns = 1000000000u + seed;
  return result;
}

gpushare::report_document large_run(int tenants) {
  gpushare::report_document document;
  document.tool.version = "0.0.0";
  document.created_at = "2000-01-01T00:00:00Z";
  document.argv = {"gpushare-bench", "--mode", "mps", "--tenants", std::to_string(tenants)};
  document.host = {"bench-host", "Linux 6.1.0 x86_64", "benchmark CPU", 2};
  document.environment.unavailable_reason = "benchmark data";
  document.config.mode = "mps";
  document.config.tenants = tenants;
  gpushare::run_record run;
  run.mode = "mps";
  run.params = {{"tenants", std::to_string(tenants)}};
  std::vector<double> throughputs;
  for (int id = 0; id < tenants; ++id) {
    gpushare::tenant_record tenant;
    tenant.id = id;
    tenant.workload = "gemm:dtype=fp16,k=4096,m=4096,n=4096";
    tenant.status = "ok";
    tenant.environment = {{"CUDA_MPS_PIPE_DIRECTORY", "/tmp/gpushare-mps-000000/pipe"}};
    const auto seed = static_cast<std::uint64_t>(id) * 4;
    tenant.solo = tenant_result(2.0e6, seed);
    tenant.shared = tenant_result(2.0e6 * tenants * 0.9, seed + 2);
    tenant.slowdown =
        tenant.shared->iteration_time_us.median / tenant.solo->iteration_time_us.median;
    tenant.p99_inflation = tenant.shared->latency_us.p99 / tenant.solo->latency_us.p99;
    throughputs.push_back(tenant.shared->throughput_per_s.median);
    run.tenants.push_back(std::move(tenant));
  }
  run.aggregate.start_skew_us = 120.0;
  run.aggregate.fairness = gpushare::jain_fairness(throughputs);
  run.wall_time_s = 60.0;
  document.runs.push_back(std::move(run));
  return document;
}

std::size_t histogram_buckets(const gpushare::report_document& document) {
  std::size_t buckets = 0;
  for (const auto& tenant : document.runs.front().tenants) {
    buckets += tenant.solo->histogram.nonzero_buckets().size();
    buckets += tenant.shared->histogram.nonzero_buckets().size();
  }
  return buckets;
}

// Records to text as write_json_report renders it, without the file: the CPU part.
void BM_json_render_large_run(benchmark::State& state) {
  const gpushare::report_document document = large_run(static_cast<int>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = gpushare::report::to_json(document).dump(
        2, ' ', false, nlohmann::json::error_handler_t::replace);
    bytes = text.size() + 1; // write_json_report adds a final newline
    benchmark::DoNotOptimize(text.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes) * state.iterations());
  state.counters["report_bytes"] = static_cast<double>(bytes);
  state.counters["buckets"] = static_cast<double>(histogram_buckets(document));
}
BENCHMARK(BM_json_render_large_run)->ArgName("tenants")->Arg(64)->Unit(benchmark::kMillisecond);

// The whole write_json_report: render, then the atomic replace (temporary file, fsync,
// rename, directory fsync) into a private directory under the system's temporary directory.
// Real time, because the fsyncs wait for the disk without using the CPU.
void BM_json_write_large_run(benchmark::State& state) {
  try {
    const gpushare::report_document document = large_run(static_cast<int>(state.range(0)));
    const gpushare::scoped_private_directory directory(
        std::filesystem::temp_directory_path().string(), "gpushare-microbench-");
    const std::string path = directory.path() + "/report.json";
    for (auto _ : state) {
      gpushare::report::write_json_report(document, path);
    }
    const auto bytes = std::filesystem::file_size(path);
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes) * state.iterations());
    state.counters["report_bytes"] = static_cast<double>(bytes);
  } catch (const std::exception& error) {
    state.SkipWithError(error.what());
  }
}
BENCHMARK(BM_json_write_large_run)
    ->ArgName("tenants")
    ->Arg(64)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

} // namespace
