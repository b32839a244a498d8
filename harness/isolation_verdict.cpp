#include "harness/isolation_verdict.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>

namespace gpushare {
namespace {

const tenant_record* first_with_role(const isolation_cell& cell, const std::string& role) {
  for (const tenant_record& tenant : cell.tenants) {
    if (tenant.role == role) {
      return &tenant;
    }
  }
  return nullptr;
}

std::vector<const tenant_record*> all_with_role(const isolation_cell& cell,
                                                const std::string& role) {
  std::vector<const tenant_record*> found;
  for (const tenant_record& tenant : cell.tenants) {
    if (tenant.role == role) {
      found.push_back(&tenant);
    }
  }
  return found;
}

std::optional<double> figure(const isolation_cell& cell, const std::string& name) {
  const auto found = cell.figures.find(name);
  return found == cell.figures.end() ? std::nullopt : std::optional<double>(found->second);
}

void set_untested(isolation_cell& cell, const std::string& why) {
  cell.verdict = "untested";
  cell.evidence = why;
}

/// "tenant 2 (fault:after_ms=1000)"
std::string name_of(const tenant_record& tenant) {
  return fmt::format("tenant {} ({})", tenant.id, tenant.workload);
}

/// How a tenant ended, for evidence: "finished", or the failure with its CUDA errors named.
std::string ending_of(const tenant_record& tenant) {
  if (tenant.status == "ok") {
    return "finished its measurement";
  }
  const std::vector<std::string> errors = cuda_error_names(tenant.failure);
  std::string text = fmt::format("{}: {}", tenant.status, tenant.failure);
  if (!errors.empty()) {
    text += fmt::format(" [CUDA: {}]", fmt::join(errors, ", "));
  }
  return text;
}

std::string gib(double bytes) {
  return fmt::format("{:.2f} GiB", bytes / double(1ULL << 30));
}

bool measured(const std::optional<workload_result>& result) {
  return result && result->iterations > 0;
}

/// An aggressor that failed did not press on the victim: its verdict would flatter the
/// mechanism. "" when every aggressor ran to the end.
std::string failed_aggressors(const isolation_cell& cell) {
  std::vector<std::string> failed;
  for (const tenant_record& tenant : cell.tenants) {
    if (tenant.role == "aggressor" && (tenant.status != "ok" || !measured(tenant.shared))) {
      failed.push_back(fmt::format("{} {}", name_of(tenant), ending_of(tenant)));
    }
  }
  return fmt::format("{}", fmt::join(failed, "; "));
}

/// The victim of a sharing scenario when it and every aggressor were measured alone and
/// together; otherwise the cell is set untested with the reason and nullptr returned.
const tenant_record* measured_victim(isolation_cell& cell) {
  const tenant_record* victim = first_with_role(cell, "victim");
  if (victim == nullptr) {
    set_untested(cell, "the scenario recorded no victim");
    return nullptr;
  }
  if (victim->status != "ok" || !measured(victim->solo) || !measured(victim->shared)) {
    set_untested(cell, fmt::format("the victim was not measured alone and beside the aggressors: "
                                   "{} {}",
                                   name_of(*victim), ending_of(*victim)));
    return nullptr;
  }
  if (const std::string failed = failed_aggressors(cell); !failed.empty()) {
    set_untested(cell, "an aggressor did not run to the end: " + failed);
    return nullptr;
  }
  return victim;
}

} // namespace

std::string finished_figure(int id) {
  return fmt::format("tenant{}_finished_ms", id);
}

std::vector<std::string> cuda_error_names(const std::string& text) {
  static const std::regex pattern(R"((cudaError[A-Za-z]+|CUDA_ERROR_[A-Z_]+))");
  std::vector<std::string> names;
  for (auto match = std::sregex_iterator(text.begin(), text.end(), pattern);
       match != std::sregex_iterator(); ++match) {
    if (std::find(names.begin(), names.end(), match->str()) == names.end()) {
      names.push_back(match->str());
    }
  }
  return names;
}

bool failed_out_of_memory(const tenant_record& tenant) {
  if (tenant.status == "ok") {
    return false;
  }
  for (const std::string& name : cuda_error_names(tenant.failure)) {
    if (name == "cudaErrorMemoryAllocation" || name == "CUDA_ERROR_OUT_OF_MEMORY") {
      return true;
    }
  }
  return false;
}

bool fault_happened(const tenant_record& fault) {
  if (fault.status != "failed") {
    return false;
  }
  const bool intended_access =
      fault.failure.find("workload fault: intended illegal memory access") != std::string::npos;
  const bool instrument_crash = fault.workload.rfind("host-crash", 0) == 0 &&
                                fault.failure.find("signal SIG") != std::string::npos;
  return intended_access || instrument_crash;
}

void judge_memory(isolation_cell& cell, std::uint64_t promised_bytes,
                  std::uint64_t hog_share_bytes) {
  cell.rule = fmt::format(
      "the hog takes all it can get, then the victim allocates its promised share ({}). "
      "isolated: the victim got its share and the hog was held to at most its own ({} +{:.0f} "
      "%); partial: the victim got its share but nothing held the hog to its own; none: the "
      "victim's allocation failed for lack of memory; untested: anything else",
      gib(static_cast<double>(promised_bytes)), gib(static_cast<double>(hog_share_bytes)),
      100 * memory_share_tolerance);
  cell.figures["promised_bytes"] = static_cast<double>(promised_bytes);
  cell.figures["hog_share_bytes"] = static_cast<double>(hog_share_bytes);
  const tenant_record* hog = first_with_role(cell, "aggressor");
  const tenant_record* victim = first_with_role(cell, "victim");
  if (hog == nullptr || victim == nullptr) {
    set_untested(cell, "the scenario recorded no hog or no victim");
    return;
  }
  const std::optional<workload_result>& hog_result = hog->shared;
  if (!hog_result || !hog_result->memory_hold || hog_result->memory_hold->bytes_held == 0) {
    set_untested(cell, fmt::format("the hog held no memory, so nothing was tested: {} {}",
                                   name_of(*hog), ending_of(*hog)));
    return;
  }
  const memory_hold_record& held = *hog_result->memory_hold;
  cell.figures["hog_held_bytes"] = static_cast<double>(held.bytes_held);
  cell.figures["hog_target_bytes"] = static_cast<double>(held.bytes_target);
  const bool hog_held_to_share =
      static_cast<double>(held.bytes_held) <=
      (1.0 + memory_share_tolerance) * static_cast<double>(hog_share_bytes);
  std::string hog_text = fmt::format("the hog held {} of the {} it aimed for",
                                     gib(static_cast<double>(held.bytes_held)),
                                     gib(static_cast<double>(held.bytes_target)));
  if (!held.allocation_error.empty()) {
    hog_text += fmt::format(" and was stopped: {}", held.allocation_error);
  }
  if (victim->status == "ok" && victim->shared && victim->shared->memory_hold) {
    cell.figures["victim_held_bytes"] =
        static_cast<double>(victim->shared->memory_hold->bytes_held);
  }
  if (victim->status == "ok") {
    cell.verdict = hog_held_to_share ? "isolated" : "partial";
    std::string why;
    if (!hog_held_to_share) {
      why = ", only because the hog left enough free: nothing held it to its share";
    } else if (held.allocation_error.empty()) {
      // The hog takes what it is told is free: a limit reported that way held it, but no
      // allocation past the limit was refused, so enforcement itself was not seen.
      why = ", the hog having stopped at the memory it was told was free, not at a refused "
            "allocation";
    }
    cell.evidence = fmt::format("{}; the victim got its {}{}", hog_text,
                                gib(static_cast<double>(promised_bytes)), why);
    return;
  }
  if (failed_out_of_memory(*victim)) {
    cell.verdict = "none";
    cell.evidence = fmt::format("{}; the victim could not get its {}: {}", hog_text,
                                gib(static_cast<double>(promised_bytes)), ending_of(*victim));
    return;
  }
  set_untested(cell, fmt::format("{}; the victim failed for another reason than memory: {}",
                                 hog_text, ending_of(*victim)));
}

void judge_fault(isolation_cell& cell) {
  cell.rule = fmt::format(
      "the fault tenant makes an illegal memory access while the victims run; only victims "
      "still running when it died count (a failure up to {:.0f} ms before it was seen counts). "
      "isolated: every one finished its measurement; none: every one failed or was killed; "
      "partial: some did; untested: no fault, or no victim running at the time",
      fault_grace_ms);
  const tenant_record* fault = first_with_role(cell, "aggressor");
  const std::vector<const tenant_record*> victims = all_with_role(cell, "victim");
  if (fault == nullptr || victims.empty()) {
    set_untested(cell, "the scenario recorded no fault tenant or no victim");
    return;
  }
  if (!fault_happened(*fault)) {
    set_untested(cell, fmt::format("the fault did not happen as intended: {} {}", name_of(*fault),
                                   ending_of(*fault)));
    return;
  }
  const std::optional<double> fault_ms = figure(cell, finished_figure(fault->id));
  std::vector<std::string> kept;
  std::vector<std::string> hit;
  std::vector<std::string> not_counted;
  for (const tenant_record* victim : victims) {
    const std::optional<double> ended = figure(cell, finished_figure(victim->id));
    const bool before_fault =
        fault_ms && ended &&
        (victim->status == "ok" ? *ended < *fault_ms : *ended < *fault_ms - fault_grace_ms);
    if (before_fault) {
      not_counted.push_back(fmt::format("{} had already {} at {:.0f} ms", name_of(*victim),
                                        victim->status == "ok" ? "finished" : "failed", *ended));
    } else if (victim->status == "ok") {
      kept.push_back(fmt::format("{} kept running and finished", name_of(*victim)));
    } else {
      hit.push_back(fmt::format("{} {}", name_of(*victim), ending_of(*victim)));
    }
  }
  cell.figures["victims_kept_running"] = static_cast<double>(kept.size());
  cell.figures["victims_failed"] = static_cast<double>(hit.size());
  if (fault_ms) {
    cell.figures["fault_tenant_died_ms"] = *fault_ms;
  }
  std::vector<std::string> parts{fmt::format(
      "{} died as intended{}: {}", name_of(*fault),
      fault_ms ? fmt::format(" at {:.0f} ms", *fault_ms) : std::string(), fault->failure)};
  parts.insert(parts.end(), kept.begin(), kept.end());
  parts.insert(parts.end(), hit.begin(), hit.end());
  parts.insert(parts.end(), not_counted.begin(), not_counted.end());
  cell.evidence = fmt::format("{}", fmt::join(parts, "; "));
  if (kept.empty() && hit.empty()) {
    cell.verdict = "untested";
    cell.evidence += "; no victim was running when the fault happened (run them longer)";
  } else if (hit.empty()) {
    cell.verdict = "isolated";
  } else if (kept.empty()) {
    cell.verdict = "none";
  } else {
    cell.verdict = "partial";
  }
}

void judge_latency(isolation_cell& cell) {
  cell.rule = fmt::format(
      "the victim's p99 beside the aggressors over its p99 alone. isolated: at most {:.2f}x; "
      "partial: at most {:.2f}x; none: above",
      latency_isolated_max_inflation, latency_partial_max_inflation);
  const tenant_record* victim = measured_victim(cell);
  if (victim == nullptr || !victim->p99_inflation) {
    if (victim != nullptr) {
      set_untested(cell, "the victim has no p99 inflation");
    }
    return;
  }
  const latency_summary& alone = victim->solo->latency_us;
  const latency_summary& shared = victim->shared->latency_us;
  const double inflation = *victim->p99_inflation;
  if (!std::isfinite(inflation) || !(alone.p99 > 0)) {
    set_untested(cell, fmt::format("the victim's p99 inflation is not a finite ratio ({} us alone, "
                                   "{} us shared)",
                                   alone.p99, shared.p99));
    return;
  }
  cell.figures["victim_p99_alone_us"] = alone.p99;
  cell.figures["victim_p99_shared_us"] = shared.p99;
  cell.figures["victim_p99_inflation"] = inflation;
  if (alone.p50 > 0 && shared.p50 > 0) {
    cell.figures["victim_jitter_alone"] = alone.p99 / alone.p50;
    cell.figures["victim_jitter_shared"] = shared.p99 / shared.p50;
  }
  cell.verdict = inflation <= latency_isolated_max_inflation  ? "isolated"
                 : inflation <= latency_partial_max_inflation ? "partial"
                                                              : "none";
  cell.evidence = fmt::format(
      "{}: p99 {:.1f} us alone, {:.1f} us beside the aggressors ({:.2f}x); p99/p50 jitter {:.2f} "
      "alone, {:.2f} shared",
      name_of(*victim), alone.p99, shared.p99, inflation,
      alone.p50 > 0 ? alone.p99 / alone.p50 : 0.0, shared.p50 > 0 ? shared.p99 / shared.p50 : 0.0);
  if (victim->shared->throughput_per_s.noisy || victim->solo->throughput_per_s.noisy) {
    cell.flags.push_back("noisy");
  }
}

void judge_compute(isolation_cell& cell, double guaranteed_share,
                   std::optional<double> mechanism_overhead) {
  cell.rule = fmt::format(
      "the victim's throughput beside the aggressors over its throughput alone, against its "
      "guaranteed share ({:.3f}). isolated: at least {:.0f} % of the guarantee; partial: at "
      "least {:.0f} %; none: below",
      guaranteed_share, 100 * compute_isolated_min_share, 100 * compute_partial_min_share);
  cell.figures["guaranteed_share"] = guaranteed_share;
  if (mechanism_overhead && std::isfinite(*mechanism_overhead)) {
    cell.figures["mechanism_overhead"] = *mechanism_overhead;
  }
  const tenant_record* victim = measured_victim(cell);
  if (victim == nullptr || !(victim->solo->throughput_per_s.median > 0) ||
      !(guaranteed_share > 0)) {
    if (victim != nullptr) {
      set_untested(cell, "the victim's throughput alone, or its guaranteed share, is not positive");
    }
    return;
  }
  const double fraction =
      victim->shared->throughput_per_s.median / victim->solo->throughput_per_s.median;
  const double of_guarantee = fraction / guaranteed_share;
  if (!std::isfinite(of_guarantee)) {
    set_untested(cell, "the victim's throughput ratio is not finite");
    return;
  }
  cell.figures["victim_fraction_of_alone"] = fraction;
  cell.figures["victim_share_of_guarantee"] = of_guarantee;
  cell.verdict = of_guarantee >= compute_isolated_min_share  ? "isolated"
                 : of_guarantee >= compute_partial_min_share ? "partial"
                                                             : "none";
  cell.evidence =
      fmt::format("{} ran at {:.1f} % of its speed alone beside the aggressors, "
                  "{:.0f} % of its guaranteed share of {:.1f} %",
                  name_of(*victim), 100 * fraction, 100 * of_guarantee, 100 * guaranteed_share);
  if (victim->shared->throughput_per_s.noisy || victim->solo->throughput_per_s.noisy) {
    cell.flags.push_back("noisy");
  }
}

isolation_cell untested_cell(const std::string& mechanism, const std::string& property,
                             const std::string& why) {
  isolation_cell cell;
  cell.mechanism = mechanism;
  cell.property = property;
  cell.verdict = "untested";
  cell.evidence = why;
  return cell;
}

namespace {

struct documented_claim {
  const char* mechanism;
  const char* property;
  const char* claim;
  const char* expected_verdict; ///< for verdict claims
  double low = 0;               ///< for overhead claims: the claimed range
  double high = 0;
  const char* source;
};

constexpr const char* isolation_matrix_source =
    "\"Why share a GPU? The economics, the mechanics, the four mechanisms\" (AI Platform "
    "Engineering & MLOps, part XXVI): isolation matrix";
constexpr const char* comparison_matrix_source = "\"Why Share GPUs?\" comparison matrix";

// The articles' words, and the verdict of ours each one amounts to: "none"/"shared" = none,
// "partial"/"low-medium jitter" = partial, "hardware"/"guaranteed"/"full"/"negligible jitter" =
// isolated. "High" latency jitter claims the victim's latency is not protected: none.
const documented_claim documented_claims[] = {
    {"timeslice", "memory", "none", "none", 0, 0, isolation_matrix_source},
    {"timeslice", "compute", "none", "none", 0, 0, isolation_matrix_source},
    {"timeslice", "fault", "partial", "partial", 0, 0, isolation_matrix_source},
    {"timeslice", "latency", "high jitter", "none", 0, 0, isolation_matrix_source},
    {"mps", "memory", "partial", "partial", 0, 0, isolation_matrix_source},
    {"mps", "compute", "none", "none", 0, 0, isolation_matrix_source},
    {"mps", "fault", "none", "none", 0, 0, isolation_matrix_source},
    {"mps", "latency", "low-medium jitter", "partial", 0, 0, isolation_matrix_source},
    {"mig", "memory", "hardware", "isolated", 0, 0, isolation_matrix_source},
    {"mig", "compute", "hardware", "isolated", 0, 0, isolation_matrix_source},
    {"mig", "fault", "hardware", "isolated", 0, 0, isolation_matrix_source},
    {"mig", "latency", "negligible jitter", "isolated", 0, 0, isolation_matrix_source},
    {"timeslice", "memory", "shared (none)", "none", 0, 0, comparison_matrix_source},
    {"mps", "fault", "shared failure domain (none)", "none", 0, 0, comparison_matrix_source},
    {"timeslice", "overhead", "~10-15%", nullptr, 0.10, 0.15, comparison_matrix_source},
    {"mps", "overhead", "~5%", nullptr, 0.05, 0.05, comparison_matrix_source},
    {"mig", "overhead", "~0%", nullptr, 0.0, 0.0, comparison_matrix_source},
};

/// The widening of a claimed overhead range before the measurement is held against it: the
/// articles round to 5 points.
constexpr double overhead_claim_slack = 0.05;

const isolation_cell* find_cell(const std::vector<isolation_cell>& cells,
                                const std::string& mechanism, const std::string& property) {
  for (const isolation_cell& cell : cells) {
    if (cell.mechanism == mechanism && cell.property == property) {
      return &cell;
    }
  }
  return nullptr;
}

/// Host-* test instruments say nothing about the GPU, and a cell whose tenants bypassed the
/// mechanism says nothing about the mechanism: neither may confirm or refute a claim.
bool evidence_about_the_gpu(const isolation_cell& cell) {
  for (const std::string& flag : cell.flags) {
    if (flag == "host_instruments_only" || flag == "invalid") {
      return false;
    }
  }
  return true;
}

constexpr const char* instrument_basis =
    "measured with host-* test instruments (or tenants that bypassed the mechanism): no "
    "evidence about the GPU either way";

} // namespace

std::vector<isolation_claim> check_claims(const std::vector<isolation_cell>& cells) {
  std::vector<isolation_claim> claims;
  for (const documented_claim& documented : documented_claims) {
    isolation_claim claim;
    claim.mechanism = documented.mechanism;
    claim.property = documented.property;
    claim.claim = documented.claim;
    claim.source = documented.source;
    claim.holds = "untested";
    if (documented.expected_verdict != nullptr) {
      const isolation_cell* cell = find_cell(cells, documented.mechanism, documented.property);
      if (cell == nullptr || cell->verdict == "untested" || cell->verdict.empty()) {
        claim.basis = cell == nullptr ? "not measured" : "untested: " + cell->evidence;
      } else if (!evidence_about_the_gpu(*cell)) {
        claim.basis = instrument_basis;
      } else {
        claim.holds = cell->verdict == documented.expected_verdict ? "yes" : "no";
        claim.basis = fmt::format("measured {}, the claim amounts to {}", cell->verdict,
                                  documented.expected_verdict);
      }
    } else {
      // The overhead claims are about saturating tenants sharing the GPU: the compute scenario.
      const isolation_cell* cell = find_cell(cells, documented.mechanism, "compute");
      const std::optional<double> overhead = cell == nullptr || cell->verdict == "untested"
                                                 ? std::nullopt
                                                 : figure(*cell, "mechanism_overhead");
      if (!overhead) {
        claim.basis = "no mechanism overhead measured";
      } else if (!evidence_about_the_gpu(*cell)) {
        claim.basis = instrument_basis;
      } else {
        const double low = documented.low - overhead_claim_slack;
        const double high = documented.high + overhead_claim_slack;
        claim.holds = *overhead >= low && *overhead <= high ? "yes" : "no";
        claim.basis = fmt::format(
            "measured mechanism overhead {:+.1f} % in the compute scenario; the claim holds "
            "within [{:+.1f} %, {:+.1f} %]",
            100 * *overhead, 100 * low, 100 * high);
      }
    }
    claims.push_back(std::move(claim));
  }
  return claims;
}

} // namespace gpushare
