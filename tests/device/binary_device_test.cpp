// The shipped binary on a real GPU: the streams experiment through its device worker and a
// small timeslice run, checked for what must hold on any card (not for particular figures).

#include "device_support.hpp"
#include "run_binary.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace gpushare::test {
namespace {

namespace fs = std::filesystem;

nlohmann::json read_report(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::string report_path(const char* name) {
  return (fs::temp_directory_path() / (std::string(name) + std::to_string(getpid()) + ".json"))
      .string();
}

TEST(BinaryOnDevice, StreamsModeMeasuresThroughItsWorker) {
  GPUSHARE_REQUIRE_DEVICE();
  const std::string json_path = report_path("streams-");
  const binary_run run = run_gpushare({"--mode", "streams", "--streams", "1,4", "--repetitions",
                                       "3", "--duration", "0.05", "--quiet", "--json", json_path});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto report = read_report(json_path);
  fs::remove(json_path);
  EXPECT_TRUE(report["environment"]["cuda_available"].get<bool>());
  const auto& streams = report["runs"][0]["streams"];
  for (const char* experiment : {"kernel_overlap", "copy_pipeline"}) {
    ASSERT_EQ(streams[experiment]["points"].size(), 2u) << experiment << ": 1 and 4 streams";
    for (const auto& point : streams[experiment]["points"]) {
      const auto& time = point["time_us"];
      EXPECT_GT(time["median"].get<double>(), 0) << experiment;
      EXPECT_LE(time["ci_low"].get<double>(), time["median"].get<double>()) << experiment;
      EXPECT_GE(time["ci_high"].get<double>(), time["median"].get<double>()) << experiment;
    }
  }
}

TEST(BinaryOnDevice, TimesliceRunReportsEveryTenant) {
  GPUSHARE_REQUIRE_DEVICE();
  const std::string json_path = report_path("timeslice-");
  const binary_run run =
      run_gpushare({"--mode", "timeslice", "--workload", "triad", "--tenants", "2", "--repetitions",
                    "3", "--duration", "0.1", "--quiet", "--json", json_path});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto report = read_report(json_path);
  fs::remove(json_path);
  const auto& tenants = report["runs"][0]["tenants"];
  ASSERT_EQ(tenants.size(), 2u);
  // With a driver, NVML answers: every phase was sampled and the GPU reported its SM clock.
  EXPECT_EQ(report["telemetry"]["status"], "available") << report["telemetry"].dump();
  EXPECT_FALSE(report["environment"]["gpus"][0]["nvml"]["pci_bus_id"].get<std::string>().empty());
  const auto& phases = report["runs"][0]["telemetry"];
  ASSERT_EQ(phases.size(), 3u) << "two solo phases and the shared one";
  for (const auto& phase : phases) {
    EXPECT_GT(phase["samples"].get<int>(), 0);
    EXPECT_GT(phase["gpus"][0]["summary"]["DCGM_FI_DEV_SM_CLOCK"]["max"].get<double>(), 0);
  }
  for (const auto& tenant : tenants) {
    EXPECT_EQ(tenant["status"], "ok");
    EXPECT_TRUE(tenant["shared"]["verification"]["passed"].get<bool>());
    EXPECT_GT(tenant["slowdown"].get<double>(), 0);
  }
}

} // namespace
} // namespace gpushare::test
