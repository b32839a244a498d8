#include "report/isolation_model.hpp"

#include "report/console_table.hpp"
#include "report/isolation_figures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>

namespace gpushare::report {
namespace {

void add_once(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) {
    list.push_back(item);
  }
}

std::string tenant_line(const tenant_record& tenant) {
  std::string line =
      fmt::format("{}tenant {} {}: {}", tenant.role.empty() ? "" : tenant.role + " ", tenant.id,
                  tenant.workload, tenant.status.empty() ? std::string("unknown") : tenant.status);
  if (tenant.slowdown && std::isfinite(*tenant.slowdown)) {
    line += ", slowdown " + format_ratio(*tenant.slowdown);
  }
  if (tenant.p99_inflation && std::isfinite(*tenant.p99_inflation)) {
    line += ", p99 inflation " + format_ratio(*tenant.p99_inflation);
  }
  if (!tenant.failure.empty()) {
    line += " (" + tenant.failure + ")";
  }
  return line;
}

std::vector<std::string> fault_lines(const mps_fault_record& fault) {
  std::vector<std::string> lines;
  if (fault.recovery_ms && std::isfinite(*fault.recovery_ms)) {
    lines.push_back(fmt::format(
        "MPS recovery: a new client ran {} after the last tenant exited ({} attempt(s))",
        format_duration_us(*fault.recovery_ms * 1e3), fault.recovery_attempts));
  } else {
    lines.push_back(fmt::format("MPS recovery: no new client ran before the deadline ({} attempts)",
                                fault.recovery_attempts));
  }
  for (const std::string& failure : fault.recovery_failures) {
    lines.push_back("MPS recovery attempt failed: " + failure);
  }
  for (const std::string& state : fault.server_states) {
    lines.push_back("MPS server state: " + state);
  }
  if (!fault.cleanup.empty()) {
    lines.push_back("MPS cleanup: " + fault.cleanup);
  }
  return lines;
}

isolation_entry make_entry(const isolation_cell& cell, const std::string& key) {
  isolation_entry entry;
  entry.run_key = key;
  entry.mechanism = cell.mechanism;
  entry.property = cell.property;
  entry.verdict = cell.verdict;
  entry.rule = cell.rule;
  entry.evidence = cell.evidence;
  if (const std::optional<named_figure> figure = key_figure(cell)) {
    entry.key_figure = figure->name;
    entry.key_value = figure->value;
  }
  entry.key_text = key_figure_text(cell);
  entry.figures = cell.figures;
  entry.flags = cell.flags;
  entry.host_only = cell_host_only(cell);
  for (const tenant_record& tenant : cell.tenants) {
    entry.tenants.push_back(tenant_line(tenant));
  }
  if (cell.mps_fault) {
    if (cell.mps_fault->recovery_ms && std::isfinite(*cell.mps_fault->recovery_ms)) {
      entry.recovery_ms = cell.mps_fault->recovery_ms;
    }
    entry.mps_fault = fault_lines(*cell.mps_fault);
  }
  return entry;
}

/// `seen` in the order of `canonical` first, then the rest as they came.
std::vector<std::string> ordered(const std::vector<std::string>& seen,
                                 std::initializer_list<const char*> canonical, bool keep_all) {
  std::vector<std::string> out;
  for (const char* name : canonical) {
    if (keep_all || std::find(seen.begin(), seen.end(), name) != seen.end()) {
      out.emplace_back(name);
    }
  }
  for (const std::string& name : seen) {
    add_once(out, name);
  }
  return out;
}

} // namespace

const isolation_entry* isolation_section::at(const std::string& mechanism,
                                             const std::string& property) const {
  for (const isolation_entry& entry : cells) {
    if (entry.mechanism == mechanism && entry.property == property) {
      return &entry;
    }
  }
  return nullptr;
}

isolation_section build_isolation_section(const std::vector<run_record>& runs,
                                          const std::vector<std::string>& keys) {
  isolation_section section;
  std::vector<std::string> mechanisms;
  std::vector<std::string> properties;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const run_record& run = runs[i];
    if (run.status != run_status::ok || !run.isolation) {
      continue;
    }
    const std::string& key = i < keys.size() ? keys[i] : run.mode;
    for (const isolation_cell& cell : run.isolation->cells) {
      add_once(mechanisms, cell.mechanism);
      add_once(properties, cell.property);
      section.cells.push_back(make_entry(cell, key));
    }
    for (const isolation_claim& claim : run.isolation->claims) {
      section.claims.push_back({key, claim.mechanism, claim.property, claim.claim, claim.source,
                                claim.holds, claim.basis});
    }
  }
  section.mechanisms = ordered(mechanisms, {"timeslice", "mps", "mps-limited", "mig"}, false);
  // Every property is a column as soon as there is a matrix, so a property no scenario
  // measured shows as a gap rather than vanishing.
  if (!section.cells.empty()) {
    section.properties = ordered(properties, {"memory", "fault", "latency", "compute"}, true);
  }
  return section;
}

} // namespace gpushare::report
