// `gpushare-bench report` run as a user would: the files it writes, exit 2 for bad input
// named by file and field, and a report produced by the harness itself with host-sleep
// tenants (no GPU needed), rendered and labelled as a test instrument.

#include "report/json_writer.hpp"
#include "report/report_model.hpp"
#include "report_file_fixture.hpp"
#include "report_samples.hpp"
#include "run_binary.hpp"
#include "sample_records.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace gpushare::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

using ReportCli = report_file_test;

TEST_F(ReportCli, WritesHtmlMarkdownAndCsvIntoANewDirectory) {
  const std::string h100 = write("h100.json", make_sharing_document());
  const std::string full = write("full.json", make_full_document());
  const fs::path out = m_dir / "out" / "nested";
  const auto run = run_gpushare({"report", h100, full, "-o", out.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const char* name : {"index.html", "report.md", "matrix.csv", "tenants.csv", "streams.csv",
                           "latency_cdf.csv", "isolation.csv", "isolation_claims.csv"}) {
    EXPECT_TRUE(fs::is_regular_file(out / name)) << name;
    EXPECT_THAT(run.out, HasSubstr((out / name).string()));
  }
  const std::string html = read_text(out / "index.html");
  EXPECT_THAT(html, HasSubstr("<svg"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("Side by side"));
  EXPECT_THAT(read_text(out / "report.md"), HasSubstr("| timeslice | gemm:dtype=fp16"));
  EXPECT_THAT(read_text(out / "report.md"), HasSubstr("### Isolation matrix"))
      << "full.json has an isolation run";
  EXPECT_THAT(read_text(out / "isolation.csv"), HasSubstr("/full.json,isolation,mps,fault,none,"));
}

TEST_F(ReportCli, BadInputExitsTwoNamingTheFileAndTheField) {
  const std::string good = write("good.json", make_sharing_document());
  const std::string broken = (m_dir / "broken.json").string();
  {
    std::string content = read_text(good);
    const std::string key = "\"mode\": \"calibrate\"";
    const auto at = content.find(key);
    ASSERT_NE(at, std::string::npos);
    content.replace(at, key.size(), "\"mode\": 7");
    std::ofstream(broken) << content;
  }
  const fs::path out = m_dir / "out";
  const auto run = run_gpushare({"report", good, broken, "-o", out.string()});
  EXPECT_EQ(run.exit_code, 2);
  ASSERT_EQ(lines_of(run.err).size(), 1u) << run.err;
  EXPECT_THAT(run.err, HasSubstr(broken + ": runs[0].mode"));
  EXPECT_FALSE(fs::exists(out / "index.html")) << "nothing written for bad input";

  const auto missing = run_gpushare({"report", (m_dir / "nope.json").string(), "-o", out.string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("nope.json"));

  std::ofstream(m_dir / "file") << "x";
  const auto blocked = run_gpushare({"report", good, "-o", (m_dir / "file").string()});
  EXPECT_EQ(blocked.exit_code, 2);
  EXPECT_THAT(blocked.err, HasSubstr("output directory"));

  EXPECT_EQ(run_gpushare({"report", good}).exit_code, 2) << "-o is required";
}

TEST_F(ReportCli, AHarnessRunOfHostSleepTenantsRendersLabelledHostOnly) {
  const std::string json = (m_dir / "host-sleep.json").string();
  const auto measured =
      run_gpushare({"--mode", "timeslice", "--workload", "host-sleep:us=200", "--tenants", "2",
                    "--duration", "0.05", "--repetitions", "2", "--json", json, "--quiet"});
  ASSERT_EQ(measured.exit_code, 0) << measured.err;
  const fs::path out = m_dir / "host-report";
  const auto run = run_gpushare({"report", json, "-o", out.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr(std::string("every figure is a ") + report::host_only_label));
  const std::string html = read_text(out / "index.html");
  EXPECT_THAT(html, HasSubstr("<div class=\"banner\">"));
  EXPECT_THAT(html, HasSubstr(report::host_only_label));
  EXPECT_THAT(html, HasSubstr("Latency CDF"));
  const std::string markdown = read_text(out / "report.md");
  EXPECT_THAT(markdown, HasSubstr("> **Every tenant run in this file is a host-\\* test "
                                  "instrument, not a GPU figure.**"));
  const std::string matrix = read_text(out / "matrix.csv");
  EXPECT_THAT(matrix, HasSubstr(",timeslice,\"host-sleep:rate=0,us=200\",2,2,"));
  EXPECT_THAT(matrix, HasSubstr("host_only"));
}

} // namespace
} // namespace gpushare::test
