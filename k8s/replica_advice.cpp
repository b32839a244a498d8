#include "k8s/replica_advice.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

namespace gpushare::k8s {
namespace {

using nlohmann::json;

/// Where a value sits in the report, for messages: "runs[2].tenants[0].solo".
class json_path {
public:
  explicit json_path(std::string text) : m_text(std::move(text)) {}
  [[nodiscard]] json_path key(const std::string& name) const {
    return json_path(m_text.empty() ? name : m_text + "." + name);
  }
  [[nodiscard]] json_path index(std::size_t i) const {
    return json_path(fmt::format("{}[{}]", m_text, i));
  }
  [[nodiscard]] const std::string& text() const noexcept { return m_text; }

private:
  std::string m_text;
};

class report_reader {
public:
  explicit report_reader(std::string source) : m_source(std::move(source)) {}

  /// The member `name` of the object at `path`; its absence is a broken report.
  const json& member(const json& object, const json_path& path, const std::string& name) const {
    if (!object.is_object()) {
      fail(path, "is not an object");
    }
    const auto found = object.find(name);
    if (found == object.end()) {
      fail(path.key(name), "is missing");
    }
    return *found;
  }

  const json& array_member(const json& object, const json_path& path,
                           const std::string& name) const {
    const json& value = member(object, path, name);
    if (!value.is_array()) {
      fail(path.key(name), "is not an array");
    }
    return value;
  }

  std::string string_member(const json& object, const json_path& path,
                            const std::string& name) const {
    const json& value = member(object, path, name);
    if (!value.is_string()) {
      fail(path.key(name), "is not a string");
    }
    return value.get<std::string>();
  }

  [[noreturn]] void fail(const json_path& path, const std::string& what) const {
    throw usage_error(fmt::format("{}: {} {} (not a gpushare-bench report, or a damaged one)",
                                  m_source, path.text(), what));
  }

private:
  std::string m_source;
};

/// One tenant's p99 in one phase ("solo" or "shared"); nullopt with `why` set when the report
/// says it was not measured (null), which leaves the run out rather than failing.
std::optional<double> phase_p99(const report_reader& reader, const json& tenant,
                                const json_path& path, const char* phase, std::string& why) {
  const json& result = reader.member(tenant, path, phase);
  if (result.is_null()) {
    why = fmt::format("{}.{} was not measured", path.text(), phase);
    return std::nullopt;
  }
  const json_path result_path = path.key(phase);
  const json& latency = reader.member(result, result_path, "latency_us");
  const json_path latency_path = result_path.key("latency_us");
  const json& p99 = reader.member(latency, latency_path, "p99");
  if (p99.is_null()) {
    why = fmt::format("{}.p99 is null (not computed)", latency_path.text());
    return std::nullopt;
  }
  if (!p99.is_number()) {
    reader.fail(latency_path.key("p99"), "is not a number");
  }
  const double value = p99.get<double>();
  if (!(value > 0)) {
    why = fmt::format("{}.p99 is {}, not a latency", latency_path.text(), value);
    return std::nullopt;
  }
  return value;
}

/// The run's p99 inflation, or nullopt with `why` when the run cannot be evaluated.
std::optional<double> run_inflation(const report_reader& reader, const json& run,
                                    const json_path& path, std::string& why) {
  const std::string status = reader.string_member(run, path, "status");
  if (status != "ok") {
    std::string reason;
    if (const auto found = run.find("reason"); found != run.end() && found->is_string()) {
      reason = found->get<std::string>();
    }
    why = reason.empty() ? fmt::format("status {}", status)
                         : fmt::format("status {} ({})", status, reason);
    return std::nullopt;
  }
  const json& tenants = reader.array_member(run, path, "tenants");
  if (tenants.empty()) {
    why = "no tenants";
    return std::nullopt;
  }
  double worst = 0;
  for (std::size_t i = 0; i < tenants.size(); ++i) {
    const json_path tenant_path = path.key("tenants").index(i);
    const auto solo = phase_p99(reader, tenants[i], tenant_path, "solo", why);
    if (!solo) {
      return std::nullopt;
    }
    const auto shared = phase_p99(reader, tenants[i], tenant_path, "shared", why);
    if (!shared) {
      return std::nullopt;
    }
    worst = std::max(worst, *shared / *solo);
  }
  return worst;
}

} // namespace

json read_report_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    throw usage_error(
        fmt::format("--from-results {}: cannot read it: {}", path, std::strerror(errno)));
  }
  try {
    return json::parse(file);
  } catch (const json::parse_error& failure) {
    throw usage_error(fmt::format("--from-results {}: not valid JSON: {}", path, failure.what()));
  }
}

replica_advice advise_replicas(const json& report, const std::string& source,
                               const std::string& mode, double max_inflation) {
  const report_reader reader(source);
  const json& runs = reader.array_member(report, json_path(""), "runs");

  std::map<int, tenant_count_finding> by_count;
  std::set<std::string> modes_present;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const json_path path = json_path("runs").index(i);
    const std::string run_mode = reader.string_member(runs[i], path, "mode");
    modes_present.insert(run_mode);
    if (run_mode != mode) {
      continue;
    }
    const int tenants = static_cast<int>(reader.array_member(runs[i], path, "tenants").size());
    tenant_count_finding& finding = by_count[tenants];
    finding.tenants = tenants;
    // host-* tenants are test instruments: their figures say nothing about a GPU.
    const auto flags = runs[i].find("flags");
    if (flags != runs[i].end() && flags->is_array() &&
        std::find(flags->begin(), flags->end(), "host_instruments_only") != flags->end()) {
      finding.skipped.push_back(
          fmt::format("{}: host-* test instruments, not GPU figures", path.text()));
      continue;
    }
    std::string why;
    const auto inflation = run_inflation(reader, runs[i], path, why);
    if (!inflation) {
      finding.skipped.push_back(fmt::format("{}: {}", path.text(), why));
      continue;
    }
    finding.runs.push_back(path.text());
    // Several runs with one tenant count: the worst decides, as the advice must hold for each.
    finding.p99_inflation = std::max(finding.p99_inflation.value_or(0.0), *inflation);
  }

  replica_advice advice;
  for (auto& [tenants, finding] : by_count) {
    finding.within_limit = finding.p99_inflation && *finding.p99_inflation <= max_inflation;
    if (finding.within_limit && tenants > 0) {
      advice.replicas = tenants;
    }
    advice.findings.push_back(finding);
  }

  // The rule, said the same way in the advice and in the refusal.
  const std::string rule =
      fmt::format("p99 inflation (the largest shared p99 / solo p99 of latency_us over a run's "
                  "tenants) within {:.2f}",
                  max_inflation);
  std::vector<std::string> lines;
  for (const auto& finding : advice.findings) {
    std::string line = fmt::format("{} tenants: ", finding.tenants);
    if (finding.p99_inflation) {
      line += fmt::format("{:.2f} ({}) {}", *finding.p99_inflation, fmt::join(finding.runs, ", "),
                          finding.within_limit ? "within the limit" : "over the limit");
    } else {
      line += "not evaluated";
    }
    for (const auto& skipped : finding.skipped) {
      line += fmt::format("; left out {}", skipped);
    }
    lines.push_back(line);
  }

  if (by_count.empty()) {
    throw check_error(fmt::format(
        "{} has no {} runs to choose replicas from (runs present: {})", source, mode,
        modes_present.empty() ? "none" : fmt::format("{}", fmt::join(modes_present, ", "))));
  }
  if (advice.replicas == 0) {
    throw check_error(
        fmt::format("no {} run in {} has {}: {}", mode, source, rule, fmt::join(lines, "; ")));
  }
  advice.explanation.push_back(fmt::format("replicas {}: the most tenants among the {} runs of "
                                           "{} with {}.",
                                           advice.replicas, mode, source, rule));
  advice.explanation.insert(advice.explanation.end(), lines.begin(), lines.end());
  advice.explanation.push_back("These figures hold for the workloads and GPU of that report; "
                               "other workloads inflate differently.");
  return advice;
}

replica_advice advise_replicas_from_file(const std::string& path, const std::string& mode,
                                         double max_inflation) {
  return advise_replicas(read_report_file(path), path, mode, max_inflation);
}

} // namespace gpushare::k8s
