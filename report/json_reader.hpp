#pragma once
// JSON -> record conversions, the inverse of json_records.hpp for the records that travel
// between processes (a device worker's environment and streams results) and that later
// readers of reports need. A missing or mistyped field throws json_field_error naming the
// field's path, so a caller can say which file and which field is wrong.

#include "harness/records.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

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

} // namespace gpushare::report
