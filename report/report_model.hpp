#pragma once
// What `gpushare-bench report` shows, computed once from the report files and kept apart from
// how it is drawn: the Markdown, CSV and HTML writers only format the values held here, so the
// three outputs cannot disagree and tests can check the numbers without parsing any of them.
//
// A run's slowdown is the median over its finished tenants of each tenant's own slowdown
// (median shared iteration time / median solo iteration time), with the lowest and highest
// tenant's slowdown as its spread; the same definition is used in every table and chart.

#include "harness/records.hpp"
#include "report/isolation_model.hpp"
#include "report/microbench_model.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gpushare::report {

/// Label of every figure measured by a host-* workload: such figures time the harness, not a
/// GPU, and must never be read as one.
inline constexpr const char* host_only_label = "host-* test instrument, not a GPU figure";

/// One cell of the mechanism matrix: a tenant run of one mode at one tenant count.
struct matrix_cell {
  std::string run_key; ///< metrics.hpp's run identity, e.g. "timeslice(2x gemm:...)"
  int tenants = 0;     ///< tenants that ran (ok or not)
  int tenants_ok = 0;
  std::optional<double> slowdown; ///< median of the ok tenants' slowdowns
  std::optional<double> slowdown_low;
  std::optional<double> slowdown_high;
  std::optional<double> mechanism_overhead;
  std::optional<double> throughput_ratio;
  std::optional<double> p99_inflation;     ///< of the first ok infer tenant, when there is one
  std::optional<double> infer_p99_us;      ///< that tenant's shared p99
  std::optional<double> infer_solo_p99_us; ///< and its p99 alone
  /// How the infer tenant ended when it did not finish ("timeout: ..."); "" otherwise. A
  /// mechanism under which the latency tenant died must not drop out of the latency rule.
  std::string infer_failure;
  std::optional<double> fairness;
  std::optional<double> start_skew_us;
  std::optional<double> interference; ///< mig: isolation between instances
  /// mig: median over ok tenants of solo throughput on the instance / on the whole GPU
  std::optional<double> fraction_of_full_gpu;
  /// noisy, throttled, above_physical_limit, tenant_failed, host_only, and the run's own flags
  std::vector<std::string> flags;
  bool host_only = false; ///< a tenant ran a host-* workload
};

/// A row of the matrix: one mode with one mix of workloads, measured at several tenant counts.
struct matrix_row {
  std::string mode;
  std::string workloads;          ///< distinct workloads in tenant order, "; "-separated
  std::vector<matrix_cell> cells; ///< ascending tenant count
};

/// One tenant of one run, for the per-mode tables.
struct tenant_row {
  std::string run_key;
  std::string mode;
  int tenant = 0;
  std::string workload;
  std::string status;
  std::optional<double> solo_median_us;
  std::optional<double> shared_median_us;
  std::optional<double> shared_p99_us;
  std::optional<double> shared_throughput_per_s;
  std::optional<double> slowdown;
  std::optional<double> p99_inflation;
  std::vector<std::string> flags; ///< noisy, host_only
  bool host_only = false;
};

struct xy_point {
  double x = 0;
  double y = 0;
};

/// A named series of a chart; `host_only` series are labelled as test instruments.
struct series {
  std::string name;
  std::vector<xy_point> points;
  bool host_only = false;
  bool dashed = false; ///< a bound or reference, not a measurement
};

/// The streams mode: achieved and ideal overlap speedup against the stream count.
struct streams_curves {
  std::string run_key;
  series kernel_overlap;
  series kernel_overlap_ideal;
  series copy_pipeline;
  series copy_pipeline_ideal;
};

/// Cumulative latency distribution of one tenant phase (x: us, y: fraction of iterations at
/// or below x), from the histogram's bucket upper bounds.
struct latency_cdf {
  std::string run_key;
  int tenant = 0;
  std::string phase; ///< solo | shared
  series curve;
};

/// SM clock and power over one telemetry phase of one GPU (x: ms since the phase started).
struct telemetry_timeline {
  std::string run_key;
  std::string phase; ///< "shared", "solo tenant 1"
  series sm_clock_mhz;
  series power_w;
  bool throttled = false;
};

/// A workload's achieved rate against the card's calibrated limits.
struct roofline_point {
  std::string label; ///< run key and tenant
  double intensity_flop_per_byte = 0;
  double achieved_tflops = 0;
  bool host_only = false;
};

struct roofline_limits {
  double peak_tflops = 0; ///< the best calibrated GEMM peak
  std::string peak_dtype;
  double memory_gb_per_s = 0; ///< the better of copy and triad bandwidth
};

/// `--fleet 40x8GiB`: that many workloads, each needing that much device memory.
struct fleet_request {
  int workloads = 0;
  std::uint64_t memory_bytes = 0;
  std::string text; ///< as given
};

/// The fleet under one mechanism.
struct fleet_option {
  std::string mechanism;       ///< dedicated | timeslice | mps | mig
  std::optional<int> gpus;     ///< empty when the figures do not say
  std::optional<int> per_gpu;  ///< workloads on one GPU
  std::optional<double> speed; ///< each workload's speed against a dedicated GPU
  std::string basis;           ///< which measurement and assumption, one sentence
};

/// Everything shown about one report file.
struct source_model {
  std::string path;
  std::string label; ///< GPU name, driver and hostname, or the file name
  std::string gpu_name;
  int compute_capability_major = 0; ///< 0.0 when the report names no GPU
  int compute_capability_minor = 0;
  std::string mig_mode; ///< as recorded: enabled | disabled | unsupported | unknown
  /// The MIG profile catalog's board for gpu_name, set by the caller that holds the catalog
  /// (mig/ is a later layer than report/): "" when the board is not in it, empty when nobody
  /// looked, and then only the compute capability and the driver's MIG mode say anything.
  std::optional<std::string> mig_board;
  /// Of this file's mig runs: "ok" when one measured, else the last one's "skipped" or
  /// "failed" with its reason; "" when the file has no mig run.
  std::string mig_run_status;
  std::string mig_run_reason;
  std::string driver;
  std::string hostname;
  std::string created_at;
  std::string tool_version;
  /// Every tenant run and every measured isolation cell is a host-* test instrument.
  bool host_only = false;
  std::vector<matrix_row> matrix;
  std::vector<int> tenant_counts; ///< columns of the matrix, ascending
  std::vector<tenant_row> tenants;
  std::vector<streams_curves> streams;
  std::vector<latency_cdf> latency;
  std::vector<telemetry_timeline> telemetry;
  std::optional<roofline_limits> limits;
  std::vector<roofline_point> roofline;
  std::vector<std::string> skipped; ///< "mode: reason" for runs that were skipped or failed
  std::vector<std::string> errors;  ///< "where: message"
  std::uint64_t gpu_memory_bytes = 0;
  std::vector<fleet_option> fleet; ///< filled for --fleet
  isolation_section isolation;     ///< --mode isolation runs
};

struct report_model {
  std::vector<source_model> sources;
  std::vector<microbenchmark_source> microbenchmarks; ///< Google Benchmark files, in given order
  std::optional<fleet_request> fleet;
  std::optional<double> latency_bound_ms; ///< --latency-bound: the infer tenant's p99 bound
};

/// "NVIDIA H100 80GB HBM3, driver 580.95.05, node-17", falling back to the file name when
/// the report names no GPU.
[[nodiscard]] std::string source_label(const report_document& document, const std::string& path);

/// The run's slowdown as defined above, over tenants whose status is ok and that have one.
[[nodiscard]] std::optional<double> run_slowdown(const run_record& run);

/// One row of the side-by-side table: a measurement any source made.
struct side_by_side_key {
  std::string mode;
  std::string workloads;
  int tenants = 0;
  bool operator==(const side_by_side_key& other) const {
    return mode == other.mode && workloads == other.workloads && tenants == other.tenants;
  }
};

/// Every (mode, workloads, tenant count) any source measured, in first-seen order; a source
/// that did not measure one shows "-" in it.
[[nodiscard]] std::vector<side_by_side_key> side_by_side_keys(const report_model& model);

/// One row of the side-by-side isolation table: a property of a mechanism any source judged.
struct isolation_key {
  std::string mechanism;
  std::string property;
  bool operator==(const isolation_key& other) const {
    return mechanism == other.mechanism && property == other.property;
  }
};

/// Every (mechanism, property) any source has a cell for, in each source's matrix order
/// (rows, then columns), first-seen first; a source without one shows "-".
[[nodiscard]] std::vector<isolation_key> isolation_side_by_side_keys(const report_model& model);

[[nodiscard]] source_model build_source_model(const report_document& document,
                                              const std::string& path);

[[nodiscard]] report_model build_report_model(const std::vector<report_document>& documents,
                                              const std::vector<std::string>& paths);

} // namespace gpushare::report
