#pragma once
// The rules that turn what an isolation scenario observed into a verdict (isolated / partial /
// none / untested), and the documented claims the verdicts are checked against. Pure functions
// of recorded outcomes: the scenarios (cli/isolation_mode) fill a cell's tenants and figures,
// these functions only read them, so every rule is tested on recorded outcomes without a GPU.
//
// Each judge sets the cell's verdict, rule (the rule in words, as the report prints it),
// evidence (what was seen, with the CUDA errors) and the figures the verdict rests on.

#include "harness/records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gpushare {

/// Latency: the victim's p99 with aggressors / its p99 alone at or below this is isolated ...
inline constexpr double latency_isolated_max_inflation = 1.25;
/// ... at or below this partial, above it none.
inline constexpr double latency_partial_max_inflation = 2.0;
/// Compute: the victim's throughput with aggressors / alone, over its guaranteed share, at or
/// above this is isolated ...
inline constexpr double compute_isolated_min_share = 0.9;
/// ... at or above this partial, below it none.
inline constexpr double compute_partial_min_share = 0.5;
/// Fault: a victim that failed up to this long before the fault tenant was seen to die counts
/// as taken down by the fault [ms].
inline constexpr double fault_grace_ms = 500.0;
/// Memory: a hog holding up to this much more than its promised share still counts as held to
/// it (allocation granularity and the driver's own rounding).
inline constexpr double memory_share_tolerance = 0.02;

/// The figure name under which a scenario records when tenant `id` finished, in ms since its
/// phase started.
[[nodiscard]] std::string finished_figure(int id);

/// The CUDA error names ("cudaError...", "CUDA_ERROR_...") a failure text mentions, in order
/// and without repeats.
[[nodiscard]] std::vector<std::string> cuda_error_names(const std::string& text);

/// True when the tenant failed because an allocation found no memory.
[[nodiscard]] bool failed_out_of_memory(const tenant_record& tenant);

/// True when the faulting tenant ended the way it was meant to: the fault workload's intended
/// illegal memory access, or a host-crash test instrument killed by its signal.
[[nodiscard]] bool fault_happened(const tenant_record& fault);

/// Memory: the aggressor (a hog, by default taking all it can get) holds its memory, then the
/// victim allocates the `promised_bytes` it was promised. Isolated: the victim got them and the
/// hog was held to at most `hog_share_bytes` (its own share: the same split of the card, or its
/// own MIG instance); partial: the victim got its share but nothing held the hog to its own;
/// none: the victim's allocation failed for lack of memory; untested otherwise.
void judge_memory(isolation_cell& cell, std::uint64_t promised_bytes,
                  std::uint64_t hog_share_bytes);

/// Fault: the aggressor faults while the victims run. Victims that finished before the fault
/// tenant died, or failed more than fault_grace_ms before it, do not count (the harness sees
/// simultaneous endings in the order it reads their pipes, so a victim the fault took down may
/// be seen a little earlier than the fault tenant). Isolated: every one of them finished its
/// measurement; none: every one failed or was killed; partial: some did; untested when the fault
/// did not happen or no victim was running at the time.
void judge_fault(isolation_cell& cell);

/// Latency: the victim's p99 beside the aggressors over its p99 alone (from the victim tenant's
/// solo and shared results). Isolated up to latency_isolated_max_inflation, partial up to
/// latency_partial_max_inflation, none above.
void judge_latency(isolation_cell& cell);

/// Compute: the victim's throughput beside the aggressors over its throughput alone, against
/// `guaranteed_share` (1/N, its MPS thread percentage, 1 on its own MIG instance). Isolated when
/// it got at least compute_isolated_min_share of the guarantee, partial from
/// compute_partial_min_share, none below. `mechanism_overhead` (the run's aggregate) is kept
/// as a figure for the overhead claims.
void judge_compute(isolation_cell& cell, double guaranteed_share,
                   std::optional<double> mechanism_overhead);

/// A cell that could not be measured, with the reason as its evidence.
[[nodiscard]] isolation_cell untested_cell(const std::string& mechanism,
                                           const std::string& property, const std::string& why);

/// The documented claims (isolation matrices and overhead figures of the reference articles)
/// next to what `cells` measured: a claim holds when the measured verdict is the one the claim
/// states (or, for overheads, the measured mechanism overhead lies within the claimed range
/// widened by 5 percentage points); untested when the cell is missing or untested.
[[nodiscard]] std::vector<isolation_claim> check_claims(const std::vector<isolation_cell>& cells);

} // namespace gpushare
