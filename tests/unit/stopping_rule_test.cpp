// The repetition stopping rule on written sample series (per-repetition mean iteration times in
// microseconds; shaped like real ones, not measurements).

#include "harness/stopping_rule.hpp"

#include <gtest/gtest.h>

namespace gpushare {
namespace {

const stopping_rule adaptive{3, 8, 0.05};

TEST(StoppingRule, NeverStopsBeforeTheMinimum) {
  EXPECT_FALSE(enough_repetitions({}, adaptive));
  EXPECT_FALSE(enough_repetitions({100.0, 100.0}, adaptive));
}

TEST(StoppingRule, AQuietSeriesStopsAtTheMinimum) {
  // CV about 1 %.
  EXPECT_TRUE(enough_repetitions({100.0, 101.0, 99.0}, adaptive));
}

TEST(StoppingRule, ANoisySeriesKeepsGoingUntilTheMaximum) {
  // CV about 20 %: above the 5 % bound at every count below the maximum.
  std::vector<double> samples{100.0, 140.0, 90.0};
  while (samples.size() < 8) {
    EXPECT_FALSE(enough_repetitions(samples, adaptive)) << samples.size() << " samples";
    samples.push_back(samples.size() % 2 == 0 ? 80.0 : 130.0);
  }
  EXPECT_TRUE(enough_repetitions(samples, adaptive));
}

TEST(StoppingRule, ASeriesThatSettlesStopsWhenItIsUnderTheBound) {
  // One early outlier, then steady samples dilute it: the CV of {112, 100 x (n-1)} is 6.7 %,
  // 5.8 %, 5.2 % for n = 3..5 and 4.8 % at n = 6.
  std::vector<double> samples{112.0, 100.0, 100.0};
  EXPECT_FALSE(enough_repetitions(samples, adaptive));
  int stopped_at = 0;
  for (int count = 4; count <= 8 && stopped_at == 0; ++count) {
    samples.push_back(100.0);
    if (enough_repetitions(samples, adaptive)) {
      stopped_at = count;
    }
  }
  EXPECT_EQ(stopped_at, 6);
}

TEST(StoppingRule, AFixedCountIgnoresTheNoise) {
  const stopping_rule fixed{3, 3, 0.05};
  EXPECT_FALSE(enough_repetitions({100.0, 200.0}, fixed));
  EXPECT_TRUE(enough_repetitions({100.0, 200.0, 50.0}, fixed));
}

TEST(StoppingRule, OneSampleIsEnoughOnlyWhenOneIsAskedFor) {
  EXPECT_TRUE(enough_repetitions({100.0}, stopping_rule{1, 1, 0.05}));
  EXPECT_FALSE(enough_repetitions({100.0}, stopping_rule{1, 3, 0.05}));
}

} // namespace
} // namespace gpushare
