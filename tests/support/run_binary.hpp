#pragma once
// Runs the real gpushare-bench binary as a user would and captures what it says, so CLI
// tests check exit codes and messages of the shipped program rather than of a test double.

#include <map>
#include <string>
#include <vector>

namespace gpushare::test {

struct binary_run {
  int exit_code = -1; ///< -1 when killed by a signal
  std::string out;
  std::string err;
  double seconds = 0;
};

/// Runs GPUSHARE_BINARY_PATH with `args`; `environment` entries are set (an empty value sets
/// the variable to ""), the rest of the environment is inherited.
binary_run run_gpushare(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& environment = {});

/// Processes running GPUSHARE_BINARY_PATH as a tenant (its hidden `tenant` command).
std::vector<int> tenant_processes();

/// Entries of the temporary directory that the tool creates (scratch, MPS and worker
/// directories): a test that leaves one behind found a leak.
std::vector<std::string> tool_directories();

/// Lines of `text` without the trailing empty line.
std::vector<std::string> lines_of(const std::string& text);

} // namespace gpushare::test
