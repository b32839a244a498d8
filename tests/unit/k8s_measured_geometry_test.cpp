// The geometry of a measured --mode mig run, read back from report documents written here
// (shaped like the tool's reports; no measured figure is involved).

#include "common/error.hpp"
#include "k8s/measured_geometry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gpushare::k8s {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

json mig_run(const std::string& status, const std::vector<std::string>& geometry) {
  return json{{"mode", "mig"}, {"status", status}, {"mig", {{"geometry", geometry}}}};
}

TEST(K8sMeasuredGeometry, TheLastMigRunThatFinishedOkIsUsed) {
  const json report{
      {"runs",
       {json{{"mode", "timeslice"}, {"status", "ok"}}, mig_run("ok", {"3g.40gb", "4g.40gb"}),
        mig_run("ok", {"3g.40gb", "2g.20gb", "2g.20gb"}), mig_run("failed", {"7g.80gb"})}}};
  EXPECT_EQ(measured_mig_geometry(report, "r.json"),
            (std::vector<std::string>{"3g.40gb", "2g.20gb", "2g.20gb"}));
}

TEST(K8sMeasuredGeometry, NoMeasuredMigRunIsExitOne) {
  const json report{{"runs", {mig_run("skipped", {}), json{{"mode", "mps"}, {"status", "ok"}}}}};
  try {
    (void)measured_mig_geometry(report, "r.json");
    FAIL() << "a report without a mig run gave a geometry";
  } catch (const check_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("no mig run finished ok"));
  }
}

TEST(K8sMeasuredGeometry, SharedComputeInstancesAreRefused) {
  const json report{{"runs", {mig_run("ok", {"4g.20gb", "1c.2g.10gb", "1c.2g.10gb"})}}};
  EXPECT_THROW((void)measured_mig_geometry(report, "r.json"), check_error);
}

TEST(K8sMeasuredGeometry, BrokenReportNamesTheField) {
  json report{{"runs", {json{{"mode", "mig"}, {"status", "ok"}}}}};
  try {
    (void)measured_mig_geometry(report, "r.json");
    FAIL() << "a mig run without its geometry was accepted";
  } catch (const usage_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("r.json: runs[0].mig.geometry"));
  }
  EXPECT_THROW((void)measured_mig_geometry(json{{"tool", "x"}}, "r.json"), usage_error);
}

} // namespace
} // namespace gpushare::k8s
