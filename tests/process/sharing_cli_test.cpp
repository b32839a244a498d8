// Whole multi-tenant runs of the real binary with host-* tenants: the tenant processes, the
// barrier, the real MPS daemon, failures, signals, and what is left behind afterwards.

#include "harness/mps_daemon.hpp"
#include "harness/mps_detect.hpp"
#include "harness/subprocess.hpp"
#include "leak_checked_test.hpp"
#include "run_binary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <thread>

namespace gpushare::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using json = nlohmann::json;

bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

class SharingCli : public leak_checked_test {
protected:
  SharingCli() : leak_checked_test("sharing") {}
};

void expect_eight_sleepers(const json& report, const std::string& mode) {
  ASSERT_EQ(report.at("runs").size(), 1u);
  const json& run = report.at("runs")[0];
  EXPECT_EQ(run.at("mode"), mode);
  ASSERT_EQ(run.at("tenants").size(), 8u);
  for (const json& tenant : run.at("tenants")) {
    EXPECT_EQ(tenant.at("status"), "ok") << tenant.dump();
    EXPECT_GT(tenant.at("solo").at("iterations").get<int>(), 0);
    EXPECT_GT(tenant.at("shared").at("iterations").get<int>(), 0);
    EXPECT_TRUE(tenant.at("shared").at("host_only").get<bool>());
    EXPECT_GT(tenant.at("slowdown").get<double>(), 0.0);
  }
  const double skew = run.at("aggregate").at("start_skew_us").get<double>();
  EXPECT_GE(skew, 0.0);
  EXPECT_LT(skew, 5000.0) << "the barrier released the tenants " << skew << " us apart";
  EXPECT_THAT(run.at("flags").dump(), HasSubstr("host_instruments_only"));
  EXPECT_TRUE(report.at("errors").empty());
}

TEST_F(SharingCli, EightHostSleepTenantsTimeslice) {
  const std::string path = report_path("timeslice.json");
  const auto run =
      run_gpushare({"--mode", "timeslice", "--workload", "host-sleep:us=300", "--tenants", "8",
                    "--duration", "0.05", "--repetitions", "3", "--quiet", "--json", path});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  expect_eight_sleepers(load(path), "timeslice");
}

TEST_F(SharingCli, EightHostSleepTenantsThroughTheRealMpsDaemon) {
  const std::string path = report_path("mps.json");
  const auto run =
      run_gpushare({"--mode", "mps", "--workload", "host-sleep:us=300", "--tenants", "8",
                    "--duration", "0.05", "--repetitions", "3", "--mps-thread-pct", "25",
                    "--mps-mem-limit", "1G", "--quiet", "--json", path});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json report = load(path);
  expect_eight_sleepers(report, "mps");
  const json& mps = report.at("runs")[0].at("mps");
  EXPECT_TRUE(mps.at("started_by_tool").get<bool>());
  EXPECT_EQ(mps.at("stopped"), "quit");
  EXPECT_FALSE(process_exists(mps.at("pid").get<int>()));
  const json& environment = report.at("runs")[0].at("tenants")[3].at("environment");
  EXPECT_EQ(environment.at("CUDA_MPS_PIPE_DIRECTORY"), mps.at("pipe_directory"));
  EXPECT_EQ(environment.at("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE"), "25");
  EXPECT_EQ(environment.at("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT"), "0=1G");
  EXPECT_EQ(environment.count("CUDA_VISIBLE_DEVICES"), 0u);
}

TEST_F(SharingCli, ACrashingTenantGivesExit3AndTheOthersAreKept) {
  const std::string path = report_path("crash.json");
  const auto run =
      run_gpushare({"--mode", "timeslice", "--workload", "host-sleep:us=300", "--workload",
                    "host-crash:after=4,us=300", "--workload", "host-sleep:us=300", "--duration",
                    "0.05", "--repetitions", "2", "--quiet", "--json", path});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  const json report = load(path);
  const json& tenants = report.at("runs")[0].at("tenants");
  EXPECT_EQ(tenants[0].at("status"), "ok");
  EXPECT_EQ(tenants[2].at("status"), "ok");
  EXPECT_FALSE(tenants[0].at("shared").is_null());
  EXPECT_EQ(tenants[1].at("status"), "failed");
  EXPECT_THAT(tenants[1].at("failure").get<std::string>(), HasSubstr("SIGABRT"));
  ASSERT_FALSE(report.at("errors").empty());
  EXPECT_THAT(report.at("errors")[0].at("message").get<std::string>(),
              HasSubstr("tenant 1 (host-crash"));
  EXPECT_EQ(report.at("errors")[0].at("exit_code"), 3);
}

TEST_F(SharingCli, AHangingTenantIsKilledAtTheTimeout) {
  const std::string path = report_path("hang.json");
  const auto run =
      run_gpushare({"--mode", "timeslice", "--workload", "host-sleep:us=300", "--workload",
                    "host-hang:after=4,us=300", "--duration", "0.05", "--repetitions", "2",
                    "--tenant-timeout", "2", "--quiet", "--json", path});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  const json report = load(path);
  const json& tenants = report.at("runs")[0].at("tenants");
  EXPECT_EQ(tenants[0].at("status"), "ok");
  EXPECT_EQ(tenants[1].at("status"), "timeout");
  EXPECT_THAT(tenants[1].at("failure").get<std::string>(), HasSubstr("tenant timeout of 2 s"));
}

TEST_F(SharingCli, SigtermMidRunStopsEverythingAndKeepsTheReport) {
  const std::string path = report_path("sigterm.json");
  // Long enough to be caught in the middle: 2 tenants x 5 repetitions x 1 s, solo then shared.
  child_process tool = child_process::spawn(
      {{GPUSHARE_BINARY_PATH, "--mode", "mps", "--workload", "host-sleep:us=1000", "--tenants", "2",
        "--duration", "1", "--repetitions", "5", "--quiet", "--json", path},
       {},
       ""},
      (m_dir / "sigterm.out").string());
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (tenant_processes().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_FALSE(tenant_processes().empty()) << "the run never started a tenant";
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(::kill(tool.pid(), SIGTERM), 0);
  const auto status = tool.wait_for(30s);
  ASSERT_TRUE(status.has_value()) << "gpushare-bench did not stop after SIGTERM";
  EXPECT_EQ(describe_wait_status(*status), "exit code 130");
  const json report = load(path);
  ASSERT_FALSE(report.at("errors").empty());
  EXPECT_EQ(report.at("errors").back().at("exit_code"), 130);
  EXPECT_THAT(report.at("errors").back().at("message").get<std::string>(), HasSubstr("SIGTERM"));
  EXPECT_TRUE(detect_mps("/proc", nullptr).control_pids.empty()) << "the MPS daemon survived";
  // TearDown checks that no tenant and no temporary directory survived.
}

TEST_F(SharingCli, ASuiteFileRunsEveryStepIntoOneReport) {
  const std::string suite = (m_dir / "host.suite").string();
  std::ofstream(suite) << "repetitions = 2\nduration = 0.02\n"
                       << "[run]\nmode = timeslice\ntenants = 2\nworkload = host-sleep:us=200\n"
                       << "[run]\nmode = mps\ntenants = 3\nworkload = host-sleep:us=200\n"
                       << "[run]\nmode = mig\n";
  const std::string path = report_path("suite.json");
  const auto run = run_gpushare({"--suite", suite, "--quiet", "--json", path});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json report = load(path);
  const json& runs = report.at("runs");
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].at("mode"), "timeslice");
  EXPECT_EQ(runs[0].at("tenants").size(), 2u);
  EXPECT_EQ(runs[1].at("mode"), "mps");
  EXPECT_EQ(runs[1].at("tenants").size(), 3u);
  EXPECT_EQ(runs[2].at("status"), "skipped");
  EXPECT_EQ(report.at("config").at("suite"), suite);
}

TEST_F(SharingCli, AMalformedSuiteIsRejectedBeforeAnythingRuns) {
  const std::string suite = (m_dir / "bad.suite").string();
  std::ofstream(suite) << "[run]\nmode = timeslice\nworkload = host-sleep\n"
                       << "[run]\nmode = mps\nrepetitions = 0\n";
  const auto run = run_gpushare({"--suite", suite, "--quiet"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("suite " + suite + ":6: field 'repetitions'"));
  EXPECT_EQ(lines_of(run.err).size(), 1u) << run.err;
}

TEST_F(SharingCli, APreExistingDaemonIsRefusedAndLeftRunning) {
  mps_daemon_options options;
  options.parent_directory = m_dir.string();
  mps_daemon theirs = mps_daemon::start(options);
  const auto run = run_gpushare({"--mode", "mps", "--workload", "host-sleep:us=300", "--duration",
                                 "0.05", "--repetitions", "2", "--quiet"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("already running"));
  EXPECT_THAT(run.err, HasSubstr(std::to_string(theirs.pid())));
  EXPECT_TRUE(theirs.running()) << "the tool touched a daemon it did not start";
  EXPECT_EQ(theirs.command("get_default_active_thread_percentage"), "100.0");
  theirs.stop();
}

TEST_F(SharingCli, UseExistingRunsThroughThatDaemon) {
  mps_daemon_options options;
  options.parent_directory = m_dir.string();
  mps_daemon theirs = mps_daemon::start(options);
  const std::string path = report_path("existing.json");
  const auto run =
      run_gpushare({"--mode", "mps", "--workload", "host-sleep:us=300", "--duration", "0.05",
                    "--repetitions", "2", "--mps-use-existing", "--quiet", "--json", path},
                   {{"CUDA_MPS_PIPE_DIRECTORY", theirs.pipe_directory()}});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const json report = load(path);
  const json& mps = report.at("runs")[0].at("mps");
  EXPECT_FALSE(mps.at("started_by_tool").get<bool>());
  EXPECT_EQ(mps.at("pipe_directory"), theirs.pipe_directory());
  EXPECT_TRUE(theirs.running());
  theirs.stop();
}

} // namespace
} // namespace gpushare::test
