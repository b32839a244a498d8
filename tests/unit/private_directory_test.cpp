#include "common/error.hpp"
#include "harness/private_directory.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

namespace gpushare {
namespace {

namespace fs = std::filesystem;

TEST(PrivateDirectory, IsOwnerOnlyWithItsSubdirectoriesAndGoesAwayWithItsContents) {
  std::string path;
  {
    const scoped_private_directory directory(fs::temp_directory_path().string(), "gs-pd-");
    path = directory.path();
    struct stat info {};
    ASSERT_EQ(stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700u);
    std::ofstream(fs::path(path) / "tenant-0.stderr") << "left by a tenant";
  }
  EXPECT_FALSE(fs::exists(path));

  const std::string made =
      make_private_directory(fs::temp_directory_path().string(), "gs-pd-", {"pipe", "log"});
  struct stat pipe_info {};
  ASSERT_EQ(stat((fs::path(made) / "pipe").c_str(), &pipe_info), 0);
  EXPECT_EQ(pipe_info.st_mode & 0777, 0700u);
  EXPECT_TRUE(fs::is_directory(fs::path(made) / "log"));
  fs::remove_all(made);
}

TEST(PrivateDirectory, AMissingParentIsAnEnvironmentError) {
  EXPECT_THROW((void)make_private_directory("/nonexistent-gpushare-parent", "x-"),
               environment_error);
}

} // namespace
} // namespace gpushare
