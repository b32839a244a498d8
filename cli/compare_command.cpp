#include "cli/compare_command.hpp"

#include "common/error.hpp"
#include "report/atomic_file.hpp"
#include "report/compare.hpp"
#include "report/compare_markdown.hpp"
#include "report/json_reader.hpp"

#include <fmt/format.h>

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
  compare->add_flag("--force", arguments.force,
                    "Compare reports from different GPUs, drivers or settings (the "
                    "differences are still listed)");
  compare->add_option("-o,--output", arguments.output, "Write the Markdown to FILE")
      ->type_name("FILE");
  compare->footer(
      "Verdicts per metric: same (|change| <= --threshold), unclear (beyond it, but the two "
      "medians' intervals overlap: noise, never a regression), faster, slower (beyond it with "
      "the intervals apart; direction by metric: higher throughput, lower times and slowdown "
      "are faster). Metric names: <run>/<figure>, the run named by its mode and workloads, "
      "e.g. 'timeslice(2x gemm:dtype=fp16,k=4096,m=4096,n=4096)/tenant0/solo/throughput_per_s'.\n"
      "Exit codes: 0 no regression, 1 at least one metric slower, 2 unreadable or malformed "
      "input, or reports measured under different conditions without --force.");
  compare->callback([on_selected] { on_selected(); });
}

int run_compare_command(const compare_arguments& arguments, std::ostream& out) {
  const report_document base = report::read_report_file(arguments.base);
  const report_document next = report::read_report_file(arguments.next);
  report::compare_settings settings;
  settings.threshold = arguments.threshold_pct / 100.0;
  settings.metrics = arguments.metrics;
  const report::comparison result = report::compare_reports(base, next, settings);
  if (!result.environment_differences.empty() && !arguments.force) {
    std::string list;
    for (const std::string& difference : result.environment_differences) {
      list += (list.empty() ? "" : "; ") + difference;
    }
    throw usage_error(fmt::format("{} and {} were measured under different conditions ({}); "
                                  "their figures are not comparable: compare reports of the "
                                  "same GPU and settings, or pass --force",
                                  arguments.base, arguments.next, list));
  }
  std::ostringstream markdown;
  report::print_comparison_markdown(markdown, {arguments.base, &base}, {arguments.next, &next},
                                    result, settings, arguments.force);
  if (arguments.output.empty()) {
    out << markdown.str();
  } else {
    report::write_file_atomically(arguments.output, markdown.str());
  }
  return result.regressions > 0 ? static_cast<int>(exit_code::check_failed)
                                : static_cast<int>(exit_code::success);
}

} // namespace gpushare::cli
