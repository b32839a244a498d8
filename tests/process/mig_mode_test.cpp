// --mode mig through the real binary, with host-* tenants and the recording nvidia-smi stand-in
// (tests/fixtures/nvidia-smi-standin) playing an A100 whose outputs were recorded on real
// GPUs: existing instances, a geometry applied and restored, refusals, dry runs, and a failure
// in the middle of applying that must still put the old layout back.

#include "harness/subprocess.hpp"
#include "run_binary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace gpushare::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using json = nlohmann::json;

const std::string standin = std::string(GPUSHARE_SOURCE_DIR) + "/tests/fixtures/nvidia-smi-standin";
const std::string fixtures = std::string(GPUSHARE_SOURCE_DIR) + "/tests/fixtures/nvidia-smi";

std::string read_text(const std::string& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

class MigMode : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "gpushare-mig-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
    m_environment = {{"GPUSHARE_SMI_FIXTURES", fixtures},
                     {"GPUSHARE_SMI_LOG", m_dir + "/calls.log"},
                     {"GPUSHARE_SMI_STATE", m_dir + "/state.json"}};
  }
  void TearDown() override { fs::remove_all(m_dir); }

  binary_run run(std::vector<std::string> args) {
    std::vector<std::string> full{"--mode",        "mig", "--nvidia-smi", standin, "--quiet",
                                  "--repetitions", "2",   "--duration",   "0.02"};
    full.insert(full.end(), args.begin(), args.end());
    return run_gpushare(full, m_environment);
  }

  /// The stand-in GPU's instances now: "profile start:size" per GPU instance, sorted. Instance
  /// IDs are left out: the driver picks new ones when a layout is recreated.
  std::vector<std::string> instances_now() {
    const std::string listing = run_gpushare_program(standin, {"mig", "-i", "0", "-lgi"});
    static const std::regex row(R"(\|\s+0\s+MIG (\S+)\s+\d+\s+\d+\s+(\d+:\d+))");
    std::vector<std::string> instances;
    for (std::sregex_iterator it(listing.begin(), listing.end(), row), end; it != end; ++it) {
      instances.push_back((*it)[1].str() + " " + (*it)[2].str());
    }
    std::sort(instances.begin(), instances.end());
    EXPECT_FALSE(instances.empty()) << listing;
    return instances;
  }

  /// Runs the stand-in itself (its state is the modelled GPU), without logging the call.
  std::string run_gpushare_program(const std::string& program,
                                   const std::vector<std::string>& args) {
    process_spec spec;
    spec.argv = {program};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.set_environment = m_environment;
    spec.set_environment["GPUSHARE_SMI_LOG"] = "/dev/null";
    const process_outcome outcome = run_process(spec, std::chrono::seconds(30));
    EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    return outcome.out;
  }

  std::vector<std::string> mutating_calls() {
    std::vector<std::string> calls;
    std::istringstream log(read_text(m_dir + "/calls.log"));
    for (std::string line; std::getline(log, line);) {
      if (line.find("-cgi") != std::string::npos || line.find("-dgi") != std::string::npos ||
          line.find("-cci") != std::string::npos || line.find("-dci") != std::string::npos) {
        calls.push_back(line);
      }
    }
    return calls;
  }

  std::string m_dir;
  std::map<std::string, std::string> m_environment;
};

TEST_F(MigMode, DisabledMigExitsTwoWithHowToEnableIt) {
  m_environment["GPUSHARE_SMI_MIG_MODE"] = "Disabled,Disabled";
  const binary_run result = run({"--workload", "host-sleep:us=100"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("nvidia-smi -i 0 -mig 1"));
  EXPECT_THAT(result.err, HasSubstr("GPU reset"));
  EXPECT_TRUE(mutating_calls().empty());
}

TEST_F(MigMode, ExistingInstancesGetOneTenantEach) {
  const std::string json_path = m_dir + "/report.json";
  const binary_run result = run({"--workload", "host-sleep:us=100", "--json", json_path});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(mutating_calls().empty()) << "measuring existing instances changed the layout";
  const json report = json::parse(read_text(json_path));
  const json& mig_run = report["runs"][0];
  EXPECT_EQ(mig_run["mode"], "mig");
  EXPECT_EQ(mig_run["mig"]["layout"], "existing");
  // The recorded A100 has four MIG devices (nvidia-smi -L): 4g.20gb, two compute instances of
  // one 2g.10gb GPU instance, and 1g.5gb.
  ASSERT_EQ(mig_run["tenants"].size(), 4u);
  const std::vector<std::string> profiles{"4g.20gb", "1c.2g.10gb", "1c.2g.10gb", "1g.5gb"};
  for (std::size_t i = 0; i < 4; ++i) {
    const json& tenant = mig_run["tenants"][i];
    EXPECT_EQ(tenant["status"], "ok");
    EXPECT_EQ(tenant["mig_instance"]["profile"], profiles[i]);
    const std::string uuid = tenant["mig_instance"]["uuid"];
    EXPECT_EQ(uuid.rfind("MIG-", 0), 0u);
    EXPECT_EQ(tenant["environment"]["CUDA_VISIBLE_DEVICES"], uuid);
  }
  EXPECT_EQ(mig_run["tenants"][1]["mig_instance"]["gpu_instance_id"],
            mig_run["tenants"][2]["mig_instance"]["gpu_instance_id"]);
  EXPECT_TRUE(mig_run["aggregate"]["interference"].is_number());
  EXPECT_TRUE(mig_run["aggregate"]["mechanism_overhead"].is_null());
}

TEST_F(MigMode, AWorkloadPerInstanceMustMatchTheCount) {
  const binary_run result =
      run({"--workload", "host-sleep:us=100", "--workload", "host-sleep:us=200"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("2 workloads for 4 MIG instances"));
}

TEST_F(MigMode, AGeometryNeedsExplicitConsent) {
  const binary_run result = run({"--mig-geometry", "3g.20gb,3g.20gb"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--mig-apply"));
  EXPECT_TRUE(mutating_calls().empty());
}

TEST_F(MigMode, DryRunPrintsTheCommandsAndChangesNothing) {
  const auto before = instances_now();
  std::vector<std::string> args{
      "--mode", "mig", "--nvidia-smi", standin, "--mig-geometry", "3g.20gb,3g.20gb", "--dry-run"};
  const binary_run result = run_gpushare(args, m_environment);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("-cgi"));
  EXPECT_THAT(result.out, HasSubstr("restore:"));
  EXPECT_TRUE(mutating_calls().empty());
  EXPECT_EQ(instances_now(), before);
}

TEST_F(MigMode, AppliedGeometryIsMeasuredAndTheOldLayoutRestored) {
  const auto before = instances_now();
  const std::string json_path = m_dir + "/report.json";
  const binary_run result = run({"--mig-geometry", "3g.20gb,3g.20gb", "--mig-apply", "--workload",
                                 "host-sleep:us=100", "--json", json_path});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json report = json::parse(read_text(json_path));
  const json& mig_run = report["runs"][0];
  EXPECT_EQ(mig_run["mig"]["layout"], "applied");
  EXPECT_EQ(mig_run["mig"]["restore"], "restored");
  ASSERT_EQ(mig_run["tenants"].size(), 2u);
  for (const json& tenant : mig_run["tenants"]) {
    EXPECT_EQ(tenant["mig_instance"]["profile"], "3g.20gb");
  }
  EXPECT_FALSE(mutating_calls().empty());
  EXPECT_EQ(instances_now(), before);
}

TEST_F(MigMode, AFailureWhileApplyingStillRestores) {
  const auto before = instances_now();
  // The recorded A100 has 4 compute and 3 GPU instances: calls 1-4 destroy the compute
  // instances, 5-7 the GPU instances, 8-9 create the two new ones. Fail at a destroy half way
  // and at the second creation.
  for (const auto& [step, verb] : {std::pair{"5", "-dgi"}, std::pair{"9", "-cgi"}}) {
    m_environment["GPUSHARE_SMI_FAIL_AT"] = step;
    // A fresh modelled GPU (the stand-in counts mutating calls in its state).
    fs::remove(m_dir + "/state.json");
    const binary_run result = run(
        {"--mig-geometry", "3g.20gb,3g.20gb", "--mig-apply", "--workload", "host-sleep:us=100"});
    EXPECT_EQ(result.exit_code, 2) << "failing call " << step;
    EXPECT_THAT(result.err, HasSubstr(verb)) << "failing call " << step;
    EXPECT_EQ(instances_now(), before) << "failing call " << step;
  }
}

TEST_F(MigMode, ASuiteSkipsMigWhereItCannotRunAndFailsWhenApplyingFails) {
  const std::string suite = m_dir + "/mig.suite";
  std::ofstream(suite) << "repetitions = 2\nduration = 0.02\n[run]\nmode = mig\nworkload = "
                          "host-sleep:us=100\n";
  const std::string json_path = m_dir + "/report.json";
  m_environment["GPUSHARE_SMI_MIG_MODE"] = "Disabled,Disabled";
  const binary_run off = run_gpushare(
      {"--suite", suite, "--nvidia-smi", standin, "--quiet", "--json", json_path}, m_environment);
  EXPECT_EQ(off.exit_code, 0) << off.err;
  const json report = json::parse(read_text(json_path));
  EXPECT_EQ(report["runs"][0]["status"], "skipped");
  EXPECT_THAT(report["runs"][0]["reason"].get<std::string>(), HasSubstr("-mig 1"));

  // A failure while changing the layout is not "MIG unavailable": the suite fails with it.
  m_environment.erase("GPUSHARE_SMI_MIG_MODE");
  fs::remove(m_dir + "/state.json");
  const auto before = instances_now();
  m_environment["GPUSHARE_SMI_FAIL_AT"] = "9";
  const binary_run failing =
      run_gpushare({"--suite", suite, "--nvidia-smi", standin, "--mig-geometry", "3g.20gb,3g.20gb",
                    "--mig-apply", "--quiet", "--json", json_path},
                   m_environment);
  EXPECT_EQ(failing.exit_code, 2) << failing.err;
  EXPECT_EQ(json::parse(read_text(json_path))["runs"][0]["status"], "failed");
  EXPECT_EQ(instances_now(), before);
}

TEST_F(MigMode, CtrlCWhileApplyingRestoresAndExits130) {
  const auto before = instances_now();
  // The stand-in sends SIGINT to the tool right after creating the first new GPU instance.
  m_environment["GPUSHARE_SMI_INTERRUPT_AT"] = "8";
  const std::string json_path = m_dir + "/report.json";
  const binary_run result = run({"--mig-geometry", "3g.20gb,3g.20gb", "--mig-apply", "--workload",
                                 "host-sleep:us=100", "--json", json_path});
  EXPECT_EQ(result.exit_code, 130) << result.err;
  EXPECT_EQ(instances_now(), before);
  const json report = json::parse(read_text(json_path));
  EXPECT_FALSE(report["errors"].empty());
}

} // namespace
} // namespace gpushare::test
