// Google Benchmark JSON in `gpushare-bench report`: the checked-in output of our own
// gpushare_microbench (tests/fixtures/microbench/) read by shape, its medians, cvs, iterations
// and counters shown as the file has them, alone or beside a gpushare-bench report, and a
// damaged file refused with exit 2 naming the file and the field.

#include "report/benchmark_json.hpp"
#include "report/json_reader.hpp"
#include "report/microbench_model.hpp"
#include "report/report_csv.hpp"
#include "report/report_format.hpp"
#include "report/report_input.hpp"
#include "report/report_markdown.hpp"
#include "report/svg_chart.hpp"
#include "report_file_fixture.hpp"
#include "report_samples.hpp"
#include "run_binary.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace gpushare::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string fixture =
    std::string(GPUSHARE_SOURCE_DIR) + "/tests/fixtures/microbench/microbench-repetitions.json";

json fixture_json() {
  std::ifstream in(fixture);
  return json::parse(in);
}

/// The fixture's entries by name ("BM_x_median"), as the library wrote them.
std::map<std::string, json> entries_by_name(const json& document) {
  std::map<std::string, json> entries;
  for (const json& entry : document.at("benchmarks")) {
    entries[entry.at("name").get<std::string>()] = entry;
  }
  return entries;
}

report::microbenchmark_source fixture_source(const json& document) {
  return report::build_microbenchmark_source(report::benchmark_file_from_json(document), fixture);
}

TEST(BenchmarkJson, TheFixtureIsTakenForBenchmarkOutputByItsShape) {
  const json document = fixture_json();
  EXPECT_TRUE(report::is_benchmark_json(document));
  json report = document;
  report["schema_version"] = "1.5.0";
  EXPECT_FALSE(report::is_benchmark_json(report)) << "every gpushare-bench report has one";
  EXPECT_FALSE(report::is_benchmark_json(json::array()));
  const report::report_input input = report::read_report_input(fixture);
  EXPECT_TRUE(std::holds_alternative<report::benchmark_file>(input.contents));
}

TEST(BenchmarkJson, ContextIsReadAsWritten) {
  const json document = fixture_json();
  const json& context = document.at("context");
  const report::benchmark_file file = report::benchmark_file_from_json(document);
  EXPECT_EQ(file.context.host_name, context.at("host_name").get<std::string>());
  EXPECT_EQ(file.context.date, context.at("date").get<std::string>());
  EXPECT_EQ(file.context.num_cpus, context.at("num_cpus").get<int>());
  EXPECT_DOUBLE_EQ(file.context.mhz_per_cpu, context.at("mhz_per_cpu").get<double>());
  EXPECT_EQ(file.context.library_build_type, context.at("library_build_type").get<std::string>());
  EXPECT_EQ(file.benchmarks.size(), document.at("benchmarks").size());
}

TEST(BenchmarkJson, WithRepetitionsEachBenchmarkIsItsMedianWithTheCv) {
  const json document = fixture_json();
  const auto entries = entries_by_name(document);
  const report::microbenchmark_source source = fixture_source(document);

  std::set<std::string> instances;
  for (const json& entry : document.at("benchmarks")) {
    instances.insert(entry.at("run_name").get<std::string>());
  }
  ASSERT_EQ(source.rows.size(), instances.size()) << "one row per benchmark instance";
  bool saw_counter = false;
  for (const report::microbenchmark_row& row : source.rows) {
    SCOPED_TRACE(row.name);
    const json& median = entries.at(row.name + "_median");
    const json& cv = entries.at(row.name + "_cv");
    EXPECT_EQ(row.statistic, "median");
    EXPECT_EQ(row.repetitions, median.at("repetitions").get<int>());
    EXPECT_DOUBLE_EQ(*row.real_time, median.at("real_time").get<double>());
    EXPECT_DOUBLE_EQ(*row.cpu_time, median.at("cpu_time").get<double>());
    EXPECT_EQ(row.time_unit, median.at("time_unit").get<std::string>());
    EXPECT_DOUBLE_EQ(*row.real_time_cv, cv.at("real_time").get<double>());
    EXPECT_DOUBLE_EQ(*row.cpu_time_cv, cv.at("cpu_time").get<double>());
    // Iterations are those of one repetition, not the aggregate's count of repetitions.
    std::int64_t low = INT64_MAX;
    std::int64_t high = 0;
    for (int i = 0; i < row.repetitions; ++i) {
      for (const json& entry : document.at("benchmarks")) {
        if (entry.at("run_name") == row.name && entry.at("run_type") == "iteration" &&
            entry.at("repetition_index") == i) {
          low = std::min(low, entry.at("iterations").get<std::int64_t>());
          high = std::max(high, entry.at("iterations").get<std::int64_t>());
        }
      }
    }
    EXPECT_EQ(*row.iterations_low, low);
    EXPECT_EQ(*row.iterations_high, high);
    for (const auto& [name, value] : row.counters) {
      EXPECT_DOUBLE_EQ(value, median.at(name).get<double>()) << name;
      saw_counter = true;
    }
    for (const char* rate : {"items_per_second", "bytes_per_second"}) {
      if (median.contains(rate)) {
        EXPECT_TRUE(std::any_of(row.counters.begin(), row.counters.end(), [&](const auto& counter) {
          return counter.first == rate;
        })) << rate;
      }
    }
  }
  EXPECT_TRUE(saw_counter) << "the fixture should have user counters";
}

TEST(BenchmarkJson, WithoutAggregatesTheRepetitionsThemselvesAreShown) {
  json document = fixture_json();
  json repetitions = json::array();
  for (const json& entry : document.at("benchmarks")) {
    if (entry.at("run_type") == "iteration") {
      repetitions.push_back(entry);
    }
  }
  document["benchmarks"] = repetitions;
  const report::microbenchmark_source source = fixture_source(document);
  ASSERT_EQ(source.rows.size(), repetitions.size());
  for (std::size_t i = 0; i < repetitions.size(); ++i) {
    const report::microbenchmark_row& row = source.rows[i];
    EXPECT_EQ(row.name, repetitions[i].at("run_name").get<std::string>());
    EXPECT_EQ(row.statistic, "");
    const int index = repetitions[i].at("repetition_index").get<int>();
    EXPECT_EQ(report::text_statistic(row), "run " + std::to_string(index + 1) + " of 2");
    EXPECT_DOUBLE_EQ(*row.real_time, repetitions[i].at("real_time").get<double>());
    EXPECT_EQ(*row.iterations_low, repetitions[i].at("iterations").get<std::int64_t>());
    EXPECT_FALSE(row.real_time_cv);
  }
}

TEST(BenchmarkJson, RepetitionsThatAllFailedAreOneRowWithTheReason) {
  json document = fixture_json();
  json failed = json::array();
  const json first = document.at("benchmarks").at(0);
  for (int i = 0; i < 2; ++i) {
    json entry = first;
    entry["name"] = "BM_gpu_example";
    entry["run_name"] = "BM_gpu_example";
    entry["repetition_index"] = i;
    entry["error_occurred"] = true;
    entry["error_message"] = "no CUDA device";
    failed.push_back(entry);
  }
  document["benchmarks"] = failed;
  const report::microbenchmark_source source = fixture_source(document);
  ASSERT_EQ(source.rows.size(), 1u);
  EXPECT_EQ(source.rows[0].error, "no CUDA device");
  EXPECT_EQ(report::text_statistic(source.rows[0]), "all 2 runs");
  EXPECT_FALSE(source.rows[0].real_time) << "a benchmark that did not run has no time";
  EXPECT_TRUE(source.rows[0].counters.empty());
}

TEST(BenchmarkJson, AStatisticSaysWhichRepetitionsItLeftOut) {
  json document = fixture_json();
  const std::string first = document.at("benchmarks").at(0).at("run_name");
  for (json& entry : document["benchmarks"]) {
    if (entry.at("run_name") == first && entry.at("run_type") == "iteration" &&
        entry.at("repetition_index") == 1) {
      entry["error_occurred"] = true;
      entry["error_message"] = "out of memory";
    }
  }
  const report::microbenchmark_source source = fixture_source(document);
  ASSERT_FALSE(source.rows.empty());
  EXPECT_EQ(source.rows[0].failed_repetitions, 1);
  EXPECT_EQ(report::text_statistic(source.rows[0]), "median of 1 of 2 (1 failed: out of memory)");
  EXPECT_EQ(report::text_statistic(source.rows[1]), "median of 2") << "the others are untouched";
}

using BenchmarkReportCli = report_file_test;

TEST_F(BenchmarkReportCli, OnlyBenchmarkFilesGiveTheMicrobenchmarksSection) {
  const json document = fixture_json();
  const auto entries = entries_by_name(document);
  const fs::path out = m_dir / "bench";
  const auto run = run_gpushare({"report", fixture, "-o", out.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const char* name : {"index.html", "report.md", "microbenchmarks.csv"}) {
    EXPECT_TRUE(fs::is_regular_file(out / name)) << name;
  }
  EXPECT_FALSE(fs::exists(out / "matrix.csv")) << "no gpushare-bench report was given";

  const std::string markdown = read_text(out / "report.md");
  EXPECT_THAT(markdown, HasSubstr("## Microbenchmarks"));
  const report::microbenchmark_source source = fixture_source(document);
  for (const report::microbenchmark_row& row : source.rows) {
    const json& median = entries.at(row.name + "_median");
    const std::string unit = median.at("time_unit").get<std::string>();
    // The row as the table shows it, its numbers taken from the JSON itself.
    EXPECT_THAT(
        markdown,
        HasSubstr(fmt::format(
            "| {} | median of 2 | {} | {} | {} | {} |", report::escape_markdown(row.name),
            report::text_benchmark_time(median.at("real_time").get<double>(), unit),
            report::text_benchmark_time(median.at("cpu_time").get<double>(), unit),
            report::text_percent(entries.at(row.name + "_cv").at("real_time").get<double>()),
            report::text_percent(entries.at(row.name + "_cv").at("cpu_time").get<double>()))));
  }
  const std::string csv = read_text(out / "microbenchmarks.csv");
  const report::microbenchmark_row& first = source.rows.front();
  EXPECT_THAT(
      csv, HasSubstr(fmt::format(
               ",{},median,2,1,{},{},{},", first.name,
               report::csv_number(entries.at(first.name + "_median").at("real_time").get<double>()),
               report::csv_number(entries.at(first.name + "_median").at("cpu_time").get<double>()),
               first.time_unit)));

  const std::string html = read_text(out / "index.html");
  EXPECT_THAT(html, HasSubstr("<h2>Microbenchmarks</h2>"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  const bool debug = document.at("context").at("library_build_type") == "debug";
  EXPECT_EQ(markdown.find(report::debug_library_warning) != std::string::npos, debug);
  EXPECT_EQ(html.find(report::escape_xml(report::debug_library_warning)) != std::string::npos,
            debug);
}

TEST_F(BenchmarkReportCli, ADebugLibraryIsWarnedAboutAndAReleaseOneIsNot) {
  json document = fixture_json();
  for (const char* build : {"debug", "release"}) {
    document["context"]["library_build_type"] = build;
    const std::string path = (m_dir / (std::string(build) + ".json")).string();
    std::ofstream(path) << document.dump(2);
    const fs::path out = m_dir / build;
    const auto run = run_gpushare({"report", path, "-o", out.string()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const bool warned =
        read_text(out / "report.md").find(report::debug_library_warning) != std::string::npos;
    EXPECT_EQ(warned, std::string(build) == "debug") << build;
    EXPECT_EQ(run.out.find(report::debug_library_warning) != std::string::npos, warned) << build;
  }
}

TEST_F(BenchmarkReportCli, BenchmarkAndSharingReportsTogether) {
  const std::string h100 = write("h100.json", make_sharing_document());
  const fs::path out = m_dir / "both";
  const auto run = run_gpushare({"report", fixture, h100, "-o", out.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const char* name : {"index.html", "report.md", "matrix.csv", "tenants.csv", "streams.csv",
                           "latency_cdf.csv", "microbenchmarks.csv"}) {
    EXPECT_TRUE(fs::is_regular_file(out / name)) << name;
  }
  const std::string markdown = read_text(out / "report.md");
  EXPECT_THAT(markdown, HasSubstr("### Mechanism matrix"));
  EXPECT_THAT(markdown, HasSubstr("## Microbenchmarks"));
  EXPECT_THAT(markdown, HasSubstr("): Google Benchmark output"));
  EXPECT_THAT(read_text(out / "matrix.csv"), HasSubstr(",timeslice,"));
}

TEST_F(BenchmarkReportCli, BareNaNAndInfinityCountersAreReadAsNoValue) {
  // Google Benchmark writes a rate over zero time unquoted, which no JSON parser accepts.
  json document = fixture_json();
  document["benchmarks"][0]["nan_counter"] = "@NAN@";
  document["benchmarks"][0]["inf_counter"] = "@INF@";
  document["benchmarks"][0]["label"] = "NaN and Infinity in a string stay";
  std::string text = document.dump(2);
  text.replace(text.find("\"@NAN@\""), 7, "NaN");
  text.replace(text.find("\"@INF@\""), 7, "-Infinity");
  const std::string path = (m_dir / "nan.json").string();
  std::ofstream(path) << text;
  const fs::path out = m_dir / "nan";
  const auto run = run_gpushare({"report", path, "-o", out.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string csv = read_text(out / "microbenchmarks.csv");
  EXPECT_THAT(csv, Not(HasSubstr("nan_counter"))) << "a counter without a value is left out";
  EXPECT_EQ(report::with_bare_non_finite_as_null(R"({"a": NaN, "b": [Infinity, -Infinity], )"
                                                 R"("c": "NaN"})"),
            R"({"a": null, "b": [null, null], "c": "NaN"})");
}

/// Writes `document` as `name` and runs the report on it; the result of the command.
binary_run report_on(const fs::path& dir, const std::string& name, const json& document) {
  const std::string path = (dir / name).string();
  std::ofstream(path) << document.dump(2);
  return run_gpushare({"report", path, "-o", (dir / ("out-" + name)).string()});
}

TEST_F(BenchmarkReportCli, AMalformedFileExitsTwoNamingTheFileAndTheField) {
  const json good = fixture_json();
  struct damage {
    const char* name;
    json document;
    const char* message;
  };
  std::vector<damage> cases;
  json missing_cpus = good;
  missing_cpus["context"].erase("num_cpus");
  cases.push_back({"missing-cpus.json", missing_cpus, ": context.num_cpus: missing"});
  json text_time = good;
  text_time["benchmarks"][1]["real_time"] = "fast";
  cases.push_back(
      {"text-time.json", text_time, ": benchmarks[1].real_time: expected a number, got \"fast\""});
  json fractional = good;
  fractional["benchmarks"][0]["iterations"] = 2.5;
  cases.push_back(
      {"fractional.json", fractional, ": benchmarks[0].iterations: expected an integer, got 2.5"});
  json no_context = good;
  no_context.erase("context");
  cases.push_back({"no-context.json", no_context, ": context: missing"});
  json not_a_list = good;
  not_a_list["benchmarks"] = json::object();
  cases.push_back({"not-a-list.json", not_a_list, ": benchmarks: expected an array, got {}"});
  json bad_unit = good;
  bad_unit["benchmarks"][0]["time_unit"] = "fortnights";
  cases.push_back({"bad-unit.json", bad_unit, ": benchmarks[0].time_unit: expected ns, us, ms"});

  for (const damage& bad : cases) {
    SCOPED_TRACE(bad.name);
    const auto run = report_on(m_dir, bad.name, bad.document);
    EXPECT_EQ(run.exit_code, 2);
    ASSERT_EQ(lines_of(run.err).size(), 1u) << run.err;
    EXPECT_THAT(run.err, HasSubstr((m_dir / bad.name).string() + bad.message));
    EXPECT_THAT(run.err, HasSubstr("read as Google Benchmark output"));
    EXPECT_FALSE(fs::exists(m_dir / ("out-" + std::string(bad.name)) / "index.html"));
  }
}

} // namespace
} // namespace gpushare::test
