#pragma once
// Log-linear latency histogram with 3 significant digits (the HdrHistogram layout): values
// below 2048 ns are kept exactly, larger ones in buckets whose width is at most 1/1024 of
// their lower bound. Recording is O(1) and allocation-free once the range has been seen.

#include <cstdint>
#include <utility>
#include <vector>

namespace gpushare {

/// One non-empty bucket: every recorded value v with lower_ns <= v <= upper_ns.
struct histogram_bucket {
  std::uint64_t lower_ns = 0;
  std::uint64_t upper_ns = 0;
  std::uint64_t count = 0;
};

/// Everything a histogram holds, for sending it between processes without loss.
struct histogram_state {
  std::vector<std::pair<std::size_t, std::uint64_t>> buckets; ///< (bucket index, count), count > 0
  std::uint64_t count = 0;
  std::uint64_t min_ns = 0;
  std::uint64_t max_ns = 0;
  double mean_ns = 0; ///< Welford mean
  double m2 = 0;      ///< Welford sum of squared deviations
};

class latency_histogram {
public:
  static constexpr int significant_digits = 3;

  void record(std::uint64_t value_ns);
  /// Adds every value of `other` (used to pool repetitions or tenants).
  void merge(const latency_histogram& other);

  [[nodiscard]] std::uint64_t count() const noexcept { return m_count; }
  [[nodiscard]] std::uint64_t min_ns() const noexcept; ///< 0 when empty
  [[nodiscard]] std::uint64_t max_ns() const noexcept { return m_max; }
  /// Exact mean and sample standard deviation of the recorded values (not of bucket centres).
  [[nodiscard]] double mean_ns() const noexcept;
  [[nodiscard]] double stdev_ns() const noexcept;
  /// Nearest-rank percentile, pct in [0, 100]: the highest value equivalent to the recorded
  /// value at rank ceil(pct/100 * count), never above the recorded maximum; p0 is the minimum.
  /// 0 when empty. Throws std::invalid_argument when pct is outside [0, 100] or NaN.
  [[nodiscard]] std::uint64_t value_at_percentile(double pct) const;
  [[nodiscard]] std::vector<histogram_bucket> nonzero_buckets() const;

  [[nodiscard]] histogram_state state() const;
  /// Rebuilds a histogram from state(); throws std::invalid_argument when the state is not
  /// one a histogram could have (counts that do not add up, a bucket out of range, min > max).
  [[nodiscard]] static latency_histogram from_state(const histogram_state& state);

  /// Bucket layout, exposed for tests: index of the bucket that holds `value_ns` and the
  /// inclusive value range of a bucket index.
  [[nodiscard]] static std::size_t bucket_index(std::uint64_t value_ns) noexcept;
  [[nodiscard]] static histogram_bucket bucket_range(std::size_t index) noexcept;

private:
  std::vector<std::uint64_t> m_counts;
  std::uint64_t m_count = 0;
  std::uint64_t m_min = UINT64_MAX;
  std::uint64_t m_max = 0;
  // Welford accumulators: exact moments without the cancellation of sum-of-squares.
  double m_mean = 0.0;
  double m_m2 = 0.0;
};

/// Latency summary in microseconds, as it appears in reports (`latency_us`).
struct latency_summary {
  std::uint64_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0;
  double min = 0, max = 0, mean = 0, stdev = 0;
  double cv = 0; ///< stdev / mean, 0 when the mean is 0
};

[[nodiscard]] latency_summary summarize_latency(const latency_histogram& histogram);

} // namespace gpushare
