#pragma once
// What the report shows of one Google Benchmark file: one row per benchmark instance, built
// once from benchmark_json's structs so the Markdown, HTML and CSV show the same figures.
//
// With repetitions a row is the median over them (the mean where the file has no median) with
// the coefficient of variation beside it: one repetition can be an outlier, and the spread says
// whether a difference between two files means anything. Without repetitions there is no
// statistic to prefer, and the rows are the measured repetitions themselves.

#include "report/benchmark_json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gpushare::report {

/// Shown with every file whose library_build_type is "debug": the library's own timing loop
/// then runs with its assertions, which weighs on the shortest benchmarks most.
inline constexpr const char* debug_library_warning =
    "Google Benchmark reports a debug build of its library: timings may include the library's "
    "own debug overhead and are not representative.";

struct microbenchmark_row {
  std::string name;      ///< the instance (run_name): "BM_x/8"
  std::string statistic; ///< "median", "mean", or "" for a repetition's own figures
  int repetitions = 1;
  std::optional<int> repetition; ///< 0-based: which repetition a row without a statistic is
  int threads = 1;
  std::optional<double> real_time; ///< in time_unit; absent when the benchmark did not run
  std::optional<double> cpu_time;
  std::string time_unit;
  std::optional<double> real_time_cv; ///< fraction, over the repetitions
  std::optional<double> cpu_time_cv;
  /// Iterations of one repetition: the lowest and highest over the repetitions.
  std::optional<std::int64_t> iterations_low;
  std::optional<std::int64_t> iterations_high;
  /// Of the same statistic as the times: the median of each counter with repetitions.
  std::vector<std::pair<std::string, double>> counters;
  std::string error; ///< why it did not run (a GPU benchmark without a GPU, say)
  /// With a statistic: repetitions that failed, which the library leaves out of its statistic,
  /// and the first one's reason.
  int failed_repetitions = 0;
  std::string repetition_error;
  std::string label;
};

struct microbenchmark_source {
  std::string path;
  std::string label; ///< "host_name, date"
  benchmark_context context;
  /// The library was built without NDEBUG: its own overhead is in every figure.
  bool debug_library = false;
  std::vector<microbenchmark_row> rows; ///< in the file's order of instances
};

[[nodiscard]] microbenchmark_source build_microbenchmark_source(const benchmark_file& file,
                                                                const std::string& path);

} // namespace gpushare::report
