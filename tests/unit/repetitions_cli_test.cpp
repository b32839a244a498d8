// --max-repetitions and --max-noise through the real binary with host-sleep tenants: solo
// phases repeat until the bound or the maximum, and the shared phase runs the most any tenant
// needed alone, so the tenants overlap for the whole phase.

#include "run_binary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace gpushare::test {
namespace {

using ::testing::HasSubstr;

TEST(RepetitionsCli, NoisyTenantsRepeatToTheMaximumInBothPhases) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("repetitions-" + std::to_string(getpid()) + ".json"))
                               .string();
  // A bound of 0 is never met by real timings, so every solo phase runs the maximum.
  const binary_run run =
      run_gpushare({"--mode", "timeslice", "--workload", "host-sleep:us=100", "--tenants", "2",
                    "--iterations", "2", "--repetitions", "2", "--max-repetitions", "4",
                    "--max-noise", "0", "--quiet", "--json", path});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream file(path);
  const auto report = nlohmann::json::parse(file);
  std::filesystem::remove(path);
  const auto& tenants = report["runs"][0]["tenants"];
  ASSERT_EQ(tenants.size(), 2u);
  for (const auto& tenant : tenants) {
    EXPECT_EQ(tenant["solo"]["iteration_time_us"]["count"], 4);
    EXPECT_EQ(tenant["shared"]["iteration_time_us"]["count"], 4);
  }
  EXPECT_EQ(report["runs"][0]["params"]["shared_repetitions"], "4");
  EXPECT_EQ(report["config"]["max_repetitions"], 4);
}

TEST(RepetitionsCli, AMaximumBelowTheMinimumIsRefused) {
  const binary_run run = run_gpushare({"--mode", "timeslice", "--workload", "host-sleep:us=100",
                                       "--repetitions", "5", "--max-repetitions", "3"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--max-repetitions 3 is below --repetitions 5"));
}

} // namespace
} // namespace gpushare::test
