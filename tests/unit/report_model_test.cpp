// The model `gpushare-bench report` renders: matrix rows and cells, the slowdown definition,
// host-only detection and the chart series, from documents with written figures.

#include "report/report_model.hpp"
#include "report_samples.hpp"
#include "sample_records.hpp"

#include <gtest/gtest.h>

namespace gpushare::test {
namespace {

using report::build_source_model;
using report::source_model;

TEST(ReportModel, MatrixHasOneRowPerModeAndWorkloadsAndOneCellPerTenantCount) {
  const source_model model = build_source_model(make_sharing_document(), "h100.json");
  EXPECT_EQ(model.label, "NVIDIA H100 80GB HBM3, driver 580.95.05, node-17");
  EXPECT_EQ(model.tenant_counts, (std::vector<int>{2, 4}));
  ASSERT_EQ(model.matrix.size(), 3u);
  const auto& timeslice = model.matrix[0];
  EXPECT_EQ(timeslice.mode, "timeslice");
  EXPECT_EQ(timeslice.workloads, "gemm:dtype=fp16,k=4096,m=4096,n=4096");
  ASSERT_EQ(timeslice.cells.size(), 2u);
  // Cells are ordered by tenant count although the 4-tenant run came first in the file.
  EXPECT_EQ(timeslice.cells[0].tenants, 2);
  EXPECT_DOUBLE_EQ(*timeslice.cells[0].slowdown, 1.95);
  EXPECT_DOUBLE_EQ(*timeslice.cells[0].slowdown_low, 1.9);
  EXPECT_DOUBLE_EQ(*timeslice.cells[0].slowdown_high, 2.0);
  EXPECT_DOUBLE_EQ(*timeslice.cells[1].slowdown, 4.1); // median of 3.8, 4.0, 4.2, 4.4
  EXPECT_DOUBLE_EQ(*timeslice.cells[1].mechanism_overhead, 0.025);
  EXPECT_EQ(timeslice.cells[1].flags, (std::vector<std::string>{"throttled"}));
  EXPECT_FALSE(timeslice.cells[0].host_only);

  const auto& mps = model.matrix[1];
  EXPECT_EQ(mps.workloads, "gemm:dtype=fp16,k=4096,m=4096,n=4096; infer:batch=1");
  EXPECT_DOUBLE_EQ(*mps.cells[0].p99_inflation, 3.25);
  EXPECT_FALSE(timeslice.cells[0].p99_inflation) << "no infer tenant, no p99 inflation";
  EXPECT_DOUBLE_EQ(*model.matrix[2].cells[0].interference, 1.01);
  EXPECT_FALSE(model.host_only);
}

TEST(ReportModel, TheGpuDescribedIsTheOneTheRunMeasured) {
  report_document document = make_sharing_document();
  gpu_info other = document.environment.gpus.front();
  other.index = 1;
  other.name = "NVIDIA A100-SXM4-40GB";
  other.compute_capability_major = 8;
  other.compute_capability_minor = 0;
  other.mig_mode = "enabled";
  document.environment.gpus.push_back(other);
  document.config.device = 1;
  const source_model model = build_source_model(document, "two-gpus.json");
  EXPECT_EQ(model.gpu_name, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(model.compute_capability_major, 8);
  EXPECT_EQ(model.mig_mode, "enabled");
  EXPECT_EQ(model.label.rfind("NVIDIA A100-SXM4-40GB", 0), 0u) << model.label;
  document.config.device = 7; // not listed: the first GPU rather than nothing
  EXPECT_EQ(build_source_model(document, "x.json").gpu_name,
            document.environment.gpus.front().name);
}

TEST(ReportModel, RunSlowdownIsTheMedianOfOkTenants) {
  run_record run = sharing_run("timeslice", {1.0, 3.0, 2.5});
  EXPECT_DOUBLE_EQ(*report::run_slowdown(run), 2.5);
  run.tenants[1].status = "failed";
  EXPECT_DOUBLE_EQ(*report::run_slowdown(run), 1.75);
  run.tenants.clear();
  EXPECT_FALSE(report::run_slowdown(run));
}

TEST(ReportModel, FailedTenantsAndHostInstrumentsAreFlagged) {
  const source_model model = build_source_model(make_full_document(), "full.json");
  const auto& cell = model.matrix.at(0).cells.at(0);
  EXPECT_EQ(cell.tenants, 2);
  EXPECT_EQ(cell.tenants_ok, 1);
  EXPECT_DOUBLE_EQ(*cell.slowdown, 1.9);
  EXPECT_TRUE(cell.host_only);
  for (const char* flag : {"tenant_failed", "throttled", "host_only"}) {
    EXPECT_NE(std::find(cell.flags.begin(), cell.flags.end(), flag), cell.flags.end()) << flag;
  }
  // Only one of its runs is all host-*: the file as a whole is not.
  EXPECT_FALSE(model.host_only);
  ASSERT_EQ(model.skipped.size(), 2u);
  EXPECT_EQ(model.skipped[0], "mig (skipped): MIG mode is disabled on GPU 0");
}

TEST(ReportModel, AFileOfHostInstrumentsOnlyIsHostOnly) {
  const report_document document = make_host_only_document();
  const source_model model = build_source_model(document, "dir/host.json");
  EXPECT_TRUE(model.host_only);
  EXPECT_EQ(model.label, "host.json") << "no GPU named: the file name";
  ASSERT_FALSE(model.latency.empty());
  EXPECT_TRUE(model.latency[0].curve.host_only);
}

TEST(ReportModel, LatencyCdfEndsAtOneAndRooflineUsesSoloRates) {
  const source_model model = build_source_model(make_sharing_document(), "h100.json");
  ASSERT_FALSE(model.latency.empty());
  const auto& curve = model.latency.front().curve.points;
  EXPECT_DOUBLE_EQ(curve.back().y, 1.0);
  for (std::size_t i = 1; i < curve.size(); ++i) {
    EXPECT_GT(curve[i].x, curve[i - 1].x);
    EXPECT_GE(curve[i].y, curve[i - 1].y);
  }
  // make_histogram's largest value, 9999999 ns, sits in the last bucket.
  EXPECT_GE(curve.back().x, 9999.999);

  ASSERT_TRUE(model.limits);
  EXPECT_DOUBLE_EQ(model.limits->peak_tflops, 700);
  EXPECT_EQ(model.limits->peak_dtype, "fp16");
  EXPECT_DOUBLE_EQ(model.limits->memory_gb_per_s, 3000) << "the better of copy and triad";
  ASSERT_FALSE(model.roofline.empty());
  const auto& gemm = model.roofline.front();
  EXPECT_DOUBLE_EQ(gemm.intensity_flop_per_byte, 4096.0 / 3.0); // 2n^3 / (3 * n^2 * 2 bytes)
  const double flops = 2.0 * 4096.0 * 4096.0 * 4096.0;
  EXPECT_DOUBLE_EQ(gemm.achieved_tflops, flops * (1e6 / 1500) / 1e12);

  ASSERT_EQ(model.streams.size(), 1u);
  EXPECT_EQ(model.streams[0].kernel_overlap.points.size(), 3u);
  EXPECT_DOUBLE_EQ(model.streams[0].kernel_overlap_ideal.points[2].y, 8);
}

TEST(ReportModel, IsolationMatrixHasAMechanismPerRowAndAPropertyPerColumn) {
  const report_document document = make_full_document();
  const source_model model = build_source_model(document, "full.json");
  const report::isolation_section& isolation = model.isolation;
  EXPECT_EQ(isolation.mechanisms,
            (std::vector<std::string>{"timeslice", "mps", "mps-limited", "mig"}))
      << "the usual order, although timeslice came last in the run";
  EXPECT_EQ(isolation.properties,
            (std::vector<std::string>{"memory", "fault", "latency", "compute"}));
  ASSERT_EQ(isolation.cells.size(), 6u);

  const report::isolation_entry* memory = isolation.at("mps", "memory");
  ASSERT_NE(memory, nullptr);
  EXPECT_EQ(memory->run_key, "isolation");
  EXPECT_EQ(memory->verdict, "none");
  EXPECT_EQ(memory->key_figure, std::optional<std::string>{"hog_held_bytes"});
  EXPECT_EQ(memory->key_value, std::optional<double>{76'235'669'504.0});
  EXPECT_EQ(memory->key_text, "hog_held_bytes 71.0 GiB");
  EXPECT_EQ(memory->evidence, document.runs[8].isolation->cells[0].evidence);
  EXPECT_FALSE(memory->host_only);
  EXPECT_EQ(memory->tenants.at(0), "victim tenant 0 hog:bytes=1073741824,chunk=268435456,hold_ms="
                                   "100: failed (shared: exit code 1: cudaErrorMemoryAllocation "
                                   "after 0 B held)");

  const report::isolation_entry* fault = isolation.at("mps", "fault");
  ASSERT_NE(fault, nullptr);
  EXPECT_EQ(fault->recovery_ms, std::optional<double>{850.5});
  EXPECT_EQ(fault->mps_fault,
            (std::vector<std::string>{
                "MPS recovery: a new client ran 851 ms after the last tenant exited (3 attempt(s))",
                "MPS recovery attempt failed: cudaErrorMpsServerNotReady",
                "MPS server state: server 4242: faulted client 4300 removed",
                "MPS server state: server 4250: ACTIVE",
                "MPS cleanup: quit the control daemon and started a fresh one"}));
  EXPECT_EQ(isolation.at("mps-limited", "latency")->tenants.at(0),
            "victim tenant 0 infer:batch=1: ok, slowdown 1.40x, p99 inflation 3.25x");
  EXPECT_EQ(isolation.at("mig", "latency"), nullptr) << "not measured: no cell";
  EXPECT_FALSE(isolation.at("mig", "compute")->key_figure);
  EXPECT_EQ(isolation.at("mig", "compute")->key_text, "-");
  EXPECT_TRUE(isolation.at("timeslice", "fault")->host_only);

  ASSERT_EQ(isolation.claims.size(), 5u);
  EXPECT_EQ(isolation.claims[2].mechanism, "mps-limited");
  EXPECT_EQ(isolation.claims[2].holds, "no");
  EXPECT_EQ(isolation.claims[4].property, "overhead");
  EXPECT_EQ(isolation.claims[4].run_key, "isolation");
  EXPECT_FALSE(model.host_only) << "one host-* cell among GPU ones";
}

TEST(ReportModel, IsolationOfHostInstrumentsOnlyMakesTheFileHostOnly) {
  run_record run = make_isolation_run();
  isolation_cell host_fault = run.isolation->cells[5];
  isolation_cell untested = run.isolation->cells[4];
  run.isolation->cells = {host_fault, untested};
  report_document document;
  document.runs = {run};
  EXPECT_TRUE(build_source_model(document, "host.json").host_only)
      << "the untested cell ran nothing and does not count";
  document.runs[0].isolation->cells[0].flags.clear();
  document.runs[0].isolation->cells[0].tenants[0].workload = "gemm:dtype=fp16,k=64,m=64,n=64";
  document.runs[0].isolation->cells[0].tenants[0].solo->host_only = false;
  document.runs[0].isolation->cells[0].tenants[0].shared->host_only = false;
  document.runs[0].isolation->cells[0].tenants[1].workload = "fault:after_ms=100";
  EXPECT_FALSE(build_source_model(document, "gpu.json").host_only);
}

TEST(ReportModel, AFailedIsolationRunIsListedNotShown) {
  report_document document;
  document.runs = {make_isolation_run()};
  document.runs[0].status = run_status::failed;
  document.runs[0].reason = "the MPS daemon did not come back";
  const source_model model = build_source_model(document, "f.json");
  EXPECT_TRUE(model.isolation.empty());
  EXPECT_TRUE(model.isolation.properties.empty()) << "no matrix, no columns";
  ASSERT_EQ(model.skipped.size(), 1u);
  EXPECT_EQ(model.skipped[0], "isolation (failed): the MPS daemon did not come back");
}

TEST(ReportModel, TelemetryTimelinesKeepSmClockAndPower) {
  const source_model model = build_source_model(make_full_document(), "full.json");
  ASSERT_EQ(model.telemetry.size(), 1u);
  EXPECT_TRUE(model.telemetry[0].throttled);
  ASSERT_EQ(model.telemetry[0].sm_clock_mhz.points.size(), 2u);
  EXPECT_DOUBLE_EQ(model.telemetry[0].sm_clock_mhz.points[1].y, 1950);
  EXPECT_DOUBLE_EQ(model.telemetry[0].power_w.points[0].x, 0.4);
}

} // namespace
} // namespace gpushare::test
