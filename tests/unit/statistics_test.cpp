#include "harness/statistics.hpp"

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

constexpr double infinity = std::numeric_limits<double>::infinity();

// Exact for n <= 62: every partial sum of C(n, i) is an integer below 2^63, which long double
// holds exactly, and dividing by 2^n is exact too.
long double exact_coverage(std::size_t n, std::size_t k) {
  std::uint64_t binomial = 1; // C(n, i)
  std::uint64_t below = 0;    // sum of C(n, i) for i < k
  for (std::size_t i = 0; i < k; ++i) {
    below += binomial;
    binomial = binomial * (n - i) / (i + 1); // exact: C(n, i) * (n - i) is divisible by i + 1
  }
  return 1.0L - 2.0L * std::ldexp(static_cast<long double>(below), -static_cast<int>(n));
}

std::vector<double> shuffled_ranks(std::size_t n, std::uint64_t seed) {
  std::vector<double> values;
  for (std::size_t i = 1; i <= n; ++i) {
    values.push_back(static_cast<double>(i));
  }
  std::mt19937_64 rng(seed);
  // Fisher-Yates on raw generator output: the same order with every standard library.
  for (std::size_t i = values.size() - 1; i > 0; --i) {
    std::swap(values[i], values[rng() % (i + 1)]);
  }
  return values;
}

TEST(Median, OddEvenAndUnordered) {
  EXPECT_EQ(median({3.0, 1.0, 2.0}), 2.0);
  EXPECT_EQ(median({4.0, 1.0, 3.0, 2.0}), 2.5);
  EXPECT_EQ(median({7.5}), 7.5);
  EXPECT_EQ(median({-1.0, -3.0}), -2.0);
  EXPECT_EQ(median({5.0, 5.0, 1.0, 9.0, 5.0, 0.0}), 5.0);
  const double big = std::numeric_limits<double>::max();
  EXPECT_EQ(median({big, big}), big); // no overflow in the middle pair's mean
}

TEST(Median, AgreesWithSummarize) {
  for (std::size_t n : {1u, 2u, 7u, 8u, 101u}) {
    std::mt19937_64 rng(n);
    std::vector<double> values;
    for (std::size_t i = 0; i < n; ++i) {
      values.push_back(static_cast<double>(rng() % 1000) / 7.0);
    }
    EXPECT_EQ(median(values), summarize(values).median) << n;
  }
}

TEST(Median, InvalidInputThrows) {
  EXPECT_THROW((void)median({}), std::invalid_argument);
  EXPECT_THROW((void)median({1.0, std::nan("")}), std::invalid_argument);
  EXPECT_THROW((void)median({infinity}), std::invalid_argument);
}

TEST(Quantile, InterpolatesBetweenRanks) {
  // Type 7: position q * (n - 1) in the sorted samples {10, 20, 30, 40, 50}.
  const std::vector<double> values = {50.0, 10.0, 40.0, 20.0, 30.0};
  EXPECT_EQ(quantile(values, 0.0), 10.0);
  EXPECT_EQ(quantile(values, 1.0), 50.0);
  EXPECT_EQ(quantile(values, 0.5), 30.0);
  EXPECT_DOUBLE_EQ(quantile(values, 0.1), 14.0);
  EXPECT_DOUBLE_EQ(quantile(values, 0.9), 46.0);
  EXPECT_EQ(quantile({7.0}, 0.9), 7.0);
  EXPECT_EQ(quantile({1.0, 2.0, 3.0, 4.0}, 0.5), median({1.0, 2.0, 3.0, 4.0}));
}

TEST(Quantile, InvalidInputThrows) {
  EXPECT_THROW((void)quantile({}, 0.5), std::invalid_argument);
  EXPECT_THROW((void)quantile({1.0, std::nan("")}, 0.5), std::invalid_argument);
  EXPECT_THROW((void)quantile({1.0}, -0.1), std::invalid_argument);
  EXPECT_THROW((void)quantile({1.0}, 1.5), std::invalid_argument);
  EXPECT_THROW((void)quantile({1.0}, std::nan("")), std::invalid_argument);
}

TEST(Median, CoverageKnownValues) {
  EXPECT_DOUBLE_EQ(median_interval_coverage(5, 1), 0.9375);
  EXPECT_DOUBLE_EQ(median_interval_coverage(6, 1), 0.96875);
  EXPECT_DOUBLE_EQ(median_interval_coverage(6, 2), 0.78125);
  EXPECT_DOUBLE_EQ(median_interval_coverage(10, 1), 0.998046875);
  EXPECT_DOUBLE_EQ(median_interval_coverage(10, 2), 0.978515625);
  EXPECT_DOUBLE_EQ(median_interval_coverage(10, 3), 0.890625);
  EXPECT_DOUBLE_EQ(median_interval_coverage(2, 1), 0.5);
  EXPECT_DOUBLE_EQ(median_interval_coverage(4, 2), 0.375); // P(X = 2) for n = 4
  EXPECT_NEAR(median_interval_coverage(1, 1), 0.0, 1e-18); // [x1, x1]
  EXPECT_NEAR(median_interval_coverage(3, 2), 0.0, 1e-18); // [x2, x2]
}

TEST(Median, CoverageMatchesExactBinomialUpTo62) {
  for (std::size_t n = 1; n <= 62; ++n) {
    for (std::size_t k = 1; 2 * k <= n + 1; ++k) {
      ASSERT_NEAR(median_interval_coverage(n, k), static_cast<double>(exact_coverage(n, k)), 1e-15)
          << "n " << n << " k " << k;
    }
  }
}

TEST(Median, CoverageForLargeN) {
  // Reference values from exact rational arithmetic.
  EXPECT_NEAR(median_interval_coverage(100, 40), 0.9647997997822951, 1e-13);
  EXPECT_NEAR(median_interval_coverage(100, 41), 0.9431120663590192, 1e-13);
  EXPECT_NEAR(median_interval_coverage(10000, 4902), 0.9511670501036181, 1e-12);
  EXPECT_NEAR(median_interval_coverage(10000, 4903), 0.9488293092317038, 1e-12);
  EXPECT_NEAR(median_interval_coverage(10000, 5000), 0.007978646139382154, 1e-13);
  EXPECT_DOUBLE_EQ(median_interval_coverage(10000, 1), 1.0);
  EXPECT_DOUBLE_EQ(median_interval_coverage(20000, 9000), 1.0); // 14 sigma out: P underflows
  double previous = 1.0;
  for (std::size_t k = 4800; k <= 5000; ++k) {
    const double coverage = median_interval_coverage(10000, k);
    ASSERT_TRUE(std::isfinite(coverage)) << k;
    ASSERT_LT(coverage, previous) << k;
    previous = coverage;
  }
}

TEST(Median, CoverageRejectsInvalidRanks) {
  EXPECT_THROW((void)median_interval_coverage(0, 1), std::invalid_argument);
  EXPECT_THROW((void)median_interval_coverage(10, 0), std::invalid_argument);
  EXPECT_THROW((void)median_interval_coverage(10, 6), std::invalid_argument);
  EXPECT_THROW((void)median_interval_coverage(9, 6), std::invalid_argument);
  EXPECT_NO_THROW((void)median_interval_coverage(9, 5));
  EXPECT_NO_THROW((void)median_interval_coverage(10, 5));
}

TEST(Statistics, TenSamplesUseRanksTwoAndNine) {
  const sample_summary summary = summarize(shuffled_ranks(10, 1));
  EXPECT_EQ(summary.count, 10u);
  EXPECT_EQ(summary.median, 5.5);
  EXPECT_EQ(summary.ci_low, 2.0);
  EXPECT_EQ(summary.ci_high, 9.0);
  EXPECT_DOUBLE_EQ(summary.ci_coverage, 0.978515625);
}

TEST(Statistics, FewerThanSixSamplesUseMinMax) {
  const sample_summary five = summarize({3.0, 9.0, 1.0, 4.0, 6.0});
  EXPECT_EQ(five.ci_low, 1.0);
  EXPECT_EQ(five.ci_high, 9.0);
  EXPECT_DOUBLE_EQ(five.ci_coverage, 0.9375);
  EXPECT_EQ(five.median, 4.0);

  const sample_summary six = summarize({3.0, 9.0, 1.0, 4.0, 6.0, 2.0});
  EXPECT_EQ(six.ci_low, 1.0);
  EXPECT_EQ(six.ci_high, 9.0);
  EXPECT_DOUBLE_EQ(six.ci_coverage, 0.96875);

  const sample_summary two = summarize({2.0, 1.0});
  EXPECT_EQ(two.ci_low, 1.0);
  EXPECT_EQ(two.ci_high, 2.0);
  EXPECT_DOUBLE_EQ(two.ci_coverage, 0.5);

  const sample_summary one = summarize({4.25});
  EXPECT_EQ(one.count, 1u);
  EXPECT_EQ(one.median, 4.25);
  EXPECT_EQ(one.ci_low, 4.25);
  EXPECT_EQ(one.ci_high, 4.25);
  EXPECT_NEAR(one.ci_coverage, 0.0, 1e-18);
  EXPECT_EQ(one.stdev, 0.0);
  EXPECT_EQ(one.cv, 0.0);
  EXPECT_FALSE(one.noisy);
}

TEST(Statistics, HundredSamplesMatchTheBinomialTable) {
  // Tables of order-statistic intervals give ranks 40 and 61 for n = 100 at 95 %.
  const sample_summary summary = summarize(shuffled_ranks(100, 2));
  EXPECT_EQ(summary.median, 50.5);
  EXPECT_EQ(summary.ci_low, 40.0);
  EXPECT_EQ(summary.ci_high, 61.0);
  EXPECT_DOUBLE_EQ(summary.ci_coverage, median_interval_coverage(100, 40));
  EXPECT_GE(summary.ci_coverage, 0.95);
  EXPECT_LT(median_interval_coverage(100, 41), 0.95); // k = 40 is the narrowest reaching 95 %
  EXPECT_LE(summary.ci_low, summary.median);
  EXPECT_GE(summary.ci_high, summary.median);
}

TEST(Statistics, IntervalIsTheNarrowestReaching95PercentForEveryN) {
  for (std::size_t n = 6; n <= 300; ++n) {
    const sample_summary summary = summarize(shuffled_ranks(n, n));
    const auto k = static_cast<std::size_t>(summary.ci_low);
    ASSERT_EQ(summary.ci_high, static_cast<double>(n + 1 - k)) << n;
    ASSERT_GE(median_interval_coverage(n, k), 0.95) << n;
    if (2 * (k + 1) <= n + 1) {
      ASSERT_LT(median_interval_coverage(n, k + 1), 0.95) << n;
    }
    ASSERT_DOUBLE_EQ(summary.ci_coverage, median_interval_coverage(n, k)) << n;
  }
}

TEST(Statistics, MomentsMinMax) {
  const sample_summary summary = summarize({9.0, 2.0, 4.0, 4.0, 7.0, 4.0, 5.0, 5.0});
  EXPECT_EQ(summary.min, 2.0);
  EXPECT_EQ(summary.max, 9.0);
  EXPECT_DOUBLE_EQ(summary.mean, 5.0);
  EXPECT_DOUBLE_EQ(summary.stdev, std::sqrt(32.0 / 7.0));
  EXPECT_DOUBLE_EQ(summary.cv, std::sqrt(32.0 / 7.0) / 5.0);
  EXPECT_EQ(summary.median, 4.5);

  // Large offset, small spread.
  std::vector<double> offset;
  for (int i = 0; i < 50; ++i) {
    offset.push_back(1e9 + (i % 5));
  }
  const sample_summary offset_summary = summarize(offset);
  EXPECT_DOUBLE_EQ(offset_summary.mean, 1e9 + 2.0);
  EXPECT_NEAR(offset_summary.stdev, std::sqrt(100.0 / 49.0), 1e-9);
}

TEST(Statistics, CvUsesTheMagnitudeOfTheMean) {
  const sample_summary centred = summarize({-1.0, 1.0});
  EXPECT_EQ(centred.mean, 0.0);
  EXPECT_EQ(centred.cv, 0.0);
  EXPECT_FALSE(centred.noisy);

  const sample_summary negative = summarize({-10.0, -11.0, -9.0});
  EXPECT_DOUBLE_EQ(negative.cv, 0.1);
  EXPECT_TRUE(negative.noisy);
}

TEST(Statistics, NoisyFlagAtTheThreshold) {
  // cv = sqrt(28.8) / 102.4 = 0.0524 and sqrt(20) / 102 = 0.0438 around the default 5 %.
  EXPECT_TRUE(summarize({100.0, 100.0, 100.0, 100.0, 112.0}).noisy);
  EXPECT_FALSE(summarize({100.0, 100.0, 100.0, 100.0, 110.0}).noisy);

  const std::vector<double> samples = {10.0, 11.0, 12.0, 9.5, 10.5};
  const double cv = summarize(samples).cv;
  ASSERT_GT(cv, 0.0);
  EXPECT_FALSE(summarize(samples, cv).noisy); // strictly above, so equal is not noisy
  EXPECT_TRUE(summarize(samples, std::nextafter(cv, 0.0)).noisy);

  EXPECT_FALSE(summarize({3.0, 3.0, 3.0}, 0.0).noisy); // cv 0 is never above a threshold
  EXPECT_FALSE(summarize(samples, infinity).noisy);
}

TEST(Statistics, InvalidInputThrows) {
  EXPECT_THROW((void)summarize({}), std::invalid_argument);
  EXPECT_THROW((void)summarize({1.0, std::nan(""), 2.0}), std::invalid_argument);
  EXPECT_THROW((void)summarize({1.0, infinity}), std::invalid_argument);
  EXPECT_THROW((void)summarize({-infinity, 1.0}), std::invalid_argument);
  EXPECT_THROW((void)summarize({1.0, 2.0}, -0.01), std::invalid_argument);
  EXPECT_THROW((void)summarize({1.0, 2.0}, std::nan("")), std::invalid_argument);
}

TEST(Jain, EqualValuesGiveOne) {
  EXPECT_DOUBLE_EQ(jain_fairness({3.0, 3.0, 3.0, 3.0}), 1.0);
  EXPECT_DOUBLE_EQ(jain_fairness({0.7}), 1.0);
  EXPECT_DOUBLE_EQ(jain_fairness({0.0, 0.0, 0.0}), 1.0); // nothing for anyone is equal
}

TEST(Jain, OneHotGivesOneOverN) {
  EXPECT_DOUBLE_EQ(jain_fairness({0.0, 0.0, 5.0, 0.0}), 0.25);
  EXPECT_DOUBLE_EQ(jain_fairness({2.0, 0.0}), 0.5);
}

TEST(Jain, HandComputed) {
  EXPECT_DOUBLE_EQ(jain_fairness({1.0, 2.0, 3.0}), 36.0 / 42.0); // 6^2 / (3 * 14)
  EXPECT_DOUBLE_EQ(jain_fairness({1.0, 3.0}), 0.8);              // 4^2 / (2 * 10)
  EXPECT_DOUBLE_EQ(jain_fairness({1e200, 2e200, 3e200}), 36.0 / 42.0);
  EXPECT_DOUBLE_EQ(jain_fairness({1e-200, 2e-200, 3e-200}), 36.0 / 42.0);
}

TEST(Jain, InvalidInputThrows) {
  EXPECT_THROW((void)jain_fairness({}), std::invalid_argument);
  EXPECT_THROW((void)jain_fairness({1.0, -0.5}), std::invalid_argument);
  EXPECT_THROW((void)jain_fairness({1.0, std::nan("")}), std::invalid_argument);
  EXPECT_THROW((void)jain_fairness({infinity, 1.0}), std::invalid_argument);
}

} // namespace
} // namespace gpushare
