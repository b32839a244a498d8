#include "report/report_format.hpp"

#include "report/console_table.hpp"

#include <fmt/format.h>

#include <cmath>

namespace gpushare::report {
namespace {

constexpr const char* absent = "-";

} // namespace

std::string text_ratio(const std::optional<double>& value) {
  return value ? format_ratio(*value) : absent;
}

std::string text_percent(const std::optional<double>& value) {
  return value ? format_percent(*value) : absent;
}

std::string text_plain(const std::optional<double>& value) {
  return value ? format_significant(*value, 3) : absent;
}

std::string text_duration(const std::optional<double>& microseconds) {
  return microseconds ? format_duration_us(*microseconds) : absent;
}

std::string text_slowdown(const matrix_cell& cell) {
  if (!cell.slowdown) {
    return absent;
  }
  std::string text = format_ratio(*cell.slowdown);
  if (cell.slowdown_low && cell.slowdown_high && *cell.slowdown_low != *cell.slowdown_high) {
    text +=
        " [" + format_ratio(*cell.slowdown_low) + ", " + format_ratio(*cell.slowdown_high) + "]";
  }
  return text;
}

std::string text_isolation(const isolation_entry* cell) {
  if (cell == nullptr) {
    return absent;
  }
  std::string text = cell->verdict;
  if (cell->key_figure) {
    text += ", " + cell->key_text;
  }
  if (cell->host_only) {
    text += std::string(" (") + host_only_label + ")";
  }
  return text;
}

std::string text_flags(const std::vector<std::string>& flags) {
  std::string text;
  for (const std::string& flag : flags) {
    text += text.empty() ? "" : ", ";
    text += flag == "host_only" ? std::string(host_only_label) : flag;
  }
  return text;
}

std::string text_statistic(const microbenchmark_row& row) {
  if (!row.statistic.empty()) {
    if (row.failed_repetitions > 0) {
      // The library's statistic covers only the repetitions that ran.
      return fmt::format("{} of {} of {} ({} failed: {})", row.statistic,
                         row.repetitions - row.failed_repetitions, row.repetitions,
                         row.failed_repetitions, row.repetition_error);
    }
    return fmt::format("{} of {}", row.statistic, row.repetitions);
  }
  if (row.repetitions <= 1) {
    return "1 run";
  }
  return row.repetition ? fmt::format("run {} of {}", *row.repetition + 1, row.repetitions)
                        : fmt::format("all {} runs", row.repetitions);
}

std::string text_benchmark_time(const std::optional<double>& value, const std::string& unit) {
  return value ? format_significant(*value, 4) + " " + unit : absent;
}

std::string text_iterations(const microbenchmark_row& row) {
  if (!row.iterations_low || !row.iterations_high) {
    return absent;
  }
  if (*row.iterations_low == *row.iterations_high) {
    return std::to_string(*row.iterations_low);
  }
  return fmt::format("{}-{}", *row.iterations_low, *row.iterations_high);
}

std::string text_counters(const std::vector<std::pair<std::string, double>>& counters) {
  std::string text;
  for (const auto& [name, value] : counters) {
    text += (text.empty() ? "" : ", ") + name + " " + format_rate(value);
  }
  return text.empty() ? absent : text;
}

std::string text_benchmark_context(const benchmark_context& context) {
  std::string text = "Google Benchmark";
  if (!context.library_version.empty()) {
    text += " " + context.library_version;
  }
  text += fmt::format(", {} library build, {} CPUs at {} MHz", context.library_build_type,
                      context.num_cpus, format_significant(context.mhz_per_cpu, 4));
  if (context.cpu_scaling_enabled) {
    text +=
        *context.cpu_scaling_enabled ? ", CPU frequency scaling on" : ", CPU frequency scaling off";
  }
  return text;
}

} // namespace gpushare::report
