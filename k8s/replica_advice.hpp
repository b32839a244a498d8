#pragma once
// How many replicas to advertise per GPU, read from a measured report: the most tenants a
// time-slicing or MPS run had while every tenant's p99 latency stayed within a factor of its
// p99 alone on the GPU.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace gpushare::k8s {

/// What the runs with one tenant count showed.
struct tenant_count_finding {
  int tenants = 0;
  /// The worst run's p99 inflation: max over its tenants of shared p99 / solo p99 (latency_us);
  /// nullopt when no run with this count could be evaluated.
  std::optional<double> p99_inflation;
  std::vector<std::string> runs;    ///< "runs[3]" for each run evaluated
  std::vector<std::string> skipped; ///< "runs[4]: status failed (...)" for each run left out
  bool within_limit = false;
};

struct replica_advice {
  int replicas = 0;
  std::vector<tenant_count_finding> findings; ///< ascending tenant count
  /// Why this number: one line for the rule, one per tenant count.
  std::vector<std::string> explanation;
};

/// Picks the highest tenant count among `mode` runs ("timeslice" or "mps") of `report` whose
/// p99 inflation stays <= `max_inflation`. `source` names the report in messages. A field
/// the report layout requires that is missing or of the wrong type throws usage_error naming
/// the source and the field (exit 2); no run that qualifies throws check_error with every
/// tenant count's figure (exit 1).
[[nodiscard]] replica_advice advise_replicas(const nlohmann::json& report,
                                             const std::string& source, const std::string& mode,
                                             double max_inflation);

/// The JSON document in `path`; a file that cannot be read or is not JSON throws usage_error
/// naming it.
[[nodiscard]] nlohmann::json read_report_file(const std::string& path);

/// As advise_replicas() for the report in `path`; a file that cannot be read or is not JSON
/// throws usage_error naming it.
[[nodiscard]] replica_advice
advise_replicas_from_file(const std::string& path, const std::string& mode, double max_inflation);

} // namespace gpushare::k8s
