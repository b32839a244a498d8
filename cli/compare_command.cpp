#include "cli/compare_command.hpp"

#include "common/error.hpp"
#include "report/atomic_file.hpp"
#include "report/compare.hpp"
#include "report/compare_markdown.hpp"
#include "report/json_reader.hpp"

#include <fmt/format.h>

#include <cmath>
#include <sstream>

namespace gpushare::cli {

void add_compare_subcommand(CLI::App& app, compare_arguments& arguments,
                            const std::function<void()>& on_selected) {
  auto* compare = app.add_subcommand(
      "compare", "Compare two JSON reports metric by metric: the regression gate for CI");
  compare->add_option("BASE", arguments.base, "The baseline report (--json of an earlier run)")
      ->required();
  compare->add_option("NEW", arguments.next, "The report to judge against it")->required();
  compare
      ->add_option("--threshold", arguments.threshold_pct,
                   "Relative change in percent below which a metric counts as the same")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  compare
      ->add_option("--metric", arguments.metrics,
                   "Only metrics whose name matches this glob (repeatable), e.g. "
                   "'mps(*)/*/shared/throughput_per_s'")
      ->type_name("GLOB");
  compare->add_flag("--allow-missing", arguments.allow_missing,
                    "A metric only the base report has (a run skipped, failed or renamed) is no "
                    "regression");
  compare->add_flag("--force", arguments.force,
                    "Compare reports from different GPUs or GPU or timing settings (the "
                    "differences are still listed)");
  compare->add_option("-o,--output", arguments.output, "Write the Markdown to FILE")
      ->type_name("FILE");
  compare->footer(
      "Verdicts per metric: same (|change| <= --threshold; absolute for plain fractions), "
      "unclear (beyond it, but the two medians' intervals overlap, or the figure has no "
      "interval: noise is never a regression), faster, slower (beyond it with the intervals "
      "apart; higher throughput, lower times and slowdown are faster), missing (only in BASE: "
      "a regression unless --allow-missing). An isolation verdict that moved is more or less "
      "isolated (a regression) for memory and fault, and unclear for latency and compute, "
      "whose verdicts are judged on figures without an interval. Metric names: <run>/<figure>, "
      "the run named by its mode and workloads, "
      "e.g. 'timeslice(2x gemm:dtype=fp16,k=4096,m=4096,n=4096)/tenant0/solo/throughput_per_s', "
      "'isolation/mps/fault/verdict'. Driver and CUDA version changes are listed, not refused.\n"
      "Exit codes: 0 no regression, 1 at least one metric slower, less isolated or missing, 2 "
      "unreadable or "
      "malformed input, no metric in common, or reports of different GPUs or settings without "
      "--force (the Markdown then lists the differences).");
  compare->callback([on_selected] { on_selected(); });
}

namespace {

void emit(const compare_arguments& arguments, std::ostream& out, const std::string& markdown) {
  if (arguments.output.empty()) {
    out << markdown;
  } else {
    report::write_file_atomically(arguments.output, markdown);
  }
}

} // namespace

int run_compare_command(const compare_arguments& arguments, std::ostream& out) {
  if (!std::isfinite(arguments.threshold_pct)) {
    throw usage_error("--threshold: must be a number of percent, got " +
                      std::to_string(arguments.threshold_pct));
  }
  const report_document base = report::read_report_file(arguments.base);
  const report_document next = report::read_report_file(arguments.next);
  report::compare_settings settings;
  settings.threshold = arguments.threshold_pct / 100.0;
  settings.metrics = arguments.metrics;
  settings.allow_missing = arguments.allow_missing;
  const report::comparison result = report::compare_reports(base, next, settings);
  const report::compared_file base_file{arguments.base, &base};
  const report::compared_file next_file{arguments.next, &next};
  if (!result.environment.refusing.empty() && !arguments.force) {
    // The CI comment must say why nothing was compared, not only the job log.
    std::ostringstream markdown;
    report::print_refusal_markdown(markdown, base_file, next_file, result.environment);
    emit(arguments, out, markdown.str());
    std::string list;
    for (const std::string& difference : result.environment.refusing) {
      list += (list.empty() ? "" : "; ") + difference;
    }
    throw usage_error(fmt::format("{} and {} were measured under different conditions ({}); "
                                  "their figures are not comparable: compare reports of the "
                                  "same GPU and settings, or pass --force",
                                  arguments.base, arguments.next, list));
  }
  if (result.compared == 0) {
    throw usage_error(fmt::format(
        "{} and {} have no metric in common{}: nothing was compared (different suites, or "
        "every run skipped or failed in one of them)",
        arguments.base, arguments.next,
        arguments.metrics.empty() ? std::string() : " that --metric selects"));
  }
  std::ostringstream markdown;
  report::print_comparison_markdown(markdown, base_file, next_file, result, settings,
                                    arguments.force);
  emit(arguments, out, markdown.str());
  return result.regressions > 0 ? static_cast<int>(exit_code::check_failed)
                                : static_cast<int>(exit_code::success);
}

} // namespace gpushare::cli
