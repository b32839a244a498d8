// The real libnvidia-ml.so.1 (Debian's libnvidia-ml1, installed by scripts/setup.sh) on a
// machine without the NVIDIA kernel driver: the library loads, nvmlInit_v2 refuses, and the
// environment, the report and the run all say telemetry is unavailable and why, while the run
// itself still measures.

#include "harness/environment.hpp"
#include "harness/nvml_library.hpp"
#include "run_binary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <dlfcn.h>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace gpushare {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

/// Skips unless the real NVML is present and no driver is loaded; fails when the library
/// is missing, since setup.sh installs it everywhere the tests run.
void require_real_nvml_without_driver() {
  void* handle = dlopen(nvml_library::default_path, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << nvml_library::default_path
                             << " is missing: run scripts/setup.sh (Debian package "
                                "libnvidia-ml1)";
  dlclose(handle);
  if (nvml_library::open().usable()) {
    GTEST_SKIP() << "an NVIDIA driver is loaded here; the no-driver path needs a machine "
                    "without one";
  }
}

TEST(NvmlLibrary, RealLibraryWithoutDriverSaysDriverNotLoaded) {
  require_real_nvml_without_driver();
  if (IsSkipped() || HasFatalFailure()) {
    return;
  }
  const nvml_library nvml = nvml_library::open();
  EXPECT_FALSE(nvml.usable());
  // NVML_ERROR_DRIVER_NOT_LOADED is 9; nvmlErrorString spells it "Driver Not Loaded".
  EXPECT_THAT(nvml.error(), HasSubstr("nvmlInit_v2 failed: Driver Not Loaded (NVML error 9)"));
  // NVML answers its own version without nvmlInit: the report says which library refused.
  EXPECT_THAT(nvml.version(), MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9.]+"));
}

TEST(NvmlLibrary, UnusableLibraryAnswersEveryQueryWithItsReason) {
  require_real_nvml_without_driver();
  if (IsSkipped() || HasFatalFailure()) {
    return;
  }
  nvml_library nvml = nvml_library::open();
  const nvml_gpu_record gpu = nvml.describe_gpu("GPU-00000000-0000-0000-0000-000000000000");
  ASSERT_EQ(gpu.errors.size(), 1u);
  EXPECT_EQ(gpu.errors.front(), nvml.error());
  EXPECT_FALSE(gpu.power_limit_w.has_value());
  const telemetry_reading reading = nvml.read("GPU-00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(reading.failed_reads, 1u);
  EXPECT_EQ(reading.first_error, nvml.error());
  EXPECT_FALSE(reading.counters.sm_clock_mhz.has_value());
}

TEST(NvmlLibrary, MissingLibraryHasNoVersion) {
  const nvml_library nvml = nvml_library::open("libnvidia-ml-that-does-not-exist.so.1");
  EXPECT_FALSE(nvml.usable());
  EXPECT_EQ(nvml.version(), "");
  EXPECT_THAT(nvml.error(), HasSubstr("could not be loaded"));
}

TEST(NvmlEnvironment, SaysWhyNvmlIsUnavailableEvenWithoutACudaDriver) {
  require_real_nvml_without_driver();
  if (IsSkipped() || HasFatalFailure()) {
    return;
  }
  environment_options options;
  options.cuda_driver_library = "libcuda-that-does-not-exist.so.1";
  const environment_info environment = capture_environment(options);
  EXPECT_FALSE(environment.cuda_available);
  EXPECT_THAT(environment.nvml_status, HasSubstr("Driver Not Loaded"));
  EXPECT_FALSE(environment.nvml_version.empty());
  EXPECT_TRUE(environment.driver_release.empty());
}

class scratch_file {
public:
  scratch_file()
      : m_path(std::filesystem::temp_directory_path() /
               ("gpushare-nvml-test-" + std::to_string(getpid()) + ".json")) {}
  ~scratch_file() {
    std::error_code ignored;
    std::filesystem::remove(m_path, ignored);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
  std::filesystem::path m_path;
};

TEST(NvmlRun, HostTenantsRunWithTelemetryMarkedUnavailable) {
  require_real_nvml_without_driver();
  if (IsSkipped() || HasFatalFailure()) {
    return;
  }
  const scratch_file report;
  const test::binary_run run = test::run_gpushare(
      {"--mode", "timeslice", "--workload", "host-sleep:us=200", "--tenants", "2", "--iterations",
       "5", "--repetitions", "1", "--json", report.path().string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("Telemetry: unavailable: NVML is unavailable: nvmlInit_v2 "
                                 "failed: Driver Not Loaded"));
  std::ifstream in(report.path());
  const nlohmann::json document = nlohmann::json::parse(in);
  EXPECT_EQ(document["schema_version"], "1.7.0");
  EXPECT_EQ(document["telemetry"]["status"], "unavailable");
  EXPECT_THAT(document["telemetry"]["reason"].get<std::string>(),
              HasSubstr("Driver Not Loaded (NVML error 9)"));
  EXPECT_THAT(document["environment"]["nvml_status"].get<std::string>(),
              HasSubstr("Driver Not Loaded"));
  EXPECT_FALSE(document["environment"]["nvml_version"].get<std::string>().empty());
  ASSERT_EQ(document["runs"].size(), 1u);
  const nlohmann::json& measured = document["runs"][0];
  EXPECT_EQ(measured["status"], "ok");
  EXPECT_FALSE(measured.contains("telemetry")); // said once at the top, not per phase
  ASSERT_EQ(measured["tenants"].size(), 2u);
  EXPECT_EQ(measured["tenants"][0]["shared"]["iterations"], 5);
}

TEST(NvmlRun, ZeroIntervalDisablesTelemetry) {
  const scratch_file report;
  const test::binary_run run =
      test::run_gpushare({"--mode", "timeslice", "--workload", "host-sleep:us=200", "--tenants",
                          "1", "--iterations", "3", "--repetitions", "1", "--telemetry-interval",
                          "0", "--quiet", "--json", report.path().string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream in(report.path());
  const nlohmann::json document = nlohmann::json::parse(in);
  EXPECT_EQ(document["telemetry"]["status"], "disabled");
  EXPECT_THAT(document["telemetry"]["reason"].get<std::string>(),
              HasSubstr("--telemetry-interval 0"));
  EXPECT_EQ(document["config"]["telemetry_interval_ms"], 0);
}

} // namespace
} // namespace gpushare
