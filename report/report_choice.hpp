#pragma once
// "What to choose": the decision framework of the usual comparison matrices (isolation need,
// tenant count, latency bound, GPU model) applied to the figures measured on this card, and
// what a stated fleet would cost in GPUs under each mechanism.
//
// Mechanisms are compared by each tenant's speed as a fraction of a whole GPU of its own:
// 1 / slowdown for timeslice and mps (their solo phase had the whole GPU), and the instance's
// fraction of the full GPU / slowdown for mig (its solo phase had only its instance).
//
// The latency rule looks at the infer tenant alone (the one whose p99 inflation the matrix
// shows): a latency-bound service cares about its own tail under sharing, not about the
// others' throughput. The GPU-model rule says what the board allows whatever was measured:
// MIG needs an Ampere or later board that has it (the mig layer's catalog), and MPS gives
// each client its own address space only from Volta (compute capability 7.0) on.

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

/// The latency-bound tenant's shared p99 under each mechanism at one (workloads, tenant count).
struct latency_choice {
  std::string workloads;
  int tenants = 0;
  struct option {
    std::string mode;
    double p99_us = 0; ///< the infer tenant's p99 in the shared phase
    std::optional<double> solo_p99_us;
    std::optional<double> p99_inflation;
    std::optional<bool> within_bound; ///< only with a bound: p99_us <= the bound
    std::string failure; ///< the infer tenant did not finish: how it ended; p99_us is 0
  };
  std::vector<option> ranked; ///< lowest p99 first
  std::optional<double> bound_us;
  bool host_only = false;
};

/// Every (workloads, tenant count) in which an infer tenant's shared p99 was measured, with
/// `bound_ms` (--latency-bound) applied when given.
[[nodiscard]] std::vector<latency_choice> latency_choices(const source_model& source,
                                                          std::optional<double> bound_ms);

/// One sentence. With a bound, whether each mechanism keeps the p99 within it, e.g. "... p99
/// of the infer tenant against the 2 ms bound: mps 1.20 ms, within; timeslice 7.50 ms, exceeds
/// it (3.75x the bound)."; without, which mechanism gives the lowest p99 and by how much.
[[nodiscard]] std::string describe_latency(const latency_choice& choice);

/// What the latency lines compare, and against which bound, for the line before them.
[[nodiscard]] std::string latency_rule_note(std::optional<double> bound_ms);

/// "--latency-bound MS": a positive, finite number of milliseconds. Throws usage_error.
[[nodiscard]] double parse_latency_bound(const std::string& text);

/// What the board of a report allows, from its name and compute capability.
struct gpu_model_choice {
  std::string gpu_name;
  std::string compute_capability; ///< "9.0"; "" when the report does not say
  bool mig_available = false;
  std::string mig;        ///< whether this board has MIG, and how that is known
  std::string mps;        ///< the isolation MPS gives on this architecture; "" when unknown
  std::string mig_column; ///< whether the report's mig column was measured, or why not
};

/// "NVIDIA H100 80GB HBM3, compute capability 9.0".
[[nodiscard]] std::string gpu_model_heading(const gpu_model_choice& choice);

/// Empty when the report names no GPU.
[[nodiscard]] std::optional<gpu_model_choice> gpu_model_rule(const source_model& source);

/// Dedicated GPUs, and timeslice and mps packed by memory onto the GPU of `source` at the
/// largest measured tenant count that fits (never extrapolated). MIG needs the board's
/// profiles and is added by the caller.
[[nodiscard]] std::vector<fleet_option> plan_fleet(const source_model& source,
                                                   const fleet_request& fleet);

/// Parses "40x8GiB" (count x size; GiB/MiB binary, GB/MB decimal). Throws usage_error.
[[nodiscard]] fleet_request parse_fleet(const std::string& text);

} // namespace gpushare::report
