#include "report/json_records.hpp"

#include "report/json_isolation.hpp"
#include "report/json_telemetry.hpp"

#include <cmath>
#include <string>

namespace gpushare::report {

using nlohmann::json;

json json_number(double value) {
  if (!std::isfinite(value)) {
    return nullptr;
  }
  return value;
}

json json_number(const std::optional<double>& value) {
  if (!value) {
    return nullptr;
  }
  return json_number(*value);
}

json summary_to_json(const sample_summary& summary) {
  return json{{"median", json_number(summary.median)},
              {"ci_low", json_number(summary.ci_low)},
              {"ci_high", json_number(summary.ci_high)},
              {"ci_coverage", json_number(summary.ci_coverage)},
              {"mean", json_number(summary.mean)},
              {"stdev", json_number(summary.stdev)},
              {"cv", json_number(summary.cv)},
              {"min", json_number(summary.min)},
              {"max", json_number(summary.max)},
              {"count", summary.count},
              {"noisy", summary.noisy}};
}

json latency_to_json(const latency_summary& latency) {
  return json{{"count", latency.count},
              {"p50", json_number(latency.p50)},
              {"p90", json_number(latency.p90)},
              {"p99", json_number(latency.p99)},
              {"p999", json_number(latency.p999)},
              {"min", json_number(latency.min)},
              {"max", json_number(latency.max)},
              {"mean", json_number(latency.mean)},
              {"stdev", json_number(latency.stdev)},
              {"cv", json_number(latency.cv)}};
}

json histogram_to_json(const latency_histogram& histogram) {
  // Triples instead of objects: a long tail can have thousands of buckets and the file should
  // stay readable and small.
  json buckets = json::array();
  for (const histogram_bucket& bucket : histogram.nonzero_buckets()) {
    buckets.push_back(json::array({bucket.lower_ns, bucket.upper_ns, bucket.count}));
  }
  return json{{"unit", "ns"},
              {"significant_digits", latency_histogram::significant_digits},
              {"buckets", std::move(buckets)}};
}

json verification_to_json(const verification_result& verification) {
  return json{{"checked", verification.checked},
              {"passed", verification.passed},
              {"elements_checked", verification.elements_checked},
              {"max_abs_error", json_number(verification.max_abs_error)},
              {"tolerance", json_number(verification.tolerance)},
              {"detail", verification.detail}};
}

namespace {

json numbers_to_json(const std::vector<double>& values) {
  json out = json::array();
  for (const double value : values) {
    out.push_back(json_number(value));
  }
  return out;
}

// Arrays instead of objects: a trace can hold thousands of segments.
json spin_trace_to_json(const run_segment_trace& trace) {
  json segments = json::array();
  for (const run_segment& segment : trace.segments) {
    segments.push_back(
        json::array({segment.start_ns, segment.end_ns, segment.after_gap, segment.before_gap}));
  }
  return json{{"gap_threshold_ns", trace.gap_threshold_ns},
              {"segment_fields", json::array({"start_ns", "end_ns", "after_gap", "before_gap"})},
              {"segments", std::move(segments)},
              {"dropped", trace.dropped}};
}

json memory_hold_to_json(const memory_hold_record& hold) {
  return json{{"bytes_requested", hold.bytes_requested},
              {"bytes_target", hold.bytes_target},
              {"bytes_held", hold.bytes_held},
              {"chunk_bytes", hold.chunk_bytes},
              {"free_bytes_before", hold.free_bytes_before},
              {"allocation_error", hold.allocation_error}};
}

json percentiles_to_json(const std::optional<percentile_summary>& summary) {
  if (!summary) {
    return nullptr;
  }
  return json{{"median", json_number(summary->median)},
              {"p10", json_number(summary->p10)},
              {"p90", json_number(summary->p90)},
              {"count", summary->count}};
}

json timeslice_probe_to_json(const timeslice_probe_result& probe) {
  return json{{"tenants", probe.tenants},
              {"quantum_us", percentiles_to_json(probe.quantum_us)},
              {"switch_gap_us", percentiles_to_json(probe.switch_gap_us)},
              {"gaps", probe.gaps},
              {"gaps_filled_by_other_tenant", probe.gaps_filled_by_other_tenant},
              {"dropped_segments", probe.dropped_segments},
              {"note", probe.note}};
}

} // namespace

json limit_checks_to_json(const std::vector<limit_check>& checks) {
  json out = json::array();
  for (const limit_check& check : checks) {
    out.push_back(json{{"limit", check.limit},
                       {"achieved", json_number(check.achieved)},
                       {"limit_value", json_number(check.limit_value)},
                       {"limit_high", json_number(check.limit_high)},
                       {"fraction", json_number(check.fraction)},
                       {"enforced", check.enforced},
                       {"note", check.note}});
  }
  return out;
}

json workload_result_to_json(const workload_result& result) {
  json out{{"workload", result.workload},
           {"description", result.description},
           {"host_only", result.host_only},
           {"verification", verification_to_json(result.verification)},
           {"flops_per_iteration", json_number(result.flops_per_iteration)},
           {"bytes_per_iteration", json_number(result.bytes_per_iteration)},
           {"iterations", result.iterations},
           {"iteration_time_us", summary_to_json(result.iteration_time_us)},
           {"throughput_per_s", summary_to_json(result.throughput_per_s)},
           {"latency_us", latency_to_json(result.latency_us)},
           {"histogram", histogram_to_json(result.histogram)},
           {"repetitions",
            {{"iteration_time_us", numbers_to_json(result.repetition_iteration_time_us)},
             {"throughput_per_s", numbers_to_json(result.repetition_throughput_per_s)}}}};
  if (!result.limits.empty()) {
    out["limits"] = limit_checks_to_json(result.limits);
  }
  if (result.spin_trace) {
    out["spin_trace"] = spin_trace_to_json(*result.spin_trace);
  }
  if (result.memory_hold) {
    out["memory_hold"] = memory_hold_to_json(*result.memory_hold);
  }
  return out;
}

json stream_point_to_json(const stream_point& point) {
  return json{{"streams", point.streams},
              {"time_us", summary_to_json(point.time_us)},
              {"speedup", json_number(point.speedup)},
              {"ideal_speedup", json_number(point.ideal_speedup)},
              {"efficiency", json_number(point.efficiency)}};
}

namespace {

json points_to_json(const std::vector<stream_point>& points) {
  json out = json::array();
  for (const stream_point& point : points) {
    out.push_back(stream_point_to_json(point));
  }
  return out;
}

json optional_result(const std::optional<workload_result>& result) {
  if (!result) {
    return nullptr;
  }
  return workload_result_to_json(*result);
}

} // namespace

json streams_to_json(const streams_result& streams) {
  const kernel_overlap_result& overlap = streams.kernel_overlap;
  const copy_pipeline_result& pipeline = streams.copy_pipeline;
  return json{{"kernel_overlap",
               {{"kernels", overlap.kernels},
                {"blocks_per_kernel", overlap.blocks_per_kernel},
                {"threads_per_block", overlap.threads_per_block},
                {"fma_per_element", overlap.fma_per_element},
                {"elements_per_kernel", overlap.elements_per_kernel},
                {"concurrent_capacity", overlap.concurrent_capacity},
                {"single_kernel_us", summary_to_json(overlap.single_kernel_us)},
                {"sizing_note", overlap.sizing_note},
                {"points", points_to_json(overlap.points)}}},
              {"copy_pipeline",
               {{"total_bytes", pipeline.total_bytes},
                {"chunks", pipeline.chunks},
                {"chunk_bytes", pipeline.chunk_bytes},
                {"copy_engines", pipeline.copy_engines},
                {"fma_per_element", pipeline.fma_per_element},
                {"h2d_us", summary_to_json(pipeline.h2d_us)},
                {"kernel_us", summary_to_json(pipeline.kernel_us)},
                {"d2h_us", summary_to_json(pipeline.d2h_us)},
                {"sizing_note", pipeline.sizing_note},
                {"points", points_to_json(pipeline.points)}}}};
}

namespace {

json bandwidth_to_json(const std::optional<bandwidth_figure>& figure) {
  if (!figure) {
    return nullptr;
  }
  return json{{"bytes", figure->bytes},
              {"gb_per_s", summary_to_json(figure->gb_per_s)},
              {"counted", figure->counted}};
}

} // namespace

json calibration_to_json(const calibration_result& calibration) {
  json gemm = json::array();
  for (const gemm_peak& peak : calibration.gemm) {
    json sizes = json::array();
    for (std::size_t i = 0; i < peak.sizes_tried.size(); ++i) {
      sizes.push_back(
          json{{"size", peak.sizes_tried[i]}, {"median_tflops", json_number(peak.medians.at(i))}});
    }
    gemm.push_back(json{{"dtype", peak.dtype},
                        {"size", peak.size},
                        {"tflops", summary_to_json(peak.tflops)},
                        {"sizes_tried", std::move(sizes)}});
  }
  return json{{"gemm", std::move(gemm)},
              {"device_copy", bandwidth_to_json(calibration.device_copy)},
              {"device_triad", bandwidth_to_json(calibration.device_triad)},
              {"host_to_device", bandwidth_to_json(calibration.host_to_device)},
              {"device_to_host", bandwidth_to_json(calibration.device_to_host)},
              {"launch_round_trip_us", summary_to_json(calibration.launch_round_trip_us)},
              {"launch_back_to_back_us", summary_to_json(calibration.launch_back_to_back_us)},
              {"l2_cache_bytes", calibration.l2_cache_bytes},
              {"gpu_name", calibration.gpu_name},
              {"whole_gpu", calibration.whole_gpu},
              {"skipped", calibration.skipped}};
}

json tenant_to_json(const tenant_record& tenant) {
  json out{{"id", tenant.id},
           {"workload", tenant.workload},
           {"status", tenant.status},
           {"solo", optional_result(tenant.solo)},
           {"shared", optional_result(tenant.shared)},
           {"slowdown", json_number(tenant.slowdown)},
           {"p99_inflation", json_number(tenant.p99_inflation)},
           {"environment", tenant.environment},
           {"failure", tenant.failure},
           {"stderr_tail", tenant.stderr_tail}};
  // Only --mode isolation gives tenants a role; other reports stay as they were.
  if (!tenant.role.empty()) {
    out["role"] = tenant.role;
  }
  if (tenant.mig_instance) {
    const mig_instance_record& instance = *tenant.mig_instance;
    out["mig_instance"] =
        json{{"uuid", instance.uuid},
             {"profile", instance.profile},
             {"gpu_instance_id", instance.gpu_instance_id},
             {"compute_instance_id", instance.compute_instance_id},
             {"placement_start",
              instance.placement_start ? json(*instance.placement_start) : json(nullptr)},
             {"placement_size",
              instance.placement_size ? json(*instance.placement_size) : json(nullptr)}};
    out["fraction_of_full_gpu"] = json_number(tenant.fraction_of_full_gpu);
  }
  return out;
}

json aggregate_to_json(const aggregate_figures& aggregate) {
  return json{{"start_skew_us", json_number(aggregate.start_skew_us)},
              {"throughput_ratio", json_number(aggregate.throughput_ratio)},
              {"fairness", json_number(aggregate.fairness)},
              {"mechanism_overhead", json_number(aggregate.mechanism_overhead)},
              {"interference", json_number(aggregate.interference)}};
}

json run_to_json(const run_record& run) {
  json params = json::object();
  for (const auto& [key, value] : run.params) {
    params[key] = value;
  }
  json tenants = json::array();
  for (const tenant_record& tenant : run.tenants) {
    tenants.push_back(tenant_to_json(tenant));
  }
  json out{{"mode", run.mode},
           {"status", to_string(run.status)},
           {"reason", run.reason},
           {"params", std::move(params)},
           {"wall_time_s", json_number(run.wall_time_s)},
           {"flags", run.flags},
           {"aggregate", aggregate_to_json(run.aggregate)},
           {"tenants", std::move(tenants)}};
  if (run.streams) {
    out["streams"] = streams_to_json(*run.streams);
  }
  if (run.calibration) {
    out["calibration"] = calibration_to_json(*run.calibration);
  }
  if (!run.limits.empty()) {
    out["limits"] = limit_checks_to_json(run.limits);
  }
  if (run.mps) {
    out["mps"] = json{{"started_by_tool", run.mps->started_by_tool},
                      {"control_program", run.mps->control_program},
                      {"pipe_directory", run.mps->pipe_directory},
                      {"pid", run.mps->pid},
                      {"stopped", run.mps->stopped},
                      {"log_tail", run.mps->log_tail}};
  }
  if (!run.telemetry.empty()) {
    json phases = json::array();
    for (const phase_telemetry& phase : run.telemetry) {
      phases.push_back(phase_telemetry_to_json(phase));
    }
    out["telemetry"] = std::move(phases);
  }
  if (run.timeslice_probe) {
    out["timeslice_probe"] = timeslice_probe_to_json(*run.timeslice_probe);
  }
  if (run.mig) {
    out["mig"] = json{{"gpu_uuid", run.mig->gpu_uuid},
                      {"layout", run.mig->layout},
                      {"geometry", run.mig->geometry},
                      {"profile_table", run.mig->profile_table},
                      {"restore", run.mig->restore}};
  }
  if (run.isolation) {
    out["isolation"] = isolation_to_json(*run.isolation);
  }
  return out;
}

json gpu_to_json(const gpu_info& gpu) {
  json out{{"index", gpu.index},
           {"name", gpu.name},
           {"uuid", gpu.uuid},
           {"pci_bus_id", gpu.pci_bus_id},
           {"compute_capability", std::to_string(gpu.compute_capability_major) + "." +
                                      std::to_string(gpu.compute_capability_minor)},
           {"sm_count", gpu.sm_count},
           {"memory_bytes", gpu.memory_bytes},
           {"mig_mode", gpu.mig_mode},
           {"mig_detail", gpu.mig_detail},
           {"mig_parent_uuid", gpu.mig_parent_uuid},
           {"compute_mode", gpu.compute_mode},
           {"clocks",
            {{"sm_max_mhz", gpu.sm_clock_max_mhz}, {"memory_max_mhz", gpu.memory_clock_max_mhz}}},
           {"async_engine_count", gpu.async_engine_count},
           {"l2_cache_bytes", gpu.l2_cache_bytes}};
  if (gpu.nvml) {
    out["nvml"] = nvml_gpu_to_json(*gpu.nvml);
  }
  return out;
}

json environment_to_json(const environment_info& environment) {
  json gpus = json::array();
  for (const gpu_info& gpu : environment.gpus) {
    gpus.push_back(gpu_to_json(gpu));
  }
  const mps_status& mps = environment.mps;
  return json{{"cuda_available", environment.cuda_available},
              {"unavailable_reason", environment.unavailable_reason},
              {"cuda_driver_version", environment.cuda_driver_version},
              {"cuda_runtime_version", environment.cuda_runtime_version},
              {"driver_release", environment.driver_release},
              {"nvml_status", environment.nvml_status},
              {"nvml_version", environment.nvml_version},
              {"gpus", std::move(gpus)},
              {"mps",
               {{"daemon_running", mps.daemon_running},
                {"control_pids", mps.control_pids},
                {"server_pids", mps.server_pids},
                {"pipe_directory", mps.pipe_directory}}}};
}

json config_to_json(const run_config& config) {
  json iterations = nullptr;
  if (config.iterations) {
    iterations = *config.iterations;
  }
  return json{{"mode", config.mode},
              {"workloads", config.workloads},
              {"repetitions", config.repetitions},
              {"max_repetitions", config.max_repetitions},
              {"warmup_iterations", config.warmup_iterations},
              {"iterations", std::move(iterations)},
              {"duration_s", json_number(config.duration_s)},
              {"device", config.device},
              {"stream_counts", config.stream_counts},
              {"overlap_kernels", config.overlap_kernels},
              {"pipeline_chunks", config.pipeline_chunks},
              {"pipeline_bytes", config.pipeline_bytes},
              {"noise_threshold", json_number(config.noise_threshold)},
              {"json_path", config.json_path},
              {"quiet", config.quiet},
              {"tenants", config.tenants},
              {"tenant_timeout_s", json_number(config.tenant_timeout_s)},
              {"mps_thread_pct", config.mps_thread_pct},
              {"mps_mem_limit", config.mps_mem_limit},
              {"mps_priority", config.mps_priority},
              {"mps_use_existing", config.mps_use_existing},
              {"mps_control", config.mps_control},
              {"mig_geometry", config.mig_geometry},
              {"mig_apply", config.mig_apply},
              {"dry_run", config.dry_run},
              {"nvidia_smi", config.nvidia_smi},
              {"suite", config.suite},
              {"telemetry_interval_ms", config.telemetry_interval_ms},
              {"max_clock_drift", json_number(config.max_clock_drift)}};
}

json host_to_json(const host_info& host) {
  return json{{"hostname", host.hostname},
              {"os", host.os},
              {"cpu_model", host.cpu_model},
              {"cpu_count", host.cpu_count}};
}

json tool_to_json(const tool_info& tool) {
  return json{{"name", tool.name},
              {"version", tool.version},
              {"git_sha", tool.git_sha},
              {"git_dirty", tool.git_dirty}};
}

json error_to_json(const error_record& error) {
  return json{{"where", error.where}, {"message", error.message}, {"exit_code", error.exit_code}};
}

} // namespace gpushare::report
