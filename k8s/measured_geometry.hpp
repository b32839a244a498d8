#pragma once
// The MIG geometry a report measured (--mode mig), so a cluster can be given the layout whose
// interference was measured rather than one chosen by hand.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace gpushare::k8s {

/// The GPU instance profiles of the last `mig` run of `report` that finished ok, one per
/// instance. `source` names the report in messages. A field the report layout requires that is
/// missing or mistyped throws usage_error naming it (exit 2); no such run, or one measured on
/// compute instances that share a GPU instance (the configs this tool emits give each GPU
/// instance one compute instance), throws check_error saying so (exit 1).
[[nodiscard]] std::vector<std::string> measured_mig_geometry(const nlohmann::json& report,
                                                             const std::string& source);

} // namespace gpushare::k8s
