// The mig-parted config read back with yaml-cpp against the layout of NVIDIA/mig-parted's
// examples (version v1, mig-configs, devices / mig-enabled / mig-devices), and the geometry
// check that runs before anything is emitted.

#include "common/error.hpp"
#include "k8s/mig_parted_config.hpp"
#include "mig/geometry.hpp"
#include "mig/profile_catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

namespace gpushare::k8s {
namespace {

using ::testing::HasSubstr;

TEST(K8sMigParted, ConfigHasTheLayoutAndAllDisabled) {
  mig_parted_settings settings;
  settings.config_name = "balanced";
  settings.mig_devices = {{"3g.40gb", 1}, {"2g.20gb", 2}};
  const YAML::Node config = YAML::Load(mig_parted_config_yaml(settings));

  EXPECT_EQ(config["version"].as<std::string>(), "v1");
  const YAML::Node configs = config["mig-configs"];
  ASSERT_TRUE(configs.IsMap());
  EXPECT_EQ(configs.size(), 2u);

  const YAML::Node disabled = configs["all-disabled"];
  ASSERT_TRUE(disabled.IsSequence());
  ASSERT_EQ(disabled.size(), 1u);
  EXPECT_EQ(disabled[0]["devices"].as<std::string>(), "all");
  EXPECT_FALSE(disabled[0]["mig-enabled"].as<bool>());
  EXPECT_FALSE(disabled[0]["mig-devices"]);

  const YAML::Node layout = configs["balanced"];
  ASSERT_TRUE(layout.IsSequence());
  ASSERT_EQ(layout.size(), 1u);
  EXPECT_EQ(layout[0]["devices"].as<std::string>(), "all");
  EXPECT_TRUE(layout[0]["mig-enabled"].as<bool>());
  const YAML::Node devices = layout[0]["mig-devices"];
  ASSERT_TRUE(devices.IsMap());
  EXPECT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices["3g.40gb"].as<int>(), 1);
  EXPECT_EQ(devices["2g.20gb"].as<int>(), 2);
}

TEST(K8sMigParted, ProfileNamesAreQuotedStrings) {
  mig_parted_settings settings;
  settings.config_name = "small";
  settings.mig_devices = {{"1g.10gb", 7}};
  EXPECT_THAT(mig_parted_config_yaml(settings), HasSubstr("\"1g.10gb\": 7"));
}

TEST(K8sMigParted, CommentsSayHowToApplyIt) {
  mig_parted_settings settings;
  settings.config_name = "small";
  settings.mig_devices = {{"1g.10gb", 7}};
  settings.notes = {"checked against a catalog"};
  const std::string text = mig_parted_config_yaml(settings);
  EXPECT_THAT(text, HasSubstr("nvidia-mig-parted apply -f FILE -c small"));
  EXPECT_THAT(text, HasSubstr("nvidia.com/mig.config=small"));
  EXPECT_THAT(text, HasSubstr("# checked against a catalog\n"));
}

TEST(K8sMigParted, DefaultNameSaysWhatTheLayoutIs) {
  EXPECT_EQ(default_mig_config_name(count_profiles({"3g.40gb", "2g.20gb", "2g.20gb"})),
            "gpushare-2x2g.20gb-3g.40gb");
  EXPECT_EQ(default_mig_config_name({{"1g.10gb+me", 1}}), "gpushare-1g.10gb.me");
  const std::map<std::string, int> many{{"1g.10gb", 1},   {"1g.20gb", 1}, {"2g.20gb", 1},
                                        {"3g.40gb", 1},   {"4g.40gb", 1}, {"7g.80gb", 1},
                                        {"1g.10gb+me", 1}};
  EXPECT_EQ(default_mig_config_name(many), "gpushare-custom");
}

TEST(K8sMigParted, NamesMustBeLabelValues) {
  for (const char* bad : {"", "all-disabled", "has space", "-leading", "trailing.", "a+b"}) {
    EXPECT_THROW(check_mig_config_name(bad), usage_error) << bad;
  }
  EXPECT_THROW(check_mig_config_name(std::string(64, 'a')), usage_error);
  EXPECT_NO_THROW(check_mig_config_name(std::string(63, 'a')));
  EXPECT_NO_THROW(check_mig_config_name("all-3g.40gb_v2"));
}

TEST(K8sMigParted, EmptyOrZeroCountsAreRefused) {
  mig_parted_settings settings;
  settings.config_name = "empty";
  EXPECT_THROW((void)mig_parted_config_yaml(settings), usage_error);
  settings.mig_devices = {{"1g.10gb", 0}};
  EXPECT_THROW((void)mig_parted_config_yaml(settings), usage_error);
}

TEST(K8sMigParted, GeometryIsCheckedAgainstTheCatalog) {
  const checked_geometry seven = check_geometry("A100-80GB", "7x1g.10gb");
  EXPECT_EQ(seven.board, "A100-80GB");
  EXPECT_EQ(seven.mig_devices, (std::map<std::string, int>{{"1g.10gb", 7}}));
  EXPECT_FALSE(seven.placements.empty());

  const checked_geometry halves = check_geometry("NVIDIA A100-SXM4-80GB", "3g.40gb, 3g.40gb");
  EXPECT_EQ(halves.mig_devices, (std::map<std::string, int>{{"3g.40gb", 2}}));
}

TEST(K8sMigParted, GeometryThatDoesNotFitIsACheckFailure) {
  try {
    (void)check_geometry("A100-80GB", "4g.40gb,4g.40gb");
    FAIL() << "two 4g instances accepted";
  } catch (const check_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("does not fit a A100-80GB"));
  }
}

TEST(K8sMigParted, UnknownBoardOrProfileIsAUsageError) {
  EXPECT_THROW((void)check_geometry("GeForce-RTX-4090", "1g.10gb"), usage_error);
  EXPECT_THROW((void)check_geometry("A100-80GB", "1g.5gb"), usage_error);
  EXPECT_THROW((void)check_geometry("A100-80GB", ""), usage_error);
}

TEST(K8sMigParted, APlanGivesEachGpuIndexItsLayout) {
  // 10 x 8 GiB take 1g.10gb instances and 2 x 30 GiB take 3g.40gb on an A100-80GB: a GPU holds
  // 3g.40gb + 4 x 1g.10gb (7 compute slices), so the plan needs 3 GPUs and two layouts.
  std::vector<std::string> notes;
  mig_parted_settings settings;
  settings.config_name = "planned";
  settings.groups = groups_from_plan("A100-80GB", {"8GiB:10", "30GiB:2"}, notes);
  const YAML::Node layout = YAML::Load(mig_parted_config_yaml(settings))["mig-configs"]["planned"];
  ASSERT_TRUE(layout.IsSequence());
  int gpus = 0;
  int small = 0;
  int large = 0;
  for (const YAML::Node& entry : layout) {
    ASSERT_TRUE(entry["devices"].IsSequence()) << "a plan names GPU indices, not 'all'";
    EXPECT_TRUE(entry["mig-enabled"].as<bool>());
    const auto count = static_cast<int>(entry["devices"].size());
    gpus += count;
    std::vector<std::string> profiles;
    for (const auto& device : entry["mig-devices"]) {
      const auto profile = device.first.as<std::string>();
      const int instances = device.second.as<int>();
      small += profile == "1g.10gb" ? instances * count : 0;
      large += profile == "3g.40gb" ? instances * count : 0;
      profiles.insert(profiles.end(), static_cast<std::size_t>(instances), profile);
    }
    EXPECT_TRUE(mig::validate_geometry(mig::find_board("A100-80GB"), profiles).valid);
  }
  EXPECT_EQ(gpus, 3);
  EXPECT_GE(small, 10);
  EXPECT_GE(large, 2);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_THAT(notes.front(), HasSubstr("12 workloads on 3 GPUs"));
}

} // namespace
} // namespace gpushare::k8s
