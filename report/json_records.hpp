#pragma once
// Record -> JSON conversions, one function per record type, shared by the report writer and
// anything else that needs one piece of a report (tests, partial dumps). The layout they
// produce is the one report/schema/report.schema.json describes; change both together.

#include "harness/records.hpp"

#include <nlohmann/json.hpp>

#include <optional>

namespace gpushare::report {

/// A double as a JSON number, or null when it is NaN or infinite (JSON has no such values,
/// and a reader must never be handed an unparsable file because one figure went wrong).
[[nodiscard]] nlohmann::json json_number(double value);

/// An optional double: null when absent or not finite.
[[nodiscard]] nlohmann::json json_number(const std::optional<double>& value);

/// A figure over repetitions: {median, ci_low, ci_high, ci_coverage, mean, stdev, cv, min,
/// max, count, noisy}. Values keep the unit of the figure (the key that holds it names it);
/// ci_coverage and cv are fractions (0.95 = 95 %).
[[nodiscard]] nlohmann::json summary_to_json(const sample_summary& summary);

/// Latency summary {count, p50, p90, p99, p999, min, max, mean, stdev, cv}; times in
/// microseconds, cv a fraction.
[[nodiscard]] nlohmann::json latency_to_json(const latency_summary& latency);

/// {unit: "ns", significant_digits, buckets: [[lower_ns, upper_ns, count], ...]} with only
/// the non-empty buckets, in increasing order; bounds are inclusive.
[[nodiscard]] nlohmann::json histogram_to_json(const latency_histogram& histogram);

/// {checked, passed, elements_checked, max_abs_error, tolerance, detail}.
[[nodiscard]] nlohmann::json verification_to_json(const verification_result& verification);

/// One measured workload, with its figures, latency summary and histogram.
[[nodiscard]] nlohmann::json workload_result_to_json(const workload_result& result);

/// {streams, time_us (summary), speedup, ideal_speedup, efficiency}.
[[nodiscard]] nlohmann::json stream_point_to_json(const stream_point& point);

/// {kernel_overlap {...}, copy_pipeline {...}}.
[[nodiscard]] nlohmann::json streams_to_json(const streams_result& streams);

/// [{limit, achieved, limit_value, limit_high, fraction, enforced, note}, ...]; rates in the
/// limit's unit.
[[nodiscard]] nlohmann::json limit_checks_to_json(const std::vector<limit_check>& checks);

/// {gemm: [{dtype, size, tflops, sizes_tried}], device_copy, device_triad, host_to_device,
/// device_to_host (each {bytes, gb_per_s, counted} or null), launch_round_trip_us,
/// launch_back_to_back_us, l2_cache_bytes, gpu_name, whole_gpu, skipped}.
[[nodiscard]] nlohmann::json calibration_to_json(const calibration_result& calibration);

/// {id, workload, status, solo, shared, slowdown, ...}; absent results and slowdown are null;
/// role only when the tenant has one (--mode isolation).
[[nodiscard]] nlohmann::json tenant_to_json(const tenant_record& tenant);

/// {start_skew_us, throughput_ratio, fairness, mechanism_overhead}, each a number or null.
[[nodiscard]] nlohmann::json aggregate_to_json(const aggregate_figures& aggregate);

/// One run: mode, status, reason, params (object of strings), wall_time_s, flags, aggregate,
/// tenants, and streams, calibration, isolation, ... when the run has them (the keys are
/// absent otherwise).
[[nodiscard]] nlohmann::json run_to_json(const run_record& run);

/// One GPU; compute_capability is "major.minor", clocks in MHz, sizes in bytes.
[[nodiscard]] nlohmann::json gpu_to_json(const gpu_info& gpu);

/// Driver, runtime, NVML, GPUs and MPS as the tool found them.
[[nodiscard]] nlohmann::json environment_to_json(const environment_info& environment);

/// Every run_config field; absent optionals are null.
[[nodiscard]] nlohmann::json config_to_json(const run_config& config);

/// {hostname, os, cpu_model, cpu_count}.
[[nodiscard]] nlohmann::json host_to_json(const host_info& host);

/// {name, version, git_sha, git_dirty}.
[[nodiscard]] nlohmann::json tool_to_json(const tool_info& tool);

/// {where, message, exit_code}.
[[nodiscard]] nlohmann::json error_to_json(const error_record& error);

} // namespace gpushare::report
