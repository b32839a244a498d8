// `gpushare-bench k8s ...` run as a user runs it: what each command prints or writes, its exit
// codes, and its help.

#include "harness/private_directory.hpp"
#include "run_binary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <yaml-cpp/yaml.h>

namespace gpushare::test {
namespace {

using ::testing::HasSubstr;

void expect_one_line_error(const binary_run& run, int code, const std::string& must_mention) {
  EXPECT_EQ(run.exit_code, code) << run.err;
  const auto lines = lines_of(run.err);
  ASSERT_EQ(lines.size(), 1u) << run.err;
  EXPECT_THAT(lines[0], HasSubstr("gpushare-bench: "));
  EXPECT_THAT(lines[0], HasSubstr(must_mention));
  EXPECT_TRUE(run.out.empty()) << run.out;
}

class K8sCli : public ::testing::Test {
protected:
  /// A report of the recorded layout: timeslice runs of 2, 4 and 8 tenants whose worst shared
  /// p99 is 1.3, 1.8 and 4.0 times the solo p99.
  std::string write_report() {
    const auto tenant = [](double inflation) {
      const auto phase = [](double p99) {
        return nlohmann::json{{"workload", "spin"},
                              {"host_only", false},
                              {"iterations", 10},
                              {"throughput_per_s", nlohmann::json::object()},
                              {"latency_us", {{"count", 10}, {"p99", p99}}}};
      };
      return nlohmann::json{{"id", 0},
                            {"workload", "spin"},
                            {"status", "ok"},
                            {"solo", phase(50)},
                            {"shared", phase(50 * inflation)}};
    };
    const auto run = [&](std::size_t tenants, double inflation) {
      return nlohmann::json{{"mode", "timeslice"},
                            {"status", "ok"},
                            {"tenants", std::vector<nlohmann::json>(tenants, tenant(inflation))}};
    };
    const nlohmann::json report{{"runs", {run(2, 1.3), run(4, 1.8), run(8, 4.0)}}};
    const std::string path = m_directory.path() + "/report.json";
    std::ofstream(path) << report.dump(2);
    return path;
  }
  scoped_private_directory m_directory{"/tmp", "gpushare-k8s-cli-"};
};

TEST_F(K8sCli, IsListedInTheMainHelp) {
  const auto run = run_gpushare({"--help"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("k8s"));
}

TEST_F(K8sCli, HelpOfEachCommandSaysWhatItEmitsAndWhere) {
  const auto group = run_gpushare({"k8s", "--help"});
  ASSERT_EQ(group.exit_code, 0) << group.err;
  for (const char* command : {"device-plugin", "replicas", "mig-parted", "pods", "mps-service"}) {
    EXPECT_THAT(group.out, HasSubstr(command)) << command;
    const auto help = run_gpushare({"k8s", command, "--help"});
    ASSERT_EQ(help.exit_code, 0) << command << ": " << help.err;
    EXPECT_THAT(help.out, HasSubstr("Exit codes")) << command;
    EXPECT_THAT(help.out, HasSubstr("-o")) << command;
    if (std::string(command) != "mps-service") {
      EXPECT_THAT(help.out, HasSubstr("stdout")) << command;
    }
  }
  EXPECT_THAT(run_gpushare({"k8s", "mps-service", "--help"}).out,
              HasSubstr("gpushare-mps.sh and DIR/nvidia-mps.service"));
}

TEST_F(K8sCli, WithoutACommandItIsAUsageError) {
  const auto run = run_gpushare({"k8s"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
}

TEST_F(K8sCli, DevicePluginPrintsTheConfig) {
  const auto run = run_gpushare({"k8s", "device-plugin", "--sharing", "timeslicing", "--replicas",
                                 "5", "--fail-requests-greater-than-one"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const YAML::Node config = YAML::Load(run.out);
  EXPECT_EQ(config["sharing"]["timeSlicing"]["resources"][0]["replicas"].as<int>(), 5);
  EXPECT_TRUE(config["sharing"]["timeSlicing"]["failRequestsGreaterThanOne"].as<bool>());
}

TEST_F(K8sCli, DevicePluginNeedsExactlyOneSourceOfReplicas) {
  expect_one_line_error(run_gpushare({"k8s", "device-plugin", "--sharing", "mps"}), 2,
                        "give --replicas N, or --from-results FILE");
  const std::string report = write_report();
  expect_one_line_error(
      run_gpushare({"k8s", "device-plugin", "--sharing", "timeslicing", "--replicas", "2",
                    "--from-results", report, "--max-p99-inflation", "2"}),
      2, "give one");
  expect_one_line_error(run_gpushare({"k8s", "device-plugin", "--sharing", "mps", "--from-results",
                                      report, "--max-p99-inflation", "2", "--mode", "timeslice"}),
                        2, "use the mps runs");
}

TEST_F(K8sCli, DevicePluginTakesReplicasFromAReportAndSaysWhy) {
  const std::string report = write_report();
  const std::string output = m_directory.path() + "/plugin.yaml";
  const auto run =
      run_gpushare({"k8s", "device-plugin", "--sharing", "timeslicing", "--from-results", report,
                    "--max-p99-inflation", "2", "--configmap", "sharing", "-o", output});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.out.empty());
  EXPECT_THAT(run.err, HasSubstr("replicas 4"));
  EXPECT_THAT(run.err, HasSubstr("wrote " + output));
  const YAML::Node map = YAML::LoadFile(output);
  const std::string config = map["data"]["config"].as<std::string>();
  EXPECT_THAT(config, HasSubstr("# 8 tenants: 4.00 (runs[2]) over the limit"));
  EXPECT_EQ(YAML::Load(config)["sharing"]["timeSlicing"]["resources"][0]["replicas"].as<int>(), 4);
}

TEST_F(K8sCli, ReplicasPrintsTheNumberAndExitsOneWhenNoneFits) {
  const std::string report = write_report();
  const auto fits = run_gpushare({"k8s", "replicas", "--from-results", report,
                                  "--max-p99-inflation", "1.5", "--mode", "timeslice"});
  ASSERT_EQ(fits.exit_code, 0) << fits.err;
  EXPECT_EQ(fits.out, "2\n");
  EXPECT_THAT(fits.err, HasSubstr("4 tenants: 1.80 (runs[1]) over the limit"));

  expect_one_line_error(run_gpushare({"k8s", "replicas", "--from-results", report,
                                      "--max-p99-inflation", "1.1", "--mode", "timeslice"}),
                        1, "no timeslice run in " + report);
  expect_one_line_error(run_gpushare({"k8s", "replicas", "--from-results", report,
                                      "--max-p99-inflation", "2", "--mode", "mps"}),
                        1, "has no mps runs");
}

TEST_F(K8sCli, ReplicasFromABrokenReportNamesFileAndField) {
  const std::string path = m_directory.path() + "/broken.json";
  std::ofstream(path) << R"({"runs": [{"mode": "mps", "status": "ok", "tenants": [{"id": 0}]}]})";
  expect_one_line_error(run_gpushare({"k8s", "replicas", "--from-results", path,
                                      "--max-p99-inflation", "2", "--mode", "mps"}),
                        2, path + ": runs[0].tenants[0].solo is missing");
  expect_one_line_error(run_gpushare({"k8s", "replicas", "--from-results", path + ".absent",
                                      "--max-p99-inflation", "2", "--mode", "mps"}),
                        2, path + ".absent: cannot read it");
}

TEST_F(K8sCli, MigPartedValidatesBeforeEmitting) {
  const auto valid =
      run_gpushare({"k8s", "mig-parted", "--gpu", "A100-80GB", "--geometry", "3g.40gb,3g.40gb"});
  ASSERT_EQ(valid.exit_code, 0) << valid.err;
  const YAML::Node config = YAML::Load(valid.out);
  EXPECT_EQ(config["mig-configs"]["gpushare-2x3g.40gb"][0]["mig-devices"]["3g.40gb"].as<int>(), 2);
  EXPECT_TRUE(config["mig-configs"]["all-disabled"]);

  const auto named = run_gpushare(
      {"k8s", "mig-parted", "--gpu", "A100-80GB", "--geometry", "7x1g.10gb", "--name", "small"});
  ASSERT_EQ(named.exit_code, 0) << named.err;
  EXPECT_EQ(YAML::Load(named.out)["mig-configs"]["small"][0]["mig-devices"]["1g.10gb"].as<int>(),
            7);

  expect_one_line_error(
      run_gpushare({"k8s", "mig-parted", "--gpu", "A100-80GB", "--geometry", "4g.40gb,4g.40gb"}), 1,
      "does not fit a A100-80GB");
  EXPECT_EQ(
      run_gpushare({"k8s", "mig-parted", "--gpu", "RTX-4090", "--geometry", "1g.10gb"}).exit_code,
      2);
  EXPECT_EQ(
      run_gpushare({"k8s", "mig-parted", "--gpu", "A100-80GB", "--geometry", "9g.99gb"}).exit_code,
      2);
  expect_one_line_error(run_gpushare({"k8s", "mig-parted", "--gpu", "A100-80GB", "--geometry",
                                      "7x1g.10gb", "--name", "all-disabled"}),
                        2, "--name all-disabled");
}

TEST_F(K8sCli, PodsAreWrittenToTheFileGiven) {
  const std::string output = m_directory.path() + "/pods.yaml";
  const auto run =
      run_gpushare({"k8s", "pods", "--resource", "nvidia.com/gpu", "--count", "2", "-o", output});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(YAML::LoadAllFromFile(output).size(), 2u);
  expect_one_line_error(run_gpushare({"k8s", "pods", "--resource", "nvidia.com/gpu", "-o",
                                      m_directory.path() + "/absent/pods.yaml"}),
                        2, "does not exist");
}

TEST_F(K8sCli, MpsServiceWritesIntoTheDirectory) {
  const std::string output = m_directory.path() + "/svc";
  const auto run = run_gpushare({"k8s", "mps-service", "--thread-pct", "50", "--mem-limit", "2G",
                                 "--pipe-dir", "/run/nvidia-mps", "-o", output});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("wrote " + output + "/gpushare-mps.sh"));
  EXPECT_THAT(run.out, HasSubstr("systemctl daemon-reload"));
  EXPECT_TRUE(std::filesystem::exists(output + "/nvidia-mps.service"));
  expect_one_line_error(run_gpushare({"k8s", "mps-service", "--thread-pct", "0", "-o", output}), 2,
                        "--thread-pct 0");
  EXPECT_EQ(run_gpushare({"k8s", "mps-service", "--thread-pct", "50"}).exit_code, 2)
      << "the directory is required";
}

} // namespace
} // namespace gpushare::test
