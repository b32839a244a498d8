#include "report/metrics.hpp"

#include "report/isolation_figures.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <map>

namespace gpushare::report {
namespace {

/// Consecutive equal workloads collapse into "Nx spec", so 8 GEMM tenants read as one.
std::string workload_summary(const run_record& run) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < run.tenants.size()) {
    std::size_t same = i + 1;
    while (same < run.tenants.size() && run.tenants[same].workload == run.tenants[i].workload) {
      ++same;
    }
    const std::size_t count = same - i;
    parts.push_back(count == 1 ? run.tenants[i].workload
                               : fmt::format("{}x {}", count, run.tenants[i].workload));
    i = same;
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

class collector {
public:
  explicit collector(std::vector<metric>& out) : m_out(out) {}

  void add(const std::string& name, const std::string& unit, bool higher_is_better, double value) {
    if (!std::isfinite(value)) {
      return;
    }
    metric figure;
    figure.name = name;
    figure.unit = unit;
    figure.higher_is_better = higher_is_better;
    figure.value = value;
    m_out.push_back(std::move(figure));
  }

  void add(const std::string& name, const std::string& unit, bool higher_is_better,
           const std::optional<double>& value) {
    if (value) {
      add(name, unit, higher_is_better, *value);
    }
  }

  void add(const std::string& name, const std::string& unit, bool higher_is_better,
           const sample_summary& summary) {
    if (summary.count == 0 || !std::isfinite(summary.median)) {
      return;
    }
    add(name, unit, higher_is_better, summary.median);
    if (std::isfinite(summary.ci_low) && std::isfinite(summary.ci_high)) {
      m_out.back().low = summary.ci_low;
      m_out.back().high = summary.ci_high;
    }
    m_out.back().noisy = summary.noisy;
  }

  /// A ratio of two figures measured over repetitions: the ratio of medians, with the widest
  /// ratio their intervals allow (numerator / denominator both [low, high]).
  void add_ratio(const std::string& name, const std::string& unit, bool higher_is_better,
                 double value, double low_numerator, double high_numerator, double low_denominator,
                 double high_denominator) {
    add(name, unit, higher_is_better, value);
    if (m_out.empty() || m_out.back().name != name) {
      return;
    }
    const double low = low_numerator / high_denominator;
    const double high = high_numerator / low_denominator;
    if (std::isfinite(low) && std::isfinite(high) && low <= value && value <= high) {
      m_out.back().low = low;
      m_out.back().high = high;
    }
  }

  /// An isolation verdict by its rank; a word that is no verdict (a newer tool's) is left out.
  void add_verdict(const std::string& name, const std::string& verdict, bool exact) {
    static const std::map<std::string, double> ranks{
        {"none", 0.0}, {"partial", 1.0}, {"isolated", 2.0}};
    const auto rank = ranks.find(verdict);
    if (rank == ranks.end()) {
      return;
    }
    add(name, "", true, rank->second);
    m_out.back().level = verdict;
    m_out.back().exact = exact;
  }

private:
  std::vector<metric>& m_out;
};

void add_calibration(collector& out, const std::string& key, const calibration_result& limits) {
  for (const gemm_peak& peak : limits.gemm) {
    out.add(fmt::format("{}/gemm_{}_tflops", key, peak.dtype), "TFLOP/s", true, peak.tflops);
  }
  for (const auto& [name, figure] :
       {std::pair{"device_memory_gb_per_s", &limits.device_copy},
        std::pair{"device_memory_triad_gb_per_s", &limits.device_triad},
        std::pair{"host_to_device_gb_per_s", &limits.host_to_device},
        std::pair{"device_to_host_gb_per_s", &limits.device_to_host}}) {
    if (*figure) {
      out.add(key + "/" + name, "GB/s", true, (*figure)->gb_per_s);
    }
  }
  out.add(key + "/launch_round_trip_us", "us", false, limits.launch_round_trip_us);
  out.add(key + "/launch_back_to_back_us", "us", false, limits.launch_back_to_back_us);
}

void add_streams(collector& out, const std::string& key, const streams_result& streams) {
  for (const auto& [experiment, points] :
       {std::pair{"kernel_overlap", &streams.kernel_overlap.points},
        std::pair{"copy_pipeline", &streams.copy_pipeline.points}}) {
    const stream_point* one = nullptr;
    for (const stream_point& point : *points) {
      one = point.streams == 1 ? &point : one;
    }
    for (const stream_point& point : *points) {
      const std::string prefix = fmt::format("{}/{}/S={}", key, experiment, point.streams);
      out.add(prefix + "/time_us", "us", false, point.time_us);
      if (point.streams == 1) {
        continue;
      }
      if (one != nullptr) {
        // speedup = T(1) / T(S): its interval from the two times' intervals.
        out.add_ratio(prefix + "/speedup", "x", true, point.speedup, one->time_us.ci_low,
                      one->time_us.ci_high, point.time_us.ci_low, point.time_us.ci_high);
      } else {
        out.add(prefix + "/speedup", "x", true, point.speedup);
      }
      out.add(prefix + "/efficiency", "", true, point.efficiency);
    }
  }
}

void add_phase(collector& out, const std::string& prefix, const workload_result& result) {
  out.add(prefix + "/throughput_per_s", "1/s", true, result.throughput_per_s);
  if (result.latency_us.count > 0) {
    out.add(prefix + "/p50_us", "us", false, result.latency_us.p50);
    out.add(prefix + "/p99_us", "us", false, result.latency_us.p99);
  }
}

void add_tenants(collector& out, const std::string& key, const run_record& run) {
  for (const tenant_record& tenant : run.tenants) {
    if (tenant.status != "ok") {
      continue;
    }
    const std::string prefix = fmt::format("{}/tenant{}", key, tenant.id);
    if (tenant.solo) {
      add_phase(out, prefix + "/solo", *tenant.solo);
    }
    if (tenant.shared) {
      add_phase(out, prefix + "/shared", *tenant.shared);
    }
    if (tenant.slowdown && tenant.solo && tenant.shared) {
      // slowdown = median shared time / median solo time, interval from both.
      const sample_summary& solo = tenant.solo->iteration_time_us;
      const sample_summary& shared = tenant.shared->iteration_time_us;
      out.add_ratio(prefix + "/slowdown", "x", false, *tenant.slowdown, shared.ci_low,
                    shared.ci_high, solo.ci_low, solo.ci_high);
    } else {
      out.add(prefix + "/slowdown", "x", false, tenant.slowdown);
    }
    out.add(prefix + "/p99_inflation", "x", false, tenant.p99_inflation);
    out.add(prefix + "/fraction_of_full_gpu", "", true, tenant.fraction_of_full_gpu);
  }
  const aggregate_figures& aggregate = run.aggregate;
  if (aggregate.throughput_ratio) {
    // Sum of shared throughputs over sum of solo ones, each sum bounded by its intervals.
    double shared_low = 0;
    double shared_high = 0;
    double solo_low = 0;
    double solo_high = 0;
    for (const tenant_record& tenant : run.tenants) {
      if (tenant.status == "ok" && tenant.solo && tenant.shared) {
        shared_low += tenant.shared->throughput_per_s.ci_low;
        shared_high += tenant.shared->throughput_per_s.ci_high;
        solo_low += tenant.solo->throughput_per_s.ci_low;
        solo_high += tenant.solo->throughput_per_s.ci_high;
      }
    }
    out.add_ratio(key + "/throughput_ratio", "x", true, *aggregate.throughput_ratio, shared_low,
                  shared_high, solo_low, solo_high);
  }
  out.add(key + "/fairness", "", true, aggregate.fairness);
  out.add(key + "/mechanism_overhead", "", false, aggregate.mechanism_overhead);
  out.add(key + "/start_skew_us", "us", false, aggregate.start_skew_us);
  out.add(key + "/interference", "x", false, aggregate.interference);
}

// The measured figures of each measured cell as "<run>/<mechanism>/<property>/<figure>", and
// its verdict: untested and invalid cells, and a cell's settings and timestamps, are no
// measurement to hold a new run against. The figures have no interval, so compare calls a
// change "unclear" at most; so is a verdict judged on them (latency, compute). A memory or
// fault verdict records what happened to the victim, so a change in it is a regression or an
// improvement. A figure that vanished (a cell that became untested) counts against the new
// report unless --allow-missing.
void add_isolation(collector& out, const std::string& key, const isolation_result& isolation) {
  std::map<std::string, int> seen;
  for (const isolation_cell& cell : isolation.cells) {
    std::string prefix = fmt::format("{}/{}/{}", key, cell.mechanism, cell.property);
    if (const int occurrence = ++seen[prefix]; occurrence > 1) {
      prefix += fmt::format("#{}", occurrence);
    }
    if (!cell_measured(cell)) {
      continue;
    }
    for (const std::string& name : measured_figures(cell.property)) {
      if (const auto found = cell.figures.find(name); found != cell.figures.end()) {
        out.add(prefix + "/" + name, figure_unit(name), figure_higher_is_better(name),
                found->second);
      }
    }
    if (cell.mps_fault && cell.figures.count("recovery_ms") == 0) {
      out.add(prefix + "/recovery_ms", "ms", false, cell.mps_fault->recovery_ms);
    }
    out.add_verdict(prefix + "/verdict", cell.verdict,
                    cell.property == "memory" || cell.property == "fault");
  }
}

} // namespace

std::vector<std::string> run_keys(const std::vector<run_record>& runs) {
  std::vector<std::string> keys;
  std::map<std::string, int> seen;
  for (const run_record& run : runs) {
    std::string key =
        run.tenants.empty() ? run.mode : fmt::format("{}({})", run.mode, workload_summary(run));
    const int occurrence = ++seen[key];
    if (occurrence > 1) {
      key += fmt::format("#{}", occurrence);
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

std::vector<metric> extract_metrics(const report_document& document) {
  std::vector<metric> metrics;
  collector out(metrics);
  const std::vector<std::string> keys = run_keys(document.runs);
  for (std::size_t i = 0; i < document.runs.size(); ++i) {
    const run_record& run = document.runs[i];
    if (run.status != run_status::ok) {
      continue;
    }
    if (run.calibration) {
      add_calibration(out, keys[i], *run.calibration);
    }
    if (run.streams) {
      add_streams(out, keys[i], *run.streams);
    }
    add_tenants(out, keys[i], run);
    if (run.timeslice_probe) {
      // Spreads of a distribution, not intervals of a median: compared as plain figures.
      if (run.timeslice_probe->quantum_us) {
        out.add(keys[i] + "/timeslice_quantum_us", "us", false,
                run.timeslice_probe->quantum_us->median);
      }
      if (run.timeslice_probe->switch_gap_us) {
        out.add(keys[i] + "/context_switch_gap_us", "us", false,
                run.timeslice_probe->switch_gap_us->median);
      }
    }
    if (run.isolation) {
      add_isolation(out, keys[i], *run.isolation);
    }
  }
  return metrics;
}

} // namespace gpushare::report
