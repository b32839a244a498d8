#pragma once
// `compare BASE NEW`: per metric, how the new report moved against the base, with a verdict
// that never calls noise a regression:
//
//   same       |delta| <= threshold
//   unclear    beyond the threshold, but the two medians' intervals overlap (noise)
//   faster     beyond the threshold and the intervals apart (or no interval), in the
//              metric's good direction (higher throughput, lower time, lower slowdown)
//   slower     the same in the bad direction: a regression
//
// Reports from different GPUs, drivers or settings measure different things; they are
// compared only when the caller forces it, and the differences are always listed.

#include "report/metrics.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gpushare::report {

enum class verdict { faster, slower, same, unclear, only_in_base, only_in_new };

[[nodiscard]] const char* to_string(verdict value);

struct metric_delta {
  std::string name;
  std::optional<metric> base;
  std::optional<metric> next;
  std::optional<double> delta; ///< (new - base) / |base|, when both exist and base != 0
  verdict outcome = verdict::same;
};

struct compare_settings {
  double threshold = 0.05;          ///< relative change below which a metric is the same
  std::vector<std::string> metrics; ///< glob patterns (fnmatch); empty = every metric
};

struct comparison {
  /// "GPU 0 name: NVIDIA H100 80GB HBM3 -> NVIDIA A100-SXM4-80GB", one per difference.
  std::vector<std::string> environment_differences;
  std::vector<metric_delta> deltas; ///< base order, then metrics only the new report has
  int regressions = 0;              ///< deltas with verdict slower
};

/// What makes two reports measure different things: GPU models, driver and CUDA versions, MIG
/// and compute mode, power limit and application clocks, and the timing settings.
[[nodiscard]] std::vector<std::string> environment_differences(const report_document& base,
                                                               const report_document& next);

[[nodiscard]] verdict judge(const metric& base, const metric& next, double threshold);

[[nodiscard]] comparison compare_reports(const report_document& base, const report_document& next,
                                         const compare_settings& settings);

} // namespace gpushare::report
