// "What to choose" and --fleet: mechanisms ranked by each tenant's speed against a dedicated
// GPU, fleet sizes from the measured tenant counts, and the fleet text parsed strictly. The
// documents hold written figures, not measurements.

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

} // namespace
} // namespace gpushare::test
