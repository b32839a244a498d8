#include "common/error.hpp"
#include "harness/records.hpp"
#include "report/atomic_file.hpp"
#include "report/json_records.hpp"
#include "report/json_writer.hpp"
#include "sample_records.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace gpushare::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_value = std::numeric_limits<double>::infinity();

/// A fresh directory under the system temp directory, removed with everything in it.
class scratch_directory {
public:
  scratch_directory() {
    std::string pattern = (fs::temp_directory_path() / "gpushare-json-test-XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed for " + pattern);
    }
    m_path = buffer.data();
  }
  scratch_directory(const scratch_directory&) = delete;
  scratch_directory& operator=(const scratch_directory&) = delete;
  ~scratch_directory() {
    std::error_code ignored;
    fs::remove_all(m_path, ignored);
  }
  [[nodiscard]] const fs::path& path() const noexcept { return m_path; }

private:
  fs::path m_path;
};

std::set<std::string> entries_of(const fs::path& directory) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

using test::make_full_document;
using test::point_of;
using test::summary_of;

void expect_summary(const json& value, const sample_summary& expected) {
  ASSERT_TRUE(value.is_object()) << value.dump();
  for (const char* key :
       {"median", "ci_low", "ci_high", "ci_coverage", "mean", "stdev", "cv", "min", "max"}) {
    ASSERT_TRUE(value.contains(key)) << key;
    EXPECT_TRUE(value[key].is_number()) << key;
  }
  EXPECT_DOUBLE_EQ(value["median"].get<double>(), expected.median);
  EXPECT_DOUBLE_EQ(value["ci_low"].get<double>(), expected.ci_low);
  EXPECT_DOUBLE_EQ(value["ci_high"].get<double>(), expected.ci_high);
  EXPECT_DOUBLE_EQ(value["ci_coverage"].get<double>(), expected.ci_coverage);
  EXPECT_DOUBLE_EQ(value["cv"].get<double>(), expected.cv);
  EXPECT_EQ(value["count"].get<std::size_t>(), expected.count);
  EXPECT_EQ(value["noisy"].get<bool>(), expected.noisy);
}

void expect_workload_result(const json& value, const workload_result& expected) {
  ASSERT_TRUE(value.is_object()) << value.dump();
  EXPECT_EQ(value["workload"], expected.workload);
  EXPECT_EQ(value["description"], expected.description);
  EXPECT_EQ(value["host_only"], expected.host_only);
  EXPECT_EQ(value["iterations"].get<std::uint64_t>(), expected.iterations);
  EXPECT_DOUBLE_EQ(value["flops_per_iteration"].get<double>(), expected.flops_per_iteration);
  EXPECT_DOUBLE_EQ(value["bytes_per_iteration"].get<double>(), expected.bytes_per_iteration);

  const json& verification = value["verification"];
  EXPECT_EQ(verification["checked"], expected.verification.checked);
  EXPECT_EQ(verification["passed"], expected.verification.passed);
  EXPECT_EQ(verification["elements_checked"].get<std::uint64_t>(),
            expected.verification.elements_checked);
  EXPECT_DOUBLE_EQ(verification["max_abs_error"].get<double>(),
                   expected.verification.max_abs_error);
  EXPECT_DOUBLE_EQ(verification["tolerance"].get<double>(), expected.verification.tolerance);
  EXPECT_EQ(verification["detail"], expected.verification.detail);

  expect_summary(value["iteration_time_us"], expected.iteration_time_us);
  expect_summary(value["throughput_per_s"], expected.throughput_per_s);

  const json& latency = value["latency_us"];
  ASSERT_TRUE(latency.is_object());
  EXPECT_EQ(latency["count"].get<std::uint64_t>(), expected.latency_us.count);
  const std::vector<std::pair<const char*, double>> latency_fields = {
      {"p50", expected.latency_us.p50},   {"p90", expected.latency_us.p90},
      {"p99", expected.latency_us.p99},   {"p999", expected.latency_us.p999},
      {"min", expected.latency_us.min},   {"max", expected.latency_us.max},
      {"mean", expected.latency_us.mean}, {"stdev", expected.latency_us.stdev},
      {"cv", expected.latency_us.cv}};
  for (const auto& [key, number] : latency_fields) {
    ASSERT_TRUE(latency[key].is_number()) << key;
    EXPECT_DOUBLE_EQ(latency[key].get<double>(), number) << key;
  }

  const json& histogram = value["histogram"];
  EXPECT_EQ(histogram["unit"], "ns");
  EXPECT_EQ(histogram["significant_digits"], 3);
  const std::vector<histogram_bucket> buckets = expected.histogram.nonzero_buckets();
  ASSERT_TRUE(histogram["buckets"].is_array());
  ASSERT_EQ(histogram["buckets"].size(), buckets.size());
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const json& bucket = histogram["buckets"][i];
    ASSERT_TRUE(bucket.is_array());
    ASSERT_EQ(bucket.size(), 3u);
    EXPECT_EQ(bucket[0].get<std::uint64_t>(), buckets[i].lower_ns);
    EXPECT_EQ(bucket[1].get<std::uint64_t>(), buckets[i].upper_ns);
    EXPECT_EQ(bucket[2].get<std::uint64_t>(), buckets[i].count);
    EXPECT_LE(bucket[0].get<std::uint64_t>(), bucket[1].get<std::uint64_t>());
    total += bucket[2].get<std::uint64_t>();
  }
  EXPECT_EQ(total, expected.histogram.count());
}

TEST(JsonWriter, TopLevelKeysAndTypes) {
  const report_document document = make_full_document();
  const json report = to_json(document);
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["schema_version"], report_schema_version);
  EXPECT_EQ(report["created_at"], "2025-01-02T03:04:05Z");
  EXPECT_EQ(report["argv"], json(document.argv));
  EXPECT_TRUE(report["runs"].is_array());
  EXPECT_TRUE(report["errors"].is_array());

  const json& tool = report["tool"];
  EXPECT_EQ(tool["name"], "gpushare-bench");
  EXPECT_EQ(tool["version"], "0.1.0");
  EXPECT_EQ(tool["git_sha"], "0123456789ab");
  EXPECT_EQ(tool["git_dirty"], true);

  const json& host = report["host"];
  EXPECT_EQ(host["hostname"], "node-17");
  EXPECT_EQ(host["os"], "Linux 6.8.0 x86_64");
  EXPECT_EQ(host["cpu_model"], "AMD EPYC 9654 96-Core Processor");
  EXPECT_EQ(host["cpu_count"], 192);

  const json& errors = report["errors"];
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["where"], "mps");
  EXPECT_EQ(errors[0]["message"], "nvidia-cuda-mps-control not found in PATH");
  EXPECT_EQ(errors[0]["exit_code"], 2);
}

TEST(JsonWriter, EnvironmentAndGpus) {
  const json environment = to_json(make_full_document())["environment"];
  EXPECT_EQ(environment["cuda_available"], true);
  EXPECT_EQ(environment["unavailable_reason"], "");
  EXPECT_EQ(environment["cuda_driver_version"], 13000);
  EXPECT_EQ(environment["cuda_runtime_version"], 12080);
  EXPECT_EQ(environment["driver_release"], "580.95.05");
  EXPECT_EQ(environment["nvml_status"], "ok");
  ASSERT_EQ(environment["gpus"].size(), 1u);
  const json& gpu = environment["gpus"][0];
  EXPECT_EQ(gpu["index"], 0);
  EXPECT_EQ(gpu["name"], "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(gpu["uuid"], "GPU-12345678-9abc-def0-1234-56789abcdef0");
  EXPECT_EQ(gpu["pci_bus_id"], "0000:17:00.0");
  EXPECT_EQ(gpu["compute_capability"], "9.0");
  EXPECT_EQ(gpu["sm_count"], 132);
  EXPECT_EQ(gpu["memory_bytes"].get<std::uint64_t>(), 85'520'809'984ull);
  EXPECT_EQ(gpu["mig_mode"], "disabled");
  EXPECT_EQ(gpu["mig_detail"], "enable pending a GPU reset");
  EXPECT_EQ(gpu["compute_mode"], "default");
  EXPECT_EQ(gpu["clocks"]["sm_max_mhz"], 1980);
  EXPECT_EQ(gpu["clocks"]["memory_max_mhz"], 2619);
  EXPECT_EQ(gpu["async_engine_count"], 3);
  EXPECT_EQ(gpu["l2_cache_bytes"], 52'428'800);
  const json& mps = environment["mps"];
  EXPECT_EQ(mps["daemon_running"], true);
  EXPECT_EQ(mps["control_pids"], json::array({101}));
  EXPECT_EQ(mps["server_pids"], json::array({202, 203}));
  EXPECT_EQ(mps["pipe_directory"], "/tmp/nvidia-mps");
}

TEST(JsonWriter, ConfigHasEveryFieldAndNullForAbsentOptionals) {
  const report_document document = make_full_document();
  const json config = to_json(document)["config"];
  EXPECT_EQ(config["mode"], "all");
  EXPECT_EQ(config["workloads"], json(document.config.workloads));
  EXPECT_EQ(config["repetitions"], 5);
  EXPECT_EQ(config["warmup_iterations"], 3);
  ASSERT_TRUE(config.contains("iterations"));
  EXPECT_TRUE(config["iterations"].is_null());
  EXPECT_DOUBLE_EQ(config["duration_s"].get<double>(), 2.5);
  EXPECT_EQ(config["device"], 0);
  EXPECT_EQ(config["stream_counts"], json::array({1, 2, 4, 8}));
  EXPECT_EQ(config["overlap_kernels"], 32);
  EXPECT_EQ(config["pipeline_chunks"], 16);
  EXPECT_EQ(config["pipeline_bytes"].get<std::uint64_t>(), 256ull << 20);
  EXPECT_DOUBLE_EQ(config["noise_threshold"].get<double>(), 0.05);
  EXPECT_EQ(config["json_path"], "out.json");
  EXPECT_EQ(config["quiet"], false);

  run_config with_iterations;
  with_iterations.iterations = 200;
  const json other = config_to_json(with_iterations);
  EXPECT_EQ(other["iterations"], 200);
  EXPECT_TRUE(other["duration_s"].is_null());
}

TEST(JsonWriter, StreamsRun) {
  const report_document document = make_full_document();
  const json run = to_json(document)["runs"][1];
  EXPECT_EQ(run["mode"], "streams");
  EXPECT_EQ(run["status"], "ok");
  EXPECT_EQ(run["reason"], "");
  EXPECT_EQ(run["params"], json({{"stream_counts", "1,2,4,8"}, {"overlap_kernels", "32"}}));
  EXPECT_DOUBLE_EQ(run["wall_time_s"].get<double>(), 12.5);
  EXPECT_EQ(run["flags"], json::array({"noisy"}));
  EXPECT_TRUE(run["tenants"].is_array());
  EXPECT_TRUE(run["tenants"].empty());
  for (const char* key : {"start_skew_us", "throughput_ratio", "fairness", "mechanism_overhead"}) {
    ASSERT_TRUE(run["aggregate"].contains(key)) << key;
    EXPECT_TRUE(run["aggregate"][key].is_null()) << key;
  }

  const streams_result& expected = *document.runs[1].streams;
  const json& overlap = run["streams"]["kernel_overlap"];
  EXPECT_EQ(overlap["kernels"], 32);
  EXPECT_EQ(overlap["blocks_per_kernel"], 4);
  EXPECT_EQ(overlap["threads_per_block"], 256);
  EXPECT_EQ(overlap["fma_per_element"], 2048);
  EXPECT_EQ(overlap["elements_per_kernel"], 1024);
  EXPECT_EQ(overlap["concurrent_capacity"], 132);
  expect_summary(overlap["single_kernel_us"], expected.kernel_overlap.single_kernel_us);
  EXPECT_EQ(overlap["sizing_note"], expected.kernel_overlap.sizing_note);
  ASSERT_EQ(overlap["points"].size(), 3u);
  const json& point = overlap["points"][2];
  EXPECT_EQ(point["streams"], 8);
  expect_summary(point["time_us"], expected.kernel_overlap.points[2].time_us);
  EXPECT_DOUBLE_EQ(point["speedup"].get<double>(), 7.14);
  EXPECT_DOUBLE_EQ(point["ideal_speedup"].get<double>(), 8);
  EXPECT_DOUBLE_EQ(point["efficiency"].get<double>(), 7.14 / 8);

  const json& pipeline = run["streams"]["copy_pipeline"];
  EXPECT_EQ(pipeline["total_bytes"].get<std::uint64_t>(), 256ull << 20);
  EXPECT_EQ(pipeline["chunks"], 16);
  EXPECT_EQ(pipeline["chunk_bytes"].get<std::uint64_t>(), 16ull << 20);
  EXPECT_EQ(pipeline["copy_engines"], 2);
  EXPECT_EQ(pipeline["fma_per_element"], 64);
  expect_summary(pipeline["h2d_us"], expected.copy_pipeline.h2d_us);
  expect_summary(pipeline["kernel_us"], expected.copy_pipeline.kernel_us);
  expect_summary(pipeline["d2h_us"], expected.copy_pipeline.d2h_us);
  EXPECT_EQ(pipeline["sizing_note"], expected.copy_pipeline.sizing_note);
  ASSERT_EQ(pipeline["points"].size(), 2u);
  EXPECT_EQ(pipeline["points"][1]["streams"], 4);
}

TEST(JsonWriter, TenantRunWithWorkloadResults) {
  const report_document document = make_full_document();
  const json run = to_json(document)["runs"][0];
  EXPECT_EQ(run["mode"], "timeslice");
  EXPECT_FALSE(run.contains("streams")) << "streams is only present for runs that measured it";
  EXPECT_DOUBLE_EQ(run["aggregate"]["start_skew_us"].get<double>(), 42.5);
  EXPECT_DOUBLE_EQ(run["aggregate"]["throughput_ratio"].get<double>(), 0.95);
  EXPECT_DOUBLE_EQ(run["aggregate"]["fairness"].get<double>(), 0.99);
  EXPECT_TRUE(run["aggregate"]["mechanism_overhead"].is_null());

  ASSERT_EQ(run["tenants"].size(), 2u);
  const json& gemm = run["tenants"][0];
  EXPECT_EQ(gemm["id"], 0);
  EXPECT_EQ(gemm["workload"], "gemm:dtype=fp16,k=4096,m=4096,n=4096");
  EXPECT_EQ(gemm["status"], "ok");
  EXPECT_DOUBLE_EQ(gemm["slowdown"].get<double>(), 1.9);
  const tenant_record& expected_gemm = document.runs[0].tenants[0];
  expect_workload_result(gemm["solo"], *expected_gemm.solo);
  expect_workload_result(gemm["shared"], *expected_gemm.shared);
  // The synthetic histogram has 1005 values between 900 ns and 10 ms.
  EXPECT_EQ(gemm["solo"]["latency_us"]["count"], 1005);
  EXPECT_GT(gemm["solo"]["latency_us"]["p50"].get<double>(), 1400.0);
  EXPECT_LT(gemm["solo"]["latency_us"]["p50"].get<double>(), 1700.0);
  EXPECT_GE(gemm["solo"]["latency_us"]["max"].get<double>(), 9999.0);

  const json& sleeper = run["tenants"][1];
  EXPECT_EQ(sleeper["id"], 1);
  EXPECT_EQ(sleeper["status"], "timeout");
  EXPECT_EQ(sleeper["solo"]["host_only"], true);
  EXPECT_EQ(sleeper["solo"]["verification"]["checked"], false);
  expect_workload_result(sleeper["solo"], *document.runs[0].tenants[1].solo);
  ASSERT_TRUE(sleeper.contains("shared"));
  EXPECT_TRUE(sleeper["shared"].is_null());
  ASSERT_TRUE(sleeper.contains("slowdown"));
  EXPECT_TRUE(sleeper["slowdown"].is_null());
}

TEST(JsonWriter, SpinTracesAndTheTimesliceProbe) {
  const report_document document = make_full_document();
  const json report = to_json(document);
  const json& run = report["runs"][4];
  EXPECT_FALSE(report["runs"][0].contains("timeslice_probe")) << "only runs that have one";
  EXPECT_FALSE(report["runs"][0]["tenants"][0]["shared"].contains("spin_trace"));

  const json& trace = run["tenants"][1]["shared"]["spin_trace"];
  EXPECT_EQ(trace["gap_threshold_ns"], 5000);
  EXPECT_EQ(trace["dropped"], 1);
  EXPECT_EQ(trace["segment_fields"],
            json::array({"start_ns", "end_ns", "after_gap", "before_gap"}));
  ASSERT_EQ(trace["segments"].size(), 3u);
  EXPECT_EQ(trace["segments"][1], json::array({7'760'000, 9'760'000, true, true}));
  EXPECT_EQ(trace["segments"][2][3], false);

  const json& probe = run["timeslice_probe"];
  EXPECT_EQ(probe["tenants"], json::array({0, 1}));
  EXPECT_DOUBLE_EQ(probe["quantum_us"]["median"].get<double>(), 2000.0);
  EXPECT_EQ(probe["quantum_us"]["count"], 2);
  EXPECT_DOUBLE_EQ(probe["switch_gap_us"]["p90"].get<double>(), 30.0);
  EXPECT_EQ(probe["switch_gap_us"]["count"], 3);
  EXPECT_EQ(probe["gaps"], 4);
  EXPECT_EQ(probe["gaps_filled_by_other_tenant"], 3);
  EXPECT_EQ(probe["dropped_segments"], 2);
  EXPECT_EQ(probe["note"], "2 segments did not fit the trace buffers");

  const json& concurrent = report["runs"][5]["timeslice_probe"];
  EXPECT_TRUE(concurrent["quantum_us"].is_null());
  EXPECT_TRUE(concurrent["switch_gap_us"].is_null());
  EXPECT_EQ(concurrent["gaps"], 0);
  EXPECT_EQ(concurrent["note"], "no traced tenant was switched out while it spun");
}

TEST(JsonWriter, HogResultsCarryTheMemoryHeld) {
  const json report = to_json(make_full_document());
  EXPECT_FALSE(report["runs"][0]["tenants"][0]["shared"].contains("memory_hold"))
      << "only hog results have one";
  const json& greedy = report["runs"][7]["tenants"][0]["shared"]["memory_hold"];
  EXPECT_EQ(greedy["bytes_requested"], 0);
  EXPECT_EQ(greedy["bytes_target"], 80'528'664'166ull);
  EXPECT_EQ(greedy["bytes_held"], 8'321'499'136ull);
  EXPECT_EQ(greedy["chunk_bytes"], 268'435'456);
  EXPECT_EQ(greedy["free_bytes_before"], 84'767'014'912ull);
  EXPECT_NE(greedy["allocation_error"].get<std::string>().find("chunk 32 of 300"),
            std::string::npos);
  const json& modest = report["runs"][7]["tenants"][1]["shared"]["memory_hold"];
  EXPECT_EQ(modest["bytes_held"], modest["bytes_requested"]);
  EXPECT_EQ(modest["allocation_error"], "");
}

TEST(JsonWriter, IsolationRunHasCellsWithFiguresTenantsAndClaims) {
  const report_document document = make_full_document();
  const json report = to_json(document);
  const json& run = report["runs"][8];
  EXPECT_EQ(run["mode"], "isolation");
  EXPECT_TRUE(run["tenants"].empty()) << "the processes are inside the cells";
  EXPECT_FALSE(report["runs"][0].contains("isolation")) << "only isolation runs have one";

  const isolation_result& expected = *document.runs[8].isolation;
  const json& cells = run["isolation"]["cells"];
  ASSERT_EQ(cells.size(), expected.cells.size());
  const json& memory = cells[0];
  EXPECT_EQ(memory["mechanism"], "mps");
  EXPECT_EQ(memory["property"], "memory");
  EXPECT_EQ(memory["verdict"], "none");
  EXPECT_EQ(memory["rule"], expected.cells[0].rule);
  EXPECT_EQ(memory["evidence"], expected.cells[0].evidence);
  EXPECT_EQ(memory["figures"],
            json({{"hog_held_bytes", 76'235'669'504.0}, {"victim_allocation_failed", 1.0}}));
  EXPECT_EQ(memory["flags"], json::array());
  EXPECT_FALSE(memory.contains("mps_fault")) << "only MPS fault cells carry the daemon's record";
  ASSERT_EQ(memory["tenants"].size(), 2u);
  EXPECT_EQ(memory["tenants"][0]["role"], "victim");
  EXPECT_EQ(memory["tenants"][0]["status"], "failed");
  EXPECT_EQ(memory["tenants"][0]["failure"], expected.cells[0].tenants[0].failure);
  EXPECT_EQ(memory["tenants"][1]["role"], "aggressor");
  EXPECT_EQ(memory["tenants"][1]["shared"]["memory_hold"]["bytes_held"], 76'235'669'504ull);

  const json& fault = cells[1]["mps_fault"];
  EXPECT_EQ(fault["server_states"],
            json::array({"server 4242: faulted client 4300 removed", "server 4250: ACTIVE"}));
  EXPECT_DOUBLE_EQ(fault["recovery_ms"].get<double>(), 850.5);
  EXPECT_EQ(fault["recovery_attempts"], 3);
  EXPECT_EQ(fault["recovery_failures"], json::array({"cudaErrorMpsServerNotReady"}));
  EXPECT_EQ(fault["log_tail"], expected.cells[1].mps_fault->log_tail);
  EXPECT_EQ(fault["cleanup"], "quit the control daemon and started a fresh one");
  EXPECT_EQ(cells[1]["tenants"][2]["role"], "probe");
  // The latency victim is a full tenant record: its measured results are all there.
  expect_workload_result(cells[2]["tenants"][0]["shared"], *expected.cells[2].tenants[0].shared);
  EXPECT_DOUBLE_EQ(cells[2]["tenants"][0]["p99_inflation"].get<double>(), 3.25);
  EXPECT_EQ(cells[4]["verdict"], "untested");
  EXPECT_TRUE(cells[4]["figures"].is_object() && cells[4]["figures"].empty());
  EXPECT_EQ(cells[5]["flags"], json::array({"host_instruments_only"}));

  const json& claims = run["isolation"]["claims"];
  ASSERT_EQ(claims.size(), 5u);
  EXPECT_EQ(claims[2], json({{"mechanism", "mps-limited"},
                             {"property", "latency"},
                             {"claim", "bounded by the thread limit"},
                             {"source", "vendor talk"},
                             {"holds", "no"},
                             {"basis", "victim_p99_inflation 3.25x, above the 1.5x bound"}}));
}

TEST(JsonWriter, RoleIsWrittenOnlyForTenantsThatHaveOne) {
  const json report = to_json(make_full_document());
  for (const json& run : report["runs"]) {
    for (const json& tenant : run["tenants"]) {
      EXPECT_FALSE(tenant.contains("role")) << "tenants of the other modes have no role";
    }
  }
  tenant_record tenant;
  tenant.role = "probe";
  EXPECT_EQ(tenant_to_json(tenant)["role"], "probe");
}

TEST(JsonWriter, NonFiniteIsolationFiguresRenderAsNull) {
  report_document document = make_full_document();
  isolation_cell& fault = document.runs[8].isolation->cells[1];
  fault.figures["recovery_ms"] = nan_value;
  fault.figures["victim_failed"] = inf_value;
  fault.mps_fault->recovery_ms.reset();
  const json cell = to_json(document)["runs"][8]["isolation"]["cells"][1];
  ASSERT_TRUE(cell["figures"].contains("recovery_ms")) << "the figure's name stays";
  EXPECT_TRUE(cell["figures"]["recovery_ms"].is_null());
  EXPECT_TRUE(cell["figures"]["victim_failed"].is_null());
  ASSERT_TRUE(cell["mps_fault"].contains("recovery_ms"));
  EXPECT_TRUE(cell["mps_fault"]["recovery_ms"].is_null()) << "no new client ran";
  EXPECT_EQ(json::parse(cell.dump()), cell) << "strict JSON, no NaN tokens";
}

TEST(JsonWriter, SkippedAndFailedRuns) {
  const json runs = to_json(make_full_document())["runs"];
  ASSERT_EQ(runs.size(), 9u);
  EXPECT_EQ(runs[2]["mode"], "mig");
  EXPECT_EQ(runs[2]["status"], "skipped");
  EXPECT_EQ(runs[2]["reason"], "MIG mode is disabled on GPU 0");
  EXPECT_EQ(runs[3]["status"], "failed");
  EXPECT_EQ(runs[3]["reason"], "nvidia-cuda-mps-control not found");
  EXPECT_TRUE(runs[3]["params"].is_object());
  EXPECT_TRUE(runs[3]["params"].empty());
}

TEST(JsonWriter, NonFiniteNumbersRenderAsNull) {
  report_document document = make_full_document();
  run_record& run = document.runs[0];
  run.wall_time_s = nan_value;
  run.aggregate.throughput_ratio = inf_value;
  run.aggregate.fairness = -inf_value;
  run.tenants[0].slowdown = nan_value;
  run.tenants[0].solo->throughput_per_s.median = nan_value;
  run.tenants[0].solo->latency_us.p99 = inf_value;
  document.runs[1].streams->kernel_overlap.points[1].efficiency = nan_value;
  document.config.noise_threshold = nan_value;

  const json report = to_json(document);
  const json& rendered = report["runs"][0];
  EXPECT_TRUE(rendered["wall_time_s"].is_null());
  EXPECT_TRUE(rendered["aggregate"]["throughput_ratio"].is_null());
  EXPECT_TRUE(rendered["aggregate"]["fairness"].is_null());
  EXPECT_TRUE(rendered["tenants"][0]["slowdown"].is_null());
  EXPECT_TRUE(rendered["tenants"][0]["solo"]["throughput_per_s"]["median"].is_null());
  EXPECT_TRUE(rendered["tenants"][0]["solo"]["latency_us"]["p99"].is_null());
  EXPECT_TRUE(report["runs"][1]["streams"]["kernel_overlap"]["points"][1]["efficiency"].is_null());
  EXPECT_TRUE(report["config"]["noise_threshold"].is_null());
  // Finite neighbours are untouched.
  EXPECT_TRUE(rendered["tenants"][0]["solo"]["throughput_per_s"]["mean"].is_number());

  EXPECT_TRUE(json_number(nan_value).is_null());
  EXPECT_TRUE(json_number(std::optional<double>{}).is_null());
  EXPECT_DOUBLE_EQ(json_number(std::optional<double>{1.5}).get<double>(), 1.5);

  // The serialised text is strict JSON: the parser rejects NaN and Infinity tokens.
  const std::string text = report.dump();
  EXPECT_EQ(text.find("NaN"), std::string::npos);
  EXPECT_EQ(text.find("Infinity"), std::string::npos);
  json parsed;
  ASSERT_NO_THROW(parsed = json::parse(text));
  EXPECT_TRUE(parsed["runs"][0]["tenants"][0]["slowdown"].is_null());
}

TEST(JsonWriter, WriteRoundTripsAndLeavesNoTemporaryFiles) {
  scratch_directory directory;
  const fs::path path = directory.path() / "report.json";
  const report_document document = make_full_document();
  write_json_report(document, path.string());

  ASSERT_TRUE(fs::exists(path));
  const std::string text = read_file(path);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const json parsed = json::parse(text);
  EXPECT_EQ(parsed, to_json(document));
  EXPECT_EQ(entries_of(directory.path()), std::set<std::string>{"report.json"});

  struct stat status {};
  ASSERT_EQ(::stat(path.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0644u);
}

TEST(JsonWriter, InvalidUtf8IsReplacedNotFatal) {
  scratch_directory directory;
  const fs::path path = directory.path() / "report.json";
  report_document document = make_full_document();
  document.argv.push_back("bad\xff\xfe-bytes");
  ASSERT_NO_THROW(write_json_report(document, path.string()));
  const json parsed = json::parse(read_file(path));
  const std::string last = parsed["argv"].back().get<std::string>();
  EXPECT_EQ(last.rfind("bad", 0), 0u);
  EXPECT_NE(last.find("-bytes"), std::string::npos);
}

TEST(JsonWriter, MissingDirectoryThrowsWithThePath) {
  scratch_directory directory;
  const fs::path path = directory.path() / "no-such-dir" / "report.json";
  try {
    write_json_report(make_full_document(), path.string());
    FAIL() << "writing into a missing directory must throw";
  } catch (const error& failure) {
    EXPECT_EQ(failure.code(), exit_code::usage);
    const std::string message = failure.what();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
  }
  EXPECT_TRUE(entries_of(directory.path()).empty());
}

TEST(JsonWriter, ExistingFileIsReplacedAtomically) {
  scratch_directory directory;
  const fs::path path = directory.path() / "report.json";
  const std::string old_text = "{\"schema_version\": \"0.9.0\", \"old\": true}\n";
  {
    std::ofstream out(path, std::ios::binary);
    out << old_text;
  }
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  // A reader that opened the old file keeps seeing the complete old contents: the new file
  // arrives by rename, never by truncating and rewriting in place.
  std::ifstream reader(path, std::ios::binary);
  ASSERT_TRUE(reader.is_open());

  const report_document document = make_full_document();
  write_json_report(document, path.string());

  struct stat after {};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);
  EXPECT_EQ(after.st_mode & 0777, 0600u) << "a replaced file keeps its permissions";
  const std::string seen_by_reader((std::istreambuf_iterator<char>(reader)),
                                   std::istreambuf_iterator<char>());
  EXPECT_EQ(seen_by_reader, old_text);
  EXPECT_EQ(json::parse(read_file(path)), to_json(document));
  EXPECT_EQ(entries_of(directory.path()), std::set<std::string>{"report.json"});
}

TEST(AtomicFile, WritesExactBytes) {
  scratch_directory directory;
  const fs::path path = directory.path() / "data.bin";
  const std::string contents("a\0b\nc", 5);
  write_file_atomically(path.string(), contents);
  EXPECT_EQ(read_file(path), contents);
  write_file_atomically(path.string(), "");
  EXPECT_EQ(read_file(path), "");
  EXPECT_EQ(entries_of(directory.path()), std::set<std::string>{"data.bin"});
}

TEST(AtomicFile, FailedRenameRemovesTheTemporaryFile) {
  scratch_directory directory;
  // A non-empty directory cannot be replaced by a file: rename fails after the temporary
  // file was written, which is the latest point at which cleanup is needed.
  const fs::path target = directory.path() / "occupied";
  fs::create_directories(target / "child");
  try {
    write_file_atomically(target.string(), "contents");
    FAIL() << "renaming over a directory must throw";
  } catch (const error& failure) {
    EXPECT_EQ(failure.code(), exit_code::usage);
    const std::string message = failure.what();
    EXPECT_NE(message.find(target.string()), std::string::npos) << message;
    EXPECT_NE(message.find("rename"), std::string::npos) << message;
  }
  EXPECT_EQ(entries_of(directory.path()), std::set<std::string>{"occupied"});
}

TEST(AtomicFile, ParentThatIsAFileIsRejected) {
  scratch_directory directory;
  const fs::path file = directory.path() / "plain";
  write_file_atomically(file.string(), "x");
  const fs::path path = file / "report.json";
  try {
    write_file_atomically(path.string(), "contents");
    FAIL() << "a path below a regular file must throw";
  } catch (const error& failure) {
    const std::string message = failure.what();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find("not a directory"), std::string::npos) << message;
  }
}

TEST(AtomicFile, EmptyPathIsRejected) {
  EXPECT_THROW(write_file_atomically("", "x"), error);
}

// Writes the full synthetic document where tests/schema/validate_reports.py can check it
// against report/schema/report.schema.json.
TEST(JsonWriterSchema, WritesSampleReportForSchemaCheck) {
  std::optional<scratch_directory> fallback;
  fs::path directory;
  if (const char* requested = std::getenv("GPUSHARE_SCHEMA_SAMPLE_DIR");
      requested != nullptr && *requested != '\0') {
    directory = requested;
    fs::create_directories(directory);
  } else {
    fallback.emplace();
    directory = fallback->path();
  }
  const fs::path path = directory / "sample-report.json";
  const report_document document = make_full_document();
  write_json_report(document, path.string());
  ASSERT_TRUE(fs::is_regular_file(path)) << path;
  EXPECT_EQ(json::parse(read_file(path)), to_json(document));
}

} // namespace
} // namespace gpushare::report
