#include "harness/stopping_rule.hpp"

#include <cmath>
#include <numeric>

namespace gpushare {

bool enough_repetitions(const std::vector<double>& samples, const stopping_rule& rule) {
  const auto count = static_cast<int>(samples.size());
  if (count >= rule.max_repetitions) {
    return true;
  }
  if (count < rule.min_repetitions) {
    return false;
  }
  if (count < 2) {
    // One sample has no spread to judge; only a rule that asks for a single repetition stops.
    return rule.max_repetitions <= 1;
  }
  const double n = static_cast<double>(count);
  const double mean = std::accumulate(samples.begin(), samples.end(), 0.0) / n;
  double squares = 0;
  for (const double sample : samples) {
    squares += (sample - mean) * (sample - mean);
  }
  const double stdev = std::sqrt(squares / (n - 1));
  const double cv = mean != 0 ? stdev / std::fabs(mean) : 0.0;
  return cv <= rule.max_noise;
}

} // namespace gpushare
