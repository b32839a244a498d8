#pragma once
// A private directory for tests that hand report files to the real binary (compare, report):
// reports are written there with the real writer and removed with it.

#include "harness/records.hpp"
#include "report/json_writer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace gpushare::test {

class report_file_test : public ::testing::Test {
protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    m_dir = std::filesystem::temp_directory_path() /
            ("gpushare-" + std::string(info->test_suite_name()) + "-" + std::to_string(getpid()));
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  /// Writes `document` as `name` in the directory and returns its path.
  [[nodiscard]] std::string write(const std::string& name, const report_document& document) const {
    const std::string path = (m_dir / name).string();
    report::write_json_report(document, path);
    return path;
  }

  std::filesystem::path m_dir;
};

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace gpushare::test
