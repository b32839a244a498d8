#pragma once
// --mode timeslice and --mode mps: N tenant processes measured alone (one after another, the
// solo phase) and then all at once (the shared phase). Per tenant: slowdown = median
// iteration time shared / solo, p99 inflation = p99 shared / p99 solo. Aggregate: throughput
// ratio, Jain fairness, mechanism overhead, start skew (SPEC.md "Metrics"). When two or more
// tenants ran `spin`, their shared-phase run segments give the time-slice probe
// (timeslice_probe.hpp).

#include "harness/records.hpp"
#include "harness/telemetry_sampler.hpp"
#include "harness/tenant_runner.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gpushare {

struct sharing_plan {
  std::string mode; ///< "timeslice" or "mps"
  std::vector<tenant_plan> tenants;
  tenant_launch launch;
  /// Extra variables each tenant gets in the shared phase only (the MPS client settings).
  std::vector<std::map<std::string, std::string>> shared_environment;
  /// Variables of the harness's environment no tenant inherits in the shared phase (an MPS
  /// client must not set CUDA_VISIBLE_DEVICES).
  std::vector<std::string> shared_unset_environment;
  /// Device ordinal tenants use in the shared phase, when the mechanism renumbers devices (an
  /// MPS daemon shows its clients only the device it serves, as device 0).
  std::optional<int> shared_device;
  /// GPU counters sampled during every phase; no source means no telemetry.
  telemetry_settings telemetry;
};

/// Hooks around the shared phase (the MPS mode starts its daemon in `before_shared` and
/// checks clients in `on_released`). `before_shared` returns the variables every tenant
/// needs to reach the mechanism.
struct sharing_hooks {
  std::function<std::map<std::string, std::string>()> before_shared;
  released_hook on_released;
};

/// Runs both phases and fills a run_record (status ok even when tenants failed: they are
/// listed with their failure; the caller turns that into exit code 3).
[[nodiscard]] run_record run_sharing_experiment(const sharing_plan& plan,
                                                const sharing_hooks& hooks = {});

/// The aggregate figures over tenants with both phases measured. Exposed for tests.
[[nodiscard]] aggregate_figures aggregate_tenants(const std::vector<tenant_record>& tenants);

} // namespace gpushare
