// `gpushare-bench mig ...` run as a user runs it: exit codes 0/1/2, tables and messages.

#include "run_binary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gpushare::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

/// Exit 2 with one line on stderr that names `must_mention`.
void expect_usage_error(const binary_run& run, const std::string& must_mention) {
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  const auto lines = lines_of(run.err);
  ASSERT_EQ(lines.size(), 1u) << run.err;
  EXPECT_THAT(lines[0], HasSubstr("gpushare-bench: "));
  EXPECT_THAT(lines[0], HasSubstr(must_mention));
}

TEST(MigCli, ProfilesPrintsTheBoardTable) {
  const auto run = run_gpushare({"mig", "profiles", "--gpu", "A100-40GB"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  for (const char* column : {"profile", "ID", "compute", "memory", "SMs", "max", "placements"}) {
    EXPECT_THAT(run.out, HasSubstr(column));
  }
  EXPECT_THAT(run.out, ::testing::ContainsRegex("1g\\.5gb +19 +1 +4\\.75 GiB +1 +14 +7 +"
                                                "\\{0,1,2,3,4,5,6\\}:1"));
  EXPECT_THAT(run.out, ::testing::ContainsRegex("3g\\.20gb +9 +3 +19\\.50 GiB +4 +42 +2 +"
                                                "\\{0,4\\}:4"));
  EXPECT_THAT(run.out, HasSubstr("Supported MIG Profiles"));
}

TEST(MigCli, ProfilesAcceptsTheDriverProductName) {
  const auto run = run_gpushare({"mig", "profiles", "--gpu", "NVIDIA H100 80GB HBM3"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("H100-80GB"));
  EXPECT_THAT(run.out, HasSubstr("7g.80gb"));
}

TEST(MigCli, ProfilesSaysWhatIsNotDocumented) {
  const auto run = run_gpushare({"mig", "profiles", "--gpu", "b200"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, ::testing::ContainsRegex("7g\\.180gb +\\? +7 +\\?"));
  EXPECT_THAT(run.out, HasSubstr("deduced"));
  EXPECT_THAT(run.out, HasSubstr("note: "));
}

TEST(MigCli, ValidGeometryExitsZeroWithAPlacementPerInstance) {
  // A greedy left-to-right fill rejects this one (see mig_geometry_test.cpp).
  const auto run =
      run_gpushare({"mig", "validate", "--gpu", "A100-40GB", "--geometry", "3g.20gb, 2x2g.10gb"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("3g.20gb,2g.10gb,2g.10gb is valid"));
  EXPECT_THAT(run.out, ::testing::ContainsRegex("3g\\.20gb +9 +4:4"));
  EXPECT_THAT(run.out, ::testing::ContainsRegex("2g\\.10gb +14 +0:2"));
  EXPECT_THAT(run.out, ::testing::ContainsRegex("2g\\.10gb +14 +2:2"));
}

TEST(MigCli, InvalidGeometryExitsOneAndSaysWhy) {
  auto run = run_gpushare({"mig", "validate", "--gpu", "A100-40GB", "--geometry", "4g.20gb,5"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("is not valid"));
  EXPECT_THAT(run.out, HasSubstr("2 x 4g.20gb requested, but at most 1"));
  EXPECT_THAT(run.out, Not(HasSubstr("is valid\n")));

  run = run_gpushare({"mig", "validate", "--gpu", "A30-24GB", "--geometry",
                      "2g.12gb,2x1g.6gb,"
                      "1g.6gb"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("need 5 compute slices; A30-24GB has 4"));
}

TEST(MigCli, UnknownGpuOrProfileExitsTwo) {
  auto run = run_gpushare({"mig", "validate", "--gpu", "V100", "--geometry", "1g.5gb"});
  expect_usage_error(run, "unknown GPU 'V100'");
  EXPECT_THAT(run.err, HasSubstr("A100-80GB"));
  run = run_gpushare({"mig", "validate", "--gpu", "A100-40GB", "--geometry", "1g.10gb+me"});
  expect_usage_error(run, "unknown MIG profile '1g.10gb+me'");
  run = run_gpushare({"mig", "profiles", "--gpu", "T4"});
  expect_usage_error(run, "unknown GPU");
  run = run_gpushare({"mig", "validate", "--gpu", "A100-40GB", "--geometry", "3g.20gb,,1g.5gb"});
  expect_usage_error(run, "empty profile");
}

TEST(MigCli, MissingOptionsAndActionExitTwo) {
  expect_usage_error(run_gpushare({"mig"}), "profiles, validate, plan");
  expect_usage_error(run_gpushare({"mig", "profiles"}), "--gpu");
  expect_usage_error(run_gpushare({"mig", "validate", "--gpu", "A100-40GB"}), "--geometry");
  expect_usage_error(run_gpushare({"mig", "plan", "--gpu", "A100-40GB"}), "--need");
  expect_usage_error(run_gpushare({"mig", "reshape"}), "reshape");
}

TEST(MigCli, HelpExplainsEveryAction) {
  auto run = run_gpushare({"mig", "--help"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const char* action : {"profiles", "validate", "plan", "Exit codes"}) {
    EXPECT_THAT(run.out, HasSubstr(action));
  }
  run = run_gpushare({"mig", "validate", "--help"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("--geometry"));
  EXPECT_THAT(run.out, HasSubstr("2x1g.10gb"));
  EXPECT_THAT(run.out, HasSubstr("Exit 0 valid, 1 not valid, 2 unknown GPU or profile"));
  run = run_gpushare({"mig", "plan", "--help"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("--need"));
  EXPECT_THAT(run.out, HasSubstr("SIZE:COUNT"));
  // mig is listed by the top-level help, not hidden.
  run = run_gpushare({"--help"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, ::testing::ContainsRegex("\n +mig +MIG planning"));
}

TEST(MigCli, PlanPrintsGeometriesIdleMemoryAndTheCostOfSharing) {
  const auto run = run_gpushare({"mig", "plan", "--gpu", "A100-80GB", "--need", "2GiB:40"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("40 workloads on 6 GPUs (no packing uses fewer)"));
  EXPECT_THAT(run.out, HasSubstr("GPU 0: 7x1g.10gb"));
  EXPECT_THAT(run.out, HasSubstr("GPU 5: 5x1g.10gb"));
  EXPECT_THAT(run.out, HasSubstr("idle: 37.50 GiB inside instances"));
  EXPECT_THAT(run.out, HasSubstr("MIG alone needs 6 GPUs"));
  EXPECT_THAT(run.out, ::testing::ContainsRegex("1x7g\\.80gb, shared +79\\.00 GiB +39 +2 +48 +2"));
  EXPECT_THAT(run.out, HasSubstr("fatal GPU fault in one client"));
}

TEST(MigCli, PlanWithANeedNoProfileHoldsExitsTwo) {
  expect_usage_error(
      run_gpushare({"mig", "plan", "--gpu", "A100-80GB", "--need", "8GiB:3", "--need", "100GiB"}),
      "the biggest A100-80GB profile, 7g.80gb");
  expect_usage_error(run_gpushare({"mig", "plan", "--gpu", "A100-80GB", "--need", "lots"}),
                     "--need lots");
}

} // namespace
} // namespace gpushare::test
