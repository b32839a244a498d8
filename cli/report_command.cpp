#include "cli/report_command.hpp"

#include "common/error.hpp"
#include "mig/planner.hpp"
#include "mig/profile_catalog.hpp"
#include "report/atomic_file.hpp"
#include "report/microbench_model.hpp"
#include "report/report_choice.hpp"
#include "report/report_csv.hpp"
#include "report/report_html.hpp"
#include "report/report_input.hpp"
#include "report/report_markdown.hpp"
#include "report/report_model.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <optional>
#include <system_error>
#include <variant>

namespace gpushare::cli {

namespace {

// An empty value would read as "not given" further on: say so instead of ignoring the option.
const CLI::Validator not_empty(
    [](const std::string& value) {
      return value.empty() ? std::string("must not be empty") : std::string();
    },
    "", "NOT_EMPTY");

} // namespace

void add_report_subcommand(CLI::App& app, report_arguments& arguments,
                           const std::function<void()>& on_selected) {
  auto* report = app.add_subcommand(
      "report", "Render JSON reports as HTML (inline SVG charts), Markdown and CSV");
  report
      ->add_option("FILE", arguments.files,
                   "JSON reports (--json of earlier runs) or Google Benchmark JSON of "
                   "gpushare_microbench (--benchmark_out_format=json)")
      ->required();
  report->add_option("-o,--output", arguments.output_dir, "Directory to write into (created)")
      ->type_name("DIR")
      ->required();
  report
      ->add_option("--fleet", arguments.fleet,
                   "Also say what COUNT workloads of SIZE device memory each cost in GPUs under "
                   "each mechanism, e.g. 40x8GiB")
      ->type_name("COUNTxSIZE")
      ->check(not_empty);
  report
      ->add_option("--latency-bound", arguments.latency_bound,
                   "Say for each mechanism whether the infer tenant's shared p99 stays within MS "
                   "milliseconds (without it: which mechanism gives the lowest p99)")
      ->type_name("MS")
      ->check(not_empty);
  report->footer(
      "Writes DIR/index.html (one self-contained page: CSS and SVG charts inline, no script), "
      "DIR/report.md, and DIR/matrix.csv, tenants.csv, streams.csv, latency_cdf.csv, "
      "isolation.csv, isolation_claims.csv for reports and DIR/microbenchmarks.csv for Google "
      "Benchmark files (told apart by their "
      "shape). Several files (other GPUs, nodes or drivers) appear side by side. Figures "
      "measured by host-* workloads are labelled as test instruments, never as GPU figures.\n"
      "Exit codes: 0 written, 2 unreadable or malformed input (the file and field are named), "
      "a bad --fleet or --latency-bound, or an unusable output directory.");
  report->callback([on_selected] { on_selected(); });
}

namespace {

// MIG packing needs the board's profile catalog (the mig layer), so it is planned here rather
// than in the report model.
report::fleet_option mig_fleet(const report::source_model& source,
                               const report::fleet_request& fleet) {
  report::fleet_option option;
  option.mechanism = "mig";
  try {
    const mig::board_catalog& board = mig::find_board(source.gpu_name);
    mig::workload_need need;
    need.memory_mib = (fleet.memory_bytes + (1ull << 20) - 1) >> 20;
    need.count = fleet.workloads;
    need.size_text = fleet.text;
    const mig::plan_result plan = mig::plan_packing(board, {need});
    option.gpus = static_cast<int>(plan.gpus.size());
    option.per_gpu = option.gpus > 0 ? (fleet.workloads + *option.gpus - 1) / *option.gpus : 0;
    const std::string profile = plan.needs.empty() ? "" : plan.needs.front().profile;
    for (const report::matrix_row& row : source.matrix) {
      for (const report::matrix_cell& cell : row.cells) {
        if (row.mode == "mig" && !option.speed) {
          option.speed = report::tenant_speed(row, cell);
        }
      }
    }
    option.basis = fmt::format(
        "one {} instance per workload on {} (mig planner){}", profile, board.model,
        option.speed ? "; speed of the measured instances" : "; instance speed not measured here");
  } catch (const usage_error& failure) {
    option.basis = fmt::format("no MIG plan for {}: {}",
                               source.gpu_name.empty() ? "a report without a GPU" : source.gpu_name,
                               failure.what());
  }
  return option;
}

// The report layer cannot see the MIG catalog; "" records that the board was looked up and
// is not in it, which the GPU-model rule tells apart from not having looked.
std::string catalog_board(const std::string& gpu_name) {
  if (gpu_name.empty()) {
    return "";
  }
  try {
    return mig::find_board(gpu_name).model;
  } catch (const usage_error&) {
    return "";
  }
}

} // namespace

int run_report_command(const report_arguments& arguments, std::ostream& out) {
  std::optional<double> latency_bound_ms;
  if (!arguments.latency_bound.empty()) {
    latency_bound_ms = report::parse_latency_bound(arguments.latency_bound);
  }
  std::vector<report_document> documents;
  std::vector<std::string> document_paths;
  std::vector<report::microbenchmark_source> microbenchmarks;
  for (const std::string& file : arguments.files) {
    report::report_input input = report::read_report_input(file);
    if (auto* document = std::get_if<report_document>(&input.contents)) {
      documents.push_back(std::move(*document));
      document_paths.push_back(file);
    } else {
      microbenchmarks.push_back(report::build_microbenchmark_source(
          std::get<report::benchmark_file>(input.contents), file));
    }
  }
  report::report_model model = report::build_report_model(documents, document_paths);
  model.microbenchmarks = std::move(microbenchmarks);
  model.latency_bound_ms = latency_bound_ms;
  for (report::source_model& source : model.sources) {
    source.mig_board = catalog_board(source.gpu_name);
  }
  if (!arguments.fleet.empty()) {
    model.fleet = report::parse_fleet(arguments.fleet);
    for (report::source_model& source : model.sources) {
      source.fleet = report::plan_fleet(source, *model.fleet);
      source.fleet.push_back(mig_fleet(source, *model.fleet));
    }
  }

  const std::filesystem::path directory(arguments.output_dir);
  std::error_code failure;
  std::filesystem::create_directories(directory, failure);
  if (failure || !std::filesystem::is_directory(directory)) {
    throw usage_error(fmt::format("{}: cannot create the output directory: {}",
                                  arguments.output_dir,
                                  failure ? failure.message() : "not a directory"));
  }
  std::vector<std::pair<std::string, std::string>> files = {
      {"index.html", report::render_report_html(model)},
      {"report.md", report::render_report_markdown(model)}};
  for (auto& table : report::render_report_csv(model)) {
    files.push_back(std::move(table));
  }
  for (const auto& [name, contents] : files) {
    const std::string path = (directory / name).string();
    report::write_file_atomically(path, contents);
    out << path << "\n";
  }
  for (const report::source_model& source : model.sources) {
    if (source.host_only) {
      out << fmt::format("note: {}: every figure is a {}\n", source.path, report::host_only_label);
    }
  }
  for (const report::microbenchmark_source& source : model.microbenchmarks) {
    if (source.debug_library) {
      out << fmt::format("note: {}: {}\n", source.path, report::debug_library_warning);
    }
  }
  return static_cast<int>(exit_code::success);
}

} // namespace gpushare::cli
