// The isolation verdicts on recorded outcomes: each rule at and across its thresholds, the
// failures that must not count as isolation, and the claims held against the verdicts.

#include "harness/isolation_verdict.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gpushare {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::uint64_t gib = 1ULL << 30;

tenant_record tenant(int id, const std::string& role, const std::string& workload,
                     const std::string& status = "ok", const std::string& failure = "") {
  tenant_record record;
  record.id = id;
  record.role = role;
  record.workload = workload;
  record.status = status;
  record.failure = failure;
  return record;
}

workload_result holding(std::uint64_t held, std::uint64_t target, const std::string& error = "") {
  workload_result result;
  result.iterations = 10;
  memory_hold_record hold;
  hold.bytes_held = held;
  hold.bytes_target = target;
  hold.allocation_error = error;
  result.memory_hold = hold;
  return result;
}

const std::string out_of_memory =
    "workload hog: wanted 32.0 GiB, got 1.0 GiB: chunk 5 of 128 (256 MiB) failed after 1.0 GiB "
    "held: cudaErrorMemoryAllocation (out of memory)";

isolation_cell memory_scenario(std::uint64_t hog_held, const tenant_record& victim) {
  isolation_cell cell;
  cell.mechanism = "mps-limited";
  cell.property = "memory";
  tenant_record hog = tenant(0, "aggressor", "hog:bytes=0");
  hog.shared = holding(hog_held, 76 * gib);
  cell.tenants = {hog, victim};
  return cell;
}

TEST(IsolationVerdict, MemoryVictimGotItsShareWhileTheHogWasHeldToItsOwn) {
  tenant_record victim = tenant(1, "victim", "hog:bytes=32Gi");
  victim.shared = holding(32 * gib, 32 * gib);
  isolation_cell cell = memory_scenario(32 * gib, victim);
  judge_memory(cell, 32 * gib, 32 * gib);
  EXPECT_EQ(cell.verdict, "isolated");
  EXPECT_EQ(cell.figures.at("hog_held_bytes"), double(32 * gib));
  EXPECT_EQ(cell.figures.at("victim_held_bytes"), double(32 * gib));
  EXPECT_THAT(cell.rule, HasSubstr("promised share (32.00 GiB)"));
  EXPECT_THAT(cell.evidence, HasSubstr("not at a refused allocation"))
      << "a hog that stopped where it was told memory ended never tried past the limit";

  // Stopped by a refused allocation: the limit was seen to hold, and the evidence says so.
  isolation_cell stopped = memory_scenario(32 * gib, victim);
  stopped.tenants[0].shared = holding(32 * gib, 76 * gib, out_of_memory);
  judge_memory(stopped, 32 * gib, 32 * gib);
  EXPECT_EQ(stopped.verdict, "isolated");
  EXPECT_THAT(stopped.evidence, HasSubstr("was stopped: workload hog"));
  EXPECT_THAT(stopped.evidence, Not(HasSubstr("not at a refused allocation")));
}

TEST(IsolationVerdict, MemoryVictimFitOnlyBecauseTheHogLeftRoomIsPartial) {
  tenant_record victim = tenant(1, "victim", "hog:bytes=32Gi");
  victim.shared = holding(32 * gib, 32 * gib);
  // 2 % over the promised share still counts as held to it; more does not.
  isolation_cell within = memory_scenario(static_cast<std::uint64_t>(32.6 * gib), victim);
  judge_memory(within, 32 * gib, 32 * gib);
  EXPECT_EQ(within.verdict, "isolated");
  isolation_cell over = memory_scenario(static_cast<std::uint64_t>(33 * gib), victim);
  judge_memory(over, 32 * gib, 32 * gib);
  EXPECT_EQ(over.verdict, "partial");
  EXPECT_THAT(over.evidence, HasSubstr("nothing held it to its share"));
}

TEST(IsolationVerdict, MemoryOnMigHoldsTheHogToItsOwnInstanceNotTheVictimsPromise) {
  tenant_record victim = tenant(1, "victim", "hog:bytes=26Gi");
  victim.shared = holding(26 * gib, 26 * gib);
  // The hog filled its own 40 GB instance; the victim on the other got its 26 GiB.
  isolation_cell cell = memory_scenario(37 * gib, victim);
  judge_memory(cell, 26 * gib, 40'000'000'000ULL);
  EXPECT_EQ(cell.verdict, "isolated");
  EXPECT_EQ(cell.figures.at("hog_share_bytes"), 40e9);
}

TEST(IsolationVerdict, MemoryVictimOutOfMemoryIsNone) {
  const tenant_record victim = tenant(1, "victim", "hog:bytes=32Gi", "failed", out_of_memory);
  isolation_cell cell = memory_scenario(75 * gib, victim);
  judge_memory(cell, 32 * gib, 32 * gib);
  EXPECT_EQ(cell.verdict, "none");
  EXPECT_THAT(cell.evidence, HasSubstr("cudaErrorMemoryAllocation"));
  EXPECT_THAT(cell.evidence, HasSubstr("the hog held 75.00 GiB"));
}

TEST(IsolationVerdict, MemoryVictimFailingForAnotherReasonIsUntested) {
  const tenant_record victim =
      tenant(1, "victim", "hog:bytes=32Gi", "failed", "signal SIGSEGV without a result");
  isolation_cell cell = memory_scenario(75 * gib, victim);
  judge_memory(cell, 32 * gib, 32 * gib);
  EXPECT_EQ(cell.verdict, "untested");
  EXPECT_THAT(cell.evidence, HasSubstr("another reason"));
}

TEST(IsolationVerdict, MemoryWithoutAHoldingHogIsUntested) {
  tenant_record victim = tenant(1, "victim", "hog:bytes=32Gi");
  victim.shared = holding(32 * gib, 32 * gib);
  isolation_cell cell = memory_scenario(0, victim);
  judge_memory(cell, 32 * gib, 32 * gib);
  EXPECT_EQ(cell.verdict, "untested");
}

isolation_cell fault_scenario(const tenant_record& fault, double fault_ms,
                              const std::vector<std::pair<tenant_record, double>>& victims) {
  isolation_cell cell;
  cell.mechanism = "mps";
  cell.property = "fault";
  for (const auto& [victim, finished] : victims) {
    cell.tenants.push_back(victim);
    cell.figures[finished_figure(victim.id)] = finished;
  }
  cell.tenants.push_back(fault);
  cell.figures[finished_figure(fault.id)] = fault_ms;
  return cell;
}

const std::string intended_fault =
    "workload fault: intended illegal memory access (write to 0x10 after 1000 ms) raised "
    "cudaErrorIllegalAddress (an illegal memory access was encountered), as the fault-isolation "
    "experiment wants";

TEST(IsolationVerdict, FaultEveryVictimSurvivingIsIsolated) {
  isolation_cell cell =
      fault_scenario(tenant(2, "aggressor", "fault:after_ms=1000", "failed", intended_fault), 1500,
                     {{tenant(0, "victim", "gemm"), 3500}, {tenant(1, "victim", "infer"), 3600}});
  judge_fault(cell);
  EXPECT_EQ(cell.verdict, "isolated");
  EXPECT_EQ(cell.figures.at("victims_kept_running"), 2);
  EXPECT_EQ(cell.figures.at("fault_tenant_died_ms"), 1500);
}

TEST(IsolationVerdict, FaultTakingEveryVictimDownIsNoneWithTheErrorsNamed) {
  const std::string terminated = "cuda call failed: cudaErrorMpsClientTerminated (the MPS client "
                                 "has been terminated by the server)";
  isolation_cell cell = fault_scenario(
      tenant(2, "aggressor", "fault:after_ms=1000", "failed", intended_fault), 1500,
      {{tenant(0, "victim", "gemm", "failed", terminated), 1510},
       {tenant(1, "victim", "infer", "failed", "signal SIGKILL without a result"), 1520}});
  judge_fault(cell);
  EXPECT_EQ(cell.verdict, "none");
  EXPECT_THAT(cell.evidence, HasSubstr("[CUDA: cudaErrorMpsClientTerminated]"));
  EXPECT_THAT(cell.evidence, HasSubstr("signal SIGKILL"));
  EXPECT_EQ(cell.figures.at("victims_failed"), 2);
}

TEST(IsolationVerdict, AVictimSeenFailingJustBeforeTheFaultTenantWasTakenDownByIt) {
  // Both ended together; the harness read the victim's pipe first.
  isolation_cell cell = fault_scenario(
      tenant(2, "aggressor", "fault:after_ms=1000", "failed", intended_fault), 1500,
      {{tenant(0, "victim", "gemm", "failed", "cudaErrorMpsClientTerminated"), 1499},
       {tenant(1, "victim", "infer", "failed", "cudaErrorMpsClientTerminated"), 1100}});
  judge_fault(cell);
  EXPECT_EQ(cell.verdict, "none");
  // Failing long before the fault is another problem, not the fault's doing.
  isolation_cell early =
      fault_scenario(tenant(2, "aggressor", "fault:after_ms=1000", "failed", intended_fault), 1500,
                     {{tenant(0, "victim", "gemm", "failed", "cudaErrorMemoryAllocation"), 900},
                      {tenant(1, "victim", "infer"), 3000}});
  judge_fault(early);
  EXPECT_EQ(early.verdict, "isolated");
  EXPECT_THAT(early.evidence, HasSubstr("had already failed"));
}

TEST(IsolationVerdict, FaultHittingSomeVictimsIsPartial) {
  isolation_cell cell =
      fault_scenario(tenant(2, "aggressor", "fault:after_ms=1000", "failed", intended_fault), 1500,
                     {{tenant(0, "victim", "gemm"), 3500},
                      {tenant(1, "victim", "infer", "failed", "cudaErrorLaunchFailure"), 1600}});
  judge_fault(cell);
  EXPECT_EQ(cell.verdict, "partial");
}

TEST(IsolationVerdict, VictimsThatFinishedBeforeTheFaultDoNotCount) {
  isolation_cell cell =
      fault_scenario(tenant(2, "aggressor", "fault:after_ms=1000", "failed", intended_fault), 5000,
                     {{tenant(0, "victim", "gemm"), 3500}, {tenant(1, "victim", "infer"), 3600}});
  judge_fault(cell);
  EXPECT_EQ(cell.verdict, "untested");
  EXPECT_THAT(cell.evidence, HasSubstr("no victim was running"));
}

TEST(IsolationVerdict, NoFaultMeansNoVerdict) {
  const std::string did_not_fault =
      "workload fault: the faulting kernel ended with cudaErrorLaunchTimeout (...), which is not "
      "the intended illegal memory access";
  isolation_cell cell =
      fault_scenario(tenant(2, "aggressor", "fault:after_ms=1000", "failed", did_not_fault), 1500,
                     {{tenant(0, "victim", "gemm"), 3500}});
  judge_fault(cell);
  EXPECT_EQ(cell.verdict, "untested");
  isolation_cell finished = fault_scenario(tenant(2, "aggressor", "fault:after_ms=1000"), 1500,
                                           {{tenant(0, "victim", "gemm"), 3500}});
  judge_fault(finished);
  EXPECT_EQ(finished.verdict, "untested");
}

TEST(IsolationVerdict, HostCrashInstrumentCountsAsTheFaultOnlyWhenKilledBySignal) {
  EXPECT_TRUE(fault_happened(tenant(2, "aggressor", "host-crash:after=100,us=1000", "failed",
                                    "signal SIGABRT without a result")));
  EXPECT_FALSE(fault_happened(tenant(2, "aggressor", "host-crash:after=100,us=1000", "timeout",
                                     "killed after the tenant timeout of 60 s")));
  EXPECT_FALSE(fault_happened(
      tenant(2, "aggressor", "host-sleep:us=10", "failed", "signal SIGABRT without a result")));
}

std::string claim_for_overhead(const std::vector<isolation_claim>& claims,
                               const std::string& mechanism) {
  for (const isolation_claim& claim : claims) {
    if (claim.mechanism == mechanism && claim.property == "overhead") {
      return claim.holds;
    }
  }
  return "missing";
}

isolation_cell sharing_scenario(const std::string& property, double solo_p99, double shared_p99,
                                double solo_rate, double shared_rate) {
  isolation_cell cell;
  cell.mechanism = "timeslice";
  cell.property = property;
  tenant_record victim = tenant(0, "victim", "infer:batch=1,rate=200");
  workload_result solo;
  solo.iterations = 100;
  solo.latency_us.p50 = solo_p99 / 2;
  solo.latency_us.p99 = solo_p99;
  solo.throughput_per_s.median = solo_rate;
  workload_result shared = solo;
  shared.latency_us.p50 = shared_p99 / 2;
  shared.latency_us.p99 = shared_p99;
  shared.throughput_per_s.median = shared_rate;
  victim.solo = solo;
  victim.shared = shared;
  victim.p99_inflation = shared_p99 / solo_p99;
  tenant_record aggressor = tenant(1, "aggressor", "gemm");
  aggressor.shared = shared;
  cell.tenants = {victim, aggressor};
  return cell;
}

TEST(IsolationVerdict, LatencyThresholds) {
  const auto verdict = [](double inflation) {
    isolation_cell cell = sharing_scenario("latency", 100, 100 * inflation, 200, 200);
    judge_latency(cell);
    return cell.verdict;
  };
  EXPECT_EQ(verdict(1.0), "isolated");
  EXPECT_EQ(verdict(1.25), "isolated");
  EXPECT_EQ(verdict(1.3), "partial");
  EXPECT_EQ(verdict(2.0), "partial");
  EXPECT_EQ(verdict(2.1), "none");
  isolation_cell cell = sharing_scenario("latency", 100, 400, 200, 200);
  judge_latency(cell);
  EXPECT_DOUBLE_EQ(cell.figures.at("victim_p99_inflation"), 4.0);
  EXPECT_DOUBLE_EQ(cell.figures.at("victim_jitter_shared"), 2.0);
  EXPECT_THAT(cell.evidence, HasSubstr("(4.00x)"));
}

TEST(IsolationVerdict, AFailedAggressorOrANonFiniteRatioGivesNoVerdict) {
  isolation_cell failed_aggressor = sharing_scenario("latency", 100, 100, 200, 200);
  failed_aggressor.tenants[1].status = "failed";
  failed_aggressor.tenants[1].failure = "shared phase: signal SIGSEGV";
  judge_latency(failed_aggressor);
  EXPECT_EQ(failed_aggressor.verdict, "untested");
  EXPECT_THAT(failed_aggressor.evidence, HasSubstr("an aggressor did not run to the end"));
  isolation_cell zero_p99 = sharing_scenario("latency", 0, 100, 200, 200);
  judge_latency(zero_p99);
  EXPECT_EQ(zero_p99.verdict, "untested");
  isolation_cell compute = sharing_scenario("compute", 100, 100, 300, 100);
  compute.tenants[1].status = "timeout";
  judge_compute(compute, 1.0 / 3, 0.1);
  EXPECT_EQ(compute.verdict, "untested");
  // An untested compute cell's overhead must not decide an overhead claim.
  EXPECT_EQ(claim_for_overhead(check_claims({compute}), "timeslice"), "untested");
}

TEST(IsolationVerdict, LatencyVictimThatFailedIsUntested) {
  isolation_cell cell = sharing_scenario("latency", 100, 400, 200, 200);
  cell.tenants[0].status = "failed";
  cell.tenants[0].failure = "shared phase: cudaErrorIllegalAddress";
  judge_latency(cell);
  EXPECT_EQ(cell.verdict, "untested");
  EXPECT_THAT(cell.evidence, HasSubstr("cudaErrorIllegalAddress"));
}

TEST(IsolationVerdict, ComputeAgainstTheGuaranteedShare) {
  const auto judged = [](double shared_rate, double guarantee) {
    isolation_cell cell = sharing_scenario("compute", 100, 100, 300, shared_rate);
    judge_compute(cell, guarantee, 0.12);
    return cell;
  };
  // A third of the GPU for each of three tenants: 100 of 300 alone is exactly its share.
  EXPECT_EQ(judged(100, 1.0 / 3).verdict, "isolated");
  EXPECT_EQ(judged(90, 1.0 / 3).verdict, "isolated");
  EXPECT_EQ(judged(80, 1.0 / 3).verdict, "partial");
  EXPECT_EQ(judged(40, 1.0 / 3).verdict, "none");
  const isolation_cell cell = judged(75, 0.5);
  EXPECT_DOUBLE_EQ(cell.figures.at("victim_fraction_of_alone"), 0.25);
  EXPECT_DOUBLE_EQ(cell.figures.at("victim_share_of_guarantee"), 0.5);
  EXPECT_EQ(cell.verdict, "partial");
  EXPECT_DOUBLE_EQ(cell.figures.at("mechanism_overhead"), 0.12);
}

TEST(IsolationVerdict, CudaErrorNamesAreFoundOnceEach) {
  EXPECT_EQ(
      cuda_error_names("a cudaErrorIllegalAddress then CUDA_ERROR_MPS_SERVER_NOT_READY and "
                       "cudaErrorIllegalAddress again"),
      (std::vector<std::string>{"cudaErrorIllegalAddress", "CUDA_ERROR_MPS_SERVER_NOT_READY"}));
  EXPECT_TRUE(cuda_error_names("signal SIGABRT").empty());
}

const isolation_claim& claim_for(const std::vector<isolation_claim>& claims,
                                 const std::string& mechanism, const std::string& property) {
  for (const isolation_claim& claim : claims) {
    if (claim.mechanism == mechanism && claim.property == property) {
      return claim;
    }
  }
  throw std::runtime_error("no claim for " + mechanism + "/" + property);
}

TEST(IsolationVerdict, ClaimsHoldWhenTheMeasuredVerdictIsTheClaimedOne) {
  isolation_cell mps_fault;
  mps_fault.mechanism = "mps";
  mps_fault.property = "fault";
  mps_fault.verdict = "none";
  isolation_cell timeslice_memory;
  timeslice_memory.mechanism = "timeslice";
  timeslice_memory.property = "memory";
  timeslice_memory.verdict = "isolated";
  isolation_cell timeslice_fault = untested_cell("timeslice", "fault", "no fault happened");
  const std::vector<isolation_claim> claims =
      check_claims({mps_fault, timeslice_memory, timeslice_fault});
  EXPECT_EQ(claim_for(claims, "mps", "fault").holds, "yes");
  EXPECT_EQ(claim_for(claims, "timeslice", "memory").holds, "no");
  EXPECT_EQ(claim_for(claims, "timeslice", "fault").holds, "untested");
  EXPECT_THAT(claim_for(claims, "timeslice", "fault").basis, HasSubstr("no fault happened"));
  EXPECT_EQ(claim_for(claims, "mig", "memory").holds, "untested");
  EXPECT_EQ(claim_for(claims, "mig", "memory").basis, "not measured");
}

TEST(IsolationVerdict, TestInstrumentCellsNeitherConfirmNorRefuteAClaim) {
  isolation_cell mps_fault;
  mps_fault.mechanism = "mps";
  mps_fault.property = "fault";
  mps_fault.verdict = "isolated";
  mps_fault.flags = {"host_instruments_only"};
  isolation_cell compute;
  compute.mechanism = "mps";
  compute.property = "compute";
  compute.verdict = "isolated";
  compute.figures["mechanism_overhead"] = 0.5;
  compute.flags = {"invalid"};
  const std::vector<isolation_claim> claims = check_claims({mps_fault, compute});
  EXPECT_EQ(claim_for(claims, "mps", "fault").holds, "untested");
  EXPECT_THAT(claim_for(claims, "mps", "fault").basis, HasSubstr("test instruments"));
  EXPECT_EQ(claim_for(claims, "mps", "overhead").holds, "untested");
}

TEST(IsolationVerdict, OverheadClaimsUseTheComputeScenarioWithFivePointsOfSlack) {
  const auto holds = [](const std::string& mechanism, double overhead) {
    isolation_cell compute;
    compute.mechanism = mechanism;
    compute.property = "compute";
    compute.verdict = "isolated";
    compute.figures["mechanism_overhead"] = overhead;
    return claim_for(check_claims({compute}), mechanism, "overhead").holds;
  };
  EXPECT_EQ(holds("timeslice", 0.12), "yes");
  EXPECT_EQ(holds("timeslice", 0.199), "yes");
  EXPECT_EQ(holds("timeslice", 0.21), "no");
  EXPECT_EQ(holds("timeslice", 0.04), "no");
  EXPECT_EQ(holds("mps", 0.0), "yes");
  EXPECT_EQ(holds("mps", 0.11), "no");
  EXPECT_EQ(holds("mig", -0.04), "yes");
  EXPECT_EQ(claim_for(check_claims({}), "mps", "overhead").holds, "untested");
}

} // namespace
} // namespace gpushare
