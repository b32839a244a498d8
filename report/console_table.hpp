#pragma once
// Human-readable rendering of the measurement records for a terminal: the environment, the
// streams curves, per-tenant workload results, skipped or failed runs and errors. The JSON
// report is the complete record; this is the summary a person reads after a run.
//
// Number formats (every function below uses them, tests rely on them):
//   durations   3 significant digits in the largest unit that keeps the value >= 1:
//               "850 ns", "12.3 us", "4.56 ms", "1.20 s"
//   rates       3 significant digits with an SI suffix: "812", "12.3k", "1.20M", "4.00G"
//   ratios      two decimals and "x": "1.87x"
//   fractions   percent with one decimal: "93.5 %"
//   sizes       binary units, 3 significant digits: "512 B", "256 MiB", "79.6 GiB"
//   missing     "n/a" for a value that is absent or not finite, "-" for a column that does
//               not apply to a row

#include "harness/records.hpp"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace gpushare::report {

/// `value` rounded to `digits` significant digits, fixed notation ("0.00123", "12.3", "1230");
/// "0" for zero, "n/a" when not finite.
[[nodiscard]] std::string format_significant(double value, int digits = 3);

/// A duration given in microseconds, in ns/us/ms/s as described above.
[[nodiscard]] std::string format_duration_us(double microseconds);

/// A rate in events per second with an SI suffix (k, M, G, T).
[[nodiscard]] std::string format_rate(double per_second);

/// A ratio such as a speedup or slowdown: "1.87x".
[[nodiscard]] std::string format_ratio(double ratio);

/// A fraction as a percentage: 0.935 -> "93.5 %".
[[nodiscard]] std::string format_percent(double fraction);

/// A size in bytes in binary units: 268435456 -> "256 MiB".
[[nodiscard]] std::string format_bytes(std::uint64_t bytes);

/// A CUDA version number as the CUDA API returns it (1000 * major + 10 * minor):
/// 12080 -> "12.8"; "unknown" for 0.
[[nodiscard]] std::string format_cuda_version(int version);

/// A figure over repetitions given in microseconds: "12.3 us [12.1 us, 12.6 us]", the
/// median and its interval (see sample_summary for the interval's coverage).
[[nodiscard]] std::string format_time_interval(const sample_summary& time_us);

/// Environment block: CUDA available or why not, driver and runtime versions, driver release
/// and NVML status, one line per GPU, and the MPS daemon state.
void print_environment(std::ostream& out, const environment_info& environment);

/// One line: telemetry sampled every N ms, or why not.
void print_telemetry_status(std::ostream& out, const telemetry_status& telemetry);

/// The two streams experiments as aligned tables
/// (S | time median [95% interval] | speedup | ideal | efficiency | flags), each preceded by
/// its sizes and its sizing note, and followed by the interval coverage when fewer
/// repetitions than a 95 % interval needs were taken.
void print_streams(std::ostream& out, const streams_result& streams);

/// The calibrated limits as a table (limit | median [interval] | unit | how | flags), then
/// what could not be measured and why.
void print_calibration(std::ostream& out, const calibration_result& calibration);

/// One row per measured workload result (solo and shared for each tenant) with iterations,
/// p50, p99, throughput, slowdown and verification; host-only rows are labelled as test
/// instruments. Tenants whose status is not "ok" are listed after the table. Prints nothing
/// when the run has no tenants.
void print_workload_results(std::ostream& out, const run_record& run);

/// --mode isolation: the matrix, one row per cell (mechanism | property | verdict | key
/// figure | evidence, cut to keep lines within 100 columns), cells of host-* test instruments
/// marked "*" and labelled; what the MPS daemon did after a fault and every tenant that did not
/// end ok; then the documented claims (mechanism | property | claim | source | holds).
void print_isolation(std::ostream& out, const isolation_result& isolation);

/// A run: its header line (mode, status, wall time), params and flags, then its streams
/// tables, workload results, aggregate figures and isolation matrix; a skipped or failed run is one
/// line with its reason.
void print_run(std::ostream& out, const run_record& run);

/// One line per error: where, message and the exit code it maps to. Nothing when empty.
void print_errors(std::ostream& out, const std::vector<error_record>& errors);

/// The whole document: a header with the tool version, the environment, every run, errors.
void print_report(std::ostream& out, const report_document& document);

} // namespace gpushare::report
