// The streams experiment and the measurement loop on a real GPU, with small sizes. The checks
// are plausibility bounds that hold on any GPU, never measured figures: the 1-stream baseline
// is 1x, no speedup beats its ideal bound by more than timing noise, and the pipeline's output
// matches the host reference (run_streams_experiment throws otherwise).

#include "device_support.hpp"
#include "harness/environment.hpp"
#include "harness/measure.hpp"
#include "harness/streams_experiment.hpp"

#include <gtest/gtest.h>

#include <cstdio>

namespace gpushare {
namespace {

// Event timing has about 0.5 us resolution and repetitions vary; a point may exceed its
// bound by this factor before it counts as implausible.
constexpr double noise_allowance = 1.10;

void expect_plausible(const std::vector<stream_point>& points, const char* experiment) {
  ASSERT_FALSE(points.empty());
  EXPECT_EQ(points.front().streams, 1);
  EXPECT_DOUBLE_EQ(points.front().speedup, 1.0);
  EXPECT_DOUBLE_EQ(points.front().ideal_speedup, 1.0);
  for (const auto& point : points) {
    EXPECT_GT(point.time_us.median, 0.0) << experiment << " S=" << point.streams;
    EXPECT_LE(point.time_us.ci_low, point.time_us.median);
    EXPECT_GE(point.time_us.ci_high, point.time_us.median);
    EXPECT_GE(point.ideal_speedup, 1.0);
    EXPECT_LE(point.speedup, point.ideal_speedup * noise_allowance)
        << experiment << " S=" << point.streams << " beats its ideal bound";
    std::printf("%s S=%d: %.1f us, speedup %.2f, ideal %.2f, efficiency %.2f\n", experiment,
                point.streams, point.time_us.median, point.speedup, point.ideal_speedup,
                point.efficiency);
  }
}

TEST(StreamsDevice, BothExperimentsGivePlausibleCurves) {
  GPUSHARE_REQUIRE_DEVICE();
  const environment_info environment = capture_environment();
  ASSERT_TRUE(environment.cuda_available) << environment.unavailable_reason;
  streams_settings settings;
  settings.stream_counts = {1, 2, 4};
  settings.kernels = 8;
  settings.chunks = 4;
  settings.pipeline_bytes = 16ull << 20;
  settings.repetitions = 3;
  settings.batches_per_repetition = 2;
  settings.warmup_batches = 1;
  const streams_result result = run_streams_experiment(settings, environment.gpus[0]);

  const auto& overlap = result.kernel_overlap;
  EXPECT_GT(overlap.fma_per_element, 0);
  EXPECT_GE(overlap.concurrent_capacity, 1);
  EXPECT_LT(overlap.blocks_per_kernel, static_cast<unsigned>(environment.gpus[0].sm_count) + 1);
  EXPECT_FALSE(overlap.sizing_note.empty());
  expect_plausible(overlap.points, "kernel overlap");

  const auto& pipeline = result.copy_pipeline;
  EXPECT_EQ(pipeline.total_bytes, 16ull << 20);
  EXPECT_GT(pipeline.h2d_us.median, 0.0);
  EXPECT_GT(pipeline.kernel_us.median, 0.0);
  EXPECT_GT(pipeline.d2h_us.median, 0.0);
  expect_plausible(pipeline.points, "copy pipeline");
}

TEST(StreamsDevice, MeasuredGemmCarriesVerificationAndTimings) {
  GPUSHARE_REQUIRE_DEVICE();
  const auto spec = parse_workload_spec("gemm:size=1024,dtype=fp16");
  auto work = make_workload(spec, {});
  measure_settings settings;
  settings.repetitions = 3;
  settings.iterations = 5;
  const workload_result result = measure_workload(*work, spec, settings);
  EXPECT_TRUE(result.verification.checked);
  EXPECT_TRUE(result.verification.passed) << result.verification.detail;
  EXPECT_EQ(result.iterations, 15u);
  EXPECT_GT(result.throughput_per_s.median, 0.0);
  EXPECT_DOUBLE_EQ(result.flops_per_iteration, 2.0 * 1024 * 1024 * 1024);
}

} // namespace
} // namespace gpushare
