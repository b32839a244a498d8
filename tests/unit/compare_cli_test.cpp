// `gpushare-bench compare` as CI runs it: exit codes, the Markdown, refusal of reports from
// different conditions, and malformed input named by file and field. The reports are the
// shared sample document (written figures, not measurements) written by the real writer.

#include "report/json_writer.hpp"
#include "report_file_fixture.hpp"
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

using CompareCli = report_file_test;

TEST_F(CompareCli, IdenticalReportsPassWithNoRegression) {
  const std::string base = write("base.json", make_full_document());
  const auto run = run_gpushare({"compare", base, base});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("## gpushare-bench compare"));
  EXPECT_THAT(run.out, HasSubstr("**No regression** beyond 5 %."));
  EXPECT_THAT(run.out, HasSubstr("0 slower"));
}

TEST_F(CompareCli, ARegressionExitsOneAndIsListedFirst) {
  const report_document base = make_full_document();
  report_document next = base;
  next.runs[0].tenants[0].solo = make_gemm_result(3000); // half the throughput
  const std::string base_path = write("base.json", base);
  const std::string next_path = write("new.json", next);
  const std::string markdown = (m_dir / "comparison.md").string();
  const auto run = run_gpushare({"compare", base_path, next_path, "-o", markdown});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const std::string text = read_text(markdown);
  EXPECT_THAT(text, HasSubstr("regression"));
  EXPECT_THAT(text, HasSubstr("/tenant0/solo/throughput_per_s` |"));
  EXPECT_THAT(text, HasSubstr("| -50.0 % | **slower** |"));
  EXPECT_THAT(text, HasSubstr("/tenant0/slowdown` |"));
  EXPECT_TRUE(run.out.empty()) << "with -o the Markdown goes to the file only";

  // A threshold above the change makes it the same; a glob that excludes it leaves it out.
  EXPECT_EQ(run_gpushare({"compare", base_path, next_path, "--threshold", "60"}).exit_code, 0);
  EXPECT_EQ(run_gpushare({"compare", base_path, next_path, "--metric", "streams/*"}).exit_code, 0);
}

TEST_F(CompareCli, ReportsFromDifferentGpusAreRefusedUnlessForced) {
  const report_document base = make_full_document();
  report_document next = base;
  next.environment.gpus[0].name = "NVIDIA A100-SXM4-80GB";
  const std::string base_path = write("base.json", base);
  const std::string next_path = write("new.json", next);
  const auto refused = run_gpushare({"compare", base_path, next_path});
  EXPECT_EQ(refused.exit_code, 2);
  ASSERT_EQ(lines_of(refused.err).size(), 1u) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("GPU name: " + base.environment.gpus[0].name +
                                     " -> NVIDIA A100-SXM4-80GB"));
  EXPECT_THAT(refused.err, HasSubstr("--force"));
  EXPECT_THAT(refused.out, HasSubstr("Not compared: the reports measured different things"))
      << "the Markdown says why, for the CI comment";
  const auto forced = run_gpushare({"compare", base_path, next_path, "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_THAT(forced.out, HasSubstr("Compared with --force although the reports measured"));
}

TEST_F(CompareCli, NothingInCommonIsAnErrorNotAPass) {
  const std::string base = write("base.json", make_full_document());
  const auto run = run_gpushare({"compare", base, base, "--metric", "no-such-run/*"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("no metric in common that --metric selects"));
  const auto nan = run_gpushare({"compare", base, base, "--threshold", "nan"});
  EXPECT_EQ(nan.exit_code, 2) << nan.out;
}

TEST_F(CompareCli, AVanishedRunFailsTheGateUnlessAllowed) {
  const report_document base = make_full_document();
  report_document next = base;
  next.runs[1].status = run_status::skipped; // the streams run
  const std::string base_path = write("base.json", base);
  const std::string next_path = write("new.json", next);
  const auto run = run_gpushare({"compare", base_path, next_path});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_THAT(run.out, HasSubstr("**missing**"));
  EXPECT_EQ(run_gpushare({"compare", base_path, next_path, "--allow-missing"}).exit_code, 0);
}

TEST_F(CompareCli, MalformedInputNamesTheFileAndTheField) {
  const std::string base = write("base.json", make_full_document());
  const std::string broken = (m_dir / "broken.json").string();
  {
    std::string content = read_text(base);
    const auto at = content.find("\"mode\": \"timeslice\"");
    ASSERT_NE(at, std::string::npos);
    content.replace(at, std::string("\"mode\": \"timeslice\"").size(), "\"mode\": 7");
    std::ofstream(broken) << content;
  }
  const auto run = run_gpushare({"compare", base, broken});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr(broken + ": runs[0].mode"));
  const auto missing = run_gpushare({"compare", base, (m_dir / "nope.json").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("nope.json"));
  std::ofstream(m_dir / "text.json") << "not json";
  const auto text = run_gpushare({"compare", base, (m_dir / "text.json").string()});
  EXPECT_EQ(text.exit_code, 2);
  EXPECT_THAT(text.err, HasSubstr("text.json: not a JSON report"));
}

} // namespace
} // namespace gpushare::test
