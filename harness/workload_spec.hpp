#pragma once
// Workload specifications as users write them: `name:key=value,...` (e.g.
// `gemm:dtype=bf16,size=8192`). Parsing validates every key against the workload's catalog
// entry and fills in defaults, so a parsed spec is complete and canonical.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gpushare {

struct workload_spec {
  std::string name;                          ///< catalog name, e.g. "gemm", "host-sleep"
  std::map<std::string, std::string> params; ///< every key of the workload, validated

  /// `name:key=value,...` with keys sorted; parsing it again gives the same spec.
  [[nodiscard]] std::string canonical() const;
  [[nodiscard]] const std::string& get(const std::string& key) const; ///< throws if unknown
  [[nodiscard]] std::int64_t get_int(const std::string& key) const;
  [[nodiscard]] double get_double(const std::string& key) const;
};

/// Parses and validates. Throws usage_error naming the spec, the key and the accepted values.
[[nodiscard]] workload_spec parse_workload_spec(std::string_view text);

/// Names of all workloads, in catalog order.
[[nodiscard]] std::vector<std::string> workload_names();

/// Help text: one paragraph per workload with its keys, ranges and defaults.
[[nodiscard]] std::string workload_catalog_help();

} // namespace gpushare
