#include "report/json_telemetry.hpp"

#include "harness/telemetry_fields.hpp"
#include "report/json_records.hpp"

#include <string>

namespace gpushare::report {
namespace {

using nlohmann::json;

json stat_to_json(const telemetry_stat& stat) {
  return json{{"mean", json_number(stat.mean)}, {"max", json_number(stat.max)}};
}

template <typename T> json optional_value(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

template <typename T> std::optional<T> optional_from(const json& object, const char* key) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) {
    return std::nullopt;
  }
  return found->get<T>();
}

json gpu_phase_to_json(const gpu_phase_telemetry& gpu) {
  // Columns, not an array of objects: a phase of minutes at 50 ms has thousands of samples,
  // and one array per counter is what plotting tools read directly.
  json timeline{{"t_ms", json::array()}};
  json summary = json::object();
  for (const telemetry_field& field : telemetry_fields) {
    json column = json::array();
    for (const telemetry_sample& sample : gpu.samples) {
      column.push_back(json_number(sample.*field.value));
    }
    timeline[field.dcgm_name] = std::move(column);
    summary[field.dcgm_name] = stat_to_json(gpu.*field.stat);
  }
  json reasons = json::array();
  for (const telemetry_sample& sample : gpu.samples) {
    timeline["t_ms"].push_back(json_number(sample.t_ms));
    reasons.push_back(optional_value(sample.clocks_event_reasons));
  }
  timeline[clocks_event_reasons_dcgm_name] = std::move(reasons);
  json processes = json::object();
  for (const auto& [pid, bytes] : gpu.process_memory_bytes) {
    processes[std::to_string(pid)] = bytes;
  }
  return json{{"uuid", gpu.gpu_uuid},
              {"throttled", gpu.throttled},
              {"clock_drift", gpu.clock_drift},
              {"sm_clock_drift", json_number(gpu.sm_clock_drift)},
              {"clocks_event_reasons", gpu.clocks_event_reasons},
              {"read_errors", gpu.read_errors},
              {"last_read_error", gpu.last_read_error},
              {"process_memory_max_bytes", std::move(processes)},
              {"summary", std::move(summary)},
              {"timeline", std::move(timeline)}};
}

} // namespace

json telemetry_status_to_json(const telemetry_status& status) {
  return json{{"status", status.status},
              {"reason", status.reason},
              {"interval_ms", json_number(status.interval_ms)},
              {"max_clock_drift", json_number(status.max_clock_drift)}};
}

json phase_telemetry_to_json(const phase_telemetry& phase) {
  json gpus = json::array();
  for (const gpu_phase_telemetry& gpu : phase.gpus) {
    gpus.push_back(gpu_phase_to_json(gpu));
  }
  return json{{"phase", phase.phase},
              {"tenant", optional_value(phase.tenant)},
              {"interval_ms", json_number(phase.interval_ms)},
              {"samples", phase.samples},
              {"sample_cost_us", stat_to_json(phase.sample_cost_us)},
              {"flags", phase.flags},
              {"gpus", std::move(gpus)}};
}

json nvml_gpu_to_json(const nvml_gpu_record& gpu) {
  return json{{"name", gpu.name},
              {"pci_bus_id", gpu.pci_bus_id},
              {"mig_current", optional_value(gpu.mig_current)},
              {"mig_pending", optional_value(gpu.mig_pending)},
              {"compute_mode", gpu.compute_mode},
              {"persistence_mode", optional_value(gpu.persistence_mode)},
              {"ecc_current", optional_value(gpu.ecc_current)},
              {"ecc_pending", optional_value(gpu.ecc_pending)},
              {"power_limit_w", json_number(gpu.power_limit_w)},
              {"clocks",
               {{"applications_sm_mhz", optional_value(gpu.applications_sm_clock_mhz)},
                {"applications_memory_mhz", optional_value(gpu.applications_memory_clock_mhz)},
                {"max_sm_mhz", optional_value(gpu.max_sm_clock_mhz)},
                {"max_memory_mhz", optional_value(gpu.max_memory_clock_mhz)}}},
              {"pcie",
               {{"generation", optional_value(gpu.pcie_generation)},
                {"width", optional_value(gpu.pcie_width)},
                {"max_generation", optional_value(gpu.pcie_max_generation)},
                {"max_width", optional_value(gpu.pcie_max_width)}}},
              {"unsupported", gpu.unsupported},
              {"errors", gpu.errors}};
}

nvml_gpu_record nvml_gpu_from_json(const json& value) {
  nvml_gpu_record gpu;
  gpu.name = value.value("name", "");
  gpu.pci_bus_id = value.value("pci_bus_id", "");
  gpu.mig_current = optional_from<bool>(value, "mig_current");
  gpu.mig_pending = optional_from<bool>(value, "mig_pending");
  gpu.compute_mode = value.value("compute_mode", "");
  gpu.persistence_mode = optional_from<bool>(value, "persistence_mode");
  gpu.ecc_current = optional_from<bool>(value, "ecc_current");
  gpu.ecc_pending = optional_from<bool>(value, "ecc_pending");
  gpu.power_limit_w = optional_from<double>(value, "power_limit_w");
  const json empty = json::object();
  const json& clocks = value.contains("clocks") ? value.at("clocks") : empty;
  gpu.applications_sm_clock_mhz = optional_from<int>(clocks, "applications_sm_mhz");
  gpu.applications_memory_clock_mhz = optional_from<int>(clocks, "applications_memory_mhz");
  gpu.max_sm_clock_mhz = optional_from<int>(clocks, "max_sm_mhz");
  gpu.max_memory_clock_mhz = optional_from<int>(clocks, "max_memory_mhz");
  const json& pcie = value.contains("pcie") ? value.at("pcie") : empty;
  gpu.pcie_generation = optional_from<int>(pcie, "generation");
  gpu.pcie_width = optional_from<int>(pcie, "width");
  gpu.pcie_max_generation = optional_from<int>(pcie, "max_generation");
  gpu.pcie_max_width = optional_from<int>(pcie, "max_width");
  gpu.unsupported = value.value("unsupported", std::vector<std::string>{});
  gpu.errors = value.value("errors", std::vector<std::string>{});
  return gpu;
}

} // namespace gpushare::report
