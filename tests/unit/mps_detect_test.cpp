// MPS detection reads /proc; a fake proc tree with the same layout drives every case.

#include "harness/mps_detect.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace gpushare {
namespace {

namespace fs = std::filesystem;

class MpsDetect : public ::testing::Test {
protected:
  void SetUp() override {
    m_root = fs::temp_directory_path() /
             ("gpushare-proc-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
              "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_root);
    fs::create_directories(m_root);
  }
  void TearDown() override { fs::remove_all(m_root); }

  void add_process(const std::string& pid, const std::string& cmdline_with_nuls) {
    fs::create_directories(m_root / pid);
    std::ofstream(m_root / pid / "cmdline", std::ios::binary) << cmdline_with_nuls;
  }
  fs::path m_root;
};

TEST_F(MpsDetect, FindsControlDaemonsAndServersByArgv0) {
  using namespace std::string_literals;
  add_process("4100", "/usr/bin/nvidia-cuda-mps-control\0-d\0"s);
  add_process("4200", "nvidia-cuda-mps-server\0"s);
  add_process("17", "/bin/bash\0"s);
  add_process("18", ""); // kernel thread: empty cmdline
  fs::create_directories(m_root / "self");
  const mps_status status = detect_mps(m_root.string(), nullptr);
  EXPECT_TRUE(status.daemon_running);
  EXPECT_EQ(status.control_pids, std::vector<int>{4100});
  EXPECT_EQ(status.server_pids, std::vector<int>{4200});
  EXPECT_EQ(status.pipe_directory, "/tmp/nvidia-mps");
}

TEST_F(MpsDetect, NameMustMatchExactly) {
  using namespace std::string_literals;
  // comm would show "nvidia-cuda-mps" for both; argv[0] tells them apart, and look-alikes
  // are not daemons.
  add_process("5", "nvidia-cuda-mps\0"s);
  add_process("6", "/opt/nvidia-cuda-mps-control-wrapper\0"s);
  const mps_status status = detect_mps(m_root.string(), "/run/private-mps");
  EXPECT_FALSE(status.daemon_running);
  EXPECT_TRUE(status.control_pids.empty());
  EXPECT_TRUE(status.server_pids.empty());
  EXPECT_EQ(status.pipe_directory, "/run/private-mps");
}

TEST_F(MpsDetect, MissingProcRootMeansNothingFound) {
  const mps_status status = detect_mps((m_root / "absent").string(), "");
  EXPECT_FALSE(status.daemon_running);
  EXPECT_EQ(status.pipe_directory, "/tmp/nvidia-mps");
}

} // namespace
} // namespace gpushare
