#include "harness/physical_limits.hpp"

#include "harness/workload_spec.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

namespace gpushare {
namespace {

constexpr const char* memory_limit = "device_memory_gb_per_s";

double mib(double bytes) {
  return bytes / (1024.0 * 1024.0);
}

limit_check make_check(std::string limit, double achieved, const sample_summary& calibrated) {
  limit_check check;
  check.limit = std::move(limit);
  check.achieved = achieved;
  check.limit_value = calibrated.median;
  check.limit_high = std::max(calibrated.ci_high, calibrated.median);
  if (!(calibrated.median > 0) || !std::isfinite(calibrated.median)) {
    check.fraction = std::numeric_limits<double>::quiet_NaN();
    check.enforced = false;
    check.note = "the calibration has no usable value for this limit";
    return check;
  }
  check.fraction = achieved / calibrated.median;
  return check;
}

/// The faster of the driver's copy and the triad kernel: either one alone can sit below what
/// device memory sustains.
const bandwidth_figure* memory_figure(const calibration_result& limits) {
  const bandwidth_figure* best = nullptr;
  for (const auto* figure : {&limits.device_copy, &limits.device_triad}) {
    if (*figure && (best == nullptr || (*figure)->gb_per_s.median > best->gb_per_s.median)) {
      best = &**figure;
    }
  }
  return best;
}

bool fits_in_cache(double footprint_bytes, const calibration_result& limits) {
  return footprint_bytes <= 2.0 * static_cast<double>(limits.l2_cache_bytes);
}

std::string cache_note(double footprint_bytes, const calibration_result& limits) {
  return fmt::format("working set {:.1f} MiB is within twice the L2 cache ({:.1f} MiB): it may "
                     "run from cache, faster than device memory",
                     mib(footprint_bytes), mib(static_cast<double>(limits.l2_cache_bytes)));
}

/// Bytes a memory-bound workload keeps live; 0 for the others.
double footprint_bytes(const workload_spec& spec, const workload_result& result) {
  if (spec.name == "triad") {
    return result.bytes_per_iteration; // a, b and c, each touched once
  }
  if (spec.name == "mixed") {
    return result.bytes_per_iteration / 2; // in place: every byte read and written
  }
  return 0;
}

limit_check memory_check(double bytes_per_s, double footprint, const calibration_result& limits) {
  limit_check check = make_check(memory_limit, bytes_per_s / 1e9, memory_figure(limits)->gb_per_s);
  if (check.enforced && fits_in_cache(footprint, limits)) {
    check.enforced = false;
    check.note = cache_note(footprint, limits);
  }
  return check;
}

const gemm_peak* peak_for(const calibration_result& limits, const std::string& dtype) {
  for (const gemm_peak& peak : limits.gemm) {
    if (peak.dtype == dtype) {
      return &peak;
    }
  }
  return nullptr;
}

std::string phase_rate(const limit_check& check) {
  const bool tflops = check.limit.find("tflops") != std::string::npos;
  return fmt::format("{:.4g} {} is {:.2f}x the calibrated {} ({:.4g}, interval up to {:.4g})",
                     check.achieved, tflops ? "TFLOP/s" : "GB/s", check.fraction, check.limit,
                     check.limit_value, check.limit_high);
}

/// The copy pipeline's stages timed alone are plain pinned copies, so the calibrated host
/// links bound them directly.
std::vector<limit_check> streams_checks(const streams_result& streams,
                                        const calibration_result& limits) {
  std::vector<limit_check> checks;
  const copy_pipeline_result& pipeline = streams.copy_pipeline;
  const double bytes = static_cast<double>(pipeline.total_bytes);
  for (const auto& [name, stage, link] :
       {std::tuple{"host_to_device_gb_per_s", &pipeline.h2d_us, &limits.host_to_device},
        std::tuple{"device_to_host_gb_per_s", &pipeline.d2h_us, &limits.device_to_host}}) {
    if (*link && stage->count > 0 && stage->median > 0 && bytes > 0) {
      checks.push_back(make_check(name, bytes / stage->median / 1e3, (*link)->gb_per_s));
    }
  }
  return checks;
}

/// The shared phase's rates summed per limit, enforced only where the sum means something.
std::vector<limit_check> shared_sums(const std::vector<tenant_record>& tenants,
                                     const calibration_result& limits) {
  std::map<std::string, limit_check> sums;
  std::map<std::string, double> footprints;
  // A tenant check that is not enforced for a reason other than its own cache fit (no usable
  // limit, FMAs against SGEMM) leaves the sum unenforced for the same reason.
  std::map<std::string, std::string> blocked;
  for (const tenant_record& tenant : tenants) {
    if (!tenant.shared) {
      continue;
    }
    workload_spec spec;
    try {
      spec = parse_workload_spec(tenant.shared->workload);
    } catch (const std::exception&) {
      continue;
    }
    const double footprint = footprint_bytes(spec, *tenant.shared);
    for (const limit_check& check : tenant.shared->limits) {
      auto [entry, inserted] = sums.try_emplace(check.limit, check);
      if (!inserted) {
        entry->second.achieved += check.achieved;
      }
      footprints[check.limit] += footprint;
      const bool cache_only = check.limit == memory_limit && fits_in_cache(footprint, limits);
      if (!check.enforced && !cache_only && blocked.count(check.limit) == 0) {
        blocked[check.limit] = check.note;
      }
    }
  }
  std::vector<limit_check> out;
  const std::optional<double> overlap = shared_overlap(tenants);
  for (auto& [name, sum] : sums) {
    sum.fraction = sum.limit_value > 0 ? sum.achieved / sum.limit_value
                                       : std::numeric_limits<double>::quiet_NaN();
    sum.enforced = false;
    if (const auto reason = blocked.find(name); reason != blocked.end()) {
      sum.note = reason->second;
    } else if (name == memory_limit && fits_in_cache(footprints[name], limits)) {
      // Concurrent tenants share the cache: their joint working set decides.
      sum.note = cache_note(footprints[name], limits);
    } else if (!overlap || *overlap < min_tenant_overlap) {
      sum.note = overlap ? fmt::format("the tenants timed together for only {:.0f} % of the shared "
                                       "phase, so their medians do not add up",
                                       100 * *overlap)
                         : "when each tenant timed is unknown, so their medians do not add up";
    } else {
      sum.enforced = true;
      sum.note.clear();
    }
    out.push_back(sum);
  }
  return out;
}

} // namespace

bool exceeds_limit(const limit_check& check) {
  const double bound = check.limit_high > 0 ? check.limit_high : check.limit_value;
  return check.enforced && bound > 0 && check.achieved > bound * (1.0 + limit_tolerance);
}

std::optional<double> shared_overlap(const std::vector<tenant_record>& tenants) {
  double latest_start = 0;
  double earliest_start = std::numeric_limits<double>::infinity();
  double earliest_end = std::numeric_limits<double>::infinity();
  double latest_end = 0;
  int counted = 0;
  for (const tenant_record& tenant : tenants) {
    if (!tenant.shared || tenant.shared->iterations == 0) {
      continue;
    }
    const workload_result& shared = *tenant.shared;
    if (shared.first_iteration_start_ns == 0 || shared.repetition_iteration_time_us.empty()) {
      return std::nullopt;
    }
    double mean_us = 0;
    for (const double time : shared.repetition_iteration_time_us) {
      mean_us += time;
    }
    mean_us /= static_cast<double>(shared.repetition_iteration_time_us.size());
    const double start = static_cast<double>(shared.first_iteration_start_ns);
    const double end = start + 1e3 * mean_us * static_cast<double>(shared.iterations);
    earliest_start = std::min(earliest_start, start);
    latest_start = std::max(latest_start, start);
    earliest_end = std::min(earliest_end, end);
    latest_end = std::max(latest_end, end);
    ++counted;
  }
  if (counted == 0) {
    return std::nullopt;
  }
  const double span = latest_end - earliest_start;
  if (!(span > 0)) {
    return std::nullopt;
  }
  return std::max(0.0, earliest_end - latest_start) / span;
}

std::vector<limit_check> check_against_limits(const workload_result& result,
                                              const calibration_result& limits) {
  std::vector<limit_check> checks;
  if (result.host_only || result.throughput_per_s.count == 0) {
    return checks;
  }
  workload_spec spec;
  try {
    spec = parse_workload_spec(result.workload);
  } catch (const std::exception&) {
    return checks; // a name this version does not know has no limit to compare with
  }
  const double per_s = result.throughput_per_s.median;
  if (spec.name == "gemm") {
    const std::string& dtype = spec.get("dtype");
    if (const gemm_peak* peak = peak_for(limits, dtype)) {
      checks.push_back(make_check("gemm_" + dtype + "_tflops",
                                  result.flops_per_iteration * per_s / 1e12, peak->tflops));
    }
  } else if ((spec.name == "triad" || spec.name == "mixed") && memory_figure(limits) != nullptr) {
    checks.push_back(
        memory_check(result.bytes_per_iteration * per_s, footprint_bytes(spec, result), limits));
  }
  if (spec.name == "mixed") {
    if (const gemm_peak* peak = peak_for(limits, "fp32")) {
      limit_check check =
          make_check("gemm_fp32_tflops", result.flops_per_iteration * per_s / 1e12, peak->tflops);
      check.enforced = false;
      check.note = "plain fp32 FMAs against cuBLAS SGEMM, which stays below the FMA peak: a "
                   "fraction above 1 is possible";
      checks.push_back(check);
    }
  }
  return checks;
}

std::vector<std::string> apply_limits(run_record& run, const calibration_result& limits,
                                      const std::vector<std::string>& calibration_flags) {
  std::vector<std::string> violations;
  if (run.mode == "mig" && !limits.whole_gpu) {
    return violations; // one instance's limits bound neither another instance nor the sum
  }
  for (tenant_record& tenant : run.tenants) {
    for (auto* phase : {&tenant.solo, &tenant.shared}) {
      if (*phase) {
        (*phase)->limits = check_against_limits(**phase, limits);
      }
    }
  }
  run.limits.clear();
  if (run.streams) {
    run.limits = streams_checks(*run.streams, limits);
  }
  for (limit_check& sum : shared_sums(run.tenants, limits)) {
    run.limits.push_back(std::move(sum));
  }

  std::vector<std::string> untrusted;
  for (const char* flag : {"throttled", "clock_drift", "noisy"}) {
    if (std::find(calibration_flags.begin(), calibration_flags.end(), flag) !=
        calibration_flags.end()) {
      untrusted.emplace_back(flag);
    }
  }
  const auto judge = [&](limit_check& check, const std::string& where) {
    if (!untrusted.empty() && check.enforced) {
      check.enforced = false;
      check.note = fmt::format("the calibration was flagged {}: reported, not enforced",
                               fmt::format("{}", fmt::join(untrusted, ", ")));
    }
    if (exceeds_limit(check)) {
      violations.push_back(where + ": " + phase_rate(check));
    }
  };
  for (tenant_record& tenant : run.tenants) {
    for (auto* phase : {&tenant.solo, &tenant.shared}) {
      if (*phase) {
        for (limit_check& check : (*phase)->limits) {
          judge(check, fmt::format("tenant {} ({}) {}", tenant.id, tenant.workload,
                                   phase == &tenant.solo ? "solo" : "shared"));
        }
      }
    }
  }
  for (limit_check& check : run.limits) {
    judge(check, run.streams ? "streams copy pipeline" : "all tenants together, shared");
  }

  if (!violations.empty()) {
    run.status = run_status::failed;
    run.flags.emplace_back("above_physical_limit");
    std::string reason = fmt::format("a measured rate is above the card's calibrated limit (more "
                                     "than {:.0f} % over), so the work was miscounted or not "
                                     "done; not a record: ",
                                     100 * limit_tolerance);
    for (std::size_t i = 0; i < violations.size(); ++i) {
      reason += (i == 0 ? "" : "; ") + violations[i];
    }
    run.reason = run.reason.empty() ? reason : run.reason + "; " + reason;
  }
  return violations;
}

const run_record* latest_calibration(const std::vector<run_record>& runs) {
  for (auto run = runs.rbegin(); run != runs.rend(); ++run) {
    if (run->mode == "calibrate" && run->status == run_status::ok && run->calibration) {
      return &*run;
    }
  }
  return nullptr;
}

} // namespace gpushare
