#pragma once
// Telemetry records -> JSON: the per-phase timeline as columnar arrays (one array per
// counter, keyed by its DCGM exporter field name), the per-GPU summary, and the run-level
// status. The layout is described in report/schema/report.schema.json.

#include "harness/records.hpp"

#include <nlohmann/json.hpp>

namespace gpushare::report {

/// {status, reason, interval_ms, max_clock_drift}: whether the run sampled telemetry.
[[nodiscard]] nlohmann::json telemetry_status_to_json(const telemetry_status& status);

/// One phase: {phase, tenant, interval_ms, samples, sample_cost_us {mean, max}, flags,
/// gpus: [{uuid, summary, timeline, ...}]}.
[[nodiscard]] nlohmann::json phase_telemetry_to_json(const phase_telemetry& phase);

/// What NVML said about one GPU (environment.gpus[].nvml); optional values are null.
[[nodiscard]] nlohmann::json nvml_gpu_to_json(const nvml_gpu_record& gpu);

/// The inverse of nvml_gpu_to_json (the device worker sends the environment as JSON).
[[nodiscard]] nvml_gpu_record nvml_gpu_from_json(const nlohmann::json& value);

} // namespace gpushare::report
