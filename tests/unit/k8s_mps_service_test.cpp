// The MPS service files as text: what the script bakes in, what the unit runs, which options
// are refused. tests/process/mps_service_test.cpp runs the script against the real daemon.

#include "common/error.hpp"
#include "harness/private_directory.hpp"
#include "harness/subprocess.hpp"
#include "k8s/mps_service.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace gpushare::k8s {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

mps_service_settings example_settings() {
  mps_service_settings settings;
  settings.thread_percentage = "40";
  settings.memory_limits = parse_memory_limits({"4G", "1=512M"});
  settings.pipe_directory = "/run/nvidia-mps";
  settings.log_directory = "/var/log/nvidia-mps";
  settings.script_path = "/opt/gpushare/gpushare-mps.sh";
  return settings;
}

TEST(K8sMpsService, MemoryLimitsAreSizesPerDevice) {
  const auto limits = parse_memory_limits({"4G", "1=512M", "12=1G"});
  ASSERT_EQ(limits.size(), 3u);
  EXPECT_EQ(limits[0].device, 0);
  EXPECT_EQ(limits[0].value, "4G");
  EXPECT_EQ(limits[1].device, 1);
  EXPECT_EQ(limits[1].value, "512M");
  EXPECT_EQ(limits[2].device, 12);
  for (const char* bad : {"4GB", "0G", "4", "=4G", "-1=4G", "4g", "1=2=4G", ""}) {
    EXPECT_THROW((void)parse_memory_limits({bad}), usage_error) << bad;
  }
  EXPECT_THROW((void)parse_memory_limits({"4G", "0=2G"}), usage_error) << "device 0 twice";
}

TEST(K8sMpsService, ScriptBakesInTheSettingsAndLetsTheEnvironmentOverride) {
  const std::string script = mps_service_script(example_settings());
  EXPECT_EQ(script.rfind("#!/usr/bin/env bash\n", 0), 0u);
  EXPECT_THAT(script, HasSubstr("set -euo pipefail\n"));
  EXPECT_THAT(script, HasSubstr("pipe_dir=${CUDA_MPS_PIPE_DIRECTORY:-'/run/nvidia-mps'}\n"));
  EXPECT_THAT(script, HasSubstr("log_dir=${CUDA_MPS_LOG_DIRECTORY:-'/var/log/nvidia-mps'}\n"));
  EXPECT_THAT(script, HasSubstr("control=${GPUSHARE_MPS_CONTROL:-'nvidia-cuda-mps-control'}\n"));
  EXPECT_THAT(script, HasSubstr("thread_percentage='40'\n"));
  EXPECT_THAT(script, HasSubstr("memory_limits=('0=4G' '1=512M')\n"));
  EXPECT_THAT(script, HasSubstr("\"${control}\" -d"));
  EXPECT_THAT(script, HasSubstr("set_default_active_thread_percentage ${thread_percentage}"));
  EXPECT_THAT(script, HasSubstr("set_default_device_pinned_mem_limit ${device} ${value}"));
  EXPECT_THAT(script, HasSubstr("quit -t ${stop_timeout_s}"));
}

TEST(K8sMpsService, WithoutDefaultsTheScriptSetsNone) {
  mps_service_settings settings;
  const std::string script = mps_service_script(settings);
  EXPECT_THAT(script, HasSubstr("thread_percentage=''\n"));
  EXPECT_THAT(script, HasSubstr("memory_limits=()\n"));
  EXPECT_THAT(script, HasSubstr("pipe_dir=${CUDA_MPS_PIPE_DIRECTORY:-'/tmp/nvidia-mps'}\n"));
}

TEST(K8sMpsService, ScriptIsValidBash) {
  const scoped_private_directory directory("/tmp", "gpushare-k8s-script-");
  const std::string path = directory.path() + "/gpushare-mps.sh";
  std::ofstream(path) << mps_service_script(example_settings());
  const process_outcome checked = run_process({{"bash", "-n", path}, {}, ""}, 10s);
  EXPECT_EQ(checked.exit_code, 0) << checked.err;
  const process_outcome usage = run_process({{"bash", path, "restart"}, {}, ""}, 10s);
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_THAT(usage.err, HasSubstr("usage: gpushare-mps.sh start|stop|status"));
}

TEST(K8sMpsService, UnitRunsTheScriptAsAForkingService) {
  const std::string unit = mps_service_unit(example_settings());
  std::vector<std::string> lines;
  std::istringstream stream(unit);
  for (std::string line; std::getline(stream, line);) {
    lines.push_back(line);
    if (line.empty() || line[0] == '#') {
      continue;
    }
    EXPECT_TRUE(line[0] == '[' || line.find('=') != std::string::npos) << line;
  }
  for (const char* expected :
       {"[Unit]", "[Service]", "[Install]", "Type=forking",
        "Environment=CUDA_MPS_PIPE_DIRECTORY=/run/nvidia-mps",
        "Environment=CUDA_MPS_LOG_DIRECTORY=/var/log/nvidia-mps",
        "Environment=GPUSHARE_MPS_CONTROL=nvidia-cuda-mps-control",
        "PIDFile=/run/nvidia-mps/gpushare-mps.pid", "ExecStart=/opt/gpushare/gpushare-mps.sh start",
        "ExecStop=/opt/gpushare/gpushare-mps.sh stop", "WantedBy=multi-user.target"}) {
    EXPECT_THAT(lines, ::testing::Contains(std::string(expected)));
  }
}

TEST(K8sMpsService, RefusesWhatWouldBreakTheScriptOrTheDaemon) {
  const auto refused = [](const auto& change, const std::string& mentions) {
    mps_service_settings settings = example_settings();
    change(settings);
    try {
      (void)mps_service_script(settings);
      FAIL() << "accepted: " << mentions;
    } catch (const usage_error& failure) {
      EXPECT_THAT(failure.what(), HasSubstr(mentions));
    }
  };
  refused([](auto& s) { s.thread_percentage = "0"; }, "--thread-pct 0");
  refused([](auto& s) { s.thread_percentage = "100.5"; }, "--thread-pct");
  refused([](auto& s) { s.thread_percentage = "1e2"; }, "--thread-pct");
  refused([](auto& s) { s.pipe_directory = "run/mps"; }, "absolute");
  refused([](auto& s) { s.log_directory = "/var/log/my logs"; }, "--log-dir");
  refused([](auto& s) { s.control_program = "mps'control"; }, "--control");
  refused([](auto& s) { s.pipe_directory = "/" + std::string(90, 'p'); }, "socket paths");
  refused([](auto& s) { s.stop_timeout_s = 0; }, "--stop-timeout");
  mps_service_settings fine = example_settings();
  fine.thread_percentage = "100";
  EXPECT_NO_THROW((void)mps_service_script(fine));
  fine.thread_percentage = "12.5";
  EXPECT_NO_THROW((void)mps_service_script(fine));
}

TEST(K8sMpsService, WritesBothFilesWithTheirModes) {
  const scoped_private_directory directory("/tmp", "gpushare-k8s-files-");
  const std::string target = directory.path() + "/new/svc";
  const mps_service_files files = write_mps_service_files(example_settings(), target);
  EXPECT_EQ(files.script, target + "/gpushare-mps.sh");
  EXPECT_EQ(files.unit, target + "/nvidia-mps.service");
  const auto script_perms = fs::status(files.script).permissions();
  const auto unit_perms = fs::status(files.unit).permissions();
  EXPECT_EQ(script_perms & fs::perms::all, fs::perms(0755));
  EXPECT_EQ(unit_perms & fs::perms::all, fs::perms(0644));
  std::ifstream unit(files.unit);
  const std::string text((std::istreambuf_iterator<char>(unit)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, mps_service_unit(example_settings()));
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(target)) {
    ++entries;
  }
  EXPECT_EQ(entries, 2u) << "no temporary file is left beside them";
}

} // namespace
} // namespace gpushare::k8s
