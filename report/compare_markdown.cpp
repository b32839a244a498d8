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
  return fmt::format("{:+.1f} %", 100.0 * *delta.delta);
}

std::string verdict_cell(verdict outcome) {
  return outcome == verdict::slower ? "**slower**" : to_string(outcome);
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

void print_table(std::ostream& out, const std::vector<const metric_delta*>& rows) {
  out << "| metric | base | new | change | verdict |\n|---|---:|---:|---:|---|\n";
  for (const metric_delta* delta : rows) {
    out << fmt::format("| `{}` | {} | {} | {} | {} |\n", escaped(delta->name),
                       escaped(value_cell(delta->base)), escaped(value_cell(delta->next)),
                       change_cell(*delta), verdict_cell(delta->outcome));
  }
}

} // namespace

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
    out << fmt::format("**{} regression{}** beyond {:g} %.", result.regressions,
                       result.regressions == 1 ? "" : "s", 100 * settings.threshold);
  } else {
    out << fmt::format("**No regression** beyond {:g} %.", 100 * settings.threshold);
  }
  out << fmt::format(" {} metrics: {} faster, {} slower, {} same, {} unclear, {} only in base, "
                     "{} only in new.\n\n",
                     result.deltas.size(), counts[verdict::faster], counts[verdict::slower],
                     counts[verdict::same], counts[verdict::unclear], counts[verdict::only_in_base],
                     counts[verdict::only_in_new]);
  out << fmt::format("Within {:g} % a metric is the same; beyond it, a change whose interval "
                     "overlaps the base's is unclear (noise, not a regression).\n\n",
                     100 * settings.threshold);
  if (!result.environment_differences.empty()) {
    out << (forced ? "> **Compared with --force although the reports differ:**\n"
                   : "> **The reports differ:**\n");
    for (const std::string& difference : result.environment_differences) {
      out << "> - " << difference << '\n';
    }
    out << '\n';
  }
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
    print_table(out, moved);
    out << '\n';
  }
  if (!unchanged.empty()) {
    out << fmt::format("<details><summary>{} metric{} the same</summary>\n\n", unchanged.size(),
                       unchanged.size() == 1 ? "" : "s");
    print_table(out, unchanged);
    out << "\n</details>\n";
  }
}

} // namespace gpushare::report
