#include "report/compare_markdown.hpp"

#include "report/console_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

namespace gpushare::report {
namespace {

std::string file_line(const compared_file& file) {
  const report_document& document = *file.document;
  std::string gpus;
  for (const gpu_info& gpu : document.environment.gpus) {
    gpus += (gpus.empty() ? "" : ", ") + gpu.name;
  }
  return fmt::format(
      "`{}`: gpushare-bench {} ({}), {}, {}, driver {}", file.path, document.tool.version,
      document.tool.git_sha.empty() ? "unknown revision" : document.tool.git_sha,
      document.created_at.empty() ? "no date" : document.created_at, gpus.empty() ? "no GPU" : gpus,
      document.environment.driver_release.empty() ? "unknown"
                                                  : document.environment.driver_release);
}

std::string value_cell(const std::optional<metric>& figure) {
  if (!figure) {
    return "-";
  }
  if (!figure->level.empty()) {
    return figure->level;
  }
  const std::string unit = figure->unit.empty() ? "" : " " + figure->unit;
  std::string text = format_significant(figure->value) + unit;
  if (figure->low && figure->high) {
    text += fmt::format(" [{}, {}]", format_significant(*figure->low),
                        format_significant(*figure->high));
  }
  if (figure->noisy) {
    text += " (noisy)";
  }
  return text;
}

std::string change_cell(const metric_delta& delta) {
  if (!delta.delta) {
    return "-";
  }
  if (delta.base && delta.base->unit.empty()) {
    return fmt::format("{:+.3g} (absolute)", *delta.delta); // a fraction near 0 or 1
  }
  return fmt::format("{:+.1f} %", 100.0 * *delta.delta);
}

std::string verdict_cell(const metric_delta& delta, const compare_settings& settings) {
  if (delta.base && !delta.base->level.empty()) {
    switch (delta.outcome) {
    case verdict::slower:
      return "**less isolated**";
    case verdict::faster:
      return "more isolated";
    case verdict::unclear:
      return "unclear (judged on a figure without an interval)";
    default:
      break;
    }
  }
  if (delta.outcome == verdict::slower) {
    return "**slower**";
  }
  if (delta.outcome == verdict::only_in_base && !settings.allow_missing) {
    return "**missing**";
  }
  if (delta.outcome == verdict::unclear && !(delta.base && delta.base->low)) {
    return "unclear (no interval)";
  }
  return to_string(delta.outcome);
}

/// Markdown table cells must not contain a bare pipe.
std::string escaped(std::string text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') {
      out += "\\|";
    } else {
      out += c;
    }
  }
  return out;
}

void print_table(std::ostream& out, const std::vector<const metric_delta*>& rows,
                 const compare_settings& settings) {
  out << "| metric | base | new | change | verdict |\n|---|---:|---:|---:|---|\n";
  for (const metric_delta* delta : rows) {
    out << fmt::format("| `{}` | {} | {} | {} | {} |\n", escaped(delta->name),
                       escaped(value_cell(delta->base)), escaped(value_cell(delta->next)),
                       change_cell(*delta), verdict_cell(*delta, settings));
  }
}

void print_differences(std::ostream& out, const environment_comparison& environment, bool forced) {
  if (!environment.refusing.empty()) {
    out << (forced ? "> **Compared with --force although the reports measured different "
                     "things:**\n"
                   : "> **Not compared: the reports measured different things** (pass --force "
                     "to compare anyway):\n");
    for (const std::string& difference : environment.refusing) {
      out << "> - " << difference << '\n';
    }
    out << '\n';
  }
  if (!environment.noted.empty()) {
    out << "Also different:\n";
    for (const std::string& difference : environment.noted) {
      out << "- " << difference << '\n';
    }
    out << '\n';
  }
}

} // namespace

void print_refusal_markdown(std::ostream& out, const compared_file& base, const compared_file& next,
                            const environment_comparison& environment) {
  out << "## gpushare-bench compare\n\n";
  out << "- base: " << file_line(base) << '\n';
  out << "- new: " << file_line(next) << "\n\n";
  print_differences(out, environment, false);
}

void print_comparison_markdown(std::ostream& out, const compared_file& base,
                               const compared_file& next, const comparison& result,
                               const compare_settings& settings, bool forced) {
  std::map<verdict, int> counts;
  for (const metric_delta& delta : result.deltas) {
    ++counts[delta.outcome];
  }
  out << "## gpushare-bench compare\n\n";
  out << "- base: " << file_line(base) << '\n';
  out << "- new: " << file_line(next) << "\n\n";
  if (result.regressions > 0) {
    out << fmt::format("**{} regression{}** (slower beyond {:g} %, less isolated, or missing).",
                       result.regressions, result.regressions == 1 ? "" : "s",
                       100 * settings.threshold);
  } else {
    out << fmt::format("**No regression** beyond {:g} %.", 100 * settings.threshold);
  }
  out << fmt::format(" {} metrics: {} faster, {} slower, {} same, {} unclear, {} only in base, "
                     "{} only in new.\n\n",
                     result.deltas.size(), counts[verdict::faster], counts[verdict::slower],
                     counts[verdict::same], counts[verdict::unclear], counts[verdict::only_in_base],
                     counts[verdict::only_in_new]);
  out << fmt::format("Within {:g} % a metric is the same (for plain fractions: {:g} absolute); "
                     "beyond it, a change whose interval overlaps the base's, or a figure "
                     "without an interval, is unclear (noise is not a regression).\n\n",
                     100 * settings.threshold, settings.threshold);
  print_differences(out, result.environment, forced);
  // What a reviewer must see first: regressions, then the other moves; unchanged metrics are
  // folded so a CI comment stays short.
  constexpr std::array order{verdict::slower, verdict::faster, verdict::unclear,
                             verdict::only_in_base, verdict::only_in_new};
  std::vector<const metric_delta*> moved;
  for (const verdict wanted : order) {
    for (const metric_delta& delta : result.deltas) {
      if (delta.outcome == wanted) {
        moved.push_back(&delta);
      }
    }
  }
  std::vector<const metric_delta*> unchanged;
  for (const metric_delta& delta : result.deltas) {
    if (delta.outcome == verdict::same) {
      unchanged.push_back(&delta);
    }
  }
  if (!moved.empty()) {
    print_table(out, moved, settings);
    out << '\n';
  }
  if (!unchanged.empty()) {
    out << fmt::format("<details><summary>{} metric{} the same</summary>\n\n", unchanged.size(),
                       unchanged.size() == 1 ? "" : "s");
    print_table(out, unchanged, settings);
    out << "\n</details>\n";
  }
}

} // namespace gpushare::report
