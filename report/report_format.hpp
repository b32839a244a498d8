#pragma once
// How the report's Markdown and HTML write a model value as text, in one place so the two
// show the same digits (the number formats themselves are console_table.hpp's). A value that
// is absent is "-": the figure does not apply to that run (no infer tenant, not a mig run).

#include "report/report_model.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gpushare::report {

/// "1.90x", or "-" when absent.
[[nodiscard]] std::string text_ratio(const std::optional<double>& value);
/// "10.0 %", or "-".
[[nodiscard]] std::string text_percent(const std::optional<double>& value);
/// 3 significant digits ("0.990"), or "-".
[[nodiscard]] std::string text_plain(const std::optional<double>& value);
/// "42.5 us", or "-".
[[nodiscard]] std::string text_duration(const std::optional<double>& microseconds);
/// "1.90x [1.80x, 2.00x]": the median slowdown and the range over tenants; without a range
/// (one tenant) only the median.
[[nodiscard]] std::string text_slowdown(const matrix_cell& cell);
/// An isolation matrix cell: "partial, victim_p99_inflation 3.25x", and for a cell of host-*
/// test instruments " (host-* test instrument, not a GPU figure)"; "-" for no cell.
[[nodiscard]] std::string text_isolation(const isolation_entry* cell);
/// Flags joined by ", ", host_only written as the full host-only label.
[[nodiscard]] std::string text_flags(const std::vector<std::string>& flags);

/// What a microbenchmark row's figures are: "median of 5", "mean of 3", "1 run", "run 2 of 3"
/// for a repetition shown on its own, or "all 3 runs" for repetitions that failed alike.
[[nodiscard]] std::string text_statistic(const microbenchmark_row& row);
/// A Google Benchmark time in the file's own unit, 4 significant digits: "1234 ns", or "-".
[[nodiscard]] std::string text_benchmark_time(const std::optional<double>& value,
                                              const std::string& unit);
/// Iterations of one repetition, "1000" or "990-1010" when repetitions differ; "-" when absent.
[[nodiscard]] std::string text_iterations(const microbenchmark_row& row);
/// Counters as "name value" with an SI suffix, ", "-separated: "bytes_per_second 1.23G".
[[nodiscard]] std::string
text_counters(const std::vector<std::pair<std::string, double>>& counters);
/// The source line of a Google Benchmark file: "Google Benchmark 1.8.3, debug library build,
/// 16 CPUs at 3000 MHz, CPU frequency scaling on".
[[nodiscard]] std::string text_benchmark_context(const benchmark_context& context);

} // namespace gpushare::report
