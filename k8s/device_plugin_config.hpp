#pragma once
// The NVIDIA Kubernetes device plugin's sharing config (`version: v1`, `sharing.timeSlicing` or
// `sharing.mps`), as its README section "Shared Access to GPUs" documents it, optionally wrapped
// in the ConfigMap its Helm chart reads through `config.name`.

#include <string>
#include <string_view>
#include <vector>

namespace gpushare::k8s {

enum class sharing_method { time_slicing, mps };

/// "timeslicing" or "mps" (the spellings `k8s device-plugin --sharing` accepts).
[[nodiscard]] sharing_method parse_sharing_method(std::string_view text);

/// The key of the method under `sharing:` ("timeSlicing" or "mps").
[[nodiscard]] const char* sharing_key(sharing_method method);

/// The `--mode` of our reports whose runs measure this method ("timeslice" or "mps").
[[nodiscard]] const char* report_mode(sharing_method method);

/// The resource every full GPU is advertised as.
inline constexpr const char* whole_gpu_resource = "nvidia.com/gpu";

/// More clients than this per GPU is what NVIDIA documents for MPS on Volta and newer up to
/// CUDA 13.0; later releases reportedly allow more, so this only warns.
inline constexpr int documented_mps_client_limit = 48;

struct device_plugin_settings {
  sharing_method method = sharing_method::time_slicing;
  int replicas = 2;
  /// nvidia.com/gpu, or (time-slicing only) a resource of the mixed MIG strategy.
  std::string resource = whole_gpu_resource;
  bool rename_by_default = false;
  /// Time-slicing only: MPS sharing always emits true (see device_plugin_config.cpp).
  bool fail_requests_greater_than_one = false;
  /// Lines put in front of the document as YAML comments (e.g. why this replica count).
  std::vector<std::string> notes;
};

/// Throws usage_error when the plugin would reject or ignore these settings: replicas < 1, a
/// resource that is not an nvidia.com resource name, or MPS on anything but nvidia.com/gpu.
void check_device_plugin_settings(const device_plugin_settings& settings);

/// Warnings worth printing on stderr that do not make the config wrong (e.g. more MPS replicas
/// than the documented client limit).
[[nodiscard]] std::vector<std::string>
device_plugin_warnings(const device_plugin_settings& settings);

/// The config file itself: what the plugin reads from --config-file / CONFIG_FILE.
[[nodiscard]] std::string device_plugin_config_yaml(const device_plugin_settings& settings);

struct configmap_target {
  std::string name;
  std::string name_space = "nvidia-device-plugin"; ///< the namespace the README installs into
  std::string key = "config";                      ///< the config's name inside the ConfigMap
};

/// A ConfigMap holding the config under `target.key`, for `helm ... --set config.name=NAME`.
/// Throws usage_error when the name, namespace or key is not one Kubernetes accepts.
[[nodiscard]] std::string device_plugin_configmap_yaml(const device_plugin_settings& settings,
                                                       const configmap_target& target);

} // namespace gpushare::k8s
