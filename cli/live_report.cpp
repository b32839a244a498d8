#include "cli/live_report.hpp"

#include "common/version.hpp"
#include "harness/environment.hpp"
#include "report/json_writer.hpp"

#include <ctime>

namespace gpushare::cli {

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32] = {};
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

live_report::live_report(const run_config& config, const std::vector<std::string>& argv,
                         std::string json_path)
    : m_json_path(std::move(json_path)) {
  m_document.tool.version = tool_version();
  m_document.tool.git_sha = tool_git_sha();
  m_document.tool.git_dirty = tool_git_dirty();
  m_document.created_at = utc_timestamp();
  m_document.argv = argv;
  m_document.host = capture_host();
  m_document.config = config;
}

void live_report::add_run(run_record run) {
  m_document.runs.push_back(std::move(run));
  save();
}

void live_report::add_error(const std::string& where, const std::string& message, int exit_code) {
  m_document.errors.push_back({where, message, exit_code});
  save();
}

void live_report::save() const {
  if (!m_json_path.empty()) {
    report::write_json_report(m_document, m_json_path);
  }
}

} // namespace gpushare::cli
