#include "report/isolation_figures.hpp"

#include "report/console_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string_view>
#include <vector>

namespace gpushare::report {
namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool contains_any(std::string_view text, std::initializer_list<std::string_view> words) {
  return std::any_of(words.begin(), words.end(), [&](std::string_view word) {
    return text.find(word) != std::string_view::npos;
  });
}

bool is_ratio(const std::string& name) {
  return contains_any(name, {"inflation", "slowdown", "ratio", "jitter"});
}

bool is_share(const std::string& name) {
  return contains_any(name, {"share", "fraction"});
}

} // namespace

/// The measured figures of a property, most telling first: what a cell's key figure and the
/// compare metrics are taken from. The others of a cell (the promise, the guarantee, when each
/// tenant finished) are settings and timestamps, not measurements to hold two runs against.
const std::vector<std::string>& measured_figures(const std::string& property) {
  static const std::map<std::string, std::vector<std::string>> figures{
      {"memory", {"hog_held_bytes", "victim_held_bytes"}},
      {"fault", {"recovery_ms", "victims_kept_running", "victims_failed"}},
      {"latency",
       {"victim_p99_inflation", "victim_p99_alone_us", "victim_p99_shared_us",
        "victim_jitter_alone", "victim_jitter_shared"}},
      {"compute", {"victim_share_of_guarantee", "victim_fraction_of_alone", "mechanism_overhead"}}};
  static const std::vector<std::string> none;
  const auto found = figures.find(property);
  return found == figures.end() ? none : found->second;
}

bool cell_measured(const isolation_cell& cell) {
  return cell.verdict != "untested" &&
         std::find(cell.flags.begin(), cell.flags.end(), "invalid") == cell.flags.end();
}

std::optional<named_figure> key_figure(const isolation_cell& cell) {
  // An untested cell's figures are settings or were taken from tenants that bypassed the
  // mechanism: none of them speaks for the cell.
  if (!cell_measured(cell)) {
    return std::nullopt;
  }
  for (const std::string& name : measured_figures(cell.property)) {
    const auto found = cell.figures.find(name);
    if (found != cell.figures.end() && std::isfinite(found->second)) {
      return named_figure{found->first, found->second};
    }
  }
  return std::nullopt;
}

std::string figure_unit(const std::string& name) {
  if (ends_with(name, "_bytes")) {
    return "B";
  }
  for (const char* unit : {"ms", "us", "ns"}) {
    if (ends_with(name, std::string("_") + unit)) {
      return unit;
    }
  }
  if (ends_with(name, "_pct")) {
    return "%";
  }
  if (is_ratio(name)) {
    return "x";
  }
  return "";
}

bool figure_higher_is_better(const std::string& name) {
  // More memory held by the victim, more victims alive, a larger share: better. A ratio that
  // names the shared phase ("victim_jitter_shared") or a byte count named after a share is no
  // share.
  if (name == "victim_held_bytes" || name == "victims_kept_running") {
    return true;
  }
  return is_share(name) && !is_ratio(name) && !ends_with(name, "_bytes");
}

std::string format_figure(const std::string& name, double value) {
  if (!std::isfinite(value)) {
    return "n/a";
  }
  const std::string unit = figure_unit(name);
  if (unit == "B" && value >= 0 && value < 1.8e19) {
    return format_bytes(static_cast<std::uint64_t>(std::llround(value)));
  }
  if (unit == "ms") {
    return format_duration_us(value * 1e3);
  }
  if (unit == "us") {
    return format_duration_us(value);
  }
  if (unit == "ns") {
    return format_duration_us(value / 1e3);
  }
  if (unit == "%") {
    return format_significant(value) + " %";
  }
  if (unit == "x") {
    return format_ratio(value);
  }
  if (is_share(name)) {
    return format_percent(value);
  }
  // Counts and yes/no figures (victim_failed 1) read better without decimals.
  if (value == std::round(value) && std::fabs(value) < 1e15) {
    return fmt::format("{:.0f}", value);
  }
  return format_significant(value);
}

std::string key_figure_text(const isolation_cell& cell) {
  const std::optional<named_figure> figure = key_figure(cell);
  if (!figure) {
    return "-";
  }
  return figure->name + " " + format_figure(figure->name, figure->value);
}

bool cell_host_only(const isolation_cell& cell) {
  if (std::find(cell.flags.begin(), cell.flags.end(), host_instruments_flag) != cell.flags.end()) {
    return true;
  }
  return std::any_of(cell.tenants.begin(), cell.tenants.end(), [](const tenant_record& tenant) {
    return (tenant.solo && tenant.solo->host_only) || (tenant.shared && tenant.shared->host_only) ||
           tenant.workload.rfind("host-", 0) == 0;
  });
}

} // namespace gpushare::report
