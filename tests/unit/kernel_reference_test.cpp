// Host-side checks of everything the GPU workloads share with their kernels: the input pattern,
// the element functions, the rounding emulation, the host references, the tolerance rules and
// the output checks that verify() relies on. No device is needed.

#include "common/error.hpp"
#include "harness/workload_spec.hpp"
#include "harness/workloads/gemm_workload.hpp"
#include "harness/workloads/infer_workload.hpp"
#include "harness/workloads/mixed_workload.hpp"
#include "harness/workloads/output_check.hpp"
#include "harness/workloads/quantity_text.hpp"
#include "harness/workloads/sample_indices.hpp"
#include "harness/workloads/spin_workload.hpp"
#include "harness/workloads/triad_workload.hpp"
#include "kernels/gemm.hpp"
#include "kernels/gemm_reference.hpp"
#include "kernels/infer.hpp"
#include "kernels/infer_reference.hpp"
#include "kernels/mixed.hpp"
#include "kernels/pattern.hpp"
#include "kernels/precision.hpp"
#include "kernels/spin.hpp"
#include "kernels/triad.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace gpushare {
namespace {

using kernels::dtype;

// ---------------------------------------------------------------------------------- pattern

TEST(KernelPattern, ValuesAreInTheExactSetAndAllOccur) {
  std::map<float, int> counts;
  for (std::uint64_t i = 0; i < 20000; ++i) {
    ++counts[kernels::pattern_value(i, 42)];
  }
  ASSERT_EQ(counts.size(), 4u);
  for (const float value : {-1.0f, -0.5f, 0.5f, 1.0f}) {
    ASSERT_EQ(counts.count(value), 1u) << value;
    // Each value about a quarter of the time: a biased hash would skew sums and tests.
    EXPECT_GT(counts[value], 4000) << value;
    EXPECT_LT(counts[value], 6000) << value;
  }
}

TEST(KernelPattern, IsDeterministicAndDependsOnIndexAndSeed) {
  int differs_by_seed = 0;
  int differs_from_neighbour = 0;
  int differs_in_high_bits = 0;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(kernels::pattern_value(i, 7), kernels::pattern_value(i, 7));
    differs_by_seed += kernels::pattern_value(i, 7) != kernels::pattern_value(i, 8) ? 1 : 0;
    differs_from_neighbour +=
        kernels::pattern_value(i, 7) != kernels::pattern_value(i + 1, 7) ? 1 : 0;
    differs_in_high_bits +=
        kernels::pattern_value(i, 7) != kernels::pattern_value(i + (std::uint64_t{1} << 32), 7) ? 1
                                                                                                : 0;
  }
  // Two independent draws from four values differ 3/4 of the time.
  EXPECT_GT(differs_by_seed, 600);
  EXPECT_GT(differs_from_neighbour, 600);
  EXPECT_GT(differs_in_high_bits, 600);
}

TEST(KernelPattern, ScaleMultipliesExactlyAndValuesAreExactInEveryType) {
  for (std::uint64_t i = 0; i < 256; ++i) {
    const float plain = kernels::pattern_value(i, 3);
    EXPECT_EQ(kernels::pattern_value(i, 3, 0.125f), plain * 0.125f);
    EXPECT_EQ(kernels::round_to_fp16(plain * 0.125f), plain * 0.125f);
    EXPECT_EQ(kernels::round_to_bf16(plain * 0.125f), plain * 0.125f);
  }
}

TEST(KernelPattern, PowerOfTwoScales) {
  EXPECT_TRUE(kernels::is_power_of_two(1.0));
  EXPECT_TRUE(kernels::is_power_of_two(0.0009765625));
  EXPECT_TRUE(kernels::is_power_of_two(1024.0));
  EXPECT_FALSE(kernels::is_power_of_two(0.0));
  EXPECT_FALSE(kernels::is_power_of_two(-2.0));
  EXPECT_FALSE(kernels::is_power_of_two(3.0));
  EXPECT_FALSE(kernels::is_power_of_two(0.1));
  EXPECT_FALSE(kernels::is_power_of_two(std::numeric_limits<double>::infinity()));
}

// ------------------------------------------------------------------------------------ triad

TEST(KernelTriad, ElementsMatchHandComputedValues) {
  EXPECT_EQ(kernels::triad_element(1.0f, 3.0f, -0.5f), -0.5f);
  EXPECT_EQ(kernels::triad_element(-1.0f, 3.0f, 1.0f), 2.0f);
  EXPECT_EQ(kernels::triad_element(0.5, 3.0, 0.5), 2.0);
}

TEST(KernelTriad, RoundsOnceLikeAFusedMultiplyAdd) {
  // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: a separate multiply rounds the 2^-24 away (a tie, to
  // even), the fused operation keeps it.
  const float s = 1.0f + std::ldexp(1.0f, -12);
  EXPECT_EQ(kernels::triad_element(-1.0f, s, s), std::ldexp(1.0f, -11) + std::ldexp(1.0f, -24));
  const double d = 1.0 + std::ldexp(1.0, -27);
  EXPECT_EQ(kernels::triad_element(-1.0, d, d), std::ldexp(1.0, -26) + std::ldexp(1.0, -54));
}

TEST(KernelTriad, ReferenceValueIsBPlusThreeC) {
  for (std::uint64_t i = 0; i < 100; ++i) {
    const double b = kernels::pattern_value(i, kernels::triad_seed_b);
    const double c = kernels::pattern_value(i, kernels::triad_seed_c);
    EXPECT_EQ(kernels::triad_reference_value(dtype::fp32, i), b + 3.0 * c) << i;
    EXPECT_EQ(kernels::triad_reference_value(dtype::fp64, i), b + 3.0 * c) << i;
  }
}

TEST(KernelTriad, OutputCheckPassesOnReferenceAndNamesTheFirstMismatch) {
  const std::vector<std::uint64_t> indices = sample_indices(5000, 1 << 20);
  std::vector<double> values;
  for (const std::uint64_t i : indices) {
    values.push_back(kernels::triad_reference_value(dtype::fp32, i));
  }
  const verification_result good = check_triad_output(dtype::fp32, indices, values);
  EXPECT_TRUE(good.checked);
  EXPECT_TRUE(good.passed) << good.detail;
  EXPECT_EQ(good.elements_checked, 5000u);
  EXPECT_EQ(good.max_abs_error, 0.0);

  values[1234] += 0.5;
  const verification_result bad = check_triad_output(dtype::fp32, indices, values);
  EXPECT_FALSE(bad.passed);
  EXPECT_DOUBLE_EQ(bad.max_abs_error, 0.5);
  EXPECT_NE(bad.detail.find("a[1234]"), std::string::npos) << bad.detail;

  const verification_result zeros =
      check_triad_output(dtype::fp64, indices, std::vector<double>(indices.size(), 0.0));
  EXPECT_FALSE(zeros.passed);
}

// ------------------------------------------------------------------------------------ mixed

TEST(KernelMixed, ElementsMatchHandComputedValues) {
  EXPECT_EQ(kernels::mixed_element(0.75f, 0), 0.75f);
  EXPECT_EQ(kernels::mixed_element(0.0f, 1), 0.0009765625f);
  EXPECT_EQ(kernels::mixed_element(-1.0f, 1), -0.998046875f);
  EXPECT_EQ(kernels::mixed_element(1.0f, 1000), 1.0f); // 1 is the fixed point
  EXPECT_EQ(kernels::mixed_element(0.5f, 2),
            std::fmaf(std::fmaf(0.5f, 0.9990234375f, 0.0009765625f), 0.9990234375f, 0.0009765625f));
}

TEST(KernelMixed, LongChainsStayBoundedAndConverge) {
  for (const float start : {-1.0f, -0.5f, 0.5f, 1.0f, 1000.0f}) {
    const float value = kernels::mixed_element(start, 200000);
    ASSERT_TRUE(std::isfinite(value)) << start;
    EXPECT_LE(std::fabs(value), std::max(std::fabs(start), 1.0f)) << start;
    EXPECT_NEAR(value, 1.0f, 1e-3f) << start;
  }
}

TEST(KernelMixed, IntensityAndChainLength) {
  EXPECT_DOUBLE_EQ(kernels::mixed_intensity(1), 0.25);
  EXPECT_DOUBLE_EQ(kernels::mixed_intensity(64), 16.0);
  EXPECT_EQ(mixed_fma_for_intensity(16.0), 64);
  EXPECT_EQ(mixed_fma_for_intensity(2.5), 10);
  EXPECT_EQ(mixed_fma_for_intensity(0.1), 1); // rounds to 0, at least 1
  EXPECT_EQ(mixed_fma_for_intensity(0.0), 1);
  EXPECT_DOUBLE_EQ(kernels::mixed_intensity(mixed_fma_for_intensity(8192.0)), 8192.0);
  EXPECT_THROW(static_cast<void>(mixed_fma_for_intensity(-1.0)), usage_error);
  EXPECT_THROW(static_cast<void>(mixed_fma_for_intensity(std::nan(""))), usage_error);
  EXPECT_THROW(static_cast<void>(mixed_fma_for_intensity(1e9)), usage_error);
}

TEST(KernelMixed, OutputCheckIsBitExact) {
  const std::vector<std::uint64_t> indices = mixed_verify_indices(1 << 22, 64);
  EXPECT_EQ(indices.size(), 65536u);
  std::vector<double> values;
  for (const std::uint64_t i : indices) {
    values.push_back(kernels::mixed_element(kernels::pattern_value(i, mixed_seed), 64));
  }
  EXPECT_TRUE(check_mixed_output(64, indices, values).passed);
  values.back() = std::nextafter(static_cast<float>(values.back()), 2.0f); // one ulp off
  const verification_result bad = check_mixed_output(64, indices, values);
  EXPECT_FALSE(bad.passed);
  EXPECT_NE(bad.detail.find(std::to_string(indices.back())), std::string::npos) << bad.detail;
  // A long chain costs more per element, so fewer are sampled, but never fewer than 1024.
  EXPECT_EQ(mixed_verify_indices(1 << 22, 1 << 20).size(), 1024u);
  EXPECT_EQ(mixed_verify_indices(100, 64).size(), 100u);
}

// ------------------------------------------------------------------ fp16 / bf16 emulation

TEST(KernelPrecision, Fp16RoundsToNearestEvenAtKnownValues) {
  const auto bits = [](float value) { return kernels::float_to_fp16_bits(value); };
  EXPECT_EQ(bits(1.0f), 0x3c00);
  EXPECT_EQ(bits(-2.0f), 0xc000);
  EXPECT_EQ(bits(0.1f), 0x2e66);
  EXPECT_EQ(bits(-0.0f), 0x8000);
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties go to the even neighbour, 1.
  EXPECT_EQ(kernels::round_to_fp16(1.0f + std::ldexp(1.0f, -11)), 1.0f);
  // 1 + 3*2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even).
  EXPECT_EQ(kernels::round_to_fp16(1.0f + 3.0f * std::ldexp(1.0f, -11)),
            1.0f + std::ldexp(1.0f, -9));
  // Just above the tie rounds up.
  EXPECT_EQ(kernels::round_to_fp16(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)),
            1.0f + std::ldexp(1.0f, -10));
}

TEST(KernelPrecision, Fp16RangeLimits) {
  EXPECT_EQ(kernels::float_to_fp16_bits(65504.0f), 0x7bff);
  EXPECT_EQ(kernels::round_to_fp16(65519.0f), 65504.0f);
  EXPECT_EQ(kernels::float_to_fp16_bits(65520.0f), 0x7c00); // the tie rounds to even: inf
  EXPECT_EQ(kernels::float_to_fp16_bits(-65520.0f), 0xfc00);
  EXPECT_EQ(kernels::float_to_fp16_bits(1e10f), 0x7c00);
  EXPECT_EQ(kernels::float_to_fp16_bits(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_TRUE(std::isnan(kernels::round_to_fp16(std::nanf(""))));
  EXPECT_EQ(kernels::fp16_bits_to_float(0x7bff), 65504.0f);
  EXPECT_TRUE(std::isinf(kernels::fp16_bits_to_float(0x7c00)));
}

TEST(KernelPrecision, Fp16Subnormals) {
  const float unit = std::ldexp(1.0f, -24); // smallest fp16 subnormal
  EXPECT_EQ(kernels::float_to_fp16_bits(unit), 0x0001);
  EXPECT_EQ(kernels::fp16_bits_to_float(0x0001), unit);
  EXPECT_EQ(kernels::fp16_bits_to_float(0x03ff), 1023.0f * unit);
  EXPECT_EQ(kernels::float_to_fp16_bits(std::ldexp(1.0f, -14)), 0x0400); // smallest normal
  EXPECT_EQ(kernels::round_to_fp16(0.5f * unit), 0.0f);                  // tie: even is 0
  EXPECT_EQ(kernels::round_to_fp16(0.75f * unit), unit);
  EXPECT_EQ(kernels::round_to_fp16(1.5f * unit), 2.0f * unit); // tie between 1 and 2 units
  EXPECT_EQ(kernels::round_to_fp16(2.5f * unit), 2.0f * unit); // tie between 2 and 3 units
  EXPECT_EQ(kernels::round_to_fp16(1023.5f * unit), std::ldexp(1.0f, -14)); // into normals
  EXPECT_EQ(kernels::round_to_fp16(std::ldexp(1.0f, -30)), 0.0f);
  EXPECT_EQ(kernels::float_to_fp16_bits(-unit), 0x8001);
}

TEST(KernelPrecision, Fp16EveryValueRoundTripsAndMidpointsGoToEven) {
  for (std::uint32_t h = 0; h < 0x7c00; ++h) {
    const auto bits = static_cast<std::uint16_t>(h);
    const float value = kernels::fp16_bits_to_float(bits);
    ASSERT_EQ(kernels::float_to_fp16_bits(value), bits) << h;
    ASSERT_EQ(kernels::float_to_fp16_bits(-value), bits | 0x8000u) << h;
    if (h + 1 < 0x7c00) {
      const float next = kernels::fp16_bits_to_float(static_cast<std::uint16_t>(h + 1));
      const float middle = 0.5f * (value + next); // exact: fp16 has far fewer bits than float
      const std::uint16_t even = (h % 2 == 0) ? bits : static_cast<std::uint16_t>(h + 1);
      ASSERT_EQ(kernels::float_to_fp16_bits(middle), even) << h;
      ASSERT_EQ(kernels::float_to_fp16_bits(std::nextafter(middle, 0.0f)), bits) << h;
      ASSERT_EQ(kernels::float_to_fp16_bits(std::nextafter(middle, 1e30f)), h + 1) << h;
    }
  }
}

TEST(KernelPrecision, Bf16RoundsToNearestEvenAtKnownValues) {
  EXPECT_EQ(kernels::float_to_bf16_bits(1.0f), 0x3f80);
  EXPECT_EQ(kernels::float_to_bf16_bits(3.14159265f), 0x4049);
  EXPECT_EQ(kernels::float_to_bf16_bits(-0.0f), 0x8000);
  // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: to even, 1.
  EXPECT_EQ(kernels::round_to_bf16(1.0f + std::ldexp(1.0f, -8)), 1.0f);
  // 1 + 3*2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even).
  EXPECT_EQ(kernels::round_to_bf16(1.0f + 3.0f * std::ldexp(1.0f, -8)),
            1.0f + std::ldexp(1.0f, -6));
  EXPECT_EQ(kernels::round_to_bf16(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)),
            1.0f + std::ldexp(1.0f, -7));
  EXPECT_EQ(kernels::float_to_bf16_bits(FLT_MAX), 0x7f80); // rounds past the largest bf16
  EXPECT_EQ(kernels::bf16_bits_to_float(0x7f7f), std::ldexp(255.0f, 120));
  EXPECT_TRUE(std::isnan(kernels::round_to_bf16(std::nanf(""))));
  // Subnormals: the smallest bf16 subnormal is 2^-133; half of it is a tie that goes to 0.
  EXPECT_EQ(kernels::round_to_bf16(std::ldexp(1.0f, -133)), std::ldexp(1.0f, -133));
  EXPECT_EQ(kernels::round_to_bf16(std::ldexp(1.0f, -134)), 0.0f);
  EXPECT_EQ(kernels::round_to_bf16(std::ldexp(1.5f, -134)), std::ldexp(1.0f, -133));
}

TEST(KernelPrecision, Bf16EveryValueRoundTripsAndMidpointsGoToEven) {
  for (std::uint32_t h = 0; h < 0x7f80; ++h) {
    const auto bits = static_cast<std::uint16_t>(h);
    const float value = kernels::bf16_bits_to_float(bits);
    ASSERT_EQ(kernels::float_to_bf16_bits(value), bits) << h;
    if (h + 1 < 0x7f80) {
      const float middle = kernels::float_from_bits((h << 16) | 0x8000u);
      const std::uint16_t even = (h % 2 == 0) ? bits : static_cast<std::uint16_t>(h + 1);
      ASSERT_EQ(kernels::float_to_bf16_bits(middle), even) << h;
      ASSERT_EQ(kernels::float_to_bf16_bits(kernels::float_from_bits((h << 16) | 0x7fffu)), bits)
          << h;
      ASSERT_EQ(kernels::float_to_bf16_bits(kernels::float_from_bits((h << 16) | 0x8001u)), h + 1)
          << h;
    }
  }
}

TEST(KernelPrecision, StorageRoundingAndUlps) {
  const float value = 1.0f + std::ldexp(1.0f, -15);
  EXPECT_EQ(kernels::round_to_storage(value, dtype::fp32), value);
  EXPECT_EQ(kernels::round_to_storage(value, dtype::fp16), 1.0f);
  EXPECT_EQ(kernels::round_to_storage(value, dtype::bf16), 1.0f);
  EXPECT_EQ(kernels::ulp_of(1.0, dtype::fp16), std::ldexp(1.0, -10));
  EXPECT_EQ(kernels::ulp_of(1.0, dtype::bf16), std::ldexp(1.0, -7));
  EXPECT_EQ(kernels::ulp_of(1.0, dtype::fp32), std::ldexp(1.0, -23));
  EXPECT_EQ(kernels::ulp_of(-3.0, dtype::fp32), std::ldexp(1.0, -22));
  EXPECT_EQ(kernels::ulp_of(1000.0, dtype::fp16), 0.5);
  EXPECT_EQ(kernels::ulp_of(0.0, dtype::fp16), std::ldexp(1.0, -24));
  EXPECT_EQ(kernels::ulp_of(1e-30, dtype::fp16), std::ldexp(1.0, -24));
}

// ------------------------------------------------------------------------------------- gemm

TEST(KernelGemm, ReferenceElementMatchesANaiveTripleLoop) {
  for (const dtype type : {dtype::fp32, dtype::fp16}) {
    const kernels::gemm_problem problem = kernels::make_gemm_problem(type, 3, 4, 5);
    // A and B straight from the documented layout, not through gemm_a_value/gemm_b_value.
    std::vector<double> a(3 * 5);
    std::vector<double> b(5 * 4);
    for (std::size_t i = 0; i < a.size(); ++i) {
      a[i] = kernels::pattern_value(i, problem.seed_a, problem.scale_a);
    }
    for (std::size_t i = 0; i < b.size(); ++i) {
      b[i] = kernels::pattern_value(i, problem.seed_b, problem.scale_b);
    }
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 4; ++j) {
        double expected = 0.0;
        for (int k = 0; k < 5; ++k) {
          expected += a[i + k * 3] * b[k + j * 5];
        }
        EXPECT_EQ(kernels::gemm_reference_element(problem, i, j), expected) << i << "," << j;
      }
    }
  }
}

TEST(KernelGemm, ScalesKeepOutputsInsideFp16Range) {
  for (const int k : {1, 16, 1024, 1025, 4096, 65536, 1 << 20}) {
    const kernels::gemm_problem problem = kernels::make_gemm_problem(dtype::fp16, 8, 8, k);
    EXPECT_TRUE(kernels::is_power_of_two(problem.scale_a)) << k;
    EXPECT_TRUE(kernels::is_power_of_two(problem.scale_b)) << k;
    const double largest = k * static_cast<double>(problem.scale_a) * problem.scale_b;
    EXPECT_LE(largest, kernels::gemm_max_abs_output) << k;
    if (k <= 1024) {
      EXPECT_EQ(problem.scale_a * problem.scale_b, 1.0f) << k; // no scaling where none is needed
    } else {
      EXPECT_GT(largest, kernels::gemm_max_abs_output / 2.0) << k; // and no more than needed
    }
    // The smallest input magnitude is still a normal fp16 number, so inputs stay exact.
    EXPECT_GE(0.5 * std::min(problem.scale_a, problem.scale_b), std::ldexp(1.0, -14)) << k;
  }
  EXPECT_EQ(kernels::make_gemm_problem(dtype::bf16, 8, 8, 4096).scale_a *
                kernels::make_gemm_problem(dtype::bf16, 8, 8, 4096).scale_b,
            0.25f);
  EXPECT_THROW(static_cast<void>(kernels::make_gemm_problem(dtype::fp64, 8, 8, 8)), usage_error);
  EXPECT_THROW(static_cast<void>(kernels::make_gemm_problem(dtype::fp16, 0, 8, 8)), usage_error);
}

TEST(KernelGemm, ToleranceRule) {
  const kernels::gemm_problem fp32 = kernels::make_gemm_problem(dtype::fp32, 64, 64, 64);
  EXPECT_EQ(kernels::gemm_tolerance(fp32, 1.0), 4.0 * std::ldexp(1.0, -23));
  EXPECT_EQ(kernels::gemm_tolerance(fp32, 0.0), 4.0 * std::ldexp(1.0, -23)); // one product
  const kernels::gemm_problem tf32 = kernels::make_gemm_problem(dtype::tf32, 64, 64, 64);
  EXPECT_EQ(kernels::gemm_tolerance(tf32, 8.0), 4.0 * std::ldexp(1.0, -20));
  const kernels::gemm_problem fp16 = kernels::make_gemm_problem(dtype::fp16, 64, 64, 64);
  EXPECT_EQ(kernels::gemm_tolerance(fp16, 1.0), std::ldexp(1.0, -10) + 4.0 * std::ldexp(1.0, -17));
  const kernels::gemm_problem bf16 = kernels::make_gemm_problem(dtype::bf16, 64, 64, 64);
  EXPECT_EQ(kernels::gemm_tolerance(bf16, 100.0), 0.5 + 4.0 * std::ldexp(1.0, -17));

  // One rounding to the output type is always accepted; an error of two output ulps never.
  for (const kernels::gemm_problem& problem : {fp16, bf16}) {
    for (const double reference : {0.0, 0.3125, 1.0 + 1.0 / 1024.0, 17.375, 63.5, -41.25}) {
      const double tolerance = kernels::gemm_tolerance(problem, reference);
      const double rounded = kernels::round_to_storage(static_cast<float>(reference), problem.type);
      EXPECT_LE(std::fabs(rounded - reference), tolerance) << reference;
      if (std::fabs(reference) >= 0.25) { // below that the fixed accumulation slack dominates
        EXPECT_GT(2.0 * kernels::ulp_of(reference, problem.type), tolerance) << reference;
      }
    }
  }
}

TEST(KernelGemm, OutputCheckPassesOnReferenceAndFailsOnZerosOrOneBadEntry) {
  const kernels::gemm_problem problem = kernels::make_gemm_problem(dtype::fp16, 12, 10, 33);
  const std::vector<std::uint64_t> indices = gemm_verify_indices(problem);
  ASSERT_EQ(indices.size(), 120u); // smaller than the sample: everything is checked
  std::vector<double> values;
  for (const std::uint64_t index : indices) {
    values.push_back(kernels::round_to_fp16(static_cast<float>(kernels::gemm_reference_element(
        problem, static_cast<int>(index % 12), static_cast<int>(index / 12)))));
  }
  const verification_result good = check_gemm_output(problem, indices, values);
  EXPECT_TRUE(good.passed) << good.detail;
  EXPECT_EQ(good.elements_checked, 120u);
  EXPECT_GT(good.tolerance, 0.0);

  std::vector<double> corrupted = values;
  corrupted[12 * 7 + 5] += 0.25; // row 5, col 7
  const verification_result bad = check_gemm_output(problem, indices, corrupted);
  EXPECT_FALSE(bad.passed);
  EXPECT_NE(bad.detail.find("C[row 5, col 7]"), std::string::npos) << bad.detail;
  EXPECT_NE(bad.detail.find("expected"), std::string::npos) << bad.detail;

  EXPECT_FALSE(
      check_gemm_output(problem, indices, std::vector<double>(indices.size(), 0.0)).passed);
  EXPECT_FALSE(check_gemm_output(problem, indices, {}).passed); // nothing came back
}

TEST(KernelGemm, LargeMatricesAreSampled) {
  const kernels::gemm_problem problem = kernels::make_gemm_problem(dtype::bf16, 4096, 4096, 16);
  const std::vector<std::uint64_t> indices = gemm_verify_indices(problem);
  EXPECT_EQ(indices.size(), gemm_verify_samples);
  EXPECT_EQ(indices.front(), 0u);
  EXPECT_EQ(indices.back(), 4096u * 4096u - 1);
}

TEST(KernelGemm, Bf16AndTf32NeedAmpere) {
  EXPECT_EQ(kernels::gemm_min_compute_capability(dtype::bf16), 80);
  EXPECT_EQ(kernels::gemm_min_compute_capability(dtype::tf32), 80);
  EXPECT_LT(kernels::gemm_min_compute_capability(dtype::fp16), 75); // T4 runs fp16
  EXPECT_LT(kernels::gemm_min_compute_capability(dtype::fp32), 75);
}

// ------------------------------------------------------------------------------------ infer

// The chain written out naively from the documented layout, independent of infer_reference.
std::vector<float> naive_infer(const kernels::infer_problem& p, double& max_abs) {
  const int h = p.hidden;
  std::vector<std::vector<double>> x(static_cast<std::size_t>(p.batch),
                                     std::vector<double>(static_cast<std::size_t>(h)));
  for (int j = 0; j < p.batch; ++j) {
    for (int i = 0; i < h; ++i) {
      x[j][i] = kernels::pattern_value(static_cast<std::uint64_t>(i + j * h), p.seed_input);
    }
  }
  const auto round = [&p](double value) {
    const auto f = static_cast<float>(value);
    if (p.type == dtype::fp16) {
      return kernels::fp16_bits_to_float(kernels::float_to_fp16_bits(f));
    }
    if (p.type == dtype::bf16) {
      return kernels::bf16_bits_to_float(kernels::float_to_bf16_bits(f));
    }
    return f;
  };
  max_abs = 0.0;
  for (int l = 0; l < p.layers; ++l) {
    std::vector<std::vector<double>> next = x;
    for (int j = 0; j < p.batch; ++j) {
      for (int i = 0; i < h; ++i) {
        double sum = 0.0;
        for (int k = 0; k < h; ++k) {
          const auto w_index = static_cast<std::uint64_t>(l * h * h + i + k * h);
          sum += kernels::pattern_value(w_index, p.seed_weights, p.weight_scale) * x[j][k];
        }
        const float y = round(sum);
        const float bias =
            kernels::pattern_value(static_cast<std::uint64_t>(l * h + i), p.seed_bias);
        const float out = round(std::max(y + bias, 0.0f));
        max_abs = std::max({max_abs, std::fabs(static_cast<double>(y)), static_cast<double>(out)});
        next[j][i] = out;
      }
    }
    x = next;
  }
  std::vector<float> flat;
  for (int j = 0; j < p.batch; ++j) {
    for (int i = 0; i < h; ++i) {
      flat.push_back(static_cast<float>(x[j][i]));
    }
  }
  return flat;
}

TEST(KernelInfer, HostChainMatchesANaiveComputation) {
  for (const dtype type : {dtype::fp16, dtype::bf16, dtype::fp32}) {
    const kernels::infer_problem problem = kernels::make_infer_problem(type, 2, 8, 2);
    EXPECT_EQ(problem.weight_scale, 0.25f);
    double naive_max = 0.0;
    const std::vector<float> expected = naive_infer(problem, naive_max);
    const kernels::infer_reference_result reference = kernels::infer_reference(problem);
    ASSERT_EQ(reference.output.size(), 16u);
    EXPECT_EQ(reference.columns, 2);
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(reference.output[i], expected[i]) << kernels::dtype_name(type) << " " << i;
    }
    EXPECT_EQ(reference.max_abs_activation, naive_max);
    EXPECT_GT(*std::max_element(expected.begin(), expected.end()), 0.0f); // not all ReLU'd
  }
}

TEST(KernelInfer, ColumnsAreIndependentRequests) {
  const kernels::infer_problem problem = kernels::make_infer_problem(dtype::bf16, 5, 16, 3);
  const kernels::infer_reference_result all = kernels::infer_reference(problem);
  const kernels::infer_reference_result first_two = kernels::infer_reference(problem, 2);
  ASSERT_EQ(first_two.output.size(), 32u);
  for (std::size_t i = 0; i < first_two.output.size(); ++i) {
    EXPECT_EQ(first_two.output[i], all.output[i]) << i;
  }
}

TEST(KernelInfer, ActivationsStayOrderOneAcrossManyLayers) {
  for (const int hidden : {64, 100, 512}) {
    const kernels::infer_problem problem = kernels::make_infer_problem(dtype::fp16, 4, hidden, 24);
    EXPECT_LE(static_cast<double>(problem.weight_scale) * problem.weight_scale * hidden, 1.0);
    const kernels::infer_reference_result reference = kernels::infer_reference(problem);
    EXPECT_LT(reference.max_abs_activation, 16.0) << hidden;
    const float largest = *std::max_element(reference.output.begin(), reference.output.end());
    EXPECT_GT(largest, 0.25f) << hidden; // the signal neither vanished nor was ReLU'd away
  }
}

TEST(KernelInfer, BiasReluAndCounts) {
  EXPECT_EQ(kernels::bias_relu(0.5f, -1.0f), 0.0f);
  EXPECT_EQ(kernels::bias_relu(0.5f, 0.25f), 0.75f);
  EXPECT_TRUE(std::isnan(kernels::bias_relu(std::nanf(""), 1.0f))); // not hidden by the ReLU
  const kernels::infer_problem problem = kernels::make_infer_problem(dtype::fp16, 8, 1024, 4);
  EXPECT_EQ(kernels::infer_weight_elements(problem), 4u * 1024u * 1024u);
  EXPECT_EQ(kernels::infer_bias_elements(problem), 4u * 1024u);
  EXPECT_EQ(kernels::infer_activation_elements(problem), 8u * 1024u);
  EXPECT_DOUBLE_EQ(kernels::infer_flops(problem), 4.0 * (2.0 * 1024 * 1024 * 8 + 1024 * 8));
  EXPECT_DOUBLE_EQ(kernels::infer_bytes(problem),
                   4.0 * (1024.0 * 1024 + 2 * 1024 * 8 + 2 * 1024 * 8 + 1024) * 2);
  EXPECT_THROW(static_cast<void>(kernels::make_infer_problem(dtype::tf32, 1, 8, 1)), usage_error);
  EXPECT_THROW(static_cast<void>(kernels::make_infer_problem(dtype::fp16, 0, 8, 1)), usage_error);
}

TEST(KernelInfer, ToleranceIsSmallAgainstOrderOneActivations) {
  const kernels::infer_problem fp16 = kernels::make_infer_problem(dtype::fp16, 8, 1024, 4);
  EXPECT_LT(kernels::infer_tolerance(fp16, 2.0), 0.05);
  EXPECT_GE(kernels::infer_tolerance(fp16, 2.0), 4 * 2 * kernels::ulp_of(2.0, dtype::fp16));
  const kernels::infer_problem fp32 = kernels::make_infer_problem(dtype::fp32, 8, 1024, 4);
  EXPECT_LT(kernels::infer_tolerance(fp32, 2.0), 1e-3);
}

TEST(KernelInfer, OutputCheckPassesOnReferenceAndFailsOnZeros) {
  const kernels::infer_problem problem = kernels::make_infer_problem(dtype::fp16, 3, 32, 3);
  const std::vector<std::uint64_t> indices = infer_verify_indices(problem);
  ASSERT_EQ(indices.size(), 96u);
  const kernels::infer_reference_result reference = kernels::infer_reference(problem);
  std::vector<double> values(reference.output.begin(), reference.output.end());
  const verification_result good = check_infer_output(problem, indices, values);
  EXPECT_TRUE(good.passed) << good.detail;
  EXPECT_EQ(good.elements_checked, 96u);
  const verification_result zeros =
      check_infer_output(problem, indices, std::vector<double>(values.size(), 0.0));
  EXPECT_FALSE(zeros.passed);
  EXPECT_NE(zeros.detail.find("output[row"), std::string::npos) << zeros.detail;
}

TEST(KernelInfer, DefaultSizesVerifyEveryLayerAndColumn) {
  const kernels::infer_problem problem = kernels::make_infer_problem(dtype::fp16, 8, 1024, 4);
  const kernels::infer_problem checked = infer_verification_problem(problem);
  EXPECT_EQ(checked.layers, 4);
  EXPECT_EQ(infer_verify_indices(checked).size(), 8u * 1024u);
}

TEST(KernelInfer, HugeModelsVerifyALeadingSubsetOfLayersAndColumns) {
  const kernels::infer_problem problem = kernels::make_infer_problem(dtype::fp16, 32, 16384, 64);
  const kernels::infer_problem checked = infer_verification_problem(problem);
  EXPECT_EQ(checked.layers, 1); // 16384^2 weights already take half the budget
  EXPECT_EQ(checked.hidden, problem.hidden);
  EXPECT_EQ(checked.batch, problem.batch);
  const std::vector<std::uint64_t> indices = infer_verify_indices(checked);
  EXPECT_EQ(indices.size(), 16384u); // one column
  EXPECT_EQ(indices.back(), 16383u);
  // The host work stays within the budget wherever the catalog allows, except where one layer
  // and one column alone exceed it (hidden = 16384: twice the budget, the least that checks
  // anything).
  for (const int hidden : {64, 1024, 4096, 8192, 16384}) {
    const kernels::infer_problem part =
        infer_verification_problem(kernels::make_infer_problem(dtype::bf16, 32, hidden, 64));
    const double columns = static_cast<double>(infer_verify_indices(part).size()) / hidden;
    const double work = part.layers * double(hidden) * hidden * (1.0 + columns);
    const double least = 2.0 * hidden * hidden;
    EXPECT_LE(work, std::max(infer_verify_work_budget, least)) << "hidden " << hidden;
  }
}

TEST(KernelInfer, ALayerPrefixIsTheSameComputationAsTheFullChain) {
  // verify() runs the first layers on the full problem's buffers: that is only the same
  // computation if a layer's weights, bias and scale do not depend on the layer count.
  const kernels::infer_problem full = kernels::make_infer_problem(dtype::fp16, 2, 16, 3);
  kernels::infer_problem prefix = full;
  prefix.layers = 2;
  const kernels::infer_problem fresh = kernels::make_infer_problem(dtype::fp16, 2, 16, 2);
  EXPECT_EQ(prefix.weight_scale, fresh.weight_scale);
  EXPECT_EQ(prefix.seed_weights, fresh.seed_weights);
  EXPECT_EQ(prefix.seed_bias, fresh.seed_bias);
  EXPECT_EQ(prefix.seed_input, fresh.seed_input);
  for (int layer = 0; layer < prefix.layers; ++layer) {
    for (int row = 0; row < prefix.hidden; ++row) {
      ASSERT_EQ(kernels::infer_bias_value(prefix, layer, row),
                kernels::infer_bias_value(full, layer, row));
      for (int col = 0; col < prefix.hidden; ++col) {
        ASSERT_EQ(kernels::infer_weight_value(prefix, layer, row, col),
                  kernels::infer_weight_value(full, layer, row, col));
      }
    }
  }
  double max_abs = 0;
  EXPECT_EQ(kernels::infer_reference(prefix).output, naive_infer(prefix, max_abs));
  EXPECT_NE(kernels::infer_reference(prefix).output, kernels::infer_reference(full).output);
}

// ------------------------------------------------------------------------------------- spin

TEST(KernelSpin, SatisfiedOnlyWhenElapsedReachesTheRequest) {
  EXPECT_TRUE(kernels::spin_satisfied(100, 1100, 1000));
  EXPECT_TRUE(kernels::spin_satisfied(100, 5000, 1000));
  EXPECT_FALSE(kernels::spin_satisfied(100, 1099, 1000));
  EXPECT_TRUE(kernels::spin_satisfied(5, 5, 0));
  EXPECT_FALSE(kernels::spin_satisfied(200, 100, 0)); // a timer that went backwards
  EXPECT_FALSE(kernels::spin_satisfied(0, 0, 1));     // never ran
}

TEST(KernelSpin, TimesCheckNamesTheFirstShortBlock) {
  const verification_result good = check_spin_times({0, 1000, 50, 2050, 10, 1500}, 1000);
  EXPECT_TRUE(good.checked);
  EXPECT_TRUE(good.passed) << good.detail;
  EXPECT_EQ(good.elements_checked, 3u);
  EXPECT_EQ(good.max_abs_error, 0.0);

  const verification_result bad = check_spin_times({0, 1000, 50, 550, 10, 1500}, 1000);
  EXPECT_FALSE(bad.passed);
  EXPECT_DOUBLE_EQ(bad.max_abs_error, 0.5); // 500 ns short, in microseconds
  EXPECT_NE(bad.detail.find("block 1"), std::string::npos) << bad.detail;

  EXPECT_FALSE(check_spin_times({0, 0, 0, 0}, 1000).passed); // buffer never written
  EXPECT_FALSE(check_spin_times({1, 2, 3}, 1).passed);
  EXPECT_FALSE(check_spin_times({}, 1).passed);
}

// Runs the kernel's segment tracker (the same GPUSHARE_HD functions block 0 runs) over a
// series of timer readings, as one kernel launch, into a host buffer of `capacity` segments.
std::vector<std::uint64_t> track_readings(const std::vector<std::uint64_t>& readings,
                                          std::uint64_t gap_ns, std::uint64_t capacity,
                                          std::vector<std::uint64_t> trace = {}) {
  if (trace.empty()) {
    trace.assign(kernels::spin_trace_words(capacity), 0);
  }
  kernels::run_segment_tracker tracker = kernels::start_run_segments(readings.front());
  for (std::size_t i = 1; i < readings.size(); ++i) {
    kernels::track_run_segment(tracker, readings[i], gap_ns, trace.data(), capacity);
  }
  kernels::finish_run_segments(tracker, trace.data(), capacity);
  return trace;
}

// An independent statement of the rule: split the readings wherever one is more than gap_ns
// after the previous one; each piece runs from its first to its last reading.
std::vector<run_segment> reference_segments(const std::vector<std::uint64_t>& readings,
                                            std::uint64_t gap_ns) {
  std::vector<run_segment> pieces;
  run_segment current{readings.front(), readings.front(), false, false};
  for (std::size_t i = 1; i < readings.size(); ++i) {
    if (readings[i] - current.end_ns > gap_ns) {
      current.before_gap = true;
      pieces.push_back(current);
      current = run_segment{readings[i], readings[i], true, false};
    } else {
      current.end_ns = readings[i];
    }
  }
  pieces.push_back(current);
  return pieces;
}

void expect_same_segments(const std::vector<run_segment>& got,
                          const std::vector<run_segment>& expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].start_ns, expected[i].start_ns) << i;
    EXPECT_EQ(got[i].end_ns, expected[i].end_ns) << i;
    EXPECT_EQ(got[i].after_gap, expected[i].after_gap) << i;
    EXPECT_EQ(got[i].before_gap, expected[i].before_gap) << i;
  }
}

TEST(KernelSpinTrace, SegmentsSplitAtJumpsOverTheThreshold) {
  // Readings 1 us apart, with a 40 us and a 6 us jump; a jump of exactly 5 us is no gap.
  const std::vector<std::uint64_t> readings = {1000,  2000,  3000,  43000, 44000,
                                               49000, 55000, 56000, 57000};
  const std::vector<std::uint64_t> words = track_readings(readings, 5000, 16);
  const run_segment_trace trace = decode_run_segments(words, 5000);
  EXPECT_EQ(trace.gap_threshold_ns, 5000u);
  EXPECT_EQ(trace.dropped, 0u);
  expect_same_segments(
      trace.segments,
      {{1000, 3000, false, true}, {43000, 49000, true, true}, {55000, 57000, true, false}});
  EXPECT_EQ(run_segments_problem(trace, 1000, 57000), "");
}

TEST(KernelSpinTrace, MatchesTheReferenceOnRandomSeries) {
  std::mt19937_64 rng(2024);
  for (int series = 0; series < 200; ++series) {
    std::vector<std::uint64_t> readings = {1'000'000 + rng() % 1000};
    const std::size_t count = 1 + rng() % 300;
    for (std::size_t i = 1; i < count; ++i) {
      // Mostly small steps (a timer updated every 32 ns to 1 us), now and then a switch.
      const std::uint64_t step = rng() % 10 == 0 ? 5'000 + rng() % 3'000'000 : rng() % 2'000;
      readings.push_back(readings.back() + step);
    }
    const std::uint64_t gap_ns = 1'000 + rng() % 10'000;
    const run_segment_trace trace =
        decode_run_segments(track_readings(readings, gap_ns, 400), gap_ns);
    expect_same_segments(trace.segments, reference_segments(readings, gap_ns));
    EXPECT_EQ(run_segments_problem(trace, readings.front(), readings.back()), "") << series;
  }
}

TEST(KernelSpinTrace, AccumulatesOverLaunchesAndCountsWhatDoesNotFit) {
  // Two kernels of three segments each into room for four: the last two are dropped.
  const std::vector<std::uint64_t> kernel = {0, 1000, 20000, 21000, 40000};
  std::vector<std::uint64_t> words = track_readings(kernel, 5000, 4);
  std::vector<std::uint64_t> later = kernel;
  for (std::uint64_t& reading : later) {
    reading += 100'000;
  }
  words = track_readings(later, 5000, 4, words);
  const run_segment_trace trace = decode_run_segments(words, 5000);
  EXPECT_EQ(trace.dropped, 2u);
  expect_same_segments(trace.segments, {{0, 1000, false, true},
                                        {20000, 21000, true, true},
                                        {40000, 40000, true, false},
                                        {100000, 101000, false, true}});
}

TEST(KernelSpinTrace, ABackwardReadingNeverEndsASegmentBeforeItStarts) {
  const std::vector<std::uint64_t> readings = {1000, 2000, 30000, 29000, 31000};
  const run_segment_trace trace = decode_run_segments(track_readings(readings, 5000, 8), 5000);
  expect_same_segments(trace.segments, {{1000, 2000, false, true}, {30000, 31000, true, false}});
}

TEST(KernelSpinTrace, ProblemsOfOneKernelsSegmentsAreNamed) {
  run_segment_trace trace;
  trace.gap_threshold_ns = 5000;
  EXPECT_EQ(run_segments_problem(trace, 0, 100), "none recorded");
  trace.segments = {{0, 100, false, false}};
  EXPECT_EQ(run_segments_problem(trace, 0, 100), "");
  EXPECT_NE(run_segments_problem(trace, 0, 200).find("the last ends at 100 ns"), std::string::npos);
  EXPECT_NE(run_segments_problem(trace, 10, 100).find("the first starts at 0 ns"),
            std::string::npos);
  // With segments dropped, the last one kept need not reach the kernel's end.
  trace.dropped = 1;
  EXPECT_EQ(run_segments_problem(trace, 0, 200), "");
  EXPECT_NE(run_segments_problem(trace, 10, 200).find("the first starts at 0 ns"),
            std::string::npos);
  trace.dropped = 0;
  // Two segments 3 us apart: no gap at a 5 us threshold, so one kernel cannot have made them.
  trace.segments = {{0, 100, false, true}, {3100, 9000, true, false}};
  EXPECT_NE(run_segments_problem(trace, 0, 9000).find("not over the 5000 ns threshold"),
            std::string::npos);
  trace.segments = {{0, 100, false, false}, {30100, 90000, true, false}};
  EXPECT_NE(run_segments_problem(trace, 0, 90000).find("not separated by a gap"),
            std::string::npos);
}

TEST(KernelSpinTrace, DecodeRejectsACounterBeyondTheBuffer) {
  EXPECT_THROW((void)decode_run_segments({3, 0, 1, 2, 0}, 5000), std::runtime_error);
  EXPECT_THROW((void)decode_run_segments({0}, 5000), std::runtime_error);
  EXPECT_TRUE(decode_run_segments({0, 7}, 5000).segments.empty());
  EXPECT_EQ(decode_run_segments({0, 7}, 5000).dropped, 7u);
}

// ----------------------------------------------------------------------- verification helpers

TEST(KernelOutputCheck, NanIsAMismatchAndTheLargestToleranceIsReported) {
  output_check check("x");
  check.compare(0, 1.0, 1.0, 0.5);
  check.compare(1, 2.0, 2.25, 1.0);
  EXPECT_TRUE(check.result("test").passed);
  EXPECT_EQ(check.result("test").tolerance, 1.0);
  EXPECT_DOUBLE_EQ(check.result("test").max_abs_error, 0.25);
  check.compare(2, 3.0, std::nan(""), 1e30);
  const verification_result result = check.result("test");
  EXPECT_FALSE(result.passed);
  EXPECT_TRUE(std::isinf(result.max_abs_error));
  EXPECT_NE(result.detail.find("x[2]"), std::string::npos) << result.detail;
  EXPECT_FALSE(output_check("empty").result("nothing").passed);
}

TEST(KernelSampleIndices, AllWhenSmallOtherwiseDeterministicSortedAndInRange) {
  EXPECT_EQ(sample_indices(5, 10), (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(sample_indices(0, 10).empty());
  const std::uint64_t total = std::uint64_t{1} << 36;
  const std::vector<std::uint64_t> sample = sample_indices(total, 1000);
  ASSERT_EQ(sample.size(), 1000u);
  EXPECT_EQ(sample, sample_indices(total, 1000));
  EXPECT_TRUE(std::is_sorted(sample.begin(), sample.end()));
  EXPECT_EQ(sample.front(), 0u);
  EXPECT_EQ(sample.back(), total - 1);
  EXPECT_GT(std::set<std::uint64_t>(sample.begin(), sample.end()).size(), 990u);
  // Spread over the whole range, including beyond 2^32.
  EXPECT_GT(std::count_if(sample.begin(), sample.end(),
                          [total](std::uint64_t i) { return i > total / 2; }),
            400);
}

TEST(KernelQuantityText, SiPrefixes) {
  EXPECT_EQ(format_flop(2.0 * 4096.0 * 4096.0 * 4096.0), "137.4 GFLOP");
  EXPECT_EQ(format_flop(512.0), "512 FLOP");
  EXPECT_EQ(format_bytes(805306368.0), "805.3 MB");
}

// ---------------------------------------------------- workload classes without a device

workload_spec make_spec(const std::string& name, std::map<std::string, std::string> params) {
  workload_spec spec;
  spec.name = name;
  spec.params = std::move(params);
  return spec;
}

TEST(KernelWorkloads, FlopsBytesAndDescriptionsNeedNoDevice) {
  const workload_context context;
  const gemm_workload gemm(
      make_spec("gemm", {{"m", "4096"}, {"n", "4096"}, {"k", "4096"}, {"dtype", "fp16"}}), context);
  EXPECT_DOUBLE_EQ(gemm.flops_per_iteration(), 2.0 * 4096.0 * 4096.0 * 4096.0);
  EXPECT_DOUBLE_EQ(gemm.bytes_per_iteration(), 3.0 * 4096.0 * 4096.0 * 2.0);
  EXPECT_EQ(gemm.description(), "cuBLAS GEMM fp16, m=n=k=4096 (137.4 GFLOP per iteration)");
  EXPECT_FALSE(gemm.host_only());

  const gemm_workload rect(
      make_spec("gemm", {{"m", "64"}, {"n", "32"}, {"k", "16"}, {"dtype", "tf32"}}), context);
  EXPECT_DOUBLE_EQ(rect.bytes_per_iteration(), (64.0 * 16 + 16 * 32 + 64 * 32) * 4.0);
  EXPECT_NE(rect.description().find("m=64, n=32, k=16"), std::string::npos);

  const triad_workload triad(make_spec("triad", {{"n", "1000"}, {"dtype", "fp64"}}), context);
  EXPECT_DOUBLE_EQ(triad.flops_per_iteration(), 2000.0);
  EXPECT_DOUBLE_EQ(triad.bytes_per_iteration(), 3.0 * 1000 * 8);

  const mixed_workload mixed(make_spec("mixed", {{"n", "1024"}, {"intensity", "16"}}), context);
  EXPECT_EQ(mixed.fma_per_element(), 64);
  EXPECT_DOUBLE_EQ(mixed.flops_per_iteration(), 2.0 * 64 * 1024);
  EXPECT_DOUBLE_EQ(mixed.bytes_per_iteration(), 8.0 * 1024);

  const spin_workload spin(make_spec("spin", {{"us", "250"}, {"blocks", "4"}, {"gap_us", "7"}}),
                           context);
  EXPECT_EQ(spin.flops_per_iteration(), 0.0);
  EXPECT_EQ(spin.bytes_per_iteration(), 0.0);
  EXPECT_NE(spin.description().find("250 us"), std::string::npos);
  EXPECT_NE(spin.description().find("gaps over 7 us"), std::string::npos);
  EXPECT_EQ(spin.gap_us(), 7u);

  const infer_workload infer(
      make_spec("infer", {{"batch", "8"}, {"hidden", "1024"}, {"layers", "4"}, {"dtype", "bf16"}}),
      context);
  EXPECT_DOUBLE_EQ(infer.flops_per_iteration(), kernels::infer_flops(infer.problem()));
  EXPECT_DOUBLE_EQ(infer.bytes_per_iteration(), kernels::infer_bytes(infer.problem()));
  EXPECT_EQ(infer.problem().type, dtype::bf16);
}

template <typename Workload> void construct(const workload_spec& spec) {
  const Workload workload(spec, workload_context{});
  static_cast<void>(workload.description());
}

TEST(KernelWorkloads, RejectValuesTheKernelsCannotTake) {
  const workload_spec gemm_fp64 =
      make_spec("gemm", {{"m", "8"}, {"n", "8"}, {"k", "8"}, {"dtype", "fp64"}});
  EXPECT_THROW(construct<gemm_workload>(gemm_fp64), usage_error);
  const workload_spec gemm_huge_k =
      make_spec("gemm", {{"m", "8"}, {"n", "8"}, {"k", "8589934592"}, {"dtype", "fp16"}});
  EXPECT_THROW(construct<gemm_workload>(gemm_huge_k), usage_error);
  const workload_spec triad_fp16 = make_spec("triad", {{"n", "16"}, {"dtype", "fp16"}});
  EXPECT_THROW(construct<triad_workload>(triad_fp16), usage_error);
  const workload_spec spin_no_blocks =
      make_spec("spin", {{"us", "10"}, {"blocks", "0"}, {"gap_us", "5"}});
  EXPECT_THROW(construct<spin_workload>(spin_no_blocks), usage_error);
  const workload_spec spin_no_gap =
      make_spec("spin", {{"us", "10"}, {"blocks", "1"}, {"gap_us", "0"}});
  EXPECT_THROW(construct<spin_workload>(spin_no_gap), usage_error);
  EXPECT_NO_THROW(construct<spin_workload>(
      make_spec("spin", {{"us", "10"}, {"blocks", "1"}, {"gap_us", "5"}})));
  const workload_spec infer_tf32 =
      make_spec("infer", {{"batch", "1"}, {"hidden", "8"}, {"layers", "1"}, {"dtype", "tf32"}});
  EXPECT_THROW(construct<infer_workload>(infer_tf32), usage_error);
  const workload_spec gemm_ok =
      make_spec("gemm", {{"m", "8"}, {"n", "8"}, {"k", "8"}, {"dtype", "bf16"}});
  EXPECT_NO_THROW(construct<gemm_workload>(gemm_ok));
}

} // namespace
} // namespace gpushare
