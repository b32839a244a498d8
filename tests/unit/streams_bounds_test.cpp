// The ideal bounds the streams experiment divides by: if they were wrong, every reported
// efficiency would be wrong with them.

#include "harness/streams_experiment.hpp"

#include <gtest/gtest.h>

namespace gpushare {
namespace {

TEST(KernelOverlapBound, OneStreamIsTheBaseline) {
  EXPECT_DOUBLE_EQ(ideal_kernel_overlap_speedup(32, 1, 128), 1.0);
}

TEST(KernelOverlapBound, GrowsWithStreamsUpToCapacity) {
  EXPECT_DOUBLE_EQ(ideal_kernel_overlap_speedup(32, 2, 128), 2.0);
  EXPECT_DOUBLE_EQ(ideal_kernel_overlap_speedup(32, 8, 128), 8.0);
  EXPECT_DOUBLE_EQ(ideal_kernel_overlap_speedup(32, 8, 4), 4.0);
  EXPECT_DOUBLE_EQ(ideal_kernel_overlap_speedup(32, 64, 128), 32.0);
}

TEST(KernelOverlapBound, CountsPartialWaves) {
  // 30 kernels on 8 streams take 4 waves (8 + 8 + 8 + 6), not 3.75.
  EXPECT_DOUBLE_EQ(ideal_kernel_overlap_speedup(30, 8, 128), 7.5);
}

TEST(PipelineBound, OneStreamIsTheSumOfStages) {
  EXPECT_DOUBLE_EQ(ideal_pipeline_time(100, 200, 100, 16, 1, 2), 400);
  EXPECT_DOUBLE_EQ(ideal_pipeline_time(100, 200, 100, 16, 1, 1), 400);
}

TEST(PipelineBound, ManyStreamsAreBoundByTheBusiestEnginePlusFillAndDrain) {
  // Kernel is the bottleneck: its total plus one chunk's copies before and after.
  EXPECT_DOUBLE_EQ(ideal_pipeline_time(160, 320, 160, 16, 16, 2), 10 + 320 + 10);
  // Balanced stages: about a third of the serial time.
  EXPECT_DOUBLE_EQ(ideal_pipeline_time(160, 160, 160, 16, 16, 2), 160 + 10 + 10);
}

TEST(PipelineBound, OneCopyEngineCarriesBothDirections) {
  EXPECT_DOUBLE_EQ(ideal_pipeline_time(160, 160, 160, 16, 16, 1), 320);
}

TEST(PipelineBound, FewStreamsAreBoundByTheirOwnChunks) {
  // Two streams each run 8 chunks of 30 back to back.
  EXPECT_DOUBLE_EQ(ideal_pipeline_time(160, 160, 160, 16, 2, 2), 8 * 30);
  // More streams than chunks cannot help beyond one chunk per stream.
  EXPECT_DOUBLE_EQ(ideal_pipeline_time(40, 40, 40, 4, 8, 2),
                   ideal_pipeline_time(40, 40, 40, 4, 4, 2));
}

TEST(PipelineBound, NeverFasterThanAnyEngineAlone) {
  for (int streams : {1, 2, 3, 4, 8, 16}) {
    const double bound = ideal_pipeline_time(100, 300, 50, 8, streams, 2);
    EXPECT_GE(bound, 300.0) << streams;
    EXPECT_LE(bound, 450.0) << streams;
  }
}

} // namespace
} // namespace gpushare
