#pragma once
// The catalog of workloads the command line accepts: every key, its type, range and default.
// parse_workload_spec() validates against it; --help prints it.

#include <cstdint>
#include <string>
#include <vector>

namespace gpushare {

enum class param_kind { integer, real, choice };

struct param_definition {
  std::string key;
  param_kind kind = param_kind::integer;
  std::int64_t min_integer = 0; ///< inclusive bounds for integer
  std::int64_t max_integer = 0;
  double min_real = 0; ///< inclusive bounds for real
  double max_real = 0;
  std::vector<std::string> choices; ///< for choice
  std::string default_value;        ///< "" = no default (only for aliases)
  std::string help;
  /// Keys this one sets when given (e.g. gemm's size sets m, n and k); such a key is not stored.
  std::vector<std::string> alias_of;
};

struct workload_definition {
  std::string name;
  std::string summary;
  bool host_only = false; ///< host-* test instruments
  std::vector<param_definition> params;
};

[[nodiscard]] const std::vector<workload_definition>& workload_catalog();
/// nullptr when no workload has that name.
[[nodiscard]] const workload_definition* find_workload_definition(const std::string& name);

} // namespace gpushare
