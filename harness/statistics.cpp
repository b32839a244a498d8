#include "harness/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace gpushare {
namespace {

constexpr double median_confidence = 0.95;

void require_finite(const std::vector<double>& samples, const char* what) {
  if (samples.empty()) {
    throw std::invalid_argument(std::string(what) + ": no samples");
  }
  for (double sample : samples) {
    if (!std::isfinite(sample)) {
      throw std::invalid_argument(std::string(what) + ": sample is not finite");
    }
  }
}

double median_of_sorted(const std::vector<double>& sorted) {
  const std::size_t n = sorted.size();
  if (n % 2 == 1) {
    return sorted[n / 2];
  }
  // Halving each term first keeps the sum of two huge values from overflowing.
  return sorted[n / 2 - 1] / 2 + sorted[n / 2] / 2;
}

// Walks the CDF of Binomial(n, 1/2) upwards one term at a time. 2^-n underflows long before
// n = 10000 even in long double, so the current term is kept as a logarithm, and the running
// sum as a multiple of the current term (terms grow up to n/2, so that multiple stays small).
class binomial_half_cdf {
public:
  explicit binomial_half_cdf(std::size_t n)
      : m_n(n), m_log_term(-static_cast<long double>(n) * std::log(2.0L)) {}

  /// P(X <= i) for the current i; starts at i = 0.
  [[nodiscard]] long double value() const { return std::exp(m_log_term) * m_sum_over_term; }

  /// Moves to i + 1. Requires i < n.
  void advance() {
    // pmf(i + 1) / pmf(i) = (n - i) / (i + 1)
    const long double ratio =
        static_cast<long double>(m_n - m_i) / static_cast<long double>(m_i + 1);
    m_log_term += std::log(ratio);
    m_sum_over_term = m_sum_over_term / ratio + 1;
    ++m_i;
  }

private:
  std::size_t m_n;
  std::size_t m_i = 0;
  long double m_log_term;
  long double m_sum_over_term = 1;
};

void check_interval_ranks(std::size_t n, std::size_t k) {
  if (n == 0) {
    throw std::invalid_argument("median_interval_coverage: n must be at least 1");
  }
  // Rank k pairs with rank n + 1 - k; past the middle the pair would be inverted.
  if (k == 0 || 2 * k > n + 1) {
    throw std::invalid_argument("median_interval_coverage: k must be in [1, (n + 1) / 2]");
  }
}

} // namespace

double quantile(std::vector<double> samples, double q) {
  require_finite(samples, "quantile");
  if (!(q >= 0.0 && q <= 1.0)) {
    throw std::invalid_argument("quantile: q must be in [0, 1]");
  }
  std::sort(samples.begin(), samples.end());
  const double position = q * static_cast<double>(samples.size() - 1);
  const auto lower = static_cast<std::size_t>(std::floor(position));
  const std::size_t upper = std::min(lower + 1, samples.size() - 1);
  const double fraction = position - static_cast<double>(lower);
  return samples[lower] + fraction * (samples[upper] - samples[lower]);
}

double median(std::vector<double> samples) {
  require_finite(samples, "median");
  const std::size_t n = samples.size();
  const auto middle = samples.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(samples.begin(), middle, samples.end());
  const double upper = *middle;
  if (n % 2 == 1) {
    return upper;
  }
  const double lower = *std::max_element(samples.begin(), middle);
  return lower / 2 + upper / 2;
}

double median_interval_coverage(std::size_t n, std::size_t k) {
  check_interval_ranks(n, k);
  binomial_half_cdf cdf(n);
  for (std::size_t i = 0; i + 1 < k; ++i) {
    cdf.advance();
  }
  // cdf now holds P(X <= k - 1) = P(X < k).
  return static_cast<double>(1 - 2 * cdf.value());
}

sample_summary summarize(const std::vector<double>& samples, double noise_threshold) {
  require_finite(samples, "summarize");
  if (std::isnan(noise_threshold) || noise_threshold < 0) {
    throw std::invalid_argument("summarize: noise threshold must be a non-negative number");
  }
  std::vector<double> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();

  sample_summary summary;
  summary.count = n;
  summary.min = sorted.front();
  summary.max = sorted.back();
  summary.median = median_of_sorted(sorted);

  // Coverage falls as k grows, so walk k upwards while the next one still reaches 95 %. When
  // even k = 1 misses (n < 6), [min, max] is the best there is and its coverage is reported.
  binomial_half_cdf cdf(n); // at P(X < 1)
  std::size_t k = 1;
  long double coverage = 1 - 2 * cdf.value();
  while (2 * (k + 1) <= n + 1) {
    cdf.advance(); // now P(X < k + 1)
    const long double next = 1 - 2 * cdf.value();
    if (next < median_confidence) {
      break;
    }
    ++k;
    coverage = next;
  }
  summary.ci_low = sorted[k - 1];
  summary.ci_high = sorted[n - k];
  summary.ci_coverage = static_cast<double>(coverage);

  // Two passes: the mean first, then deviations from it, so no large sums cancel.
  double sum = 0;
  for (double sample : sorted) {
    sum += sample;
  }
  summary.mean = sum / static_cast<double>(n);
  if (n > 1) {
    double squares = 0;
    for (double sample : sorted) {
      const double deviation = sample - summary.mean;
      squares += deviation * deviation;
    }
    summary.stdev = std::sqrt(squares / static_cast<double>(n - 1));
  }
  // |mean| so that a figure centred on a negative value (an overhead below zero) can still be
  // flagged noisy.
  summary.cv = summary.mean == 0 ? 0 : summary.stdev / std::fabs(summary.mean);
  summary.noisy = summary.cv > noise_threshold;
  return summary;
}

double jain_fairness(const std::vector<double>& values) {
  if (values.empty()) {
    throw std::invalid_argument("jain_fairness: no values");
  }
  double largest = 0;
  for (double value : values) {
    if (!std::isfinite(value) || value < 0) {
      throw std::invalid_argument("jain_fairness: values must be finite and non-negative");
    }
    largest = std::max(largest, value);
  }
  // Every tenant got the same (nothing): that is an equal share, and the limit of the index
  // for equal values.
  if (largest == 0) {
    return 1.0;
  }
  // Scaling by the largest value keeps the squares from overflowing; the index is scale-free.
  double sum = 0;
  double sum_squares = 0;
  for (double value : values) {
    const double scaled = value / largest;
    sum += scaled;
    sum_squares += scaled * scaled;
  }
  return (sum * sum) / (static_cast<double>(values.size()) * sum_squares);
}

} // namespace gpushare
