// The harness process never initialises CUDA: finding the GPUs and the streams experiment run
// in device-worker children, and tenants are their own processes. A driver library that
// records which process calls into it, and where that process would look for an MPS daemon
// (tests/fake_driver), takes the real one's place on the library path.

#include "harness/mps_daemon.hpp"
#include "run_binary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

namespace gpushare::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class HarnessWithoutCuda : public ::testing::Test {
protected:
  void SetUp() override {
    m_log = (fs::temp_directory_path() / ("driver-calls-" + std::to_string(getpid()))).string();
    fs::remove(m_log);
  }
  void TearDown() override { fs::remove(m_log); }

  binary_run run(const std::vector<std::string>& args,
                 std::map<std::string, std::string> environment = {}) {
    environment.emplace("LD_LIBRARY_PATH", GPUSHARE_RECORDING_DRIVER_DIR);
    environment.emplace("GPUSHARE_DRIVER_CALL_LOG", m_log);
    return run_gpushare(args, environment);
  }

  struct driver_call {
    std::string arguments;      ///< the caller's command line, program path removed
    std::string pipe_directory; ///< its CUDA_MPS_PIPE_DIRECTORY, "-" when unset
  };

  std::vector<driver_call> calls() const {
    std::vector<driver_call> found;
    std::ifstream log(m_log);
    std::string line;
    while (std::getline(log, line)) {
      // "<entry point> <program> <arguments...>\t<pipe directory>"
      const auto tab = line.rfind('\t');
      EXPECT_NE(tab, std::string::npos) << line;
      const std::string command = line.substr(0, tab);
      const std::string program = std::string(GPUSHARE_BINARY_PATH) + " ";
      const auto start = command.find(program);
      EXPECT_NE(start, std::string::npos) << "called by another program: " << line;
      found.push_back(
          {start == std::string::npos ? command : command.substr(start + program.size()),
           tab == std::string::npos ? "" : line.substr(tab + 1)});
    }
    return found;
  }

  std::vector<std::string> callers() const {
    std::vector<std::string> found;
    for (const driver_call& call : calls()) {
      found.push_back(call.arguments);
    }
    return found;
  }

  std::string m_log;
};

bool is_child_command(const std::string& arguments) {
  return arguments.rfind("device-worker", 0) == 0 || arguments.rfind("tenant ", 0) == 0;
}

TEST_F(HarnessWithoutCuda, StreamsModeQueriesTheGpuOnlyInAWorker) {
  const binary_run result = run({"--mode", "streams"});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  // The recording driver has no entry points: CUDA must have found no usable device.
  EXPECT_THAT(result.err, HasSubstr("no usable CUDA device"));
  const auto calls = callers();
  ASSERT_FALSE(calls.empty()) << "the recording driver was never called; the test proves nothing";
  for (const auto& arguments : calls) {
    EXPECT_TRUE(is_child_command(arguments)) << "the driver was called by: " << arguments;
  }
}

TEST_F(HarnessWithoutCuda, TenantRunLoadsTheDriverOnlyInChildren) {
  const binary_run result =
      run({"--mode", "timeslice", "--workload", "host-sleep:us=100", "--tenants", "2", "--duration",
           "0.02", "--repetitions", "1", "--quiet"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const auto calls = callers();
  ASSERT_FALSE(calls.empty()) << "the recording driver was never called; the test proves nothing";
  for (const auto& arguments : calls) {
    EXPECT_TRUE(is_child_command(arguments)) << "the driver was called by: " << arguments;
  }
}

// A CUDA program joins whatever MPS daemon it finds at its pipe directory. A daemon someone
// else started, whose pipe directory the harness inherited, must not capture the device
// worker or time-slicing tenants; with --mps-use-existing they are meant to go through it.
TEST_F(HarnessWithoutCuda, ChildrenKeepOffAnMpsDaemonTheHarnessDidNotStart) {
  const fs::path parent = fs::temp_directory_path() / ("foreign-mps-" + std::to_string(getpid()));
  fs::create_directories(parent);
  mps_daemon_options options;
  options.parent_directory = parent.string();
  mps_daemon theirs = mps_daemon::start(options);
  const std::map<std::string, std::string> inherited{
      {"CUDA_MPS_PIPE_DIRECTORY", theirs.pipe_directory()}};

  const std::string report = (parent / "avoided.json").string();
  const binary_run avoided =
      run({"--mode", "timeslice", "--workload", "host-sleep:us=100", "--tenants", "2", "--duration",
           "0.02", "--repetitions", "1", "--quiet", "--json", report},
          inherited);
  EXPECT_EQ(avoided.exit_code, 0) << avoided.err;
  // The report speaks of the harness's daemon and pipe directory, not the worker's own.
  std::ifstream written(report);
  const nlohmann::json document = nlohmann::json::parse(written, nullptr, false);
  ASSERT_FALSE(document.is_discarded()) << report;
  const nlohmann::json& mps = document.at("environment").at("mps");
  EXPECT_EQ(mps.at("pipe_directory"), theirs.pipe_directory());
  EXPECT_TRUE(mps.at("daemon_running").get<bool>());
  std::vector<driver_call> seen = calls();
  ASSERT_FALSE(seen.empty()) << "the recording driver was never called; the test proves nothing";
  bool worker_seen = false;
  for (const driver_call& call : seen) {
    worker_seen = worker_seen || call.arguments.rfind("device-worker", 0) == 0;
    EXPECT_NE(call.pipe_directory, theirs.pipe_directory())
        << call.arguments << " would have joined the foreign daemon";
    EXPECT_NE(call.pipe_directory, "-") << call.arguments << " would look in /tmp/nvidia-mps";
    EXPECT_NE(call.pipe_directory.find("no-mps-"), std::string::npos) << call.pipe_directory;
  }
  EXPECT_TRUE(worker_seen) << "the device worker never called the driver";
  EXPECT_TRUE(theirs.running());

  fs::remove(m_log);
  const binary_run joined =
      run({"--mode", "mps", "--workload", "host-sleep:us=100", "--tenants", "2", "--duration",
           "0.02", "--repetitions", "1", "--mps-use-existing", "--quiet"},
          inherited);
  EXPECT_EQ(joined.exit_code, 0) << joined.err;
  seen = calls();
  ASSERT_FALSE(seen.empty());
  for (const driver_call& call : seen) {
    EXPECT_EQ(call.pipe_directory, theirs.pipe_directory())
        << call.arguments << ": --mps-use-existing runs everything through that daemon";
  }
  EXPECT_TRUE(theirs.running());
  theirs.stop();
  fs::remove_all(parent);
}

} // namespace
} // namespace gpushare::test
