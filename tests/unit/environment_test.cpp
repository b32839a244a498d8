#include "common/error.hpp"
#include "harness/environment.hpp"
#include "harness/nvml_library.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gpushare {
namespace {

using ::testing::HasSubstr;

TEST(Environment, MissingDriverIsReportedWithWhatToDo) {
  environment_options options;
  options.cuda_driver_library = "libcuda-that-does-not-exist.so.1";
  const environment_info environment = capture_environment(options);
  EXPECT_FALSE(environment.cuda_available);
  EXPECT_TRUE(environment.gpus.empty());
  EXPECT_THAT(environment.unavailable_reason, HasSubstr("no NVIDIA driver found"));
  EXPECT_THAT(environment.unavailable_reason, HasSubstr("libcuda-that-does-not-exist.so.1"));
  EXPECT_THAT(environment.unavailable_reason, HasSubstr("install the NVIDIA driver"));
  EXPECT_GT(environment.cuda_runtime_version, 0) << "the runtime is linked in, so it knows itself";

  try {
    require_cuda_device(environment, 0);
    FAIL() << "no exception";
  } catch (const environment_error& failure) {
    EXPECT_EQ(failure.code(), exit_code::usage);
    EXPECT_EQ(std::string(failure.what()), environment.unavailable_reason);
  }
}

TEST(Environment, DeviceOutsideTheFoundOnesIsAUsageError) {
  environment_info environment;
  environment.cuda_available = true;
  environment.gpus.resize(1);
  EXPECT_NO_THROW(require_cuda_device(environment, 0));
  try {
    require_cuda_device(environment, 1);
    FAIL() << "no exception";
  } catch (const usage_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("--device 1"));
    EXPECT_THAT(failure.what(), HasSubstr("1 CUDA device (valid: 0..0)"));
  }
}

TEST(Environment, UuidIsFormattedLikeNvidiaSmi) {
  const unsigned char bytes[16] = {0x8e, 0x3f, 0x0a, 0x51, 0x12, 0x34, 0xab, 0xcd,
                                   0x00, 0x01, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54};
  EXPECT_EQ(format_gpu_uuid(bytes), "GPU-8e3f0a51-1234-abcd-0001-fedcba987654");
}

TEST(Environment, HostIsDescribed) {
  const host_info host = capture_host();
  EXPECT_FALSE(host.hostname.empty());
  EXPECT_THAT(host.os, HasSubstr("Linux"));
  EXPECT_GT(host.cpu_count, 0u);
}

TEST(NvmlLibrary, MissingLibraryIsExplained) {
  const nvml_library nvml = nvml_library::open("libnvidia-ml-that-does-not-exist.so.1");
  EXPECT_FALSE(nvml.usable());
  EXPECT_THAT(nvml.error(), HasSubstr("libnvidia-ml-that-does-not-exist.so.1 could not be loaded"));
  std::string why;
  EXPECT_FALSE(nvml.driver_version(&why).has_value());
  EXPECT_EQ(why, nvml.error());
  const mig_query mig = nvml.mig_mode("GPU-00000000-0000-0000-0000-000000000000");
  EXPECT_FALSE(mig.mode.has_value());
  EXPECT_FALSE(mig.not_supported);
  EXPECT_EQ(mig.error, nvml.error());
}

TEST(NvmlLibrary, ALibraryThatIsNotNvmlIsRefusedByItsMissingSymbol) {
  const nvml_library nvml = nvml_library::open("libc.so.6");
  EXPECT_FALSE(nvml.usable());
  EXPECT_THAT(nvml.error(), HasSubstr("lacks the symbol nvmlInit_v2"));
}

} // namespace
} // namespace gpushare
