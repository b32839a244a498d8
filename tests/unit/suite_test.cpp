// Suites are validated whole before anything runs; errors point at the file, line and field.

#include "cli/suite.hpp"
#include "common/error.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gpushare::cli {
namespace {

using ::testing::HasSubstr;

std::string rejection(const std::string& text) {
  try {
    (void)expand_suite(text, "my.suite", run_config{});
  } catch (const usage_error& failure) {
    return failure.what();
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return "";
}

TEST(Suite, TheEmbeddedDefaultSuiteIsValid) {
  const std::vector<run_config> runs =
      expand_suite(default_suite_text(), default_suite_name, run_config{});
  ASSERT_GE(runs.size(), 4u);
  // Calibration first: every later run is checked against the limits it measured.
  EXPECT_EQ(runs.front().mode, "calibrate");
  EXPECT_EQ(runs.at(1).mode, "streams");
  int timeslice = 0;
  int mps = 0;
  int probes = 0;
  for (const run_config& run : runs) {
    EXPECT_EQ(run.repetitions, 5);
    if (run.mode == "timeslice" || run.mode == "mps") {
      (run.mode == "timeslice" ? timeslice : mps)++;
      EXPECT_EQ(static_cast<std::size_t>(run.tenants), run.workloads.size());
      EXPECT_GE(run.tenants, 2);
      ASSERT_TRUE(run.duration_s.has_value());
      if (run.workloads.front().rfind("spin:", 0) == 0) {
        ++probes;
        EXPECT_EQ(run.mode, "timeslice");
        EXPECT_EQ(run.tenants, 2);
        // One workload for two tenants is repeated, so both spin and can be compared.
        EXPECT_EQ(run.workloads[1], run.workloads[0]);
        EXPECT_EQ(run.workloads[0], "spin:blocks=1,gap_us=5,us=20000");
      }
    }
  }
  EXPECT_GE(timeslice, 3);
  // The isolation matrix comes last: it faults tenants on purpose, after every figure it
  // could disturb has been measured.
  EXPECT_EQ(runs.back().mode, "isolation");
  EXPECT_EQ(runs.back().isolation_workloads, "gpu");
  EXPECT_TRUE(runs.back().isolation_mechanisms.empty());
  // Every mechanism is measured with and without MPS, except the time-slice probe.
  EXPECT_EQ(probes, 1);
  EXPECT_EQ(timeslice, mps + probes);
}

TEST(Suite, GlobalsApplyToRunsAndRunsOverrideThem) {
  const auto runs = expand_suite("repetitions = 3\nduration = 0.2\n"
                                 "[run]\nmode = timeslice\ntenants = 3\nworkload = host-sleep\n"
                                 "[run]\nmode = mps\nrepetitions = 7\niterations = 9\n"
                                 "workload = host-sleep:us=5\nworkload = host-crash\n",
                                 "my.suite", run_config{});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].repetitions, 3);
  EXPECT_EQ(runs[0].tenants, 3);
  EXPECT_EQ(runs[0].workloads.size(), 3u);
  EXPECT_DOUBLE_EQ(runs[0].duration_s.value(), 0.2);
  EXPECT_EQ(runs[1].repetitions, 7);
  EXPECT_EQ(runs[1].iterations.value(), 9u);
  EXPECT_FALSE(runs[1].duration_s.has_value());
  EXPECT_EQ(runs[1].tenants, 2);
  EXPECT_EQ(runs[1].workloads[1], "host-crash:after=3,us=1000");
}

TEST(Suite, ErrorsNameTheFileLineAndField) {
  EXPECT_THAT(rejection("repetitions = 5\n[run]\nmode = timeslice\ntenants = 99\n"),
              HasSubstr("suite my.suite:4: field 'tenants': must be an integer in [1, 64]"));
  EXPECT_THAT(rejection("[run]\nmode = timeslicing\n"),
              HasSubstr("suite my.suite:2: field 'mode': must be one of"));
  EXPECT_THAT(rejection("# comment\n\n[run]\nmode = mps\nworkload = gemm:dtype=int8\n"),
              HasSubstr("suite my.suite:5: field 'workload': --workload 'gemm:dtype=int8'"));
  EXPECT_THAT(rejection("[run]\nmode = mps\ncolour = blue\n"),
              HasSubstr("suite my.suite:3: field 'colour': unknown in a [run] section"));
  EXPECT_THAT(rejection("mode = mps\n[run]\n"),
              HasSubstr("suite my.suite:1: field 'mode': unknown before the first [run]"));
  EXPECT_THAT(rejection("[run]\ntenants = 2\n"),
              HasSubstr("suite my.suite:1: field 'mode': every [run] needs one"));
  EXPECT_THAT(rejection("[run]\nmode = streams\nworkload = gemm\n"),
              HasSubstr("suite my.suite:1: field 'workload': --mode streams takes no workload"));
  EXPECT_THAT(rejection("[run]\nmode = mps\nworkload = host-sleep\nworkload = host-sleep\n"
                        "tenants = 3\n"),
              HasSubstr("suite my.suite:1: field 'tenants': --tenants 3 does not match"));
  EXPECT_THAT(rejection("[run]\nmode\n"), HasSubstr("suite my.suite:2: expected 'key = value'"));
  EXPECT_THAT(rejection("repetitions = 2\n"), HasSubstr("no [run] section"));
  EXPECT_THAT(rejection("duration = 0\n[run]\nmode = mig\n"),
              HasSubstr("suite my.suite:1: field 'duration'"));
  EXPECT_THAT(rejection("[run]\nmode = isolation\nisolation-mechanisms = mps,hami\n"),
              HasSubstr("suite my.suite:3: field 'isolation-mechanisms': unknown mechanism "
                        "'hami'"));
  EXPECT_THAT(rejection("[run]\nmode = isolation\nisolation-workloads = cpu\n"),
              HasSubstr("suite my.suite:3: field 'isolation-workloads': must be gpu or host"));
}

TEST(Suite, AnIsolationRunTakesItsMechanismsAndWorkloadSet) {
  const auto runs = expand_suite("[run]\nmode = isolation\nisolation-mechanisms = timeslice,mps\n"
                                 "isolation-workloads = host\n",
                                 "my.suite", run_config{});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].mode, "isolation");
  EXPECT_EQ(runs[0].isolation_mechanisms, (std::vector<std::string>{"timeslice", "mps"}));
  EXPECT_EQ(runs[0].isolation_workloads, "host");
}

TEST(Suite, UseExistingMpsIsForTheMpsRunsNotTheIsolationOrMigRuns) {
  run_config given;
  given.mps_use_existing = true;
  const auto runs = expand_suite("[run]\nmode = mps\nworkload = host-sleep\n"
                                 "[run]\nmode = isolation\n[run]\nmode = mig\n",
                                 "my.suite", given);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_TRUE(runs[0].mps_use_existing);
  EXPECT_FALSE(runs[1].mps_use_existing) << "isolation faults tenants on purpose";
  EXPECT_FALSE(runs[2].mps_use_existing);
}

} // namespace
} // namespace gpushare::cli
