#include "report/json_isolation.hpp"

#include "report/json_records.hpp"

namespace gpushare::report {

using nlohmann::json;

json mps_fault_to_json(const mps_fault_record& fault) {
  return json{{"server_states", fault.server_states},
              {"recovery_ms", json_number(fault.recovery_ms)},
              {"recovery_attempts", fault.recovery_attempts},
              {"recovery_failures", fault.recovery_failures},
              {"log_tail", fault.log_tail},
              {"cleanup", fault.cleanup}};
}

json isolation_cell_to_json(const isolation_cell& cell) {
  // An object keyed by name rather than an array: the names are what the verdict rules and
  // readers look figures up by, and a map holds each at most once.
  json figures = json::object();
  for (const auto& [name, value] : cell.figures) {
    figures[name] = json_number(value);
  }
  json tenants = json::array();
  for (const tenant_record& tenant : cell.tenants) {
    tenants.push_back(tenant_to_json(tenant));
  }
  json out{{"mechanism", cell.mechanism},   {"property", cell.property},
           {"verdict", cell.verdict},       {"rule", cell.rule},
           {"evidence", cell.evidence},     {"figures", std::move(figures)},
           {"tenants", std::move(tenants)}, {"flags", cell.flags}};
  if (cell.mps_fault) {
    out["mps_fault"] = mps_fault_to_json(*cell.mps_fault);
  }
  return out;
}

json isolation_claim_to_json(const isolation_claim& claim) {
  return json{{"mechanism", claim.mechanism}, {"property", claim.property}, {"claim", claim.claim},
              {"source", claim.source},       {"holds", claim.holds},       {"basis", claim.basis}};
}

json isolation_to_json(const isolation_result& isolation) {
  json cells = json::array();
  for (const isolation_cell& cell : isolation.cells) {
    cells.push_back(isolation_cell_to_json(cell));
  }
  json claims = json::array();
  for (const isolation_claim& claim : isolation.claims) {
    claims.push_back(isolation_claim_to_json(claim));
  }
  return json{{"cells", std::move(cells)}, {"claims", std::move(claims)}};
}

} // namespace gpushare::report
