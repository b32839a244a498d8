#pragma once
// JSON -> record conversions, the inverse of json_records.hpp and json_writer.hpp: the records
// that travel between processes (a device worker's environment and streams results) and whole
// report files read back for later reports and comparisons. A missing or mistyped field throws
// json_field_error naming the field's path, so a caller can say which file and which field is
// wrong. Keys the schema marks optional may be absent (older 1.x reports lack them) and keep
// the record's defaults.

#include "harness/records.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace gpushare::report {

class json_field_error : public std::runtime_error {
public:
  json_field_error(const std::string& path, const std::string& problem)
      : std::runtime_error(path + ": " + problem), m_path(path) {}
  [[nodiscard]] const std::string& path() const noexcept { return m_path; }

private:
  std::string m_path;
};

/// `path` names where `value` sits in its document ("runs[0].streams"), for error messages.
[[nodiscard]] sample_summary summary_from_json(const nlohmann::json& value,
                                               const std::string& path);
[[nodiscard]] gpu_info gpu_from_json(const nlohmann::json& value, const std::string& path);
[[nodiscard]] environment_info environment_from_json(const nlohmann::json& value,
                                                     const std::string& path);
[[nodiscard]] streams_result streams_from_json(const nlohmann::json& value,
                                               const std::string& path);
[[nodiscard]] calibration_result calibration_from_json(const nlohmann::json& value,
                                                       const std::string& path);
[[nodiscard]] std::vector<limit_check> limit_checks_from_json(const nlohmann::json& value,
                                                              const std::string& path);

/// The top-level `telemetry`. interval_ms and max_clock_drift may be absent (the schema makes
/// them optional) and keep the record's defaults; null reads as NaN, as the writer stores it.
[[nodiscard]] telemetry_status telemetry_status_from_json(const nlohmann::json& value,
                                                          const std::string& path);
/// One element of `runs[].telemetry`. A counter missing from the timeline or the summary, or
/// null in it, stays empty; the timeline's columns must all have as many values as t_ms.
[[nodiscard]] phase_telemetry phase_telemetry_from_json(const nlohmann::json& value,
                                                        const std::string& path);
/// The `telemetry` of the run object at `run_path` ("runs[0]"); none when the key is absent,
/// which is how the writer leaves a run without sampled phases.
[[nodiscard]] std::vector<phase_telemetry> run_telemetry_from_json(const nlohmann::json& run,
                                                                   const std::string& run_path);

/// `config` as config_to_json writes it; only mode is required, a null optional stays unset.
[[nodiscard]] run_config config_from_json(const nlohmann::json& value, const std::string& path);

/// One measured workload. The histogram is rebuilt from its buckets (which must be buckets of
/// latency_histogram's layout), with the exact minimum, maximum and moments taken from
/// latency_us when they agree with the buckets, so it renders the same buckets again and gives
/// the same percentiles.
[[nodiscard]] workload_result workload_result_from_json(const nlohmann::json& value,
                                                        const std::string& path);
[[nodiscard]] tenant_record tenant_from_json(const nlohmann::json& value, const std::string& path);
/// `runs[].isolation` (added in 1.6.0): every key the schema requires must be there; a figure
/// written as null reads as NaN, an mps_fault without recovery_ms or with null has none.
[[nodiscard]] isolation_result isolation_from_json(const nlohmann::json& value,
                                                   const std::string& path);
[[nodiscard]] run_record run_from_json(const nlohmann::json& value, const std::string& path);

/// A whole report. schema_version must have the major version of report_schema_version; an
/// older or newer minor version is read, its unknown keys ignored. `path` prefixes every
/// field path in errors ("" for a document at the top of a file: "runs[0].mode").
[[nodiscard]] report_document document_from_json(const nlohmann::json& value,
                                                 const std::string& path = "");

/// The JSON in the file at `path`. A file that cannot be read or is not JSON throws
/// usage_error (exit 2) naming the file.
[[nodiscard]] nlohmann::json read_json_file(const std::string& path);

/// `text` with bare NaN and Infinity tokens outside strings (as Google Benchmark writes
/// non-finite counters) replaced by null, so that it parses as JSON.
[[nodiscard]] std::string with_bare_non_finite_as_null(const std::string& text);

/// `value`, the JSON of the file at `path`, as a report; a bad field throws usage_error naming
/// the file and the field.
[[nodiscard]] report_document report_from_file_json(const nlohmann::json& value,
                                                    const std::string& path);

/// The report in the file at `path`. A file that cannot be read, is not JSON, has another
/// major schema version or a bad field throws usage_error (exit 2) naming the file and, for a
/// bad field, its path: "results/run.json: runs[0].mode: missing".
[[nodiscard]] report_document read_report_file(const std::string& path);

} // namespace gpushare::report
