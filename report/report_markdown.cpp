#include "report/report_markdown.hpp"

#include "report/console_table.hpp"
#include "report/isolation_figures.hpp"
#include "report/report_choice.hpp"
#include "report/report_format.hpp"

#include <fmt/format.h>

#include <map>
#include <sstream>

namespace gpushare::report {
namespace {

std::string row(const std::vector<std::string>& cells) {
  std::string line = "|";
  for (const std::string& cell : cells) {
    line += " " + cell + " |";
  }
  return line + "\n";
}

std::string header(const std::vector<std::string>& cells) {
  std::string line = row(cells) + "|";
  for (std::size_t i = 0; i < cells.size(); ++i) {
    line += "---|";
  }
  return line + "\n";
}

const matrix_cell* cell_at(const matrix_row& line, int tenants) {
  for (const matrix_cell& cell : line.cells) {
    if (cell.tenants == tenants) {
      return &cell;
    }
  }
  return nullptr;
}

void side_by_side(std::ostream& out, const report_model& model) {
  const std::vector<side_by_side_key> keys = side_by_side_keys(model);
  if (keys.empty()) {
    return;
  }
  out << "## Side by side: median slowdown\n\n";
  std::vector<std::string> titles = {"mode", "workloads", "tenants"};
  for (const source_model& source : model.sources) {
    titles.push_back(escape_markdown(source.label) + (source.host_only ? " (host-only)" : ""));
  }
  out << header(titles);
  for (const auto& [mode, workloads, tenants] : keys) {
    std::vector<std::string> cells = {mode, escape_markdown(workloads), std::to_string(tenants)};
    for (const source_model& source : model.sources) {
      std::string text = "-";
      for (const matrix_row& line : source.matrix) {
        if (line.mode == mode && line.workloads == workloads) {
          if (const matrix_cell* cell = cell_at(line, tenants)) {
            text = text_slowdown(*cell);
          }
        }
      }
      cells.push_back(text);
    }
    out << row(cells);
  }
  out << "\n";
}

void isolation_side_by_side(std::ostream& out, const report_model& model) {
  const std::vector<isolation_key> keys = isolation_side_by_side_keys(model);
  if (keys.empty()) {
    return;
  }
  out << "## Side by side: isolation verdicts\n\n";
  std::vector<std::string> titles = {"mechanism", "property"};
  for (const source_model& source : model.sources) {
    titles.push_back(escape_markdown(source.label) + (source.host_only ? " (host-only)" : ""));
  }
  out << header(titles);
  for (const auto& [mechanism, property] : keys) {
    std::vector<std::string> cells = {escape_markdown(mechanism), escape_markdown(property)};
    for (const source_model& source : model.sources) {
      cells.push_back(escape_markdown(text_isolation(source.isolation.at(mechanism, property))));
    }
    out << row(cells);
  }
  out << "\n";
}

std::string figures_text(const std::map<std::string, double>& figures) {
  std::string text;
  for (const auto& [name, value] : figures) {
    text += (text.empty() ? "" : ", ") + name + " " + format_figure(name, value);
  }
  return text;
}

void isolation_section_markdown(std::ostream& out, const isolation_section& isolation) {
  if (isolation.empty()) {
    return;
  }
  if (!isolation.cells.empty()) {
    out << "### Isolation matrix\n\n"
        << "Each property under each mechanism: the verdict its rule gives (isolated, partial, "
           "none, untested) and the figure it rests on; the rule and the evidence follow. A cell "
           "labelled \""
        << escape_markdown(host_only_label)
        << "\" ran host processes: it tests the harness, and its verdict is no GPU result.\n\n";
    std::vector<std::string> titles = {"mechanism"};
    for (const std::string& property : isolation.properties) {
      titles.push_back(escape_markdown(property));
    }
    out << header(titles);
    for (const std::string& mechanism : isolation.mechanisms) {
      std::vector<std::string> cells = {escape_markdown(mechanism)};
      for (const std::string& property : isolation.properties) {
        cells.push_back(escape_markdown(text_isolation(isolation.at(mechanism, property))));
      }
      out << row(cells);
    }
    out << "\n#### Isolation evidence\n\n";
    for (const isolation_entry& cell : isolation.cells) {
      out << "- **" << escape_markdown(cell.mechanism) << ", " << escape_markdown(cell.property)
          << ": " << escape_markdown(cell.verdict) << "** (run " << escape_markdown(cell.run_key)
          << ")" << (cell.host_only ? ", " + escape_markdown(host_only_label) : "") << ": "
          << escape_markdown(cell.evidence) << "\n";
      if (!cell.rule.empty()) {
        out << "  - rule: " << escape_markdown(cell.rule) << "\n";
      }
      if (!cell.figures.empty()) {
        out << "  - figures: " << escape_markdown(figures_text(cell.figures)) << "\n";
      }
      if (!cell.flags.empty()) {
        out << "  - flags: " << escape_markdown(text_flags(cell.flags)) << "\n";
      }
      for (const std::string& tenant : cell.tenants) {
        out << "  - " << escape_markdown(tenant) << "\n";
      }
      for (const std::string& line : cell.mps_fault) {
        out << "  - " << escape_markdown(line) << "\n";
      }
    }
    out << "\n";
  }
  if (!isolation.claims.empty()) {
    out << "#### Documented claims\n\n"
        << header({"mechanism", "property", "claim", "source",
                   "claim holds on this card: yes / no / untested", "basis"});
    for (const isolation_claim_row& claim : isolation.claims) {
      out << row({escape_markdown(claim.mechanism), escape_markdown(claim.property),
                  escape_markdown(claim.claim), escape_markdown(claim.source),
                  escape_markdown(claim.holds), escape_markdown(claim.basis)});
    }
    out << "\n";
  }
}

void what_to_choose(std::ostream& out, const source_model& source, const report_model& model) {
  const std::vector<mechanism_choice> choices = rank_mechanisms(source);
  const std::vector<latency_choice> latency = latency_choices(source, model.latency_bound_ms);
  const std::optional<gpu_model_choice> gpu = gpu_model_rule(source);
  if (choices.empty() && latency.empty() && !gpu && source.fleet.empty()) {
    return;
  }
  out << "### What to choose on this card\n\n"
      << "Speed of a tenant: its throughput as a fraction of a dedicated GPU (1 / slowdown; "
         "for mig the instance's fraction of the full GPU / slowdown).\n\n";
  for (const mechanism_choice& choice : choices) {
    out << "- " << escape_markdown(describe_choice(choice)) << "\n";
  }
  if (!latency.empty()) {
    out << "\n**Latency bound**: " << escape_markdown(latency_rule_note(model.latency_bound_ms))
        << "\n\n";
    for (const latency_choice& choice : latency) {
      out << "- " << escape_markdown(describe_latency(choice)) << "\n";
    }
  }
  if (gpu) {
    out << "\n**GPU model**: " << escape_markdown(gpu_model_heading(*gpu)) << "\n\n"
        << "- MIG: " << escape_markdown(gpu->mig) << "\n";
    if (!gpu->mps.empty()) {
      out << "- MPS isolation: " << escape_markdown(gpu->mps) << "\n";
    }
    out << "- mig column: " << escape_markdown(gpu->mig_column) << "\n";
  }
  out << "\n" << header({"mechanism", "isolation (by construction, not measured)"});
  for (const char* mode : {"timeslice", "mps", "mig"}) {
    out << row({mode, isolation_of(mode)});
  }
  out << "\n";
  if (!source.fleet.empty()) {
    out << header({"fleet under", "GPUs", "workloads per GPU", "speed per workload", "basis"});
    for (const fleet_option& option : source.fleet) {
      out << row({option.mechanism, option.gpus ? std::to_string(*option.gpus) : "-",
                  option.per_gpu ? std::to_string(*option.per_gpu) : "-",
                  text_percent(option.speed), escape_markdown(option.basis)});
    }
    out << "\n";
  }
}

void source_section(std::ostream& out, const source_model& source, const report_model& model) {
  out << "## " << escape_markdown(source.label) << "\n\n";
  out << "File `" << source.path << "`";
  if (!source.created_at.empty()) {
    out << ", measured " << source.created_at;
  }
  if (!source.tool_version.empty()) {
    out << " with gpushare-bench " << escape_markdown(source.tool_version);
  }
  out << ".\n\n";
  if (source.host_only) {
    out << "> **Every tenant run in this file is a " << escape_markdown(host_only_label)
        << ".** Its figures time the harness on the host; they say nothing about any GPU.\n\n";
  }

  if (!source.matrix.empty()) {
    out << "### Mechanism matrix: median slowdown per tenant count\n\n"
        << "Slowdown of a run: the median over its finished tenants of shared / solo median "
           "iteration time; in brackets the lowest and highest tenant.\n\n";
    std::vector<std::string> titles = {"mode", "workloads"};
    for (const int count : source.tenant_counts) {
      titles.push_back(fmt::format("{} tenants", count));
    }
    out << header(titles);
    for (const matrix_row& line : source.matrix) {
      std::vector<std::string> cells = {line.mode, escape_markdown(line.workloads)};
      for (const int count : source.tenant_counts) {
        const matrix_cell* cell = cell_at(line, count);
        std::string text = cell ? text_slowdown(*cell) : "-";
        if (cell && !cell->flags.empty()) {
          text += " (" + escape_markdown(text_flags(cell->flags)) + ")";
        }
        cells.push_back(text);
      }
      out << row(cells);
    }
    out << "\n### Mechanism figures\n\n";
    out << header({"mode", "workloads", "tenants", "slowdown", "overhead", "throughput ratio",
                   "p99 inflation (infer)", "fairness", "start skew", "interference", "flags"});
    for (const matrix_row& line : source.matrix) {
      for (const matrix_cell& cell : line.cells) {
        out << row({line.mode, escape_markdown(line.workloads),
                    fmt::format("{}/{} ok", cell.tenants_ok, cell.tenants), text_slowdown(cell),
                    text_percent(cell.mechanism_overhead), text_ratio(cell.throughput_ratio),
                    text_ratio(cell.p99_inflation), text_plain(cell.fairness),
                    text_duration(cell.start_skew_us), text_ratio(cell.interference),
                    escape_markdown(text_flags(cell.flags))});
      }
    }
    out << "\n";
  }

  isolation_section_markdown(out, source.isolation);

  std::map<std::string, std::vector<const tenant_row*>> by_mode;
  std::vector<std::string> modes;
  for (const tenant_row& tenant : source.tenants) {
    if (by_mode[tenant.mode].empty()) {
      modes.push_back(tenant.mode);
    }
    by_mode[tenant.mode].push_back(&tenant);
  }
  for (const std::string& mode : modes) {
    out << "### " << mode << ": tenants\n\n";
    out << header({"run", "tenant", "workload", "status", "solo median", "shared median",
                   "shared p99", "shared throughput", "slowdown", "p99 inflation", "flags"});
    for (const tenant_row* tenant : by_mode[mode]) {
      out << row({escape_markdown(tenant->run_key), std::to_string(tenant->tenant),
                  escape_markdown(tenant->workload), escape_markdown(tenant->status),
                  text_duration(tenant->solo_median_us), text_duration(tenant->shared_median_us),
                  text_duration(tenant->shared_p99_us),
                  tenant->shared_throughput_per_s
                      ? format_rate(*tenant->shared_throughput_per_s) + "/s"
                      : "-",
                  text_ratio(tenant->slowdown), text_ratio(tenant->p99_inflation),
                  escape_markdown(text_flags(tenant->flags))});
    }
    out << "\n";
  }

  if (!source.streams.empty()) {
    out << "### streams: overlap speedup against 1 stream\n\n";
    out << header({"run", "experiment", "streams", "speedup", "ideal", "efficiency"});
    for (const streams_curves& curves : source.streams) {
      for (const auto& [achieved, ideal] :
           {std::pair{&curves.kernel_overlap, &curves.kernel_overlap_ideal},
            std::pair{&curves.copy_pipeline, &curves.copy_pipeline_ideal}}) {
        for (std::size_t i = 0; i < achieved->points.size(); ++i) {
          const double speedup = achieved->points[i].y;
          const double bound = ideal->points[i].y;
          out << row({escape_markdown(curves.run_key), achieved->name,
                      fmt::format("{:.0f}", achieved->points[i].x), format_ratio(speedup),
                      format_ratio(bound), bound > 0 ? format_percent(speedup / bound) : "-"});
        }
      }
    }
    out << "\n";
  }

  if (source.limits) {
    out << "### Calibrated limits\n\n"
        << header({"limit", "value"})
        << row({fmt::format("GEMM peak ({})", source.limits->peak_dtype),
                format_significant(source.limits->peak_tflops, 3) + " TFLOP/s"})
        << row({"device memory bandwidth",
                format_significant(source.limits->memory_gb_per_s, 3) + " GB/s"})
        << "\n";
  }

  what_to_choose(out, source, model);

  if (!source.skipped.empty()) {
    out << "### Runs skipped or failed\n\n";
    for (const std::string& line : source.skipped) {
      out << "- " << escape_markdown(line) << "\n";
    }
    out << "\n";
  }
  if (!source.errors.empty()) {
    out << "### Errors\n\n";
    for (const std::string& line : source.errors) {
      out << "- " << escape_markdown(line) << "\n";
    }
    out << "\n";
  }
}

std::string benchmark_line(const microbenchmark_row& line) {
  std::string note = line.error.empty() ? line.label : "did not run: " + line.error;
  return row({escape_markdown(line.name), text_statistic(line),
              text_benchmark_time(line.real_time, line.time_unit),
              text_benchmark_time(line.cpu_time, line.time_unit), text_percent(line.real_time_cv),
              text_percent(line.cpu_time_cv), text_iterations(line),
              escape_markdown(text_counters(line.counters)), escape_markdown(note)});
}

void microbenchmarks(std::ostream& out, const report_model& model) {
  out << "## Microbenchmarks\n\n"
      << "Google Benchmark output of bench/. With repetitions a row is their median (the mean "
         "when the file has none) and cv their coefficient of variation; iterations are those "
         "of one repetition.\n\n";
  for (const microbenchmark_source& source : model.microbenchmarks) {
    out << "### " << escape_markdown(source.label) << "\n\n"
        << "File `" << source.path
        << "`: " << escape_markdown(text_benchmark_context(source.context)) << ".\n\n";
    if (source.debug_library) {
      out << "> **" << escape_markdown(debug_library_warning) << "**\n\n";
    }
    out << header({"benchmark", "figures", "real time", "CPU time", "cv (real)", "cv (CPU)",
                   "iterations", "counters", "note"});
    for (const microbenchmark_row& row : source.rows) {
      out << benchmark_line(row);
    }
    out << "\n";
  }
}

} // namespace

std::string escape_markdown(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
    case '|':
    case '\\':
    case '*':
    case '_':
    case '`':
      out += '\\';
      out += c;
      break;
    case '[':
    case ']':
      // Tenant and daemon text must not become a link or an image.
      out += '\\';
      out += c;
      break;
    case '\n':
    case '\r':
      // A table row or list item is one line; the daemon's log tail is not.
      out += ' ';
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '&':
      out += "&amp;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string render_report_markdown(const report_model& model) {
  std::ostringstream out;
  out << "# gpushare-bench report\n\n";
  if (model.fleet) {
    out << fmt::format("Fleet asked about: {} workloads of {} each.\n\n", model.fleet->workloads,
                       format_bytes(model.fleet->memory_bytes));
  }
  for (const source_model& source : model.sources) {
    out << "- " << escape_markdown(source.label) << " (`" << source.path << "`)"
        << (source.host_only ? ": " + escape_markdown(host_only_label) : "") << "\n";
  }
  for (const microbenchmark_source& source : model.microbenchmarks) {
    out << "- " << escape_markdown(source.label) << " (`" << source.path
        << "`): Google Benchmark output\n";
  }
  out << "\n";
  if (model.sources.size() > 1) {
    side_by_side(out, model);
    isolation_side_by_side(out, model);
  }
  for (const source_model& source : model.sources) {
    source_section(out, source, model);
  }
  if (!model.microbenchmarks.empty()) {
    microbenchmarks(out, model);
  }
  return out.str();
}

} // namespace gpushare::report
