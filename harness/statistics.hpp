#pragma once
// Statistics over repetitions: median with a distribution-free 95 % interval, spread, and the
// noise flag every reported figure carries.

#include <cstddef>
#include <vector>

namespace gpushare {

/// A figure computed from R repetitions.
struct sample_summary {
  std::size_t count = 0;
  double median = 0;
  /// Interval for the median from order statistics (binomial, no normality assumed). It is the
  /// narrowest symmetric pair of ranks whose coverage is at least 95 %; with fewer than 6
  /// samples no pair reaches 95 %, so it is [min, max] and `ci_coverage` says what it covers
  /// (93.75 % for 5 samples).
  double ci_low = 0;
  double ci_high = 0;
  double ci_coverage = 0; ///< probability that [ci_low, ci_high] holds the true median
  double mean = 0;
  double stdev = 0; ///< sample standard deviation (n - 1); 0 for one sample
  double cv = 0;    ///< stdev / |mean|; 0 when the mean is 0
  double min = 0;
  double max = 0;
  bool noisy = false; ///< cv above the noise threshold
};

/// CV above which a figure is flagged noisy (SPEC: 5 %).
inline constexpr double default_noise_threshold = 0.05;

/// Summarises `samples` (any order); noisy is cv > noise_threshold. Throws
/// std::invalid_argument when empty, when a sample is not finite, or when the threshold is
/// negative or NaN.
[[nodiscard]] sample_summary summarize(const std::vector<double>& samples,
                                       double noise_threshold = default_noise_threshold);

/// Median of `samples` (mean of the two middle values for an even count). Throws
/// std::invalid_argument when empty or when a sample is not finite.
[[nodiscard]] double median(std::vector<double> samples);

/// The q-quantile of `samples` (0 <= q <= 1), interpolated linearly between the two nearest
/// ranks (Hyndman and Fan type 7, numpy's default): q = 0.5 is the median, 0 the minimum, 1
/// the maximum. Throws std::invalid_argument when empty, when a sample is not finite, or when
/// q is outside [0, 1] or NaN.
[[nodiscard]] double quantile(std::vector<double> samples, double q);

/// Coverage of the order-statistic interval [x_(k), x_(n+1-k)] (1-based ranks) for the median
/// of n samples: 1 - 2 * P(Binomial(n, 1/2) < k). Throws std::invalid_argument unless
/// 1 <= k <= (n + 1) / 2.
[[nodiscard]] double median_interval_coverage(std::size_t n, std::size_t k);

/// Jain's fairness index of non-negative values: (sum x)^2 / (n * sum x^2); 1 means equal,
/// 1/n means one value holds everything. All zeros count as equal shares and give 1. Throws
/// std::invalid_argument when empty or when a value is negative or not finite.
[[nodiscard]] double jain_fairness(const std::vector<double>& values);

} // namespace gpushare
