#include "report/console_table.hpp"

#include "report/isolation_figures.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace gpushare::report {
namespace {

constexpr const char* not_available = "n/a";
constexpr const char* not_applicable = "-";
constexpr const char* host_only_label = "host-* test instrument, not a GPU figure";

/// Rounds to `digits` significant digits; formatting must start from the rounded value so
/// that 9.996 becomes "10.0" and picks its unit after rounding (999.96 us is "1.00 ms").
double round_significant(double value, int digits) {
  if (value == 0.0 || !std::isfinite(value)) {
    return value;
  }
  const int exponent = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  const double scale = std::pow(10.0, digits - 1 - exponent);
  return std::round(value * scale) / scale;
}

/// Column-aligned text with a header and a dashed rule; numbers are right-aligned so their
/// digits line up, text is left-aligned.
class text_table {
public:
  enum class align { left, right };

  void add_column(std::string header, align alignment) {
    m_headers.push_back(std::move(header));
    m_alignments.push_back(alignment);
  }

  void add_row(std::vector<std::string> cells) {
    cells.resize(m_headers.size());
    m_rows.push_back(std::move(cells));
  }

  [[nodiscard]] bool empty() const noexcept { return m_rows.empty(); }

  /// Lines of at most `total` characters (indent included): the widest of the `flexible`
  /// text columns is narrowed first, its cells cut with "...", none below its header's width
  /// or 12 characters; a table that still does not fit is printed wider.
  void limit_width(std::size_t total, std::vector<std::size_t> flexible) {
    m_limit = total;
    m_flexible = std::move(flexible);
  }

  void print(std::ostream& out, const std::string& indent) const {
    std::vector<std::size_t> widths(m_headers.size(), 0);
    for (std::size_t column = 0; column < m_headers.size(); ++column) {
      widths[column] = m_headers[column].size();
      for (const auto& row : m_rows) {
        widths[column] = std::max(widths[column], row[column].size());
      }
    }
    std::vector<std::vector<std::string>> rows = m_rows;
    if (m_limit > 0) {
      std::size_t line = indent.size() + 2 * (widths.size() - 1);
      for (const std::size_t width : widths) {
        line += width;
      }
      while (line > m_limit) {
        std::size_t widest = widths.size();
        for (const std::size_t column : m_flexible) {
          const std::size_t floor = std::max<std::size_t>(m_headers[column].size(), 12);
          if (widths[column] > floor &&
              (widest == widths.size() || widths[column] > widths[widest])) {
            widest = column;
          }
        }
        if (widest == widths.size()) {
          break;
        }
        --widths[widest];
        --line;
      }
      for (auto& row : rows) {
        for (const std::size_t column : m_flexible) {
          row[column] = cut(row[column], widths[column]);
        }
      }
    }
    print_line(out, indent, m_headers, widths);
    std::vector<std::string> rule;
    for (const std::size_t width : widths) {
      rule.emplace_back(width, '-');
    }
    print_line(out, indent, rule, widths);
    for (const auto& row : rows) {
      print_line(out, indent, row, widths);
    }
  }

private:
  /// `text` in at most `width` bytes, ending in "..." when cut; never inside a UTF-8 sequence.
  static std::string cut(const std::string& text, std::size_t width) {
    if (text.size() <= width) {
      return text;
    }
    std::size_t end = width > 3 ? width - 3 : 0;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
      --end;
    }
    return text.substr(0, end) + "...";
  }

  void print_line(std::ostream& out, const std::string& indent,
                  const std::vector<std::string>& cells,
                  const std::vector<std::size_t>& widths) const {
    std::string line = indent;
    for (std::size_t column = 0; column < cells.size(); ++column) {
      if (column > 0) {
        line += "  ";
      }
      const std::string& cell = cells[column];
      const std::size_t padding = widths[column] - std::min(widths[column], cell.size());
      if (m_alignments[column] == align::right) {
        line.append(padding, ' ');
        line += cell;
      } else {
        line += cell;
        line.append(padding, ' ');
      }
    }
    // Left-aligned last columns would leave trailing blanks that only get in the way of diffs.
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  }

  std::vector<std::string> m_headers;
  std::vector<align> m_alignments;
  std::vector<std::vector<std::string>> m_rows;
  std::size_t m_limit = 0; ///< 0: no limit
  std::vector<std::size_t> m_flexible;
};

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      out += separator;
    }
    out += parts[i];
  }
  return out;
}

std::string with_suffix(double rounded, double divisor, const char* suffix) {
  return format_significant(rounded / divisor) + suffix;
}

std::vector<std::string> point_flags(const stream_point& point) {
  std::vector<std::string> flags;
  if (point.time_us.noisy) {
    flags.emplace_back("noisy");
  }
  // Beating the bound means the stages were timed under different conditions than the run.
  if (std::isfinite(point.efficiency) && point.efficiency > 1.05) {
    flags.emplace_back("above ideal");
  }
  return flags;
}

void print_points(std::ostream& out, const std::vector<stream_point>& points) {
  if (points.empty()) {
    out << "    (no points measured)\n";
    return;
  }
  text_table table;
  table.add_column("S", text_table::align::right);
  table.add_column("time median [95% interval]", text_table::align::left);
  table.add_column("speedup", text_table::align::right);
  table.add_column("ideal", text_table::align::right);
  table.add_column("efficiency", text_table::align::right);
  table.add_column("flags", text_table::align::left);
  for (const stream_point& point : points) {
    table.add_row({std::to_string(point.streams), format_time_interval(point.time_us),
                   format_ratio(point.speedup), format_ratio(point.ideal_speedup),
                   format_percent(point.efficiency), join(point_flags(point), ", ")});
  }
  table.print(out, "    ");
  // With fewer than 6 repetitions the interval is [min, max] and covers less than 95 %; one
  // line under the table says so instead of a flag on every row.
  const stream_point* widest_gap = nullptr;
  for (const stream_point& point : points) {
    if (point.time_us.count > 0 && point.time_us.ci_coverage < 0.95 &&
        (widest_gap == nullptr || point.time_us.ci_coverage < widest_gap->time_us.ci_coverage)) {
      widest_gap = &point;
    }
  }
  if (widest_gap != nullptr) {
    out << fmt::format("    intervals cover {} ({} repetitions; 6 or more give 95 %)\n",
                       format_percent(widest_gap->time_us.ci_coverage), widest_gap->time_us.count);
  }
}

void print_note(std::ostream& out, const std::string& note) {
  if (!note.empty()) {
    out << "    sizing: " << note << '\n';
  }
}

std::string verification_text(const workload_result& result) {
  if (result.host_only) {
    return host_only_label;
  }
  const verification_result& check = result.verification;
  if (!check.checked) {
    return "not checked";
  }
  if (check.passed) {
    return fmt::format("passed (max err {:.3g} <= {:.3g})", check.max_abs_error, check.tolerance);
  }
  return check.detail.empty() ? std::string("FAILED") : "FAILED: " + check.detail;
}

std::string optional_ratio(const std::optional<double>& value) {
  return value ? format_ratio(*value) : std::string(not_applicable);
}

/// The trust flags telemetry gave the phase a row was measured in.
std::vector<std::string> phase_flags(const run_record& run, const char* phase,
                                     std::optional<int> tenant) {
  for (const phase_telemetry& telemetry : run.telemetry) {
    if (telemetry.phase == phase && telemetry.tenant == tenant) {
      return telemetry.flags;
    }
  }
  return {};
}

void add_result_row(text_table& table, const tenant_record& tenant, const char* phase,
                    const workload_result& result, const std::string& slowdown,
                    const std::vector<std::string>& telemetry_flags = {}) {
  std::vector<std::string> flags;
  if (result.iteration_time_us.noisy || result.throughput_per_s.noisy) {
    flags.emplace_back("noisy");
  }
  flags.insert(flags.end(), telemetry_flags.begin(), telemetry_flags.end());
  table.add_row({std::to_string(tenant.id), phase, result.workload,
                 std::to_string(result.iterations), format_duration_us(result.latency_us.p50),
                 format_duration_us(result.latency_us.p99),
                 format_rate(result.throughput_per_s.median), slowdown, verification_text(result),
                 join(flags, ", ")});
}

void print_aggregate(std::ostream& out, const aggregate_figures& aggregate) {
  std::vector<std::string> parts;
  if (aggregate.start_skew_us) {
    parts.push_back("start skew " + format_duration_us(*aggregate.start_skew_us));
  }
  if (aggregate.throughput_ratio) {
    parts.push_back("throughput vs solo " + format_ratio(*aggregate.throughput_ratio));
  }
  if (aggregate.fairness) {
    parts.push_back("fairness (Jain) " + format_significant(*aggregate.fairness));
  }
  if (aggregate.mechanism_overhead) {
    parts.push_back("mechanism overhead " + format_percent(*aggregate.mechanism_overhead));
  }
  if (aggregate.interference) {
    parts.push_back("worst interference between instances " +
                    format_ratio(*aggregate.interference));
  }
  if (!parts.empty()) {
    out << "  aggregate: " << join(parts, ", ") << '\n';
  }
}

std::string percentiles_text(const percentile_summary& summary) {
  return fmt::format("{} [{}, {}] (median [p10, p90], n={})", format_duration_us(summary.median),
                     format_duration_us(summary.p10), format_duration_us(summary.p90),
                     summary.count);
}

void print_timeslice_probe(std::ostream& out, const timeslice_probe_result& probe) {
  out << fmt::format("  time-slice probe (spin traces of {} tenants, global timer):\n",
                     probe.tenants.size());
  if (probe.quantum_us) {
    out << "    quantum " << percentiles_text(*probe.quantum_us) << '\n';
  }
  if (probe.switch_gap_us) {
    out << "    switch gap " << percentiles_text(*probe.switch_gap_us) << '\n';
  }
  out << fmt::format("    {} of {} gaps filled by another tenant\n",
                     probe.gaps_filled_by_other_tenant, probe.gaps);
  if (!probe.note.empty()) {
    out << "    note: " << probe.note << '\n';
  }
}

std::string gpu_line(const gpu_info& gpu) {
  std::vector<std::string> parts;
  parts.push_back(
      fmt::format("cc {}.{}", gpu.compute_capability_major, gpu.compute_capability_minor));
  parts.push_back(fmt::format("{} SMs", gpu.sm_count));
  parts.push_back(format_bytes(gpu.memory_bytes));
  parts.push_back("MIG " + (gpu.mig_mode.empty() ? std::string("unknown") : gpu.mig_mode) +
                  (gpu.mig_detail.empty() ? std::string() : " (" + gpu.mig_detail + ")"));
  parts.push_back("compute mode " +
                  (gpu.compute_mode.empty() ? std::string("unknown") : gpu.compute_mode));
  parts.push_back(
      fmt::format("SM {} MHz, memory {} MHz", gpu.sm_clock_max_mhz, gpu.memory_clock_max_mhz));
  parts.push_back(fmt::format("{} copy engines", gpu.async_engine_count));
  if (gpu.l2_cache_bytes > 0) {
    parts.push_back("L2 " + format_bytes(static_cast<std::uint64_t>(gpu.l2_cache_bytes)));
  }
  if (!gpu.uuid.empty()) {
    parts.push_back(gpu.uuid);
  }
  if (!gpu.pci_bus_id.empty()) {
    parts.push_back(gpu.pci_bus_id);
  }
  return fmt::format("  GPU {}: {}, {}\n", gpu.index, gpu.name, join(parts, ", "));
}

std::string stat_text(const telemetry_stat& stat, const char* unit) {
  if (!stat.mean || !stat.max) {
    return not_available;
  }
  return fmt::format("{}/{} {}", format_significant(*stat.mean), format_significant(*stat.max),
                     unit);
}

/// One line per phase and GPU: what the GPU did while the tenants ran (mean/max).
void print_phase_telemetry(std::ostream& out, const run_record& run) {
  if (run.telemetry.empty()) {
    return;
  }
  out << "  GPU telemetry per phase (mean/max):\n";
  for (const phase_telemetry& phase : run.telemetry) {
    const std::string name =
        phase.tenant ? fmt::format("{} tenant {}", phase.phase, *phase.tenant) : phase.phase;
    for (const gpu_phase_telemetry& gpu : phase.gpus) {
      std::vector<std::string> notes;
      if (!gpu.clocks_event_reasons.empty()) {
        notes.push_back("reasons " + join(gpu.clocks_event_reasons, "+"));
      }
      if (gpu.sm_clock_drift) {
        notes.push_back("SM clock moved " + format_percent(*gpu.sm_clock_drift));
      }
      if (gpu.throttled) {
        notes.emplace_back("THROTTLED");
      }
      if (gpu.clock_drift) {
        notes.emplace_back("CLOCK DRIFT");
      }
      if (gpu.read_errors > 0) {
        notes.push_back(fmt::format("{} failed reads: {}", gpu.read_errors, gpu.last_read_error));
      }
      out << fmt::format("    {}: {} samples, util {}, SM clock {}, power {}, temp {}{}\n", name,
                         gpu.samples.size(), stat_text(gpu.gpu_util_pct, "%"),
                         stat_text(gpu.sm_clock_mhz, "MHz"), stat_text(gpu.power_w, "W"),
                         stat_text(gpu.gpu_temp_c, "C"),
                         notes.empty() ? std::string() : "; " + join(notes, ", "));
    }
  }
}

std::string pid_list(const std::vector<int>& pids) {
  std::vector<std::string> parts;
  parts.reserve(pids.size());
  for (const int pid : pids) {
    parts.push_back(std::to_string(pid));
  }
  return join(parts, " ");
}

} // namespace

std::string format_significant(double value, int digits) {
  if (!std::isfinite(value)) {
    return not_available;
  }
  const double rounded = round_significant(value, digits);
  if (rounded == 0.0) {
    return "0";
  }
  const int exponent = static_cast<int>(std::floor(std::log10(std::fabs(rounded))));
  const int decimals = std::max(0, digits - 1 - exponent);
  return fmt::format("{:.{}f}", rounded, decimals);
}

std::string format_duration_us(double microseconds) {
  if (!std::isfinite(microseconds)) {
    return not_available;
  }
  const double rounded = round_significant(microseconds, 3);
  const double magnitude = std::fabs(rounded);
  if (magnitude == 0.0) {
    return "0 us";
  }
  if (magnitude < 1.0) {
    return format_significant(rounded * 1e3) + " ns";
  }
  if (magnitude < 1e3) {
    return format_significant(rounded) + " us";
  }
  if (magnitude < 1e6) {
    return with_suffix(rounded, 1e3, " ms");
  }
  return with_suffix(rounded, 1e6, " s");
}

std::string format_rate(double per_second) {
  if (!std::isfinite(per_second)) {
    return not_available;
  }
  const double rounded = round_significant(per_second, 3);
  const double magnitude = std::fabs(rounded);
  if (magnitude < 1e3) {
    return format_significant(rounded);
  }
  if (magnitude < 1e6) {
    return with_suffix(rounded, 1e3, "k");
  }
  if (magnitude < 1e9) {
    return with_suffix(rounded, 1e6, "M");
  }
  if (magnitude < 1e12) {
    return with_suffix(rounded, 1e9, "G");
  }
  return with_suffix(rounded, 1e12, "T");
}

std::string format_ratio(double ratio) {
  if (!std::isfinite(ratio)) {
    return not_available;
  }
  return fmt::format("{:.2f}x", ratio);
}

std::string format_percent(double fraction) {
  if (!std::isfinite(fraction)) {
    return not_available;
  }
  return fmt::format("{:.1f} %", fraction * 100.0);
}

std::string format_bytes(std::uint64_t bytes) {
  if (bytes < 1024) {
    return fmt::format("{} B", bytes);
  }
  static constexpr const char* units[] = {" KiB", " MiB", " GiB", " TiB", " PiB", " EiB"};
  double value = static_cast<double>(bytes) / 1024.0;
  std::size_t unit = 0;
  // 1024 itself rounds to "1020" at 3 digits, so the unrounded value decides too.
  while ((value >= 1024.0 || round_significant(value, 3) >= 1024.0) &&
         unit + 1 < std::size(units)) {
    value /= 1024.0;
    ++unit;
  }
  return format_significant(value) + units[unit];
}

std::string format_cuda_version(int version) {
  if (version <= 0) {
    return "unknown";
  }
  return fmt::format("{}.{}", version / 1000, (version % 1000) / 10);
}

std::string format_time_interval(const sample_summary& time_us) {
  if (time_us.count == 0) {
    return not_available;
  }
  return fmt::format("{} [{}, {}]", format_duration_us(time_us.median),
                     format_duration_us(time_us.ci_low), format_duration_us(time_us.ci_high));
}

void print_environment(std::ostream& out, const environment_info& environment) {
  out << "Environment\n";
  if (!environment.cuda_available) {
    out << "  CUDA unavailable: "
        << (environment.unavailable_reason.empty() ? std::string("no reason given")
                                                   : environment.unavailable_reason)
        << '\n';
  }
  out << fmt::format(
      "  CUDA driver {}, runtime {}, driver release {}, NVML: {}\n",
      format_cuda_version(environment.cuda_driver_version),
      format_cuda_version(environment.cuda_runtime_version),
      environment.driver_release.empty() ? std::string("unknown") : environment.driver_release,
      environment.nvml_status.empty() ? std::string("unknown") : environment.nvml_status);
  if (environment.gpus.empty()) {
    out << "  no GPU visible\n";
  }
  for (const gpu_info& gpu : environment.gpus) {
    out << gpu_line(gpu);
  }
  const mps_status& mps = environment.mps;
  if (mps.daemon_running) {
    out << fmt::format(
        "  MPS: daemon running (control pids {}; server pids {}), pipe directory {}\n",
        mps.control_pids.empty() ? std::string("none") : pid_list(mps.control_pids),
        mps.server_pids.empty() ? std::string("none") : pid_list(mps.server_pids),
        mps.pipe_directory);
  } else {
    out << "  MPS: no daemon running\n";
  }
}

void print_telemetry_status(std::ostream& out, const telemetry_status& telemetry) {
  if (telemetry.status == "available") {
    out << fmt::format("  Telemetry: NVML every {} ms during each tenant phase\n",
                       format_significant(telemetry.interval_ms));
    return;
  }
  out << fmt::format("  Telemetry: {}: {}\n", telemetry.status,
                     telemetry.reason.empty() ? std::string("no reason given") : telemetry.reason);
}

void print_streams(std::ostream& out, const streams_result& streams) {
  const kernel_overlap_result& overlap = streams.kernel_overlap;
  out << fmt::format("  Kernel overlap: {} kernels of {} blocks x {} threads, {} elements, {} "
                     "FMA/element; {} fit on the GPU at once; one kernel alone {}\n",
                     overlap.kernels, overlap.blocks_per_kernel, overlap.threads_per_block,
                     overlap.elements_per_kernel, overlap.fma_per_element,
                     overlap.concurrent_capacity, format_time_interval(overlap.single_kernel_us));
  print_note(out, overlap.sizing_note);
  print_points(out, overlap.points);

  const copy_pipeline_result& pipeline = streams.copy_pipeline;
  out << fmt::format(
      "  Copy pipeline: {} each way in {} chunks of {}, {} copy engines, {} "
      "FMA/element; stages alone: H2D {}, kernel {}, D2H {}\n",
      format_bytes(pipeline.total_bytes), pipeline.chunks, format_bytes(pipeline.chunk_bytes),
      pipeline.copy_engines, pipeline.fma_per_element, format_duration_us(pipeline.h2d_us.median),
      format_duration_us(pipeline.kernel_us.median), format_duration_us(pipeline.d2h_us.median));
  print_note(out, pipeline.sizing_note);
  print_points(out, pipeline.points);
}

void print_workload_results(std::ostream& out, const run_record& run) {
  if (run.tenants.empty()) {
    return;
  }
  text_table table;
  table.add_column("tenant", text_table::align::right);
  table.add_column("phase", text_table::align::left);
  table.add_column("workload", text_table::align::left);
  table.add_column("iterations", text_table::align::right);
  table.add_column("p50", text_table::align::right);
  table.add_column("p99", text_table::align::right);
  table.add_column("throughput/s", text_table::align::right);
  table.add_column("slowdown", text_table::align::right);
  table.add_column("verification", text_table::align::left);
  table.add_column("flags", text_table::align::left);
  std::vector<std::string> not_ok;
  for (const tenant_record& tenant : run.tenants) {
    if (tenant.solo) {
      add_result_row(table, tenant, "solo", *tenant.solo, not_applicable,
                     phase_flags(run, "solo", tenant.id));
    }
    if (tenant.shared) {
      add_result_row(table, tenant, "shared", *tenant.shared, optional_ratio(tenant.slowdown),
                     phase_flags(run, "shared", std::nullopt));
    }
    if (tenant.status != "ok") {
      not_ok.push_back(fmt::format("  tenant {} ({}): {}{}", tenant.id, tenant.workload,
                                   tenant.status.empty() ? std::string("unknown") : tenant.status,
                                   tenant.failure.empty() ? std::string() : ": " + tenant.failure));
    }
  }
  if (!table.empty()) {
    out << "  Workload results (latency per iteration; throughput in iterations/s):\n";
    table.print(out, "    ");
  }
  for (const std::string& line : not_ok) {
    out << line << '\n';
  }
}

void print_mig(std::ostream& out, const run_record& run) {
  const mig_run_record& mig = *run.mig;
  out << fmt::format("  MIG: {} instances on {} ({} profile table){}\n",
                     mig.layout == "applied" ? "applied" : "existing", mig.gpu_uuid,
                     mig.profile_table, mig.restore.empty() ? "" : "; layout " + mig.restore);
  for (const tenant_record& tenant : run.tenants) {
    if (!tenant.mig_instance) {
      continue;
    }
    const mig_instance_record& instance = *tenant.mig_instance;
    out << fmt::format("    tenant {}: {} (GI {}, CI {}) {}{}\n", tenant.id, instance.profile,
                       instance.gpu_instance_id, instance.compute_instance_id, instance.uuid,
                       tenant.fraction_of_full_gpu
                           ? ", " + format_percent(*tenant.fraction_of_full_gpu) +
                                 " of the whole GPU's throughput"
                           : std::string());
  }
}

namespace {

std::string limit_unit(const std::string& limit) {
  return limit.find("tflops") != std::string::npos ? "TFLOP/s" : "GB/s";
}

std::string limit_line(const limit_check& check) {
  return fmt::format("{} {} = {} of {} ({} {}){}", format_significant(check.achieved),
                     limit_unit(check.limit), format_percent(check.fraction), check.limit,
                     format_significant(check.limit_value), limit_unit(check.limit),
                     check.enforced ? std::string() : " [not a bound: " + check.note + "]");
}

void print_limit_checks(std::ostream& out, const run_record& run) {
  std::vector<std::string> lines;
  for (const tenant_record& tenant : run.tenants) {
    for (const auto& [phase, result] :
         {std::pair{"solo", &tenant.solo}, std::pair{"shared", &tenant.shared}}) {
      if (!*result) {
        continue;
      }
      for (const limit_check& check : (*result)->limits) {
        lines.push_back(fmt::format("    tenant {} {}: {}", tenant.id, phase, limit_line(check)));
      }
    }
  }
  for (const limit_check& check : run.limits) {
    lines.push_back("    all tenants, shared: " + limit_line(check));
  }
  if (lines.empty()) {
    return;
  }
  out << "  Against the calibrated limits (median rates):\n";
  for (const std::string& line : lines) {
    out << line << '\n';
  }
}

std::string summary_cell(const sample_summary& summary) {
  if (summary.count == 0) {
    return not_available;
  }
  return fmt::format("{} [{}, {}]", format_significant(summary.median),
                     format_significant(summary.ci_low), format_significant(summary.ci_high));
}

} // namespace

void print_calibration(std::ostream& out, const calibration_result& calibration) {
  text_table table;
  table.add_column("limit", text_table::align::left);
  table.add_column("median [interval]", text_table::align::left);
  table.add_column("unit", text_table::align::left);
  table.add_column("how", text_table::align::left);
  table.add_column("flags", text_table::align::left);
  const auto noisy = [](const sample_summary& summary) {
    return summary.noisy ? std::string("noisy") : std::string();
  };
  for (const gemm_peak& peak : calibration.gemm) {
    table.add_row({"GEMM " + peak.dtype, summary_cell(peak.tflops), "TFLOP/s",
                   fmt::format("cuBLAS, best of m=n=k in {{{}}}: {}",
                               fmt::join(peak.sizes_tried, ", "), peak.size),
                   noisy(peak.tflops)});
  }
  for (const auto& [name, figure] : {std::pair{"device memory (copy)", &calibration.device_copy},
                                     std::pair{"device memory (triad)", &calibration.device_triad},
                                     std::pair{"host to device", &calibration.host_to_device},
                                     std::pair{"device to host", &calibration.device_to_host}}) {
    if (*figure) {
      table.add_row(
          {name, summary_cell((*figure)->gb_per_s), "GB/s",
           fmt::format("{} per copy, {}", format_bytes((*figure)->bytes), (*figure)->counted),
           noisy((*figure)->gb_per_s)});
    }
  }
  table.add_row({"launch round trip", summary_cell(calibration.launch_round_trip_us), "us",
                 "launch one tiny kernel and wait", noisy(calibration.launch_round_trip_us)});
  table.add_row({"launch back to back", summary_cell(calibration.launch_back_to_back_us), "us",
                 "per launch, many launches then one wait",
                 noisy(calibration.launch_back_to_back_us)});
  out << fmt::format("  Calibrated limits of {}{} (per-repetition medians):\n",
                     calibration.gpu_name.empty() ? "this GPU" : calibration.gpu_name,
                     calibration.whole_gpu ? "" : ", one MIG instance");
  table.print(out, "    ");
  for (const std::string& skipped : calibration.skipped) {
    out << "    not measured: " << skipped << '\n';
  }
}

namespace {

/// Terminal width the isolation tables fit in.
constexpr std::size_t isolation_width = 100;

/// Line breaks and runs of blanks as one space, so a cell stays on its row.
std::string one_line(const std::string& text) {
  std::string line;
  bool blank = false;
  for (const char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      blank = !line.empty();
      continue;
    }
    if (blank) {
      line += ' ';
      blank = false;
    }
    // Tenant text must not drive the terminal (escape sequences, bells).
    const bool control = static_cast<unsigned char>(c) < 0x20 || c == '\x7f';
    line += control ? '?' : c;
  }
  return line;
}

void print_mps_fault(std::ostream& out, const isolation_cell& cell) {
  const mps_fault_record& fault = *cell.mps_fault;
  const std::string recovery =
      fault.recovery_ms && std::isfinite(*fault.recovery_ms)
          ? fmt::format("a new client ran {} after the last tenant exited ({} attempt(s))",
                        format_duration_us(*fault.recovery_ms * 1e3), fault.recovery_attempts)
          : fmt::format("no new client ran before the deadline ({} attempts)",
                        fault.recovery_attempts);
  out << fmt::format("  MPS after the fault ({} {}): {}\n", cell.mechanism, cell.property,
                     recovery);
  if (!fault.recovery_failures.empty()) {
    out << "    new clients failed with: " << one_line(join(fault.recovery_failures, "; ")) << '\n';
  }
  for (const std::string& state : fault.server_states) {
    out << "    server: " << one_line(state) << '\n';
  }
  if (!fault.cleanup.empty()) {
    out << "    cleanup: " << one_line(fault.cleanup) << '\n';
  }
}

} // namespace

void print_isolation(std::ostream& out, const isolation_result& isolation) {
  if (!isolation.cells.empty()) {
    text_table matrix;
    matrix.add_column("mechanism", text_table::align::left);
    matrix.add_column("property", text_table::align::left);
    matrix.add_column("verdict", text_table::align::left);
    matrix.add_column("key figure", text_table::align::left);
    matrix.add_column("evidence", text_table::align::left);
    matrix.limit_width(isolation_width, {4});
    bool any_host_only = false;
    for (const isolation_cell& cell : isolation.cells) {
      const bool host_only = cell_host_only(cell);
      any_host_only = any_host_only || host_only;
      matrix.add_row({cell.mechanism, cell.property, cell.verdict + (host_only ? "*" : ""),
                      key_figure_text(cell), one_line(cell.evidence)});
    }
    out << "  Isolation matrix (verdicts by each cell's rule; the JSON report has the whole "
           "evidence):\n";
    matrix.print(out, "    ");
    if (any_host_only) {
      out << "    * " << host_only_label << " (the cell timed processes on the host)\n";
    }
    for (const isolation_cell& cell : isolation.cells) {
      if (cell.mps_fault) {
        print_mps_fault(out, cell);
      }
      for (const tenant_record& tenant : cell.tenants) {
        if (tenant.status != "ok") {
          out << fmt::format(
              "  {} {}: {}tenant {} ({}): {}{}\n", cell.mechanism, cell.property,
              tenant.role.empty() ? std::string() : tenant.role + " ", tenant.id, tenant.workload,
              tenant.status.empty() ? std::string("unknown") : tenant.status,
              tenant.failure.empty() ? std::string() : ": " + one_line(tenant.failure));
        }
      }
    }
  }
  if (!isolation.claims.empty()) {
    text_table claims;
    claims.add_column("mechanism", text_table::align::left);
    claims.add_column("property", text_table::align::left);
    claims.add_column("claim", text_table::align::left);
    claims.add_column("source", text_table::align::left);
    claims.add_column("holds", text_table::align::left);
    claims.limit_width(isolation_width, {2, 3});
    for (const isolation_claim& claim : isolation.claims) {
      claims.add_row({claim.mechanism, claim.property, one_line(claim.claim),
                      one_line(claim.source), claim.holds});
    }
    out << "  Documented claims, checked on this card:\n";
    claims.print(out, "    ");
  }
}

void print_run(std::ostream& out, const run_record& run) {
  if (run.status == run_status::skipped) {
    out << fmt::format("Run {}: skipped: {}\n", run.mode,
                       run.reason.empty() ? std::string("no reason given") : run.reason);
    return;
  }
  if (run.status == run_status::failed) {
    out << fmt::format("Run {}: FAILED: {}\n", run.mode,
                       run.reason.empty() ? std::string("no reason given") : run.reason);
  } else {
    out << fmt::format("Run {}: ok ({} s)\n", run.mode, format_significant(run.wall_time_s));
  }
  if (!run.params.empty()) {
    std::vector<std::string> params;
    params.reserve(run.params.size());
    for (const auto& [key, value] : run.params) {
      params.push_back(key + "=" + value);
    }
    out << "  params: " << join(params, ", ") << '\n';
  }
  if (!run.flags.empty()) {
    out << "  flags: " << join(run.flags, ", ") << '\n';
  }
  if (run.streams) {
    print_streams(out, *run.streams);
  }
  if (run.calibration) {
    print_calibration(out, *run.calibration);
  }
  print_workload_results(out, run);
  print_limit_checks(out, run);
  print_aggregate(out, run.aggregate);
  if (run.timeslice_probe) {
    print_timeslice_probe(out, *run.timeslice_probe);
  }
  if (run.isolation) {
    print_isolation(out, *run.isolation);
  }
  print_phase_telemetry(out, run);
  if (run.mps) {
    out << fmt::format("  MPS daemon: {} (pid {}, pipe directory {}){}\n",
                       run.mps->started_by_tool ? "started by gpushare-bench"
                                                : "already running, used as asked",
                       run.mps->pid, run.mps->pipe_directory,
                       run.mps->stopped.empty() ? std::string() : ", stopped: " + run.mps->stopped);
  }
  if (run.mig) {
    print_mig(out, run);
  }
}

void print_errors(std::ostream& out, const std::vector<error_record>& errors) {
  if (errors.empty()) {
    return;
  }
  out << "Errors\n";
  for (const error_record& error : errors) {
    out << fmt::format("  [{}] {} (exit code {})\n", error.where, error.message, error.exit_code);
  }
}

void print_report(std::ostream& out, const report_document& document) {
  out << fmt::format("{} {} ({}{})", document.tool.name, document.tool.version,
                     document.tool.git_sha.empty() ? std::string("unknown revision")
                                                   : document.tool.git_sha,
                     document.tool.git_dirty ? ", modified" : "");
  if (!document.created_at.empty()) {
    out << ", " << document.created_at;
  }
  out << '\n';
  print_environment(out, document.environment);
  for (const run_record& run : document.runs) {
    print_run(out, run);
  }
  print_errors(out, document.errors);
}

} // namespace gpushare::report
