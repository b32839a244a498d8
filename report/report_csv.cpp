#include "report/report_csv.hpp"

#include "report/report_format.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>

namespace gpushare::report {
namespace {

std::string line(const std::vector<std::string>& fields) {
  std::string text;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    text += (i == 0 ? "" : ",") + csv_field(fields[i]);
  }
  return text + "\r\n";
}

std::string flags_field(const std::vector<std::string>& flags) {
  std::string text;
  for (const std::string& flag : flags) {
    text += (text.empty() ? "" : ";") + flag;
  }
  return text;
}

std::string matrix_csv(const report_model& model) {
  std::string text =
      line({"source", "file", "mode", "workloads", "tenants", "tenants_ok", "slowdown",
            "slowdown_low", "slowdown_high", "mechanism_overhead", "throughput_ratio",
            "p99_inflation", "fairness", "start_skew_us", "interference", "flags", "run"});
  for (const source_model& source : model.sources) {
    for (const matrix_row& row : source.matrix) {
      for (const matrix_cell& cell : row.cells) {
        text += line({source.label, source.path, row.mode, row.workloads,
                      std::to_string(cell.tenants), std::to_string(cell.tenants_ok),
                      csv_number(cell.slowdown), csv_number(cell.slowdown_low),
                      csv_number(cell.slowdown_high), csv_number(cell.mechanism_overhead),
                      csv_number(cell.throughput_ratio), csv_number(cell.p99_inflation),
                      csv_number(cell.fairness), csv_number(cell.start_skew_us),
                      csv_number(cell.interference), flags_field(cell.flags), cell.run_key});
      }
    }
  }
  return text;
}

std::string tenants_csv(const report_model& model) {
  std::string text = line({"source", "run", "mode", "tenant", "workload", "status",
                           "solo_median_us", "shared_median_us", "shared_p99_us",
                           "shared_throughput_per_s", "slowdown", "p99_inflation", "flags"});
  for (const source_model& source : model.sources) {
    for (const tenant_row& row : source.tenants) {
      text +=
          line({source.label, row.run_key, row.mode, std::to_string(row.tenant), row.workload,
                row.status, csv_number(row.solo_median_us), csv_number(row.shared_median_us),
                csv_number(row.shared_p99_us), csv_number(row.shared_throughput_per_s),
                csv_number(row.slowdown), csv_number(row.p99_inflation), flags_field(row.flags)});
    }
  }
  return text;
}

std::string streams_csv(const report_model& model) {
  std::string text = line({"source", "run", "experiment", "streams", "speedup", "ideal_speedup"});
  for (const source_model& source : model.sources) {
    for (const streams_curves& curves : source.streams) {
      for (const auto& [achieved, ideal] :
           {std::pair{&curves.kernel_overlap, &curves.kernel_overlap_ideal},
            std::pair{&curves.copy_pipeline, &curves.copy_pipeline_ideal}}) {
        for (std::size_t i = 0; i < achieved->points.size(); ++i) {
          text +=
              line({source.label, curves.run_key, achieved->name, csv_number(achieved->points[i].x),
                    csv_number(achieved->points[i].y), csv_number(ideal->points[i].y)});
        }
      }
    }
  }
  return text;
}

std::string latency_csv(const report_model& model) {
  std::string text =
      line({"source", "run", "tenant", "phase", "latency_us", "cumulative_fraction", "host_only"});
  for (const source_model& source : model.sources) {
    for (const latency_cdf& cdf : source.latency) {
      for (const xy_point& point : cdf.curve.points) {
        text += line({source.label, cdf.run_key, std::to_string(cdf.tenant), cdf.phase,
                      csv_number(point.x), csv_number(point.y),
                      cdf.curve.host_only ? "true" : "false"});
      }
    }
  }
  return text;
}

std::string counters_field(const std::vector<std::pair<std::string, double>>& counters) {
  std::string text;
  for (const auto& [name, value] : counters) {
    text += (text.empty() ? "" : ";") + name + "=" + csv_number(value);
  }
  return text;
}

std::string optional_count(const std::optional<std::int64_t>& value) {
  return value ? std::to_string(*value) : "";
}

std::string microbenchmarks_csv(const report_model& model) {
  std::string text = line({"source", "file", "library_build_type", "num_cpus", "mhz_per_cpu",
                           "benchmark", "statistic", "repetitions", "threads", "real_time",
                           "cpu_time", "time_unit", "real_time_cv", "cpu_time_cv", "iterations_low",
                           "iterations_high", "counters", "error", "label"});
  for (const microbenchmark_source& source : model.microbenchmarks) {
    for (const microbenchmark_row& row : source.rows) {
      text +=
          line({source.label, source.path, source.context.library_build_type,
                std::to_string(source.context.num_cpus), csv_number(source.context.mhz_per_cpu),
                row.name, row.statistic, std::to_string(row.repetitions),
                std::to_string(row.threads), csv_number(row.real_time), csv_number(row.cpu_time),
                row.time_unit, csv_number(row.real_time_cv), csv_number(row.cpu_time_cv),
                optional_count(row.iterations_low), optional_count(row.iterations_high),
                counters_field(row.counters), row.error, row.label});
    }
  }
  return text;
}

// One row per cell; the figures as name=value pairs at full precision, since each cell has
// its own set of them.
std::string isolation_csv(const report_model& model) {
  std::string text =
      line({"source", "file", "run", "mechanism", "property", "verdict", "key_figure", "key_value",
            "host_only", "figures", "recovery_ms", "flags", "rule", "evidence"});
  for (const source_model& source : model.sources) {
    for (const isolation_entry& cell : source.isolation.cells) {
      std::string figures;
      for (const auto& [name, value] : cell.figures) {
        // A figure that was not finite has no number; its name stays, empty as elsewhere.
        figures += (figures.empty() ? "" : ";") + name + "=" +
                   (std::isfinite(value) ? csv_number(value) : std::string());
      }
      text += line({source.label, source.path, cell.run_key, cell.mechanism, cell.property,
                    cell.verdict, cell.key_figure.value_or(""), csv_number(cell.key_value),
                    cell.host_only ? "true" : "false", figures, csv_number(cell.recovery_ms),
                    flags_field(cell.flags), cell.rule, cell.evidence});
    }
  }
  return text;
}

std::string isolation_claims_csv(const report_model& model) {
  std::string text = line({"source", "file", "run", "mechanism", "property", "claim",
                           "claim_source", "holds", "basis"});
  for (const source_model& source : model.sources) {
    for (const isolation_claim_row& claim : source.isolation.claims) {
      text += line({source.label, source.path, claim.run_key, claim.mechanism, claim.property,
                    claim.claim, claim.source, claim.holds, claim.basis});
    }
  }
  return text;
}

} // namespace

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    return std::string(text);
  }
  std::string quoted = "\"";
  for (const char c : text) {
    quoted += c;
    if (c == '"') {
      quoted += '"';
    }
  }
  return quoted + "\"";
}

std::string csv_number(const std::optional<double>& value) {
  return value ? fmt::format("{}", *value) : "";
}

std::vector<std::pair<std::string, std::string>> render_report_csv(const report_model& model) {
  std::vector<std::pair<std::string, std::string>> files;
  if (!model.sources.empty()) {
    files = {{"matrix.csv", matrix_csv(model)},
             {"tenants.csv", tenants_csv(model)},
             {"streams.csv", streams_csv(model)},
             {"latency_cdf.csv", latency_csv(model)},
             {"isolation.csv", isolation_csv(model)},
             {"isolation_claims.csv", isolation_claims_csv(model)}};
  }
  if (!model.microbenchmarks.empty()) {
    files.emplace_back("microbenchmarks.csv", microbenchmarks_csv(model));
  }
  return files;
}

} // namespace gpushare::report
