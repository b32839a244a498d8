#pragma once
// A report flattened into named figures, the common ground of `compare` (per metric deltas)
// and anything else that lines reports up side by side. A name says where the figure comes
// from, e.g. "timeslice(2x gemm:dtype=fp16,k=4096,m=4096,n=4096)/tenant0/solo/throughput_per_s",
// so the same measurement in two reports has the same name.

#include "harness/records.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gpushare::report {

struct metric {
  std::string name;
  std::string unit;             ///< "1/s", "us", "x", "TFLOP/s", "GB/s", "" (a plain ratio)
  bool higher_is_better = true; ///< throughput yes; times, slowdown, overhead no
  double value = 0;             ///< the median over repetitions, or the figure itself
  /// The interval of the median, for figures measured over repetitions; a figure derived
  /// from several of them (slowdown, speedup) has none.
  std::optional<double> low;
  std::optional<double> high;
  bool noisy = false;
  /// Set for an isolation cell's verdict, which is a word and not a figure: "isolated",
  /// "partial" or "none", with value its rank (2, 1, 0) so that higher is better.
  std::string level{};
  /// Set where the verdict follows from what happened to the victim (its allocation, its
  /// exit after a fault) rather than from a timed figure: a change is a change, not noise.
  bool exact = false;
};

/// A run's identity across reports: its mode and what it ran, e.g. "streams", "calibrate",
/// "mps(infer:batch=1,...; 3x gemm:...)"; a second run with the same identity gets "#2".
[[nodiscard]] std::vector<std::string> run_keys(const std::vector<run_record>& runs);

/// Every figure of every run that finished ok (skipped and failed runs have none), in report
/// order. Non-finite figures are left out: they compare with nothing. An isolation cell's
/// figures are named "<run>/<mechanism>/<property>/<figure>", e.g.
/// "isolation/mps/latency/victim_p99_inflation", with the unit their name implies; its verdict
/// is "<run>/<mechanism>/<property>/verdict" with `level` set.
[[nodiscard]] std::vector<metric> extract_metrics(const report_document& document);

} // namespace gpushare::report
