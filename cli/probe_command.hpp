#pragma once
// `gpushare-bench probe`: what this machine has, without measuring anything.

#include <ostream>
#include <string>
#include <vector>

namespace gpushare::cli {

/// Prints the environment; writes it as a report to `json_path` unless empty. Returns 0 when
/// a CUDA device is usable; throws environment_error (exit 2) with the reason otherwise.
int run_probe(const std::string& json_path, const std::vector<std::string>& argv,
              std::ostream& out);

} // namespace gpushare::cli
