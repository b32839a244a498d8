// Device checks of the kernels and GPU workloads: every workload and dtype verifies against its
// host reference, deliberately corrupted inputs fail verification, and the spin kernel waits
// at least what was asked. Each test skips without a CUDA device.

#include "device_support.hpp"
#include "harness/measure.hpp"
#include "harness/workload_spec.hpp"
#include "harness/workloads/device_download.hpp"
#include "harness/workloads/gemm_workload.hpp"
#include "harness/workloads/infer_workload.hpp"
#include "harness/workloads/mixed_workload.hpp"
#include "harness/workloads/sample_indices.hpp"
#include "harness/workloads/spin_workload.hpp"
#include "harness/workloads/triad_workload.hpp"
#include "kernels/cublas_handle.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/device_buffer.hpp"
#include "kernels/gemm.hpp"
#include "kernels/gemm_reference.hpp"
#include "kernels/infer.hpp"
#include "kernels/mixed.hpp"
#include "kernels/pattern.hpp"
#include "kernels/precision.hpp"
#include "kernels/triad.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace gpushare {
namespace {

using kernels::dtype;

// Verifies once after setup, then again after a few timed iterations (which must not disturb
// what verify() compares).
void expect_verifies(workload& instance) {
  instance.setup();
  const verification_result first = instance.verify();
  EXPECT_TRUE(first.checked);
  EXPECT_TRUE(first.passed) << instance.description() << ": " << first.detail;
  EXPECT_GT(first.elements_checked, 0u);
  for (int i = 0; i < 3; ++i) {
    instance.run_iteration();
  }
  const verification_result again = instance.verify();
  EXPECT_TRUE(again.passed) << instance.description() << ": " << again.detail;
  std::printf("%s: %s\n", instance.description().c_str(), again.detail.c_str());
}

TEST(KernelDevice, PatternFillIsExactInEveryType) {
  GPUSHARE_REQUIRE_DEVICE();
  const kernels::cuda_stream stream = kernels::cuda_stream::create_non_blocking();
  const std::size_t n = 100003;
  const std::vector<std::uint64_t> indices = sample_indices(n, n);
  for (const dtype type : {dtype::fp32, dtype::fp16, dtype::bf16, dtype::fp64}) {
    kernels::device_buffer buffer(n * kernels::dtype_size(type));
    kernels::fill_pattern(buffer.data(), type, n, 99, 0.25f, stream.get());
    const std::vector<double> values = download_elements(buffer, type, indices, stream.get());
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(values[i], kernels::pattern_value(i, 99, 0.25f))
          << kernels::dtype_name(type) << " " << i;
    }
  }
}

TEST(KernelDevice, HostRoundingEmulationMatchesTheDeviceConversions) {
  GPUSHARE_REQUIRE_DEVICE();
  // y + bias computed in float on the device and stored with __float2half_rn /
  // __float2bfloat16_rn must equal the host emulation for inputs whose sums land on and near
  // rounding ties (pattern values plus biases of half an ulp).
  const kernels::cuda_stream stream = kernels::cuda_stream::create_non_blocking();
  const int rows = 1024;
  const int cols = 64;
  const std::size_t n = static_cast<std::size_t>(rows) * cols;
  const std::vector<std::uint64_t> indices = sample_indices(n, n);
  for (const dtype type : {dtype::fp16, dtype::bf16, dtype::fp32}) {
    // Half an ulp at 1, so 1 + bias and 0.5 + bias/2 are exact ties of the storage type.
    const auto tie = static_cast<float>(0.5 * kernels::ulp_of(1.0, type));
    kernels::device_buffer y(n * kernels::dtype_size(type));
    kernels::device_buffer bias(static_cast<std::size_t>(rows) * kernels::dtype_size(type));
    kernels::fill_pattern(y.data(), type, n, 5, 1.0f, stream.get());
    kernels::fill_pattern(bias.data(), type, static_cast<std::size_t>(rows), 6, tie, stream.get());
    kernels::launch_bias_relu(y.data(), bias.data(), type, rows, cols, stream.get());
    const std::vector<double> values = download_elements(y, type, indices, stream.get());
    for (std::size_t i = 0; i < n; ++i) {
      const float expected =
          kernels::round_to_storage(kernels::bias_relu(kernels::pattern_value(i, 5),
                                                       kernels::pattern_value(i % rows, 6, tie)),
                                    type);
      ASSERT_EQ(values[i], static_cast<double>(expected)) << kernels::dtype_name(type) << " " << i;
    }
  }
}

TEST(KernelDevice, GemmVerifiesForEveryDtype) {
  GPUSHARE_REQUIRE_DEVICE();
  for (const std::string dtype_name : {"fp32", "tf32", "fp16", "bf16"}) {
    gemm_workload square(parse_workload_spec("gemm:size=512,dtype=" + dtype_name),
                         workload_context{});
    expect_verifies(square);
    EXPECT_DOUBLE_EQ(square.flops_per_iteration(), 2.0 * 512 * 512 * 512);
    // Odd sizes and a k large enough to need input scaling.
    gemm_workload odd(parse_workload_spec("gemm:m=100,n=36,k=4100,dtype=" + dtype_name),
                      workload_context{});
    expect_verifies(odd);
    EXPECT_DOUBLE_EQ(odd.bytes_per_iteration(),
                     (100.0 * 4100 + 4100.0 * 36 + 100.0 * 36) *
                         static_cast<double>(kernels::dtype_size(odd.problem().type)));
  }
}

TEST(KernelDevice, GemmWithAZeroedInputFailsVerification) {
  GPUSHARE_REQUIRE_DEVICE();
  const kernels::gemm_problem problem = kernels::make_gemm_problem(dtype::fp16, 128, 64, 96);
  const kernels::cuda_stream stream = kernels::cuda_stream::create_non_blocking();
  const kernels::cublas_handle handle = kernels::cublas_handle::create();
  kernels::device_buffer a(128 * 96 * 2);
  kernels::device_buffer b(96 * 64 * 2);
  kernels::device_buffer c(128 * 64 * 2);
  kernels::fill_pattern(a.data(), dtype::fp16, 128 * 96, problem.seed_a, problem.scale_a,
                        stream.get());
  b.zero(stream.get()); // the corruption: B should hold the pattern
  kernels::launch_gemm(handle, problem.type, 128, 64, 96, a.data(), b.data(), c.data(),
                       stream.get());
  const std::vector<std::uint64_t> indices = gemm_verify_indices(problem);
  const verification_result result =
      check_gemm_output(problem, indices, download_elements(c, dtype::fp16, indices, stream.get()));
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.detail.find("expected"), std::string::npos) << result.detail;

  // The same pipeline with B filled passes, so the failure above is the corruption's doing.
  kernels::fill_pattern(b.data(), dtype::fp16, 96 * 64, problem.seed_b, problem.scale_b,
                        stream.get());
  kernels::launch_gemm(handle, problem.type, 128, 64, 96, a.data(), b.data(), c.data(),
                       stream.get());
  EXPECT_TRUE(
      check_gemm_output(problem, indices, download_elements(c, dtype::fp16, indices, stream.get()))
          .passed);
}

TEST(KernelDevice, TriadVerifiesForEveryDtype) {
  GPUSHARE_REQUIRE_DEVICE();
  for (const std::string dtype_name : {"fp32", "fp64"}) {
    triad_workload triad(parse_workload_spec("triad:n=3000001,dtype=" + dtype_name),
                         workload_context{});
    expect_verifies(triad);
    EXPECT_DOUBLE_EQ(triad.flops_per_iteration(), 2.0 * 3000001);
    EXPECT_DOUBLE_EQ(triad.bytes_per_iteration(),
                     3.0 * 3000001 * static_cast<double>(kernels::dtype_size(triad.type())));
  }
}

TEST(KernelDevice, TriadWithAZeroedInputFailsVerification) {
  GPUSHARE_REQUIRE_DEVICE();
  const kernels::cuda_stream stream = kernels::cuda_stream::create_non_blocking();
  const std::size_t n = 10000;
  kernels::device_buffer a(n * sizeof(float));
  kernels::device_buffer b(n * sizeof(float));
  kernels::device_buffer c(n * sizeof(float));
  kernels::fill_pattern(b.data(), dtype::fp32, n, kernels::triad_seed_b, 1.0f, stream.get());
  c.zero(stream.get());
  kernels::launch_triad(a.as<float>(), b.as<float>(), c.as<float>(), 3.0f, n, stream.get());
  const std::vector<std::uint64_t> indices = sample_indices(n, n);
  const verification_result result = check_triad_output(
      dtype::fp32, indices, download_elements(a, dtype::fp32, indices, stream.get()));
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.elements_checked, n);
}

TEST(KernelDevice, MixedVerifiesAndExplicitGridsCoverEveryElement) {
  GPUSHARE_REQUIRE_DEVICE();
  for (const std::string intensity : {"0.25", "16", "1024"}) {
    mixed_workload mixed(parse_workload_spec("mixed:n=1000003,intensity=" + intensity),
                         workload_context{});
    expect_verifies(mixed);
    EXPECT_DOUBLE_EQ(mixed.flops_per_iteration(), 2.0 * mixed.fma_per_element() * 1000003);
    EXPECT_DOUBLE_EQ(mixed.bytes_per_iteration(), 8.0 * 1000003);
  }
  EXPECT_GT(kernels::mixed_max_blocks_per_sm(kernels::mixed_default_block_threads), 0);

  // Two blocks must still cover all n elements through the grid-stride loop.
  const kernels::cuda_stream stream = kernels::cuda_stream::create_non_blocking();
  const std::size_t n = 5000;
  kernels::device_buffer data(n * sizeof(float));
  kernels::fill_pattern(data.data(), dtype::fp32, n, mixed_seed, 1.0f, stream.get());
  kernels::launch_mixed(data.as<float>(), n, 8, 2, 64, stream.get());
  const std::vector<std::uint64_t> indices = sample_indices(n, n);
  EXPECT_TRUE(
      check_mixed_output(8, indices, download_elements(data, dtype::fp32, indices, stream.get()))
          .passed);
  // And a pass with a different chain length does not.
  kernels::fill_pattern(data.data(), dtype::fp32, n, mixed_seed, 1.0f, stream.get());
  kernels::launch_mixed(data.as<float>(), n, 9, 0, 256, stream.get());
  EXPECT_FALSE(
      check_mixed_output(8, indices, download_elements(data, dtype::fp32, indices, stream.get()))
          .passed);
}

TEST(KernelDevice, SpinWaitsAtLeastTheRequestedTimeInEveryBlock) {
  GPUSHARE_REQUIRE_DEVICE();
  spin_workload spin(parse_workload_spec("spin:us=200,blocks=8"), workload_context{});
  expect_verifies(spin);
  const std::vector<std::uint64_t> times = spin.last_block_times();
  ASSERT_EQ(times.size(), 16u);
  for (std::size_t block = 0; block < 8; ++block) {
    EXPECT_GE(times[2 * block + 1] - times[2 * block], 200'000u) << block;
  }
  EXPECT_EQ(spin.flops_per_iteration(), 0.0);
  EXPECT_EQ(spin.bytes_per_iteration(), 0.0);
  // Asking the check for more than was spun fails it.
  EXPECT_FALSE(check_spin_times(times, 1'000'000'000'000ULL).passed);
}

// Alone on the GPU the spin kernel is rarely switched out, so this checks the trace's shape,
// not a time slice: segments exist, are ordered and separated by gaps, and together with those
// gaps span the whole spin.
TEST(KernelDevice, SpinTracesTheRunSegmentsOfBlockZero) {
  GPUSHARE_REQUIRE_DEVICE();
  spin_workload spin(parse_workload_spec("spin:us=20000,blocks=2"), workload_context{});
  spin.setup();
  const verification_result check = spin.verify();
  ASSERT_TRUE(check.passed) << check.detail;
  spin.clear_trace();
  spin.run_iteration();
  const std::vector<std::uint64_t> times = spin.last_block_times();
  const run_segment_trace trace = spin.trace();
  ASSERT_GE(trace.segments.size(), 1u);
  EXPECT_EQ(trace.dropped, 0u);
  EXPECT_EQ(trace.gap_threshold_ns, 5000u);
  EXPECT_EQ(run_segments_problem(trace, times[0], times[1]), "");
  std::uint64_t running_ns = 0;
  std::uint64_t gaps_ns = 0;
  for (std::size_t i = 0; i < trace.segments.size(); ++i) {
    const run_segment& segment = trace.segments[i];
    ASSERT_LE(segment.start_ns, segment.end_ns) << i;
    running_ns += segment.end_ns - segment.start_ns;
    if (i + 1 < trace.segments.size()) {
      ASSERT_LT(segment.end_ns, trace.segments[i + 1].start_ns) << i;
      gaps_ns += trace.segments[i + 1].start_ns - segment.end_ns;
    }
  }
  EXPECT_GE(running_ns + gaps_ns, 20'000'000u);
  std::printf("spin alone: %zu segments, %.1f us running, %.1f us in gaps\n", trace.segments.size(),
              static_cast<double>(running_ns) / 1e3, static_cast<double>(gaps_ns) / 1e3);
}

// Through the measurement loop the trace covers the timed iterations only: one kernel start
// per timed iteration, none from verification or warm-up.
TEST(KernelDevice, SpinTraceCoversExactlyTheTimedIterations) {
  GPUSHARE_REQUIRE_DEVICE();
  const workload_spec spec = parse_workload_spec("spin:us=500");
  spin_workload spin(spec, workload_context{});
  measure_settings settings;
  settings.warmup_iterations = 3;
  settings.repetitions = 2;
  settings.iterations = 4;
  const workload_result result = measure_workload(spin, spec, settings);
  ASSERT_TRUE(result.verification.passed) << result.verification.detail;
  ASSERT_TRUE(result.spin_trace.has_value());
  std::size_t kernel_starts = 0;
  for (const run_segment& segment : result.spin_trace->segments) {
    kernel_starts += segment.after_gap ? 0 : 1;
  }
  EXPECT_EQ(kernel_starts, 8u);
  EXPECT_EQ(result.spin_trace->dropped, 0u);
}

TEST(KernelDevice, InferVerifiesForEveryDtype) {
  GPUSHARE_REQUIRE_DEVICE();
  for (const std::string dtype_name : {"fp16", "bf16", "fp32"}) {
    infer_workload standard(
        parse_workload_spec("infer:batch=8,hidden=1024,layers=4,dtype=" + dtype_name),
        workload_context{});
    expect_verifies(standard);
    EXPECT_DOUBLE_EQ(standard.flops_per_iteration(), kernels::infer_flops(standard.problem()));
    EXPECT_DOUBLE_EQ(standard.bytes_per_iteration(), kernels::infer_bytes(standard.problem()));
    infer_workload odd(
        parse_workload_spec("infer:batch=3,hidden=100,layers=16,dtype=" + dtype_name),
        workload_context{});
    expect_verifies(odd);
  }
}

TEST(KernelDevice, InferWithZeroedWeightsFailsVerification) {
  GPUSHARE_REQUIRE_DEVICE();
  const kernels::infer_problem problem = kernels::make_infer_problem(dtype::fp16, 4, 128, 2);
  const kernels::cuda_stream stream = kernels::cuda_stream::create_non_blocking();
  const kernels::cublas_handle handle = kernels::cublas_handle::create();
  kernels::device_buffer weights(kernels::infer_weight_elements(problem) * 2);
  kernels::device_buffer bias(kernels::infer_bias_elements(problem) * 2);
  kernels::device_buffer input(kernels::infer_activation_elements(problem) * 2);
  kernels::device_buffer activations[2] = {
      kernels::device_buffer(kernels::infer_activation_elements(problem) * 2),
      kernels::device_buffer(kernels::infer_activation_elements(problem) * 2)};
  weights.zero(stream.get()); // the corruption: only the bias survives
  kernels::fill_pattern(bias.data(), dtype::fp16, kernels::infer_bias_elements(problem),
                        problem.seed_bias, 1.0f, stream.get());
  kernels::fill_pattern(input.data(), dtype::fp16, kernels::infer_activation_elements(problem),
                        problem.seed_input, 1.0f, stream.get());
  kernels::infer_buffers buffers;
  buffers.weights = weights.data();
  buffers.bias = bias.data();
  buffers.input = input.data();
  buffers.activations[0] = activations[0].data();
  buffers.activations[1] = activations[1].data();
  void* output = kernels::launch_infer_step(handle, problem, buffers, stream.get());
  EXPECT_EQ(output, activations[1].data());
  const std::vector<std::uint64_t> indices = infer_verify_indices(problem);
  const verification_result result = check_infer_output(
      problem, indices, download_elements(activations[1], dtype::fp16, indices, stream.get()));
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.detail.find("output[row"), std::string::npos) << result.detail;
}

} // namespace
} // namespace gpushare
