#pragma once
// The report of one invocation while it runs: the document plus the file it is kept in.
// Every change is followed by save(), so the file on disk always holds every finished phase.

#include "harness/records.hpp"

#include <string>
#include <vector>

namespace gpushare::cli {

class live_report {
public:
  /// Fills tool, time, argv, host and config. `json_path` "" keeps the report in memory only.
  live_report(const run_config& config, const std::vector<std::string>& argv,
              std::string json_path);

  [[nodiscard]] report_document& document() noexcept { return m_document; }
  void add_run(run_record run);
  void add_error(const std::string& where, const std::string& message, int exit_code);
  /// Rewrites the JSON file atomically (no-op without a path).
  void save() const;

private:
  report_document m_document;
  std::string m_json_path;
};

/// Current time as ISO 8601 UTC with seconds, e.g. "2026-11-23T09:15:06Z".
[[nodiscard]] std::string utc_timestamp();

} // namespace gpushare::cli
