#pragma once
// A fixture for tests that run the real binary with tenants and MPS daemons: it refuses to
// start over leftovers of an earlier test, and fails the test when a tenant process or one of
// the tool's temporary directories outlives it. Reports go into a directory of its own.

#include "run_binary.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace gpushare::test {

class leak_checked_test : public ::testing::Test {
protected:
  explicit leak_checked_test(const std::string& name)
      : m_dir(std::filesystem::temp_directory_path() /
              ("gpushare-" + name + "-test-" + std::to_string(getpid()))) {}
  void SetUp() override {
    std::filesystem::create_directories(m_dir);
    ASSERT_TRUE(tool_directories().empty()) << "left over from before this test";
  }
  void TearDown() override {
    EXPECT_TRUE(tenant_processes().empty()) << "a tenant process was left running";
    EXPECT_TRUE(tool_directories().empty()) << "a temporary directory was left behind";
    std::filesystem::remove_all(m_dir);
  }
  [[nodiscard]] std::string report_path(const std::string& name) const {
    return (m_dir / name).string();
  }
  static nlohmann::json load(const std::string& path) {
    std::ifstream file(path);
    EXPECT_TRUE(file.good()) << "no report at " << path;
    return nlohmann::json::parse(file);
  }
  std::filesystem::path m_dir;
};

} // namespace gpushare::test
