// The isolation experiments' workloads on a real GPU. `fault` poisons the CUDA context of the
// process it runs in for good, so it never runs in this test process: once in a freshly
// exec'd copy of this test binary (a gtest death test in the threadsafe style, which execs
// before any test code runs, so no CUDA state is inherited), and once as a tenant of the real
// gpushare-bench binary. `hog` runs here and frees what it held when it is destroyed.

#include "common/cuda_check.hpp"
#include "device_support.hpp"
#include "harness/measure.hpp"
#include "harness/workload_spec.hpp"
#include "harness/workloads/fault_workload.hpp"
#include "harness/workloads/hog_workload.hpp"
#include "run_binary.hpp"

#include <cuda_runtime_api.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace gpushare {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;

constexpr std::uint64_t gib = std::uint64_t{1} << 30;

/// Runs in the death-test child: set-up, verification and the faulting iteration, reported as
/// one line on stderr and the exit status (0 only when everything held), because an assertion
/// failing in the child would not reach the parent's test result.
[[noreturn]] void fault_child(std::uint64_t after_ms) {
  fault_workload work(parse_workload_spec("fault:after_ms=" + std::to_string(after_ms)), {});
  work.setup();
  const verification_result checked = work.verify();
  if (!checked.checked || !checked.passed) {
    std::fprintf(stderr, "fault-child: verify failed: %s\n", checked.detail.c_str());
    std::_Exit(1);
  }
  const auto start = std::chrono::steady_clock::now();
  try {
    work.run_iteration();
  } catch (const cuda_error& failure) {
    const double elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const auto status = static_cast<cudaError_t>(failure.status());
    std::fprintf(stderr, "fault-child: verify passed (%s); %s after %.1f ms: %s\n",
                 checked.detail.c_str(), cudaGetErrorName(status), elapsed_ms, failure.what());
    const bool intended = is_intended_fault_status(status);
    const bool waited = elapsed_ms >= static_cast<double>(after_ms);
    std::_Exit(intended && waited ? 0 : 2);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "fault-child: not a cuda_error: %s\n", failure.what());
    std::_Exit(3);
  }
  std::fprintf(stderr, "fault-child: run_iteration returned without an error\n");
  std::_Exit(4);
}

TEST(IsolationWorkloadsDevice, FaultVerifiesThenFaultsNoEarlierThanAsked) {
  GPUSHARE_REQUIRE_DEVICE();
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(fault_child(200), ::testing::ExitedWithCode(0),
              "fault-child: verify passed .*(cudaErrorIllegalAddress|cudaErrorLaunchFailure) "
              "after .* ms: workload fault: intended illegal memory access");
}

nlohmann::json read_report(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(IsolationWorkloadsDevice, AFaultingTenantFailsTheRunWithExitCode3) {
  GPUSHARE_REQUIRE_DEVICE();
  const std::string json_path =
      (std::filesystem::temp_directory_path() / ("fault-" + std::to_string(getpid()) + ".json"))
          .string();
  const test::binary_run run = test::run_gpushare(
      {"--mode", "timeslice", "--workload", "fault:after_ms=50", "--tenants", "1", "--repetitions",
       "1", "--iterations", "1", "--quiet", "--json", json_path});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_GE(run.seconds, 0.05) << "the fault comes after its delay";
  const auto report = read_report(json_path);
  std::filesystem::remove(json_path);
  const auto& tenant = report["runs"][0]["tenants"][0];
  EXPECT_EQ(tenant["status"], "failed") << tenant.dump();
  const std::string failure = tenant["failure"].get<std::string>();
  EXPECT_THAT(failure, HasSubstr("workload fault: intended illegal memory access"));
  EXPECT_THAT(failure,
              AnyOf(HasSubstr("cudaErrorIllegalAddress"), HasSubstr("cudaErrorLaunchFailure")));
  ASSERT_FALSE(report["errors"].empty());
  EXPECT_EQ(report["errors"][0]["exit_code"], 3);
}

/// Free device memory now [bytes].
std::uint64_t free_device_memory() {
  std::size_t free_bytes = 0;
  std::size_t total_bytes = 0;
  EXPECT_EQ(cudaMemGetInfo(&free_bytes, &total_bytes), cudaSuccess);
  return free_bytes;
}

measure_settings brief_settings() {
  measure_settings settings;
  settings.warmup_iterations = 1;
  settings.repetitions = 1;
  settings.iterations = 2;
  return settings;
}

TEST(IsolationWorkloadsDevice, HogHoldsExactlyTheBytesAskedFor) {
  GPUSHARE_REQUIRE_DEVICE();
  const workload_spec spec = parse_workload_spec("hog:bytes=1Gi,chunk=256Mi,hold_ms=20");
  hog_workload hog(spec, {});
  const std::uint64_t free_before = free_device_memory();
  ASSERT_GT(free_before, 2 * gib) << "this test needs 1 GiB and room around it";
  const workload_result result = measure_workload(hog, spec, brief_settings());
  // The memory is still held here (the workload lives on): it must be gone from free memory.
  EXPECT_LE(free_device_memory(), free_before - gib);
  EXPECT_TRUE(result.verification.checked);
  EXPECT_TRUE(result.verification.passed) << result.verification.detail;
  EXPECT_EQ(result.verification.elements_checked, 4u * 32u) << "32 samples in each of 4 chunks";
  ASSERT_TRUE(result.memory_hold.has_value());
  EXPECT_EQ(result.memory_hold->bytes_requested, gib);
  EXPECT_EQ(result.memory_hold->bytes_target, gib);
  EXPECT_EQ(result.memory_hold->bytes_held, gib);
  EXPECT_EQ(result.memory_hold->chunk_bytes, 256u << 20);
  EXPECT_EQ(result.memory_hold->allocation_error, "");
  EXPECT_EQ(result.iterations, 2u);
  EXPECT_GE(result.latency_us.p50, 20'000.0) << "each iteration holds for hold_ms";
  std::printf("%s: %s\n", result.description.c_str(), result.verification.detail.c_str());
}

TEST(IsolationWorkloadsDevice, HogAskedForMoreThanTheDeviceHasFailsAsOutOfMemoryAtOnce) {
  GPUSHARE_REQUIRE_DEVICE();
  // 1 PiB in 1 MiB chunks: a plan of 2^30 chunks would take 8 GiB of host memory to write down.
  const workload_spec spec =
      parse_workload_spec("hog:bytes=1125899906842624,chunk=1048576,hold_ms=0");
  hog_workload hog(spec, {});
  try {
    hog.setup();
    ADD_FAILURE() << "a hog asking for 1 PiB was set up";
  } catch (const cuda_error& failure) {
    EXPECT_EQ(failure.status(), static_cast<int>(cudaErrorMemoryAllocation));
    EXPECT_THAT(failure.what(), ::testing::HasSubstr("cudaErrorMemoryAllocation"));
  }
  EXPECT_EQ(hog.hold().bytes_held, 0u);
}

TEST(IsolationWorkloadsDevice, HogAskedForAllTakesAtLeastHalfTheFreeMemory) {
  GPUSHARE_REQUIRE_DEVICE();
  const workload_spec spec = parse_workload_spec("hog:bytes=0,hold_ms=0");
  const std::uint64_t free_before = free_device_memory();
  std::uint64_t held = 0;
  {
    hog_workload hog(spec, {});
    const workload_result result = measure_workload(hog, spec, brief_settings());
    EXPECT_TRUE(result.verification.passed) << result.verification.detail;
    ASSERT_TRUE(result.memory_hold.has_value());
    const memory_hold_record& hold = *result.memory_hold;
    held = hold.bytes_held;
    EXPECT_EQ(hold.bytes_requested, 0u);
    EXPECT_EQ(hold.bytes_target, all_it_can_get(hold.free_bytes_before));
    EXPECT_LE(hold.bytes_held, hold.bytes_target);
    EXPECT_GE(hold.bytes_held, free_before / 2) << hold.allocation_error;
    EXPECT_TRUE(hold.bytes_held == hold.bytes_target || !hold.allocation_error.empty())
        << "a hog that stopped short says why";
    std::printf("hog bytes=0: %llu of %llu free bytes held; %s\n",
                static_cast<unsigned long long>(hold.bytes_held),
                static_cast<unsigned long long>(hold.free_bytes_before),
                hold.allocation_error.empty() ? "reached its target"
                                              : hold.allocation_error.c_str());
  }
  // Destroyed: what it held is free again (give or take what other processes did meanwhile).
  EXPECT_GE(free_device_memory() + held / 8, free_before);
}

} // namespace
} // namespace gpushare
