// `mig instances` and `--gpu live` through the real binary, against the nvidia-smi stand-in
// that plays back outputs recorded on an A100-SXM4-40GB.

#include "run_binary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

namespace gpushare::test {
namespace {

using ::testing::HasSubstr;

const std::string standin = std::string(GPUSHARE_SOURCE_DIR) + "/tests/fixtures/nvidia-smi-standin";
const std::map<std::string, std::string> recorded_a100{
    {"GPUSHARE_SMI_FIXTURES", std::string(GPUSHARE_SOURCE_DIR) + "/tests/fixtures/nvidia-smi"}};

TEST(MigLiveCli, InstancesListsEveryMigDeviceWithItsUuid) {
  const binary_run run = run_gpushare({"mig", "instances", "--nvidia-smi", standin}, recorded_a100);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("NVIDIA A100-SXM4-40GB"));
  // The four devices of the recorded `nvidia-smi -L`, each on its line with its profile.
  for (const char* line : {"4g.20gb     MIG-c42101f0-a1fa-5b68-8908-7c5c887f28bd",
                           "1c.2g.10gb  MIG-8970491e-16e0-5140-9f8f-d561baa3c186",
                           "1c.2g.10gb  MIG-239565ce-30e3-52d7-8197-5630d3ce21fa",
                           "1g.5gb      MIG-20301a31-77fa-59ec-b0b8-7ef543821f29"}) {
    EXPECT_THAT(run.out, HasSubstr(line));
  }
}

TEST(MigLiveCli, InstancesOnAGpuWithoutMigSaysHowToEnableIt) {
  // The stand-in changes the recorded MIG mode only when it models state.
  const std::string state = (std::filesystem::temp_directory_path() /
                             ("gpushare-smi-state-" + std::to_string(getpid()) + ".json"))
                                .string();
  auto environment = recorded_a100;
  environment["GPUSHARE_SMI_STATE"] = state;
  environment["GPUSHARE_SMI_MIG_MODE"] = "Disabled,Disabled";
  const binary_run run = run_gpushare({"mig", "instances", "--nvidia-smi", standin}, environment);
  std::filesystem::remove(state);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("nvidia-smi -i 0 -mig 1"));
}

TEST(MigLiveCli, LiveProfileTableWinsAndSaysSo) {
  const binary_run run =
      run_gpushare({"mig", "profiles", "--gpu", "live", "--nvidia-smi", standin}, recorded_a100);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("the GPU's live table"));
  // The recorded -lgip: profile 1g.5gb has ID 19 and 14 SMs on this A100.
  EXPECT_THAT(run.out, HasSubstr("1g.5gb     19  1        4.75 GiB   1              14"));
}

TEST(MigLiveCli, ValidateAgainstTheLiveTable) {
  const binary_run fits = run_gpushare({"mig", "validate", "--gpu", "live", "--nvidia-smi", standin,
                                        "--geometry", "3g.20gb,2g.10gb,2g.10gb"},
                                       recorded_a100);
  EXPECT_EQ(fits.exit_code, 0) << fits.err;
  const binary_run too_many = run_gpushare(
      {"mig", "validate", "--gpu", "live", "--nvidia-smi", standin, "--geometry", "2x4g.20gb"},
      recorded_a100);
  EXPECT_EQ(too_many.exit_code, 1) << too_many.err;
}

} // namespace
} // namespace gpushare::test
