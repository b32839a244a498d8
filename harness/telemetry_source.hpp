#pragma once
// Where telemetry samples come from. The run reads NVML (nvml_library implements this);
// tests feed recorded series through the same interface, so aggregation and flags are tested
// without a GPU.

#include "harness/records.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gpushare {

/// One GPU's counters read once. Counters the GPU does not support stay empty; reads that
/// failed otherwise are counted so a report can tell "not supported" from "broken".
struct telemetry_reading {
  telemetry_sample counters; ///< t_ms is set by the sampler
  std::vector<std::pair<unsigned, std::uint64_t>> process_memory_bytes; ///< pid, bytes
  unsigned failed_reads = 0;
  std::string first_error; ///< the first failed read, with NVML's reason
};

class telemetry_source {
public:
  telemetry_source() = default;
  telemetry_source(const telemetry_source&) = delete;
  telemetry_source& operator=(const telemetry_source&) = delete;
  virtual ~telemetry_source() = default;

  /// Reads the counters of the GPU with this uuid ("GPU-..."). Never throws: a GPU that
  /// cannot be read gives an empty reading with the reason in first_error.
  [[nodiscard]] virtual telemetry_reading read(const std::string& gpu_uuid) = 0;

protected:
  telemetry_source(telemetry_source&&) = default;
  telemetry_source& operator=(telemetry_source&&) = default;
};

} // namespace gpushare
