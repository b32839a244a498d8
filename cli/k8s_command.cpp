#include "cli/k8s_command.hpp"

#include "common/error.hpp"
#include "k8s/device_plugin_config.hpp"
#include "k8s/example_pods.hpp"
#include "k8s/measured_geometry.hpp"
#include "k8s/mig_parted_config.hpp"
#include "k8s/mps_service.hpp"
#include "k8s/replica_advice.hpp"
#include "k8s/text_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>

namespace gpushare::cli {
namespace {

constexpr const char* output_help =
    "Write the YAML to FILE (replaced whole, never half-written) instead of stdout";

void add_output_option(CLI::App& command, k8s_arguments& arguments) {
  command.add_option("-o,--output", arguments.output, output_help)->type_name("FILE");
}

/// The artifact goes to -o FILE or to `out`; either way the person learns where.
void deliver(const k8s_arguments& arguments, const std::string& text, std::ostream& out) {
  if (arguments.output.empty()) {
    out << text;
    out.flush();
    return;
  }
  k8s::write_text_file(arguments.output, text);
  std::cerr << "gpushare-bench: wrote " << arguments.output << '\n';
}

void add_results_options(CLI::App& command, k8s_arguments& arguments, bool required) {
  auto* file = command.add_option("--from-results", arguments.results_file,
                                  "A JSON report of gpushare-bench (--json) whose timeslice or mps "
                                  "runs decide the replicas");
  file->type_name("FILE");
  auto* limit = command.add_option("--max-p99-inflation", arguments.max_p99_inflation,
                                   "Largest acceptable p99 latency shared / alone, over every "
                                   "tenant of a run (1.0 = no slower)");
  limit->check(CLI::Range(1.0, 1000.0))->type_name("X");
  auto* mode = command.add_option(
      "--mode", arguments.results_mode,
      required ? "Which runs of the report: timeslice or mps"
               : "Which runs of the report (default, and the only one accepted: timeslice for "
                 "--sharing timeslicing, mps for --sharing mps)");
  mode->check(CLI::IsMember({"timeslice", "mps"}));
  if (required) {
    file->required();
    limit->required();
    mode->required();
  } else {
    limit->needs(file);
    mode->needs(file);
    file->needs(limit);
  }
}

k8s::replica_advice advice_from(const k8s_arguments& arguments, const std::string& mode) {
  return k8s::advise_replicas_from_file(arguments.results_file, mode, arguments.max_p99_inflation);
}

void print_lines(const std::vector<std::string>& lines) {
  for (const auto& line : lines) {
    std::cerr << "gpushare-bench: " << line << '\n';
  }
}

int run_device_plugin(const k8s_arguments& arguments, std::ostream& out) {
  k8s::device_plugin_settings settings;
  settings.method = k8s::parse_sharing_method(arguments.sharing);
  settings.resource = arguments.plugin_resource;
  settings.rename_by_default = arguments.rename_by_default;
  settings.fail_requests_greater_than_one = arguments.fail_requests_greater_than_one;
  if (arguments.replicas > 0 && !arguments.results_file.empty()) {
    throw usage_error("--replicas and --from-results both choose the replicas; give one");
  }
  if (arguments.replicas > 0) {
    settings.replicas = arguments.replicas;
  } else if (!arguments.results_file.empty()) {
    const std::string mode = k8s::report_mode(settings.method);
    if (!arguments.results_mode.empty() && arguments.results_mode != mode) {
      // Contention under one mechanism says little about the other.
      throw usage_error(fmt::format("--mode {} with --sharing {}: use the {} runs for a {} "
                                    "config",
                                    arguments.results_mode, arguments.sharing, mode,
                                    arguments.sharing));
    }
    const k8s::replica_advice advice = advice_from(arguments, mode);
    settings.replicas = advice.replicas;
    settings.notes = advice.explanation;
    print_lines({advice.explanation.front()});
  } else {
    throw usage_error("device-plugin: give --replicas N, or --from-results FILE with "
                      "--max-p99-inflation X");
  }
  print_lines(k8s::device_plugin_warnings(settings));
  if (arguments.configmap.empty()) {
    deliver(arguments, k8s::device_plugin_config_yaml(settings), out);
  } else {
    k8s::configmap_target target{arguments.configmap, arguments.configmap_namespace,
                                 arguments.configmap_key};
    deliver(arguments, k8s::device_plugin_configmap_yaml(settings, target), out);
  }
  return static_cast<int>(exit_code::success);
}

int run_replicas(const k8s_arguments& arguments, std::ostream& out) {
  const k8s::replica_advice advice = advice_from(arguments, arguments.results_mode);
  print_lines(advice.explanation);
  deliver(arguments, std::to_string(advice.replicas) + "\n", out);
  return static_cast<int>(exit_code::success);
}

int run_mig_parted(const k8s_arguments& arguments, std::ostream& out) {
  const int sources = static_cast<int>(!arguments.geometry.empty()) +
                      static_cast<int>(!arguments.needs.empty()) +
                      static_cast<int>(!arguments.results_file.empty());
  if (sources != 1) {
    throw usage_error("k8s mig-parted: give one of --geometry (one layout for every GPU), --need "
                      "(the layouts of a packing plan) or --from-results (the layout a --mode "
                      "mig run measured)");
  }
  k8s::mig_parted_settings settings;
  if (!arguments.needs.empty()) {
    settings.groups = k8s::groups_from_plan(arguments.gpu, arguments.needs, settings.notes);
    settings.config_name = arguments.config_name.empty()
                               ? fmt::format("gpushare-plan-{}gpu",
                                             [&settings] {
                                               std::size_t gpus = 0;
                                               for (const auto& group : settings.groups) {
                                                 gpus += group.devices.size();
                                               }
                                               return gpus;
                                             }())
                               : arguments.config_name;
  } else {
    std::string geometry_text = arguments.geometry;
    if (!arguments.results_file.empty()) {
      const auto profiles = k8s::measured_mig_geometry(
          k8s::read_report_file(arguments.results_file), arguments.results_file);
      geometry_text = fmt::format("{}", fmt::join(profiles, ","));
      settings.notes.push_back(fmt::format("The geometry a --mode mig run of {} measured: {}.",
                                           arguments.results_file, geometry_text));
    }
    const k8s::checked_geometry geometry = k8s::check_geometry(arguments.gpu, geometry_text);
    settings.mig_devices = geometry.mig_devices;
    settings.config_name = arguments.config_name.empty()
                               ? k8s::default_mig_config_name(geometry.mig_devices)
                               : arguments.config_name;
    settings.notes.push_back(fmt::format("Checked against the built-in {} profile catalog; "
                                         "instances fit starting at memory slices: {}.",
                                         geometry.board, geometry.placements));
  }
  deliver(arguments, k8s::mig_parted_config_yaml(settings), out);
  return static_cast<int>(exit_code::success);
}

int run_pods(const k8s_arguments& arguments, std::ostream& out) {
  k8s::pod_settings settings;
  settings.resource = arguments.pod_resource;
  settings.count = arguments.pod_count;
  if (!arguments.image.empty()) {
    settings.image = arguments.image;
  }
  settings.name_prefix = arguments.name_prefix;
  settings.name_space = arguments.pod_namespace;
  deliver(arguments, k8s::example_pods_yaml(settings), out);
  return static_cast<int>(exit_code::success);
}

int run_mps_service(const k8s_arguments& arguments, std::ostream& out) {
  k8s::mps_service_settings settings;
  settings.thread_percentage = arguments.thread_percentage;
  settings.memory_limits = k8s::parse_memory_limits(arguments.memory_limits);
  settings.pipe_directory = arguments.pipe_directory;
  settings.log_directory = arguments.log_directory;
  settings.control_program = arguments.control_program;
  settings.script_path = arguments.script_path;
  settings.stop_timeout_s = arguments.stop_timeout_s;
  const k8s::mps_service_files files = k8s::write_mps_service_files(settings, arguments.output);
  out << "wrote " << files.script << "\nwrote " << files.unit << '\n'
      << fmt::format("install: cp {} {} && cp {} /etc/systemd/system/ && systemctl "
                     "daemon-reload && systemctl enable --now {}\n",
                     files.script, settings.script_path, files.unit, k8s::mps_unit_name);
  return static_cast<int>(exit_code::success);
}

struct k8s_action {
  const char* name;
  const char* description;
  const char* footer;
  void (*declare)(CLI::App&, k8s_arguments&);
  int (*run)(const k8s_arguments&, std::ostream&);
};

const std::vector<k8s_action>& k8s_actions() {
  static const std::vector<k8s_action> actions{
      {"device-plugin",
       "The NVIDIA device plugin's sharing config (version v1, sharing.timeSlicing or "
       "sharing.mps): each GPU is advertised as N replicas of nvidia.com/gpu",
       "Emits the config file the plugin reads (--config-file), or with --configmap NAME a "
       "ConfigMap holding it for the plugin's Helm chart (--set config.name=NAME), to stdout or "
       "-o FILE. MPS sharing needs the chart's MPS control daemon, supports only nvidia.com/gpu "
       "on GPUs without MIG, and always fails requests for more than one replica. With "
       "--from-results the replicas are the most tenants a measured run had within the p99 "
       "limit; the reasoning goes into the YAML as comments and its first line to stderr.\nExit "
       "codes: 0 written, 1 no run of the report stays within the limit, 2 bad option or "
       "unreadable report.",
       [](CLI::App& command, k8s_arguments& arguments) {
         command.add_option("--sharing", arguments.sharing, "How replicas share a GPU")
             ->required()
             ->check(CLI::IsMember({"timeslicing", "mps"}));
         command.add_option("--replicas", arguments.replicas, "Replicas per GPU")
             ->check(CLI::Range(1, 1024))
             ->type_name("N");
         add_results_options(command, arguments, false);
         command
             .add_option("--resource", arguments.plugin_resource,
                         "Resource to replicate: nvidia.com/gpu, or for time-slicing a MIG "
                         "resource of the mixed strategy such as nvidia.com/mig-1g.10gb")
             ->capture_default_str()
             ->type_name("NAME");
         command.add_flag("--rename-by-default", arguments.rename_by_default,
                          "Advertise the replicas as <resource>.shared, so pods ask for a "
                          "shared GPU by name");
         command.add_flag("--fail-requests-greater-than-one",
                          arguments.fail_requests_greater_than_one,
                          "Time-slicing: refuse a container asking for more than one replica "
                          "(more replicas buy no more GPU time); MPS always does");
         command
             .add_option("--configmap", arguments.configmap,
                         "Wrap the config in a ConfigMap of this name")
             ->type_name("NAME");
         command
             .add_option("--namespace", arguments.configmap_namespace,
                         "Namespace of the ConfigMap (the plugin's)")
             ->capture_default_str()
             ->type_name("NS");
         command
             .add_option("--config-key", arguments.configmap_key,
                         "Name of the config inside the ConfigMap (config.default of the chart)")
             ->capture_default_str()
             ->type_name("KEY");
         add_output_option(command, arguments);
       },
       run_device_plugin},
      {"replicas",
       "Print how many replicas per GPU a measured report supports: the most tenants of a "
       "timeslice or mps run whose p99 latency inflation stays within a limit",
       "Prints the number to stdout (or -o FILE) and the figure of every tenant count to "
       "stderr. p99 inflation of a run: the largest shared p99 / solo p99 (latency_us) over its "
       "tenants; runs that failed or lack a figure are left out and named.\nExit codes: 0 "
       "printed, 1 no run stays within the limit, 2 bad option, unreadable report or a field "
       "missing from it.",
       [](CLI::App& command, k8s_arguments& arguments) {
         add_results_options(command, arguments, true);
         add_output_option(command, arguments);
       },
       run_replicas},
      {"mig-parted",
       "A mig-parted config (version v1, mig-configs) that gives every GPU of a node a MIG "
       "geometry, with all-disabled beside it",
       "Emits YAML for 'nvidia-mig-parted apply -f FILE -c NAME' or the GPU Operator's MIG "
       "manager (node label nvidia.com/mig.config=NAME), to stdout or -o FILE. The geometry "
       "is checked against the built-in profile catalog first (see 'mig validate').\nExit "
       "codes: 0 written, 1 the geometry does not fit the GPU, 2 unknown GPU or profile, or bad "
       "option.",
       [](CLI::App& command, k8s_arguments& arguments) {
         command.add_option("--gpu", arguments.gpu, "Board of the node's GPUs, e.g. A100-80GB")
             ->required()
             ->type_name("MODEL");
         command
             .add_option("--geometry", arguments.geometry,
                         "GPU instance profiles of one GPU, comma separated, NxPROFILE repeats: "
                         "3g.40gb,2g.20gb,2g.20gb")
             ->type_name("PROFILES");
         command
             .add_option("--need", arguments.needs,
                         "Instead of --geometry: COUNT workloads needing SIZE of device memory "
                         "each, e.g. 8GiB:10 (repeatable); the node's GPUs get the layouts of "
                         "'mig plan', GPU by GPU")
             ->allow_extra_args(false)
             ->type_name("SIZE:COUNT");
         command
             .add_option("--from-results", arguments.results_file,
                         "Instead of --geometry: the geometry of the last --mode mig run in "
                         "this gpushare-bench report")
             ->type_name("FILE");
         command
             .add_option("--name", arguments.config_name,
                         "Name of the config (default: from the geometry, e.g. "
                         "gpushare-2x2g.20gb-3g.40gb)")
             ->type_name("CONFIG");
         add_output_option(command, arguments);
       },
       run_mig_parted},
      {"pods",
       "Example Pods (one YAML document each) that each take one unit of a GPU resource and "
       "print the device they got",
       "Emits a multi-document YAML of N Pods (apiVersion v1), each container limited to one "
       "--resource and running nvidia-smi -L, to stdout or -o FILE; kubectl apply -f it and "
       "read kubectl logs to see which GPU, replica or MIG device each pod got.\nExit codes: 0 "
       "written, 2 bad option.",
       [](CLI::App& command, k8s_arguments& arguments) {
         command
             .add_option("--resource", arguments.pod_resource,
                         "Resource each pod asks for: nvidia.com/gpu, nvidia.com/gpu.shared, "
                         "nvidia.com/mig-1g.10gb, ...")
             ->required()
             ->type_name("NAME");
         command.add_option("--count", arguments.pod_count, "Number of pods")
             ->check(CLI::Range(1, 1000))
             ->capture_default_str()
             ->type_name("N");
         command
             .add_option("--image", arguments.image,
                         std::string("Container image (default ") + k8s::default_pod_image + ")")
             ->type_name("IMG");
         command
             .add_option("--name-prefix", arguments.name_prefix,
                         "Pods are named PREFIX-<resource>-<index>")
             ->capture_default_str()
             ->type_name("PREFIX");
         command
             .add_option("--namespace", arguments.pod_namespace,
                         "Namespace of the pods (default: kubectl's current one)")
             ->type_name("NS");
         add_output_option(command, arguments);
       },
       run_pods},
      {"mps-service",
       "The MPS control daemon as a service on a bare-metal node: a start|stop|status script "
       "and a systemd unit",
       "Writes DIR/gpushare-mps.sh and DIR/nvidia-mps.service (DIR is created if missing) and "
       "prints how to install them; nothing is started. start runs nvidia-cuda-mps-control -d "
       "with CUDA_MPS_PIPE_DIRECTORY and CUDA_MPS_LOG_DIRECTORY, then sets and reads back "
       "set_default_active_thread_percentage and set_default_device_pinned_mem_limit; stop "
       "sends 'quit -t' and kills a daemon that stays; status exits 0 running, 3 not. "
       "GPUSHARE_MPS_CONTROL overrides the control program at run time.\nExit codes: 0 written, "
       "2 bad option or unwritable DIR.",
       [](CLI::App& command, k8s_arguments& arguments) {
         command
             .add_option("--thread-pct", arguments.thread_percentage,
                         "Default active thread percentage of new MPS servers, above 0 and up "
                         "to 100 (default: the daemon's, 100)")
             ->type_name("P");
         command
             .add_option("--mem-limit", arguments.memory_limits,
                         "Default pinned device memory limit of each client: 4G or 512M for "
                         "device 0, 1=4G for device 1 (comma separated or repeated)")
             ->delimiter(',')
             ->allow_extra_args(false)
             ->type_name("[DEV=]SIZE");
         command
             .add_option("--pipe-dir", arguments.pipe_directory,
                         "CUDA_MPS_PIPE_DIRECTORY of the daemon and its clients")
             ->capture_default_str()
             ->type_name("DIR");
         command.add_option("--log-dir", arguments.log_directory, "CUDA_MPS_LOG_DIRECTORY")
             ->capture_default_str()
             ->type_name("DIR");
         command
             .add_option("--control", arguments.control_program,
                         "The nvidia-cuda-mps-control the script runs")
             ->capture_default_str()
             ->type_name("PATH");
         command
             .add_option("--script-path", arguments.script_path,
                         "Where the unit expects the script to be installed")
             ->capture_default_str()
             ->type_name("PATH");
         command
             .add_option("--stop-timeout", arguments.stop_timeout_s,
                         "Seconds 'quit -t' gives running MPS servers before forcing them down")
             ->check(CLI::Range(1, 3600))
             ->capture_default_str()
             ->type_name("S");
         command
             .add_option("-o,--output", arguments.output,
                         "Directory to write the script and the unit into")
             ->required()
             ->type_name("DIR");
       },
       run_mps_service},
  };
  return actions;
}

} // namespace

void add_k8s_subcommand(CLI::App& app, k8s_arguments& arguments,
                        const std::function<void()>& on_selected) {
  auto* k8s = app.add_subcommand(
      "k8s", "Deployment artifacts: NVIDIA device plugin sharing configs, mig-parted configs, "
             "example pods, replicas chosen from a report, and an MPS service for bare-metal "
             "nodes (see 'k8s --help')");
  k8s->require_subcommand(1);
  k8s->footer("Each command's --help says what it emits and where. YAML goes to stdout unless "
              "-o FILE is given; notes and warnings go to stderr.");
  for (const auto& action : k8s_actions()) {
    auto* command = k8s->add_subcommand(action.name, action.description);
    command->footer(action.footer);
    action.declare(*command, arguments);
    command->callback([&arguments, name = std::string(action.name)] { arguments.action = name; });
  }
  k8s->callback([on_selected] { on_selected(); });
}

int run_k8s_command(const k8s_arguments& arguments, std::ostream& out) {
  for (const auto& action : k8s_actions()) {
    if (arguments.action == action.name) {
      return action.run(arguments, out);
    }
  }
  throw usage_error("k8s: give a command: device-plugin, replicas, mig-parted, pods or "
                    "mps-service (see 'gpushare-bench k8s --help')");
}

} // namespace gpushare::cli
