#include "report/report_model.hpp"

#include "harness/statistics.hpp"
#include "report/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

namespace gpushare::report {
namespace {

bool has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

void add_flag(std::vector<std::string>& flags, const std::string& flag) {
  if (!has(flags, flag)) {
    flags.push_back(flag);
  }
}

bool tenant_host_only(const tenant_record& tenant) {
  return (tenant.solo && tenant.solo->host_only) || (tenant.shared && tenant.shared->host_only) ||
         tenant.workload.rfind("host-", 0) == 0;
}

bool is_tenant_mode(const run_record& run) {
  return !run.tenants.empty();
}

std::string distinct_workloads(const run_record& run) {
  std::vector<std::string> seen;
  for (const tenant_record& tenant : run.tenants) {
    add_flag(seen, tenant.workload);
  }
  std::string text;
  for (const std::string& workload : seen) {
    text += (text.empty() ? "" : "; ") + workload;
  }
  return text;
}

std::optional<double> finite(std::optional<double> value) {
  if (value && std::isfinite(*value)) {
    return value;
  }
  return std::nullopt;
}

bool limit_exceeded(const std::vector<limit_check>& limits) {
  return std::any_of(limits.begin(), limits.end(), [](const limit_check& check) {
    return check.enforced && std::isfinite(check.fraction) && check.fraction > 1.0;
  });
}

matrix_cell make_cell(const run_record& run, const std::string& key) {
  matrix_cell cell;
  cell.run_key = key;
  cell.tenants = static_cast<int>(run.tenants.size());
  std::vector<double> slowdowns;
  bool noisy = false;
  bool above_limit = limit_exceeded(run.limits);
  for (const tenant_record& tenant : run.tenants) {
    if (tenant_host_only(tenant)) {
      cell.host_only = true;
    }
    if (tenant.status != "ok") {
      if (tenant.workload.rfind("infer", 0) == 0 && cell.infer_failure.empty()) {
        cell.infer_failure = tenant.status + (tenant.failure.empty() ? "" : ": " + tenant.failure);
      }
      continue;
    }
    ++cell.tenants_ok;
    if (auto slowdown = finite(tenant.slowdown)) {
      slowdowns.push_back(*slowdown);
    }
    for (const auto* phase : {&tenant.solo, &tenant.shared}) {
      if (*phase) {
        noisy = noisy || (*phase)->iteration_time_us.noisy;
        above_limit = above_limit || limit_exceeded((*phase)->limits);
      }
    }
    // The latency figures all come from one tenant, so a p99 and its inflation never mix
    // two tenants.
    const bool latency_measured = tenant.shared && tenant.shared->latency_us.count > 0;
    if (!cell.p99_inflation && !cell.infer_p99_us && tenant.workload.rfind("infer", 0) == 0 &&
        (latency_measured || finite(tenant.p99_inflation))) {
      cell.p99_inflation = finite(tenant.p99_inflation);
      if (latency_measured) {
        cell.infer_p99_us = finite(tenant.shared->latency_us.p99);
      }
      if (tenant.solo && tenant.solo->latency_us.count > 0) {
        cell.infer_solo_p99_us = finite(tenant.solo->latency_us.p99);
      }
    }
  }
  std::vector<double> fractions;
  for (const tenant_record& tenant : run.tenants) {
    if (tenant.status == "ok" && tenant.fraction_of_full_gpu &&
        std::isfinite(*tenant.fraction_of_full_gpu)) {
      fractions.push_back(*tenant.fraction_of_full_gpu);
    }
  }
  if (!fractions.empty()) {
    cell.fraction_of_full_gpu = median(fractions);
  }
  if (!slowdowns.empty()) {
    cell.slowdown = median(slowdowns);
    cell.slowdown_low = *std::min_element(slowdowns.begin(), slowdowns.end());
    cell.slowdown_high = *std::max_element(slowdowns.begin(), slowdowns.end());
  }
  cell.mechanism_overhead = finite(run.aggregate.mechanism_overhead);
  cell.throughput_ratio = finite(run.aggregate.throughput_ratio);
  cell.fairness = finite(run.aggregate.fairness);
  cell.start_skew_us = finite(run.aggregate.start_skew_us);
  cell.interference = finite(run.aggregate.interference);
  if (noisy) {
    add_flag(cell.flags, "noisy");
  }
  if (above_limit) {
    add_flag(cell.flags, "above_physical_limit");
  }
  if (cell.tenants_ok < cell.tenants) {
    add_flag(cell.flags, "tenant_failed");
  }
  for (const std::string& flag : run.flags) {
    // The run's own marker for host instruments is rendered as the host_only label instead.
    if (flag != "host_instruments_only") {
      add_flag(cell.flags, flag);
    }
  }
  if (cell.host_only) {
    add_flag(cell.flags, "host_only");
  }
  return cell;
}

tenant_row make_tenant_row(const run_record& run, const std::string& key,
                           const tenant_record& tenant) {
  tenant_row row;
  row.run_key = key;
  row.mode = run.mode;
  row.tenant = tenant.id;
  row.workload = tenant.workload;
  row.status = tenant.status;
  row.host_only = tenant_host_only(tenant);
  bool noisy = false;
  if (tenant.solo && tenant.solo->iteration_time_us.count > 0) {
    row.solo_median_us = tenant.solo->iteration_time_us.median;
    noisy = noisy || tenant.solo->iteration_time_us.noisy;
  }
  if (tenant.shared) {
    if (tenant.shared->iteration_time_us.count > 0) {
      row.shared_median_us = tenant.shared->iteration_time_us.median;
      noisy = noisy || tenant.shared->iteration_time_us.noisy;
    }
    if (tenant.shared->latency_us.count > 0) {
      row.shared_p99_us = tenant.shared->latency_us.p99;
    }
    if (tenant.shared->throughput_per_s.count > 0) {
      row.shared_throughput_per_s = tenant.shared->throughput_per_s.median;
    }
  }
  row.slowdown = finite(tenant.slowdown);
  row.p99_inflation = finite(tenant.p99_inflation);
  if (noisy) {
    row.flags.emplace_back("noisy");
  }
  if (row.host_only) {
    row.flags.emplace_back("host_only");
  }
  return row;
}

series stream_series(const std::string& name, const std::vector<stream_point>& points, bool ideal) {
  series out;
  out.name = name;
  out.dashed = ideal;
  for (const stream_point& point : points) {
    out.points.push_back(
        {static_cast<double>(point.streams), ideal ? point.ideal_speedup : point.speedup});
  }
  return out;
}

std::optional<latency_cdf> make_cdf(const std::string& key, const tenant_record& tenant,
                                    const std::string& phase, const workload_result& result) {
  const std::uint64_t total = result.histogram.count();
  if (total == 0) {
    return std::nullopt;
  }
  latency_cdf cdf;
  cdf.run_key = key;
  cdf.tenant = tenant.id;
  cdf.phase = phase;
  cdf.curve.name = fmt::format("{} tenant {} {}", key, tenant.id, phase);
  cdf.curve.host_only = result.host_only;
  std::uint64_t seen = 0;
  for (const histogram_bucket& bucket : result.histogram.nonzero_buckets()) {
    seen += bucket.count;
    cdf.curve.points.push_back({static_cast<double>(bucket.upper_ns) / 1000.0,
                                static_cast<double>(seen) / static_cast<double>(total)});
  }
  return cdf;
}

void add_telemetry(source_model& model, const std::string& key, const run_record& run) {
  for (const phase_telemetry& phase : run.telemetry) {
    for (const gpu_phase_telemetry& gpu : phase.gpus) {
      telemetry_timeline timeline;
      timeline.run_key = key;
      timeline.phase =
          phase.tenant ? fmt::format("{} tenant {}", phase.phase, *phase.tenant) : phase.phase;
      timeline.throttled = gpu.throttled;
      timeline.sm_clock_mhz.name = "SM clock (MHz)";
      timeline.power_w.name = "power (W)";
      for (const telemetry_sample& sample : gpu.samples) {
        if (sample.sm_clock_mhz && std::isfinite(*sample.sm_clock_mhz)) {
          timeline.sm_clock_mhz.points.push_back({sample.t_ms, *sample.sm_clock_mhz});
        }
        if (sample.power_w && std::isfinite(*sample.power_w)) {
          timeline.power_w.points.push_back({sample.t_ms, *sample.power_w});
        }
      }
      if (!timeline.sm_clock_mhz.points.empty() || !timeline.power_w.points.empty()) {
        model.telemetry.push_back(std::move(timeline));
      }
    }
  }
}

std::optional<roofline_limits> limits_of(const calibration_result& calibration) {
  roofline_limits limits;
  for (const gemm_peak& peak : calibration.gemm) {
    if (peak.tflops.count > 0 && peak.tflops.median > limits.peak_tflops) {
      limits.peak_tflops = peak.tflops.median;
      limits.peak_dtype = peak.dtype;
    }
  }
  for (const auto* figure : {&calibration.device_copy, &calibration.device_triad}) {
    if (*figure && (*figure)->gb_per_s.count > 0) {
      limits.memory_gb_per_s = std::max(limits.memory_gb_per_s, (*figure)->gb_per_s.median);
    }
  }
  if (limits.peak_tflops <= 0 && limits.memory_gb_per_s <= 0) {
    return std::nullopt;
  }
  return limits;
}

void add_roofline(source_model& model, const std::string& key, const tenant_record& tenant) {
  if (!tenant.solo || tenant.status != "ok") {
    return;
  }
  const workload_result& solo = *tenant.solo;
  if (solo.flops_per_iteration <= 0 || solo.bytes_per_iteration <= 0 ||
      solo.throughput_per_s.count == 0) {
    return;
  }
  roofline_point point;
  point.label = fmt::format("{} tenant {}", key, tenant.id);
  point.intensity_flop_per_byte = solo.flops_per_iteration / solo.bytes_per_iteration;
  point.achieved_tflops = solo.flops_per_iteration * solo.throughput_per_s.median / 1e12;
  point.host_only = solo.host_only;
  model.roofline.push_back(std::move(point));
}

/// The GPU the report measured: --device, when the environment lists it; else the first.
const gpu_info* measured_gpu(const report_document& document) {
  const auto& gpus = document.environment.gpus;
  if (gpus.empty()) {
    return nullptr;
  }
  const auto device = static_cast<std::size_t>(std::max(document.config.device, 0));
  return device < gpus.size() ? &gpus[device] : &gpus.front();
}

} // namespace

std::string source_label(const report_document& document, const std::string& path) {
  const gpu_info* gpu = measured_gpu(document);
  if (gpu == nullptr || gpu->name.empty()) {
    const std::string name = std::filesystem::path(path).filename().string();
    return document.host.hostname.empty() ? name
                                          : fmt::format("{} ({})", name, document.host.hostname);
  }
  std::string label = gpu->name;
  if (!document.environment.driver_release.empty()) {
    label += ", driver " + document.environment.driver_release;
  }
  if (!document.host.hostname.empty()) {
    label += ", " + document.host.hostname;
  }
  return label;
}

std::vector<side_by_side_key> side_by_side_keys(const report_model& model) {
  std::vector<side_by_side_key> keys;
  for (const source_model& source : model.sources) {
    for (const matrix_row& row : source.matrix) {
      for (const matrix_cell& cell : row.cells) {
        side_by_side_key key{row.mode, row.workloads, cell.tenants};
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
          keys.push_back(std::move(key));
        }
      }
    }
  }
  return keys;
}

std::vector<isolation_key> isolation_side_by_side_keys(const report_model& model) {
  std::vector<isolation_key> keys;
  for (const source_model& source : model.sources) {
    for (const std::string& mechanism : source.isolation.mechanisms) {
      for (const std::string& property : source.isolation.properties) {
        isolation_key key{mechanism, property};
        if (source.isolation.at(mechanism, property) != nullptr &&
            std::find(keys.begin(), keys.end(), key) == keys.end()) {
          keys.push_back(std::move(key));
        }
      }
    }
  }
  return keys;
}

std::optional<double> run_slowdown(const run_record& run) {
  std::vector<double> slowdowns;
  for (const tenant_record& tenant : run.tenants) {
    if (tenant.status == "ok" && tenant.slowdown && std::isfinite(*tenant.slowdown)) {
      slowdowns.push_back(*tenant.slowdown);
    }
  }
  if (slowdowns.empty()) {
    return std::nullopt;
  }
  return median(slowdowns);
}

source_model build_source_model(const report_document& document, const std::string& path) {
  source_model model;
  model.path = path;
  model.label = source_label(document, path);
  if (const gpu_info* gpu = measured_gpu(document)) {
    model.gpu_name = gpu->name;
    model.gpu_memory_bytes = gpu->memory_bytes;
    model.compute_capability_major = gpu->compute_capability_major;
    model.compute_capability_minor = gpu->compute_capability_minor;
    model.mig_mode = gpu->mig_mode;
  }
  model.driver = document.environment.driver_release;
  model.hostname = document.host.hostname;
  model.created_at = document.created_at;
  model.tool_version = document.tool.version;

  const std::vector<std::string> keys = run_keys(document.runs);
  std::map<std::pair<std::string, std::string>, std::size_t> row_of;
  bool any_measured = false;
  bool all_host_only = true;
  for (std::size_t i = 0; i < document.runs.size(); ++i) {
    const run_record& run = document.runs[i];
    const std::string& key = keys[i];
    if (run.mode == "mig" && model.mig_run_status != "ok") {
      model.mig_run_status = to_string(run.status);
      model.mig_run_reason = run.reason;
    }
    if (run.status != run_status::ok) {
      model.skipped.push_back(fmt::format("{} ({}): {}", run.mode, to_string(run.status),
                                          run.reason.empty() ? "no reason given" : run.reason));
      continue;
    }
    if (run.calibration && !model.limits) {
      model.limits = limits_of(*run.calibration);
    }
    if (run.streams) {
      streams_curves curves;
      curves.run_key = key;
      curves.kernel_overlap =
          stream_series("kernel overlap", run.streams->kernel_overlap.points, false);
      curves.kernel_overlap_ideal =
          stream_series("kernel overlap, ideal", run.streams->kernel_overlap.points, true);
      curves.copy_pipeline =
          stream_series("copy pipeline", run.streams->copy_pipeline.points, false);
      curves.copy_pipeline_ideal =
          stream_series("copy pipeline, ideal", run.streams->copy_pipeline.points, true);
      model.streams.push_back(std::move(curves));
    }
    add_telemetry(model, key, run);
    if (!is_tenant_mode(run)) {
      continue;
    }
    any_measured = true;
    matrix_cell cell = make_cell(run, key);
    all_host_only = all_host_only && cell.host_only;
    const std::pair<std::string, std::string> row_key{run.mode, distinct_workloads(run)};
    auto found = row_of.find(row_key);
    if (found == row_of.end()) {
      found = row_of.emplace(row_key, model.matrix.size()).first;
      model.matrix.push_back(matrix_row{run.mode, row_key.second, {}});
    }
    if (std::find(model.tenant_counts.begin(), model.tenant_counts.end(), cell.tenants) ==
        model.tenant_counts.end()) {
      model.tenant_counts.push_back(cell.tenants);
    }
    model.matrix[found->second].cells.push_back(std::move(cell));
    for (const tenant_record& tenant : run.tenants) {
      model.tenants.push_back(make_tenant_row(run, key, tenant));
      for (const auto& [phase, result] :
           {std::pair{"solo", &tenant.solo}, std::pair{"shared", &tenant.shared}}) {
        if (*result) {
          if (auto cdf = make_cdf(key, tenant, phase, **result)) {
            model.latency.push_back(std::move(*cdf));
          }
        }
      }
      add_roofline(model, key, tenant);
    }
  }
  std::sort(model.tenant_counts.begin(), model.tenant_counts.end());
  for (matrix_row& row : model.matrix) {
    std::stable_sort(
        row.cells.begin(), row.cells.end(),
        [](const matrix_cell& a, const matrix_cell& b) { return a.tenants < b.tenants; });
  }
  model.isolation = build_isolation_section(document.runs, keys);
  for (const isolation_entry& cell : model.isolation.cells) {
    // A cell nothing ran for (untested, no process) is no measurement either way.
    if (cell.verdict == "untested" && cell.tenants.empty()) {
      continue;
    }
    any_measured = true;
    all_host_only = all_host_only && cell.host_only;
  }
  model.host_only = any_measured && all_host_only;
  for (const error_record& error : document.errors) {
    model.errors.push_back(fmt::format("{}: {}", error.where, error.message));
  }
  return model;
}

report_model build_report_model(const std::vector<report_document>& documents,
                                const std::vector<std::string>& paths) {
  report_model model;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    model.sources.push_back(build_source_model(documents[i], i < paths.size() ? paths[i] : ""));
  }
  return model;
}

} // namespace gpushare::report
