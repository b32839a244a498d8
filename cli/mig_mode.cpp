#include "cli/mig_mode.hpp"

#include "cli/options.hpp"
#include "cli/sharing_modes.hpp"
#include "common/error.hpp"
#include "harness/private_directory.hpp"
#include "harness/sharing_experiment.hpp"
#include "harness/workload_spec.hpp"
#include "mig/geometry.hpp"
#include "mig/mig_lifecycle.hpp"
#include "mig/nvidia_smi.hpp"
#include "mig/profile_catalog.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>

namespace gpushare::cli {
namespace {

/// The MIG devices of a layout as the instances tenants run on, in nvidia-smi's device order.
std::vector<mig_instance_record> instances_of(const mig::mig_layout& layout) {
  std::vector<mig_instance_record> instances;
  for (const mig::mig_device& device : layout.devices) {
    mig_instance_record instance;
    instance.uuid = device.uuid;
    instance.gpu_instance_id = device.gpu_instance_id;
    instance.compute_instance_id = device.compute_instance_id;
    instance.profile = device.profile;
    for (const mig::gpu_instance& gi : layout.gpu_instances) {
      // The device's own profile stays: "1c.2g.10gb" says that it shares its GPU instance's
      // memory with other compute instances, which the GPU instance profile would hide.
      if (gi.id == device.gpu_instance_id) {
        if (gi.where) {
          instance.placement_start = gi.where->start;
          instance.placement_size = gi.where->size;
        }
      }
    }
    instances.push_back(instance);
  }
  return instances;
}

/// One tenant per instance, solo then shared, each seeing only its instance as device 0.
run_record measure_instances(const run_config& config,
                             const std::vector<mig_instance_record>& instances,
                             const std::vector<run_record>& earlier_runs,
                             const telemetry_settings& telemetry, const std::string& gpu_uuid) {
  const std::vector<std::string> workloads = workloads_for_instances(config, instances.size());
  const scoped_private_directory scratch(std::filesystem::temp_directory_path().string(),
                                         "gpushare-run-");
  sharing_plan plan;
  plan.mode = "mig";
  plan.launch = tenant_launch_for(config, scratch.path());
  plan.launch.device = 0;
  for (std::size_t i = 0; i < instances.size(); ++i) {
    plan.tenants.push_back({static_cast<int>(i),
                            parse_workload_spec(workloads[i]),
                            {{"CUDA_VISIBLE_DEVICES", instances[i].uuid}}});
  }
  if (!host_only_workloads(config)) {
    // MIG instances have no counters of their own in NVML: the parent GPU is sampled.
    plan.telemetry = telemetry;
    plan.telemetry.gpu_uuids = {gpu_uuid};
  }
  run_record run = run_sharing_experiment(plan);
  // Instances do not share SMs, so "slowdown / N - 1" means nothing here; the worst
  // shared / solo ratio is what tells whether the partitions hold.
  run.aggregate.mechanism_overhead.reset();
  for (std::size_t i = 0; i < run.tenants.size(); ++i) {
    tenant_record& tenant = run.tenants[i];
    tenant.mig_instance = instances[i];
    if (tenant.slowdown) {
      run.aggregate.interference =
          std::max(run.aggregate.interference.value_or(0.0), *tenant.slowdown);
    }
    const auto whole = whole_gpu_solo_throughput(earlier_runs, tenant.workload);
    if (whole && *whole > 0 && tenant.solo && tenant.solo->iterations > 0) {
      tenant.fraction_of_full_gpu = tenant.solo->throughput_per_s.median / *whole;
    }
  }
  return run;
}

mig_run_record describe_run(const mig::mig_layout& layout, const std::string& how,
                            const std::vector<mig_instance_record>& instances,
                            const std::string& profile_table) {
  mig_run_record record;
  record.gpu_uuid = layout.gpu_uuid;
  record.layout = how;
  record.profile_table = profile_table;
  for (const auto& instance : instances) {
    record.geometry.push_back(instance.profile);
  }
  return record;
}

void print_plan(std::ostream& out, const mig::lifecycle_plan& plan) {
  out << fmt::format("--dry-run: the commands --mig-apply would run on GPU {} (nothing was run "
                     "that changes the GPU):\n",
                     plan.gpu);
  const auto print = [&out](const char* title, const std::vector<mig::planned_command>& steps) {
    out << title << '\n';
    for (const auto& step : steps) {
      out << fmt::format("  {}    # {}\n", mig::format_command(step.argv), step.purpose);
    }
  };
  print("apply:", plan.apply);
  out << "  (then one tenant per created instance, solo and together)\n";
  print("restore:", plan.restore);
}

} // namespace

std::vector<std::string> workloads_for_instances(const run_config& config, std::size_t instances) {
  if (config.workloads.empty()) {
    return std::vector<std::string>(instances,
                                    parse_workload_spec(default_tenant_workload).canonical());
  }
  if (config.workloads.size() == 1) {
    return std::vector<std::string>(instances, config.workloads.front());
  }
  if (config.workloads.size() != instances) {
    throw usage_error(fmt::format("--workload: {} workloads for {} MIG instances (--mode mig runs "
                                  "one tenant per instance: give one workload for all, or one "
                                  "per instance)",
                                  config.workloads.size(), instances));
  }
  return config.workloads;
}

std::optional<double> whole_gpu_solo_throughput(const std::vector<run_record>& runs,
                                                const std::string& workload) {
  std::vector<double> found;
  for (const run_record& run : runs) {
    if (run.mode != "timeslice" && run.mode != "mps") {
      continue;
    }
    for (const tenant_record& tenant : run.tenants) {
      if (tenant.workload == workload && tenant.solo && tenant.solo->iterations > 0 &&
          !tenant.solo->host_only) {
        found.push_back(tenant.solo->throughput_per_s.median);
      }
    }
  }
  if (found.empty()) {
    return std::nullopt;
  }
  std::sort(found.begin(), found.end());
  const std::size_t middle = found.size() / 2;
  return found.size() % 2 == 1 ? found[middle] : (found[middle - 1] + found[middle]) / 2;
}

namespace {

/// Throws mig_unavailable_error when MIG cannot be measured on nvidia-smi's GPU `gpu` as it is.
void require_usable_mig(const mig::nvidia_smi& smi, int gpu, const std::string& cuda_gpu_uuid) {
  // Without a usable nvidia-smi there is no MIG to measure on this machine: a suite skips it.
  const mig::gpu_mig_mode mode = [&] {
    try {
      return smi.mig_mode(gpu);
    } catch (const mig::nvidia_smi_error& failure) {
      throw mig_unavailable_error(failure.what());
    }
  }();
  // nvidia-smi numbers GPUs by PCI order, CUDA by its own order and CUDA_VISIBLE_DEVICES; a
  // run must never measure, or re-partition, a GPU it was not pointed at.
  if (!cuda_gpu_uuid.empty() && !mode.uuid.empty() && cuda_gpu_uuid.rfind("GPU-", 0) == 0 &&
      mode.uuid != cuda_gpu_uuid) {
    throw mig_unavailable_error(fmt::format(
        "--mode mig: nvidia-smi's GPU {} is {}, but CUDA's device {} is {} (CUDA_VISIBLE_DEVICES "
        "or the device order differs); run --mode mig on its own with --device set to "
        "nvidia-smi's index of the GPU to measure",
        gpu, mode.uuid, gpu, cuda_gpu_uuid));
  }
  if (const std::string problem = mig::mig_mode_problem(mode); !problem.empty()) {
    throw mig_unavailable_error(fmt::format(
        "--mode mig: {}. Then create instances ('nvidia-smi mig -i {} -cgi <profiles> -C', "
        "check a geometry with 'gpushare-bench mig validate') or let this tool create them for "
        "the run with --mig-geometry G --mig-apply; --mode timeslice and --mode mps need no MIG",
        problem, gpu));
  }
}

/// The instances that exist on `gpu`; throws mig_unavailable_error when there are none.
mig::mig_layout existing_layout(const mig::nvidia_smi& smi, int gpu) {
  mig::mig_layout layout = mig::list_layout(smi, gpu);
  if (layout.devices.empty()) {
    throw mig_unavailable_error(fmt::format(
        "--mode mig: MIG is enabled on GPU {} but it has no instances to measure: create "
        "some as root ('nvidia-smi mig -i {} -cgi <profiles> -C') or pass --mig-geometry G "
        "--mig-apply to create them for this run only",
        gpu, gpu));
  }
  return layout;
}

} // namespace

std::vector<mig_instance_record> existing_mig_instances(const run_config& config,
                                                        const std::string& cuda_gpu_uuid) {
  mig::nvidia_smi_options smi_options;
  smi_options.program = config.nvidia_smi;
  const mig::nvidia_smi smi(smi_options);
  require_usable_mig(smi, config.device, cuda_gpu_uuid);
  return instances_of(existing_layout(smi, config.device));
}

bool separate_gpu_instances_first(std::vector<mig_instance_record>& instances) {
  // An id nvidia-smi did not tell (-1) proves nothing about where the instance sits.
  if (instances.size() < 2 || instances.front().gpu_instance_id < 0) {
    return false;
  }
  const auto other = std::find_if(
      instances.begin() + 1, instances.end(), [&](const mig_instance_record& instance) {
        return instance.gpu_instance_id >= 0 &&
               instance.gpu_instance_id != instances.front().gpu_instance_id;
      });
  if (other == instances.end()) {
    return false;
  }
  std::iter_swap(instances.begin() + 1, other);
  return true;
}

run_record measure_mig(const run_config& config, const std::string& cuda_gpu_uuid,
                       const std::vector<run_record>& earlier_runs, std::ostream& out,
                       const telemetry_settings& telemetry) {
  if (!config.mig_geometry.empty() && !config.mig_apply && !config.dry_run) {
    throw usage_error("--mig-geometry changes the GPU's MIG instances: add --mig-apply to let the "
                      "tool destroy the current ones, create these for the run and restore the "
                      "old layout afterwards, or --dry-run to see the commands");
  }
  if ((config.mig_apply || config.dry_run) && config.mig_geometry.empty()) {
    throw usage_error("--mig-apply and --dry-run need --mig-geometry PROFILES (e.g. "
                      "3g.40gb,2g.20gb,2g.20gb; check it with 'gpushare-bench mig validate')");
  }
  mig::nvidia_smi_options smi_options;
  smi_options.program = config.nvidia_smi;
  const mig::nvidia_smi smi(smi_options);
  const int gpu = config.device;
  require_usable_mig(smi, gpu, cuda_gpu_uuid);

  if (config.mig_geometry.empty()) {
    const mig::mig_layout layout = existing_layout(smi, gpu);
    const std::vector<mig_instance_record> instances = instances_of(layout);
    run_record run = measure_instances(config, instances, earlier_runs, telemetry, layout.gpu_uuid);
    run.mig = describe_run(layout, "existing", instances, "nvidia-smi");
    return run;
  }

  mig::lifecycle_options options;
  options.gpu = gpu;
  options.geometry = mig::parse_geometry(config.mig_geometry);
  mig::mig_lifecycle lifecycle(smi, options);
  if (config.dry_run) {
    print_plan(out, lifecycle.dry_run());
    run_record run;
    run.mode = "mig";
    run.status = run_status::skipped;
    run.reason = "--dry-run: the commands were printed, nothing was changed or measured";
    return run;
  }
  // A failure while measuring propagates as it is; a restore that fails behind it is reported
  // on stderr by the lifecycle, with the commands to run by hand.
  run_record run;
  try {
    lifecycle.run([&](const mig::mig_layout& layout) {
      const std::vector<mig_instance_record> instances = instances_of(layout);
      run = measure_instances(config, instances, earlier_runs, telemetry, layout.gpu_uuid);
      run.mig = describe_run(layout, "applied", instances, "nvidia-smi");
    });
    run.mig->restore = "restored";
  } catch (const mig::mig_restore_error& failure) {
    // Measured, but the GPU is not as it was: keep the figures, fail the run loudly.
    run.status = run_status::failed;
    run.reason = failure.what();
    run.flags.push_back("mig_layout_not_restored");
    if (run.mig) {
      run.mig->restore = failure.what();
    }
  } catch (const error& failure) {
    // The report must say what the GPU was left as, not only stderr.
    if (!lifecycle.restore_failure().empty()) {
      throw error(fmt::format("{}; the old MIG layout could not be restored either: {}",
                              failure.what(), lifecycle.restore_failure()),
                  failure.code());
    }
    throw;
  }
  return run;
}

} // namespace gpushare::cli
