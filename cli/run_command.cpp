#include "cli/run_command.hpp"

#include "cli/live_report.hpp"
#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "harness/environment.hpp"
#include "harness/streams_experiment.hpp"
#include "report/console_table.hpp"

#include <fmt/format.h>

#include <chrono>

namespace gpushare::cli {
namespace {

/// Modes this version measures; the others are refused by name or listed as skipped in `all`.
bool mode_available(const std::string& mode) {
  return mode == "streams";
}

/// The modes `all` runs, in order.
const std::vector<std::string>& all_modes() {
  static const std::vector<std::string> modes{"streams", "timeslice", "mps", "mig"};
  return modes;
}

streams_settings to_streams_settings(const run_config& config) {
  streams_settings settings;
  settings.device = config.device;
  settings.stream_counts = config.stream_counts;
  settings.kernels = config.overlap_kernels;
  settings.chunks = config.pipeline_chunks;
  settings.pipeline_bytes = config.pipeline_bytes;
  settings.warmup_batches = config.warmup_iterations;
  settings.repetitions = config.repetitions;
  settings.batches_per_repetition = config.iterations;
  settings.duration_s = config.duration_s;
  settings.noise_threshold = config.noise_threshold;
  return settings;
}

std::vector<std::string> streams_flags(const streams_result& result) {
  bool noisy = result.kernel_overlap.single_kernel_us.noisy || result.copy_pipeline.h2d_us.noisy ||
               result.copy_pipeline.kernel_us.noisy || result.copy_pipeline.d2h_us.noisy;
  for (const auto* points : {&result.kernel_overlap.points, &result.copy_pipeline.points}) {
    for (const auto& point : *points) {
      noisy = noisy || point.time_us.noisy;
    }
  }
  return noisy ? std::vector<std::string>{"noisy"} : std::vector<std::string>{};
}

run_record measure_streams(const run_config& config, const gpu_info& gpu) {
  run_record run;
  run.mode = "streams";
  run.params = {{"kernels", std::to_string(config.overlap_kernels)},
                {"chunks", std::to_string(config.pipeline_chunks)},
                {"pipeline_bytes", std::to_string(config.pipeline_bytes)},
                {"device", std::to_string(config.device)}};
  const auto start = std::chrono::steady_clock::now();
  run.streams = run_streams_experiment(to_streams_settings(config), gpu);
  run.wall_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.flags = streams_flags(*run.streams);
  return run;
}

run_record skipped_run(const std::string& mode) {
  run_record run;
  run.mode = mode;
  run.status = run_status::skipped;
  run.reason = "not implemented in this version of gpushare-bench";
  return run;
}

} // namespace

int run_modes(const run_config& config, const std::vector<std::string>& argv, std::ostream& out,
              std::ostream& progress) {
  if (!mode_available(config.mode) && config.mode != "all") {
    throw usage_error(fmt::format("--mode {}: not available in this version yet; available: "
                                  "streams, all",
                                  config.mode));
  }
  if (!config.workloads.empty()) {
    throw usage_error(fmt::format("--workload: --mode {} takes no workload in this version (the "
                                  "streams experiment sizes its own kernels; see --kernels, "
                                  "--chunks, --streams)",
                                  config.mode));
  }

  live_report live(config, argv, config.json_path);
  report_document& document = live.document();
  document.environment = capture_environment();
  try {
    require_cuda_device(document.environment, config.device);
  } catch (const error& failure) {
    live.add_error("startup", failure.what(), static_cast<int>(failure.code()));
    throw;
  }
  live.save();
  if (!config.quiet) {
    report::print_environment(out, document.environment);
  }

  const gpu_info& gpu = document.environment.gpus[static_cast<std::size_t>(config.device)];
  const std::vector<std::string> modes =
      config.mode == "all" ? all_modes() : std::vector<std::string>{config.mode};
  for (const auto& mode : modes) {
    if (!mode_available(mode)) {
      live.add_run(skipped_run(mode));
      if (!config.quiet) {
        report::print_run(out, document.runs.back());
      }
      continue;
    }
    if (!config.quiet) {
      progress << fmt::format("measuring {} on GPU {} ({})...\n", mode, gpu.index, gpu.name)
               << std::flush;
    }
    try {
      throw_if_interrupted();
      live.add_run(measure_streams(config, gpu));
    } catch (const error& failure) {
      run_record failed;
      failed.mode = mode;
      failed.status = run_status::failed;
      failed.reason = failure.what();
      document.runs.push_back(failed);
      live.add_error(mode, failure.what(), static_cast<int>(failure.code()));
      throw;
    }
    if (!config.quiet) {
      report::print_run(out, document.runs.back());
    }
  }
  return static_cast<int>(exit_code::success);
}

} // namespace gpushare::cli
