// Replicas chosen from a report. The reports are small documents of the recorded layout
// (runs[] with mode, status and tenants[] holding solo/shared latency_us.p99) written here,
// with figures chosen for the rule under test, not measured ones.

#include "common/error.hpp"
#include "k8s/replica_advice.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <unistd.h>

namespace gpushare::k8s {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json phase(std::optional<double> p99) {
  if (!p99) {
    return nullptr;
  }
  return json{{"workload", "spin:us=100"},
              {"host_only", false},
              {"iterations", 200},
              {"throughput_per_s", json::object()},
              {"latency_us",
               {{"count", 200},
                {"p50", *p99 / 2},
                {"p90", *p99 / 1.5},
                {"p99", *p99},
                {"p999", *p99},
                {"max", *p99},
                {"mean", *p99 / 2},
                {"stdev", 1.0}}}};
}

json tenant(int id, std::optional<double> solo_p99, std::optional<double> shared_p99) {
  return json{{"id", id},
              {"workload", "spin:us=100"},
              {"status", "ok"},
              {"solo", phase(solo_p99)},
              {"shared", phase(shared_p99)}};
}

/// A run of `count` tenants whose shared p99 is `inflations[i]` times a solo p99 of 100 us.
json run(const std::string& mode, const std::vector<double>& inflations,
         const std::string& status = "ok") {
  json tenants = json::array();
  for (std::size_t i = 0; i < inflations.size(); ++i) {
    tenants.push_back(tenant(static_cast<int>(i), 100.0, 100.0 * inflations[i]));
  }
  return json{{"mode", mode},
              {"status", status},
              {"reason", status == "ok" ? "" : "tenant 1 timed out"},
              {"params", json::object()},
              {"flags", json::array()},
              {"aggregate", {{"start_skew_us", 3.0}}},
              {"tenants", tenants}};
}

json report(const std::vector<json>& runs) {
  return json{{"schema_version", "1.0.0"}, {"runs", runs}, {"errors", json::array()}};
}

TEST(K8sReplicaAdvice, PicksTheMostTenantsWithinTheLimit) {
  const json document = report(
      {run("streams", {}), run("timeslice", {1.2, 1.3}), run("timeslice", {1.5, 1.9, 1.6, 1.7}),
       run("timeslice", std::vector<double>(8, 3.5)), run("mps", {1.05, 1.1, 1.0, 1.1})});
  const replica_advice advice = advise_replicas(document, "r.json", "timeslice", 2.0);
  EXPECT_EQ(advice.replicas, 4);
  ASSERT_EQ(advice.findings.size(), 3u);
  EXPECT_EQ(advice.findings[0].tenants, 2);
  EXPECT_DOUBLE_EQ(*advice.findings[0].p99_inflation, 1.3) << "the worst tenant counts";
  EXPECT_DOUBLE_EQ(*advice.findings[1].p99_inflation, 1.9);
  EXPECT_TRUE(advice.findings[1].within_limit);
  EXPECT_FALSE(advice.findings[2].within_limit);
  ASSERT_FALSE(advice.explanation.empty());
  EXPECT_THAT(advice.explanation[0], HasSubstr("replicas 4"));
  EXPECT_THAT(advice.explanation[0], HasSubstr("r.json"));
  EXPECT_THAT(advice.explanation[0], HasSubstr("within 2.00"));
}

TEST(K8sReplicaAdvice, OnlyRunsOfTheAskedModeCount) {
  const json document =
      report({run("timeslice", std::vector<double>(8, 1.1)), run("mps", {1.2, 1.2})});
  EXPECT_EQ(advise_replicas(document, "r.json", "mps", 1.5).replicas, 2);
}

TEST(K8sReplicaAdvice, TheWorstRunOfATenantCountDecides) {
  const json document =
      report({run("mps", {1.1, 1.1, 1.1}), run("mps", {1.1, 2.5, 1.1}), run("mps", {1.2, 1.2})});
  const replica_advice advice = advise_replicas(document, "r.json", "mps", 2.0);
  EXPECT_EQ(advice.replicas, 2);
  EXPECT_DOUBLE_EQ(*advice.findings[1].p99_inflation, 2.5);
  EXPECT_EQ(advice.findings[1].runs, (std::vector<std::string>{"runs[0]", "runs[1]"}));
}

TEST(K8sReplicaAdvice, FailedAndUnmeasuredRunsAreLeftOutAndNamed) {
  json unmeasured = run("mps", {1.1, 1.1, 1.1, 1.1});
  unmeasured["tenants"][2]["shared"] = nullptr;
  const json document =
      report({run("mps", {1.2, 1.2}), run("mps", {1.0, 1.0, 1.0}, "failed"), unmeasured});
  const replica_advice advice = advise_replicas(document, "r.json", "mps", 3.0);
  EXPECT_EQ(advice.replicas, 2);
  ASSERT_EQ(advice.findings.size(), 3u);
  EXPECT_FALSE(advice.findings[1].p99_inflation);
  ASSERT_EQ(advice.findings[1].skipped.size(), 1u);
  EXPECT_THAT(advice.findings[1].skipped[0], HasSubstr("runs[1]: status failed (tenant 1 timed"));
  EXPECT_THAT(advice.findings[2].skipped[0], HasSubstr("runs[2].tenants[2].shared was not "
                                                       "measured"));
}

TEST(K8sReplicaAdvice, TestInstrumentRunsAreNeverAdvice) {
  json instruments = run("timeslice", {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0});
  instruments["flags"] = json::array({"host_instruments_only"});
  const json document = report({run("timeslice", {1.2, 1.2}), instruments});
  const replica_advice advice = advise_replicas(document, "r.json", "timeslice", 2.0);
  EXPECT_EQ(advice.replicas, 2) << "8 host-sleep tenants said nothing about the GPU";
  ASSERT_EQ(advice.findings.size(), 2u);
  EXPECT_THAT(advice.findings[1].skipped.at(0), HasSubstr("runs[1]: host-* test instruments"));
}

TEST(K8sReplicaAdvice, NoRunWithinTheLimitIsACheckFailureWithEveryFigure) {
  const json document = report({run("timeslice", {1.4, 1.6}), run("timeslice", {2.0, 2.2, 2.1})});
  try {
    (void)advise_replicas(document, "r.json", "timeslice", 1.2);
    FAIL() << "no exception";
  } catch (const check_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("no timeslice run in r.json"));
    EXPECT_THAT(failure.what(), HasSubstr("2 tenants: 1.60"));
    EXPECT_THAT(failure.what(), HasSubstr("3 tenants: 2.20"));
  }
}

TEST(K8sReplicaAdvice, NoRunOfTheModeSaysWhichModesThereAre) {
  const json document = report({run("streams", {}), run("timeslice", {1.1, 1.1})});
  try {
    (void)advise_replicas(document, "r.json", "mps", 2.0);
    FAIL() << "no exception";
  } catch (const check_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("r.json has no mps runs"));
    EXPECT_THAT(failure.what(), HasSubstr("streams, timeslice"));
  }
}

TEST(K8sReplicaAdvice, AMissingFieldNamesTheFileAndTheField) {
  const auto expect_usage_error = [](const json& document, const std::string& field) {
    try {
      (void)advise_replicas(document, "r.json", "mps", 2.0);
      FAIL() << "no exception for " << field;
    } catch (const usage_error& failure) {
      EXPECT_THAT(failure.what(), HasSubstr("r.json: " + field));
    }
  };
  expect_usage_error(json{{"schema_version", "1.0.0"}}, "runs is missing");

  json no_mode = report({run("mps", {1.1})});
  no_mode["runs"][0].erase("mode");
  expect_usage_error(no_mode, "runs[0].mode is missing");

  json no_p99 = report({run("mps", {1.1, 1.1})});
  no_p99["runs"][0]["tenants"][1]["solo"]["latency_us"].erase("p99");
  expect_usage_error(no_p99, "runs[0].tenants[1].solo.latency_us.p99 is missing");

  json text_p99 = report({run("mps", {1.1})});
  text_p99["runs"][0]["tenants"][0]["shared"]["latency_us"]["p99"] = "fast";
  expect_usage_error(text_p99, "runs[0].tenants[0].shared.latency_us.p99 is not a number");

  json no_solo = report({run("mps", {1.1})});
  no_solo["runs"][0]["tenants"][0].erase("solo");
  expect_usage_error(no_solo, "runs[0].tenants[0].solo is missing");
}

class K8sReplicaAdviceFile : public ::testing::Test {
protected:
  void TearDown() override { std::filesystem::remove(m_path); }
  std::string write(const std::string& text) {
    std::ofstream(m_path) << text;
    return m_path.string();
  }
  std::filesystem::path m_path = std::filesystem::temp_directory_path() /
                                 ("gpushare-k8s-advice-" + std::to_string(getpid()) + ".json");
};

TEST_F(K8sReplicaAdviceFile, ReadsAReportFile) {
  const std::string path = write(report({run("mps", {1.1, 1.2, 1.3})}).dump());
  EXPECT_EQ(advise_replicas_from_file(path, "mps", 1.5).replicas, 3);
}

TEST_F(K8sReplicaAdviceFile, UnreadableOrBrokenFilesAreUsageErrorsNamingThem) {
  try {
    (void)advise_replicas_from_file(m_path.string(), "mps", 1.5);
    FAIL() << "no exception";
  } catch (const usage_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr(m_path.string() + ": cannot read it"));
  }
  const std::string path = write("{\"runs\": [");
  try {
    (void)advise_replicas_from_file(path, "mps", 1.5);
    FAIL() << "no exception";
  } catch (const usage_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr(path + ": not valid JSON"));
  }
}

} // namespace
} // namespace gpushare::k8s
