#include "report/compare.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fnmatch.h>
#include <map>

namespace gpushare::report {
namespace {

template <typename T> std::string optional_text(const std::optional<T>& value) {
  return value ? fmt::format("{}", *value) : std::string("none");
}

template <typename T>
void differ(std::vector<std::string>& out, const std::string& what, const T& base, const T& next) {
  if (base != next) {
    out.push_back(fmt::format("{}: {} -> {}", what, base, next));
  }
}

template <typename T>
void differ_optional(std::vector<std::string>& out, const std::string& what,
                     const std::optional<T>& base, const std::optional<T>& next) {
  if (base != next) {
    out.push_back(fmt::format("{}: {} -> {}", what, optional_text(base), optional_text(next)));
  }
}

bool selected(const std::string& name, const std::vector<std::string>& patterns) {
  if (patterns.empty()) {
    return true;
  }
  for (const std::string& pattern : patterns) {
    if (fnmatch(pattern.c_str(), name.c_str(), 0) == 0) {
      return true;
    }
  }
  return false;
}

bool intervals_overlap(const metric& a, const metric& b) {
  const double a_low = a.low.value_or(a.value);
  const double a_high = a.high.value_or(a.value);
  const double b_low = b.low.value_or(b.value);
  const double b_high = b.high.value_or(b.value);
  return a_low <= b_high && b_low <= a_high;
}

} // namespace

const char* to_string(verdict value) {
  switch (value) {
  case verdict::faster:
    return "faster";
  case verdict::slower:
    return "slower";
  case verdict::same:
    return "same";
  case verdict::unclear:
    return "unclear";
  case verdict::only_in_base:
    return "only in base";
  case verdict::only_in_new:
    return "only in new";
  }
  return "unknown";
}

environment_comparison environment_differences(const report_document& base,
                                               const report_document& next) {
  environment_comparison out;
  const environment_info& a = base.environment;
  const environment_info& b = next.environment;
  const auto device_a = static_cast<std::size_t>(std::max(base.config.device, 0));
  const auto device_b = static_cast<std::size_t>(std::max(next.config.device, 0));
  if ((device_a < a.gpus.size()) != (device_b < b.gpus.size())) {
    out.refusing.push_back(fmt::format("GPU measured: {} -> {}",
                                       device_a < a.gpus.size() ? "present" : "none",
                                       device_b < b.gpus.size() ? "present" : "none"));
  } else if (device_a < a.gpus.size()) {
    const gpu_info& x = a.gpus[device_a];
    const gpu_info& y = b.gpus[device_b];
    differ(out.refusing, "GPU name", x.name, y.name);
    // A mode one report could not read (an older version on a MIG instance) is no difference
    // in the GPU measured.
    const bool mig_unknown = x.mig_mode == "unknown" || y.mig_mode == "unknown";
    differ(mig_unknown ? out.noted : out.refusing, "GPU MIG mode", x.mig_mode, y.mig_mode);
    differ(out.refusing, "GPU compute mode", x.compute_mode, y.compute_mode);
    if (x.nvml && y.nvml) {
      differ_optional(out.refusing, "GPU power limit [W]", x.nvml->power_limit_w,
                      y.nvml->power_limit_w);
      differ_optional(out.refusing, "GPU application SM clock [MHz]",
                      x.nvml->applications_sm_clock_mhz, y.nvml->applications_sm_clock_mhz);
      differ_optional(out.refusing, "GPU application memory clock [MHz]",
                      x.nvml->applications_memory_clock_mhz, y.nvml->applications_memory_clock_mhz);
    }
  }
  differ(out.refusing, "repetitions", base.config.repetitions, next.config.repetitions);
  differ(out.refusing, "warm-up iterations", base.config.warmup_iterations,
         next.config.warmup_iterations);
  differ_optional(out.refusing, "duration per repetition [s]", base.config.duration_s,
                  next.config.duration_s);
  differ_optional(out.refusing, "iterations per repetition", base.config.iterations,
                  next.config.iterations);
  differ(out.noted, "driver release", a.driver_release, b.driver_release);
  differ(out.noted, "CUDA driver version", a.cuda_driver_version, b.cuda_driver_version);
  differ(out.noted, "CUDA runtime version", a.cuda_runtime_version, b.cuda_runtime_version);
  return out;
}

std::optional<double> change_of(const metric& base, const metric& next) {
  if (!base.level.empty() || !next.level.empty()) {
    return std::nullopt; // a verdict moves from word to word, by no amount
  }
  if (base.unit.empty()) {
    return next.value - base.value;
  }
  if (base.value == 0) {
    return std::nullopt;
  }
  return (next.value - base.value) / std::fabs(base.value);
}

verdict judge(const metric& base, const metric& next, double threshold) {
  if (base.value == next.value) {
    return verdict::same;
  }
  if (!base.level.empty()) {
    if (!(base.exact && next.exact)) {
      return verdict::unclear;
    }
    return next.value > base.value ? verdict::faster : verdict::slower;
  }
  const std::optional<double> change = change_of(base, next);
  if (change && std::fabs(*change) <= threshold) {
    return verdict::same;
  }
  const bool intervals = base.low && base.high && next.low && next.high;
  if (!intervals || intervals_overlap(base, next)) {
    return verdict::unclear;
  }
  const bool improved = base.higher_is_better ? next.value > base.value : next.value < base.value;
  return improved ? verdict::faster : verdict::slower;
}

comparison compare_reports(const report_document& base, const report_document& next,
                           const compare_settings& settings) {
  comparison result;
  result.environment = environment_differences(base, next);
  const std::vector<metric> base_metrics = extract_metrics(base);
  const std::vector<metric> next_metrics = extract_metrics(next);
  std::map<std::string, const metric*> next_by_name;
  for (const metric& figure : next_metrics) {
    next_by_name.emplace(figure.name, &figure);
  }
  std::map<std::string, bool> matched;
  for (const metric& figure : base_metrics) {
    if (!selected(figure.name, settings.metrics)) {
      continue;
    }
    metric_delta delta;
    delta.name = figure.name;
    delta.base = figure;
    const auto found = next_by_name.find(figure.name);
    if (found == next_by_name.end()) {
      delta.outcome = verdict::only_in_base;
    } else {
      matched[figure.name] = true;
      delta.next = *found->second;
      delta.delta = change_of(figure, *found->second);
      delta.outcome = judge(figure, *found->second, settings.threshold);
      ++result.compared;
    }
    const bool missing = delta.outcome == verdict::only_in_base && !settings.allow_missing;
    result.regressions += delta.outcome == verdict::slower || missing ? 1 : 0;
    result.deltas.push_back(std::move(delta));
  }
  for (const metric& figure : next_metrics) {
    if (matched.count(figure.name) == 0 && selected(figure.name, settings.metrics)) {
      metric_delta delta;
      delta.name = figure.name;
      delta.next = figure;
      delta.outcome = verdict::only_in_new;
      result.deltas.push_back(std::move(delta));
    }
  }
  return result;
}

} // namespace gpushare::report
