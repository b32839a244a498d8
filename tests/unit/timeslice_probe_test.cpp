// The time-slice probe's analysis of spin traces. Every series here is constructed in the test
// with known slice and gap lengths (plus jitter from a fixed seed), not recorded from a GPU:
// they check the arithmetic and the rules (edge segments left out, no figures without
// alternation), not what any GPU does.

#include "harness/timeslice_probe.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace gpushare {
namespace {

using ::testing::HasSubstr;

struct alternation_shape {
  int tenants = 2;
  int kernels_per_tenant = 20;
  int slices_per_kernel = 5;
  std::uint64_t quantum_ns = 2'000'000;
  std::uint64_t quantum_jitter_ns = 50'000; ///< uniform, either side
  std::uint64_t switch_ns = 30'000;
  std::uint64_t switch_jitter_ns = 5'000;
  /// The first and last slice of a kernel are cut by the kernel's start and end.
  std::uint64_t edge_ns = 700'000;
};

std::uint64_t jittered(std::mt19937_64& rng, std::uint64_t value, std::uint64_t jitter) {
  return value - jitter + rng() % (2 * jitter + 1);
}

/// Round robin: tenant 0 runs a slice, a switch gap, tenant 1 runs a slice, ... Each tenant's
/// kernel spans `slices_per_kernel` of its own slices; its next kernel starts with its next turn.
std::vector<traced_tenant> alternating(const alternation_shape& shape, std::uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  std::vector<traced_tenant> tenants(static_cast<std::size_t>(shape.tenants));
  for (int id = 0; id < shape.tenants; ++id) {
    tenants[static_cast<std::size_t>(id)].id = id;
    tenants[static_cast<std::size_t>(id)].trace.gap_threshold_ns = 5'000;
  }
  std::uint64_t now = 1'700'000'000'000'000'000ull; // the global timer counts from the epoch
  const int turns = shape.kernels_per_tenant * shape.slices_per_kernel;
  for (int turn = 0; turn < turns; ++turn) {
    const int position = turn % shape.slices_per_kernel;
    const bool first = position == 0;
    const bool last = position == shape.slices_per_kernel - 1;
    for (traced_tenant& tenant : tenants) {
      const std::uint64_t length = first || last
                                       ? jittered(rng, shape.edge_ns, shape.quantum_jitter_ns)
                                       : jittered(rng, shape.quantum_ns, shape.quantum_jitter_ns);
      tenant.trace.segments.push_back({now, now + length, !first, !last});
      now += length + jittered(rng, shape.switch_ns, shape.switch_jitter_ns);
    }
  }
  return tenants;
}

TEST(TimesliceProbe, AStallNoOtherTenantFilledDoesNotSplitASlice) {
  // Tenant 0's third interior slice of its first kernel is interrupted by a 20 us stall in
  // which tenant 1 did not run (an untraced context, a driver pause): 1 ms + stall + 1 ms.
  std::vector<traced_tenant> tenants = alternating(alternation_shape{});
  std::vector<run_segment>& own = tenants[0].trace.segments;
  const run_segment whole = own[2];
  const std::uint64_t middle = whole.start_ns + (whole.end_ns - whole.start_ns) / 2;
  own[2] = {whole.start_ns, middle - 10'000, whole.after_gap, true};
  own.insert(own.begin() + 3, run_segment{middle + 10'000, whole.end_ns, true, whole.before_gap});
  const timeslice_probe_result probe = analyze_timeslice(tenants);
  ASSERT_TRUE(probe.quantum_us.has_value());
  // The two halves are not slices: neither is bounded by switches on both sides.
  EXPECT_EQ(probe.quantum_us->count, 2u * 20u * 3u - 1u);
  EXPECT_GE(probe.quantum_us->p10, 1950.0);
  // The stall is a gap, but not one another tenant filled.
  EXPECT_EQ(probe.gaps, 2u * 20u * 4u + 1u);
  EXPECT_EQ(probe.gaps_filled_by_other_tenant, 2u * 20u * 4u);
}

TEST(TimesliceProbe, AlternatingTenantsGiveTheQuantumAndTheSwitchGap) {
  const alternation_shape shape;
  const timeslice_probe_result probe = analyze_timeslice(alternating(shape));
  EXPECT_EQ(probe.tenants, (std::vector<int>{0, 1}));
  EXPECT_EQ(probe.note, "");
  ASSERT_TRUE(probe.quantum_us.has_value());
  // Only the 3 interior slices of each of the 2 x 20 kernels count.
  EXPECT_EQ(probe.quantum_us->count, 2u * 20u * 3u);
  EXPECT_NEAR(probe.quantum_us->median, 2000.0, 25.0);
  // Edge slices (700 us) are 40 % of all slices: had they counted, p10 would be near 700.
  EXPECT_GE(probe.quantum_us->p10, 1950.0);
  EXPECT_LE(probe.quantum_us->p90, 2050.0);
  EXPECT_LT(probe.quantum_us->p10, probe.quantum_us->median);
  EXPECT_GT(probe.quantum_us->p90, probe.quantum_us->median);

  // Four gaps inside each kernel; the pause between a tenant's kernels is not one.
  EXPECT_EQ(probe.gaps, 2u * 20u * 4u);
  EXPECT_EQ(probe.gaps_filled_by_other_tenant, probe.gaps);
  ASSERT_TRUE(probe.switch_gap_us.has_value());
  EXPECT_EQ(probe.switch_gap_us->count, probe.gaps);
  EXPECT_NEAR(probe.switch_gap_us->median, 30.0, 2.5);
  EXPECT_GE(probe.switch_gap_us->p10, 25.0);
  EXPECT_LE(probe.switch_gap_us->p90, 35.0);
  EXPECT_EQ(probe.dropped_segments, 0u);
}

TEST(TimesliceProbe, ThreeTenantsMeasureTheGapToTheNextTenantOnly) {
  alternation_shape shape;
  shape.tenants = 3;
  shape.quantum_ns = 1'000'000;
  shape.switch_ns = 50'000;
  const timeslice_probe_result probe = analyze_timeslice(alternating(shape, 11));
  ASSERT_TRUE(probe.switch_gap_us.has_value());
  // Tenant 0's gap holds tenants 1 and 2; its switch gap ends where tenant 1 starts.
  EXPECT_NEAR(probe.switch_gap_us->median, 50.0, 4.0);
  EXPECT_LE(probe.switch_gap_us->p90, 55.0);
  ASSERT_TRUE(probe.quantum_us.has_value());
  EXPECT_NEAR(probe.quantum_us->median, 1000.0, 25.0);
  EXPECT_EQ(probe.gaps_filled_by_other_tenant, 3u * 20u * 4u);
}

TEST(TimesliceProbe, KernelsShorterThanTwoSlicesGiveNoQuantum) {
  alternation_shape shape;
  shape.slices_per_kernel = 2; // every segment touches its kernel's start or end
  const timeslice_probe_result probe = analyze_timeslice(alternating(shape));
  EXPECT_FALSE(probe.quantum_us.has_value());
  ASSERT_TRUE(probe.switch_gap_us.has_value());
  EXPECT_NEAR(probe.switch_gap_us->median, 30.0, 2.5);
  EXPECT_THAT(probe.note, HasSubstr("no run segment had a gap on both sides"));
}

TEST(TimesliceProbe, ConcurrentTenantsDidNotAlternate) {
  // MPS-like: both tenants run every 20 ms kernel at the same time, without gaps.
  std::vector<traced_tenant> tenants(2);
  for (int id = 0; id < 2; ++id) {
    tenants[static_cast<std::size_t>(id)].id = id;
    tenants[static_cast<std::size_t>(id)].trace.gap_threshold_ns = 5'000;
    for (std::uint64_t kernel = 0; kernel < 50; ++kernel) {
      const std::uint64_t start = kernel * 20'100'000 + static_cast<std::uint64_t>(id) * 3'000;
      tenants[static_cast<std::size_t>(id)].trace.segments.push_back(
          {start, start + 20'000'000, false, false});
    }
  }
  const timeslice_probe_result probe = analyze_timeslice(tenants);
  EXPECT_EQ(probe.gaps, 0u);
  EXPECT_EQ(probe.gaps_filled_by_other_tenant, 0u);
  EXPECT_FALSE(probe.quantum_us.has_value());
  EXPECT_FALSE(probe.switch_gap_us.has_value());
  EXPECT_THAT(probe.note, HasSubstr("ran concurrently"));
}

TEST(TimesliceProbe, GapsNobodyElseStartedInAreNoAlternation) {
  // Tenant 0 is switched out now and then; tenant 1 runs straight through those gaps (it was
  // already running: something else, not tenant 1, took tenant 0's place).
  std::vector<traced_tenant> tenants(2);
  tenants[0].id = 0;
  tenants[1].id = 1;
  tenants[0].trace.segments = {{0, 1'000'000, false, true},
                               {1'500'000, 3'000'000, true, true},
                               {3'400'000, 5'000'000, true, false}};
  tenants[1].trace.segments = {{100, 5'000'000, false, false}};
  const timeslice_probe_result probe = analyze_timeslice(tenants);
  EXPECT_EQ(probe.gaps, 2u);
  EXPECT_EQ(probe.gaps_filled_by_other_tenant, 0u);
  EXPECT_FALSE(probe.quantum_us.has_value());
  EXPECT_FALSE(probe.switch_gap_us.has_value());
  EXPECT_THAT(probe.note, HasSubstr("switched out 2 times"));
}

TEST(TimesliceProbe, OneTracedTenantIsNotEnough) {
  std::vector<traced_tenant> tenants = alternating(alternation_shape{});
  tenants.resize(1);
  const timeslice_probe_result probe = analyze_timeslice(tenants);
  EXPECT_FALSE(probe.quantum_us.has_value());
  EXPECT_FALSE(probe.switch_gap_us.has_value());
  EXPECT_EQ(probe.gaps_filled_by_other_tenant, 0u);
  EXPECT_THAT(probe.note, HasSubstr("at least 2 tenants"));
  EXPECT_THAT(analyze_timeslice({}).note, HasSubstr("at least 2 tenants"));
}

TEST(TimesliceProbe, DroppedSegmentsAreReportedAndLimitTheGapsCounted) {
  std::vector<traced_tenant> tenants = alternating(alternation_shape{});
  const std::size_t kept = tenants[0].trace.segments.size() / 2;
  tenants[0].trace.dropped = tenants[0].trace.segments.size() - kept;
  tenants[0].trace.segments.resize(kept);
  const timeslice_probe_result probe = analyze_timeslice(tenants);
  EXPECT_EQ(probe.dropped_segments, 50u);
  EXPECT_THAT(probe.note, HasSubstr("50 segments did not fit"));
  // Tenant 1's later gaps are not counted as unfilled: nobody knows who ran in them.
  EXPECT_GT(probe.gaps, 0u);
  EXPECT_LT(probe.gaps, 2u * 20u * 4u);
  EXPECT_EQ(probe.gaps_filled_by_other_tenant, probe.gaps);
  ASSERT_TRUE(probe.quantum_us.has_value());
  EXPECT_NEAR(probe.quantum_us->median, 2000.0, 25.0);
}

TEST(TimesliceProbe, SharedTracesComeFromTheSharedPhaseOfSpinTenants) {
  std::vector<tenant_record> records(3);
  const std::vector<traced_tenant> traced = alternating(alternation_shape{});
  for (int id = 0; id < 3; ++id) {
    records[static_cast<std::size_t>(id)].id = id;
    records[static_cast<std::size_t>(id)].shared = workload_result{};
  }
  records[0].shared->spin_trace = traced[0].trace;
  records[1].solo = workload_result{};
  records[1].solo->spin_trace = traced[1].trace; // a solo trace is not part of the shared phase
  records[2].shared->spin_trace = traced[1].trace;
  const std::vector<traced_tenant> found = shared_spin_traces(records);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].id, 0);
  EXPECT_EQ(found[1].id, 2);
  EXPECT_EQ(found[1].trace.segments.size(), traced[1].trace.segments.size());
}

} // namespace
} // namespace gpushare
