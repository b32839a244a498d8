// Which device NVML calls a CUDA device: on a MIG-enabled GPU CUDA may run on a MIG instance,
// whose 16 uuid bytes NVML knows only with the "MIG-" prefix. A stand-in NVML
// (tests/fake_nvml) shows such a GPU, which no machine without a driver can.

#include "harness/environment.hpp"
#include "harness/nvml_library.hpp"
#include "report/json_reader.hpp"
#include "report/json_records.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gpushare {
namespace {

using ::testing::HasSubstr;

constexpr const char* gpu_in_mig_mode = "GPU-11111111-2222-3333-4444-555555555555";
constexpr const char* instance = "MIG-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
// CUDA's bytes of that instance, written the way format_gpu_uuid writes every device.
constexpr const char* instance_as_cuda_writes_it = "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
constexpr const char* gpu_without_mig = "GPU-99999999-8888-7777-6666-555555555555";

nvml_library fake_nvml() {
  nvml_library nvml = nvml_library::open(GPUSHARE_FAKE_NVML_PATH);
  EXPECT_TRUE(nvml.usable()) << nvml.error();
  return nvml;
}

TEST(NvmlIdentity, AWholeGpuIsItself) {
  const nvml_library nvml = fake_nvml();
  const nvml_identity identity = nvml.identify(gpu_without_mig);
  EXPECT_EQ(identity.uuid, gpu_without_mig);
  EXPECT_EQ(identity.gpu_uuid, gpu_without_mig);
  EXPECT_EQ(identity.error, "");
}

TEST(NvmlIdentity, AMigInstanceIsFoundWithItsPrefixAndItsGpu) {
  const nvml_library nvml = fake_nvml();
  const nvml_identity identity = nvml.identify(instance_as_cuda_writes_it);
  EXPECT_EQ(identity.uuid, instance);
  EXPECT_EQ(identity.gpu_uuid, gpu_in_mig_mode);
  EXPECT_EQ(identity.error, "");
  EXPECT_EQ(nvml.identify(instance).uuid, instance) << "either prefix names the same bytes";
}

TEST(NvmlIdentity, AnUnknownDeviceSaysWhyBothWays) {
  const nvml_library nvml = fake_nvml();
  const nvml_identity identity = nvml.identify("GPU-00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(identity.uuid, "");
  EXPECT_THAT(identity.error, HasSubstr("nvmlDeviceGetHandleByUUID(GPU-00000000"));
  EXPECT_THAT(identity.error, HasSubstr("nvmlDeviceGetHandleByUUID(MIG-00000000"));
}

TEST(NvmlIdentity, ACudaDeviceOnAMigInstanceIsRecordedAsOne) {
  const nvml_library nvml = fake_nvml();
  gpu_info gpu;
  gpu.uuid = instance_as_cuda_writes_it;
  describe_with_nvml(gpu, nvml);
  // CUDA_VISIBLE_DEVICES and a private MPS daemon take the instance's uuid; NVML, telemetry
  // and the MIG mode speak of its GPU.
  EXPECT_EQ(gpu.uuid, instance);
  EXPECT_EQ(gpu.mig_parent_uuid, gpu_in_mig_mode);
  EXPECT_EQ(whole_gpu_uuid(gpu), gpu_in_mig_mode);
  EXPECT_EQ(gpu.mig_mode, "enabled");
  EXPECT_THAT(gpu.mig_detail, HasSubstr(std::string("MIG instance ") + instance));
  ASSERT_TRUE(gpu.nvml.has_value());
  EXPECT_EQ(gpu.nvml->name, "Fake GPU in MIG mode");

  // And it survives the report.
  environment_info environment;
  environment.gpus = {gpu};
  const environment_info read =
      report::environment_from_json(report::environment_to_json(environment), "environment");
  ASSERT_EQ(read.gpus.size(), 1u);
  EXPECT_EQ(read.gpus[0].uuid, instance);
  EXPECT_EQ(read.gpus[0].mig_parent_uuid, gpu_in_mig_mode);
}

TEST(NvmlIdentity, AWholeGpuKeepsItsUuidAndItsOwnMigMode) {
  const nvml_library nvml = fake_nvml();
  gpu_info gpu;
  gpu.uuid = gpu_without_mig;
  describe_with_nvml(gpu, nvml);
  EXPECT_EQ(gpu.uuid, gpu_without_mig);
  EXPECT_EQ(gpu.mig_parent_uuid, "");
  EXPECT_EQ(whole_gpu_uuid(gpu), gpu_without_mig);
  EXPECT_EQ(gpu.mig_mode, "disabled");
  ASSERT_TRUE(gpu.nvml.has_value());
  EXPECT_EQ(gpu.nvml->name, "Fake GPU");

  gpu_info unknown;
  unknown.uuid = "GPU-00000000-0000-0000-0000-000000000000";
  describe_with_nvml(unknown, nvml);
  EXPECT_EQ(unknown.uuid, "GPU-00000000-0000-0000-0000-000000000000") << "kept as CUDA gave it";
  EXPECT_EQ(unknown.mig_mode, "unknown");
  EXPECT_THAT(unknown.mig_detail, HasSubstr("neither as a GPU"));
}

TEST(NvmlIdentity, WhichUuidTelemetryAndNvidiaSmiAreGiven) {
  gpu_info instance_of_known_gpu;
  instance_of_known_gpu.uuid = instance;
  instance_of_known_gpu.mig_mode = "enabled";
  instance_of_known_gpu.mig_parent_uuid = gpu_in_mig_mode;
  EXPECT_EQ(whole_gpu_uuid(instance_of_known_gpu), gpu_in_mig_mode);
  EXPECT_EQ(comparable_gpu_uuid(instance_of_known_gpu), gpu_in_mig_mode);

  gpu_info instance_of_unknown_gpu = instance_of_known_gpu;
  instance_of_unknown_gpu.mig_parent_uuid.clear();
  EXPECT_EQ(whole_gpu_uuid(instance_of_unknown_gpu), "") << "a MIG device has no counters";
  EXPECT_EQ(comparable_gpu_uuid(instance_of_unknown_gpu), "");

  gpu_info whole;
  whole.uuid = gpu_without_mig;
  whole.mig_mode = "disabled";
  EXPECT_EQ(whole_gpu_uuid(whole), gpu_without_mig);
  EXPECT_EQ(comparable_gpu_uuid(whole), gpu_without_mig);
  whole.mig_mode = "unknown"; // without NVML the bytes might be a MIG instance's
  EXPECT_EQ(whole_gpu_uuid(whole), gpu_without_mig);
  EXPECT_EQ(comparable_gpu_uuid(whole), "");
}

} // namespace
} // namespace gpushare
