// The fault and hog workloads without a GPU: the arithmetic that decides how much a hog asks
// for and how it cuts the request into chunks, how the faulting kernel's outcome becomes the
// error a tenant reports, and what the workloads say about themselves before touching a
// device.

#include "common/cuda_check.hpp"
#include "common/error.hpp"
#include "harness/workload.hpp"
#include "harness/workload_spec.hpp"
#include "harness/workloads/fault_workload.hpp"
#include "harness/workloads/hog_workload.hpp"
#include "kernels/fault.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace gpushare {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::uint64_t mib = std::uint64_t{1} << 20;
constexpr std::uint64_t gib = std::uint64_t{1} << 30;

TEST(HogMargin, IsTheLargerOf256MiBAnd5Percent) {
  EXPECT_EQ(hog_safety_margin(0), 256 * mib);
  EXPECT_EQ(hog_safety_margin(4 * gib), 256 * mib) << "5 % of 4 GiB is below 256 MiB";
  EXPECT_EQ(hog_safety_margin(5 * gib), 256 * mib) << "5 % of 5 GiB is exactly 256 MiB";
  EXPECT_EQ(hog_safety_margin(6 * gib), 6 * gib / 20);
  EXPECT_EQ(hog_safety_margin(80 * gib), 4 * gib);
  EXPECT_EQ(hog_safety_margin(140 * gib), 7 * gib);
}

TEST(HogMargin, AllItCanGetIsFreeMinusTheMarginAndNeverWrapsAround) {
  EXPECT_EQ(all_it_can_get(80 * gib), 76 * gib);
  EXPECT_EQ(all_it_can_get(2 * gib), 2 * gib - 256 * mib);
  EXPECT_EQ(all_it_can_get(256 * mib), 0u) << "the margin takes it all";
  EXPECT_EQ(all_it_can_get(100 * mib), 0u) << "less free than the margin";
  EXPECT_EQ(all_it_can_get(0), 0u);
  EXPECT_EQ(all_it_can_get(256 * mib + 1), 1u);
}

TEST(HogChunks, FullChunksThenTheRemainder) {
  EXPECT_EQ(plan_chunks(gib, 256 * mib), (std::vector<std::uint64_t>(4, 256 * mib)));
  EXPECT_EQ(plan_chunks(gib + 5, 256 * mib),
            (std::vector<std::uint64_t>{256 * mib, 256 * mib, 256 * mib, 256 * mib, 5}));
  EXPECT_EQ(plan_chunks(100 * mib, 256 * mib), (std::vector<std::uint64_t>{100 * mib}))
      << "less than one chunk is one smaller chunk";
  EXPECT_TRUE(plan_chunks(0, 256 * mib).empty());
  EXPECT_THROW((void)plan_chunks(gib, 0), std::invalid_argument);
}

TEST(HogChunks, AlwaysSumToTheRequestWithNoChunkOverTheGranularity) {
  for (const std::uint64_t wanted :
       {std::uint64_t{1}, mib - 1, 3 * gib + 7, 79 * gib + 123 * mib}) {
    for (const std::uint64_t chunk : {mib, 2 * mib + 3, 256 * mib, 64 * gib}) {
      const std::vector<std::uint64_t> plan = plan_chunks(wanted, chunk);
      EXPECT_EQ(std::accumulate(plan.begin(), plan.end(), std::uint64_t{0}), wanted)
          << wanted << " in " << chunk;
      EXPECT_EQ(plan.size(), (wanted + chunk - 1) / chunk) << wanted << " in " << chunk;
      for (std::size_t i = 0; i < plan.size(); ++i) {
        EXPECT_GT(plan[i], 0u);
        EXPECT_LE(plan[i], chunk);
        if (i + 1 < plan.size()) {
          EXPECT_EQ(plan[i], chunk) << "only the last chunk may be short";
        }
      }
    }
  }
}

/// What raise_fault_outcome throws for `status`, as its type name, status and message.
struct raised {
  std::string type;
  int status = 0;
  std::string message;
};

raised outcome_of(cudaError_t status, std::uint64_t after_ms) {
  try {
    raise_fault_outcome(status, after_ms);
  } catch (const cuda_error& failure) {
    return {"cuda_error", failure.status(), failure.what()};
  } catch (const check_error& failure) {
    return {"check_error", 0, failure.what()};
  }
  ADD_FAILURE() << "raise_fault_outcome returned";
  return {};
}

TEST(FaultOutcome, TheIntendedFaultIsACudaErrorThatSaysSo) {
  for (const cudaError_t status : {cudaErrorIllegalAddress, cudaErrorLaunchFailure}) {
    EXPECT_TRUE(is_intended_fault_status(status));
    const raised got = outcome_of(status, 250);
    EXPECT_EQ(got.type, "cuda_error");
    EXPECT_EQ(got.status, static_cast<int>(status));
    EXPECT_THAT(got.message, HasSubstr("workload fault"));
    EXPECT_THAT(got.message, HasSubstr("intended illegal memory access"));
    EXPECT_THAT(got.message, HasSubstr("after 250 ms"));
    EXPECT_THAT(got.message, HasSubstr(cudaGetErrorName(status)));
    EXPECT_THAT(got.message, HasSubstr("context is now unusable"));
  }
}

TEST(FaultOutcome, AnyOtherErrorIsNotPassedOffAsTheIntendedFault) {
  for (const cudaError_t status :
       {cudaErrorMemoryAllocation, cudaErrorInvalidConfiguration, cudaErrorNoDevice}) {
    EXPECT_FALSE(is_intended_fault_status(status));
    const raised got = outcome_of(status, 100);
    EXPECT_EQ(got.type, "cuda_error");
    EXPECT_EQ(got.status, static_cast<int>(status));
    EXPECT_THAT(got.message, HasSubstr("not the intended illegal memory access"));
    EXPECT_THAT(got.message, HasSubstr(cudaGetErrorName(status)));
  }
}

TEST(FaultOutcome, AWriteThatDidNotFaultFailsTheExperiment) {
  EXPECT_FALSE(is_intended_fault_status(cudaSuccess));
  const raised got = outcome_of(cudaSuccess, 100);
  EXPECT_EQ(got.type, "check_error");
  EXPECT_THAT(got.message, HasSubstr("did not fault"));
}

TEST(FaultTarget, IsInTheNullPageAndAligned) {
  // The first page is never mapped (see kernels/fault.hpp); 4 KiB is the smallest page size.
  EXPECT_LT(kernels::fault_target_address, std::uintptr_t{4096});
  EXPECT_NE(kernels::fault_target_address, std::uintptr_t{0});
  EXPECT_EQ(kernels::fault_target_address % sizeof(std::uint64_t), 0u)
      << "a misaligned store would raise a different error than the illegal address";
}

TEST(IsolationWorkloads, DescribeThemselvesWithoutADevice) {
  const auto fault = make_workload(parse_workload_spec("fault:after_ms=250,blocks=2"), {});
  EXPECT_FALSE(fault->host_only());
  EXPECT_EQ(fault->flops_per_iteration(), 0.0);
  EXPECT_EQ(fault->bytes_per_iteration(), 0.0);
  EXPECT_THAT(fault->description(), HasSubstr("DELIBERATE FAULT"));
  EXPECT_THAT(fault->description(), HasSubstr("250 ms"));
  EXPECT_THAT(fault->description(), HasSubstr("2 blocks"));
  EXPECT_THAT(fault->description(), HasSubstr("intended"));

  const auto all = make_workload(parse_workload_spec("hog"), {});
  EXPECT_FALSE(all->host_only());
  EXPECT_EQ(all->flops_per_iteration(), 0.0);
  EXPECT_EQ(all->bytes_per_iteration(), 0.0);
  EXPECT_THAT(all->description(), HasSubstr("all the device memory it can get"));
  EXPECT_THAT(all->description(), HasSubstr("holding period of 100 ms"));
  const auto sized = make_workload(parse_workload_spec("hog:bytes=1Gi,chunk=64Mi"), {});
  EXPECT_THAT(sized->description(), HasSubstr("1073741824 B (1.00 GiB) of device memory"));
  EXPECT_THAT(sized->description(), HasSubstr("chunks of 67108864 B"));
  EXPECT_THAT(sized->description(), Not(HasSubstr("all the device memory")));
}

TEST(IsolationWorkloads, FaultRefusesToRunBeforeSetup) {
  const auto fault = make_workload(parse_workload_spec("fault"), {});
  EXPECT_THROW(fault->run_iteration(), error);
  EXPECT_THROW((void)fault->verify(), error);
}

} // namespace
} // namespace gpushare
