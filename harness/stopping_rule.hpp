#pragma once
// When to stop repeating a measurement, after nvbench's criterion: keep adding repetitions
// while the relative spread of the per-repetition samples is above the noise bound, between a
// minimum (so the interval for the median means something) and a maximum (so a noisy system
// cannot make a run endless). A figure still above the bound at the maximum is flagged noisy.

#include <vector>

namespace gpushare {

struct stopping_rule {
  int min_repetitions = 5;
  int max_repetitions = 5; ///< equal to min_repetitions: a fixed count
  double max_noise = 0.05; ///< coefficient of variation the samples must get under
};

/// True when `samples` (one per repetition so far) need no more repetitions: the maximum is
/// reached, or the minimum is and their coefficient of variation is at most max_noise.
[[nodiscard]] bool enough_repetitions(const std::vector<double>& samples,
                                      const stopping_rule& rule);

} // namespace gpushare
