#include "cli/probe_command.hpp"

#include "cli/report_session.hpp"
#include "common/error.hpp"
#include "harness/environment.hpp"
#include "report/console_table.hpp"

namespace gpushare::cli {

int run_probe(const std::string& json_path, const std::vector<std::string>& argv,
              std::ostream& out) {
  run_config config;
  config.mode = "probe";
  report_session session(config, argv, json_path);
  session.document().environment = capture_environment();
  const environment_info& environment = session.document().environment;
  report::print_environment(out, environment);
  if (!environment.cuda_available) {
    session.add_error("probe", environment.unavailable_reason, static_cast<int>(exit_code::usage));
    throw environment_error(environment.unavailable_reason);
  }
  session.save();
  return static_cast<int>(exit_code::success);
}

} // namespace gpushare::cli
