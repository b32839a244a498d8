#include "report/json_reader.hpp"

#include "common/error.hpp"
#include "harness/telemetry_fields.hpp"
#include "report/json_fields.hpp"
#include "report/json_telemetry.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace gpushare::report {
namespace {

using nlohmann::json;

template <typename T> T read(const json& object, const std::string& key, const std::string& path) {
  const json& value = member(object, key, path);
  try {
    return value.get<T>();
  } catch (const json::exception&) {
    throw json_field_error(child(path, key), fmt::format("unexpected value {}", value.dump()));
  }
}

const json& array_member(const json& object, const std::string& key, const std::string& path) {
  const json& value = member(object, key, path);
  if (!value.is_array()) {
    throw json_field_error(child(path, key),
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
  return number_value(member(object, key, path), child(path, key));
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
  if (value.contains("mig_parent_uuid")) { // added in 1.7.0
    gpu.mig_parent_uuid = read<std::string>(value, "mig_parent_uuid", path);
  }
  gpu.compute_mode = read<std::string>(value, "compute_mode", path);
  const json& clocks = member(value, "clocks", path);
  gpu.sm_clock_max_mhz = read<int>(clocks, "sm_max_mhz", path + ".clocks");
  gpu.memory_clock_max_mhz = read<int>(clocks, "memory_max_mhz", path + ".clocks");
  gpu.async_engine_count = read<int>(value, "async_engine_count", path);
  gpu.l2_cache_bytes = read<int>(value, "l2_cache_bytes", path);
  // Added in schema 1.3; older reports have no NVML section.
  if (const auto nvml = value.find("nvml"); nvml != value.end() && nvml->is_object()) {
    try {
      gpu.nvml = nvml_gpu_from_json(*nvml);
    } catch (const json::exception& failure) {
      throw json_field_error(path + ".nvml", failure.what());
    }
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
  // Fields added during 1.4.0's development: a report without them still reads.
  if (optional_member(value, "device_triad", path) != nullptr) {
    calibration.device_triad = bandwidth_from_json(value, "device_triad", path);
  }
  calibration.host_to_device = bandwidth_from_json(value, "host_to_device", path);
  calibration.device_to_host = bandwidth_from_json(value, "device_to_host", path);
  calibration.launch_round_trip_us = summary_from_json(member(value, "launch_round_trip_us", path),
                                                       path + ".launch_round_trip_us");
  calibration.launch_back_to_back_us = summary_from_json(
      member(value, "launch_back_to_back_us", path), path + ".launch_back_to_back_us");
  calibration.l2_cache_bytes = read<std::uint64_t>(value, "l2_cache_bytes", path);
  if (optional_member(value, "gpu_name", path) != nullptr) {
    calibration.gpu_name = read<std::string>(value, "gpu_name", path);
  }
  if (optional_member(value, "whole_gpu", path) != nullptr) {
    calibration.whole_gpu = read<bool>(value, "whole_gpu", path);
  }
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
    check.limit_high = optional_member(value[i], "limit_high", where) != nullptr
                           ? read_number(value[i], "limit_high", where)
                           : std::numeric_limits<double>::quiet_NaN();
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

namespace {

bool bool_value(const json& value, const std::string& where) {
  if (!value.is_boolean()) {
    throw json_field_error(where, expected("true or false", value));
  }
  return value.get<bool>();
}

bool read_bool(const json& object, const std::string& key, const std::string& path) {
  return bool_value(member(object, key, path), child(path, key));
}

/// get<int>() would turn 2.5 into 2 and "3" into an exception without a path; an id or a
/// count in a report is an integer or the report is damaged.
template <typename Integer> Integer integer_value(const json& value, const std::string& where) {
  if (value.is_number_unsigned()) {
    const auto number = value.get<std::uint64_t>();
    if (number <= static_cast<std::uint64_t>(std::numeric_limits<Integer>::max())) {
      return static_cast<Integer>(number);
    }
  } else if (value.is_number_integer()) {
    const auto number = value.get<std::int64_t>();
    if (number >= static_cast<std::int64_t>(std::numeric_limits<Integer>::min()) &&
        (number < 0 || static_cast<std::uint64_t>(number) <=
                           static_cast<std::uint64_t>(std::numeric_limits<Integer>::max()))) {
      return static_cast<Integer>(number);
    }
  } else {
    throw json_field_error(where, expected("an integer", value));
  }
  throw json_field_error(where, fmt::format("{} is out of range", value.dump()));
}

template <typename Integer>
Integer read_integer(const json& object, const std::string& key, const std::string& path) {
  return integer_value<Integer>(member(object, key, path), child(path, key));
}

std::vector<std::string> string_list(const json& value, const std::string& where) {
  if (!value.is_array()) {
    throw json_field_error(where, expected("an array of strings", value));
  }
  std::vector<std::string> strings;
  for (std::size_t i = 0; i < value.size(); ++i) {
    strings.push_back(string_value(value[i], fmt::format("{}[{}]", where, i)));
  }
  return strings;
}

std::vector<std::string> read_string_list(const json& object, const std::string& key,
                                          const std::string& path) {
  return string_list(member(object, key, path), child(path, key));
}

std::vector<double> number_list(const json& value, const std::string& where) {
  if (!value.is_array()) {
    throw json_field_error(where, expected("an array of numbers", value));
  }
  std::vector<double> numbers;
  for (std::size_t i = 0; i < value.size(); ++i) {
    numbers.push_back(number_value(value[i], fmt::format("{}[{}]", where, i)));
  }
  return numbers;
}

/// An optional key that the writer sets to null when the record holds no value.
std::optional<double> optional_number_member(const json& object, const std::string& key,
                                             const std::string& path) {
  const json* value = optional_member(object, key, path);
  return value == nullptr ? std::nullopt : optional_number(*value, child(path, key));
}

std::optional<int> optional_integer_member(const json& object, const std::string& key,
                                           const std::string& path) {
  const json* value = optional_member(object, key, path);
  if (value == nullptr || value->is_null()) {
    return std::nullopt;
  }
  return integer_value<int>(*value, child(path, key));
}

/// Assigns an optional key's value to `target`, which keeps its default when the key is absent.
template <typename T, typename Reader>
void read_if_present(const json& object, const std::string& key, const std::string& path, T& target,
                     Reader reader) {
  if (const json* value = optional_member(object, key, path)) {
    target = reader(*value, child(path, key));
  }
}

verification_result verification_from_json(const json& value, const std::string& path) {
  verification_result verification;
  verification.checked = read_bool(value, "checked", path);
  verification.passed = read_bool(value, "passed", path);
  read_if_present(value, "elements_checked", path, verification.elements_checked, count_value);
  read_if_present(value, "max_abs_error", path, verification.max_abs_error, number_value);
  read_if_present(value, "tolerance", path, verification.tolerance, number_value);
  read_if_present(value, "detail", path, verification.detail, string_value);
  return verification;
}

latency_summary latency_from_json(const json& value, const std::string& path) {
  latency_summary latency;
  latency.count = count_value(member(value, "count", path), child(path, "count"));
  for (const auto& [key, target] :
       {std::pair{"p50", &latency.p50}, std::pair{"p90", &latency.p90},
        std::pair{"p99", &latency.p99}, std::pair{"p999", &latency.p999},
        std::pair{"max", &latency.max}, std::pair{"mean", &latency.mean},
        std::pair{"stdev", &latency.stdev}}) {
    *target = read_number(value, key, path);
  }
  read_if_present(value, "min", path, latency.min, number_value);
  read_if_present(value, "cv", path, latency.cv, number_value);
  return latency;
}

/// latency_us in nanoseconds, when it is finite and inside [low, high]: the summary was
/// computed from the exact values, the buckets only bound them.
std::optional<std::uint64_t> exact_ns(double us, std::uint64_t low, std::uint64_t high) {
  if (!std::isfinite(us)) {
    return std::nullopt;
  }
  const double ns = std::round(us * 1000.0);
  if (ns < static_cast<double>(low) || ns > static_cast<double>(high)) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(ns);
}

// The JSON keeps only the buckets, and a bucket bounds its values without naming them. The
// exact minimum and maximum (which cap percentiles) and the moments come from latency_us,
// written from the same histogram; a latency_us that does not match the buckets (an edited
// or damaged file) is ignored, and the bounds and bucket midpoints stand in for the values.
latency_histogram histogram_from_json(const json& value, const std::string& path,
                                      const latency_summary& latency) {
  const std::string unit = read_string(value, "unit", path);
  if (unit != "ns") {
    throw json_field_error(child(path, "unit"), fmt::format("expected \"ns\", got \"{}\"", unit));
  }
  const int digits = read_integer<int>(value, "significant_digits", path);
  if (digits != latency_histogram::significant_digits) {
    throw json_field_error(child(path, "significant_digits"),
                           fmt::format("{} significant digits; this build reads histograms of {}",
                                       digits, latency_histogram::significant_digits));
  }
  const json& buckets = array_member(value, "buckets", path);
  histogram_state state;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const std::string where = fmt::format("{}.buckets[{}]", path, i);
    const json& bucket = buckets[i];
    if (!bucket.is_array() || bucket.size() != 3) {
      throw json_field_error(where, expected("[lower_ns, upper_ns, count]", bucket));
    }
    const std::uint64_t lower = count_value(bucket[0], where + "[0]");
    const std::uint64_t upper = count_value(bucket[1], where + "[1]");
    const std::uint64_t count = count_value(bucket[2], where + "[2]");
    const std::size_t index = latency_histogram::bucket_index(lower);
    const histogram_bucket range = latency_histogram::bucket_range(index);
    if (range.lower_ns != lower || range.upper_ns != upper) {
      throw json_field_error(
          where, fmt::format("[{}, {}] is not a bucket of the {}-significant-digit layout (the "
                             "bucket holding {} is [{}, {}])",
                             lower, upper, digits, lower, range.lower_ns, range.upper_ns));
    }
    if (count == 0) {
      throw json_field_error(where + "[2]", "a bucket with no values");
    }
    if (!state.buckets.empty() && index <= state.buckets.back().first) {
      throw json_field_error(where, "buckets must be in increasing order");
    }
    if (state.count + count < state.count) {
      throw json_field_error(where + "[2]", "the counts overflow");
    }
    state.buckets.emplace_back(index, count);
    state.count += count;
  }
  if (state.count == 0) {
    return latency_histogram{};
  }

  const histogram_bucket first = latency_histogram::bucket_range(state.buckets.front().first);
  const histogram_bucket last = latency_histogram::bucket_range(state.buckets.back().first);
  state.min_ns = first.lower_ns;
  state.max_ns = last.upper_ns;
  double mean_ns = 0;
  for (const auto& [index, count] : state.buckets) {
    const histogram_bucket range = latency_histogram::bucket_range(index);
    const double middle =
        (static_cast<double>(range.lower_ns) + static_cast<double>(range.upper_ns)) / 2;
    mean_ns += middle * static_cast<double>(count) / static_cast<double>(state.count);
  }
  double m2 = 0;
  for (const auto& [index, count] : state.buckets) {
    const histogram_bucket range = latency_histogram::bucket_range(index);
    const double middle =
        (static_cast<double>(range.lower_ns) + static_cast<double>(range.upper_ns)) / 2;
    m2 += static_cast<double>(count) * (middle - mean_ns) * (middle - mean_ns);
  }
  if (latency.count == state.count) {
    state.min_ns = exact_ns(latency.min, first.lower_ns, first.upper_ns).value_or(state.min_ns);
    state.max_ns = exact_ns(latency.max, last.lower_ns, last.upper_ns).value_or(state.max_ns);
    const double exact_mean = latency.mean * 1000.0;
    if (std::isfinite(exact_mean) && exact_mean >= static_cast<double>(state.min_ns) &&
        exact_mean <= static_cast<double>(state.max_ns)) {
      mean_ns = exact_mean;
    }
    const double stdev_ns = latency.stdev * 1000.0;
    if (std::isfinite(stdev_ns) && stdev_ns >= 0) {
      m2 = stdev_ns * stdev_ns * static_cast<double>(state.count - 1);
    }
  }
  state.mean_ns = mean_ns;
  state.m2 = m2;
  try {
    return latency_histogram::from_state(state);
  } catch (const std::invalid_argument& failure) {
    throw json_field_error(path, failure.what());
  }
}

mig_instance_record mig_instance_from_json(const json& value, const std::string& path) {
  mig_instance_record instance;
  instance.uuid = read_string(value, "uuid", path);
  instance.profile = read_string(value, "profile", path);
  instance.gpu_instance_id = read_integer<int>(value, "gpu_instance_id", path);
  instance.compute_instance_id = read_integer<int>(value, "compute_instance_id", path);
  instance.placement_start = optional_integer_member(value, "placement_start", path);
  instance.placement_size = optional_integer_member(value, "placement_size", path);
  return instance;
}

aggregate_figures aggregate_from_json(const json& value, const std::string& path) {
  aggregate_figures aggregate;
  aggregate.start_skew_us =
      optional_number(member(value, "start_skew_us", path), child(path, "start_skew_us"));
  aggregate.throughput_ratio = optional_number_member(value, "throughput_ratio", path);
  aggregate.fairness = optional_number_member(value, "fairness", path);
  aggregate.mechanism_overhead = optional_number_member(value, "mechanism_overhead", path);
  aggregate.interference = optional_number_member(value, "interference", path);
  return aggregate;
}

mps_daemon_record mps_daemon_from_json(const json& value, const std::string& path) {
  mps_daemon_record mps;
  mps.started_by_tool = read_bool(value, "started_by_tool", path);
  mps.pipe_directory = read_string(value, "pipe_directory", path);
  read_if_present(value, "control_program", path, mps.control_program, string_value);
  read_if_present(value, "pid", path, mps.pid, integer_value<int>);
  read_if_present(value, "stopped", path, mps.stopped, string_value);
  read_if_present(value, "log_tail", path, mps.log_tail, string_value);
  return mps;
}

mig_run_record mig_run_from_json(const json& value, const std::string& path) {
  mig_run_record mig;
  mig.gpu_uuid = read_string(value, "gpu_uuid", path);
  mig.layout = read_string(value, "layout", path);
  mig.geometry = read_string_list(value, "geometry", path);
  mig.profile_table = read_string(value, "profile_table", path);
  read_if_present(value, "restore", path, mig.restore, string_value);
  return mig;
}

error_record error_from_json(const json& value, const std::string& path) {
  error_record error;
  error.where = read_string(value, "where", path);
  error.message = read_string(value, "message", path);
  error.exit_code = read_integer<int>(value, "exit_code", path);
  return error;
}

/// The major version of "major.minor.patch"; empty when `version` is not of that form.
std::optional<unsigned> major_version(const std::string& version) {
  unsigned major = 0;
  const char* const end = version.data() + version.size();
  const auto [stop, failure] = std::from_chars(version.data(), end, major);
  if (failure != std::errc() || stop == end || *stop != '.') {
    return std::nullopt;
  }
  return major;
}

void check_schema_version(const json& document, const std::string& path) {
  const std::string version = read_string(document, "schema_version", path);
  const std::optional<unsigned> found = major_version(version);
  const unsigned supported = major_version(report_schema_version).value_or(0);
  if (!found) {
    throw json_field_error(child(path, "schema_version"),
                           fmt::format("expected major.minor.patch, got \"{}\"", version));
  }
  // A new major version renames or changes keys (see the schema's versioning rule): reading
  // it as this layout could give wrong figures without any error.
  if (*found != supported) {
    throw json_field_error(child(path, "schema_version"),
                           fmt::format("version {} has major version {}; this build reads {}.x "
                                       "reports (it writes {})",
                                       version, *found, supported, report_schema_version));
  }
}

} // namespace

run_config config_from_json(const json& value, const std::string& path) {
  run_config config;
  config.mode = read_string(value, "mode", path);
  for (const auto& [key, field] :
       {std::pair{"repetitions", &run_config::repetitions},
        std::pair{"max_repetitions", &run_config::max_repetitions},
        std::pair{"warmup_iterations", &run_config::warmup_iterations},
        std::pair{"device", &run_config::device},
        std::pair{"overlap_kernels", &run_config::overlap_kernels},
        std::pair{"pipeline_chunks", &run_config::pipeline_chunks},
        std::pair{"tenants", &run_config::tenants},
        std::pair{"telemetry_interval_ms", &run_config::telemetry_interval_ms}}) {
    read_if_present(value, key, path, config.*field, integer_value<int>);
  }
  for (const auto& [key, field] :
       {std::pair{"json_path", &run_config::json_path},
        std::pair{"mps_control", &run_config::mps_control}, std::pair{"suite", &run_config::suite},
        std::pair{"mig_geometry", &run_config::mig_geometry},
        std::pair{"nvidia_smi", &run_config::nvidia_smi}}) {
    read_if_present(value, key, path, config.*field, string_value);
  }
  for (const auto& [key, field] : {std::pair{"quiet", &run_config::quiet},
                                   std::pair{"mps_use_existing", &run_config::mps_use_existing},
                                   std::pair{"mig_apply", &run_config::mig_apply},
                                   std::pair{"dry_run", &run_config::dry_run}}) {
    read_if_present(value, key, path, config.*field, bool_value);
  }
  for (const auto& [key, field] : {std::pair{"workloads", &run_config::workloads},
                                   std::pair{"mps_thread_pct", &run_config::mps_thread_pct},
                                   std::pair{"mps_mem_limit", &run_config::mps_mem_limit},
                                   std::pair{"mps_priority", &run_config::mps_priority}}) {
    read_if_present(value, key, path, config.*field, string_list);
  }
  for (const auto& [key, field] : {std::pair{"noise_threshold", &run_config::noise_threshold},
                                   std::pair{"max_clock_drift", &run_config::max_clock_drift}}) {
    read_if_present(value, key, path, config.*field, number_value);
  }
  for (const auto& [key, field] : {std::pair{"duration_s", &run_config::duration_s},
                                   std::pair{"tenant_timeout_s", &run_config::tenant_timeout_s}}) {
    read_if_present(value, key, path, config.*field, optional_number);
  }
  if (const json* iterations = optional_member(value, "iterations", path);
      iterations != nullptr && !iterations->is_null()) {
    config.iterations = count_value(*iterations, child(path, "iterations"));
  }
  read_if_present(value, "pipeline_bytes", path, config.pipeline_bytes, count_value);
  if (const json* counts = optional_member(value, "stream_counts", path)) {
    const std::string where = child(path, "stream_counts");
    if (!counts->is_array()) {
      throw json_field_error(where, expected("an array of integers", *counts));
    }
    config.stream_counts.clear();
    for (std::size_t i = 0; i < counts->size(); ++i) {
      config.stream_counts.push_back(
          integer_value<int>((*counts)[i], fmt::format("{}[{}]", where, i)));
    }
  }
  return config;
}

namespace {

run_segment_trace spin_trace_from_json(const json& value, const std::string& path) {
  run_segment_trace trace;
  trace.gap_threshold_ns =
      count_value(member(value, "gap_threshold_ns", path), child(path, "gap_threshold_ns"));
  trace.dropped = count_value(member(value, "dropped", path), child(path, "dropped"));
  const json& segments = array_member(value, "segments", path);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string where = fmt::format("{}[{}]", child(path, "segments"), i);
    const json& fields = segments[i];
    if (!fields.is_array() || fields.size() != 4) {
      throw json_field_error(where, expected("[start_ns, end_ns, after_gap, before_gap]", fields));
    }
    run_segment segment;
    segment.start_ns = count_value(fields[0], where + "[0]");
    segment.end_ns = count_value(fields[1], where + "[1]");
    segment.after_gap = bool_value(fields[2], where + "[2]");
    segment.before_gap = bool_value(fields[3], where + "[3]");
    trace.segments.push_back(segment);
  }
  return trace;
}

memory_hold_record memory_hold_from_json(const json& value, const std::string& path) {
  memory_hold_record hold;
  for (const auto& [key, field] :
       {std::pair{"bytes_requested", &memory_hold_record::bytes_requested},
        std::pair{"bytes_target", &memory_hold_record::bytes_target},
        std::pair{"bytes_held", &memory_hold_record::bytes_held},
        std::pair{"chunk_bytes", &memory_hold_record::chunk_bytes},
        std::pair{"free_bytes_before", &memory_hold_record::free_bytes_before}}) {
    hold.*field = count_value(member(value, key, path), child(path, key));
  }
  hold.allocation_error = read_string(value, "allocation_error", path);
  return hold;
}

std::optional<percentile_summary> percentiles_from_json(const json& object, const std::string& key,
                                                        const std::string& path) {
  const json& value = member(object, key, path);
  if (value.is_null()) {
    return std::nullopt;
  }
  const std::string where = child(path, key);
  percentile_summary summary;
  summary.count = count_value(member(value, "count", where), child(where, "count"));
  summary.median = number_value(member(value, "median", where), child(where, "median"));
  summary.p10 = number_value(member(value, "p10", where), child(where, "p10"));
  summary.p90 = number_value(member(value, "p90", where), child(where, "p90"));
  return summary;
}

timeslice_probe_result timeslice_probe_from_json(const json& value, const std::string& path) {
  timeslice_probe_result probe;
  const json& tenants = array_member(value, "tenants", path);
  for (std::size_t i = 0; i < tenants.size(); ++i) {
    probe.tenants.push_back(
        integer_value<int>(tenants[i], fmt::format("{}[{}]", child(path, "tenants"), i)));
  }
  probe.quantum_us = percentiles_from_json(value, "quantum_us", path);
  probe.switch_gap_us = percentiles_from_json(value, "switch_gap_us", path);
  probe.gaps = count_value(member(value, "gaps", path), child(path, "gaps"));
  probe.gaps_filled_by_other_tenant =
      count_value(member(value, "gaps_filled_by_other_tenant", path),
                  child(path, "gaps_filled_by_other_tenant"));
  probe.dropped_segments =
      count_value(member(value, "dropped_segments", path), child(path, "dropped_segments"));
  probe.note = read_string(value, "note", path);
  return probe;
}

} // namespace

workload_result workload_result_from_json(const json& value, const std::string& path) {
  workload_result result;
  result.workload = read_string(value, "workload", path);
  read_if_present(value, "description", path, result.description, string_value);
  result.host_only = read_bool(value, "host_only", path);
  read_if_present(value, "verification", path, result.verification, verification_from_json);
  read_if_present(value, "flops_per_iteration", path, result.flops_per_iteration, number_value);
  read_if_present(value, "bytes_per_iteration", path, result.bytes_per_iteration, number_value);
  result.iterations = count_value(member(value, "iterations", path), child(path, "iterations"));
  read_if_present(value, "iteration_time_us", path, result.iteration_time_us, summary_from_json);
  result.throughput_per_s =
      summary_from_json(member(value, "throughput_per_s", path), child(path, "throughput_per_s"));
  result.latency_us =
      latency_from_json(member(value, "latency_us", path), child(path, "latency_us"));
  if (const json* histogram = optional_member(value, "histogram", path)) {
    result.histogram = histogram_from_json(*histogram, child(path, "histogram"), result.latency_us);
  }
  if (const json* repetitions = optional_member(value, "repetitions", path)) {
    const std::string where = child(path, "repetitions");
    read_if_present(*repetitions, "iteration_time_us", where, result.repetition_iteration_time_us,
                    number_list);
    read_if_present(*repetitions, "throughput_per_s", where, result.repetition_throughput_per_s,
                    number_list);
  }
  read_if_present(value, "limits", path, result.limits, limit_checks_from_json);
  read_if_present(value, "spin_trace", path, result.spin_trace, spin_trace_from_json);
  read_if_present(value, "memory_hold", path, result.memory_hold, memory_hold_from_json);
  return result;
}

tenant_record tenant_from_json(const json& value, const std::string& path) {
  tenant_record tenant;
  tenant.id = read_integer<int>(value, "id", path);
  read_if_present(value, "role", path, tenant.role, string_value);
  tenant.workload = read_string(value, "workload", path);
  tenant.status = read_string(value, "status", path);
  if (const json* environment = optional_member(value, "environment", path)) {
    const std::string where = child(path, "environment");
    if (!environment->is_object()) {
      throw json_field_error(where, expected("an object of strings", *environment));
    }
    for (const auto& [name, setting] : environment->items()) {
      tenant.environment[name] = string_value(setting, child(where, name));
    }
  }
  for (const auto& [key, target] :
       {std::pair{"solo", &tenant.solo}, std::pair{"shared", &tenant.shared}}) {
    if (const json* result = optional_member(value, key, path);
        result != nullptr && !result->is_null()) {
      *target = workload_result_from_json(*result, child(path, key));
    }
  }
  tenant.slowdown = optional_number_member(value, "slowdown", path);
  tenant.p99_inflation = optional_number_member(value, "p99_inflation", path);
  read_if_present(value, "failure", path, tenant.failure, string_value);
  read_if_present(value, "stderr_tail", path, tenant.stderr_tail, string_value);
  if (const json* instance = optional_member(value, "mig_instance", path);
      instance != nullptr && !instance->is_null()) {
    tenant.mig_instance = mig_instance_from_json(*instance, child(path, "mig_instance"));
  }
  tenant.fraction_of_full_gpu = optional_number_member(value, "fraction_of_full_gpu", path);
  return tenant;
}

namespace {

mps_fault_record mps_fault_from_json(const json& value, const std::string& path) {
  mps_fault_record fault;
  fault.server_states = read_string_list(value, "server_states", path);
  fault.recovery_ms = optional_number_member(value, "recovery_ms", path);
  fault.recovery_attempts = read_integer<int>(value, "recovery_attempts", path);
  fault.recovery_failures = read_string_list(value, "recovery_failures", path);
  fault.log_tail = read_string(value, "log_tail", path);
  fault.cleanup = read_string(value, "cleanup", path);
  return fault;
}

isolation_cell isolation_cell_from_json(const json& value, const std::string& path) {
  isolation_cell cell;
  cell.mechanism = read_string(value, "mechanism", path);
  cell.property = read_string(value, "property", path);
  cell.verdict = read_string(value, "verdict", path);
  cell.rule = read_string(value, "rule", path);
  cell.evidence = read_string(value, "evidence", path);
  const std::string figures_path = child(path, "figures");
  const json& figures = member(value, "figures", path);
  if (!figures.is_object()) {
    throw json_field_error(figures_path, expected("an object of numbers", figures));
  }
  for (const auto& [name, figure] : figures.items()) {
    // null is a figure that was not finite when written; it reads back as NaN, as elsewhere.
    cell.figures[name] = number_value(figure, child(figures_path, name));
  }
  const json& tenants = array_member(value, "tenants", path);
  for (std::size_t i = 0; i < tenants.size(); ++i) {
    cell.tenants.push_back(
        tenant_from_json(tenants[i], fmt::format("{}[{}]", child(path, "tenants"), i)));
  }
  cell.flags = read_string_list(value, "flags", path);
  read_if_present(value, "mps_fault", path, cell.mps_fault, mps_fault_from_json);
  return cell;
}

isolation_claim isolation_claim_from_json(const json& value, const std::string& path) {
  isolation_claim claim;
  claim.mechanism = read_string(value, "mechanism", path);
  claim.property = read_string(value, "property", path);
  claim.claim = read_string(value, "claim", path);
  claim.source = read_string(value, "source", path);
  claim.holds = read_string(value, "holds", path);
  claim.basis = read_string(value, "basis", path);
  return claim;
}

} // namespace

isolation_result isolation_from_json(const json& value, const std::string& path) {
  isolation_result isolation;
  const json& cells = array_member(value, "cells", path);
  for (std::size_t i = 0; i < cells.size(); ++i) {
    isolation.cells.push_back(
        isolation_cell_from_json(cells[i], fmt::format("{}[{}]", child(path, "cells"), i)));
  }
  const json& claims = array_member(value, "claims", path);
  for (std::size_t i = 0; i < claims.size(); ++i) {
    isolation.claims.push_back(
        isolation_claim_from_json(claims[i], fmt::format("{}[{}]", child(path, "claims"), i)));
  }
  return isolation;
}

run_record run_from_json(const json& value, const std::string& path) {
  run_record run;
  run.mode = read_string(value, "mode", path);
  const std::string status = read_string(value, "status", path);
  const std::optional<run_status> parsed = run_status_from_string(status);
  if (!parsed) {
    throw json_field_error(child(path, "status"),
                           fmt::format("expected ok, skipped or failed, got \"{}\"", status));
  }
  run.status = *parsed;
  read_if_present(value, "reason", path, run.reason, string_value);
  const std::string params_path = child(path, "params");
  const json& params = member(value, "params", path);
  if (!params.is_object()) {
    throw json_field_error(params_path, expected("an object of strings", params));
  }
  for (const auto& [key, setting] : params.items()) {
    run.params.emplace_back(key, string_value(setting, child(params_path, key)));
  }
  read_if_present(value, "wall_time_s", path, run.wall_time_s, number_value);
  run.flags = read_string_list(value, "flags", path);
  run.aggregate = aggregate_from_json(member(value, "aggregate", path), child(path, "aggregate"));
  const json& tenants = array_member(value, "tenants", path);
  for (std::size_t i = 0; i < tenants.size(); ++i) {
    run.tenants.push_back(
        tenant_from_json(tenants[i], fmt::format("{}[{}]", child(path, "tenants"), i)));
  }
  read_if_present(value, "streams", path, run.streams, streams_from_json);
  read_if_present(value, "calibration", path, run.calibration, calibration_from_json);
  read_if_present(value, "limits", path, run.limits, limit_checks_from_json);
  read_if_present(value, "mps", path, run.mps, mps_daemon_from_json);
  read_if_present(value, "mig", path, run.mig, mig_run_from_json);
  read_if_present(value, "timeslice_probe", path, run.timeslice_probe, timeslice_probe_from_json);
  // Added in 1.6.0: older reports have no isolation runs.
  read_if_present(value, "isolation", path, run.isolation, isolation_from_json);
  run.telemetry = run_telemetry_from_json(value, path);
  return run;
}

report_document document_from_json(const json& value, const std::string& path) {
  if (!value.is_object()) {
    throw json_field_error(path.empty() ? "(top level)" : path,
                           fmt::format("expected a report object, got {}", value.type_name()));
  }
  check_schema_version(value, path);
  report_document document;
  const std::string tool_path = child(path, "tool");
  const json& tool = member(value, "tool", path);
  document.tool.name = read_string(tool, "name", tool_path);
  document.tool.version = read_string(tool, "version", tool_path);
  document.tool.git_sha = read_string(tool, "git_sha", tool_path);
  document.tool.git_dirty = read_bool(tool, "git_dirty", tool_path);
  document.created_at = read_string(value, "created_at", path);
  document.argv = read_string_list(value, "argv", path);
  const std::string host_path = child(path, "host");
  const json& host = member(value, "host", path);
  document.host.hostname = read_string(host, "hostname", host_path);
  document.host.os = read_string(host, "os", host_path);
  document.host.cpu_model = read_string(host, "cpu_model", host_path);
  document.host.cpu_count = read_integer<unsigned>(host, "cpu_count", host_path);
  document.environment =
      environment_from_json(member(value, "environment", path), child(path, "environment"));
  document.config = config_from_json(member(value, "config", path), child(path, "config"));
  read_if_present(value, "telemetry", path, document.telemetry, telemetry_status_from_json);
  const json& runs = array_member(value, "runs", path);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    document.runs.push_back(run_from_json(runs[i], fmt::format("{}[{}]", child(path, "runs"), i)));
  }
  const json& errors = array_member(value, "errors", path);
  for (std::size_t i = 0; i < errors.size(); ++i) {
    document.errors.push_back(
        error_from_json(errors[i], fmt::format("{}[{}]", child(path, "errors"), i)));
  }
  return document;
}

json read_json_file(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    throw usage_error(fmt::format("{}: is a directory, not a report file", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw usage_error(fmt::format("{}: cannot open the report: {}", path, std::strerror(errno)));
  }
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) {
    throw usage_error(fmt::format("{}: cannot read the report: {}", path, std::strerror(errno)));
  }
  try {
    return json::parse(text);
  } catch (const json::parse_error& failure) {
    // Google Benchmark writes a counter over zero time as a bare NaN or Infinity, which is not
    // JSON; such a file is read with those values as null (no value) rather than refused.
    const std::string repaired = with_bare_non_finite_as_null(text);
    if (repaired != text && json::accept(repaired)) {
      return json::parse(repaired);
    }
    throw usage_error(fmt::format("{}: not a JSON report: {}", path, failure.what()));
  }
}

std::string with_bare_non_finite_as_null(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    bool replaced = false;
    for (const std::string_view token :
         {"-Infinity", "Infinity", "NaN", "-nan", "nan", "-inf", "inf"}) {
      if (text.compare(i, token.size(), token) == 0) {
        out += "null";
        i += token.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      out += c;
    }
  }
  return out;
}

report_document report_from_file_json(const json& value, const std::string& path) {
  try {
    return document_from_json(value);
  } catch (const json_field_error& failure) {
    throw usage_error(fmt::format("{}: {}", path, failure.what()));
  } catch (const json::exception& failure) {
    // A reader above that still uses nlohmann's conversions; the file is named all the same.
    throw usage_error(fmt::format("{}: not a gpushare-bench report: {}", path, failure.what()));
  }
}

report_document read_report_file(const std::string& path) {
  return report_from_file_json(read_json_file(path), path);
}

} // namespace gpushare::report
