// Example pods read back with yaml-cpp: one valid Pod per document, each limited to one unit of
// the resource. tests/k8s/validate_manifests.py checks the same output against the API schema.

#include "common/error.hpp"
#include "k8s/example_pods.hpp"
#include "k8s/kubernetes_names.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <yaml-cpp/yaml.h>

namespace gpushare::k8s {
namespace {

TEST(K8sPods, OnePodPerDocumentEachWithOneUnit) {
  pod_settings settings;
  settings.resource = "nvidia.com/mig-1g.10gb";
  settings.count = 3;
  settings.name_space = "gpu-jobs";
  const std::vector<YAML::Node> pods = YAML::LoadAll(example_pods_yaml(settings));
  ASSERT_EQ(pods.size(), 3u);
  std::set<std::string> names;
  for (const auto& pod : pods) {
    EXPECT_EQ(pod["apiVersion"].as<std::string>(), "v1");
    EXPECT_EQ(pod["kind"].as<std::string>(), "Pod");
    const std::string name = pod["metadata"]["name"].as<std::string>();
    EXPECT_TRUE(is_dns1123_subdomain(name)) << name;
    names.insert(name);
    EXPECT_EQ(pod["metadata"]["namespace"].as<std::string>(), "gpu-jobs");
    EXPECT_EQ(pod["spec"]["restartPolicy"].as<std::string>(), "Never");
    const YAML::Node containers = pod["spec"]["containers"];
    ASSERT_EQ(containers.size(), 1u);
    EXPECT_EQ(containers[0]["image"].as<std::string>(), default_pod_image);
    EXPECT_EQ(containers[0]["command"][0].as<std::string>(), "nvidia-smi");
    const YAML::Node limits = containers[0]["resources"]["limits"];
    ASSERT_EQ(limits.size(), 1u);
    EXPECT_EQ(limits["nvidia.com/mig-1g.10gb"].as<int>(), 1);
  }
  EXPECT_EQ(names.size(), 3u) << "pod names must differ";
  EXPECT_TRUE(names.count("gpushare-mig-1g-10gb-0"));
}

TEST(K8sPods, NoNamespaceUnlessGiven) {
  pod_settings settings;
  settings.image = "registry.example/cuda:1";
  const std::vector<YAML::Node> pods = YAML::LoadAll(example_pods_yaml(settings));
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_FALSE(pods[0]["metadata"]["namespace"]);
  EXPECT_EQ(pods[0]["spec"]["containers"][0]["image"].as<std::string>(), "registry.example/cuda:1");
  EXPECT_EQ(pods[0]["metadata"]["name"].as<std::string>(), "gpushare-gpu-0");
}

TEST(K8sPods, RejectsWhatKubernetesWould) {
  pod_settings settings;
  settings.resource = "gpu";
  EXPECT_THROW((void)example_pods_yaml(settings), usage_error);
  settings = pod_settings{};
  settings.count = 0;
  EXPECT_THROW((void)example_pods_yaml(settings), usage_error);
  settings = pod_settings{};
  settings.name_prefix = "Bad_Prefix";
  EXPECT_THROW((void)example_pods_yaml(settings), usage_error);
  settings = pod_settings{};
  settings.image = "two words";
  EXPECT_THROW((void)example_pods_yaml(settings), usage_error);
  settings = pod_settings{};
  settings.name_space = "Upper";
  EXPECT_THROW((void)example_pods_yaml(settings), usage_error);
}

TEST(K8sNames, FollowTheApiServersRules) {
  EXPECT_TRUE(is_dns1123_label("gpu-jobs"));
  EXPECT_FALSE(is_dns1123_label("gpu.jobs"));
  EXPECT_FALSE(is_dns1123_label(std::string(64, 'a')));
  EXPECT_TRUE(is_dns1123_subdomain("a.b-c"));
  EXPECT_FALSE(is_dns1123_subdomain("a..b"));
  EXPECT_TRUE(is_label_value(""));
  EXPECT_TRUE(is_label_value("all-1g.10gb_x"));
  EXPECT_FALSE(is_label_value("1g.10gb+me"));
  EXPECT_TRUE(is_nvidia_resource_name("nvidia.com/gpu.shared"));
  EXPECT_FALSE(is_nvidia_resource_name("nvidia.com/gpu."));
  EXPECT_EQ(to_dns1123_label("nvidia.com/mig-1g.10gb"), "nvidia-com-mig-1g-10gb");
  EXPECT_EQ(to_dns1123_label("--A__b--"), "a-b");
}

} // namespace
} // namespace gpushare::k8s
