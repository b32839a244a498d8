#include "harness/timeslice_probe.hpp"

#include "harness/statistics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

namespace gpushare {
namespace {

percentile_summary summarize_durations(const std::vector<double>& values) {
  percentile_summary summary;
  summary.count = values.size();
  summary.median = median(values);
  summary.p10 = quantile(values, 0.1);
  summary.p90 = quantile(values, 0.9);
  return summary;
}

double microseconds(std::uint64_t from_ns, std::uint64_t to_ns) {
  return static_cast<double>(to_ns - from_ns) / 1000.0;
}

std::vector<run_segment> in_time_order(const run_segment_trace& trace) {
  std::vector<run_segment> segments = trace.segments;
  std::stable_sort(
      segments.begin(), segments.end(),
      [](const run_segment& a, const run_segment& b) { return a.start_ns < b.start_ns; });
  return segments;
}

std::string join_notes(const std::vector<std::string>& notes) {
  std::string out;
  for (const std::string& note : notes) {
    out += (out.empty() ? "" : "; ") + note;
  }
  return out;
}

} // namespace

timeslice_probe_result analyze_timeslice(const std::vector<traced_tenant>& tenants) {
  timeslice_probe_result result;
  std::vector<std::vector<run_segment>> ordered;
  // A trace that lost its last segments cannot say who ran after them.
  std::uint64_t horizon_ns = std::numeric_limits<std::uint64_t>::max();
  for (const traced_tenant& tenant : tenants) {
    result.tenants.push_back(tenant.id);
    result.dropped_segments += tenant.trace.dropped;
    ordered.push_back(in_time_order(tenant.trace));
    if (tenant.trace.dropped > 0) {
      std::uint64_t last_end = 0;
      for (const run_segment& segment : ordered.back()) {
        last_end = std::max(last_end, segment.end_ns);
      }
      horizon_ns = std::min(horizon_ns, last_end);
    }
  }

  std::vector<double> quantum_us;
  std::vector<double> switch_gap_us;
  for (std::size_t a = 0; a < ordered.size(); ++a) {
    std::vector<std::uint64_t> other_starts;
    for (std::size_t b = 0; b < ordered.size(); ++b) {
      if (b != a) {
        for (const run_segment& segment : ordered[b]) {
          other_starts.push_back(segment.start_ns);
        }
      }
    }
    std::sort(other_starts.begin(), other_starts.end());
    // Another traced tenant started running inside (from, to): the gap was a switch to it.
    const auto filled_by_other = [&other_starts](std::uint64_t from, std::uint64_t to) {
      const auto next = std::upper_bound(other_starts.begin(), other_starts.end(), from);
      return next != other_starts.end() && *next < to;
    };
    const std::vector<run_segment>& own = ordered[a];
    for (std::size_t i = 0; i < own.size(); ++i) {
      const run_segment& segment = own[i];
      // A slice is bounded by switches to the other tenants on both sides; a stall of another
      // kind (an untraced context, a driver pause) would split one slice into two short ones.
      const bool switched_in = i > 0 && segment.after_gap && own[i - 1].before_gap &&
                               filled_by_other(own[i - 1].end_ns, segment.start_ns);
      const bool switched_out = i + 1 < own.size() && segment.before_gap && own[i + 1].after_gap &&
                                filled_by_other(segment.end_ns, own[i + 1].start_ns);
      if (switched_in && switched_out && segment.end_ns >= segment.start_ns &&
          own[i + 1].start_ns <= horizon_ns) {
        quantum_us.push_back(microseconds(segment.start_ns, segment.end_ns));
      }
      if (i + 1 == own.size() || !segment.before_gap || !own[i + 1].after_gap) {
        continue; // the kernel ended here: the pause until the next one is no switch
      }
      const std::uint64_t resumed_ns = own[i + 1].start_ns;
      if (resumed_ns > horizon_ns || resumed_ns <= segment.end_ns) {
        continue;
      }
      ++result.gaps;
      if (filled_by_other(segment.end_ns, resumed_ns)) {
        ++result.gaps_filled_by_other_tenant;
        const auto next_other =
            std::upper_bound(other_starts.begin(), other_starts.end(), segment.end_ns);
        switch_gap_us.push_back(microseconds(segment.end_ns, *next_other));
      }
    }
  }

  std::vector<std::string> notes;
  if (tenants.size() < 2) {
    notes.push_back(fmt::format("the probe needs the spin traces of at least 2 tenants in the "
                                "shared phase, {} had one",
                                tenants.size()));
  } else if (result.gaps == 0) {
    notes.emplace_back("no traced tenant was switched out while it spun (no jump of the global "
                       "timer over the gap threshold inside a kernel): the tenants ran "
                       "concurrently (as under MPS or on separate MIG instances) or one after "
                       "another, so there is no time slice to measure");
  } else if (result.gaps_filled_by_other_tenant == 0) {
    notes.push_back(fmt::format("the tenants were switched out {} times, but no other traced "
                                "tenant started running in any of those gaps: the GPU served "
                                "something else, so they show no time slice between tenants",
                                result.gaps));
  } else {
    result.switch_gap_us = summarize_durations(switch_gap_us);
    if (quantum_us.empty()) {
      notes.emplace_back("no run segment had a gap on both sides, so no whole time slice was "
                         "seen: each spin is shorter than about two time slices (try us=20000)");
    } else {
      result.quantum_us = summarize_durations(quantum_us);
    }
  }
  if (result.dropped_segments > 0) {
    notes.push_back(fmt::format("{} segments did not fit the trace buffers; gaps after the "
                                "first truncated trace ends are not counted",
                                result.dropped_segments));
  }
  result.note = join_notes(notes);
  return result;
}

std::vector<traced_tenant> shared_spin_traces(const std::vector<tenant_record>& tenants) {
  std::vector<traced_tenant> traced;
  for (const tenant_record& tenant : tenants) {
    if (tenant.shared && tenant.shared->spin_trace) {
      traced.push_back({tenant.id, *tenant.shared->spin_trace});
    }
  }
  return traced;
}

} // namespace gpushare
