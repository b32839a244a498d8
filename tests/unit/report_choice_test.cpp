// "What to choose" and --fleet: mechanisms ranked by each tenant's speed against a dedicated
// GPU, the infer tenant's p99 against --latency-bound, what the GPU model allows (MIG, MPS
// isolation), fleet sizes from the measured tenant counts, and the fleet and bound texts
// parsed strictly. The documents hold written figures, not measurements.

#include "common/error.hpp"
#include "report/json_writer.hpp"
#include "report/report_choice.hpp"
#include "report_samples.hpp"
#include "run_binary.hpp"
#include "sample_records.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <unistd.h>

namespace gpushare::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

report_document same_workload_document() {
  report_document document = make_sharing_document();
  run_record mps = sharing_run("mps", {1.5, 1.5});
  run_record mig = sharing_run("mig", {1.0, 1.0});
  for (tenant_record& tenant : mig.tenants) {
    tenant.fraction_of_full_gpu = 0.45;
  }
  document.runs = {sharing_run("timeslice", {1.9, 2.1}), sharing_run("timeslice", {4, 4, 4, 4}),
                   mps, mig};
  return document;
}

TEST(ReportChoice, RanksMechanismsBySpeedAgainstADedicatedGpu) {
  const auto source = report::build_source_model(same_workload_document(), "h100.json");
  const auto choices = report::rank_mechanisms(source);
  ASSERT_EQ(choices.size(), 2u);
  const auto& two = choices[0];
  EXPECT_EQ(two.tenants, 2);
  ASSERT_EQ(two.ranked.size(), 3u);
  EXPECT_EQ(two.ranked[0].mode, "mps");
  EXPECT_DOUBLE_EQ(two.ranked[0].speed, 1 / 1.5);
  EXPECT_EQ(two.ranked[1].mode, "timeslice");
  EXPECT_DOUBLE_EQ(two.ranked[1].speed, 0.5); // median slowdown 2.0
  EXPECT_EQ(two.ranked[2].mode, "mig");
  EXPECT_DOUBLE_EQ(two.ranked[2].speed, 0.45); // instance's share / slowdown 1.0
  EXPECT_EQ(report::describe_choice(two),
            "2 tenants of gemm:dtype=fp16,k=4096,m=4096,n=4096: mps wins, each tenant at "
            "66.7 % of a dedicated GPU; timeslice 50.0 % (mps 1.33x faster); mig 45.0 % (mps "
            "1.48x faster).");
  EXPECT_THAT(report::describe_choice(choices[1]), HasSubstr("only timeslice measured"));
}

TEST(ReportChoice, MigWithoutAWholeGpuBaselineIsNotRanked) {
  report_document document = same_workload_document();
  for (tenant_record& tenant : document.runs[3].tenants) {
    tenant.fraction_of_full_gpu.reset();
  }
  const auto choices = report::rank_mechanisms(report::build_source_model(document, "h100.json"));
  for (const auto& option : choices.at(0).ranked) {
    EXPECT_NE(option.mode, "mig");
  }
}

TEST(ReportChoice, FleetUsesTheLargestMeasuredTenantCountThatFits) {
  const auto source = report::build_source_model(same_workload_document(), "h100.json");
  // 85.5 GB of device memory holds nine 8 GiB workloads; timeslice was measured at 4.
  const auto fleet = report::plan_fleet(source, report::parse_fleet("40x8GiB"));
  ASSERT_EQ(fleet.size(), 3u);
  EXPECT_EQ(fleet[0].mechanism, "dedicated");
  EXPECT_EQ(*fleet[0].gpus, 40);
  EXPECT_EQ(fleet[1].mechanism, "timeslice");
  EXPECT_EQ(*fleet[1].per_gpu, 4);
  EXPECT_EQ(*fleet[1].gpus, 10);
  EXPECT_DOUBLE_EQ(*fleet[1].speed, 0.25);
  EXPECT_THAT(fleet[1].basis, HasSubstr("memory would hold 9"));
  EXPECT_EQ(fleet[2].mechanism, "mps");
  EXPECT_EQ(*fleet[2].gpus, 20);

  // Workloads too large for two per GPU: no shared figure applies, none is made up.
  const auto large = report::plan_fleet(source, report::parse_fleet("3x50GiB"));
  EXPECT_FALSE(large[1].gpus);
  EXPECT_THAT(large[1].basis, HasSubstr("not measured at a tenant count whose memory fits"));
}

TEST(ReportChoice, FleetTextIsParsedStrictly) {
  const auto fleet = report::parse_fleet("40x8GiB");
  EXPECT_EQ(fleet.workloads, 40);
  EXPECT_EQ(fleet.memory_bytes, 8ull << 30);
  EXPECT_EQ(report::parse_fleet("3X1.5gb").memory_bytes, 1'500'000'000ull);
  EXPECT_EQ(report::parse_fleet("2x512MiB").memory_bytes, 512ull << 20);
  for (const char* bad :
       {"x8GiB", "40x", "40x8", "-1x8GiB", "0x8GiB", "40x8TiB", "40by8GiB", "40x-2GiB"}) {
    EXPECT_THROW((void)report::parse_fleet(bad), usage_error) << bad;
  }
}

TEST(ReportChoice, ReportCommandWritesTheFleetTableAndRefusesABadFleet) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("gpushare-report-fleet-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string json = (dir / "h100.json").string();
  report::write_json_report(same_workload_document(), json);
  const auto run =
      run_gpushare({"report", json, "-o", (dir / "out").string(), "--fleet", "40x8GiB"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream in(dir / "out" / "report.md");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("### What to choose on this card"));
  EXPECT_THAT(text.str(), HasSubstr("| timeslice | 10 | 4 | 25.0 % |"));
  EXPECT_THAT(text.str(), HasSubstr("| mig |"));
  EXPECT_THAT(text.str(), HasSubstr("(mig planner)"));
  const auto bad = run_gpushare({"report", json, "-o", (dir / "bad").string(), "--fleet", "lots"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--fleet lots"));
  fs::remove_all(dir);
}

/// An infer tenant whose p99 was `solo_p99_us` alone and `shared_p99_us` shared.
tenant_record infer_tenant(int id, double solo_p99_us, double shared_p99_us) {
  tenant_record tenant;
  tenant.id = id;
  tenant.workload = "infer:batch=1";
  tenant.status = "ok";
  tenant.solo = make_gemm_result(200);
  tenant.solo->workload = tenant.workload;
  tenant.solo->latency_us.p99 = solo_p99_us;
  tenant.shared = make_gemm_result(300);
  tenant.shared->workload = tenant.workload;
  tenant.shared->latency_us.p99 = shared_p99_us;
  tenant.slowdown = 1.5;
  tenant.p99_inflation = shared_p99_us / solo_p99_us;
  return tenant;
}

/// A gemm tenant beside an infer tenant, under timeslice (p99 7.5 ms shared) and mps (1.2 ms),
/// both 0.8 ms alone.
report_document latency_document() {
  report_document document = make_sharing_document();
  run_record timeslice = sharing_run("timeslice", {2.0});
  timeslice.tenants.push_back(infer_tenant(1, 800, 7500));
  run_record mps = sharing_run("mps", {1.4});
  mps.tenants.push_back(infer_tenant(1, 800, 1200));
  document.runs = {timeslice, mps};
  return document;
}

TEST(ReportChoiceLatency, WithoutABoundNamesTheLowestP99AndByHowMuch) {
  const auto source = report::build_source_model(latency_document(), "h100.json");
  const auto choices = report::latency_choices(source, std::nullopt);
  ASSERT_EQ(choices.size(), 1u);
  const auto& choice = choices[0];
  EXPECT_EQ(choice.tenants, 2);
  EXPECT_FALSE(choice.bound_us);
  ASSERT_EQ(choice.ranked.size(), 2u);
  EXPECT_EQ(choice.ranked[0].mode, "mps");
  EXPECT_DOUBLE_EQ(choice.ranked[0].p99_us, 1200);
  EXPECT_DOUBLE_EQ(*choice.ranked[0].solo_p99_us, 800);
  EXPECT_DOUBLE_EQ(*choice.ranked[0].p99_inflation, 1.5);
  EXPECT_FALSE(choice.ranked[0].within_bound) << "no pass or fail without a bound";
  EXPECT_EQ(choice.ranked[1].mode, "timeslice");
  EXPECT_EQ(report::describe_latency(choice),
            "2 tenants of gemm:dtype=fp16,k=4096,m=4096,n=4096; infer:batch=1: mps gives the "
            "infer tenant the lowest p99, 1.20 ms; timeslice 7.50 ms (6.25x higher).");
}

TEST(ReportChoiceLatency, ABoundIsCheckedForEachMechanismAndAnExceededOneSaysSo) {
  const auto source = report::build_source_model(latency_document(), "h100.json");
  const auto choice = report::latency_choices(source, 5.0).at(0);
  EXPECT_DOUBLE_EQ(*choice.bound_us, 5000);
  EXPECT_EQ(choice.ranked[0].mode, "mps");
  EXPECT_TRUE(*choice.ranked[0].within_bound);
  EXPECT_EQ(choice.ranked[1].mode, "timeslice");
  EXPECT_FALSE(*choice.ranked[1].within_bound);
  EXPECT_EQ(report::describe_latency(choice),
            "2 tenants of gemm:dtype=fp16,k=4096,m=4096,n=4096; infer:batch=1: p99 of the infer "
            "tenant against the 5.00 ms bound: mps 1.20 ms, within; timeslice 7.50 ms, exceeds it "
            "(1.50x the bound).");

  // Below even the tenant's p99 alone: no mechanism is within, and sharing is not the cause.
  const std::string tight = report::describe_latency(report::latency_choices(source, 0.5).at(0));
  EXPECT_THAT(tight, HasSubstr("mps 1.20 ms, exceeds it (2.40x the bound), and already 800 us "
                               "alone"));
  EXPECT_THAT(tight, HasSubstr("no mechanism measured here keeps it within the bound"));
}

TEST(ReportChoiceLatency, AMechanismUnderWhichTheInferTenantDiedStaysInTheRuleAndComesLast) {
  report_document document = latency_document();
  tenant_record& infer = document.runs[0].tenants.back(); // timeslice
  infer.status = "timeout";
  infer.failure = "shared phase: killed after the tenant timeout of 60 s";
  infer.shared.reset();
  infer.p99_inflation.reset();
  const auto source = report::build_source_model(document, "h100.json");
  const auto bounded = report::latency_choices(source, 5.0).at(0);
  ASSERT_EQ(bounded.ranked.size(), 2u);
  EXPECT_EQ(bounded.ranked[1].mode, "timeslice");
  EXPECT_FALSE(*bounded.ranked[1].within_bound);
  EXPECT_THAT(report::describe_latency(bounded),
              HasSubstr("mps 1.20 ms, within; timeslice: the infer tenant did not finish "
                        "(timeout: shared phase: killed after the tenant timeout of 60 s)"));
  const auto unbounded = report::latency_choices(source, std::nullopt).at(0);
  EXPECT_THAT(report::describe_latency(unbounded),
              HasSubstr("mps gives the infer tenant the lowest p99, 1.20 ms; timeslice: the infer "
                        "tenant did not finish"));
}

TEST(ReportChoiceLatency, RunsWithoutAnInferTenantHaveNoLatencyLine) {
  const auto source = report::build_source_model(same_workload_document(), "h100.json");
  EXPECT_TRUE(report::latency_choices(source, 5.0).empty());
}

TEST(ReportChoiceLatency, BoundTextIsParsedStrictly) {
  EXPECT_DOUBLE_EQ(report::parse_latency_bound("50"), 50);
  EXPECT_DOUBLE_EQ(report::parse_latency_bound("2.5"), 2.5);
  for (const char* bad : {"", "0", "-3", "5ms", "fast", "inf", "nan", "1e306", "86400001"}) {
    EXPECT_THROW((void)report::parse_latency_bound(bad), usage_error) << bad;
  }
}

report::source_model board_source(const std::string& name, int major, int minor,
                                  const std::string& mig_mode,
                                  std::optional<std::string> catalog_board) {
  report_document document = make_sharing_document();
  gpu_info& gpu = document.environment.gpus.front();
  gpu.name = name;
  gpu.compute_capability_major = major;
  gpu.compute_capability_minor = minor;
  gpu.mig_mode = mig_mode;
  report::source_model source = report::build_source_model(document, "gpu.json");
  source.mig_board = std::move(catalog_board);
  return source;
}

TEST(ReportChoiceGpuModel, AMigBoardInTheCatalogHasMigAndVoltaMps) {
  const auto rule =
      report::gpu_model_rule(board_source("NVIDIA H100 80GB HBM3", 9, 0, "disabled", "H100-80GB"));
  ASSERT_TRUE(rule);
  EXPECT_EQ(report::gpu_model_heading(*rule), "NVIDIA H100 80GB HBM3, compute capability 9.0");
  EXPECT_TRUE(rule->mig_available);
  EXPECT_THAT(rule->mig, HasSubstr("available: H100-80GB in the MIG profile catalog"));
  EXPECT_THAT(rule->mig, HasSubstr("MIG is off"));
  EXPECT_THAT(rule->mps, HasSubstr("Volta or later: each client has its own GPU address space"));
  EXPECT_EQ(rule->mig_column, "measured") << "the sample document has a mig run";
}

TEST(ReportChoiceGpuModel, BoardsBeforeAmpereHaveNoMigAndBeforeVoltaNoMpsContainment) {
  const auto pascal =
      report::gpu_model_rule(board_source("Tesla P100-PCIE-16GB", 6, 0, "unsupported", ""));
  EXPECT_FALSE(pascal->mig_available);
  EXPECT_EQ(pascal->mig, "not available: MIG needs compute capability 8.0 (Ampere) or later, "
                         "and this board has 6.0");
  EXPECT_THAT(pascal->mps, HasSubstr("before Volta (compute capability 6.0): the clients share "
                                     "one GPU address space"));
  EXPECT_THAT(pascal->mps, HasSubstr("no memory protection or fault containment"));

  const auto turing = report::gpu_model_rule(board_source("Tesla T4", 7, 5, "unsupported", ""));
  EXPECT_FALSE(turing->mig_available);
  EXPECT_THAT(turing->mps, HasSubstr("Volta or later"));

  // Ampere without MIG: the compute capability allows it, the catalog and driver do not.
  const auto geforce =
      report::gpu_model_rule(board_source("NVIDIA GeForce RTX 4090", 8, 9, "unknown", ""));
  EXPECT_FALSE(geforce->mig_available);
  EXPECT_THAT(geforce->mig, HasSubstr("not in the MIG profile catalog"));

  // A catalog board on which the driver hides MIG (a vGPU, say): the driver wins.
  const auto hidden = report::gpu_model_rule(
      board_source("NVIDIA A100-SXM4-40GB", 8, 0, "unsupported", "A100-40GB"));
  EXPECT_FALSE(hidden->mig_available);
  EXPECT_THAT(hidden->mig, HasSubstr("the driver reports MIG unsupported"));
}

TEST(ReportChoiceGpuModel, ASkippedMigRunIsReportedWithItsReason) {
  report_document document = make_sharing_document();
  document.runs.pop_back(); // the measured mig run
  run_record mig;
  mig.mode = "mig";
  mig.status = run_status::skipped;
  mig.reason = "MIG is disabled on GPU 0";
  document.runs.push_back(mig);
  auto source = report::build_source_model(document, "h100.json");
  source.mig_board = "H100-80GB";
  EXPECT_EQ(report::gpu_model_rule(source)->mig_column,
            "not measured: the mig run was skipped: MIG is disabled on GPU 0");

  document.runs.pop_back();
  source = report::build_source_model(document, "h100.json");
  EXPECT_EQ(report::gpu_model_rule(source)->mig_column, "not measured: no mig run in this report");
}

TEST(ReportChoiceGpuModel, AReportWithoutAGpuHasNoGpuRule) {
  EXPECT_FALSE(
      report::gpu_model_rule(report::build_source_model(make_host_only_document(), "host.json")));
}

TEST(ReportChoice, ReportCommandAppliesTheLatencyBoundAndTheGpuModel) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("gpushare-report-latency-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string json = (dir / "h100.json").string();
  report::write_json_report(latency_document(), json);
  const auto run =
      run_gpushare({"report", json, "-o", (dir / "out").string(), "--latency-bound", "5"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream in(dir / "out" / "report.md");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("against --latency-bound 5.00 ms"));
  EXPECT_THAT(text.str(), HasSubstr("timeslice 7.50 ms, exceeds it (1.50x the bound)"));
  EXPECT_THAT(text.str(),
              HasSubstr("**GPU model**: NVIDIA H100 80GB HBM3, compute capability 9.0"));
  // The catalog lookup happens in the command: the report layer cannot see mig/.
  EXPECT_THAT(text.str(), HasSubstr("- MIG: available: H100-80GB in the MIG profile catalog"));
  EXPECT_THAT(text.str(), HasSubstr("- mig column: not measured: no mig run in this report"));
  std::ifstream page(dir / "out" / "index.html");
  std::stringstream html;
  html << page.rdbuf();
  EXPECT_THAT(html.str(), HasSubstr("<strong>Latency bound</strong>"));
  EXPECT_THAT(html.str(), HasSubstr("<li>MIG: available: H100-80GB"));

  const auto bad =
      run_gpushare({"report", json, "-o", (dir / "bad").string(), "--latency-bound", "soon"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--latency-bound soon"));
  EXPECT_FALSE(fs::exists(dir / "bad" / "index.html"));
  for (const char* option : {"--latency-bound", "--fleet"}) {
    const auto empty = run_gpushare({"report", json, "-o", (dir / "bad").string(), option, ""});
    EXPECT_EQ(empty.exit_code, 2) << option << " given empty is no bound to leave out";
    EXPECT_THAT(empty.err, HasSubstr("must not be empty")) << option;
    EXPECT_FALSE(fs::exists(dir / "bad" / "index.html"));
  }
  fs::remove_all(dir);
}

} // namespace
} // namespace gpushare::test
