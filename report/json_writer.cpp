#include "report/json_writer.hpp"

#include "report/atomic_file.hpp"
#include "report/json_records.hpp"
#include "report/json_telemetry.hpp"

#include <string>

namespace gpushare::report {

using nlohmann::json;

json to_json(const report_document& document) {
  json runs = json::array();
  for (const run_record& run : document.runs) {
    runs.push_back(run_to_json(run));
  }
  json errors = json::array();
  for (const error_record& error : document.errors) {
    errors.push_back(error_to_json(error));
  }
  return json{{"schema_version", report_schema_version},
              {"tool", tool_to_json(document.tool)},
              {"created_at", document.created_at},
              {"argv", document.argv},
              {"host", host_to_json(document.host)},
              {"environment", environment_to_json(document.environment)},
              {"config", config_to_json(document.config)},
              {"telemetry", telemetry_status_to_json(document.telemetry)},
              {"runs", std::move(runs)},
              {"errors", std::move(errors)}};
}

void write_json_report(const report_document& document, const std::string& path) {
  // argv, host names and error messages come from outside and may hold invalid UTF-8; the
  // strict default would throw and lose the whole report, so bad bytes become U+FFFD.
  std::string text = to_json(document).dump(2, ' ', false, json::error_handler_t::replace);
  text.push_back('\n');
  write_file_atomically(path, text);
}

} // namespace gpushare::report
