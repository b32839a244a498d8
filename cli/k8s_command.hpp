#pragma once
// `gpushare-bench k8s ...`: Kubernetes and MPS service artifacts as YAML and files.

#include <CLI/CLI.hpp>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace gpushare::cli {

struct k8s_arguments {
  /// The k8s sub-subcommand given: "device-plugin", "mig-parted", "pods", "replicas" or
  /// "mps-service".
  std::string action;
  std::string output; ///< -o: a file (a directory for mps-service); empty for stdout

  // device-plugin
  std::string sharing; ///< timeslicing | mps
  int replicas = 0;    ///< 0: not given (then --from-results decides)
  std::string plugin_resource = "nvidia.com/gpu";
  bool rename_by_default = false;
  bool fail_requests_greater_than_one = false;
  std::string configmap;
  std::string configmap_namespace = "nvidia-device-plugin";
  std::string configmap_key = "config";

  // replicas from a report (device-plugin and replicas)
  std::string results_file;
  double max_p99_inflation = 0;
  std::string results_mode; ///< timeslice | mps

  // mig-parted
  std::string gpu;
  std::string geometry;
  std::vector<std::string> needs; ///< --need SIZE:COUNT: the layouts of a packing plan
  std::string config_name;

  // pods
  std::string pod_resource;
  int pod_count = 1;
  std::string image;
  std::string name_prefix = "gpushare";
  std::string pod_namespace;

  // mps-service
  std::string thread_percentage;
  std::vector<std::string> memory_limits;
  std::string pipe_directory = "/tmp/nvidia-mps";
  std::string log_directory = "/var/log/nvidia-mps";
  std::string control_program = "nvidia-cuda-mps-control";
  std::string script_path = "/usr/local/sbin/gpushare-mps.sh";
  int stop_timeout_s = 30;
};

/// Declares `k8s` and its subcommands on `app`; `on_selected` runs when `k8s` was given.
void add_k8s_subcommand(CLI::App& app, k8s_arguments& arguments,
                        const std::function<void()>& on_selected);

/// Runs the parsed `k8s` command: the artifact goes to `out` unless -o names a file, notes and
/// warnings to stderr. Returns the exit code (throws gpushare::error subclasses).
int run_k8s_command(const k8s_arguments& arguments, std::ostream& out);

} // namespace gpushare::cli
