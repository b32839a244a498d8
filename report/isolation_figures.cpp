#include "report/isolation_figures.hpp"

#include "report/console_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
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

/// The figures that say most about a property, best first.
std::vector<std::string> preferred_figures(const std::string& property) {
  if (property == "memory") {
    return {"hog_held_bytes"};
  }
  if (property == "fault") {
    return {"recovery_ms", "victims_kept_running"};
  }
  if (property == "latency") {
    return {"victim_p99_inflation"};
  }
  if (property == "compute") {
    return {"victim_share_of_guarantee", "victim_slowdown"};
  }
  return {};
}

} // namespace

std::optional<named_figure> key_figure(const isolation_cell& cell) {
  for (const std::string& name : preferred_figures(cell.property)) {
    const auto found = cell.figures.find(name);
    if (found != cell.figures.end() && std::isfinite(found->second)) {
      return named_figure{found->first, found->second};
    }
  }
  for (const auto& [name, value] : cell.figures) {
    if (std::isfinite(value)) {
      return named_figure{name, value};
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
  // "victim_jitter_shared" is a ratio that names the shared phase, not a share.
  return is_share(name) && !is_ratio(name);
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
