#pragma once
// How the writers present an isolation cell (harness/records.hpp isolation_cell): which of its
// figures stands for it in a table (its key figure), what unit a figure's name implies, and
// whether the cell measured a GPU at all. The rules read only figure names, so a figure they
// do not know is still shown, as a plain number.

#include "harness/records.hpp"

#include <optional>
#include <string>

namespace gpushare::report {

/// The flag the harness sets on a cell whose processes were host-* test instruments.
inline constexpr const char* host_instruments_flag = "host_instruments_only";

struct named_figure {
  std::string name;
  double value = 0;
};

/// The figure a table shows for the cell: the first of its property's preferred figures that
/// it holds with a finite value (memory: hog_held_bytes; fault: recovery_ms; latency:
/// victim_p99_inflation; compute: victim_share_of_guarantee, victim_slowdown), else its first
/// finite figure by name; empty when it has none.
[[nodiscard]] std::optional<named_figure> key_figure(const isolation_cell& cell);

/// The figures of `property` that are measurements (not settings or timestamps), most telling
/// first: the key figure and the compare metrics come from these only.
[[nodiscard]] const std::vector<std::string>& measured_figures(const std::string& property);

/// False for an untested cell and for one whose tenants bypassed the mechanism (flag invalid):
/// their figures measure nothing about the cell.
[[nodiscard]] bool cell_measured(const isolation_cell& cell);

/// The unit a figure's name implies: "B" (_bytes), "ms", "us", "ns", "%" (_pct), "x"
/// (inflation, slowdown, ratio), "" for shares, fractions and anything else (plain numbers).
[[nodiscard]] std::string figure_unit(const std::string& name);

/// True for shares and fractions of what a tenant was guaranteed or got; false for times,
/// inflations, slowdowns and sizes, where less disturbance is the smaller number.
[[nodiscard]] bool figure_higher_is_better(const std::string& name);

/// The value in console_table.hpp's formats for its unit: "7.75 GiB", "850 ms", "3.25x",
/// "42.0 %"; a plain figure with 3 significant digits ("12.3"), or without decimals when it is
/// a whole number ("1"); "n/a" when not finite.
[[nodiscard]] std::string format_figure(const std::string& name, double value);

/// "victim_p99_inflation 3.25x", or "-" when the cell has no finite figure.
[[nodiscard]] std::string key_figure_text(const isolation_cell& cell);

/// True when the cell's processes were host-* test instruments: the harness flagged it so,
/// or one of its tenants ran a host-* workload. Its verdict says nothing about any GPU.
[[nodiscard]] bool cell_host_only(const isolation_cell& cell);

} // namespace gpushare::report
