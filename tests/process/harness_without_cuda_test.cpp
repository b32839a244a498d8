// The harness process never initialises CUDA: finding the GPUs and the streams experiment run
// in device-worker children, and tenants are their own processes. A driver library that
// records which process calls into it (tests/fake_driver) takes the real one's place on the
// library path.

#include "run_binary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
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

  binary_run run(const std::vector<std::string>& args) {
    return run_gpushare(args, {{"LD_LIBRARY_PATH", GPUSHARE_RECORDING_DRIVER_DIR},
                               {"GPUSHARE_DRIVER_CALL_LOG", m_log}});
  }

  /// Command lines of the processes that called the driver, program path removed.
  std::vector<std::string> callers() const {
    std::vector<std::string> found;
    std::ifstream log(m_log);
    std::string line;
    while (std::getline(log, line)) {
      // "<entry point> <program> <arguments...>"
      const std::string program = std::string(GPUSHARE_BINARY_PATH) + " ";
      const auto start = line.find(program);
      EXPECT_NE(start, std::string::npos) << "called by another program: " << line;
      found.push_back(start == std::string::npos ? line : line.substr(start + program.size()));
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

} // namespace
} // namespace gpushare::test
