#include "harness/measure.hpp"

#include "common/interrupt.hpp"
#include "harness/stopping_rule.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <random>
#include <stdexcept>
#include <thread>

namespace gpushare {
namespace {

using monotonic_clock = std::chrono::steady_clock;

std::uint64_t elapsed_ns(monotonic_clock::time_point start, monotonic_clock::time_point end) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
}

} // namespace

std::uint64_t monotonic_now_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000u +
         static_cast<std::uint64_t>(now.tv_nsec);
}

workload_result measure_workload(workload& work, const workload_spec& spec,
                                 const measure_settings& settings,
                                 const before_timing_hook& before_timing) {
  if (settings.repetitions < 1) {
    throw std::invalid_argument("measure_workload: repetitions must be at least 1");
  }
  workload_result result;
  result.workload = spec.canonical();
  result.description = work.description();
  result.host_only = work.host_only();
  result.flops_per_iteration = work.flops_per_iteration();
  result.bytes_per_iteration = work.bytes_per_iteration();

  work.setup();
  result.verification = work.verify();
  if (result.verification.checked && !result.verification.passed) {
    return result;
  }

  for (int i = 0; i < settings.warmup_iterations; ++i) {
    throw_if_interrupted();
    work.run_iteration();
  }

  // Before the barrier: on a time-sliced GPU any device work after "go" (the spin trace's
  // reset) could wait a whole time slice behind the other tenants and skew the start.
  work.on_timing_start();
  if (before_timing) {
    before_timing();
  }
  result.first_iteration_start_ns = monotonic_now_ns();

  const std::uint64_t fixed_iterations =
      settings.duration_s ? 0 : settings.iterations.value_or(default_iterations);
  const auto duration = std::chrono::duration_cast<monotonic_clock::duration>(
      std::chrono::duration<double>(settings.duration_s.value_or(0.0)));

  // Open loop: requests arrive as a Poisson process whatever the service does, and latency
  // counts from the scheduled arrival, so time spent queued behind slow requests is seen
  // (no coordinated omission). Closed loop: the next request starts when the last finished.
  const double rate = spec.params.count("rate") != 0 ? spec.get_double("rate") : 0.0;
  std::mt19937_64 arrivals(settings.arrival_seed);
  std::exponential_distribution<double> gap(rate > 0 ? rate : 1.0);

  std::vector<double> iteration_time_us;
  std::vector<double> throughput;
  const stopping_rule rule{settings.repetitions,
                           std::max(settings.repetitions, settings.max_repetitions),
                           settings.noise_threshold};
  while (!enough_repetitions(iteration_time_us, rule)) {
    std::uint64_t done = 0;
    const auto repetition_start = monotonic_clock::now();
    auto now = repetition_start;
    auto scheduled = repetition_start;
    // With a duration, at least one iteration runs even if it alone exceeds the duration.
    while (fixed_iterations != 0 ? done < fixed_iterations
                                 : (done == 0 || now - repetition_start < duration)) {
      throw_if_interrupted();
      auto start = monotonic_clock::now();
      if (rate > 0) {
        scheduled += std::chrono::duration_cast<monotonic_clock::duration>(
            std::chrono::duration<double>(gap(arrivals)));
        if (scheduled > start) {
          std::this_thread::sleep_until(scheduled);
        }
        start = scheduled;
      }
      work.run_iteration();
      now = monotonic_clock::now();
      result.histogram.record(elapsed_ns(start, now));
      ++done;
    }
    // A clock that did not advance would divide by zero; one nanosecond is its resolution.
    const double seconds =
        static_cast<double>(std::max<std::uint64_t>(elapsed_ns(repetition_start, now), 1)) * 1e-9;
    iteration_time_us.push_back(seconds * 1e6 / static_cast<double>(done));
    throughput.push_back(static_cast<double>(done) / seconds);
    result.iterations += done;
  }
  work.add_evidence(result);
  result.iteration_time_us = summarize(iteration_time_us, settings.noise_threshold);
  result.throughput_per_s = summarize(throughput, settings.noise_threshold);
  result.repetition_iteration_time_us = std::move(iteration_time_us);
  result.repetition_throughput_per_s = std::move(throughput);
  result.latency_us = summarize_latency(result.histogram);
  return result;
}

} // namespace gpushare
