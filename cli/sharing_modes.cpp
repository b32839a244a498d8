#include "cli/sharing_modes.hpp"

#include "common/error.hpp"
#include "harness/mps_daemon.hpp"
#include "harness/mps_detect.hpp"
#include "harness/private_directory.hpp"
#include "harness/sharing_experiment.hpp"
#include "harness/workload_catalog.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>

namespace gpushare::cli {
namespace {

/// A per-tenant option: one value for everyone, or one per tenant ("" when not given).
std::string value_for(const std::vector<std::string>& values, std::size_t tenant) {
  if (values.empty()) {
    return "";
  }
  return values.size() == 1 ? values.front() : values.at(tenant);
}

/// MPS client settings of one tenant, as the variables the CUDA client reads.
std::map<std::string, std::string> mps_client_settings(const run_config& config,
                                                       std::size_t tenant) {
  std::map<std::string, std::string> settings;
  if (const auto pct = value_for(config.mps_thread_pct, tenant); !pct.empty()) {
    settings["CUDA_MPS_ACTIVE_THREAD_PERCENTAGE"] = pct;
  }
  if (auto limit = value_for(config.mps_mem_limit, tenant); !limit.empty()) {
    // The client sees the daemon's device as device 0.
    settings["CUDA_MPS_PINNED_DEVICE_MEM_LIMIT"] =
        limit.find('=') == std::string::npos ? "0=" + limit : limit;
  }
  if (const auto priority = value_for(config.mps_priority, tenant); !priority.empty()) {
    settings["CUDA_MPS_CLIENT_PRIORITY"] = priority;
  }
  return settings;
}

} // namespace

bool host_only_workloads(const run_config& config) {
  for (const auto& text : config.workloads) {
    const workload_definition* definition =
        find_workload_definition(parse_workload_spec(text).name);
    if (definition == nullptr || !definition->host_only) {
      return false;
    }
  }
  return !config.workloads.empty();
}

double default_tenant_timeout_s(const run_config& config) {
  if (config.duration_s) {
    return 2.0 * std::max(config.repetitions, config.max_repetitions) * *config.duration_s + 60.0;
  }
  return 300.0;
}

tenant_launch tenant_launch_for(const run_config& config, const std::string& scratch_directory) {
  tenant_launch launch;
  launch.program = current_executable();
  launch.device = config.device;
  launch.scratch_directory = scratch_directory;
  if (!config.mps_use_existing) {
    launch.mps_free_pipe_directory = make_mps_free_pipe_directory(scratch_directory);
  }
  launch.settings.repetitions = config.repetitions;
  launch.settings.max_repetitions = config.max_repetitions;
  launch.settings.warmup_iterations = config.warmup_iterations;
  launch.settings.iterations = config.iterations;
  launch.settings.duration_s = config.duration_s;
  launch.settings.noise_threshold = config.noise_threshold;
  launch.timeout = std::chrono::milliseconds(static_cast<long long>(
      1000.0 * config.tenant_timeout_s.value_or(default_tenant_timeout_s(config))));
  return launch;
}

run_record measure_sharing(const run_config& config, const std::string& mode, const gpu_info* gpu,
                           const telemetry_settings& telemetry) {
  const std::string device_uuid = gpu != nullptr ? gpu->uuid : std::string();
  const scoped_private_directory scratch(std::filesystem::temp_directory_path().string(),
                                         "gpushare-run-");
  sharing_plan plan;
  plan.mode = mode;
  plan.launch = tenant_launch_for(config, scratch.path());
  for (std::size_t i = 0; i < config.workloads.size(); ++i) {
    plan.tenants.push_back({static_cast<int>(i), parse_workload_spec(config.workloads[i]), {}});
  }
  if (const std::string sampled = gpu != nullptr ? whole_gpu_uuid(*gpu) : std::string();
      !sampled.empty()) {
    plan.telemetry = telemetry;
    plan.telemetry.gpu_uuids = {sampled};
  }

  if (mode != "mps") {
    return run_sharing_experiment(plan);
  }

  const mps_status existing = detect_mps("/proc", std::getenv("CUDA_MPS_PIPE_DIRECTORY"));
  std::unique_ptr<mps_daemon> daemon;
  mps_daemon_record record;
  record.control_program = config.mps_control;
  if (config.mps_use_existing) {
    if (!existing.daemon_running) {
      throw environment_error("--mps-use-existing: no MPS control daemon is running");
    }
    record.started_by_tool = false;
    record.pipe_directory = existing.pipe_directory;
    record.pid = existing.control_pids.front();
  } else if (existing.daemon_running) {
    throw environment_error(fmt::format(
        "an MPS control daemon is already running (pid {}); gpushare-bench never touches a "
        "daemon it did not start: stop it, or pass --mps-use-existing to run through it",
        fmt::join(existing.control_pids, ", ")));
  }
  for (std::size_t i = 0; i < plan.tenants.size(); ++i) {
    plan.shared_environment.push_back(mps_client_settings(config, i));
  }
  // MPS clients must not select a device themselves: an index inherited from the harness's own
  // CUDA_VISIBLE_DEVICES would point past the one device the daemon shows them.
  plan.shared_unset_environment = {"CUDA_VISIBLE_DEVICES"};
  if (!config.mps_use_existing) {
    plan.shared_device = 0; // our daemon serves exactly one GPU, which its clients see as 0
  }

  sharing_hooks hooks;
  hooks.before_shared = [&]() -> std::map<std::string, std::string> {
    if (!config.mps_use_existing) {
      mps_daemon_options options;
      options.control_program = config.mps_control;
      if (!device_uuid.empty()) {
        // The daemon's own device list selects the GPU (by uuid, which no other
        // CUDA_VISIBLE_DEVICES renumbers); its clients get none of their own.
        options.daemon_environment["CUDA_VISIBLE_DEVICES"] = device_uuid;
      }
      daemon = std::make_unique<mps_daemon>(mps_daemon::start(options));
      record.pipe_directory = daemon->pipe_directory();
      record.pid = daemon->pid();
      return daemon->client_environment();
    }
    return {{"CUDA_MPS_PIPE_DIRECTORY", existing.pipe_directory}};
  };

  // On a GPU, prove that every tenant really went through MPS: a client that could not reach
  // the daemon would silently run without it and the run would measure time-slicing.
  std::vector<std::string> not_clients;
  std::string client_check_error;
  if (!host_only_workloads(config)) {
    hooks.on_released = [&](const std::vector<pid_t>& tenants) {
      try {
        for (const pid_t pid : mps_non_clients(
                 config.mps_control, daemon ? daemon->pipe_directory() : existing.pipe_directory,
                 tenants, std::chrono::milliseconds(5000))) {
          not_clients.push_back(std::to_string(pid));
        }
      } catch (const error& failure) {
        client_check_error = failure.what();
      }
    };
  }

  run_record run;
  try {
    run = run_sharing_experiment(plan, hooks);
  } catch (...) {
    if (daemon) {
      record.log_tail = daemon->log_tail();
      daemon->stop();
    }
    throw;
  }
  if (daemon) {
    if (run.flags.end() != std::find(run.flags.begin(), run.flags.end(), "tenant_failed")) {
      record.log_tail = daemon->log_tail();
    }
    record.stopped = daemon->stop();
  }
  run.mps = record;
  if (!not_clients.empty() || !client_check_error.empty()) {
    run.flags.push_back("invalid");
    run.status = run_status::failed;
    run.reason = !client_check_error.empty()
                     ? "could not check that the tenants are MPS clients: " + client_check_error
                     : fmt::format("tenant process(es) {} did not run through the MPS server, so "
                                   "this run measured something else than MPS",
                                   fmt::join(not_clients, ", "));
  }
  return run;
}

} // namespace gpushare::cli
