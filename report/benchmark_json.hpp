#pragma once
// Google Benchmark JSON (what `gpushare_microbench --benchmark_out=F --benchmark_out_format=json`
// writes) read into plain structs, so the report can show microbenchmark figures next to the
// sharing figures without knowing the library's layout anywhere else.
//
// The library prints every run as one object in `benchmarks`: the repetitions themselves
// (run_type "iteration") and, with --benchmark_repetitions, statistics over them (run_type
// "aggregate", name suffixed _mean, _median, _stddev, _cv). Its user counters, the rates
// SetBytesProcessed/SetItemsProcessed add (bytes_per_second, items_per_second) and the memory
// manager's figures are further numeric keys of the same object, so every numeric key that is
// not one of the library's own is read as a counter.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gpushare::report {

/// `context`: the machine and the library build the figures come from.
struct benchmark_context {
  std::string date; ///< local time with offset, as the library wrote it
  std::string host_name;
  std::string executable; ///< "" when absent
  int num_cpus = 0;
  double mhz_per_cpu = 0;
  std::optional<bool> cpu_scaling_enabled;
  std::string library_build_type; ///< "release" or "debug": how the library itself was built
  std::string library_version;    ///< "" before Google Benchmark 1.8
};

/// One element of `benchmarks`.
struct benchmark_entry {
  std::string name;     ///< with the aggregate suffix: "BM_x/8_median"
  std::string run_name; ///< the benchmark instance: "BM_x/8"
  bool aggregate = false;
  std::string aggregate_name; ///< mean | median | stddev | cv, or a user statistic
  /// "percentage" when real_time and cpu_time are fractions (cv), "time" otherwise
  std::string aggregate_unit = "time";
  int repetitions = 1;
  int repetition_index = 0;
  int threads = 1;
  std::int64_t iterations = 0;
  double real_time = 0;
  double cpu_time = 0;
  std::string time_unit; ///< ns | us | ms | s
  /// Further numeric keys by name: user counters, bytes/items_per_second, memory figures.
  std::vector<std::pair<std::string, double>> counters;
  std::string error; ///< why it failed or was skipped (error_message / skip_message); "" if ran
  std::string label;
};

struct benchmark_file {
  benchmark_context context;
  std::vector<benchmark_entry> benchmarks;
};

/// Whether `value` is read as Google Benchmark output: an object without schema_version (every
/// gpushare-bench report has one) that has `context` or `benchmarks`. Either key is enough so
/// that a file missing the other is reported as a bad benchmark file, not as a bad report.
[[nodiscard]] bool is_benchmark_json(const nlohmann::json& value);

/// Throws json_field_error (json_reader.hpp) naming the field, e.g. "benchmarks[2].real_time".
/// Complexity fits (_BigO, _RMS) carry coefficients instead of times and are left out.
[[nodiscard]] benchmark_file benchmark_file_from_json(const nlohmann::json& value);

} // namespace gpushare::report
