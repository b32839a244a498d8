#include "cli/options.hpp"

#include "cli/help_text.hpp"
#include "common/error.hpp"
#include "harness/streams_experiment.hpp"
#include "harness/workload_spec.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <sys/stat.h>

namespace gpushare::cli {
namespace {

void require_parent_directory(const std::string& option, const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string directory = slash == std::string::npos ? "." : path.substr(0, slash);
  struct stat info {};
  if (!directory.empty() && (stat(directory.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))) {
    throw usage_error(fmt::format("{} {}: the directory '{}' does not exist; create it first",
                                  option, path, directory));
  }
}

} // namespace

const std::vector<std::string>& mode_names() {
  static const std::vector<std::string> names{"streams",   "timeslice", "mps", "mig",
                                              "isolation", "calibrate", "all"};
  return names;
}

void configure_parser(CLI::App& app, invocation& result) {
  run_config& config = result.config;
  app.description("gpushare-bench: measures what each way of sharing one NVIDIA GPU costs on "
                  "this card (CUDA streams, time-slicing, MPS, MIG).");
  app.footer(help_footer());
  app.set_version_flag("--version", version_text(), "Print the version and git revision");
  app.require_subcommand(0, 1);

  app.add_option("--mode", config.mode, "What to measure (see Modes below)")
      ->check(CLI::IsMember(mode_names()));
  app.add_option("--workload", config.workloads,
                 "Workload of one tenant, name:key=value,... (repeatable; see Workloads below)")
      ->type_name("SPEC")
      ->allow_extra_args(false);
  app.add_option("--repetitions", config.repetitions,
                 "Repetitions per figure; the median and its interval are reported")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--warmup", config.warmup_iterations,
                 "Untimed iterations before the first repetition")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  auto* iterations = app.add_option(
      "--iterations", config.iterations,
      "Timed iterations per repetition (default: 20 per workload, 5 batches in streams mode)");
  iterations->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000}))->type_name("N");
  auto* duration =
      app.add_option("--duration", config.duration_s,
                     "Instead of --iterations: iterate for this many seconds per repetition");
  duration->check(CLI::Range(0.001, 3600.0))->type_name("SECONDS");
  iterations->excludes(duration);
  app.add_option("--device", config.device, "CUDA device ordinal to measure (see probe)")
      ->check(CLI::Range(0, 1023))
      ->capture_default_str();
  app.add_option("--streams", config.stream_counts,
                 "streams mode: stream counts S to compare against 1 stream")
      ->delimiter(',')
      ->check(CLI::Range(1, max_device_connections))
      ->type_name("S,...")
      ->capture_default_str();
  app.add_option("--kernels", config.overlap_kernels,
                 "streams mode: independent kernels K per batch")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--chunks", config.pipeline_chunks,
                 "streams mode: chunks the copy pipeline is cut into")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--json", config.json_path, "Write the versioned JSON report to FILE")
      ->type_name("FILE");
  app.add_flag("--quiet", config.quiet, "No tables or progress; errors and the JSON file only");

  auto* probe = app.add_subcommand(
      "probe", "Print what this machine has: driver, CUDA versions, GPUs (name, uuid, compute "
               "capability, SMs, memory, MIG and compute mode) and running MPS daemons. Exits "
               "2 when no GPU is usable.");
  probe
      ->add_option("--json", result.probe_json_path,
                   "Also write the environment as a JSON report to FILE")
      ->type_name("FILE");
  probe->callback([&result] { result.what = command::probe; });
}

void finish_invocation(invocation& result) {
  run_config& config = result.config;
  if (result.what == command::probe) {
    if (!result.probe_json_path.empty()) {
      require_parent_directory("--json", result.probe_json_path);
    }
    return;
  }
  if (config.mode.empty()) {
    throw usage_error(fmt::format("--mode is required: one of {} (or a command such as probe); "
                                  "see --help",
                                  fmt::join(mode_names(), ", ")));
  }
  std::vector<std::string> canonical;
  for (const auto& text : config.workloads) {
    canonical.push_back(parse_workload_spec(text).canonical());
  }
  config.workloads = std::move(canonical);
  // 1 stream is the baseline every speedup is measured against.
  auto& counts = config.stream_counts;
  counts.push_back(1);
  std::sort(counts.begin(), counts.end());
  counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
  if (!config.json_path.empty()) {
    require_parent_directory("--json", config.json_path);
  }
}

} // namespace gpushare::cli
