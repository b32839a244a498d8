// The measurement loop through the real host-sleep workload, plus a workload whose
// verification fails, which must never produce timings.

#include "harness/measure.hpp"
#include "harness/workload.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace gpushare {
namespace {

TEST(Measure, HostSleepRunsEveryRepetitionAndIteration) {
  const auto spec = parse_workload_spec("host-sleep:us=200");
  auto work = make_workload(spec, {});
  measure_settings settings;
  settings.warmup_iterations = 1;
  settings.repetitions = 3;
  settings.iterations = 4;
  const workload_result result = measure_workload(*work, spec, settings);

  EXPECT_EQ(result.workload, "host-sleep:rate=0,us=200");
  EXPECT_TRUE(result.host_only);
  EXPECT_FALSE(result.verification.checked);
  EXPECT_EQ(result.iterations, 12u);
  EXPECT_EQ(result.histogram.count(), 12u);
  EXPECT_EQ(result.latency_us.count, 12u);
  EXPECT_EQ(result.throughput_per_s.count, 3u);
  EXPECT_EQ(result.iteration_time_us.count, 3u);
  // A sleep never ends early, so these bounds hold however loaded the machine is.
  EXPECT_GE(result.latency_us.min, 200.0);
  EXPECT_GE(result.latency_us.p50, 200.0);
  EXPECT_GE(result.iteration_time_us.min, 200.0);
  EXPECT_LE(result.throughput_per_s.max, 1e6 / 200.0);
  EXPECT_LE(result.latency_us.p50, result.latency_us.p99);
  EXPECT_LE(result.latency_us.p99, result.latency_us.max);
}

TEST(Measure, ANoiseBoundNoSeriesMeetsRunsTheMaximumRepetitions) {
  const auto spec = parse_workload_spec("host-sleep:us=100");
  auto work = make_workload(spec, {});
  measure_settings settings;
  settings.warmup_iterations = 0;
  settings.repetitions = 2;
  settings.max_repetitions = 5;
  settings.iterations = 2;
  // Real timings never repeat to the nanosecond, so a bound of 0 is never met.
  settings.noise_threshold = 0;
  const workload_result result = measure_workload(*work, spec, settings);
  EXPECT_EQ(result.iteration_time_us.count, 5u);
  EXPECT_EQ(result.iterations, 10u);
}

TEST(Measure, DurationModeRunsAtLeastOneIterationPerRepetition) {
  const auto spec = parse_workload_spec("host-sleep:us=3000");
  auto work = make_workload(spec, {});
  measure_settings settings;
  settings.warmup_iterations = 0;
  settings.repetitions = 2;
  settings.duration_s = 0.001; // shorter than one iteration
  const workload_result result = measure_workload(*work, spec, settings);
  EXPECT_GE(result.iterations, 2u);
  EXPECT_EQ(result.iteration_time_us.count, 2u);
  EXPECT_GE(result.iteration_time_us.min, 3000.0);
}

class wrong_result_workload final : public workload {
public:
  int iterations_run = 0;
  std::string description() const override { return "returns wrong results"; }
  bool host_only() const override { return false; }
  void setup() override {}
  verification_result verify() override {
    verification_result result;
    result.checked = true;
    result.passed = false;
    result.detail = "element 3: expected 1, got 0";
    return result;
  }
  void run_iteration() override { ++iterations_run; }
  double flops_per_iteration() const override { return 1; }
  double bytes_per_iteration() const override { return 1; }
};

TEST(Measure, FailedVerificationDiscardsTimings) {
  const auto spec = parse_workload_spec("host-sleep");
  wrong_result_workload work;
  const workload_result result = measure_workload(work, spec, {});
  EXPECT_FALSE(result.verification.passed);
  EXPECT_EQ(result.verification.detail, "element 3: expected 1, got 0");
  EXPECT_EQ(work.iterations_run, 0);
  EXPECT_EQ(result.iterations, 0u);
  EXPECT_EQ(result.histogram.count(), 0u);
}

/// Logs every call the measurement loop makes, so their order can be checked.
class logging_workload final : public workload {
public:
  std::vector<std::string> calls;
  std::string description() const override { return "logs its calls"; }
  bool host_only() const override { return true; }
  void setup() override { calls.emplace_back("setup"); }
  verification_result verify() override {
    calls.emplace_back("verify");
    return {};
  }
  void run_iteration() override { calls.emplace_back("iteration"); }
  double flops_per_iteration() const override { return 0; }
  double bytes_per_iteration() const override { return 0; }
  void on_timing_start() override { calls.emplace_back("timing_start"); }
  void add_evidence(workload_result& result) override {
    calls.emplace_back("evidence");
    // Everything timed is counted by now: the evidence sees the finished result.
    result.spin_trace = run_segment_trace{};
    result.spin_trace->dropped = result.iterations;
  }
};

TEST(Measure, EvidenceHooksBracketExactlyTheTimedIterations) {
  const auto spec = parse_workload_spec("host-sleep:us=0");
  logging_workload work;
  measure_settings settings;
  settings.warmup_iterations = 2;
  settings.repetitions = 2;
  settings.iterations = 3;
  const workload_result result =
      measure_workload(work, spec, settings, [&work] { work.calls.emplace_back("barrier"); });
  const std::vector<std::string> expected = {
      "setup",     "verify",    "iteration", "iteration", "timing_start", "barrier", "iteration",
      "iteration", "iteration", "iteration", "iteration", "iteration",    "evidence"};
  EXPECT_EQ(work.calls, expected);
  ASSERT_TRUE(result.spin_trace.has_value());
  EXPECT_EQ(result.spin_trace->dropped, 6u);
}

TEST(Measure, RejectsZeroRepetitions) {
  const auto spec = parse_workload_spec("host-sleep:us=0");
  auto work = make_workload(spec, {});
  measure_settings settings;
  settings.repetitions = 0;
  EXPECT_THROW((void)measure_workload(*work, spec, settings), std::invalid_argument);
}

TEST(WorkloadFactory, BuildsEveryCatalogWorkloadWithoutTouchingTheGpu) {
  // Construction only reads the spec; devices are touched in setup().
  for (const auto& name : workload_names()) {
    const auto work = make_workload(parse_workload_spec(name), {});
    ASSERT_NE(work, nullptr) << name;
    EXPECT_FALSE(work->description().empty()) << name;
    EXPECT_EQ(work->host_only(), name.rfind("host-", 0) == 0) << name;
  }
}

} // namespace
} // namespace gpushare

namespace gpushare {
namespace {

/// One repetition of `iterations` iterations of a host workload, no warm-up.
workload_result measure_once(const std::string& spec_text, std::uint64_t iterations) {
  const auto spec = parse_workload_spec(spec_text);
  auto work = make_workload(spec, {});
  measure_settings settings;
  settings.warmup_iterations = 0;
  settings.repetitions = 1;
  settings.iterations = iterations;
  return measure_workload(*work, spec, settings);
}

TEST(Measure, OpenLoopLatencyIncludesQueueingBehindSlowRequests) {
  // Requests arrive every 1 ms on average but each takes at least 2 ms: an open-loop client
  // queues up, and latency measured from the scheduled arrival must show it. A closed-loop
  // client of the same service never sees more than the service time plus scheduling noise.
  const workload_result open = measure_once("host-sleep:us=2000,rate=1000", 40);
  const workload_result closed = measure_once("host-sleep:us=2000", 40);
  EXPECT_GE(open.latency_us.min, 2000.0);
  // The 40th request arrives after about 40 ms but cannot finish before 80 ms of service.
  EXPECT_GT(open.latency_us.max, 8 * 2000.0);
  EXPECT_GT(open.latency_us.p99, closed.latency_us.p99);
  EXPECT_EQ(open.iterations, 40u);
}

TEST(Measure, OpenLoopWaitsForArrivalsWhenTheServiceIsFast) {
  // 40 requests at 2000/s take about 20 ms of arrivals even though each is instant, so the
  // throughput is bound by the arrival rate, not by the service.
  const workload_result result = measure_once("host-sleep:us=0,rate=2000", 40);
  EXPECT_LT(result.throughput_per_s.median, 2000.0 * 3);
}

} // namespace
} // namespace gpushare
