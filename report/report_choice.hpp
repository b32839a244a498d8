#pragma once
// "What to choose": the decision framework of the usual comparison matrices (isolation need,
// tenant count, latency bound, GPU model) applied to the figures measured on this card, and
// what a stated fleet would cost in GPUs under each mechanism.
//
// Mechanisms are compared by each tenant's speed as a fraction of a whole GPU of its own:
// 1 / slowdown for timeslice and mps (their solo phase had the whole GPU), and the instance's
// fraction of the full GPU / slowdown for mig (its solo phase had only its instance).

#include "report/report_model.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gpushare::report {

/// One (workloads, tenant count) measured under at least one mechanism, ranked.
struct mechanism_choice {
  std::string workloads;
  int tenants = 0;
  struct option {
    std::string mode;
    double speed = 0; ///< median tenant speed as a fraction of a dedicated GPU
    std::optional<double> p99_inflation;
  };
  std::vector<option> ranked; ///< fastest first
  bool host_only = false;
};

/// Isolation the mechanism gives by construction (not measured here), one sentence.
[[nodiscard]] std::string isolation_of(const std::string& mode);

/// The per-tenant speed of a matrix cell as defined above; empty when not measured.
[[nodiscard]] std::optional<double> tenant_speed(const matrix_row& row, const matrix_cell& cell);

[[nodiscard]] std::vector<mechanism_choice> rank_mechanisms(const source_model& source);

/// One sentence: which mechanism wins, by how much against each alternative, and the latency
/// cost where an infer tenant measured it, e.g. "2 tenants of gemm:...: mps wins, each tenant
/// at 66.7 % of a dedicated GPU; timeslice 50.0 % (mps 1.33x faster)."
[[nodiscard]] std::string describe_choice(const mechanism_choice& choice);

/// Dedicated GPUs, and timeslice and mps packed by memory onto the GPU of `source` at the
/// largest measured tenant count that fits (never extrapolated). MIG needs the board's
/// profiles and is added by the caller.
[[nodiscard]] std::vector<fleet_option> plan_fleet(const source_model& source,
                                                   const fleet_request& fleet);

/// Parses "40x8GiB" (count x size; GiB/MiB binary, GB/MB decimal). Throws usage_error.
[[nodiscard]] fleet_request parse_fleet(const std::string& text);

} // namespace gpushare::report
