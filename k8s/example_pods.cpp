#include "k8s/example_pods.hpp"

#include "common/error.hpp"
#include "k8s/kubernetes_names.hpp"
#include "k8s/yaml_text.hpp"

#include <fmt/format.h>

#include <yaml-cpp/yaml.h>

namespace gpushare::k8s {
namespace {

std::string resource_label(const std::string& resource) {
  // "nvidia.com/" says nothing that tells the pods apart.
  const std::string name = resource.substr(resource.find('/') + 1);
  return to_dns1123_label(name);
}

std::string pod_document(const pod_settings& settings, int index) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "Pod";
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << pod_name(settings, index);
  if (!settings.name_space.empty()) {
    out << YAML::Key << "namespace" << YAML::Value << settings.name_space;
  }
  out << YAML::Key << "labels" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "app.kubernetes.io/name" << YAML::Value << "gpushare-bench-example";
  out << YAML::EndMap;
  out << YAML::EndMap;
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  // The container prints its device and exits; restarting it would only print it again.
  out << YAML::Key << "restartPolicy" << YAML::Value << "Never";
  out << YAML::Key << "containers" << YAML::Value << YAML::BeginSeq;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << "cuda";
  out << YAML::Key << "image" << YAML::Value << settings.image;
  out << YAML::Key << "command" << YAML::Value << YAML::Flow << settings.command;
  out << YAML::Key << "resources" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "limits" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << settings.resource << YAML::Value << 1;
  out << YAML::EndMap;
  out << YAML::EndMap;
  out << YAML::EndMap;
  out << YAML::EndSeq;
  out << YAML::EndMap;
  out << YAML::EndMap;
  return emitted_text(out);
}

} // namespace

void check_pod_settings(const pod_settings& settings) {
  if (!is_nvidia_resource_name(settings.resource)) {
    throw usage_error(fmt::format("--resource {}: not a resource the NVIDIA device plugin "
                                  "advertises (e.g. nvidia.com/gpu, nvidia.com/gpu.shared or "
                                  "nvidia.com/mig-1g.10gb)",
                                  settings.resource));
  }
  if (settings.count < 1) {
    throw usage_error(fmt::format("--count {}: at least one pod", settings.count));
  }
  if (settings.image.empty() || settings.image.find_first_of(" \t\n") != std::string::npos) {
    throw usage_error(fmt::format("--image '{}': an image reference has no spaces and is not "
                                  "empty",
                                  settings.image));
  }
  if (!is_dns1123_label(settings.name_prefix)) {
    throw usage_error(fmt::format("--name-prefix {}: must be lower-case letters, digits and '-', "
                                  "starting and ending with a letter or digit",
                                  settings.name_prefix));
  }
  if (!settings.name_space.empty() && !is_dns1123_label(settings.name_space)) {
    throw usage_error(fmt::format("--namespace {}: a namespace must be lower-case letters, "
                                  "digits and '-', at most 63 characters",
                                  settings.name_space));
  }
  const std::string longest = pod_name(settings, settings.count - 1);
  if (!is_dns1123_subdomain(longest)) {
    throw usage_error(fmt::format("pod name {} would be longer than Kubernetes allows; choose "
                                  "a shorter --name-prefix",
                                  longest));
  }
}

std::string pod_name(const pod_settings& settings, int index) {
  return fmt::format("{}-{}-{}", settings.name_prefix, resource_label(settings.resource), index);
}

std::string example_pods_yaml(const pod_settings& settings) {
  check_pod_settings(settings);
  std::vector<std::string> documents;
  documents.reserve(static_cast<std::size_t>(settings.count));
  for (int index = 0; index < settings.count; ++index) {
    documents.push_back(pod_document(settings, index));
  }
  const std::vector<std::string> header{
      fmt::format("{} example pod(s), each limited to one {}; each prints the device it got "
                  "(kubectl logs POD) and exits.",
                  settings.count, settings.resource),
      "Apply with kubectl apply -f FILE; pods that stay Pending mean the node advertises fewer "
      "units than requested (kubectl describe node)."};
  return comment_block(header) + join_documents(documents);
}

} // namespace gpushare::k8s
