// The shipped binary, run as a user runs it: exit codes, messages and the JSON it leaves.

#include "harness/workload_spec.hpp"
#include "run_binary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace gpushare::test {
namespace {

using ::testing::HasSubstr;

// CUDA_VISIBLE_DEVICES="" hides every GPU, so the no-device path runs even on a GPU machine.
const std::map<std::string, std::string> no_gpu{{"CUDA_VISIBLE_DEVICES", ""}};

void expect_one_line_usage_error(const binary_run& run, const std::string& must_mention) {
  EXPECT_EQ(run.exit_code, 2) << run.err;
  const auto lines = lines_of(run.err);
  ASSERT_EQ(lines.size(), 1u) << run.err;
  EXPECT_THAT(lines[0], HasSubstr("gpushare-bench: "));
  EXPECT_THAT(lines[0], HasSubstr(must_mention));
}

TEST(Cli, HelpExplainsEveryModeWorkloadAndOption) {
  const auto run = run_gpushare({"--help"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const char* mode : {"streams", "timeslice", "mps", "mig", "isolation", "calibrate", "all"}) {
    EXPECT_THAT(run.out, HasSubstr(std::string("  ") + mode + " ")) << mode;
  }
  for (const auto& name : workload_names()) {
    EXPECT_THAT(run.out, HasSubstr(name)) << name;
  }
  for (const char* option :
       {"--mode", "--workload", "--repetitions", "--iterations", "--duration", "--json", "--device",
        "--quiet", "--version", "--streams", "--kernels", "--chunks", "probe", "Exit codes"}) {
    EXPECT_THAT(run.out, HasSubstr(option)) << option;
  }
}

TEST(Cli, VersionNamesTheGitRevision) {
  const auto run = run_gpushare({"--version"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // Built from a git checkout the revision must be there; from an exported tree it is unknown.
  const bool from_git =
      std::filesystem::exists(std::filesystem::path(GPUSHARE_SOURCE_DIR) / ".git");
  const std::string revision = from_git ? "[0-9a-f]{12}" : "unknown";
  EXPECT_THAT(run.out, ::testing::ContainsRegex("^gpushare-bench [0-9]+\\.[0-9]+\\.[0-9]+ \\(git " +
                                                revision + "(, modified)?\\)\n$"));
}

TEST(Cli, StreamsWithoutGpuStopsAtOnceWithOneLine) {
  const auto run = run_gpushare({"--mode", "streams"}, no_gpu);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_LT(run.seconds, 5.0);
  const auto lines = lines_of(run.err);
  ASSERT_EQ(lines.size(), 1u) << run.err;
  EXPECT_THAT(lines[0], ::testing::MatchesRegex(".*(no NVIDIA driver|no usable CUDA device|no "
                                                "CUDA device).*install the NVIDIA driver.*"));
}

TEST(Cli, CalibrateWithoutGpuStopsAtOnceWithOneLine) {
  const auto run = run_gpushare({"--mode", "calibrate"}, no_gpu);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_LT(run.seconds, 5.0);
  const auto lines = lines_of(run.err);
  ASSERT_EQ(lines.size(), 1u) << run.err;
  EXPECT_THAT(lines[0], HasSubstr("install the NVIDIA driver"));
}

TEST(Cli, CalibrateTakesNoWorkload) {
  expect_one_line_usage_error(run_gpushare({"--mode", "calibrate", "--workload", "gemm"}),
                              "--mode calibrate takes no workload");
}

TEST(Cli, AllWithoutGpuStopsAtOnce) {
  const auto run = run_gpushare({"--mode", "all"}, no_gpu);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_LT(run.seconds, 5.0);
  EXPECT_EQ(lines_of(run.err).size(), 1u) << run.err;
}

TEST(Cli, ProbeWithoutGpuExplainsAndExitsTwo) {
  const auto run = run_gpushare({"probe"}, no_gpu);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.out, HasSubstr("CUDA"));
  EXPECT_THAT(run.err, HasSubstr("install the NVIDIA driver"));
}

TEST(Cli, FailedRunStillWritesItsReport) {
  const auto dir = std::filesystem::temp_directory_path() / "gpushare-cli-test";
  std::filesystem::create_directories(dir);
  const auto path = dir / "no-gpu.json";
  std::filesystem::remove(path);
  const auto run = run_gpushare({"--mode", "streams", "--json", path.string()}, no_gpu);
  ASSERT_EQ(run.exit_code, 2) << run.err;
  std::ifstream file(path);
  ASSERT_TRUE(file.good()) << "no report written at " << path;
  const auto report = nlohmann::json::parse(file);
  EXPECT_EQ(report.at("environment").at("cuda_available"), false);
  ASSERT_EQ(report.at("errors").size(), 1u);
  EXPECT_EQ(report.at("errors")[0].at("where"), "startup");
  EXPECT_EQ(report.at("errors")[0].at("exit_code"), 2);
  EXPECT_EQ(report.at("config").at("mode"), "streams");
  std::filesystem::remove_all(dir);
}

TEST(Cli, QuietPrintsNothingButTheError) {
  const auto run = run_gpushare({"--mode", "streams", "--quiet"}, no_gpu);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(lines_of(run.err).size(), 1u) << run.err;
}

TEST(Cli, ProbeWritesTheEnvironmentAsAReport) {
  const auto dir = std::filesystem::temp_directory_path() / "gpushare-cli-probe-test";
  std::filesystem::create_directories(dir);
  const auto path = dir / "probe.json";
  std::filesystem::remove(path);
  const auto run = run_gpushare({"probe", "--json", path.string()}, no_gpu);
  ASSERT_EQ(run.exit_code, 2) << run.err;
  std::ifstream file(path);
  ASSERT_TRUE(file.good()) << "no report written at " << path;
  const auto report = nlohmann::json::parse(file);
  EXPECT_EQ(report.at("config").at("mode"), "probe");
  EXPECT_FALSE(report.at("environment").at("unavailable_reason").get<std::string>().empty());
  EXPECT_EQ(report.at("errors").at(0).at("where"), "probe");
  std::filesystem::remove_all(dir);
}

TEST(Cli, OutOfRangeValuesNameTheOptionAndRange) {
  expect_one_line_usage_error(run_gpushare({"--mode", "streams", "--repetitions", "0"}),
                              "--repetitions");
  expect_one_line_usage_error(run_gpushare({"--mode", "streams", "--repetitions", "0"}),
                              "range 1 to 1000");
  expect_one_line_usage_error(run_gpushare({"--mode", "streams", "--device", "-1"}), "--device");
  expect_one_line_usage_error(run_gpushare({"--mode", "streams", "--streams", "1,33"}),
                              "range 1 to 32");
  expect_one_line_usage_error(run_gpushare({"--mode", "streams", "--streams", "1,0"}), "--streams");
  expect_one_line_usage_error(run_gpushare({"--mode", "streams", "--duration", "0"}), "--duration");
  expect_one_line_usage_error(run_gpushare({"--mode", "streams", "--iterations", "abc"}),
                              "--iterations");
}

TEST(Cli, UnknownModeIsRejectedWithTheChoices) {
  const auto run = run_gpushare({"--mode", "timeslicing"});
  expect_one_line_usage_error(run, "--mode");
  EXPECT_THAT(run.err, HasSubstr("streams"));
}

TEST(Cli, ModeIsRequired) {
  expect_one_line_usage_error(run_gpushare({"--repetitions", "3"}), "--mode is required");
}

TEST(Cli, IterationsAndDurationExcludeEachOther) {
  expect_one_line_usage_error(
      run_gpushare({"--mode", "streams", "--iterations", "5", "--duration", "1"}), "--duration");
}

TEST(Cli, BadWorkloadSpecsAreRejected) {
  const auto run = run_gpushare({"--mode", "all", "--workload", "gemm:dtype=int8"});
  expect_one_line_usage_error(run, "--workload 'gemm:dtype=int8'");
  EXPECT_THAT(run.err, HasSubstr("fp16"));
  expect_one_line_usage_error(run_gpushare({"--mode", "all", "--workload", "nosuch"}),
                              "unknown workload 'nosuch'");
}

TEST(Cli, TenantOptionsAreCheckedAgainstTheTenantCount) {
  expect_one_line_usage_error(run_gpushare({"--mode", "timeslice", "--workload", "host-sleep",
                                            "--workload", "host-sleep", "--tenants", "3"}),
                              "--tenants 3 does not match the 2 --workload options");
  expect_one_line_usage_error(run_gpushare({"--mode", "mps", "--workload", "host-sleep",
                                            "--tenants", "3", "--mps-thread-pct", "10,20"}),
                              "--mps-thread-pct: 2 values for 3 tenants");
  expect_one_line_usage_error(
      run_gpushare({"--mode", "mps", "--workload", "host-sleep", "--mps-thread-pct", "150"}),
      "--mps-thread-pct 150: must be a number in [1, 100]");
  expect_one_line_usage_error(
      run_gpushare({"--mode", "mps", "--workload", "host-sleep", "--mps-mem-limit", "2GB"}),
      "--mps-mem-limit 2GB: must be a size like 512M or 2G");
  expect_one_line_usage_error(
      run_gpushare({"--mode", "mps", "--workload", "host-sleep", "--mps-priority", "2"}),
      "--mps-priority 2: must be 0 or 1");
  expect_one_line_usage_error(run_gpushare({"--mode", "mps", "--tenants", "0"}), "--tenants");
}

TEST(Cli, GpuTenantsWithoutAGpuStopAtOnce) {
  const auto run = run_gpushare({"--mode", "timeslice", "--workload", "gemm"}, no_gpu);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_LT(run.seconds, 5.0);
  EXPECT_EQ(lines_of(run.err).size(), 1u) << run.err;
}

TEST(Cli, IsolationChoosesItsOwnWorkloadsAndDaemons) {
  expect_one_line_usage_error(run_gpushare({"--mode", "isolation", "--isolation-workloads", "host",
                                            "--workload", "host-sleep"}),
                              "chooses the workload of every scenario itself");
  expect_one_line_usage_error(
      run_gpushare({"--mode", "isolation", "--isolation-workloads", "host", "--mps-use-existing"}),
      "only through daemons it starts");
}

TEST(Cli, JsonIntoMissingDirectoryIsRefusedBeforeMeasuring) {
  expect_one_line_usage_error(
      run_gpushare({"--mode", "streams", "--json", "/nonexistent-gpushare-dir/r.json"}),
      "/nonexistent-gpushare-dir");
}

} // namespace
} // namespace gpushare::test
