#include "harness/records.hpp"
#include "report/console_table.hpp"
#include "run_binary.hpp"
#include "sample_records.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace gpushare::report {
namespace {

/// Index of the first line containing `needle`, or lines.size().
std::size_t find_line(const std::vector<std::string>& lines, const std::string& needle,
                      std::size_t from = 0) {
  for (std::size_t i = from; i < lines.size(); ++i) {
    if (lines[i].find(needle) != std::string::npos) {
      return i;
    }
  }
  return lines.size();
}

using test::h100_environment;
using test::lines_of;
using test::point_of;
using test::sample_streams;
using test::summary_of;

workload_result gemm_result(double p50_us, double throughput) {
  workload_result result;
  result.workload = "gemm:dtype=fp16,k=4096,m=4096,n=4096";
  result.verification.checked = true;
  result.verification.passed = true;
  result.verification.max_abs_error = 0.0125;
  result.verification.tolerance = 0.05;
  result.iterations = 1500;
  result.iteration_time_us = summary_of(p50_us, p50_us, p50_us);
  result.throughput_per_s = summary_of(throughput, throughput, throughput);
  result.latency_us.count = 1500;
  result.latency_us.p50 = p50_us;
  result.latency_us.p99 = p50_us * 1.5;
  return result;
}

run_record tenant_run() {
  run_record run;
  run.mode = "timeslice";
  run.wall_time_s = 30.25;
  run.params = {{"tenants", "2"}};
  run.flags = {"throttled"};
  tenant_record gemm;
  gemm.id = 0;
  gemm.workload = "gemm:dtype=fp16,k=4096,m=4096,n=4096";
  gemm.status = "ok";
  gemm.solo = gemm_result(1'480, 675.7);
  gemm.shared = gemm_result(2'850, 350.9);
  gemm.slowdown = 1.926;
  tenant_record sleeper;
  sleeper.id = 1;
  sleeper.workload = "host-sleep:ms=2";
  sleeper.status = "timeout";
  workload_result sleep_result;
  sleep_result.workload = "host-sleep:ms=2";
  sleep_result.host_only = true;
  sleep_result.iterations = 12'345;
  sleep_result.throughput_per_s = summary_of(12'345, 12'000, 12'500, true);
  sleep_result.latency_us.p50 = 81.04;
  sleep_result.latency_us.p99 = 0.85;
  sleeper.solo = sleep_result;
  run.tenants = {gemm, sleeper};
  run.aggregate.start_skew_us = 42.5;
  run.aggregate.throughput_ratio = 0.951;
  run.aggregate.fairness = 0.99876;
  run.aggregate.mechanism_overhead = -0.037;
  return run;
}

TEST(ConsoleFormat, Durations) {
  EXPECT_EQ(format_duration_us(0.85), "850 ns");
  EXPECT_EQ(format_duration_us(0.0123), "12.3 ns");
  EXPECT_EQ(format_duration_us(12.345), "12.3 us");
  EXPECT_EQ(format_duration_us(999.4), "999 us");
  EXPECT_EQ(format_duration_us(999.96), "1.00 ms") << "the unit is picked after rounding";
  EXPECT_EQ(format_duration_us(4'560), "4.56 ms");
  EXPECT_EQ(format_duration_us(1.2e6), "1.20 s");
  EXPECT_EQ(format_duration_us(125e6), "125 s");
  EXPECT_EQ(format_duration_us(0), "0 us");
  EXPECT_EQ(format_duration_us(std::numeric_limits<double>::quiet_NaN()), "n/a");
}

TEST(ConsoleFormat, RatesRatiosPercentsSizes) {
  EXPECT_EQ(format_rate(812), "812");
  EXPECT_EQ(format_rate(0.5), "0.500");
  EXPECT_EQ(format_rate(12'345), "12.3k");
  EXPECT_EQ(format_rate(1.2e6), "1.20M");
  EXPECT_EQ(format_rate(4e9), "4.00G");
  EXPECT_EQ(format_rate(std::numeric_limits<double>::infinity()), "n/a");
  EXPECT_EQ(format_ratio(1.866), "1.87x");
  EXPECT_EQ(format_ratio(1), "1.00x");
  EXPECT_EQ(format_percent(0.935), "93.5 %");
  EXPECT_EQ(format_percent(1), "100.0 %");
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(256ull << 20), "256 MiB");
  EXPECT_EQ(format_bytes(16ull << 20), "16.0 MiB");
  EXPECT_EQ(format_bytes(85'520'809'984ull), "79.6 GiB");
  EXPECT_EQ(format_bytes(1ull << 30), "1.00 GiB"); // 1024 MiB rounds to "1020" at 3 digits
  EXPECT_EQ(format_bytes(1023ull << 20), "1020 MiB");
  EXPECT_EQ(format_significant(0.00123), "0.00123");
  EXPECT_EQ(format_significant(9.996), "10.0");
  EXPECT_EQ(format_significant(123'456), "123000");
  EXPECT_EQ(format_significant(0), "0");
  EXPECT_EQ(format_cuda_version(12080), "12.8");
  EXPECT_EQ(format_cuda_version(13000), "13.0");
  EXPECT_EQ(format_cuda_version(0), "unknown");
  EXPECT_EQ(format_time_interval(summary_of(1000, 980, 1020)), "1.00 ms [980 us, 1.02 ms]");
  EXPECT_EQ(format_time_interval(sample_summary{}), "n/a");
}

TEST(ConsoleTable, EnvironmentBlock) {
  environment_info environment = h100_environment();
  environment.mps.daemon_running = true;
  environment.mps.control_pids = {101};
  environment.mps.server_pids = {202};
  environment.mps.pipe_directory = "/tmp/nvidia-mps";
  std::ostringstream out;
  print_environment(out, environment);
  const std::string text = out.str();
  EXPECT_NE(text.find("CUDA driver 13.0, runtime 12.8, driver release 580.95.05, NVML: ok"),
            std::string::npos)
      << text;
  const std::vector<std::string> lines = lines_of(text);
  const std::size_t gpu = find_line(lines, "GPU 0: NVIDIA H100 80GB HBM3");
  ASSERT_LT(gpu, lines.size()) << text;
  for (const char* part : {"cc 9.0", "132 SMs", "79.6 GiB", "MIG disabled", "compute mode default",
                           "SM 1980 MHz, memory 2619 MHz", "3 copy engines", "L2 50.0 MiB",
                           "0000:17:00.0", "GPU-12345678"}) {
    EXPECT_NE(lines[gpu].find(part), std::string::npos) << part << " in: " << lines[gpu];
  }
  EXPECT_NE(text.find("MPS: daemon running (control pids 101; server pids 202)"), std::string::npos)
      << text;
}

TEST(ConsoleTable, EnvironmentWithoutCuda) {
  environment_info environment;
  environment.unavailable_reason = "no CUDA-capable device is detected";
  environment.nvml_status = "libnvidia-ml.so.1 not found";
  std::ostringstream out;
  print_environment(out, environment);
  const std::string text = out.str();
  EXPECT_NE(text.find("CUDA unavailable: no CUDA-capable device is detected"), std::string::npos)
      << text;
  EXPECT_NE(text.find("CUDA driver unknown, runtime unknown"), std::string::npos) << text;
  EXPECT_NE(text.find("NVML: libnvidia-ml.so.1 not found"), std::string::npos) << text;
  EXPECT_NE(text.find("no GPU visible"), std::string::npos) << text;
  EXPECT_NE(text.find("MPS: no daemon running"), std::string::npos) << text;
}

TEST(ConsoleTable, StreamsTablesAreAlignedAndPrecededByTheSizingNote) {
  std::ostringstream out;
  print_streams(out, sample_streams());
  const std::string text = out.str();
  const std::vector<std::string> lines = lines_of(text);

  const std::size_t overlap = find_line(lines, "Kernel overlap: 32 kernels of 4 blocks x 256");
  const std::size_t overlap_note = find_line(lines, "sizing: 4 blocks per kernel");
  const std::size_t overlap_header = find_line(lines, "time median [95% interval]");
  const std::size_t pipeline = find_line(lines, "Copy pipeline: 256 MiB each way in 16 chunks");
  const std::size_t pipeline_note = find_line(lines, "sizing: 256 MiB each way in 16 chunks");
  const std::size_t pipeline_header =
      find_line(lines, "time median [95% interval]", overlap_header + 1);
  ASSERT_LT(pipeline_header, lines.size()) << text;
  EXPECT_LT(overlap, overlap_note);
  EXPECT_LT(overlap_note, overlap_header);
  EXPECT_LT(overlap_header, pipeline);
  EXPECT_LT(pipeline, pipeline_note);
  EXPECT_LT(pipeline_note, pipeline_header);
  EXPECT_NE(lines[overlap].find("one kernel alone 31.2 us [30.9 us, 31.8 us]"), std::string::npos)
      << lines[overlap];
  EXPECT_NE(lines[pipeline].find("H2D 10.5 ms, kernel 3.20 ms, D2H 10.3 ms"), std::string::npos)
      << lines[pipeline];

  const std::string& header = lines[overlap_header];
  for (const char* column : {"S", "speedup", "ideal", "efficiency", "flags"}) {
    EXPECT_NE(header.find(column), std::string::npos) << column;
  }
  // Row for S = 8: figures formatted as documented, and right-aligned under their headers.
  const std::size_t row = find_line(lines, "7.14x", overlap_header);
  ASSERT_LT(row, pipeline) << text;
  const std::string& line = lines[row];
  EXPECT_NE(line.find("140 us [137 us, 143 us]"), std::string::npos) << line;
  EXPECT_NE(line.find("8.00x"), std::string::npos) << line;
  EXPECT_NE(line.find("89.3 %"), std::string::npos) << line;
  EXPECT_NE(line.find("noisy"), std::string::npos) << line;
  EXPECT_EQ(line.find("ci "), std::string::npos) << line;
  const std::size_t coverage = find_line(lines, "intervals cover 93.8 % (5 repetitions", row);
  EXPECT_LT(coverage, pipeline) << text;
  EXPECT_EQ(line.find("7.14x") + 5, header.find("speedup") + 7) << header << "\n" << line;
  EXPECT_EQ(line.find("89.3 %") + 6, header.find("efficiency") + 10) << header << "\n" << line;
  const std::size_t first_row = find_line(lines, "1.00x", overlap_header);
  EXPECT_EQ(lines[first_row].find("1.00 ms"), line.find("140 us")) << "left-aligned time column";
  EXPECT_NE(find_line(lines, "2.09x", pipeline_header), lines.size()) << text;
}

TEST(ConsoleTable, WorkloadResultsLabelHostOnlyInstruments) {
  std::ostringstream out;
  print_workload_results(out, tenant_run());
  const std::string text = out.str();
  const std::vector<std::string> lines = lines_of(text);
  const std::size_t header = find_line(lines, "throughput/s");
  ASSERT_LT(header, lines.size()) << text;
  for (const char* column : {"workload", "iterations", "p50", "p99", "verification"}) {
    EXPECT_NE(lines[header].find(column), std::string::npos) << column;
  }

  const std::size_t shared = find_line(lines, "shared");
  ASSERT_LT(shared, lines.size()) << text;
  for (const char* part : {"gemm:dtype=fp16,k=4096,m=4096,n=4096", "1500", "2.85 ms", "4.28 ms",
                           "351", "1.93x", "passed (max err 0.0125 <= 0.05)"}) {
    EXPECT_NE(lines[shared].find(part), std::string::npos) << part << " in: " << lines[shared];
  }
  const std::size_t host = find_line(lines, "host-sleep:ms=2");
  ASSERT_LT(host, lines.size()) << text;
  for (const char* part : {"12345", "81.0 us", "850 ns", "12.3k",
                           "host-* test instrument, not a GPU figure", "noisy"}) {
    EXPECT_NE(lines[host].find(part), std::string::npos) << part << " in: " << lines[host];
  }
  EXPECT_NE(text.find("tenant 1 (host-sleep:ms=2): timeout"), std::string::npos) << text;
}

TEST(ConsoleTable, RunHeaderAggregateSkippedAndFailed) {
  run_record run = tenant_run();
  std::ostringstream out;
  print_run(out, run);
  const std::string text = out.str();
  EXPECT_NE(text.find("Run timeslice: ok (30.3 s)"), std::string::npos) << text;
  EXPECT_NE(text.find("params: tenants=2"), std::string::npos) << text;
  EXPECT_NE(text.find("flags: throttled"), std::string::npos) << text;
  EXPECT_NE(text.find("aggregate: start skew 42.5 us, throughput vs solo 0.95x, fairness "
                      "(Jain) 0.999, mechanism overhead -3.7 %"),
            std::string::npos)
      << text;

  run_record skipped;
  skipped.mode = "mig";
  skipped.status = run_status::skipped;
  skipped.reason = "MIG mode is disabled on GPU 0";
  run_record failed;
  failed.mode = "mps";
  failed.status = run_status::failed;
  failed.reason = "nvidia-cuda-mps-control not found";
  std::ostringstream other;
  print_run(other, skipped);
  print_run(other, failed);
  EXPECT_EQ(other.str(), "Run mig: skipped: MIG mode is disabled on GPU 0\n"
                         "Run mps: FAILED: nvidia-cuda-mps-control not found\n");
}

TEST(ConsoleTable, CalibrationTableListsEveryLimitAndWhatWasSkipped) {
  run_record run;
  run.mode = "calibrate";
  run.calibration = test::sample_calibration();
  std::ostringstream out;
  print_run(out, run);
  const std::string text = out.str();
  const std::vector<std::string> lines = lines_of(text);
  const std::size_t fp16 = find_line(lines, "GEMM fp16");
  ASSERT_LT(fp16, lines.size()) << text;
  for (const char* part : {"700 [690, 705]", "TFLOP/s", "{4096, 8192}: 8192"}) {
    EXPECT_NE(lines[fp16].find(part), std::string::npos) << part << " in: " << lines[fp16];
  }
  const std::size_t copy = find_line(lines, "device memory (copy)");
  ASSERT_LT(copy, lines.size()) << text;
  EXPECT_NE(lines[copy].find("2900 [2880, 2910]"), std::string::npos) << lines[copy];
  EXPECT_NE(lines[copy].find("1.00 GiB per copy"), std::string::npos) << lines[copy];
  const std::size_t to_host = find_line(lines, "device to host");
  ASSERT_LT(to_host, lines.size()) << text;
  EXPECT_NE(lines[to_host].find("noisy"), std::string::npos) << lines[to_host];
  EXPECT_LT(find_line(lines, "launch round trip"), lines.size()) << text;
  EXPECT_NE(text.find("not measured: gemm bf16 at 16384"), std::string::npos) << text;
}

TEST(ConsoleTable, LimitChecksFollowTheWorkloadTable) {
  run_record run = tenant_run();
  run.tenants[0].solo->limits = {limit_check{"gemm_fp16_tflops", 560, 700, 0.8, true, ""}};
  run.limits = {limit_check{"device_memory_gb_per_s", 5000, 2900, 5000.0 / 2900, false,
                            "working set 24.0 MiB is within twice the L2 cache"}};
  std::ostringstream out;
  print_run(out, run);
  const std::string text = out.str();
  EXPECT_NE(text.find("tenant 0 solo: 560 TFLOP/s = 80.0 % of gemm_fp16_tflops (700 TFLOP/s)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("all tenants, shared: 5000 GB/s = 172.4 % of device_memory_gb_per_s "
                      "(2900 GB/s) [not a bound: working set 24.0 MiB"),
            std::string::npos)
      << text;
}

TEST(ConsoleTable, TimesliceProbeFiguresOrItsNote) {
  // Figures written for the layout, not measured.
  run_record run = tenant_run();
  timeslice_probe_result probe;
  probe.tenants = {0, 1};
  probe.quantum_us = percentile_summary{120, 2001.4, 1962.0, 2040.5};
  probe.switch_gap_us = percentile_summary{160, 30.04, 26.1, 34.2};
  probe.gaps = 160;
  probe.gaps_filled_by_other_tenant = 158;
  run.timeslice_probe = probe;
  std::ostringstream out;
  print_run(out, run);
  const std::vector<std::string> lines = lines_of(out.str());
  const std::size_t header = find_line(lines, "time-slice probe (spin traces of 2 tenants");
  ASSERT_LT(header + 3, lines.size()) << out.str();
  EXPECT_EQ(lines[header + 1], "    quantum 2.00 ms [1.96 ms, 2.04 ms] (median [p10, p90], n=120)");
  EXPECT_EQ(lines[header + 2],
            "    switch gap 30.0 us [26.1 us, 34.2 us] (median [p10, p90], n=160)");
  EXPECT_EQ(lines[header + 3], "    158 of 160 gaps filled by another tenant");
  EXPECT_EQ(find_line(lines, "note:"), lines.size()) << "no note when nothing limits the figures";

  probe.quantum_us.reset();
  probe.switch_gap_us.reset();
  probe.gaps = 0;
  probe.gaps_filled_by_other_tenant = 0;
  probe.note = "no traced tenant was switched out while it spun";
  run.timeslice_probe = probe;
  std::ostringstream quiet;
  print_run(quiet, run);
  const std::vector<std::string> note_lines = lines_of(quiet.str());
  EXPECT_EQ(find_line(note_lines, "quantum"), note_lines.size()) << quiet.str();
  EXPECT_EQ(find_line(note_lines, "switch gap"), note_lines.size()) << quiet.str();
  EXPECT_LT(find_line(note_lines, "    0 of 0 gaps filled by another tenant"), note_lines.size());
  EXPECT_LT(find_line(note_lines, "    note: no traced tenant was switched out while it spun"),
            note_lines.size())
      << quiet.str();

  std::ostringstream without;
  print_run(without, tenant_run());
  EXPECT_EQ(without.str().find("time-slice probe"), std::string::npos);
}

TEST(ConsoleTable, IsolationMatrixOneRowPerCellWithinOneHundredColumns) {
  std::ostringstream out;
  print_run(out, test::make_isolation_run());
  const std::vector<std::string> lines = lines_of(out.str());
  EXPECT_EQ(lines.at(0), "Run isolation: ok (95.5 s)");
  const std::size_t header = find_line(lines, "mechanism    property  verdict    key figure");
  ASSERT_LT(header + 7, lines.size()) << out.str();
  // Columns as wide as their widest cell (mps-limited, property, isolated*, the p99 figure);
  // the evidence gets what is left of 100 columns and is cut with "...".
  EXPECT_EQ(lines[header + 2].rfind("    mps          memory    none       hog_held_bytes 71.0 "
                                    "GiB     the hog held 71.0 GiB; the",
                                    0),
            0u)
      << lines[header + 2];
  EXPECT_EQ(lines[header + 3].rfind("    mps          fault     none       recovery_ms 851 ms", 0),
            0u)
      << lines[header + 3];
  EXPECT_EQ(lines[header + 4].rfind("    mps-limited  latency   partial    "
                                    "victim_p99_inflation 3.25x  the infer victim's p99",
                                    0),
            0u)
      << lines[header + 4];
  EXPECT_EQ(lines[header + 6].rfind("    mig          compute   untested   -", 0), 0u)
      << "no figure: a dash";
  EXPECT_EQ(
      lines[header + 7].rfind("    timeslice    fault     isolated*  victims_kept_running 1", 0),
      0u)
      << "host-* cells are marked";
  for (std::size_t i = header; i <= header + 7; ++i) {
    EXPECT_LE(lines[i].size(), 100u) << lines[i];
  }
  EXPECT_EQ(lines[header + 2].size(), 100u) << "the evidence was cut to fit exactly";
  EXPECT_EQ(lines[header + 2].substr(97), "...");
  EXPECT_EQ(
      lines[header + 8],
      "    * host-* test instrument, not a GPU figure (the cell timed processes on the host)");

  EXPECT_LT(find_line(lines, "  MPS after the fault (mps fault): a new client ran 851 ms after the "
                             "last tenant exited (3 attempt(s))"),
            lines.size())
      << out.str();
  EXPECT_LT(find_line(lines, "    new clients failed with: cudaErrorMpsServerNotReady"),
            lines.size());
  EXPECT_LT(find_line(lines, "    server: server 4242: faulted client 4300 removed"), lines.size());
  EXPECT_LT(find_line(lines, "    cleanup: quit the control daemon and started a fresh one"),
            lines.size());
  EXPECT_LT(find_line(lines, "  mps fault: aggressor tenant 1 (fault:after_ms=100): failed: "
                             "shared: exit code 1: cudaErrorIllegalAddress (expected)"),
            lines.size());
  EXPECT_LT(find_line(lines, "  mps memory: victim tenant 0 (hog:bytes=1073741824"), lines.size());
  EXPECT_EQ(find_line(lines, "probe tenant 2"), lines.size()) << "tenants that ended ok: no line";

  const std::size_t claims = find_line(lines, "Documented claims, checked on this card:");
  ASSERT_LT(claims + 7, lines.size()) << out.str();
  EXPECT_EQ(lines[claims + 1].rfind("    mechanism    property  claim", 0), 0u)
      << lines[claims + 1];
  EXPECT_NE(lines[claims + 1].find("  source"), std::string::npos);
  EXPECT_EQ(lines[claims + 1].substr(lines[claims + 1].size() - 5), "holds");
  // The claim and source columns share the cut: 100 columns, the verdict word last.
  EXPECT_EQ(lines[claims + 4].rfind("    mps          fault     a fault ends every client o...  "
                                    "NVIDIA MPS documentation         yes",
                                    0),
            0u)
      << lines[claims + 4];
  EXPECT_EQ(lines[claims + 5].rfind("    mps-limited  latency   bounded by the thread limit", 0),
            0u);
  EXPECT_EQ(lines[claims + 5].substr(lines[claims + 5].size() - 2), "no");
  for (std::size_t i = claims + 1; i <= claims + 7; ++i) {
    EXPECT_LE(lines[i].size(), 100u) << lines[i];
  }
}

TEST(ConsoleTable, IsolationEvidenceIsOneLineAndCutOnACharacter) {
  isolation_result isolation;
  isolation_cell cell;
  cell.mechanism = "mps";
  cell.property = "latency";
  cell.verdict = "partial";
  // Line breaks become spaces; the cut never splits the two bytes of an "é".
  // The table leaves the evidence 38 columns, so the cut (35 bytes and "...") falls between
  // the two bytes of the "é".
  cell.evidence = "first line\nsecond line " + std::string(11, 'x') + "\xc3\xa9" +
                  "tail, and more text than fits";
  cell.figures = {{"victim_p99_inflation", 2.0}};
  isolation.cells = {cell};
  std::ostringstream out;
  print_isolation(out, isolation);
  const std::vector<std::string> lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 4u) << out.str();
  const std::string& row = lines[3];
  EXPECT_NE(row.find("first line second line xxx"), std::string::npos) << row;
  EXPECT_EQ(row.substr(row.size() - 3), "...");
  EXPECT_LE(row.size(), 100u);
  EXPECT_EQ(row.find("tail"), std::string::npos);
  EXPECT_EQ(row.substr(row.size() - 4), "x...") << "not half a UTF-8 sequence";
  EXPECT_EQ(out.str().find("Documented claims"), std::string::npos) << "no claims, no table";
}

TEST(ConsoleTable, ErrorsAndWholeReport) {
  report_document document;
  document.tool.version = "0.1.0";
  document.tool.git_sha = "0123456789ab";
  document.created_at = "2025-01-02T03:04:05Z";
  document.environment = h100_environment();
  run_record streams_run;
  streams_run.mode = "streams";
  streams_run.wall_time_s = 12.5;
  streams_run.streams = sample_streams();
  document.runs = {streams_run, tenant_run()};
  document.errors.push_back({"startup", "no CUDA device visible", 2});

  std::ostringstream errors;
  print_errors(errors, document.errors);
  EXPECT_EQ(errors.str(), "Errors\n  [startup] no CUDA device visible (exit code 2)\n");
  std::ostringstream none;
  print_errors(none, {});
  EXPECT_EQ(none.str(), "");

  std::ostringstream out;
  print_report(out, document);
  const std::string text = out.str();
  EXPECT_EQ(text.rfind("gpushare-bench 0.1.0 (0123456789ab), 2025-01-02T03:04:05Z\n", 0), 0u)
      << text;
  const std::size_t environment = text.find("Environment");
  const std::size_t streams = text.find("Run streams: ok (12.5 s)");
  const std::size_t tenants = text.find("Run timeslice");
  const std::size_t error = text.find("[startup] no CUDA device visible");
  EXPECT_LT(environment, streams);
  EXPECT_LT(streams, tenants);
  EXPECT_LT(tenants, error);
  EXPECT_NE(error, std::string::npos) << text;
  EXPECT_NE(text.find("host-* test instrument, not a GPU figure"), std::string::npos);
}

} // namespace
} // namespace gpushare::report
