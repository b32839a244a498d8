#include "report/json_reader.hpp"

#include "harness/telemetry_fields.hpp"
#include "report/json_telemetry.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>

namespace gpushare::report {
namespace {

using nlohmann::json;

const json& member(const json& object, const std::string& key, const std::string& path) {
  if (!object.is_object()) {
    throw json_field_error(path, "expected an object");
  }
  const auto found = object.find(key);
  if (found == object.end()) {
    throw json_field_error(path + "." + key, "missing");
  }
  return *found;
}

template <typename T> T read(const json& object, const std::string& key, const std::string& path) {
  const json& value = member(object, key, path);
  try {
    return value.get<T>();
  } catch (const json::exception&) {
    throw json_field_error(path + "." + key, fmt::format("unexpected value {}", value.dump()));
  }
}

/// A key the schema lets a writer leave out; nullptr when it did.
const json* optional_member(const json& object, const std::string& key, const std::string& path) {
  if (!object.is_object()) {
    throw json_field_error(path, "expected an object");
  }
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

const json& array_member(const json& object, const std::string& key, const std::string& path) {
  const json& value = member(object, key, path);
  if (!value.is_array()) {
    throw json_field_error(path + "." + key,
                           fmt::format("expected an array, got {}", value.dump()));
  }
  return value;
}

/// Writers store NaN and infinities as null; reading gives the NaN back.
double number_value(const json& value, const std::string& where) {
  if (value.is_null()) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (!value.is_number()) {
    throw json_field_error(where, fmt::format("expected a number, got {}", value.dump()));
  }
  return value.get<double>();
}

double read_number(const json& object, const std::string& key, const std::string& path) {
  return number_value(member(object, key, path), path + "." + key);
}

/// Null is a counter the GPU did not report (or a figure that was not finite when written).
std::optional<double> optional_number(const json& value, const std::string& where) {
  if (value.is_null()) {
    return std::nullopt;
  }
  return number_value(value, where);
}

/// get<std::uint64_t>() would silently convert -1 or 2.5; a count or a bitmask is neither.
std::uint64_t count_value(const json& value, const std::string& where) {
  if (value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
    return value.get<std::uint64_t>();
  }
  throw json_field_error(where,
                         fmt::format("expected a non-negative integer, got {}", value.dump()));
}

telemetry_stat telemetry_stat_from_json(const json& value, const std::string& path) {
  telemetry_stat stat;
  stat.mean = optional_number(member(value, "mean", path), path + ".mean");
  stat.max = optional_number(member(value, "max", path), path + ".max");
  return stat;
}

/// A timeline column other than t_ms: absent, or one value per sample.
const json* timeline_column(const json& timeline, const std::string& key, std::size_t samples,
                            const std::string& path) {
  const json* column = optional_member(timeline, key, path);
  if (column == nullptr) {
    return nullptr;
  }
  if (!column->is_array()) {
    throw json_field_error(path + "." + key,
                           fmt::format("expected an array, got {}", column->dump()));
  }
  if (column->size() != samples) {
    throw json_field_error(path + "." + key,
                           fmt::format("{} values, but t_ms has {}", column->size(), samples));
  }
  return column;
}

gpu_phase_telemetry gpu_phase_from_json(const json& value, const std::string& path) {
  gpu_phase_telemetry gpu;
  gpu.gpu_uuid = read<std::string>(value, "uuid", path);
  gpu.throttled = read<bool>(value, "throttled", path);
  gpu.clock_drift = read<bool>(value, "clock_drift", path);
  if (const json* drift = optional_member(value, "sm_clock_drift", path)) {
    gpu.sm_clock_drift = optional_number(*drift, path + ".sm_clock_drift");
  }
  if (optional_member(value, "clocks_event_reasons", path) != nullptr) {
    gpu.clocks_event_reasons = read<std::vector<std::string>>(value, "clocks_event_reasons", path);
  }
  if (const json* errors = optional_member(value, "read_errors", path)) {
    gpu.read_errors = count_value(*errors, path + ".read_errors");
  }
  if (optional_member(value, "last_read_error", path) != nullptr) {
    gpu.last_read_error = read<std::string>(value, "last_read_error", path);
  }
  const std::string processes_path = path + ".process_memory_max_bytes";
  if (const json* processes = optional_member(value, "process_memory_max_bytes", path)) {
    if (!processes->is_object()) {
      throw json_field_error(processes_path, "expected an object");
    }
    for (const auto& [key, bytes] : processes->items()) {
      const std::string where = processes_path + "." + key;
      unsigned pid = 0;
      const auto [end, failure] = std::from_chars(key.data(), key.data() + key.size(), pid);
      if (failure != std::errc() || end != key.data() + key.size()) {
        throw json_field_error(where, "the key is not a process id");
      }
      gpu.process_memory_bytes[pid] = count_value(bytes, where);
    }
  }

  const std::string summary_path = path + ".summary";
  const json& summary = member(value, "summary", path);
  for (const telemetry_field& field : telemetry_fields) {
    if (const json* stat = optional_member(summary, field.dcgm_name, summary_path)) {
      gpu.*field.stat = telemetry_stat_from_json(*stat, summary_path + "." + field.dcgm_name);
    }
  }

  const std::string timeline_path = path + ".timeline";
  const json& timeline = member(value, "timeline", path);
  const json& times = array_member(timeline, "t_ms", timeline_path);
  gpu.samples.resize(times.size());
  for (std::size_t i = 0; i < times.size(); ++i) {
    gpu.samples[i].t_ms = number_value(times[i], fmt::format("{}.t_ms[{}]", timeline_path, i));
  }
  for (const telemetry_field& field : telemetry_fields) {
    if (const json* column =
            timeline_column(timeline, field.dcgm_name, times.size(), timeline_path)) {
      for (std::size_t i = 0; i < times.size(); ++i) {
        gpu.samples[i].*field.value = optional_number(
            (*column)[i], fmt::format("{}.{}[{}]", timeline_path, field.dcgm_name, i));
      }
    }
  }
  if (const json* reasons =
          timeline_column(timeline, clocks_event_reasons_dcgm_name, times.size(), timeline_path)) {
    for (std::size_t i = 0; i < times.size(); ++i) {
      if (!(*reasons)[i].is_null()) {
        gpu.samples[i].clocks_event_reasons =
            count_value((*reasons)[i],
                        fmt::format("{}.{}[{}]", timeline_path, clocks_event_reasons_dcgm_name, i));
      }
    }
  }
  return gpu;
}

std::vector<stream_point> points_from_json(const json& object, const std::string& path) {
  const json& points = member(object, "points", path);
  if (!points.is_array()) {
    throw json_field_error(path + ".points", "expected an array");
  }
  std::vector<stream_point> result;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::string where = fmt::format("{}.points[{}]", path, i);
    stream_point point;
    point.streams = read<int>(points[i], "streams", where);
    point.time_us = summary_from_json(member(points[i], "time_us", where), where + ".time_us");
    point.speedup = read_number(points[i], "speedup", where);
    point.ideal_speedup = read_number(points[i], "ideal_speedup", where);
    point.efficiency = read_number(points[i], "efficiency", where);
    result.push_back(point);
  }
  return result;
}

} // namespace

sample_summary summary_from_json(const json& value, const std::string& path) {
  sample_summary summary;
  summary.count = read<std::size_t>(value, "count", path);
  summary.median = read_number(value, "median", path);
  summary.ci_low = read_number(value, "ci_low", path);
  summary.ci_high = read_number(value, "ci_high", path);
  summary.ci_coverage = read_number(value, "ci_coverage", path);
  summary.mean = read_number(value, "mean", path);
  summary.stdev = read_number(value, "stdev", path);
  summary.cv = read_number(value, "cv", path);
  summary.min = read_number(value, "min", path);
  summary.max = read_number(value, "max", path);
  summary.noisy = read<bool>(value, "noisy", path);
  return summary;
}

gpu_info gpu_from_json(const json& value, const std::string& path) {
  gpu_info gpu;
  gpu.index = read<int>(value, "index", path);
  gpu.name = read<std::string>(value, "name", path);
  gpu.uuid = read<std::string>(value, "uuid", path);
  gpu.pci_bus_id = read<std::string>(value, "pci_bus_id", path);
  const auto capability = read<std::string>(value, "compute_capability", path);
  if (std::sscanf(capability.c_str(), "%d.%d", &gpu.compute_capability_major,
                  &gpu.compute_capability_minor) != 2) {
    throw json_field_error(path + ".compute_capability",
                           fmt::format("expected \"major.minor\", got \"{}\"", capability));
  }
  gpu.sm_count = read<int>(value, "sm_count", path);
  gpu.memory_bytes = read<std::uint64_t>(value, "memory_bytes", path);
  gpu.mig_mode = read<std::string>(value, "mig_mode", path);
  gpu.mig_detail = read<std::string>(value, "mig_detail", path);
  gpu.compute_mode = read<std::string>(value, "compute_mode", path);
  const json& clocks = member(value, "clocks", path);
  gpu.sm_clock_max_mhz = read<int>(clocks, "sm_max_mhz", path + ".clocks");
  gpu.memory_clock_max_mhz = read<int>(clocks, "memory_max_mhz", path + ".clocks");
  gpu.async_engine_count = read<int>(value, "async_engine_count", path);
  gpu.l2_cache_bytes = read<int>(value, "l2_cache_bytes", path);
  // Added in schema 1.3; older reports have no NVML section.
  if (const auto nvml = value.find("nvml"); nvml != value.end() && nvml->is_object()) {
    gpu.nvml = nvml_gpu_from_json(*nvml);
  }
  return gpu;
}

environment_info environment_from_json(const json& value, const std::string& path) {
  environment_info environment;
  environment.cuda_available = read<bool>(value, "cuda_available", path);
  environment.unavailable_reason = read<std::string>(value, "unavailable_reason", path);
  environment.cuda_driver_version = read<int>(value, "cuda_driver_version", path);
  environment.cuda_runtime_version = read<int>(value, "cuda_runtime_version", path);
  environment.driver_release = read<std::string>(value, "driver_release", path);
  environment.nvml_status = read<std::string>(value, "nvml_status", path);
  environment.nvml_version = value.value("nvml_version", "");
  const json& gpus = member(value, "gpus", path);
  if (!gpus.is_array()) {
    throw json_field_error(path + ".gpus", "expected an array");
  }
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    environment.gpus.push_back(gpu_from_json(gpus[i], fmt::format("{}.gpus[{}]", path, i)));
  }
  const json& mps = member(value, "mps", path);
  const std::string mps_path = path + ".mps";
  environment.mps.daemon_running = read<bool>(mps, "daemon_running", mps_path);
  environment.mps.control_pids = read<std::vector<int>>(mps, "control_pids", mps_path);
  environment.mps.server_pids = read<std::vector<int>>(mps, "server_pids", mps_path);
  environment.mps.pipe_directory = read<std::string>(mps, "pipe_directory", mps_path);
  return environment;
}

streams_result streams_from_json(const json& value, const std::string& path) {
  streams_result streams;
  const std::string overlap_path = path + ".kernel_overlap";
  const json& overlap_json = member(value, "kernel_overlap", path);
  kernel_overlap_result& overlap = streams.kernel_overlap;
  overlap.kernels = read<int>(overlap_json, "kernels", overlap_path);
  overlap.blocks_per_kernel = read<unsigned>(overlap_json, "blocks_per_kernel", overlap_path);
  overlap.threads_per_block = read<unsigned>(overlap_json, "threads_per_block", overlap_path);
  overlap.fma_per_element = read<int>(overlap_json, "fma_per_element", overlap_path);
  overlap.elements_per_kernel =
      read<std::uint64_t>(overlap_json, "elements_per_kernel", overlap_path);
  overlap.concurrent_capacity = read<int>(overlap_json, "concurrent_capacity", overlap_path);
  overlap.single_kernel_us = summary_from_json(
      member(overlap_json, "single_kernel_us", overlap_path), overlap_path + ".single_kernel_us");
  overlap.sizing_note = read<std::string>(overlap_json, "sizing_note", overlap_path);
  overlap.points = points_from_json(overlap_json, overlap_path);

  const std::string pipeline_path = path + ".copy_pipeline";
  const json& pipeline_json = member(value, "copy_pipeline", path);
  copy_pipeline_result& pipeline = streams.copy_pipeline;
  pipeline.total_bytes = read<std::uint64_t>(pipeline_json, "total_bytes", pipeline_path);
  pipeline.chunks = read<int>(pipeline_json, "chunks", pipeline_path);
  pipeline.chunk_bytes = read<std::uint64_t>(pipeline_json, "chunk_bytes", pipeline_path);
  pipeline.copy_engines = read<int>(pipeline_json, "copy_engines", pipeline_path);
  pipeline.fma_per_element = read<int>(pipeline_json, "fma_per_element", pipeline_path);
  for (auto [key, target] :
       {std::pair{"h2d_us", &pipeline.h2d_us}, std::pair{"kernel_us", &pipeline.kernel_us},
        std::pair{"d2h_us", &pipeline.d2h_us}}) {
    *target =
        summary_from_json(member(pipeline_json, key, pipeline_path), pipeline_path + "." + key);
  }
  pipeline.sizing_note = read<std::string>(pipeline_json, "sizing_note", pipeline_path);
  pipeline.points = points_from_json(pipeline_json, pipeline_path);
  return streams;
}

namespace {

std::optional<bandwidth_figure> bandwidth_from_json(const json& object, const std::string& key,
                                                    const std::string& path) {
  const json& value = member(object, key, path);
  if (value.is_null()) {
    return std::nullopt;
  }
  const std::string where = path + "." + key;
  bandwidth_figure figure;
  figure.bytes = read<std::uint64_t>(value, "bytes", where);
  figure.gb_per_s = summary_from_json(member(value, "gb_per_s", where), where + ".gb_per_s");
  figure.counted = read<std::string>(value, "counted", where);
  return figure;
}

} // namespace

calibration_result calibration_from_json(const json& value, const std::string& path) {
  calibration_result calibration;
  const json& gemm = array_member(value, "gemm", path);
  for (std::size_t i = 0; i < gemm.size(); ++i) {
    const std::string where = fmt::format("{}.gemm[{}]", path, i);
    gemm_peak peak;
    peak.dtype = read<std::string>(gemm[i], "dtype", where);
    peak.size = read<int>(gemm[i], "size", where);
    peak.tflops = summary_from_json(member(gemm[i], "tflops", where), where + ".tflops");
    const json& sizes = array_member(gemm[i], "sizes_tried", where);
    for (std::size_t s = 0; s < sizes.size(); ++s) {
      const std::string size_path = fmt::format("{}.sizes_tried[{}]", where, s);
      peak.sizes_tried.push_back(read<int>(sizes[s], "size", size_path));
      peak.medians.push_back(read_number(sizes[s], "median_tflops", size_path));
    }
    calibration.gemm.push_back(std::move(peak));
  }
  calibration.device_copy = bandwidth_from_json(value, "device_copy", path);
  calibration.device_triad = bandwidth_from_json(value, "device_triad", path);
  calibration.host_to_device = bandwidth_from_json(value, "host_to_device", path);
  calibration.device_to_host = bandwidth_from_json(value, "device_to_host", path);
  calibration.launch_round_trip_us = summary_from_json(member(value, "launch_round_trip_us", path),
                                                       path + ".launch_round_trip_us");
  calibration.launch_back_to_back_us = summary_from_json(
      member(value, "launch_back_to_back_us", path), path + ".launch_back_to_back_us");
  calibration.l2_cache_bytes = read<std::uint64_t>(value, "l2_cache_bytes", path);
  calibration.gpu_name = read<std::string>(value, "gpu_name", path);
  calibration.whole_gpu = read<bool>(value, "whole_gpu", path);
  calibration.skipped = read<std::vector<std::string>>(value, "skipped", path);
  return calibration;
}

std::vector<limit_check> limit_checks_from_json(const json& value, const std::string& path) {
  if (!value.is_array()) {
    throw json_field_error(path, "expected an array");
  }
  std::vector<limit_check> checks;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string where = fmt::format("{}[{}]", path, i);
    limit_check check;
    check.limit = read<std::string>(value[i], "limit", where);
    check.achieved = read_number(value[i], "achieved", where);
    check.limit_value = read_number(value[i], "limit_value", where);
    check.limit_high = read_number(value[i], "limit_high", where);
    check.fraction = read_number(value[i], "fraction", where);
    check.enforced = read<bool>(value[i], "enforced", where);
    check.note = read<std::string>(value[i], "note", where);
    checks.push_back(std::move(check));
  }
  return checks;
}

telemetry_status telemetry_status_from_json(const json& value, const std::string& path) {
  telemetry_status status;
  status.status = read<std::string>(value, "status", path);
  status.reason = read<std::string>(value, "reason", path);
  if (const json* interval = optional_member(value, "interval_ms", path)) {
    status.interval_ms = number_value(*interval, path + ".interval_ms");
  }
  if (const json* drift = optional_member(value, "max_clock_drift", path)) {
    status.max_clock_drift = number_value(*drift, path + ".max_clock_drift");
  }
  return status;
}

phase_telemetry phase_telemetry_from_json(const json& value, const std::string& path) {
  phase_telemetry phase;
  phase.phase = read<std::string>(value, "phase", path);
  if (const json* tenant = optional_member(value, "tenant", path);
      tenant != nullptr && !tenant->is_null()) {
    if (!tenant->is_number_integer()) {
      throw json_field_error(path + ".tenant",
                             fmt::format("expected an integer, got {}", tenant->dump()));
    }
    phase.tenant = read<int>(value, "tenant", path);
  }
  if (const json* interval = optional_member(value, "interval_ms", path)) {
    phase.interval_ms = number_value(*interval, path + ".interval_ms");
  }
  phase.samples = count_value(member(value, "samples", path), path + ".samples");
  if (const json* cost = optional_member(value, "sample_cost_us", path)) {
    phase.sample_cost_us = telemetry_stat_from_json(*cost, path + ".sample_cost_us");
  }
  phase.flags = read<std::vector<std::string>>(value, "flags", path);
  const json& gpus = array_member(value, "gpus", path);
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    phase.gpus.push_back(gpu_phase_from_json(gpus[i], fmt::format("{}.gpus[{}]", path, i)));
  }
  return phase;
}

std::vector<phase_telemetry> run_telemetry_from_json(const json& run, const std::string& run_path) {
  std::vector<phase_telemetry> phases;
  if (optional_member(run, "telemetry", run_path) == nullptr) {
    return phases;
  }
  const json& telemetry = array_member(run, "telemetry", run_path);
  for (std::size_t i = 0; i < telemetry.size(); ++i) {
    phases.push_back(
        phase_telemetry_from_json(telemetry[i], fmt::format("{}.telemetry[{}]", run_path, i)));
  }
  return phases;
}

} // namespace gpushare::report
