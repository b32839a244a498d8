#pragma once
// `compare BASE NEW`: per metric, how the new report moved against the base, with a verdict
// that never calls noise a regression:
//
//   same       |delta| <= threshold (relative; for plain fractions such as overhead,
//              fairness and efficiency, which sit near 0 or 1, the absolute difference)
//   unclear    beyond the threshold, but the two medians' intervals overlap (noise), or a
//              figure without an interval (a latency percentile, start skew, fairness),
//              which cannot tell a change from noise
//   faster     beyond the threshold with the intervals apart, in the metric's good direction
//              (higher throughput, lower time, lower slowdown)
//   slower     the same in the bad direction: a regression
//   missing    in the base but not in the new report (a run skipped, failed or renamed): a
//              regression too, unless allowed
//
// An isolation verdict (isolated > partial > none) that moved is "faster" (more isolated) or
// "slower" (less isolated, a regression) when it records what happened to the victim (memory,
// fault); judged on a figure without an interval (latency, compute) it is "unclear".
//
// Reports from different GPUs or GPU settings measure different things; they are compared
// only when the caller forces it. Other differences (driver, CUDA versions) are listed.

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
  bool allow_missing = false;       ///< a metric only in the base is no regression
};

struct environment_comparison {
  /// What makes the figures incomparable: the GPU measured (model, MIG and compute mode,
  /// power limit, application clocks) and the timing settings. "GPU name: A -> B", one each.
  std::vector<std::string> refusing;
  /// Worth knowing but no reason to refuse (a new driver or toolkit is what a regression gate
  /// must be able to judge): driver release, CUDA driver and runtime versions.
  std::vector<std::string> noted;
};

struct comparison {
  environment_comparison environment;
  std::vector<metric_delta> deltas; ///< base order, then metrics only the new report has
  int regressions = 0;              ///< slower, and only-in-base unless allowed
  int compared = 0;                 ///< metrics present in both reports
};

/// How the GPU each report measured (config.device) and the settings differ.
[[nodiscard]] environment_comparison environment_differences(const report_document& base,
                                                             const report_document& next);

[[nodiscard]] verdict judge(const metric& base, const metric& next, double threshold);

/// The change the threshold applies to: relative, or absolute for unitless fractions.
[[nodiscard]] std::optional<double> change_of(const metric& base, const metric& next);

[[nodiscard]] comparison compare_reports(const report_document& base, const report_document& next,
                                         const compare_settings& settings);

} // namespace gpushare::report
