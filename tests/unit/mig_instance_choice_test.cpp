// Which existing MIG instances the isolation mode puts its aggressors and its victim on.

#include "cli/mig_mode.hpp"

#include <gtest/gtest.h>

namespace gpushare::cli {
namespace {

mig_instance_record instance(const std::string& uuid, int gpu_instance, int compute_instance) {
  mig_instance_record record;
  record.uuid = uuid;
  record.gpu_instance_id = gpu_instance;
  record.compute_instance_id = compute_instance;
  return record;
}

TEST(MigInstanceChoice, TheFirstTwoSitInDifferentGpuInstances) {
  // As nvidia-smi -L lists a 4g.40gb split into two compute instances, then a 3g.40gb.
  std::vector<mig_instance_record> instances{instance("MIG-a", 1, 0), instance("MIG-b", 1, 1),
                                             instance("MIG-c", 2, 0)};
  ASSERT_TRUE(separate_gpu_instances_first(instances));
  EXPECT_EQ(instances[0].uuid, "MIG-a");
  EXPECT_EQ(instances[1].uuid, "MIG-c") << "MIG-b shares MIG-a's memory";
  EXPECT_EQ(instances.size(), 3u);
}

TEST(MigInstanceChoice, AlreadySeparateInstancesStayInOrder) {
  std::vector<mig_instance_record> instances{instance("MIG-a", 1, 0), instance("MIG-b", 2, 0)};
  ASSERT_TRUE(separate_gpu_instances_first(instances));
  EXPECT_EQ(instances[0].uuid, "MIG-a");
  EXPECT_EQ(instances[1].uuid, "MIG-b");
}

TEST(MigInstanceChoice, ComputeInstancesOfOneGpuInstanceAreNoPair) {
  std::vector<mig_instance_record> instances{instance("MIG-a", 7, 0), instance("MIG-b", 7, 1),
                                             instance("MIG-c", 7, 2)};
  EXPECT_FALSE(separate_gpu_instances_first(instances));
  EXPECT_EQ(instances[1].uuid, "MIG-b") << "left as it was";
  std::vector<mig_instance_record> one{instance("MIG-a", 1, 0)};
  EXPECT_FALSE(separate_gpu_instances_first(one));
}

TEST(MigInstanceChoice, UnknownGpuInstanceIdsProveNothing) {
  std::vector<mig_instance_record> unknown{instance("MIG-a", -1, 0), instance("MIG-b", 2, 0)};
  EXPECT_FALSE(separate_gpu_instances_first(unknown));
  std::vector<mig_instance_record> partly{instance("MIG-a", 1, 0), instance("MIG-b", -1, 0),
                                          instance("MIG-c", 3, 0)};
  ASSERT_TRUE(separate_gpu_instances_first(partly));
  EXPECT_EQ(partly[1].uuid, "MIG-c") << "MIG-b might be in MIG-a's GPU instance";
}

} // namespace
} // namespace gpushare::cli
