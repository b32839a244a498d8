#include "harness/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

namespace gpushare {
namespace {

constexpr std::uint64_t max_value = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t two_pow_53 = std::uint64_t{1} << 53;
constexpr std::uint64_t two_pow_63 = std::uint64_t{1} << 63;

// Bell-shaped spread of log10(value) between 3 and 9: 1 us to 1 s in nanoseconds. Built from
// raw mt19937_64 output so the sequence is the same with every standard library.
std::vector<std::uint64_t> latency_like_values(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto unit = [&rng] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  std::vector<std::uint64_t> values;
  values.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const double bell = (unit() + unit() + unit() + unit()) / 4;
    values.push_back(static_cast<std::uint64_t>(std::pow(10.0, 3.0 + 6.0 * bell)));
  }
  return values;
}

latency_histogram histogram_of(const std::vector<std::uint64_t>& values) {
  latency_histogram histogram;
  for (std::uint64_t value : values) {
    histogram.record(value);
  }
  return histogram;
}

struct moments {
  long double mean = 0;
  long double stdev = 0;
};

moments two_pass(const std::vector<std::uint64_t>& values) {
  long double sum = 0;
  for (std::uint64_t value : values) {
    sum += static_cast<long double>(value);
  }
  moments result;
  result.mean = sum / static_cast<long double>(values.size());
  long double squares = 0;
  for (std::uint64_t value : values) {
    const long double deviation = static_cast<long double>(value) - result.mean;
    squares += deviation * deviation;
  }
  result.stdev = std::sqrt(squares / static_cast<long double>(values.size() - 1));
  return result;
}

void expect_relative_near(double actual, long double expected, double tolerance) {
  EXPECT_LE(std::fabs(static_cast<long double>(actual) - expected), tolerance * std::fabs(expected))
      << "actual " << actual << " expected " << static_cast<double>(expected);
}

void expect_same_buckets(const latency_histogram& a, const latency_histogram& b) {
  const auto buckets_a = a.nonzero_buckets();
  const auto buckets_b = b.nonzero_buckets();
  ASSERT_EQ(buckets_a.size(), buckets_b.size());
  for (std::size_t i = 0; i < buckets_a.size(); ++i) {
    EXPECT_EQ(buckets_a[i].lower_ns, buckets_b[i].lower_ns) << "bucket " << i;
    EXPECT_EQ(buckets_a[i].upper_ns, buckets_b[i].upper_ns) << "bucket " << i;
    EXPECT_EQ(buckets_a[i].count, buckets_b[i].count) << "bucket " << i;
  }
}

TEST(Histogram, SmallValuesAreExact) {
  latency_histogram histogram;
  for (std::uint64_t value : {5u, 0u, 2047u, 1u, 5u}) {
    histogram.record(value);
  }
  EXPECT_EQ(histogram.count(), 5u);
  EXPECT_EQ(histogram.min_ns(), 0u);
  EXPECT_EQ(histogram.max_ns(), 2047u);

  const auto buckets = histogram.nonzero_buckets();
  ASSERT_EQ(buckets.size(), 4u);
  const std::uint64_t expected[4][2] = {{0, 1}, {1, 1}, {5, 2}, {2047, 1}};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(buckets[i].lower_ns, expected[i][0]);
    EXPECT_EQ(buckets[i].upper_ns, expected[i][0]);
    EXPECT_EQ(buckets[i].count, expected[i][1]);
  }

  // Ranks ceil(pct/100 * 5): 20 % -> 1, 40 % -> 2, 41 % -> 3, 80 % -> 4, 81 % -> 5.
  EXPECT_EQ(histogram.value_at_percentile(0), 0u);
  EXPECT_EQ(histogram.value_at_percentile(20), 0u);
  EXPECT_EQ(histogram.value_at_percentile(40), 1u);
  EXPECT_EQ(histogram.value_at_percentile(41), 5u);
  EXPECT_EQ(histogram.value_at_percentile(80), 5u);
  EXPECT_EQ(histogram.value_at_percentile(81), 2047u);
  EXPECT_EQ(histogram.value_at_percentile(100), 2047u);
}

TEST(Histogram, PercentileZeroIsTheMinimum) {
  latency_histogram histogram;
  histogram.record(10001); // bucket [10000, 10007]
  histogram.record(20000);
  EXPECT_EQ(histogram.value_at_percentile(0), 10001u);
}

TEST(Histogram, BucketLayoutAroundTheExactLimit) {
  EXPECT_EQ(latency_histogram::bucket_index(0), 0u);
  EXPECT_EQ(latency_histogram::bucket_index(2047), 2047u);
  EXPECT_EQ(latency_histogram::bucket_index(2048), 2048u);
  EXPECT_EQ(latency_histogram::bucket_index(2049), 2048u);
  EXPECT_EQ(latency_histogram::bucket_index(2050), 2049u);
  EXPECT_EQ(latency_histogram::bucket_index(4095), 3071u);
  EXPECT_EQ(latency_histogram::bucket_index(4096), 3072u);

  const auto at_2048 = latency_histogram::bucket_range(2048);
  EXPECT_EQ(at_2048.lower_ns, 2048u);
  EXPECT_EQ(at_2048.upper_ns, 2049u);
  const auto at_4096 = latency_histogram::bucket_range(3072);
  EXPECT_EQ(at_4096.lower_ns, 4096u);
  EXPECT_EQ(at_4096.upper_ns, 4099u);

  const std::size_t last = latency_histogram::bucket_index(max_value);
  EXPECT_EQ(latency_histogram::bucket_range(last).upper_ns, max_value);
  EXPECT_EQ(latency_histogram::bucket_range(last).lower_ns, max_value - (two_pow_53 - 1));
}

void check_value_in_its_bucket(std::uint64_t value) {
  const std::size_t index = latency_histogram::bucket_index(value);
  const histogram_bucket range = latency_histogram::bucket_range(index);
  ASSERT_LE(range.lower_ns, value) << value;
  ASSERT_GE(range.upper_ns, value) << value;
  ASSERT_EQ(latency_histogram::bucket_index(range.lower_ns), index) << value;
  ASSERT_EQ(latency_histogram::bucket_index(range.upper_ns), index) << value;
  const std::uint64_t width = range.upper_ns - range.lower_ns + 1;
  if (value < 2048) {
    ASSERT_EQ(width, 1u) << value;
  } else {
    // 3 significant digits: a bucket is at most 1/1024 of its lower bound wide.
    ASSERT_LE(width, range.lower_ns / 1024) << value;
  }
}

TEST(Histogram, BucketIndexAndRangeAgreeOnASweep) {
  for (std::uint64_t value = 0; value < 5000; ++value) {
    check_value_in_its_bucket(value);
  }
  for (int bit = 0; bit < 64; ++bit) {
    const std::uint64_t power = std::uint64_t{1} << bit;
    check_value_in_its_bucket(power);
    check_value_in_its_bucket(power - 1);
    check_value_in_its_bucket(power + 1);
    check_value_in_its_bucket(power | (power - 1)); // all bits up to `bit` set
  }
  for (std::uint64_t value : {max_value, max_value - 1, two_pow_63 - 1, two_pow_63,
                              two_pow_63 + two_pow_53, two_pow_63 + two_pow_53 - 1}) {
    check_value_in_its_bucket(value);
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    check_value_in_its_bucket(rng() >> (rng() % 64));
  }
}

TEST(Histogram, BucketsTileTheWholeRangeWithoutGaps) {
  const std::size_t last = latency_histogram::bucket_index(max_value);
  EXPECT_EQ(latency_histogram::bucket_range(0).lower_ns, 0u);
  for (std::size_t index = 1; index <= last; ++index) {
    const auto previous = latency_histogram::bucket_range(index - 1);
    const auto current = latency_histogram::bucket_range(index);
    ASSERT_EQ(current.lower_ns, previous.upper_ns + 1) << index;
    ASSERT_EQ(latency_histogram::bucket_index(current.lower_ns), index) << index;
  }
}

TEST(Histogram, PercentileReturnsHighestEquivalentValueClippedToMax) {
  latency_histogram histogram;
  histogram.record(10000); // bucket [10000, 10007]
  histogram.record(10003);
  histogram.record(1000000);
  EXPECT_EQ(histogram.value_at_percentile(50), 10007u);
  EXPECT_EQ(histogram.value_at_percentile(100), 1000000u);

  latency_histogram single;
  single.record(10001);
  EXPECT_EQ(single.value_at_percentile(50), 10001u);
  EXPECT_EQ(single.value_at_percentile(100), 10001u);

  latency_histogram huge;
  huge.record(two_pow_63);
  huge.record(max_value);
  EXPECT_EQ(huge.value_at_percentile(50), two_pow_63 + two_pow_53 - 1);
  EXPECT_EQ(huge.value_at_percentile(100), max_value);
  EXPECT_EQ(huge.max_ns(), max_value);
  EXPECT_EQ(huge.min_ns(), two_pow_63);
}

TEST(Histogram, NonRepresentablePercentagesKeepTheirRank) {
  // 1..1000 are exact, so percentile t/10 must be exactly t. 99.9 % of 1000 computed naively
  // in double is 999.0000000000001, whose ceiling would give 1000.
  latency_histogram histogram;
  for (std::uint64_t value = 1; value <= 1000; ++value) {
    histogram.record(value);
  }
  for (std::uint64_t tenths = 1; tenths <= 1000; ++tenths) {
    ASSERT_EQ(histogram.value_at_percentile(static_cast<double>(tenths) / 10.0), tenths)
        << "pct " << static_cast<double>(tenths) / 10.0;
  }
}

TEST(Histogram, PercentilesMatchSortedReference) {
  const auto values = latency_like_values(100000, 42);
  const latency_histogram histogram = histogram_of(values);
  auto sorted = values;
  std::sort(sorted.begin(), sorted.end());
  ASSERT_LT(sorted.front(), 10000u);
  ASSERT_GT(sorted.back(), 100000000u);

  const std::uint64_t count = sorted.size();
  // pct in thousandths of a percent, so the reference rank is exact integer arithmetic.
  std::vector<std::uint64_t> milli_pcts = {1, 50000, 90000, 99000, 99900, 99990, 99999, 100000};
  for (std::uint64_t step = 100; step < 100000; step += 100) {
    milli_pcts.push_back(step);
  }
  for (std::uint64_t milli_pct : milli_pcts) {
    const std::uint64_t rank = std::max<std::uint64_t>(1, (milli_pct * count + 99999) / 100000);
    const std::uint64_t reference = sorted[rank - 1];
    const std::uint64_t actual =
        histogram.value_at_percentile(static_cast<double>(milli_pct) / 1000.0);
    ASSERT_GE(actual, reference) << "pct " << static_cast<double>(milli_pct) / 1000.0;
    ASSERT_LT(static_cast<double>(actual - reference) / static_cast<double>(reference), 1e-3)
        << "pct " << static_cast<double>(milli_pct) / 1000.0;
    ASSERT_EQ(latency_histogram::bucket_index(actual), latency_histogram::bucket_index(reference))
        << "pct " << static_cast<double>(milli_pct) / 1000.0;
  }
}

TEST(Histogram, MeanAndStdevMatchTwoPass) {
  latency_histogram textbook;
  for (std::uint64_t value : {2u, 4u, 4u, 4u, 5u, 5u, 7u, 9u}) {
    textbook.record(value);
  }
  EXPECT_DOUBLE_EQ(textbook.mean_ns(), 5.0);
  EXPECT_DOUBLE_EQ(textbook.stdev_ns(), std::sqrt(32.0 / 7.0));

  const auto values = latency_like_values(50000, 3);
  const latency_histogram histogram = histogram_of(values);
  const moments expected = two_pass(values);
  expect_relative_near(histogram.mean_ns(), expected.mean, 1e-12);
  expect_relative_near(histogram.stdev_ns(), expected.stdev, 1e-12);

  // 1 s with a few ns of spread: sum-of-squares formulas lose every digit here.
  std::vector<std::uint64_t> offset;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    offset.push_back(1000000000 + i % 7);
  }
  const moments expected_offset = two_pass(offset);
  const latency_histogram offset_histogram = histogram_of(offset);
  expect_relative_near(offset_histogram.mean_ns(), expected_offset.mean, 1e-12);
  expect_relative_near(offset_histogram.stdev_ns(), expected_offset.stdev, 1e-9);
}

TEST(Histogram, MergeEqualsRecordingEverything) {
  const auto small = latency_like_values(20000, 11);
  std::vector<std::uint64_t> large;
  for (std::uint64_t value : latency_like_values(5000, 12)) {
    large.push_back(value * 1000); // reaches past the first histogram's range
  }
  std::vector<std::uint64_t> all = small;
  all.insert(all.end(), large.begin(), large.end());

  latency_histogram merged = histogram_of(small);
  merged.merge(histogram_of(large));
  const latency_histogram direct = histogram_of(all);

  EXPECT_EQ(merged.count(), direct.count());
  EXPECT_EQ(merged.min_ns(), direct.min_ns());
  EXPECT_EQ(merged.max_ns(), direct.max_ns());
  expect_same_buckets(merged, direct);
  for (double pct : {0.0, 1.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
    EXPECT_EQ(merged.value_at_percentile(pct), direct.value_at_percentile(pct)) << pct;
  }
  const moments expected = two_pass(all);
  expect_relative_near(merged.mean_ns(), expected.mean, 1e-12);
  expect_relative_near(merged.stdev_ns(), expected.stdev, 1e-12);

  // The other direction (larger range into smaller) must give the same.
  latency_histogram reversed = histogram_of(large);
  reversed.merge(histogram_of(small));
  expect_same_buckets(reversed, direct);
  EXPECT_EQ(reversed.min_ns(), direct.min_ns());
  EXPECT_EQ(reversed.max_ns(), direct.max_ns());
  EXPECT_EQ(reversed.value_at_percentile(0), direct.value_at_percentile(0));
  expect_relative_near(reversed.stdev_ns(), expected.stdev, 1e-12);
}

TEST(Histogram, MergeWithEmptyAndWithItself) {
  const auto values = latency_like_values(1000, 5);
  const latency_histogram reference = histogram_of(values);

  latency_histogram into_empty;
  into_empty.merge(reference);
  expect_same_buckets(into_empty, reference);
  EXPECT_EQ(into_empty.min_ns(), reference.min_ns());
  EXPECT_DOUBLE_EQ(into_empty.stdev_ns(), reference.stdev_ns());

  latency_histogram unchanged = reference;
  unchanged.merge(latency_histogram{});
  expect_same_buckets(unchanged, reference);
  EXPECT_EQ(unchanged.min_ns(), reference.min_ns());
  EXPECT_DOUBLE_EQ(unchanged.mean_ns(), reference.mean_ns());

  latency_histogram doubled = reference;
  doubled.merge(doubled);
  std::vector<std::uint64_t> twice = values;
  twice.insert(twice.end(), values.begin(), values.end());
  expect_same_buckets(doubled, histogram_of(twice));
  const moments expected = two_pass(twice);
  expect_relative_near(doubled.mean_ns(), expected.mean, 1e-12);
  expect_relative_near(doubled.stdev_ns(), expected.stdev, 1e-12);
}

TEST(Histogram, EmptyHistogram) {
  const latency_histogram histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.min_ns(), 0u);
  EXPECT_EQ(histogram.max_ns(), 0u);
  EXPECT_EQ(histogram.mean_ns(), 0.0);
  EXPECT_EQ(histogram.stdev_ns(), 0.0);
  EXPECT_EQ(histogram.value_at_percentile(0), 0u);
  EXPECT_EQ(histogram.value_at_percentile(50), 0u);
  EXPECT_EQ(histogram.value_at_percentile(100), 0u);
  EXPECT_TRUE(histogram.nonzero_buckets().empty());

  const latency_summary summary = summarize_latency(histogram);
  EXPECT_EQ(summary.count, 0u);
  EXPECT_EQ(summary.p50, 0.0);
  EXPECT_EQ(summary.max, 0.0);
  EXPECT_EQ(summary.mean, 0.0);
  EXPECT_EQ(summary.cv, 0.0);
}

TEST(Histogram, SingleValueHasNoSpread) {
  latency_histogram histogram;
  histogram.record(123456);
  EXPECT_EQ(histogram.mean_ns(), 123456.0);
  EXPECT_EQ(histogram.stdev_ns(), 0.0);
  EXPECT_EQ(summarize_latency(histogram).cv, 0.0);
}

TEST(Histogram, InvalidPercentileThrows) {
  latency_histogram histogram;
  histogram.record(1);
  EXPECT_THROW((void)histogram.value_at_percentile(-0.1), std::invalid_argument);
  EXPECT_THROW((void)histogram.value_at_percentile(100.01), std::invalid_argument);
  EXPECT_THROW((void)histogram.value_at_percentile(std::nan("")), std::invalid_argument);
}

TEST(Histogram, SummarizeLatencyInMicroseconds) {
  latency_histogram histogram;
  for (std::uint64_t value = 1; value <= 1000; ++value) {
    histogram.record(value);
  }
  const latency_summary summary = summarize_latency(histogram);
  EXPECT_EQ(summary.count, 1000u);
  EXPECT_DOUBLE_EQ(summary.p50, 0.5);
  EXPECT_DOUBLE_EQ(summary.p90, 0.9);
  EXPECT_DOUBLE_EQ(summary.p99, 0.99);
  EXPECT_DOUBLE_EQ(summary.p999, 0.999);
  EXPECT_DOUBLE_EQ(summary.min, 0.001);
  EXPECT_DOUBLE_EQ(summary.max, 1.0);
  EXPECT_DOUBLE_EQ(summary.mean, 0.5005);
  // Sample variance of 1..n is n(n+1)/12.
  const double stdev_us = std::sqrt(1000.0 * 1001.0 / 12.0) / 1000.0;
  EXPECT_NEAR(summary.stdev, stdev_us, 1e-12);
  EXPECT_NEAR(summary.cv, stdev_us / 0.5005, 1e-12);

  latency_histogram large;
  large.record(1500000); // 1.5 ms, bucket [1499136, 1500159]: clipped to the max
  EXPECT_DOUBLE_EQ(summarize_latency(large).p99, 1500.0);
  EXPECT_DOUBLE_EQ(summarize_latency(large).min, 1500.0);
}

} // namespace
} // namespace gpushare

namespace gpushare {
namespace {

TEST(HistogramState, RoundTripsExactly) {
  latency_histogram original;
  for (std::uint64_t value : {1ull, 900ull, 2048ull, 123456ull, 98765432ull, 98765432ull}) {
    original.record(value);
  }
  const latency_histogram copy = latency_histogram::from_state(original.state());
  EXPECT_EQ(copy.count(), original.count());
  EXPECT_EQ(copy.min_ns(), original.min_ns());
  EXPECT_EQ(copy.max_ns(), original.max_ns());
  EXPECT_EQ(copy.mean_ns(), original.mean_ns());
  EXPECT_EQ(copy.stdev_ns(), original.stdev_ns());
  for (double pct : {0.0, 50.0, 90.0, 99.0, 100.0}) {
    EXPECT_EQ(copy.value_at_percentile(pct), original.value_at_percentile(pct)) << pct;
  }
  EXPECT_EQ(latency_histogram::from_state(latency_histogram{}.state()).count(), 0u);
}

TEST(HistogramState, InconsistentStatesAreRejected) {
  latency_histogram original;
  original.record(5000);
  histogram_state state = original.state();
  state.count = 2;
  EXPECT_THROW((void)latency_histogram::from_state(state), std::invalid_argument);
  state = original.state();
  state.buckets.emplace_back(std::size_t{1} << 30, 1);
  state.count = 2;
  EXPECT_THROW((void)latency_histogram::from_state(state), std::invalid_argument);
}

} // namespace
} // namespace gpushare
