#include "cli/app.hpp"

#include "cli/device_worker.hpp"
#include "cli/options.hpp"
#include "cli/probe_command.hpp"
#include "cli/run_command.hpp"
#include "cli/suite.hpp"
#include "cli/tenant_command.hpp"
#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "harness/streams_experiment.hpp"

#include <fmt/format.h>

#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>

namespace gpushare::cli {
namespace {

int report_failure(const std::string& message, exit_code code) {
  std::cerr << "gpushare-bench: " << message << '\n';
  return static_cast<int>(code);
}

} // namespace

int run_app(int argc, char** argv) {
  const std::vector<std::string> arguments(argv, argv + argc);
  invocation parsed;
  CLI::App app{"gpushare-bench", "gpushare-bench"};
  configure_parser(app, parsed);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return static_cast<int>(exit_code::success);
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return static_cast<int>(exit_code::success);
  } catch (const CLI::CallForVersion& version) {
    std::cout << version.what() << '\n';
    return static_cast<int>(exit_code::success);
  } catch (const CLI::ParseError& failure) {
    return report_failure(std::string(failure.what()) + " (see --help)", exit_code::usage);
  }

  try {
    finish_invocation(parsed);
    if (parsed.what == command::tenant) {
      return run_tenant(parsed.tenant);
    }
    if (parsed.what == command::device_worker) {
      return run_device_worker(std::cin);
    }
    if (parsed.what == command::mig) {
      return run_mig_command(parsed.mig, std::cout);
    }
    if (parsed.what == command::k8s) {
      return run_k8s_command(parsed.k8s, std::cout);
    }
    if (parsed.what == command::compare) {
      return run_compare_command(parsed.compare, std::cout);
    }
    if (parsed.what == command::report) {
      return run_report_command(parsed.report, std::cout);
    }
    if (parsed.what == command::suite) {
      std::cout << default_suite_text();
      return static_cast<int>(exit_code::success);
    }
    install_interrupt_handlers();
    // A tenant that dies closes its pipe; writing to it must be an error, not our death.
    std::signal(SIGPIPE, SIG_IGN);
    // The driver's default of 8 hardware queues would serialise streams 9 and up behind the
    // first eight; ask for the most unless the user chose. Read at context creation, so it
    // must be set before any CUDA call.
    (void)setenv("CUDA_DEVICE_MAX_CONNECTIONS", std::to_string(max_device_connections).c_str(), 0);
    if (parsed.what == command::probe) {
      return run_probe(parsed.probe_json_path, arguments, std::cout);
    }
    return run_modes(parsed.config, arguments, std::cout, std::cerr);
  } catch (const error& failure) {
    return report_failure(failure.what(), failure.code());
  } catch (const std::exception& failure) {
    return report_failure(fmt::format("internal error: {}", failure.what()), exit_code::usage);
  }
}

} // namespace gpushare::cli
