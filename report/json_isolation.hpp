#pragma once
// Isolation records -> JSON (runs[].isolation of a --mode isolation run): the measured matrix
// cell by cell, the MPS daemon's state after a fault, and the documented claims checked
// against the matrix. The layout is described in report/schema/report.schema.json; the reader
// is report/json_reader.cpp's isolation_from_json.

#include "harness/records.hpp"

#include <nlohmann/json.hpp>

namespace gpushare::report {

/// {server_states, recovery_ms (null when no new client ran), recovery_attempts,
/// recovery_failures, log_tail, cleanup}.
[[nodiscard]] nlohmann::json mps_fault_to_json(const mps_fault_record& fault);

/// {mechanism, property, verdict, rule, evidence, figures {name: number or null}, tenants
/// (as tenant_to_json writes them, with their role), flags}, and mps_fault when the cell has
/// one (the key is absent otherwise).
[[nodiscard]] nlohmann::json isolation_cell_to_json(const isolation_cell& cell);

/// {mechanism, property, claim, source, holds, basis}.
[[nodiscard]] nlohmann::json isolation_claim_to_json(const isolation_claim& claim);

/// {cells: [...], claims: [...]}.
[[nodiscard]] nlohmann::json isolation_to_json(const isolation_result& isolation);

} // namespace gpushare::report
