// A whole report read back must write the same JSON again, older 1.x reports must still load,
// and a damaged file must be refused with its name and the path of the bad field.

#include "common/error.hpp"
#include "harness/records.hpp"
#include "report/json_reader.hpp"
#include "report/json_records.hpp"
#include "report/json_writer.hpp"
#include "sample_records.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gpushare::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// The shared full document plus every optional record the writer can emit, so that each key
/// the reader knows is exercised at least once.
report_document richest_document() {
  report_document document = test::make_full_document();
  run_config& config = document.config;
  config.iterations = 200;
  config.tenant_timeout_s = 90.5;
  config.max_repetitions = 9;
  config.stream_counts = {1, 3};
  config.tenants = 2;
  config.mps_thread_pct = {"50"};
  config.mps_mem_limit = {"0=2G", "1=4G"};
  config.mps_priority = {"1"};
  config.mps_use_existing = true;
  config.suite = "suites/custom.yaml";
  config.mig_geometry = "3g.40gb,4g.40gb";
  config.quiet = true;
  config.telemetry_interval_ms = 25;

  run_record& timeslice = document.runs.at(0);
  tenant_record& gemm = timeslice.tenants.at(0);
  gemm.p99_inflation = 1.75;
  gemm.environment = {{"CUDA_MPS_PIPE_DIRECTORY", "/tmp/gpushare-mps"},
                      {"CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", "50"}};
  gemm.solo->repetition_iteration_time_us = {1490, 1500, std::numeric_limits<double>::quiet_NaN()};
  gemm.solo->repetition_throughput_per_s = {671.1, 666.7};
  tenant_record& sleeper = timeslice.tenants.at(1);
  sleeper.failure = "shared: no result within 30 s";
  sleeper.stderr_tail = "host-sleep: still sleeping\n";
  timeslice.aggregate.mechanism_overhead = 0.05;

  run_record& mig = document.runs.at(2);
  mig.status = run_status::ok;
  mig.reason.clear();
  mig.wall_time_s = std::numeric_limits<double>::infinity();
  mig.mig = mig_run_record{"GPU-12345678-9abc-def0-1234-56789abcdef0",
                           "applied",
                           {"3g.40gb", "4g.40gb"},
                           "nvidia-smi",
                           "restored"};
  mig.aggregate.interference = 1.02;
  tenant_record instance_tenant;
  instance_tenant.id = 0;
  instance_tenant.workload = "host-sleep:ms=2";
  instance_tenant.status = "ok";
  instance_tenant.solo = test::make_host_sleep_result();
  instance_tenant.mig_instance = mig_instance_record{
      "MIG-0a1b2c3d-0000-1111-2222-333344445555", "3g.40gb", 2, 0, 4, std::nullopt};
  instance_tenant.fraction_of_full_gpu = 0.43;
  mig.tenants = {instance_tenant};

  run_record& mps = document.runs.at(3);
  mps.mps = mps_daemon_record{true, "nvidia-cuda-mps-control", "/tmp/gpushare-mps",
                              4321, "killed after 5 s",        "server exited\n"};
  return document;
}

json richest_json() {
  return to_json(richest_document());
}

/// Runs `read` and returns the json_field_error it throws; fails the test when it throws none.
template <typename Read> json_field_error field_error_of(Read read) {
  try {
    read();
  } catch (const json_field_error& failure) {
    return failure;
  }
  ADD_FAILURE() << "no json_field_error";
  return json_field_error("", "");
}

TEST(JsonDocumentReader, WholeDocumentRoundTripsThroughTheWriter) {
  const json written = richest_json();
  const report_document read = document_from_json(written);
  EXPECT_EQ(to_json(read).dump(2), written.dump(2));
}

TEST(JsonDocumentReader, FieldsComeBackAsRecords) {
  const report_document read = document_from_json(richest_json());
  EXPECT_EQ(read.tool.git_sha, "0123456789ab");
  EXPECT_TRUE(read.tool.git_dirty);
  EXPECT_EQ(read.host.cpu_count, 192u);
  EXPECT_EQ(read.config.iterations, std::optional<std::uint64_t>{200});
  EXPECT_EQ(read.config.duration_s, std::optional<double>{2.5});
  EXPECT_EQ(read.config.stream_counts, (std::vector<int>{1, 3}));
  EXPECT_EQ(read.config.mps_mem_limit, (std::vector<std::string>{"0=2G", "1=4G"}));
  EXPECT_EQ(read.telemetry.status, "available");

  ASSERT_EQ(read.runs.size(), 9u);
  // The hog run: what each hog held, and where the greedy one was stopped.
  ASSERT_TRUE(read.runs[7].tenants.at(0).shared->memory_hold.has_value());
  const memory_hold_record& greedy = *read.runs[7].tenants.at(0).shared->memory_hold;
  EXPECT_EQ(greedy.bytes_requested, 0u);
  EXPECT_EQ(greedy.bytes_target, 80'528'664'166u);
  EXPECT_EQ(greedy.bytes_held, 8'321'499'136u);
  EXPECT_EQ(greedy.chunk_bytes, 268'435'456u);
  EXPECT_EQ(greedy.free_bytes_before, 84'767'014'912u);
  EXPECT_NE(greedy.allocation_error.find("cudaErrorMemoryAllocation"), std::string::npos);
  ASSERT_TRUE(read.runs[7].tenants.at(1).shared->memory_hold.has_value());
  EXPECT_EQ(read.runs[7].tenants.at(1).shared->memory_hold->bytes_held, 1'073'741'824u);
  EXPECT_EQ(read.runs[7].tenants.at(1).shared->memory_hold->allocation_error, "");
  EXPECT_FALSE(read.runs[0].tenants.at(0).shared->memory_hold.has_value())
      << "only hog results carry one";
  // The probe runs: spin traces per tenant and what the probe read from them.
  ASSERT_TRUE(read.runs[4].timeslice_probe.has_value());
  EXPECT_EQ(read.runs[4].timeslice_probe->quantum_us->median, 2000.0);
  ASSERT_TRUE(read.runs[4].tenants.at(1).shared->spin_trace.has_value());
  EXPECT_EQ(read.runs[4].tenants.at(1).shared->spin_trace->segments.at(1).start_ns,
            5'730'000u + 2'030'000u);
  EXPECT_FALSE(read.runs[5].timeslice_probe->quantum_us.has_value());
  ASSERT_TRUE(read.runs[6].calibration.has_value());
  EXPECT_EQ(read.runs[6].calibration->gemm.at(1).dtype, "fp16");
  EXPECT_EQ(read.runs[2].status, run_status::ok);
  EXPECT_EQ(read.runs[3].status, run_status::failed);
  EXPECT_TRUE(std::isnan(read.runs[2].wall_time_s));
  // JSON objects keep their keys sorted, so params come back in key order.
  EXPECT_EQ(read.runs[1].params, (std::vector<std::pair<std::string, std::string>>{
                                     {"overlap_kernels", "32"}, {"stream_counts", "1,2,4,8"}}));

  const tenant_record& gemm = read.runs[0].tenants.at(0);
  EXPECT_EQ(gemm.p99_inflation, std::optional<double>{1.75});
  EXPECT_EQ(gemm.environment.at("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE"), "50");
  ASSERT_TRUE(gemm.solo.has_value());
  ASSERT_EQ(gemm.solo->repetition_iteration_time_us.size(), 3u);
  EXPECT_TRUE(std::isnan(gemm.solo->repetition_iteration_time_us[2]));
  ASSERT_EQ(gemm.solo->limits.size(), 1u);
  EXPECT_EQ(gemm.solo->limits[0].limit, "gemm_fp16_tflops");
  EXPECT_FALSE(read.runs[0].tenants.at(1).shared.has_value());
  EXPECT_EQ(read.runs[0].tenants.at(1).failure, "shared: no result within 30 s");

  const tenant_record& instance = read.runs[2].tenants.at(0);
  ASSERT_TRUE(instance.mig_instance.has_value());
  EXPECT_EQ(instance.mig_instance->placement_start, std::optional<int>{4});
  EXPECT_FALSE(instance.mig_instance->placement_size.has_value());
  EXPECT_EQ(instance.fraction_of_full_gpu, std::optional<double>{0.43});
  ASSERT_TRUE(read.runs[2].mig.has_value());
  EXPECT_EQ(read.runs[2].mig->restore, "restored");
  ASSERT_TRUE(read.runs[3].mps.has_value());
  EXPECT_EQ(read.runs[3].mps->pid, 4321);
  EXPECT_EQ(read.runs[6].calibration->gemm.size(), 2u);
  ASSERT_EQ(read.errors.size(), 1u);
  EXPECT_EQ(read.errors[0].exit_code, 2);
}

TEST(JsonDocumentReader, HistogramIsRebuiltWithItsExactExtremesAndPercentiles) {
  const workload_result original = test::make_gemm_result(1500);
  const workload_result read =
      workload_result_from_json(workload_result_to_json(original), "result");
  EXPECT_EQ(read.histogram.state().buckets, original.histogram.state().buckets);
  EXPECT_EQ(read.histogram.count(), original.histogram.count());
  // The largest value (9,999,999 ns) lies in a bucket 8,192 ns wide: only latency_us knows it.
  EXPECT_EQ(read.histogram.max_ns(), original.histogram.max_ns());
  EXPECT_EQ(read.histogram.min_ns(), original.histogram.min_ns());
  const latency_summary again = summarize_latency(read.histogram);
  EXPECT_EQ(again.p50, original.latency_us.p50);
  EXPECT_EQ(again.p99, original.latency_us.p99);
  EXPECT_EQ(again.p999, original.latency_us.p999);
  EXPECT_EQ(again.max, original.latency_us.max);
  EXPECT_NEAR(again.mean, original.latency_us.mean, 1e-9 * original.latency_us.mean);
  EXPECT_NEAR(again.stdev, original.latency_us.stdev, 1e-9 * original.latency_us.stdev);
}

TEST(JsonDocumentReader, LatencySummaryThatDisagreesWithTheBucketsIsNotTrusted) {
  json value = workload_result_to_json(test::make_gemm_result(1500));
  value["latency_us"]["count"] = 3;
  value["latency_us"]["max"] = 1e9;
  const workload_result read = workload_result_from_json(value, "result");
  const std::vector<histogram_bucket> buckets = read.histogram.nonzero_buckets();
  ASSERT_FALSE(buckets.empty());
  EXPECT_EQ(read.histogram.max_ns(), buckets.back().upper_ns);
  EXPECT_EQ(read.histogram.min_ns(), buckets.front().lower_ns);
  EXPECT_EQ(read.latency_us.count, 3u);
}

TEST(JsonDocumentReader, BucketOutsideTheLayoutIsNamed) {
  json value = workload_result_to_json(test::make_gemm_result(1500));
  value["histogram"]["buckets"][5] = json::array({1'400'001, 1'400'300, 1});
  const json_field_error failure =
      field_error_of([&] { (void)workload_result_from_json(value, "runs[0].tenants[0].solo"); });
  EXPECT_EQ(failure.path(), "runs[0].tenants[0].solo.histogram.buckets[5]");
  EXPECT_NE(std::string(failure.what()).find("not a bucket"), std::string::npos) << failure.what();
}

TEST(JsonDocumentReader, OtherPrecisionIsRefused) {
  json value = workload_result_to_json(test::make_gemm_result(1500));
  value["histogram"]["significant_digits"] = 2;
  EXPECT_EQ(field_error_of([&] { (void)workload_result_from_json(value, "r"); }).path(),
            "r.histogram.significant_digits");
}

TEST(JsonDocumentReader, BadRunStatusIsNamed) {
  json value = richest_json();
  value["runs"][3]["status"] = "crashed";
  const json_field_error failure = field_error_of([&] { (void)document_from_json(value); });
  EXPECT_EQ(failure.path(), "runs[3].status");
  EXPECT_STREQ(failure.what(), "runs[3].status: expected ok, skipped or failed, got \"crashed\"");
}

TEST(JsonDocumentReader, TenantIdThatIsAStringIsNamed) {
  json value = richest_json();
  value["runs"][0]["tenants"][1]["id"] = "1";
  const json_field_error failure = field_error_of([&] { (void)document_from_json(value); });
  EXPECT_STREQ(failure.what(), "runs[0].tenants[1].id: expected an integer, got \"1\"");
}

TEST(JsonDocumentReader, MissingRunsIsNamed) {
  json value = richest_json();
  value.erase("runs");
  EXPECT_STREQ(field_error_of([&] { (void)document_from_json(value); }).what(), "runs: missing");
}

TEST(JsonDocumentReader, NestedFieldPathsCarryTheirPrefix) {
  json value = richest_json();
  value["runs"][0]["tenants"][0]["solo"]["throughput_per_s"]["median"] = "x";
  EXPECT_STREQ(field_error_of([&] { (void)document_from_json(value); }).what(),
               "runs[0].tenants[0].solo.throughput_per_s.median: expected a number, got \"x\"");
  value = richest_json();
  value["config"].erase("mode");
  EXPECT_EQ(field_error_of([&] { (void)document_from_json(value, "reports[1]"); }).path(),
            "reports[1].config.mode");
}

TEST(JsonDocumentReader, OtherMajorSchemaVersionIsRefused) {
  json value = richest_json();
  value["schema_version"] = "2.0.0";
  const json_field_error failure = field_error_of([&] { (void)document_from_json(value); });
  EXPECT_EQ(failure.path(), "schema_version");
  EXPECT_NE(std::string(failure.what()).find("major version 2"), std::string::npos)
      << failure.what();
  EXPECT_NE(std::string(failure.what()).find("reads 1.x"), std::string::npos) << failure.what();

  value["schema_version"] = "one";
  EXPECT_EQ(field_error_of([&] { (void)document_from_json(value); }).path(), "schema_version");
}

TEST(JsonDocumentReader, OlderMinorVersionWithoutLaterKeysLoads) {
  // The keys 1.0.0 reports did not have; the schema marks each optional.
  json value = richest_json();
  value["schema_version"] = "1.0.0";
  value.erase("telemetry");
  value["environment"].erase("nvml_version");
  value["environment"]["gpus"][0].erase("nvml");
  for (const char* key :
       {"max_repetitions", "tenant_timeout_s", "mps_thread_pct", "mps_mem_limit", "mps_priority",
        "mps_use_existing", "mps_control", "mig_geometry", "mig_apply", "dry_run", "nvidia_smi",
        "suite", "telemetry_interval_ms", "max_clock_drift", "tenants"}) {
    value["config"].erase(key);
  }
  for (json& run : value["runs"]) {
    run["aggregate"].erase("interference");
    for (const char* key : {"telemetry", "limits", "mps", "mig", "calibration", "isolation"}) {
      run.erase(key);
    }
    for (json& tenant : run["tenants"]) {
      for (const char* key : {"p99_inflation", "environment", "failure", "stderr_tail",
                              "mig_instance", "fraction_of_full_gpu", "role"}) {
        tenant.erase(key);
      }
      for (const char* phase : {"solo", "shared"}) {
        if (tenant[phase].is_object()) {
          tenant[phase].erase("repetitions");
          tenant[phase].erase("limits");
        }
      }
    }
  }

  const report_document read = document_from_json(value);
  EXPECT_EQ(read.telemetry.status, telemetry_status{}.status);
  EXPECT_EQ(read.config.max_repetitions, run_config{}.max_repetitions);
  EXPECT_EQ(read.config.mps_control, run_config{}.mps_control);
  EXPECT_FALSE(read.environment.gpus.at(0).nvml.has_value());
  const tenant_record& gemm = read.runs.at(0).tenants.at(0);
  EXPECT_FALSE(gemm.p99_inflation.has_value());
  EXPECT_TRUE(gemm.environment.empty());
  ASSERT_TRUE(gemm.solo.has_value());
  EXPECT_TRUE(gemm.solo->repetition_iteration_time_us.empty());
  EXPECT_EQ(gemm.solo->histogram.count(), gemm.solo->iterations);
  EXPECT_FALSE(read.runs.at(0).aggregate.interference.has_value());
  EXPECT_FALSE(read.runs.at(2).mig.has_value());
}

TEST(JsonDocumentReader, IsolationComesBackAsRecords) {
  const report_document original = richest_document();
  const report_document read = document_from_json(to_json(original));
  ASSERT_TRUE(read.runs.at(8).isolation.has_value());
  const isolation_result& isolation = *read.runs[8].isolation;
  const isolation_result& expected = *original.runs[8].isolation;
  ASSERT_EQ(isolation.cells.size(), expected.cells.size());
  for (std::size_t i = 0; i < expected.cells.size(); ++i) {
    const isolation_cell& cell = isolation.cells[i];
    EXPECT_EQ(cell.mechanism, expected.cells[i].mechanism) << i;
    EXPECT_EQ(cell.property, expected.cells[i].property) << i;
    EXPECT_EQ(cell.verdict, expected.cells[i].verdict) << i;
    EXPECT_EQ(cell.rule, expected.cells[i].rule) << i;
    EXPECT_EQ(cell.evidence, expected.cells[i].evidence) << i;
    EXPECT_EQ(cell.figures, expected.cells[i].figures) << i;
    EXPECT_EQ(cell.flags, expected.cells[i].flags) << i;
    EXPECT_EQ(cell.mps_fault.has_value(), expected.cells[i].mps_fault.has_value()) << i;
    ASSERT_EQ(cell.tenants.size(), expected.cells[i].tenants.size()) << i;
    for (std::size_t t = 0; t < cell.tenants.size(); ++t) {
      EXPECT_EQ(cell.tenants[t].role, expected.cells[i].tenants[t].role) << i << " " << t;
      EXPECT_EQ(cell.tenants[t].status, expected.cells[i].tenants[t].status) << i << " " << t;
      EXPECT_EQ(cell.tenants[t].failure, expected.cells[i].tenants[t].failure) << i << " " << t;
    }
  }
  const mps_fault_record& fault = isolation.cells[1].mps_fault.value();
  EXPECT_EQ(fault.server_states, expected.cells[1].mps_fault->server_states);
  EXPECT_EQ(fault.recovery_ms, std::optional<double>{850.5});
  EXPECT_EQ(fault.recovery_attempts, 3);
  EXPECT_EQ(fault.recovery_failures, (std::vector<std::string>{"cudaErrorMpsServerNotReady"}));
  EXPECT_EQ(fault.log_tail, expected.cells[1].mps_fault->log_tail);
  EXPECT_EQ(fault.cleanup, expected.cells[1].mps_fault->cleanup);
  EXPECT_EQ(isolation.cells[2].tenants[0].p99_inflation, std::optional<double>{3.25});
  ASSERT_TRUE(isolation.cells[2].tenants[0].shared.has_value());
  EXPECT_EQ(isolation.cells[2].tenants[0].shared->iteration_time_us.median, 280.0);

  ASSERT_EQ(isolation.claims.size(), expected.claims.size());
  for (std::size_t i = 0; i < expected.claims.size(); ++i) {
    const isolation_claim& claim = isolation.claims[i];
    EXPECT_EQ(claim.mechanism, expected.claims[i].mechanism) << i;
    EXPECT_EQ(claim.property, expected.claims[i].property) << i;
    EXPECT_EQ(claim.claim, expected.claims[i].claim) << i;
    EXPECT_EQ(claim.source, expected.claims[i].source) << i;
    EXPECT_EQ(claim.holds, expected.claims[i].holds) << i;
    EXPECT_EQ(claim.basis, expected.claims[i].basis) << i;
  }
  EXPECT_FALSE(read.runs[0].isolation.has_value());
  EXPECT_EQ(read.runs[0].tenants[0].role, "") << "no role outside isolation runs";
}

TEST(JsonDocumentReader, NullIsolationFiguresReadAsNotFinite) {
  json value = richest_json();
  json& cell = value["runs"][8]["isolation"]["cells"][1];
  cell["figures"]["recovery_ms"] = nullptr;
  cell["mps_fault"]["recovery_ms"] = nullptr;
  const report_document read = document_from_json(value);
  const isolation_cell& fault = read.runs[8].isolation->cells[1];
  EXPECT_TRUE(std::isnan(fault.figures.at("recovery_ms")));
  EXPECT_FALSE(fault.mps_fault->recovery_ms.has_value());
  EXPECT_EQ(to_json(read)["runs"][8]["isolation"]["cells"][1], cell) << "and write back as null";
}

TEST(JsonDocumentReader, ADocumentOf150WithoutIsolationLoads) {
  json value = richest_json();
  value["schema_version"] = "1.5.0";
  value["runs"].erase(8);
  const report_document read = document_from_json(value);
  ASSERT_EQ(read.runs.size(), 8u);
  for (const run_record& run : read.runs) {
    EXPECT_FALSE(run.isolation.has_value()) << run.mode;
  }
}

TEST(JsonDocumentReader, BadIsolationFieldsAreNamedByPath) {
  const std::string cells = "runs[8].isolation.cells";
  const std::vector<std::pair<std::function<void(json&)>, std::string>> breakages = {
      {[](json& run) { run["isolation"]["cells"][0]["figures"]["hog_held_bytes"] = "71 GiB"; },
       cells + "[0].figures.hog_held_bytes: expected a number, got \"71 GiB\""},
      {[](json& run) { run["isolation"]["cells"][0]["figures"] = json::array(); },
       cells + "[0].figures: expected an object of numbers, got []"},
      {[](json& run) { run["isolation"]["cells"][2].erase("verdict"); },
       cells + "[2].verdict: missing"},
      {[](json& run) { run["isolation"]["cells"][1]["mps_fault"]["recovery_attempts"] = 2.5; },
       cells + "[1].mps_fault.recovery_attempts: expected an integer, got 2.5"},
      {[](json& run) { run["isolation"]["cells"][1]["tenants"][2]["role"] = 7; },
       cells + "[1].tenants[2].role: expected a string, got 7"},
      {[](json& run) { run["isolation"]["claims"][3].erase("holds"); },
       "runs[8].isolation.claims[3].holds: missing"},
      {[](json& run) { run["isolation"].erase("claims"); }, "runs[8].isolation.claims: missing"},
  };
  for (const auto& [breakage, message] : breakages) {
    json value = richest_json();
    breakage(value["runs"][8]);
    EXPECT_EQ(field_error_of([&] { (void)document_from_json(value); }).what(), message);
  }
}

TEST(JsonDocumentReader, WorkloadResultNeedsOnlyTheSchemaRequiredKeys) {
  const json value{{"workload", "host-sleep:ms=1"},
                   {"host_only", true},
                   {"iterations", 0},
                   {"throughput_per_s", summary_to_json(test::summary_of(1000, 990, 1010))},
                   {"latency_us", latency_to_json(latency_summary{})}};
  const workload_result read = workload_result_from_json(value, "w");
  EXPECT_EQ(read.workload, "host-sleep:ms=1");
  EXPECT_EQ(read.throughput_per_s.median, 1000);
  EXPECT_EQ(read.histogram.count(), 0u);

  json missing = value;
  missing.erase("latency_us");
  EXPECT_STREQ(field_error_of([&] { (void)workload_result_from_json(missing, "w"); }).what(),
               "w.latency_us: missing");
}

class ReportFile : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "gpushare-reader-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_directory = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(m_directory, ignored);
  }

  std::string write(const std::string& name, const std::string& text) const {
    const fs::path path = m_directory / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  /// The usage_error read_report_file throws for `path`; fails the test when it throws none.
  static usage_error usage_error_of(const std::string& path) {
    try {
      (void)read_report_file(path);
    } catch (const usage_error& failure) {
      return failure;
    }
    ADD_FAILURE() << "no usage_error for " << path;
    return usage_error("");
  }

  fs::path m_directory;
};

TEST_F(ReportFile, WrittenReportReadsBackTheSame) {
  const std::string path = (m_directory / "run.json").string();
  const report_document document = richest_document();
  write_json_report(document, path);
  EXPECT_EQ(to_json(read_report_file(path)).dump(2), to_json(document).dump(2));
}

TEST_F(ReportFile, BadFieldNamesTheFileAndTheField) {
  json value = richest_json();
  value["runs"][0].erase("mode");
  const std::string path = write("run.json", value.dump(2));
  const usage_error failure = usage_error_of(path);
  EXPECT_EQ(std::string(failure.what()), path + ": runs[0].mode: missing");
  EXPECT_EQ(failure.code(), exit_code::usage);
}

TEST_F(ReportFile, OtherMajorVersionNamesTheFile) {
  json value = richest_json();
  value["schema_version"] = "2.1.0";
  const std::string path = write("future.json", value.dump());
  const std::string message = usage_error_of(path).what();
  EXPECT_EQ(message.rfind(path + ": schema_version: version 2.1.0 has major version 2", 0), 0u)
      << message;
}

TEST_F(ReportFile, TextThatIsNotJsonIsRefused) {
  const std::string path = write("notes.json", "runs: 3\n");
  const usage_error failure = usage_error_of(path);
  const std::string message = failure.what();
  EXPECT_EQ(message.rfind(path + ": not a JSON report: ", 0), 0u) << message;
  EXPECT_EQ(failure.code(), exit_code::usage);
}

TEST_F(ReportFile, JsonThatIsNotAnObjectIsRefused) {
  const std::string path = write("list.json", "[1, 2]");
  EXPECT_EQ(std::string(usage_error_of(path).what()),
            path + ": (top level): expected a report object, got array");
}

TEST_F(ReportFile, MissingFileIsNamed) {
  const std::string path = (m_directory / "absent.json").string();
  const std::string message = usage_error_of(path).what();
  EXPECT_EQ(message.rfind(path + ": cannot open the report: ", 0), 0u) << message;
  EXPECT_NE(message.find("No such file"), std::string::npos) << message;
}

TEST_F(ReportFile, DirectoryIsRefused) {
  const std::string message = usage_error_of(m_directory.string()).what();
  EXPECT_EQ(message, m_directory.string() + ": is a directory, not a report file");
}

TEST(CheckedInReports, EveryExampleReportLoads) {
  const fs::path results = fs::path(GPUSHARE_SOURCE_DIR) / "results";
  std::vector<fs::path> reports;
  if (fs::is_directory(results)) {
    for (const auto& entry : fs::recursive_directory_iterator(results)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") {
        reports.push_back(entry.path());
      }
    }
  }
  if (reports.empty()) {
    GTEST_SKIP() << "no example reports under " << results.string();
  }
  for (const fs::path& report : reports) {
    SCOPED_TRACE(report.string());
    const report_document document = read_report_file(report.string());
    EXPECT_FALSE(document.created_at.empty());
  }
}

} // namespace
} // namespace gpushare::report
