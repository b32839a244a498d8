#include "cli/probe_command.hpp"

#include "cli/live_report.hpp"
#include "common/error.hpp"
#include "harness/environment.hpp"
#include "report/console_table.hpp"

namespace gpushare::cli {

int run_probe(const std::string& json_path, const std::vector<std::string>& argv,
              std::ostream& out) {
  run_config config;
  config.mode = "probe";
  live_report live(config, argv, json_path);
  live.document().environment = capture_environment();
  const environment_info& environment = live.document().environment;
  report::print_environment(out, environment);
  if (!environment.cuda_available) {
    live.add_error("probe", environment.unavailable_reason, static_cast<int>(exit_code::usage));
    throw environment_error(environment.unavailable_reason);
  }
  live.save();
  return static_cast<int>(exit_code::success);
}

} // namespace gpushare::cli
