#include "report/report_html.hpp"

#include "report/console_table.hpp"
#include "report/isolation_figures.hpp"
#include "report/report_choice.hpp"
#include "report/report_format.hpp"
#include "report/svg_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace gpushare::report {
namespace {

constexpr const char* style = R"(
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; margin: 24px;
       color: #1a1a1a; background: #ffffff; max-width: 1400px; }
h1 { font-size: 24px; margin-bottom: 4px; }
h2 { font-size: 20px; border-bottom: 2px solid #0072B2; padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 16px; margin-top: 24px; }
p.note { color: #444; font-size: 13px; }
.banner { background: #fff3e0; border: 2px solid #d55e00; padding: 10px 14px; margin: 12px 0;
          font-weight: bold; color: #8a3b00; }
table { border-collapse: collapse; margin: 8px 0 16px 0; font-size: 13px; }
th, td { border: 1px solid #c8c8c8; padding: 4px 8px; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th, td.key { overflow-wrap: normal; }
td.key { white-space: nowrap; }
th { background: #e8f0f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td .flags { display: block; color: #a04000; font-size: 11px; }
td .figure { display: block; font-variant-numeric: tabular-nums; }
.verdict-isolated { font-weight: bold; color: #006d4f; }
.verdict-partial { font-weight: bold; color: #8a5a00; }
.verdict-none { font-weight: bold; color: #b00020; }
.verdict-untested { color: #666; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
svg.chart { border: 1px solid #ddd; background: #fff; font-family: inherit; }
)";

std::string esc(const std::string& text) {
  return escape_xml(text);
}

std::string cell_html(const matrix_cell& cell) {
  std::string text = esc(text_slowdown(cell));
  if (!cell.flags.empty()) {
    text += "<span class=\"flags\">" + esc(text_flags(cell.flags)) + "</span>";
  }
  return text;
}

std::string table_head(const std::vector<std::string>& titles) {
  std::string text = "<table>\n<tr>";
  for (const std::string& title : titles) {
    text += "<th>" + esc(title) + "</th>";
  }
  return text + "</tr>\n";
}

std::string td(const std::string& text, bool number = false) {
  return std::string(number ? "<td class=\"num\">" : "<td>") + esc(text) + "</td>";
}

// Short words (modes, statuses) that must not be broken like the long workload specs.
std::string td_key(const std::string& text) {
  return "<td class=\"key\">" + esc(text) + "</td>";
}

const matrix_cell* cell_at(const matrix_row& row, int tenants) {
  for (const matrix_cell& cell : row.cells) {
    if (cell.tenants == tenants) {
      return &cell;
    }
  }
  return nullptr;
}

std::string slowdown_chart(const std::vector<const source_model*>& sources, bool label_source) {
  chart_spec chart;
  chart.title = "Slowdown against tenant count";
  chart.x_label = "tenants sharing the GPU";
  chart.y_label = "median slowdown (x)";
  int most = 0;
  bool host_only = false;
  for (const source_model* source : sources) {
    for (const matrix_row& row : source->matrix) {
      series line;
      line.name = (label_source ? source->label + ": " : std::string()) + row.mode + " (" +
                  row.workloads + ")";
      for (const matrix_cell& cell : row.cells) {
        if (cell.slowdown) {
          line.points.push_back({static_cast<double>(cell.tenants), *cell.slowdown});
          line.host_only = line.host_only || cell.host_only;
          most = std::max(most, cell.tenants);
        }
      }
      host_only = host_only || line.host_only;
      if (!line.points.empty()) {
        chart.data.push_back(std::move(line));
      }
    }
  }
  if (chart.data.empty()) {
    return "";
  }
  series fair;
  fair.name = "N: each of N saturating tenants gets 1/N of the GPU";
  fair.dashed = true;
  for (int n = 1; n <= std::max(most, 2); ++n) {
    fair.points.push_back({static_cast<double>(n), static_cast<double>(n)});
  }
  chart.data.push_back(fair);
  chart.height = 340 + 16 * static_cast<int>(chart.data.size());
  if (host_only) {
    chart.note = host_only_label;
  }
  return render_svg_chart(chart);
}

std::string streams_chart(const streams_curves& curves) {
  chart_spec chart;
  chart.title = "Stream overlap speedup against ideal (" + curves.run_key + ")";
  chart.x_label = "streams";
  chart.y_label = "speedup over 1 stream (x)";
  chart.log_x = false;
  chart.data = {curves.kernel_overlap, curves.kernel_overlap_ideal, curves.copy_pipeline,
                curves.copy_pipeline_ideal};
  chart.height = 420;
  return render_svg_chart(chart);
}

std::string latency_chart(const std::string& run_key, const std::vector<const latency_cdf*>& cdfs) {
  chart_spec chart;
  chart.title = "Latency CDF (" + run_key + ")";
  chart.x_label = "iteration latency (us, log scale)";
  chart.y_label = "fraction of iterations";
  chart.log_x = true;
  chart.markers = false;
  bool host_only = false;
  for (const latency_cdf* cdf : cdfs) {
    series line = cdf->curve;
    line.name = fmt::format("tenant {} {}", cdf->tenant, cdf->phase);
    host_only = host_only || line.host_only;
    chart.data.push_back(std::move(line));
  }
  chart.height = 330 + 16 * static_cast<int>(chart.data.size());
  if (host_only) {
    chart.note = host_only_label;
  }
  return render_svg_chart(chart);
}

std::string telemetry_charts(const telemetry_timeline& timeline) {
  std::string text;
  for (const series* counter : {&timeline.sm_clock_mhz, &timeline.power_w}) {
    if (counter->points.empty()) {
      continue;
    }
    chart_spec chart;
    chart.title = fmt::format("{} over {} ({})", counter->name, timeline.phase, timeline.run_key);
    chart.x_label = "ms since the phase started";
    chart.y_label = counter->name;
    chart.data = {*counter};
    chart.width = 460;
    chart.height = 300;
    if (timeline.throttled) {
      chart.note = "throttled: a power, thermal or hardware slowdown reason was seen";
    }
    text += render_svg_chart(chart);
  }
  return text;
}

std::string roofline_chart(const source_model& source) {
  if (!source.limits || source.roofline.empty()) {
    return "";
  }
  const roofline_limits& limits = *source.limits;
  chart_spec chart;
  chart.title = "Roofline: each workload against the calibrated limits";
  chart.x_label = "arithmetic intensity (FLOP/byte, log scale)";
  chart.y_label = "TFLOP/s (log scale)";
  chart.log_x = true;
  chart.log_y = true;
  chart.lines = false;
  double low = 1e9;
  double high = 0;
  bool host_only = false;
  for (const roofline_point& point : source.roofline) {
    series dot;
    dot.name = point.label;
    dot.host_only = point.host_only;
    host_only = host_only || point.host_only;
    dot.points = {{point.intensity_flop_per_byte, point.achieved_tflops}};
    low = std::min(low, point.intensity_flop_per_byte);
    high = std::max(high, point.intensity_flop_per_byte);
    chart.data.push_back(std::move(dot));
  }
  if (limits.peak_tflops > 0 && limits.memory_gb_per_s > 0) {
    series roof;
    roof.name = fmt::format("roof: {} GB/s x intensity, {} TFLOP/s {} peak",
                            format_significant(limits.memory_gb_per_s, 3),
                            format_significant(limits.peak_tflops, 3), limits.peak_dtype);
    roof.dashed = true;
    const double ridge = limits.peak_tflops * 1e12 / (limits.memory_gb_per_s * 1e9);
    low = std::min(low, ridge) / 10;
    high = std::max(high, ridge) * 10;
    for (double x = low; x <= high * 1.0001; x *= std::pow(10.0, 0.125)) {
      roof.points.push_back({x, std::min(limits.peak_tflops, limits.memory_gb_per_s * x / 1e3)});
    }
    chart.data.push_back(std::move(roof));
  }
  chart.height = 330 + 16 * static_cast<int>(chart.data.size());
  if (host_only) {
    chart.note = host_only_label;
  }
  return render_svg_chart(chart);
}

void side_by_side(std::ostream& out, const report_model& model) {
  const std::vector<side_by_side_key> keys = side_by_side_keys(model);
  if (keys.empty()) {
    return;
  }
  out << "<h2>Side by side: median slowdown</h2>\n";
  std::vector<std::string> titles = {"mode", "workloads", "tenants"};
  for (const source_model& source : model.sources) {
    titles.push_back(source.label + (source.host_only ? " (host-only)" : ""));
  }
  out << table_head(titles);
  for (const auto& [mode, workloads, tenants] : keys) {
    out << "<tr>" << td_key(mode) << td(workloads) << td(std::to_string(tenants), true);
    for (const source_model& source : model.sources) {
      std::string text = "-";
      for (const matrix_row& row : source.matrix) {
        if (row.mode == mode && row.workloads == workloads) {
          if (const matrix_cell* cell = cell_at(row, tenants)) {
            text = cell_html(*cell);
          }
        }
      }
      out << "<td class=\"num\">" << text << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</table>\n";
  std::vector<const source_model*> all;
  for (const source_model& source : model.sources) {
    all.push_back(&source);
  }
  out << "<div class=\"charts\">" << slowdown_chart(all, true) << "</div>\n";
}

std::string isolation_html(const isolation_entry* cell) {
  if (cell == nullptr) {
    return "-";
  }
  // Colour only the four verdicts the schema knows; any other text is shown as it is.
  const bool known = cell->verdict == "isolated" || cell->verdict == "partial" ||
                     cell->verdict == "none" || cell->verdict == "untested";
  std::string text = "<span class=\"verdict" + (known ? "-" + cell->verdict : std::string()) +
                     "\">" + esc(cell->verdict) + "</span>";
  if (cell->key_figure) {
    text += "<span class=\"figure\">" + esc(cell->key_text) + "</span>";
  }
  if (cell->host_only) {
    text += "<span class=\"flags\">" + esc(host_only_label) + "</span>";
  }
  return text;
}

void isolation_side_by_side(std::ostream& out, const report_model& model) {
  const std::vector<isolation_key> keys = isolation_side_by_side_keys(model);
  if (keys.empty()) {
    return;
  }
  out << "<h2>Side by side: isolation verdicts</h2>\n";
  std::vector<std::string> titles = {"mechanism", "property"};
  for (const source_model& source : model.sources) {
    titles.push_back(source.label + (source.host_only ? " (host-only)" : ""));
  }
  out << table_head(titles);
  for (const auto& [mechanism, property] : keys) {
    out << "<tr>" << td_key(mechanism) << td_key(property);
    for (const source_model& source : model.sources) {
      out << "<td>" << isolation_html(source.isolation.at(mechanism, property)) << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</table>\n";
}

void isolation_section_html(std::ostream& out, const isolation_section& isolation) {
  if (isolation.empty()) {
    return;
  }
  if (!isolation.cells.empty()) {
    out << "<h3>Isolation matrix</h3>\n<p class=\"note\">Each property under each mechanism: "
           "the verdict its rule gives (isolated, partial, none, untested) and the figure it "
           "rests on; the rule and the evidence follow. A cell labelled \""
        << esc(host_only_label)
        << "\" ran host processes: it tests the harness, and its verdict is no GPU result.</p>\n";
    std::vector<std::string> titles = {"mechanism"};
    titles.insert(titles.end(), isolation.properties.begin(), isolation.properties.end());
    out << table_head(titles);
    for (const std::string& mechanism : isolation.mechanisms) {
      out << "<tr>" << td_key(mechanism);
      for (const std::string& property : isolation.properties) {
        out << "<td>" << isolation_html(isolation.at(mechanism, property)) << "</td>";
      }
      out << "</tr>\n";
    }
    out << "</table>\n<h4>Isolation evidence</h4>\n<ul>\n";
    for (const isolation_entry& cell : isolation.cells) {
      out << "<li><b>" << esc(cell.mechanism) << ", " << esc(cell.property) << ": "
          << esc(cell.verdict) << "</b> (run " << esc(cell.run_key) << ")"
          << (cell.host_only ? ", " + esc(host_only_label) : "") << ": " << esc(cell.evidence);
      std::vector<std::string> details;
      if (!cell.rule.empty()) {
        details.push_back("rule: " + cell.rule);
      }
      if (!cell.figures.empty()) {
        std::string figures;
        for (const auto& [name, value] : cell.figures) {
          figures += (figures.empty() ? "" : ", ") + name + " " + format_figure(name, value);
        }
        details.push_back("figures: " + figures);
      }
      if (!cell.flags.empty()) {
        details.push_back("flags: " + text_flags(cell.flags));
      }
      details.insert(details.end(), cell.tenants.begin(), cell.tenants.end());
      details.insert(details.end(), cell.mps_fault.begin(), cell.mps_fault.end());
      if (!details.empty()) {
        out << "\n<ul>\n";
        for (const std::string& line : details) {
          out << "<li>" << esc(line) << "</li>\n";
        }
        out << "</ul>";
      }
      out << "</li>\n";
    }
    out << "</ul>\n";
  }
  if (!isolation.claims.empty()) {
    out << "<h4>Documented claims</h4>\n"
        << table_head({"mechanism", "property", "claim", "source",
                       "claim holds on this card: yes / no / untested", "basis"});
    for (const isolation_claim_row& claim : isolation.claims) {
      out << "<tr>" << td_key(claim.mechanism) << td_key(claim.property) << td(claim.claim)
          << td(claim.source) << td_key(claim.holds) << td(claim.basis) << "</tr>\n";
    }
    out << "</table>\n";
  }
}

void what_to_choose(std::ostream& out, const source_model& source, const report_model& model) {
  const std::vector<mechanism_choice> choices = rank_mechanisms(source);
  const std::vector<latency_choice> latency = latency_choices(source, model.latency_bound_ms);
  const std::optional<gpu_model_choice> gpu = gpu_model_rule(source);
  if (choices.empty() && latency.empty() && !gpu && source.fleet.empty()) {
    return;
  }
  out << "<h3>What to choose on this card</h3>\n<p class=\"note\">Speed of a tenant: its "
         "throughput as a fraction of a dedicated GPU (1 / slowdown; for mig the instance's "
         "fraction of the full GPU / slowdown).</p>\n<ul>\n";
  for (const mechanism_choice& choice : choices) {
    out << "<li>" << esc(describe_choice(choice)) << "</li>\n";
  }
  out << "</ul>\n";
  if (!latency.empty()) {
    out << "<p><strong>Latency bound</strong>: " << esc(latency_rule_note(model.latency_bound_ms))
        << "</p>\n<ul>\n";
    for (const latency_choice& choice : latency) {
      out << "<li>" << esc(describe_latency(choice)) << "</li>\n";
    }
    out << "</ul>\n";
  }
  if (gpu) {
    out << "<p><strong>GPU model</strong>: " << esc(gpu_model_heading(*gpu)) << "</p>\n<ul>\n"
        << "<li>MIG: " << esc(gpu->mig) << "</li>\n";
    if (!gpu->mps.empty()) {
      out << "<li>MPS isolation: " << esc(gpu->mps) << "</li>\n";
    }
    out << "<li>mig column: " << esc(gpu->mig_column) << "</li>\n</ul>\n";
  }
  out << table_head({"mechanism", "isolation (by construction, not measured)"});
  for (const char* mode : {"timeslice", "mps", "mig"}) {
    out << "<tr>" << td_key(mode) << td(isolation_of(mode)) << "</tr>\n";
  }
  out << "</table>\n";
  if (!source.fleet.empty()) {
    out << table_head({"fleet under", "GPUs", "workloads per GPU", "speed per workload", "basis"});
    for (const fleet_option& option : source.fleet) {
      out << "<tr>" << td_key(option.mechanism)
          << td(option.gpus ? std::to_string(*option.gpus) : "-", true)
          << td(option.per_gpu ? std::to_string(*option.per_gpu) : "-", true)
          << td(text_percent(option.speed), true) << td(option.basis) << "</tr>\n";
    }
    out << "</table>\n";
  }
}

void source_section(std::ostream& out, const source_model& source, const report_model& model) {
  out << "<section>\n<h2>" << esc(source.label) << "</h2>\n<p class=\"note\">File "
      << esc(source.path);
  if (!source.created_at.empty()) {
    out << ", measured " << esc(source.created_at);
  }
  if (!source.tool_version.empty()) {
    out << " with gpushare-bench " << esc(source.tool_version);
  }
  out << ".</p>\n";
  if (source.host_only) {
    out << "<div class=\"banner\">Every tenant run in this file is a " << esc(host_only_label)
        << ". Its figures time the harness on the host; they say nothing about any GPU.</div>\n";
  }

  if (!source.matrix.empty()) {
    out << "<h3>Mechanism matrix: median slowdown per tenant count</h3>\n<p class=\"note\">"
           "Slowdown of a run: the median over its finished tenants of shared / solo median "
           "iteration time; in brackets the lowest and highest tenant.</p>\n";
    std::vector<std::string> titles = {"mode", "workloads"};
    for (const int count : source.tenant_counts) {
      titles.push_back(fmt::format("{} tenants", count));
    }
    out << table_head(titles);
    for (const matrix_row& row : source.matrix) {
      out << "<tr>" << td_key(row.mode) << td(row.workloads);
      for (const int count : source.tenant_counts) {
        const matrix_cell* cell = cell_at(row, count);
        out << "<td class=\"num\">" << (cell ? cell_html(*cell) : "-") << "</td>";
      }
      out << "</tr>\n";
    }
    out << "</table>\n<h3>Mechanism figures</h3>\n";
    out << table_head({"mode", "workloads", "tenants", "slowdown", "overhead", "throughput ratio",
                       "p99 inflation (infer)", "fairness", "start skew", "interference", "flags"});
    for (const matrix_row& row : source.matrix) {
      for (const matrix_cell& cell : row.cells) {
        out << "<tr>" << td_key(row.mode) << td(row.workloads)
            << td(fmt::format("{}/{} ok", cell.tenants_ok, cell.tenants), true)
            << td(text_slowdown(cell), true) << td(text_percent(cell.mechanism_overhead), true)
            << td(text_ratio(cell.throughput_ratio), true)
            << td(text_ratio(cell.p99_inflation), true) << td(text_plain(cell.fairness), true)
            << td(text_duration(cell.start_skew_us), true)
            << td(text_ratio(cell.interference), true) << td(text_flags(cell.flags)) << "</tr>\n";
      }
    }
    out << "</table>\n";
  }

  isolation_section_html(out, source.isolation);

  std::map<std::string, std::vector<const tenant_row*>> by_mode;
  std::vector<std::string> modes;
  for (const tenant_row& tenant : source.tenants) {
    if (by_mode[tenant.mode].empty()) {
      modes.push_back(tenant.mode);
    }
    by_mode[tenant.mode].push_back(&tenant);
  }
  for (const std::string& mode : modes) {
    out << "<h3>" << esc(mode) << ": tenants</h3>\n";
    out << table_head({"run", "tenant", "workload", "status", "solo median", "shared median",
                       "shared p99", "shared throughput", "slowdown", "p99 inflation", "flags"});
    for (const tenant_row* tenant : by_mode[mode]) {
      out << "<tr>" << td(tenant->run_key) << td(std::to_string(tenant->tenant), true)
          << td(tenant->workload) << td_key(tenant->status)
          << td(text_duration(tenant->solo_median_us), true)
          << td(text_duration(tenant->shared_median_us), true)
          << td(text_duration(tenant->shared_p99_us), true)
          << td(tenant->shared_throughput_per_s
                    ? format_rate(*tenant->shared_throughput_per_s) + "/s"
                    : "-",
                true)
          << td(text_ratio(tenant->slowdown), true) << td(text_ratio(tenant->p99_inflation), true)
          << td(text_flags(tenant->flags)) << "</tr>\n";
    }
    out << "</table>\n";
  }

  out << "<h3>Charts</h3>\n<div class=\"charts\">\n";
  out << slowdown_chart({&source}, false);
  for (const streams_curves& curves : source.streams) {
    out << streams_chart(curves);
  }
  std::vector<std::string> run_order;
  std::map<std::string, std::vector<const latency_cdf*>> cdfs;
  for (const latency_cdf& cdf : source.latency) {
    if (cdfs[cdf.run_key].empty()) {
      run_order.push_back(cdf.run_key);
    }
    cdfs[cdf.run_key].push_back(&cdf);
  }
  for (const std::string& key : run_order) {
    out << latency_chart(key, cdfs[key]);
  }
  out << roofline_chart(source);
  for (const telemetry_timeline& timeline : source.telemetry) {
    out << telemetry_charts(timeline);
  }
  out << "</div>\n";

  what_to_choose(out, source, model);

  if (!source.skipped.empty()) {
    out << "<h3>Runs skipped or failed</h3>\n<ul>\n";
    for (const std::string& line : source.skipped) {
      out << "<li>" << esc(line) << "</li>\n";
    }
    out << "</ul>\n";
  }
  if (!source.errors.empty()) {
    out << "<h3>Errors</h3>\n<ul>\n";
    for (const std::string& line : source.errors) {
      out << "<li>" << esc(line) << "</li>\n";
    }
    out << "</ul>\n";
  }
  out << "</section>\n";
}

void microbenchmarks(std::ostream& out, const report_model& model) {
  out << "<section>\n<h2>Microbenchmarks</h2>\n<p class=\"note\">Google Benchmark output of "
         "bench/. With repetitions a row is their median (the mean when the file has none) and "
         "cv their coefficient of variation; iterations are those of one repetition.</p>\n";
  for (const microbenchmark_source& source : model.microbenchmarks) {
    out << "<h3>" << esc(source.label) << "</h3>\n<p class=\"note\">File " << esc(source.path)
        << ": " << esc(text_benchmark_context(source.context)) << ".</p>\n";
    if (source.debug_library) {
      out << "<div class=\"banner\">" << esc(debug_library_warning) << "</div>\n";
    }
    out << table_head({"benchmark", "figures", "real time", "CPU time", "cv (real)", "cv (CPU)",
                       "iterations", "counters", "note"});
    for (const microbenchmark_row& row : source.rows) {
      out << "<tr>" << td(row.name) << td_key(text_statistic(row))
          << td(text_benchmark_time(row.real_time, row.time_unit), true)
          << td(text_benchmark_time(row.cpu_time, row.time_unit), true)
          << td(text_percent(row.real_time_cv), true) << td(text_percent(row.cpu_time_cv), true)
          << td(text_iterations(row), true) << td(text_counters(row.counters))
          << td(row.error.empty() ? row.label : "did not run: " + row.error) << "</tr>\n";
    }
    out << "</table>\n";
  }
  out << "</section>\n";
}

} // namespace

std::string render_report_html(const report_model& model) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<title>gpushare-bench report</title>\n<style>" << style << "</style>\n</head>\n<body>\n"
      << "<h1>gpushare-bench report</h1>\n<ul>\n";
  for (const source_model& source : model.sources) {
    out << "<li>" << esc(source.label) << " (" << esc(source.path) << ")"
        << (source.host_only ? std::string(": ") + host_only_label : "") << "</li>\n";
  }
  for (const microbenchmark_source& source : model.microbenchmarks) {
    out << "<li>" << esc(source.label) << " (" << esc(source.path)
        << "): Google Benchmark output</li>\n";
  }
  out << "</ul>\n";
  for (const source_model& source : model.sources) {
    if (source.host_only) {
      out << "<div class=\"banner\">" << esc(source.label) << ": every figure is a "
          << esc(host_only_label) << ".</div>\n";
    }
  }
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
  out << "</body>\n</html>\n";
  return out.str();
}

} // namespace gpushare::report
