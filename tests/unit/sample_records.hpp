#pragma once
// Small builders of measurement records for the writer tests: the values are made up and
// chosen to be easy to recognise in rendered output, never presented as measurements.

#include "harness/records.hpp"

namespace gpushare::test {

/// A 5-repetition summary with the given median and interval; mean, stdev and cv are derived
/// from them so every field has a distinct, checkable value.
inline sample_summary summary_of(double median, double low, double high, bool noisy = false) {
  sample_summary summary;
  summary.count = 5;
  summary.median = median;
  summary.ci_low = low;
  summary.ci_high = high;
  summary.ci_coverage = 0.9375;
  summary.mean = (low + median + high) / 3;
  summary.stdev = (high - low) / 4;
  summary.cv = summary.stdev / summary.mean;
  summary.min = low;
  summary.max = high;
  summary.noisy = noisy;
  return summary;
}

/// A streams point whose interval spans 2 % either side of `time_us`.
inline stream_point point_of(int streams, double time_us, double speedup, double ideal,
                             bool noisy = false) {
  stream_point point;
  point.streams = streams;
  point.time_us = summary_of(time_us, time_us * 0.98, time_us * 1.02, noisy);
  point.speedup = speedup;
  point.ideal_speedup = ideal;
  point.efficiency = speedup / ideal;
  return point;
}

} // namespace gpushare::test
