#pragma once
// Example Pods that each ask the device plugin for one unit of a GPU resource (a whole or
// shared nvidia.com/gpu, or a MIG device under the mixed strategy) and print which device they
// got, so a cluster's sharing setup can be seen working before real workloads move onto it.

#include <string>
#include <vector>

namespace gpushare::k8s {

/// A CUDA base image from NVIDIA's registry that carries nothing but the CUDA runtime's
/// prerequisites; nvidia-smi is mounted in by the NVIDIA container toolkit.
inline constexpr const char* default_pod_image = "nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04";

struct pod_settings {
  std::string resource = "nvidia.com/gpu";
  int count = 1;
  std::string image = default_pod_image;
  std::string name_prefix = "gpushare";
  std::string name_space; ///< empty: no namespace, kubectl's current one applies
  /// What each container runs: by default it lists the GPU or MIG device it was given.
  std::vector<std::string> command{"nvidia-smi", "-L"};
};

/// Throws usage_error for a resource the device plugin does not advertise, a count below 1, an
/// empty image, or a name prefix / namespace Kubernetes would reject.
void check_pod_settings(const pod_settings& settings);

/// Pod name `index` (0-based): "<prefix>-<resource as a DNS label>-<index>".
[[nodiscard]] std::string pod_name(const pod_settings& settings, int index);

/// `count` Pods (apiVersion v1, kind Pod), one YAML document each, each container limited to
/// one unit of `resource`.
[[nodiscard]] std::string example_pods_yaml(const pod_settings& settings);

} // namespace gpushare::k8s
