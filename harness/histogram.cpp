#include "harness/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gpushare {
namespace {

// 2^sub_bucket_bits values per half-range: below 2^(sub_bucket_bits + 1) every value has its
// own bucket; above, a value v with its highest set bit at position p goes into a bucket of
// width 2^(p - sub_bucket_bits), so v >> shift always lies in [1024, 2047].
constexpr int sub_bucket_bits = 10;
constexpr std::uint64_t sub_bucket_half = std::uint64_t{1} << sub_bucket_bits; // 1024
constexpr std::uint64_t exact_limit = sub_bucket_half * 2;                     // 2048
constexpr int max_shift = 63 - sub_bucket_bits;
constexpr std::size_t bucket_count =
    static_cast<std::size_t>(max_shift) * sub_bucket_half + exact_limit;

int highest_bit(std::uint64_t value) noexcept {
  return 63 - __builtin_clzll(value);
}

int shift_of(std::uint64_t value) noexcept {
  if (value < exact_limit) {
    return 0;
  }
  return highest_bit(value) - sub_bucket_bits;
}

// Percentages such as 99.9 have no exact binary form, so pct/100 * count can land a hair
// above an integer (999.0000000000001 for 1000 values) and ceil would skip a whole rank.
std::uint64_t nearest_rank(double pct, std::uint64_t count) {
  const long double exact = static_cast<long double>(pct) * static_cast<long double>(count) / 100;
  const long double nearest = std::round(exact);
  long double rank = std::ceil(exact);
  if (std::fabs(exact - nearest) <= 1e-9L * std::max(1.0L, exact)) {
    rank = nearest;
  }
  if (rank < 1) {
    return 1;
  }
  if (rank > static_cast<long double>(count)) {
    return count;
  }
  return static_cast<std::uint64_t>(rank);
}

} // namespace

std::size_t latency_histogram::bucket_index(std::uint64_t value_ns) noexcept {
  const int shift = shift_of(value_ns);
  // For shift 0 this is the value itself; for shift s >= 1 the sub-bucket (value >> s) lies in
  // [1024, 2047], so consecutive shifts tile [2048 + (s - 1) * 1024, 2048 + s * 1024).
  return static_cast<std::size_t>(shift) * sub_bucket_half +
         static_cast<std::size_t>(value_ns >> shift);
}

histogram_bucket latency_histogram::bucket_range(std::size_t index) noexcept {
  histogram_bucket bucket;
  if (index < exact_limit) {
    bucket.lower_ns = index;
    bucket.upper_ns = index;
    return bucket;
  }
  // Indices past the last bucket describe the last one: no value can map beyond it.
  index = std::min(index, bucket_count - 1);
  const std::size_t shift = index / sub_bucket_half - 1;
  const std::uint64_t sub_bucket = index % sub_bucket_half + sub_bucket_half;
  bucket.lower_ns = sub_bucket << shift;
  bucket.upper_ns = bucket.lower_ns + ((std::uint64_t{1} << shift) - 1);
  return bucket;
}

void latency_histogram::record(std::uint64_t value_ns) {
  const std::size_t index = bucket_index(value_ns);
  if (index >= m_counts.size()) {
    m_counts.resize(index + 1, 0);
  }
  ++m_counts[index];
  ++m_count;
  m_min = std::min(m_min, value_ns);
  m_max = std::max(m_max, value_ns);
  const double value = static_cast<double>(value_ns);
  const double delta = value - m_mean;
  m_mean += delta / static_cast<double>(m_count);
  m_m2 += delta * (value - m_mean);
}

void latency_histogram::merge(const latency_histogram& other) {
  if (other.m_count == 0) {
    return;
  }
  if (m_count == 0) {
    *this = other;
    return;
  }
  // Read everything from `other` before writing: it may be *this.
  const double count_a = static_cast<double>(m_count);
  const double count_b = static_cast<double>(other.m_count);
  const double mean_b = other.m_mean;
  const double m2_b = other.m_m2;
  const std::uint64_t min_b = other.m_min;
  const std::uint64_t max_b = other.m_max;
  const std::uint64_t total_b = other.m_count;

  if (other.m_counts.size() > m_counts.size()) {
    m_counts.resize(other.m_counts.size(), 0);
  }
  const std::size_t shared = std::min(m_counts.size(), other.m_counts.size());
  for (std::size_t i = 0; i < shared; ++i) {
    m_counts[i] += other.m_counts[i];
  }

  // Chan et al.'s pairwise combination of Welford moments.
  const double total = count_a + count_b;
  const double delta = mean_b - m_mean;
  m_mean += delta * (count_b / total);
  m_m2 += m2_b + delta * delta * (count_a * count_b / total);
  m_count += total_b;
  m_min = std::min(m_min, min_b);
  m_max = std::max(m_max, max_b);
}

std::uint64_t latency_histogram::min_ns() const noexcept {
  return m_count == 0 ? 0 : m_min;
}

double latency_histogram::mean_ns() const noexcept {
  return m_count == 0 ? 0.0 : m_mean;
}

double latency_histogram::stdev_ns() const noexcept {
  if (m_count < 2) {
    return 0.0;
  }
  return std::sqrt(std::max(0.0, m_m2) / static_cast<double>(m_count - 1));
}

std::uint64_t latency_histogram::value_at_percentile(double pct) const {
  if (!(pct >= 0.0 && pct <= 100.0)) {
    throw std::invalid_argument("percentile must be in [0, 100]");
  }
  if (m_count == 0) {
    return 0;
  }
  if (pct == 0.0) {
    return m_min;
  }
  const std::uint64_t rank = nearest_rank(pct, m_count);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < m_counts.size(); ++i) {
    seen += m_counts[i];
    if (seen >= rank) {
      return std::min(bucket_range(i).upper_ns, m_max);
    }
  }
  return m_max;
}

std::vector<histogram_bucket> latency_histogram::nonzero_buckets() const {
  std::vector<histogram_bucket> buckets;
  for (std::size_t i = 0; i < m_counts.size(); ++i) {
    if (m_counts[i] != 0) {
      histogram_bucket bucket = bucket_range(i);
      bucket.count = m_counts[i];
      buckets.push_back(bucket);
    }
  }
  return buckets;
}

latency_summary summarize_latency(const latency_histogram& histogram) {
  constexpr double ns_per_us = 1000.0;
  const auto to_us = [](std::uint64_t ns) { return static_cast<double>(ns) / ns_per_us; };
  latency_summary summary;
  summary.count = histogram.count();
  if (summary.count == 0) {
    return summary;
  }
  summary.p50 = to_us(histogram.value_at_percentile(50.0));
  summary.p90 = to_us(histogram.value_at_percentile(90.0));
  summary.p99 = to_us(histogram.value_at_percentile(99.0));
  summary.p999 = to_us(histogram.value_at_percentile(99.9));
  summary.min = to_us(histogram.min_ns());
  summary.max = to_us(histogram.max_ns());
  summary.mean = histogram.mean_ns() / ns_per_us;
  summary.stdev = histogram.stdev_ns() / ns_per_us;
  summary.cv = summary.mean == 0.0 ? 0.0 : summary.stdev / summary.mean;
  return summary;
}

histogram_state latency_histogram::state() const {
  histogram_state state;
  for (std::size_t i = 0; i < m_counts.size(); ++i) {
    if (m_counts[i] != 0) {
      state.buckets.emplace_back(i, m_counts[i]);
    }
  }
  state.count = m_count;
  state.min_ns = min_ns();
  state.max_ns = m_max;
  state.mean_ns = m_mean;
  state.m2 = m_m2;
  return state;
}

latency_histogram latency_histogram::from_state(const histogram_state& state) {
  latency_histogram histogram;
  std::uint64_t total = 0;
  for (const auto& [index, count] : state.buckets) {
    if (index >= bucket_count || count == 0) {
      throw std::invalid_argument("histogram state: bucket out of range or empty");
    }
    if (index >= histogram.m_counts.size()) {
      histogram.m_counts.resize(index + 1, 0);
    }
    histogram.m_counts[index] += count;
    total += count;
  }
  if (total != state.count || (state.count != 0 && state.min_ns > state.max_ns) ||
      !std::isfinite(state.mean_ns) || !std::isfinite(state.m2) || state.m2 < 0) {
    throw std::invalid_argument("histogram state: counts, bounds or moments are inconsistent");
  }
  histogram.m_count = state.count;
  histogram.m_min = state.count == 0 ? UINT64_MAX : state.min_ns;
  histogram.m_max = state.max_ns;
  histogram.m_mean = state.mean_ns;
  histogram.m_m2 = state.m2;
  return histogram;
}

} // namespace gpushare
