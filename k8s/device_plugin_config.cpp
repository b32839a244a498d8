#include "k8s/device_plugin_config.hpp"

#include "common/error.hpp"
#include "k8s/kubernetes_names.hpp"
#include "k8s/yaml_text.hpp"

#include <fmt/format.h>

#include <yaml-cpp/yaml.h>

namespace gpushare::k8s {
namespace {

bool is_mig_resource(const std::string& resource) {
  return resource.rfind("nvidia.com/mig-", 0) == 0;
}

std::vector<std::string> explanation(const device_plugin_settings& settings) {
  const std::string advertised =
      settings.rename_by_default ? settings.resource + ".shared" : settings.resource;
  std::vector<std::string> lines{
      fmt::format("NVIDIA device plugin config: each {} device of the node is advertised {} "
                  "times, as {} ({} sharing).",
                  settings.resource, settings.replicas, advertised,
                  settings.method == sharing_method::mps ? "MPS" : "time-slicing")};
  if (settings.method == sharing_method::mps) {
    lines.push_back(fmt::format("Each replica gets 1/{} of the GPU's memory and of its threads, "
                                "enforced by the plugin's MPS control daemon; that daemon needs "
                                "the chart's mps.root (default /run/nvidia/mps), and MPS sharing "
                                "does not work on MIG-enabled GPUs.",
                                settings.replicas));
    lines.push_back("failRequestsGreaterThanOne is always true for MPS: older plugins refuse a "
                    "request for more than one MPS replica whatever the field says, newer ones "
                    "default it to true.");
  } else {
    lines.push_back("Time-slicing isolates neither memory nor faults: every pod on a GPU can "
                    "use all of its memory, and one crash takes the others with it.");
  }
  lines.insert(lines.end(), settings.notes.begin(), settings.notes.end());
  return lines;
}

} // namespace

sharing_method parse_sharing_method(std::string_view text) {
  if (text == "timeslicing") {
    return sharing_method::time_slicing;
  }
  if (text == "mps") {
    return sharing_method::mps;
  }
  throw usage_error(fmt::format("--sharing {}: must be timeslicing or mps", text));
}

const char* sharing_key(sharing_method method) {
  return method == sharing_method::mps ? "mps" : "timeSlicing";
}

const char* report_mode(sharing_method method) {
  return method == sharing_method::mps ? "mps" : "timeslice";
}

void check_device_plugin_settings(const device_plugin_settings& settings) {
  if (settings.replicas < 1) {
    throw usage_error(fmt::format("--replicas {}: the device plugin needs at least 1 replica",
                                  settings.replicas));
  }
  if (!is_nvidia_resource_name(settings.resource)) {
    throw usage_error(fmt::format("--resource {}: not a resource the NVIDIA device plugin "
                                  "advertises (nvidia.com/gpu or nvidia.com/mig-<profile>)",
                                  settings.resource));
  }
  if (settings.method == sharing_method::mps && settings.resource != whole_gpu_resource) {
    // The plugin's README: MPS sharing supports only nvidia.com/gpu, on full GPUs.
    throw usage_error(fmt::format("--resource {}: MPS sharing in the device plugin supports only "
                                  "{} on full GPUs (no MIG devices)",
                                  settings.resource, whole_gpu_resource));
  }
  const std::string renamed = settings.resource + ".shared";
  if (settings.rename_by_default && !is_nvidia_resource_name(renamed)) {
    throw usage_error(fmt::format("--rename-by-default: {}.shared would be longer than the 63 "
                                  "characters a resource name may have",
                                  settings.resource));
  }
}

std::vector<std::string> device_plugin_warnings(const device_plugin_settings& settings) {
  std::vector<std::string> warnings;
  if (settings.method == sharing_method::mps && settings.replicas > documented_mps_client_limit) {
    warnings.push_back(fmt::format("{} MPS replicas per GPU is more than the {} clients NVIDIA "
                                   "documents per GPU for CUDA up to 13.0; pods past the limit "
                                   "will fail to start",
                                   settings.replicas, documented_mps_client_limit));
  }
  return warnings;
}

std::string device_plugin_config_yaml(const device_plugin_settings& settings) {
  check_device_plugin_settings(settings);
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "version" << YAML::Value << "v1";
  if (is_mig_resource(settings.resource)) {
    // MIG devices are advertised one resource per profile only under the mixed strategy.
    out << YAML::Key << "flags" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "migStrategy" << YAML::Value << "mixed";
    out << YAML::EndMap;
  }
  out << YAML::Key << "sharing" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << sharing_key(settings.method) << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "renameByDefault" << YAML::Value << settings.rename_by_default;
  out << YAML::Key << "failRequestsGreaterThanOne" << YAML::Value
      << (settings.method == sharing_method::mps || settings.fail_requests_greater_than_one);
  out << YAML::Key << "resources" << YAML::Value << YAML::BeginSeq;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << settings.resource;
  out << YAML::Key << "replicas" << YAML::Value << settings.replicas;
  out << YAML::EndMap;
  out << YAML::EndSeq;
  out << YAML::EndMap;
  out << YAML::EndMap;
  out << YAML::EndMap;
  return comment_block(explanation(settings)) + emitted_text(out);
}

std::string device_plugin_configmap_yaml(const device_plugin_settings& settings,
                                         const configmap_target& target) {
  if (!is_dns1123_subdomain(target.name)) {
    throw usage_error(fmt::format("--configmap {}: a ConfigMap name must be lower-case letters, "
                                  "digits, '-' and '.', at most 253 characters, starting and "
                                  "ending with a letter or digit",
                                  target.name));
  }
  if (!is_dns1123_label(target.name_space)) {
    throw usage_error(fmt::format("--namespace {}: a namespace must be lower-case letters, "
                                  "digits and '-', at most 63 characters",
                                  target.name_space));
  }
  if (!is_configmap_key(target.key)) {
    throw usage_error(fmt::format("--config-key {}: a ConfigMap key must be letters, digits, "
                                  "'-', '_' and '.'",
                                  target.key));
  }
  const std::string config = device_plugin_config_yaml(settings);
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "ConfigMap";
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << target.name;
  out << YAML::Key << "namespace" << YAML::Value << target.name_space;
  out << YAML::EndMap;
  out << YAML::Key << "data" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << target.key << YAML::Value << YAML::Literal << config;
  out << YAML::EndMap;
  out << YAML::EndMap;
  const std::vector<std::string> usage{
      fmt::format("ConfigMap for the NVIDIA device plugin's Helm chart: kubectl apply -f this "
                  "file, then install the chart with --set config.name={} (and --set "
                  "config.default={} when the ConfigMap holds more than one config).",
                  target.name, target.key)};
  return comment_block(usage) + emitted_text(out);
}

} // namespace gpushare::k8s
