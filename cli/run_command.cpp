#include "cli/run_command.hpp"

#include "cli/device_worker.hpp"
#include "cli/isolation_mode.hpp"
#include "cli/live_report.hpp"
#include "cli/mig_mode.hpp"
#include "cli/options.hpp"
#include "cli/progress.hpp"
#include "cli/sharing_modes.hpp"
#include "cli/suite.hpp"
#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "harness/calibration.hpp"
#include "harness/environment.hpp"
#include "harness/mps_detect.hpp"
#include "harness/nvml_library.hpp"
#include "harness/physical_limits.hpp"
#include "harness/streams_experiment.hpp"
#include "harness/tenant_runner.hpp"
#include "report/console_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <numeric>
#include <optional>

namespace gpushare::cli {
namespace {

/// Modes this version measures; the others are refused by name or listed as skipped in `all`.
bool mode_available(const std::string& mode) {
  return mode == "streams" || mode == "timeslice" || mode == "mps" || mode == "mig" ||
         mode == "calibrate" || mode == "isolation";
}

/// The harness's own CUDA work keeps off a daemon it did not start, unless told to use it.
existing_mps worker_mps(const run_config& config) {
  return config.mps_use_existing ? existing_mps::join : existing_mps::avoid;
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

/// Runs `body` (work done in a device worker) as one telemetry phase of `run` named `phase`.
template <typename Body>
void with_telemetry(const telemetry_settings& telemetry, const gpu_info& gpu, const char* phase,
                    run_record& run, Body&& body) {
  const std::string sampled = whole_gpu_uuid(gpu);
  if (telemetry.source == nullptr || sampled.empty()) {
    body();
    return;
  }
  telemetry_settings settings = telemetry;
  settings.gpu_uuids = {sampled};
  telemetry_sampler sampler(settings, phase);
  sampler.start();
  body(); // on an exception the sampler's destructor stops its thread
  run.telemetry.push_back(sampler.stop());
  add_telemetry_flags(run.telemetry, run.flags);
}

run_record measure_streams(const run_config& config, const gpu_info& gpu,
                           const telemetry_settings& telemetry) {
  run_record run;
  run.mode = "streams";
  run.params = {{"kernels", std::to_string(config.overlap_kernels)},
                {"chunks", std::to_string(config.pipeline_chunks)},
                {"pipeline_bytes", std::to_string(config.pipeline_bytes)},
                {"device", std::to_string(config.device)}};
  const auto start = std::chrono::steady_clock::now();
  with_telemetry(telemetry, gpu, "streams", run, [&] {
    run.streams = run_streams_in_worker(current_executable(), to_streams_settings(config), gpu,
                                        worker_mps(config));
  });
  run.wall_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::vector<std::string> noise = streams_flags(*run.streams);
  run.flags.insert(run.flags.begin(), noise.begin(), noise.end());
  return run;
}

bool calibration_noisy(const calibration_result& calibration) {
  bool noisy = calibration.launch_round_trip_us.noisy || calibration.launch_back_to_back_us.noisy;
  for (const gemm_peak& peak : calibration.gemm) {
    noisy = noisy || peak.tflops.noisy;
  }
  for (const auto* figure :
       {&calibration.device_copy, &calibration.host_to_device, &calibration.device_to_host}) {
    noisy = noisy || (*figure && (*figure)->gb_per_s.noisy);
  }
  return noisy;
}

run_record measure_calibration(const run_config& config, const gpu_info& gpu,
                               const telemetry_settings& telemetry) {
  calibration_settings settings;
  settings.device = config.device;
  settings.repetitions = config.repetitions;
  settings.noise_threshold = config.noise_threshold;
  run_record run;
  run.mode = "calibrate";
  run.params = {{"device", std::to_string(config.device)},
                {"repetitions", std::to_string(settings.repetitions)}};
  const auto start = std::chrono::steady_clock::now();
  with_telemetry(telemetry, gpu, "calibrate", run, [&] {
    run.calibration =
        run_calibration_in_worker(current_executable(), settings, gpu, worker_mps(config));
  });
  run.wall_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (calibration_noisy(*run.calibration)) {
    run.flags.insert(run.flags.begin(), "noisy");
  }
  return run;
}

bool has_flag(const run_record& run, const std::string& flag) {
  return std::find(run.flags.begin(), run.flags.end(), flag) != run.flags.end();
}

/// What a step measures, for the progress display: mode, tenants and where.
std::string step_description(const run_config& step, bool needs_gpu,
                             const environment_info& environment, int device) {
  if (step.mode == "mig") {
    return fmt::format("mig: one tenant per MIG instance of GPU {} (nvidia-smi index)", device);
  }
  std::string what = step.mode;
  if (uses_tenants(step.mode)) {
    what += fmt::format(" with {} tenants", step.tenants);
  }
  if (!needs_gpu) {
    return what + " with host-* test instruments (no GPU)";
  }
  return fmt::format("{} on GPU {} ({})", what, device,
                     environment.gpus.at(static_cast<std::size_t>(device)).name);
}

/// Opens NVML in this process for the telemetry sampler: NVML does not initialise CUDA, so
/// the harness still holds no context beside its tenants. Says once why there is none.
telemetry_status open_telemetry(const run_config& config, std::optional<nvml_library>& nvml) {
  telemetry_status status;
  status.interval_ms = config.telemetry_interval_ms;
  status.max_clock_drift = config.max_clock_drift;
  if (config.telemetry_interval_ms == 0) {
    status.status = "disabled";
    status.reason = "disabled with --telemetry-interval 0";
    return status;
  }
  nvml.emplace(nvml_library::open());
  if (!nvml->usable()) {
    status.status = "unavailable";
    status.reason = nvml->error() + "; measured without telemetry";
    nvml.reset();
    return status;
  }
  status.status = "available";
  return status;
}

/// A tenant run checked against the limits an earlier calibrate run of this report measured.
run_record with_limits(run_record run, const std::vector<run_record>& earlier) {
  if (const run_record* calibration = latest_calibration(earlier)) {
    (void)apply_limits(run, *calibration->calibration, calibration->flags);
  }
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
                                  "streams, timeslice, mps, mig, isolation, calibrate, all",
                                  config.mode));
  }
  if (config.mode == "streams" && !config.workloads.empty()) {
    throw usage_error("--workload: --mode streams takes no workload (the streams experiment "
                      "sizes its own kernels; see --kernels, --chunks, --streams)");
  }
  if (config.mode == "calibrate" && !config.workloads.empty()) {
    throw usage_error("--workload: --mode calibrate takes no workload (it measures the card's "
                      "own limits: cuBLAS peaks, copy bandwidths, launch latency)");
  }

  if (config.mode == "isolation" && !config.workloads.empty()) {
    throw usage_error("--workload: --mode isolation chooses the workload of every scenario itself "
                      "(hog, fault, infer, gemm, triad); --isolation-workloads host runs the "
                      "host-* test instruments instead");
  }
  if (config.mode == "isolation" && config.mps_use_existing) {
    throw usage_error("--mps-use-existing: --mode isolation faults MPS clients on purpose, so it "
                      "runs only through daemons it starts itself");
  }

  // One step per measurement: the suite's [run]s for --mode all or --suite, else the one mode.
  std::vector<run_config> plan;
  if (config.mode == "all") {
    const std::string text =
        config.suite.empty() ? std::string(default_suite_text()) : read_suite_file(config.suite);
    plan = expand_suite(text, config.suite.empty() ? default_suite_name : config.suite, config);
  } else {
    plan.push_back(config);
  }

  live_report live(config, argv, config.json_path);
  report_document& document = live.document();
  std::optional<nvml_library> nvml;
  document.telemetry = open_telemetry(config, nvml);
  telemetry_settings telemetry;
  telemetry.source = nvml ? &*nvml : nullptr;
  telemetry.interval = std::chrono::milliseconds(config.telemetry_interval_ms);
  telemetry.max_clock_drift = config.max_clock_drift;
  // host-* tenants are test instruments that need no GPU; everything else does.
  bool needs_gpu = false;
  for (const run_config& step : plan) {
    needs_gpu = needs_gpu || step.mode == "streams" || step.mode == "calibrate" ||
                (step.mode == "isolation" && step.isolation_workloads != "host") ||
                (uses_tenants(step.mode) && !host_only_workloads(step));
  }
  try {
    document.environment = capture_environment_in_worker(current_executable(), worker_mps(config));
    // The worker was given a pipe directory of its own; the daemons that matter, and the pipe
    // directory tenants would otherwise use, are the harness's (this needs /proc, not CUDA).
    document.environment.mps = detect_mps("/proc", std::getenv("CUDA_MPS_PIPE_DIRECTORY"));
    if (needs_gpu) {
      require_cuda_device(document.environment, config.device);
    }
  } catch (const error& failure) {
    live.add_error("startup", failure.what(), static_cast<int>(failure.code()));
    throw;
  }
  live.save();
  if (!config.quiet) {
    report::print_environment(out, document.environment);
    report::print_telemetry_status(out, document.telemetry);
  }

  int exit = static_cast<int>(exit_code::success);
  progress_display display(progress, choose_progress_style(config.quiet));
  std::vector<double> estimates;
  for (const run_config& step : plan) {
    estimates.push_back(mode_available(step.mode) ? estimated_step_seconds(step) : 0.0);
  }
  for (std::size_t step_index = 0; step_index < plan.size(); ++step_index) {
    const run_config& step = plan[step_index];
    const std::string& mode = step.mode;
    if (!mode_available(mode)) {
      live.add_run(skipped_run(mode));
      if (!config.quiet) {
        report::print_run(out, document.runs.back());
      }
      continue;
    }
    display.begin(step_index, plan.size(),
                  step_description(step, needs_gpu, document.environment, config.device),
                  estimates[step_index],
                  std::accumulate(estimates.begin() + static_cast<std::ptrdiff_t>(step_index) + 1,
                                  estimates.end(), 0.0));
    try {
      throw_if_interrupted();
      const auto gpu = [&]() -> const gpu_info& {
        return document.environment.gpus.at(static_cast<std::size_t>(config.device));
      };
      if (mode == "streams") {
        live.add_run(with_limits(measure_streams(step, gpu(), telemetry), document.runs));
      } else if (mode == "calibrate") {
        live.add_run(measure_calibration(step, gpu(), telemetry));
      } else if (mode == "isolation") {
        live.add_run(
            measure_isolation(step, step.isolation_workloads == "host" ? nullptr : &gpu()));
      } else {
        if (mode == "mig") {
          try {
            // Only a whole GPU's uuid is comparable with nvidia-smi's: CUDA's device may be a
            // MIG instance, compared through its GPU (unknown when NVML could not tell).
            const auto& gpus = document.environment.gpus;
            const auto index = static_cast<std::size_t>(config.device);
            const std::string cuda_uuid =
                index < gpus.size() ? comparable_gpu_uuid(gpus[index]) : std::string();
            live.add_run(with_limits(measure_mig(step, cuda_uuid, document.runs, out, telemetry),
                                     document.runs));
          } catch (const mig_unavailable_error& unavailable) {
            if (config.mode != "all") {
              throw;
            }
            // A suite lists mig for every card; where MIG cannot run, the report says why.
            run_record skipped;
            skipped.mode = mode;
            skipped.status = run_status::skipped;
            skipped.reason = unavailable.what();
            live.add_run(skipped);
          }
        } else {
          const bool gpu_tenants = !host_only_workloads(step);
          live.add_run(
              with_limits(measure_sharing(step, mode, gpu_tenants ? &gpu() : nullptr, telemetry),
                          document.runs));
        }
      }
      const run_record& done = document.runs.back();
      if (done.status == run_status::failed) {
        // A MIG layout left changed is the machine's state, not a wrong figure.
        const exit_code code =
            has_flag(done, "mig_layout_not_restored") ? exit_code::usage : exit_code::check_failed;
        live.add_error(mode, done.reason, static_cast<int>(code));
        exit = std::max(exit, static_cast<int>(code));
      }
      for (const auto& tenant : document.runs.back().tenants) {
        if (tenant.status != "ok") {
          live.add_error(mode,
                         fmt::format("tenant {} ({}) {}: {}", tenant.id, tenant.workload,
                                     tenant.status, tenant.failure),
                         static_cast<int>(exit_code::tenant_failed));
          exit = std::max(exit, static_cast<int>(exit_code::tenant_failed));
        }
      }
    } catch (const error& failure) {
      run_record failed;
      failed.mode = mode;
      failed.status = run_status::failed;
      failed.reason = failure.what();
      document.runs.push_back(failed);
      live.add_error(mode, failure.what(), static_cast<int>(failure.code()));
      const bool interrupted = dynamic_cast<const interrupted_error*>(&failure) != nullptr;
      if (interrupted || mode != "calibrate" || config.mode != "all") {
        throw;
      }
      // Limits qualify the other figures; without them a suite still measures everything
      // else, unchecked, and the report says why.
      exit = std::max(exit, static_cast<int>(failure.code()));
    }
    display.end();
    if (!config.quiet) {
      report::print_run(out, document.runs.back());
    }
  }
  if (exit != static_cast<int>(exit_code::success)) {
    // The report lists every failure; one line says why the exit code is not 0.
    progress << fmt::format("gpushare-bench: {} failure(s), first: [{}] {}; see the report's "
                            "errors\n",
                            document.errors.size(), document.errors.front().where,
                            document.errors.front().message);
  }
  return exit;
}

} // namespace gpushare::cli
