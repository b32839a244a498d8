#include "cli/options.hpp"

#include "cli/help_text.hpp"
#include "cli/isolation_mode.hpp"
#include "common/error.hpp"
#include "harness/streams_experiment.hpp"
#include "harness/workload_spec.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <regex>
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

bool uses_tenants(const std::string& mode) {
  return mode == "timeslice" || mode == "mps" || mode == "all";
}

bool takes_workloads(const std::string& mode) {
  return uses_tenants(mode) || mode == "mig";
}

/// One workload per tenant: a single --workload is repeated --tenants times; none means the
/// default workload for two tenants.
void resolve_tenants(run_config& config) {
  if (config.max_repetitions != 0 && config.max_repetitions < config.repetitions) {
    throw usage_error(fmt::format("--max-repetitions {} is below --repetitions {}",
                                  config.max_repetitions, config.repetitions));
  }
  if (config.mode == "mig") {
    // The instances found (or created) decide the tenant count; workloads are matched to them
    // when the run starts.
    if (config.tenants > 0) {
      throw usage_error("--tenants: --mode mig runs one tenant per MIG instance; give one "
                        "--workload for all instances or one per instance");
    }
    if (!config.mps_thread_pct.empty() || !config.mps_mem_limit.empty() ||
        !config.mps_priority.empty() || config.mps_use_existing) {
      throw usage_error("--mps-*: MPS settings do not apply to --mode mig");
    }
    if (config.duration_s == std::nullopt && config.iterations == std::nullopt) {
      config.duration_s = default_tenant_duration_s;
    }
    return;
  }
  if (!uses_tenants(config.mode)) {
    return;
  }
  auto& workloads = config.workloads;
  if (workloads.empty()) {
    workloads.push_back(parse_workload_spec(default_tenant_workload).canonical());
  }
  if (workloads.size() == 1) {
    workloads.resize(static_cast<std::size_t>(config.tenants > 0 ? config.tenants : 2),
                     workloads.front());
  } else if (config.tenants > 0 && static_cast<std::size_t>(config.tenants) != workloads.size()) {
    throw usage_error(fmt::format("--tenants {} does not match the {} --workload options (give "
                                  "one workload per tenant, or one for all)",
                                  config.tenants, workloads.size()));
  }
  config.tenants = static_cast<int>(workloads.size());
  const auto check_list = [&](const char* option, const std::vector<std::string>& values,
                              const auto& valid, const char* accepted) {
    if (values.size() > 1 && values.size() != workloads.size()) {
      throw usage_error(fmt::format("{}: {} values for {} tenants (give one for all, or one per "
                                    "tenant)",
                                    option, values.size(), workloads.size()));
    }
    for (const auto& value : values) {
      if (!valid(value)) {
        throw usage_error(fmt::format("{} {}: must be {}", option, value, accepted));
      }
    }
  };
  check_list(
      "--mps-thread-pct", config.mps_thread_pct,
      [](const std::string& v) {
        char* end = nullptr;
        const double pct = std::strtod(v.c_str(), &end);
        return !v.empty() && *end == '\0' && pct >= 1 && pct <= 100;
      },
      "a number in [1, 100]");
  check_list(
      "--mps-mem-limit", config.mps_mem_limit,
      [](const std::string& v) {
        static const std::regex form("([0-9]+=)?[1-9][0-9]*[MG]");
        return std::regex_match(v, form);
      },
      "a size like 512M or 2G, optionally prefixed by a device index (0=2G)");
  check_list(
      "--mps-priority", config.mps_priority,
      [](const std::string& v) { return v == "0" || v == "1"; }, "0 or 1");
  if (config.duration_s == std::nullopt && config.iterations == std::nullopt) {
    // Tenants sharing a GPU must run for the same time, or the fastest finishes early and
    // the others run partly alone.
    config.duration_s = default_tenant_duration_s;
  }
}

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
  app.add_option("--repetitions,--min-repetitions", config.repetitions,
                 "Repetitions per figure (at least this many with --max-repetitions); the "
                 "median and its interval are reported")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--max-repetitions", config.max_repetitions,
                 "Keep repeating, up to this many, while a figure's coefficient of variation is "
                 "above --max-noise (tenants' solo phases; the shared phase then runs as many as "
                 "the most any tenant needed alone); default: exactly --repetitions")
      ->check(CLI::Range(1, 1000))
      ->type_name("N");
  app.add_option("--max-noise", config.noise_threshold,
                 "Coefficient of variation above which a figure is flagged noisy, and the target "
                 "of --max-repetitions (a fraction: 0.05 = 5 %)")
      ->check(CLI::Range(0.0, 1.0))
      ->type_name("FRACTION")
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
  app.add_option("--telemetry-interval", config.telemetry_interval_ms,
                 "Sample GPU counters (NVML: utilisation, memory, power, clocks, temperature, "
                 "throttle reasons) every MS milliseconds during every tenant phase; 0 disables")
      ->check(CLI::Range(0, 60000))
      ->type_name("MS")
      ->capture_default_str();
  app.add_option("--max-clock-drift", config.max_clock_drift,
                 "Flag a phase clock_drift when the busy SM clock moved by more than this "
                 "fraction of its maximum (0.05 = 5 %)")
      ->check(CLI::Range(0.0, 1.0))
      ->type_name("FRACTION")
      ->capture_default_str();
  app.add_flag("--quiet", config.quiet, "No tables or progress; errors and the JSON file only");

  app.add_option("--tenants", config.tenants,
                 "timeslice/mps: tenant processes (default: one per --workload, or 2)")
      ->check(CLI::Range(1, 64));
  app.add_option("--tenant-timeout", config.tenant_timeout_s,
                 "timeslice/mps: kill a tenant that has not finished a phase after this many "
                 "seconds (default: twice the planned time plus 60 s, or 300 s)")
      ->check(CLI::Range(1.0, 86400.0))
      ->type_name("SECONDS");
  app.add_option("--mps-thread-pct", config.mps_thread_pct,
                 "mps: CUDA_MPS_ACTIVE_THREAD_PERCENTAGE, one value or one per tenant")
      ->delimiter(',')
      ->type_name("PCT,...");
  app.add_option("--mps-mem-limit", config.mps_mem_limit,
                 "mps: CUDA_MPS_PINNED_DEVICE_MEM_LIMIT (e.g. 2G or 512M), one or one per tenant")
      ->delimiter(',')
      ->type_name("SIZE,...");
  app.add_option("--mps-priority", config.mps_priority,
                 "mps: CUDA_MPS_CLIENT_PRIORITY, 0 normal or 1 below normal, one or one per tenant")
      ->delimiter(',')
      ->type_name("0|1,...");
  app.add_flag("--mps-use-existing", config.mps_use_existing,
               "mps: run through the MPS daemon already running instead of refusing; the "
               "solo and timeslice tenants and the calibrate/streams worker then inherit its "
               "pipe directory too (without it they get an empty one of their own and run "
               "without MPS)");
  app.add_option("--mps-control", config.mps_control,
                 "mps: the nvidia-cuda-mps-control program to start")
      ->type_name("PATH")
      ->capture_default_str();

  app.add_option("--mig-geometry", config.mig_geometry,
                 "mig: GPU instances to create for the run, e.g. 3g.40gb,2g.20gb,2g.20gb (needs "
                 "--mig-apply or --dry-run; see 'mig validate')")
      ->type_name("PROFILES");
  app.add_flag("--mig-apply", config.mig_apply,
               "mig: allow the tool to destroy the GPU's MIG instances, create --mig-geometry, "
               "and restore the old layout afterwards (needs root; never on a shared machine)");
  app.add_flag("--dry-run", config.dry_run,
               "mig: print the nvidia-smi commands --mig-apply would run, and run nothing");
  app.add_option("--nvidia-smi", config.nvidia_smi, "mig: the nvidia-smi program to run")
      ->type_name("PATH")
      ->capture_default_str();

  app.add_option("--isolation-mechanisms", config.isolation_mechanisms,
                 "isolation: the mechanisms to measure (default: timeslice,mps,mps-limited,mig)")
      ->delimiter(',')
      ->check(CLI::IsMember(isolation_mechanism_names()))
      ->type_name("LIST");
  app.add_option("--isolation-workloads", config.isolation_workloads,
                 "isolation: gpu (hog, fault, infer, gemm, triad) or host (host-* test "
                 "instruments that check the orchestration without a GPU; never GPU results)")
      ->check(CLI::IsMember(isolation_workload_sets()))
      ->capture_default_str();

  app.add_option("--suite", config.suite,
                 "Run the measurements this suite file lists (implies --mode all; default: the "
                 "embedded suite, see 'suite --print')")
      ->type_name("FILE");

  auto* suite = app.add_subcommand("suite", "Show the embedded default suite that --mode all runs");
  suite->add_flag("--print", result.print_suite, "Print it (the format --suite FILE accepts)")
      ->required();
  suite->callback([&result] { result.what = command::suite; });

  auto* tenant = app.add_subcommand("tenant", "internal: one tenant process of a run");
  tenant->group(""); // hidden: the harness starts it, people do not
  tenant->add_option("--workload", result.tenant.workload)->required();
  tenant->add_option("--max-repetitions", result.tenant.settings.max_repetitions)
      ->check(CLI::Range(0, 1000));
  tenant->add_option("--repetitions", result.tenant.settings.repetitions)
      ->check(CLI::Range(1, 1000));
  tenant->add_option("--warmup", result.tenant.settings.warmup_iterations)
      ->check(CLI::Range(0, 100000));
  tenant->add_option("--iterations", result.tenant.settings.iterations);
  tenant->add_option("--duration", result.tenant.settings.duration_s);
  tenant->add_option("--device", result.tenant.device)->check(CLI::Range(0, 1023));
  tenant->add_option("--noise", result.tenant.settings.noise_threshold);
  tenant->add_option("--seed", result.tenant.settings.arrival_seed);
  tenant->callback([&result] { result.what = command::tenant; });

  auto* worker = app.add_subcommand("device-worker", "internal: runs the harness's CUDA work");
  worker->group(""); // hidden: see cli/device_worker.hpp
  worker->callback([&result] { result.what = command::device_worker; });

  auto* probe = app.add_subcommand(
      "probe", "Print what this machine has: driver, CUDA versions, GPUs (name, uuid, compute "
               "capability, SMs, memory, MIG and compute mode) and running MPS daemons. Exits "
               "2 when no GPU is usable.");
  probe
      ->add_option("--json", result.probe_json_path,
                   "Also write the environment as a JSON report to FILE")
      ->type_name("FILE");
  probe->callback([&result] { result.what = command::probe; });

  add_mig_subcommand(app, result.mig, [&result] { result.what = command::mig; });
  add_k8s_subcommand(app, result.k8s, [&result] { result.what = command::k8s; });
  add_compare_subcommand(app, result.compare, [&result] { result.what = command::compare; });
  add_report_subcommand(app, result.report, [&result] { result.what = command::report; });
}

void finish_invocation(invocation& result) {
  run_config& config = result.config;
  if (result.what == command::tenant || result.what == command::device_worker ||
      result.what == command::suite || result.what == command::mig || result.what == command::k8s ||
      result.what == command::compare || result.what == command::report) {
    return;
  }
  if (!config.suite.empty()) {
    if (!config.mode.empty() && config.mode != "all") {
      throw usage_error("--suite runs the modes its [run] sections list; give --mode all or no "
                        "--mode");
    }
    config.mode = "all";
  }
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
  resolve_tenants(config);
  if ((!config.mig_geometry.empty() || config.mig_apply || config.dry_run) &&
      config.mode != "mig" && config.mode != "all") {
    throw usage_error("--mig-geometry, --mig-apply and --dry-run belong to --mode mig");
  }
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
