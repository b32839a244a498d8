#include "harness/physical_limits.hpp"

#include "harness/workload_spec.hpp"

#include <fmt/format.h>

#include <map>
#include <tuple>

namespace gpushare {
namespace {

constexpr const char* memory_limit = "device_memory_gb_per_s";

double mib(double bytes) {
  return bytes / (1024.0 * 1024.0);
}

limit_check make_check(std::string limit, double achieved, double limit_value) {
  limit_check check;
  check.limit = std::move(limit);
  check.achieved = achieved;
  check.limit_value = limit_value;
  check.fraction = limit_value > 0 ? achieved / limit_value : 0;
  return check;
}

/// Bytes per second against device memory; only enforced when the data cannot stay in L2,
/// where a small working set legitimately runs faster than device memory.
limit_check memory_check(double bytes_per_s, double footprint_bytes,
                         const calibration_result& limits) {
  limit_check check =
      make_check(memory_limit, bytes_per_s / 1e9, limits.device_copy->gb_per_s.median);
  const double cache = static_cast<double>(limits.l2_cache_bytes);
  if (footprint_bytes <= 2 * cache) {
    check.enforced = false;
    check.note = fmt::format("working set {:.1f} MiB is within twice the L2 cache ({:.1f} MiB): "
                             "it may run from cache, faster than device memory",
                             mib(footprint_bytes), mib(cache));
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
  return fmt::format("{:.4g} {} is {:.2f}x the calibrated {} ({:.4g})", check.achieved,
                     tflops ? "TFLOP/s" : "GB/s", check.fraction, check.limit, check.limit_value);
}

bool violates(const limit_check& check) {
  return check.enforced && check.fraction > 1.0 + limit_tolerance;
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
      checks.push_back(make_check(name, bytes / stage->median / 1e3, (*link)->gb_per_s.median));
    }
  }
  return checks;
}

} // namespace

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
                                  result.flops_per_iteration * per_s / 1e12, peak->tflops.median));
    }
  } else if (spec.name == "triad" && limits.device_copy) {
    // Each element of a, b and c is touched once: the bytes moved are the working set.
    checks.push_back(
        memory_check(result.bytes_per_iteration * per_s, result.bytes_per_iteration, limits));
  } else if (spec.name == "mixed") {
    if (limits.device_copy) {
      // In place: each byte is read and written, so the working set is half the traffic.
      checks.push_back(
          memory_check(result.bytes_per_iteration * per_s, result.bytes_per_iteration / 2, limits));
    }
    if (const gemm_peak* peak = peak_for(limits, "fp32")) {
      limit_check check = make_check("gemm_fp32_tflops", result.flops_per_iteration * per_s / 1e12,
                                     peak->tflops.median);
      check.enforced = false;
      check.note = "plain fp32 FMAs against cuBLAS SGEMM, which stays below the FMA peak: a "
                   "fraction above 1 is possible";
      checks.push_back(check);
    }
  }
  return checks;
}

std::vector<std::string> apply_limits(run_record& run, const calibration_result& limits) {
  std::vector<std::string> violations;
  std::map<std::string, limit_check> shared_sum;
  for (tenant_record& tenant : run.tenants) {
    for (auto* phase : {&tenant.solo, &tenant.shared}) {
      if (!*phase) {
        continue;
      }
      (*phase)->limits = check_against_limits(**phase, limits);
      for (const limit_check& check : (*phase)->limits) {
        if (violates(check)) {
          violations.push_back(fmt::format("tenant {} ({}) {}: {}", tenant.id, tenant.workload,
                                           phase == &tenant.solo ? "solo" : "shared",
                                           phase_rate(check)));
        }
        if (phase == &tenant.shared) {
          auto [entry, inserted] = shared_sum.try_emplace(check.limit, check);
          if (!inserted) {
            entry->second.achieved += check.achieved;
            entry->second.enforced = entry->second.enforced && check.enforced;
            if (entry->second.note.empty()) {
              entry->second.note = check.note;
            }
          }
        }
      }
    }
  }
  run.limits.clear();
  if (run.streams) {
    for (limit_check& check : streams_checks(*run.streams, limits)) {
      if (violates(check)) {
        violations.push_back("streams copy pipeline: " + phase_rate(check));
      }
      run.limits.push_back(std::move(check));
    }
  }
  for (auto& [name, sum] : shared_sum) {
    sum.fraction = sum.limit_value > 0 ? sum.achieved / sum.limit_value : 0;
    if (violates(sum)) {
      violations.push_back(fmt::format("all tenants together, shared: {}", phase_rate(sum)));
    }
    run.limits.push_back(sum);
  }
  if (!violations.empty()) {
    run.status = run_status::failed;
    run.flags.emplace_back("above_physical_limit");
    std::string reason = "a measured rate is above the card's calibrated limit (more than " +
                         fmt::format("{:.0f} %", 100 * limit_tolerance) +
                         " over), so the work was miscounted or not done; not a record: ";
    for (std::size_t i = 0; i < violations.size(); ++i) {
      reason += (i == 0 ? "" : "; ") + violations[i];
    }
    run.reason = run.reason.empty() ? reason : run.reason + "; " + reason;
  }
  return violations;
}

const calibration_result* latest_calibration(const std::vector<run_record>& runs) {
  for (auto run = runs.rbegin(); run != runs.rend(); ++run) {
    if (run->mode == "calibrate" && run->status == run_status::ok && run->calibration) {
      return &*run->calibration;
    }
  }
  return nullptr;
}

} // namespace gpushare
