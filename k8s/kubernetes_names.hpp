#pragma once
// The naming rules of the Kubernetes API (apimachinery's validation: DNS-1123 labels and
// subdomains, label values, ConfigMap keys, qualified names), so every name we emit is one the
// API server accepts and a mistake is reported here rather than by `kubectl apply`.

#include <string>
#include <string_view>

namespace gpushare::k8s {

/// Pod and ConfigMap names: lower-case alphanumerics, '-' and '.', at most 253 characters,
/// starting and ending with an alphanumeric.
[[nodiscard]] bool is_dns1123_subdomain(std::string_view text);

/// Namespaces and container names: as a subdomain but without '.', at most 63 characters.
[[nodiscard]] bool is_dns1123_label(std::string_view text);

/// Label values (e.g. nvidia.com/mig.config=NAME): at most 63 characters of alphanumerics, '-',
/// '_' and '.', starting and ending with an alphanumeric; empty is allowed.
[[nodiscard]] bool is_label_value(std::string_view text);

/// ConfigMap data keys: alphanumerics, '-', '_' and '.', at most 253 characters.
[[nodiscard]] bool is_configmap_key(std::string_view text);

/// An extended resource name as the NVIDIA device plugin advertises it: "nvidia.com/" followed
/// by a qualified name part (at most 63 characters, alphanumerics, '-', '_' and '.').
[[nodiscard]] bool is_nvidia_resource_name(std::string_view text);

/// `text` lower-cased with every run of characters a DNS-1123 label does not allow replaced by
/// one '-', and no '-' at either end: "nvidia.com/mig-1g.10gb" gives "nvidia-com-mig-1g-10gb".
[[nodiscard]] std::string to_dns1123_label(std::string_view text);

} // namespace gpushare::k8s
