// The device plugin config read back with yaml-cpp, field by field, against the layout of the
// NVIDIA device plugin README ("Shared Access to GPUs") and its api/config/v1 types.

#include "common/error.hpp"
#include "k8s/device_plugin_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <yaml-cpp/yaml.h>

namespace gpushare::k8s {
namespace {

using ::testing::HasSubstr;

device_plugin_settings settings_for(sharing_method method, int replicas) {
  device_plugin_settings settings;
  settings.method = method;
  settings.replicas = replicas;
  return settings;
}

TEST(K8sDevicePlugin, TimeSlicingHasTheDocumentedFields) {
  device_plugin_settings settings = settings_for(sharing_method::time_slicing, 4);
  settings.fail_requests_greater_than_one = true;
  const YAML::Node config = YAML::Load(device_plugin_config_yaml(settings));

  EXPECT_EQ(config["version"].as<std::string>(), "v1");
  EXPECT_FALSE(config["flags"]) << "no MIG resource, so the strategy is left to the plugin";
  const YAML::Node sharing = config["sharing"];
  ASSERT_TRUE(sharing.IsMap());
  EXPECT_EQ(sharing.size(), 1u) << "time-slicing and MPS are mutually exclusive";
  const YAML::Node time_slicing = sharing["timeSlicing"];
  ASSERT_TRUE(time_slicing.IsMap());
  EXPECT_FALSE(time_slicing["renameByDefault"].as<bool>());
  EXPECT_TRUE(time_slicing["failRequestsGreaterThanOne"].as<bool>());
  const YAML::Node resources = time_slicing["resources"];
  ASSERT_TRUE(resources.IsSequence());
  ASSERT_EQ(resources.size(), 1u);
  EXPECT_EQ(resources[0]["name"].as<std::string>(), "nvidia.com/gpu");
  EXPECT_EQ(resources[0]["replicas"].as<int>(), 4);
  EXPECT_EQ(resources[0].size(), 2u) << "no rename or devices: the plugin ignores them";
}

TEST(K8sDevicePlugin, FailRequestsGreaterThanOneFollowsTheFlagForTimeSlicing) {
  const YAML::Node config =
      YAML::Load(device_plugin_config_yaml(settings_for(sharing_method::time_slicing, 2)));
  EXPECT_FALSE(config["sharing"]["timeSlicing"]["failRequestsGreaterThanOne"].as<bool>());
}

TEST(K8sDevicePlugin, MpsIsUnderSharingMpsAndAlwaysFailsLargerRequests) {
  device_plugin_settings settings = settings_for(sharing_method::mps, 3);
  settings.rename_by_default = true;
  const YAML::Node config = YAML::Load(device_plugin_config_yaml(settings));

  const YAML::Node sharing = config["sharing"];
  EXPECT_FALSE(sharing["timeSlicing"]);
  const YAML::Node mps = sharing["mps"];
  ASSERT_TRUE(mps.IsMap());
  EXPECT_TRUE(mps["renameByDefault"].as<bool>());
  EXPECT_TRUE(mps["failRequestsGreaterThanOne"].as<bool>());
  EXPECT_EQ(mps["resources"][0]["name"].as<std::string>(), "nvidia.com/gpu");
  EXPECT_EQ(mps["resources"][0]["replicas"].as<int>(), 3);
}

TEST(K8sDevicePlugin, CommentsSayWhatEachReplicaGets) {
  device_plugin_settings settings = settings_for(sharing_method::mps, 4);
  settings.rename_by_default = true;
  settings.notes = {"replicas 4: from a report"};
  const std::string text = device_plugin_config_yaml(settings);
  EXPECT_THAT(text, HasSubstr("# NVIDIA device plugin config: each nvidia.com/gpu device"));
  EXPECT_THAT(text, HasSubstr("advertised 4 times, as"));
  EXPECT_THAT(text, HasSubstr("nvidia.com/gpu.shared (MPS sharing)"));
  EXPECT_THAT(text, HasSubstr("1/4 of the GPU's memory"));
  EXPECT_THAT(text, HasSubstr("# replicas 4: from a report\n"));
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_LE(line.size(), 100u) << line;
  }
}

TEST(K8sDevicePlugin, MigResourcesNeedTheMixedStrategyAndTimeSlicing) {
  device_plugin_settings settings = settings_for(sharing_method::time_slicing, 2);
  settings.resource = "nvidia.com/mig-1g.10gb";
  const YAML::Node config = YAML::Load(device_plugin_config_yaml(settings));
  EXPECT_EQ(config["flags"]["migStrategy"].as<std::string>(), "mixed");
  EXPECT_EQ(config["sharing"]["timeSlicing"]["resources"][0]["name"].as<std::string>(),
            "nvidia.com/mig-1g.10gb");

  settings.method = sharing_method::mps;
  try {
    (void)device_plugin_config_yaml(settings);
    FAIL() << "MPS accepted a MIG resource";
  } catch (const usage_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("MPS sharing in the device plugin supports only "
                                          "nvidia.com/gpu"));
  }
}

TEST(K8sDevicePlugin, RejectsWhatThePluginWouldRefuse) {
  EXPECT_THROW((void)device_plugin_config_yaml(settings_for(sharing_method::mps, 0)), usage_error);
  device_plugin_settings settings = settings_for(sharing_method::time_slicing, 2);
  for (const char* resource : {"gpu", "amd.com/gpu", "nvidia.com/", "nvidia.com/-gpu"}) {
    settings.resource = resource;
    EXPECT_THROW((void)device_plugin_config_yaml(settings), usage_error) << resource;
  }
  EXPECT_THROW((void)parse_sharing_method("time-slicing"), usage_error);
  EXPECT_EQ(parse_sharing_method("timeslicing"), sharing_method::time_slicing);
  EXPECT_EQ(parse_sharing_method("mps"), sharing_method::mps);
}

TEST(K8sDevicePlugin, WarnsPastTheDocumentedMpsClientLimit) {
  EXPECT_TRUE(device_plugin_warnings(settings_for(sharing_method::mps, 48)).empty());
  const auto warnings = device_plugin_warnings(settings_for(sharing_method::mps, 49));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("48"));
  EXPECT_TRUE(device_plugin_warnings(settings_for(sharing_method::time_slicing, 100)).empty());
}

TEST(K8sDevicePlugin, ConfigMapHoldsTheSameConfigUnderItsKey) {
  const device_plugin_settings settings = settings_for(sharing_method::time_slicing, 8);
  const configmap_target target{"gpushare-sharing", "gpu-operator", "any"};
  const YAML::Node map = YAML::Load(device_plugin_configmap_yaml(settings, target));

  EXPECT_EQ(map["apiVersion"].as<std::string>(), "v1");
  EXPECT_EQ(map["kind"].as<std::string>(), "ConfigMap");
  EXPECT_EQ(map["metadata"]["name"].as<std::string>(), "gpushare-sharing");
  EXPECT_EQ(map["metadata"]["namespace"].as<std::string>(), "gpu-operator");
  ASSERT_TRUE(map["data"].IsMap());
  EXPECT_EQ(map["data"].size(), 1u);
  const std::string embedded = map["data"]["any"].as<std::string>();
  EXPECT_EQ(embedded, device_plugin_config_yaml(settings)) << "the literal block is the file";
  EXPECT_EQ(YAML::Load(embedded)["sharing"]["timeSlicing"]["resources"][0]["replicas"].as<int>(),
            8);
}

TEST(K8sDevicePlugin, ConfigMapNamesMustBeKubernetesNames) {
  const device_plugin_settings settings = settings_for(sharing_method::time_slicing, 2);
  EXPECT_THROW((void)device_plugin_configmap_yaml(settings, {"Bad_Name", "default", "config"}),
               usage_error);
  EXPECT_THROW((void)device_plugin_configmap_yaml(settings, {"ok", "bad.namespace", "config"}),
               usage_error);
  EXPECT_THROW((void)device_plugin_configmap_yaml(settings, {"ok", "default", "bad key"}),
               usage_error);
  EXPECT_NO_THROW((void)device_plugin_configmap_yaml(settings, {"a.b-c", "kube-system", "c.y"}));
}

} // namespace
} // namespace gpushare::k8s
