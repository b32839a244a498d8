// Workload rates against calibrated limits: the fraction is reported, and a rate clearly above
// what the card itself reached is an error that fails the run. The calibration is the written
// sample of sample_records.hpp (H100-like figures, not a measurement).

#include "harness/physical_limits.hpp"
#include "sample_records.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace gpushare {
namespace {

/// A workload that ran `per_s` iterations per second (the median of its repetitions) for
/// `seconds` from `start_s` on the shared monotonic clock.
workload_result rate_result(const std::string& workload, double flops, double bytes, double per_s,
                            double start_s = 100, double seconds = 1) {
  workload_result result;
  result.workload = workload;
  result.flops_per_iteration = flops;
  result.bytes_per_iteration = bytes;
  result.throughput_per_s = test::summary_of(per_s, per_s * 0.99, per_s * 1.01);
  result.iterations = static_cast<std::uint64_t>(per_s * seconds);
  result.repetition_iteration_time_us.assign(5, 1e6 / per_s);
  result.first_iteration_start_ns = static_cast<std::uint64_t>(start_s * 1e9);
  return result;
}

constexpr double gemm_8192_flops = 2.0 * 8192.0 * 8192.0 * 8192.0; // 1.1 TFLOP

workload_result fp16_gemm(double tflops, double start_s = 100) {
  return rate_result("gemm:dtype=fp16,k=8192,m=8192,n=8192", gemm_8192_flops, 0,
                     tflops * 1e12 / gemm_8192_flops, start_s);
}

tenant_record tenant(int id, std::optional<workload_result> solo,
                     std::optional<workload_result> shared = std::nullopt) {
  tenant_record record;
  record.id = id;
  record.workload = solo ? solo->workload : shared->workload;
  record.status = "ok";
  record.solo = std::move(solo);
  record.shared = std::move(shared);
  return record;
}

bool has_flag(const run_record& run, const std::string& flag) {
  return std::find(run.flags.begin(), run.flags.end(), flag) != run.flags.end();
}

TEST(PhysicalLimits, GemmIsAFractionOfItsDtypePeak) {
  const auto checks = check_against_limits(fp16_gemm(560), test::sample_calibration());
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].limit, "gemm_fp16_tflops");
  EXPECT_NEAR(checks[0].achieved, 560, 1e-6);
  EXPECT_DOUBLE_EQ(checks[0].limit_value, 700);
  EXPECT_NEAR(checks[0].fraction, 0.8, 1e-9);
  EXPECT_TRUE(checks[0].enforced);
}

TEST(PhysicalLimits, ADtypeTheCalibrationDidNotMeasureHasNoCheck) {
  workload_result bf16 = fp16_gemm(560);
  bf16.workload = "gemm:dtype=bf16,k=8192,m=8192,n=8192";
  EXPECT_TRUE(check_against_limits(bf16, test::sample_calibration()).empty());
}

TEST(PhysicalLimits, ResultAboveTheMeasuredLimitFailsTheRun) {
  run_record run;
  run.mode = "timeslice";
  run.tenants = {tenant(0, fp16_gemm(560)), tenant(1, fp16_gemm(840))}; // 1.2x the peak
  const auto violations = apply_limits(run, test::sample_calibration());
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].find("tenant 1"), std::string::npos) << violations[0];
  EXPECT_NE(violations[0].find("solo"), std::string::npos) << violations[0];
  EXPECT_EQ(run.status, run_status::failed);
  EXPECT_TRUE(has_flag(run, "above_physical_limit"));
  EXPECT_NE(run.reason.find("not a record"), std::string::npos) << run.reason;
  EXPECT_NE(run.reason.find("gemm_fp16_tflops"), std::string::npos) << run.reason;
  // Both tenants keep their checks, so the report shows how far each one was.
  EXPECT_NEAR(run.tenants[0].solo->limits.at(0).fraction, 0.8, 1e-9);
  EXPECT_NEAR(run.tenants[1].solo->limits.at(0).fraction, 1.2, 1e-9);
}

TEST(PhysicalLimits, WithinTheToleranceIsNoError) {
  run_record run;
  run.tenants = {tenant(0, fp16_gemm(700 * (1 + limit_tolerance) * 0.999))};
  EXPECT_TRUE(apply_limits(run, test::sample_calibration()).empty());
  EXPECT_EQ(run.status, run_status::ok);
  EXPECT_FALSE(has_flag(run, "above_physical_limit"));
}

TEST(PhysicalLimits, SharedPhaseSumIsCheckedToo) {
  // Each tenant alone is plausible; together they claim 1.5x what the card can do.
  run_record run;
  run.tenants = {tenant(0, fp16_gemm(500), fp16_gemm(350)),
                 tenant(1, fp16_gemm(500), fp16_gemm(350)),
                 tenant(2, fp16_gemm(500), fp16_gemm(350))};
  const auto violations = apply_limits(run, test::sample_calibration());
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].find("all tenants together"), std::string::npos) << violations[0];
  ASSERT_EQ(run.limits.size(), 1u);
  EXPECT_NEAR(run.limits[0].achieved, 1050, 1e-6);
  EXPECT_NEAR(run.limits[0].fraction, 1.5, 1e-9);
  EXPECT_EQ(run.status, run_status::failed);
}

TEST(PhysicalLimits, MemoryBoundWorkloadAgainstTheBetterMemoryFigure) {
  // triad over 3 x 1 GiB: far beyond L2, so device memory bounds it; the sample's triad
  // (3,000 GB/s) beat its copy (2,900), so the triad figure is the limit.
  const double bytes = 3.0 * (1ull << 30);
  const auto checks =
      check_against_limits(rate_result("triad:dtype=fp32,n=268435456", 0, bytes, 2400e9 / bytes),
                           test::sample_calibration());
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].limit, "device_memory_gb_per_s");
  EXPECT_DOUBLE_EQ(checks[0].limit_value, 3000);
  EXPECT_DOUBLE_EQ(checks[0].limit_high, 3010);
  EXPECT_NEAR(checks[0].fraction, 0.8, 1e-9);
  EXPECT_TRUE(checks[0].enforced);
}

TEST(PhysicalLimits, TheToleranceIsTakenAboveTheIntervalsUpperEnd) {
  const calibration_result limits = test::sample_calibration(); // fp16: 700 [690, 705]
  const double bound = 705 * (1 + limit_tolerance);
  EXPECT_FALSE(exceeds_limit(check_against_limits(fp16_gemm(bound * 0.999), limits).at(0)));
  EXPECT_TRUE(exceeds_limit(check_against_limits(fp16_gemm(bound * 1.001), limits).at(0)));
}

TEST(PhysicalLimits, ALimitWithoutAUsableValueIsNeitherAFractionNorEnforced) {
  calibration_result limits = test::sample_calibration();
  limits.gemm[1].tflops.median = 0;
  const auto checks = check_against_limits(fp16_gemm(5000), limits);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_TRUE(std::isnan(checks[0].fraction));
  EXPECT_FALSE(checks[0].enforced);
  EXPECT_FALSE(exceeds_limit(checks[0]));
}

TEST(PhysicalLimits, AFlaggedCalibrationIsReportedButNotEnforced) {
  run_record run;
  run.tenants = {tenant(0, fp16_gemm(840))};
  EXPECT_TRUE(apply_limits(run, test::sample_calibration(), {"noisy", "throttled"}).empty());
  EXPECT_EQ(run.status, run_status::ok);
  const limit_check& check = run.tenants[0].solo->limits.at(0);
  EXPECT_NEAR(check.fraction, 1.2, 1e-9);
  EXPECT_FALSE(check.enforced);
  EXPECT_NE(check.note.find("flagged throttled, noisy"), std::string::npos) << check.note;
}

TEST(PhysicalLimits, AMigRunIsNotCheckedAgainstOneInstancesLimits) {
  calibration_result instance = test::sample_calibration();
  instance.whole_gpu = false;
  run_record mig;
  mig.mode = "mig";
  mig.tenants = {tenant(0, fp16_gemm(600), fp16_gemm(600)),
                 tenant(1, fp16_gemm(600), fp16_gemm(600))};
  EXPECT_TRUE(apply_limits(mig, instance).empty());
  EXPECT_TRUE(mig.tenants[0].solo->limits.empty());
  EXPECT_TRUE(mig.limits.empty());
  // A timeslice run on that instance is checked: its tenants ran where the calibration did.
  run_record timeslice;
  timeslice.mode = "timeslice";
  timeslice.tenants = {tenant(0, fp16_gemm(900))};
  EXPECT_EQ(apply_limits(timeslice, instance).size(), 1u);
}

TEST(PhysicalLimits, AnEarlierReasonIsKept) {
  run_record run;
  run.reason = "tenant 2 timed out";
  run.tenants = {tenant(0, fp16_gemm(900))};
  ASSERT_EQ(apply_limits(run, test::sample_calibration()).size(), 1u);
  EXPECT_EQ(run.reason.rfind("tenant 2 timed out; a measured rate", 0), 0u) << run.reason;
}

TEST(PhysicalLimits, SharedSumOnlyForTenantsThatTimedTogether) {
  // Tenant 1 started when tenant 0 was half done: their medians were not measured at the same
  // time, so their sum means nothing.
  run_record run;
  run.tenants = {tenant(0, fp16_gemm(500), fp16_gemm(500, 100.0)),
                 tenant(1, fp16_gemm(500), fp16_gemm(500, 100.5))};
  EXPECT_NEAR(*shared_overlap(run.tenants), 0.5 / 1.5, 2e-3); // whole iterations
  EXPECT_TRUE(apply_limits(run, test::sample_calibration()).empty());
  ASSERT_EQ(run.limits.size(), 1u);
  EXPECT_FALSE(run.limits[0].enforced);
  EXPECT_NE(run.limits[0].note.find("timed together for only 33 %"), std::string::npos)
      << run.limits[0].note;
  EXPECT_EQ(run.status, run_status::ok);

  run.tenants[1].shared->first_iteration_start_ns = 0; // unknown
  EXPECT_FALSE(shared_overlap(run.tenants).has_value());
  EXPECT_TRUE(apply_limits(run, test::sample_calibration()).empty());
  EXPECT_FALSE(run.limits[0].enforced);
}

TEST(PhysicalLimits, SharedMemorySumUsesTheTenantsJointWorkingSet) {
  // Each triad keeps 3 x 16 MiB = 48 MiB: alone it fits in twice the 50 MiB L2, three of them
  // together (144 MiB) do not, and together they claim 4,500 GB/s.
  const double bytes = 3.0 * (16ull << 20);
  const auto triad = [&] {
    return rate_result("triad:dtype=fp32,n=4194304", 0, bytes, 1500e9 / bytes);
  };
  run_record run;
  run.tenants = {tenant(0, triad(), triad()), tenant(1, triad(), triad()),
                 tenant(2, triad(), triad())};
  const auto violations = apply_limits(run, test::sample_calibration());
  EXPECT_FALSE(run.tenants[0].shared->limits.at(0).enforced);
  ASSERT_EQ(run.limits.size(), 1u);
  EXPECT_TRUE(run.limits[0].enforced);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].find("all tenants together"), std::string::npos) << violations[0];

  run.tenants.pop_back(); // two: 96 MiB, within twice the L2 again
  run.status = run_status::ok;
  EXPECT_TRUE(apply_limits(run, test::sample_calibration()).empty());
  EXPECT_FALSE(run.limits[0].enforced);
  EXPECT_NE(run.limits[0].note.find("96.0 MiB"), std::string::npos) << run.limits[0].note;
}

TEST(PhysicalLimits, CacheResidentWorkingSetIsReportedButNotEnforced) {
  // 3 x 8 MiB fits in the 50 MiB L2: faster than device memory is expected, not an error.
  const double bytes = 3.0 * (8ull << 20);
  run_record run;
  run.tenants = {tenant(0, rate_result("triad:dtype=fp32,n=2097152", 0, bytes, 7000e9 / bytes))};
  EXPECT_TRUE(apply_limits(run, test::sample_calibration()).empty());
  const limit_check& check = run.tenants[0].solo->limits.at(0);
  EXPECT_GT(check.fraction, 2.0);
  EXPECT_FALSE(check.enforced);
  EXPECT_NE(check.note.find("L2"), std::string::npos) << check.note;
  EXPECT_EQ(run.status, run_status::ok);
}

TEST(PhysicalLimits, MixedFlopsAreInformationalOnly) {
  const double n = 1 << 28;
  const auto checks = check_against_limits(
      rate_result("mixed:intensity=128,n=268435456", 2 * 256 * n, 8 * n, 60e12 / (2 * 256 * n)),
      test::sample_calibration());
  ASSERT_EQ(checks.size(), 2u);
  const auto flops = std::find_if(checks.begin(), checks.end(), [](const limit_check& check) {
    return check.limit == "gemm_fp32_tflops";
  });
  ASSERT_NE(flops, checks.end());
  EXPECT_NEAR(flops->fraction, 1.2, 1e-9);
  EXPECT_FALSE(flops->enforced);
}

TEST(PhysicalLimits, HostInstrumentsAndUnknownWorkloadsHaveNoChecks) {
  workload_result sleeper = rate_result("host-sleep:ms=2", 0, 0, 500);
  sleeper.host_only = true;
  EXPECT_TRUE(check_against_limits(sleeper, test::sample_calibration()).empty());
  EXPECT_TRUE(
      check_against_limits(rate_result("infer:batch=1", 1e9, 1e6, 1000), test::sample_calibration())
          .empty());
  workload_result failed = fp16_gemm(2000);
  failed.throughput_per_s = {}; // never measured (verification failed)
  EXPECT_TRUE(check_against_limits(failed, test::sample_calibration()).empty());
}

TEST(PhysicalLimits, StreamsCopyStagesAgainstTheHostLinks) {
  run_record run;
  run.mode = "streams";
  run.streams = test::sample_streams(); // 256 MiB each way: H2D 10.5 ms, D2H 10.3 ms
  EXPECT_TRUE(apply_limits(run, test::sample_calibration()).empty());
  ASSERT_EQ(run.limits.size(), 2u);
  EXPECT_EQ(run.limits[0].limit, "host_to_device_gb_per_s");
  EXPECT_NEAR(run.limits[0].achieved, 268.435456 / 10.5, 1e-9);
  EXPECT_NEAR(run.limits[0].fraction, 268.435456 / 10.5 / 53, 1e-9);
  EXPECT_EQ(run.limits[1].limit, "device_to_host_gb_per_s");
  EXPECT_EQ(run.status, run_status::ok);

  // A pinned copy three times faster than the link measured alone cannot be real.
  run.streams->copy_pipeline.h2d_us = test::summary_of(1'500, 1'450, 1'550);
  const auto violations = apply_limits(run, test::sample_calibration());
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].find("streams copy pipeline"), std::string::npos) << violations[0];
  EXPECT_EQ(run.status, run_status::failed);
  EXPECT_TRUE(has_flag(run, "above_physical_limit"));
}

TEST(PhysicalLimits, LatestSuccessfulCalibrationApplies) {
  std::vector<run_record> runs(3);
  runs[0].mode = "calibrate";
  runs[0].calibration = test::sample_calibration();
  runs[1].mode = "calibrate";
  runs[1].calibration = test::sample_calibration();
  runs[1].calibration->l2_cache_bytes = 1;
  runs[2].mode = "calibrate";
  runs[2].status = run_status::failed;
  runs[2].calibration = test::sample_calibration();
  const run_record* latest = latest_calibration(runs);
  ASSERT_NE(latest, nullptr);
  EXPECT_EQ(latest->calibration->l2_cache_bytes, 1u);
  EXPECT_EQ(latest_calibration({}), nullptr);
}

} // namespace
} // namespace gpushare
