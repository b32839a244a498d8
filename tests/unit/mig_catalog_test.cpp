// The built-in MIG catalog against NVIDIA's MIG user guide ("Supported MIG Profiles" and the
// `nvidia-smi mig -lgip` / `-lgipp` listings named in mig/profile_catalog.cpp). The expected
// values are written here the way those documents print them, not copied from the catalog.

#include "common/error.hpp"
#include "mig/profile_catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace gpushare::test {
namespace {

using ::testing::HasSubstr;

/// One profile as the guide's table and `-lgip` / `-lgipp` print it. -1 / "?" = not documented.
struct documented_profile {
  std::string name;
  int id;
  int compute_slices;
  double gib; ///< the Memory column of -lgip
  int sms;
  int max_count;          ///< "Number of Instances Available"
  std::string placements; ///< as -lgipp prints them
};

/// Renders the catalog's placements the way `nvidia-smi mig -lgipp` does, on its own, so a
/// mistake in the catalog's formatter cannot hide a mistake in its data.
std::string lgipp_text(const mig::gpu_instance_profile& profile) {
  std::string starts;
  for (const auto& p : profile.placements) {
    starts += (starts.empty() ? "" : ",") + std::to_string(p.start);
    EXPECT_EQ(p.size, profile.memory_slices) << profile.name;
  }
  return "{" + starts + "}:" + std::to_string(profile.memory_slices);
}

void expect_board(const std::string& model, int compute_slices, int memory_slices,
                  const std::vector<documented_profile>& documented) {
  SCOPED_TRACE(model);
  const auto& board = mig::find_board(model);
  EXPECT_EQ(board.model, model);
  EXPECT_EQ(board.compute_slices, compute_slices);
  EXPECT_EQ(board.memory_slices, memory_slices);
  EXPECT_THAT(board.source, HasSubstr("Supported MIG Profiles"));
  ASSERT_EQ(board.profiles.size(), documented.size());
  for (std::size_t i = 0; i < documented.size(); ++i) {
    const auto& want = documented[i];
    const auto& got = board.profiles[i];
    SCOPED_TRACE(want.name);
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.compute_slices, want.compute_slices);
    EXPECT_EQ(got.max_instances, want.max_count);
    EXPECT_EQ(lgipp_text(got), want.placements);
    EXPECT_EQ(got.media_extensions, want.name.find("+me") != std::string::npos);
    if (want.gib < 0) {
      EXPECT_EQ(got.memory_mib, 0u) << "memory is not documented and must stay unknown";
    } else {
      EXPECT_NEAR(static_cast<double>(got.memory_mib) / 1024.0, want.gib, 0.005);
    }
    if (want.sms < 0) {
      EXPECT_FALSE(got.sm_count.has_value());
    } else {
      ASSERT_TRUE(got.sm_count.has_value());
      EXPECT_EQ(*got.sm_count, want.sms);
    }
    for (const auto& p : got.placements) {
      EXPECT_GE(p.start, 0);
      EXPECT_LE(p.start + p.size, board.memory_slices);
    }
  }
}

TEST(MigCatalog, ListsTheSevenBoardsOfTheGuide) {
  std::vector<std::string> models;
  for (const auto& board : mig::builtin_boards()) {
    models.push_back(board.model);
  }
  EXPECT_EQ(models, (std::vector<std::string>{"A30-24GB", "A100-40GB", "A100-80GB", "H100-80GB",
                                              "H100-94GB", "H200-141GB", "B200"}));
}

TEST(MigCatalog, A30MatchesTheGuide) {
  expect_board("A30-24GB", 4, 4,
               {{"1g.6gb", 14, 1, 5.81, 14, 4, "{0,1,2,3}:1"},
                {"1g.6gb+me", 21, 1, 5.81, 14, 1, "{0,1,2,3}:1"},
                {"2g.12gb", 5, 2, 11.69, 28, 2, "{0,2}:2"},
                {"2g.12gb+me", 6, 2, 11.69, 28, 1, "{0,2}:2"},
                {"4g.24gb", 0, 4, 23.44, 56, 1, "{0}:4"}});
}

TEST(MigCatalog, A100With40GBMatchesTheGuide) {
  expect_board("A100-40GB", 7, 8,
               {{"1g.5gb", 19, 1, 4.75, 14, 7, "{0,1,2,3,4,5,6}:1"},
                {"1g.5gb+me", 20, 1, 4.75, 14, 1, "{0,1,2,3,4,5,6}:1"},
                {"1g.10gb", 15, 1, 9.62, 14, 4, "{0,2,4,6}:2"},
                {"2g.10gb", 14, 2, 9.62, 28, 3, "{0,2,4}:2"},
                {"3g.20gb", 9, 3, 19.50, 42, 2, "{0,4}:4"},
                {"4g.20gb", 5, 4, 19.50, 56, 1, "{0}:4"},
                {"7g.40gb", 0, 7, 39.25, 98, 1, "{0}:8"}});
}

TEST(MigCatalog, A100With80GBMatchesTheGuide) {
  expect_board("A100-80GB", 7, 8,
               {{"1g.10gb", 19, 1, 9.50, 14, 7, "{0,1,2,3,4,5,6}:1"},
                {"1g.10gb+me", 20, 1, 9.50, 14, 1, "{0,1,2,3,4,5,6}:1"},
                {"1g.20gb", 15, 1, 19.50, 14, 4, "{0,2,4,6}:2"},
                {"2g.20gb", 14, 2, 19.50, 28, 3, "{0,2,4}:2"},
                {"3g.40gb", 9, 3, 39.25, 42, 2, "{0,4}:4"},
                {"4g.40gb", 5, 4, 39.25, 56, 1, "{0}:4"},
                {"7g.80gb", 0, 7, 79.00, 98, 1, "{0}:8"}});
}

TEST(MigCatalog, H100With80GBMatchesTheGuide) {
  expect_board("H100-80GB", 7, 8,
               {{"1g.10gb", 19, 1, 9.75, 16, 7, "{0,1,2,3,4,5,6}:1"},
                {"1g.10gb+me", 20, 1, 9.75, 16, 1, "{0,1,2,3,4,5,6}:1"},
                {"1g.20gb", 15, 1, 19.62, 26, 4, "{0,2,4,6}:2"},
                {"2g.20gb", 14, 2, 19.62, 32, 3, "{0,2,4}:2"},
                {"3g.40gb", 9, 3, 39.50, 60, 2, "{0,4}:4"},
                {"4g.40gb", 5, 4, 39.50, 64, 1, "{0}:4"},
                {"7g.80gb", 0, 7, 79.25, 132, 1, "{0}:8"}});
}

TEST(MigCatalog, H100With94GBMatchesTheGuide) {
  expect_board("H100-94GB", 7, 8,
               {{"1g.12gb", 19, 1, 10.75, 16, 7, "{0,1,2,3,4,5,6}:1"},
                {"1g.12gb+me", 20, 1, 10.75, 16, 1, "{0,1,2,3,4,5,6}:1"},
                {"1g.24gb", 15, 1, 21.62, 26, 4, "{0,2,4,6}:2"},
                {"2g.24gb", 14, 2, 21.62, 32, 3, "{0,2,4}:2"},
                {"3g.47gb", 9, 3, 46.38, 60, 2, "{0,4}:4"},
                {"4g.47gb", 5, 4, 46.38, 64, 1, "{0}:4"},
                {"7g.94gb", 0, 7, 93.12, 132, 1, "{0}:8"}});
}

TEST(MigCatalog, H200MatchesTheGuide) {
  expect_board("H200-141GB", 7, 8,
               {{"1g.18gb", 19, 1, 16.00, 16, 7, "{0,1,2,3,4,5,6}:1"},
                {"1g.18gb+me", 20, 1, 16.00, 16, 1, "{0,1,2,3,4,5,6}:1"},
                {"1g.35gb", 15, 1, 32.25, 26, 4, "{0,2,4,6}:2"},
                {"2g.35gb", 14, 2, 32.25, 32, 3, "{0,2,4}:2"},
                {"3g.71gb", 9, 3, 69.50, 60, 2, "{0,4}:4"},
                {"4g.71gb", 5, 4, 69.50, 64, 1, "{0}:4"},
                {"7g.141gb", 0, 7, 139.75, 132, 1, "{0}:8"}});
}

TEST(MigCatalog, B200MatchesTheGuideAndLeavesUndocumentedFiguresUnknown) {
  expect_board("B200", 7, 8,
               {{"1g.23gb", 19, 1, 20.50, 18, 7, "{0,1,2,3,4,5,6}:1"},
                {"1g.23gb+me", 20, 1, 20.50, 18, 1, "{0,1,2,3,4,5,6}:1"},
                {"1g.45gb", 15, 1, 44.25, 30, 4, "{0,2,4,6}:2"},
                {"2g.45gb", 14, 2, 44.25, 36, 3, "{0,2,4}:2"},
                {"3g.90gb", -1, 3, -1, -1, 2, "{0,4}:4"},
                {"4g.90gb", -1, 4, -1, -1, 1, "{0}:4"},
                {"7g.180gb", -1, 7, -1, -1, 1, "{0}:8"}});
}

TEST(MigCatalog, DeducedPlacementsAreMarkedAndExplained) {
  for (const auto& board : mig::builtin_boards()) {
    SCOPED_TRACE(board.model);
    const bool deduced = board.model == "H200-141GB" || board.model == "B200";
    for (const auto& profile : board.profiles) {
      EXPECT_EQ(profile.placements_inferred, deduced) << profile.name;
    }
    EXPECT_EQ(!board.caveats.empty(), deduced);
  }
}

TEST(MigCatalog, FindsBoardsByKeyInAnyCaseAndByDriverProductName) {
  EXPECT_EQ(mig::find_board("a100-40gb").model, "A100-40GB");
  EXPECT_EQ(mig::find_board(" A100_80GB ").model, "A100-80GB");
  EXPECT_EQ(mig::find_board("h200-141gb").model, "H200-141GB");
  EXPECT_EQ(mig::find_board("NVIDIA A100-SXM4-40GB").model, "A100-40GB");
  EXPECT_EQ(mig::find_board("NVIDIA A100-SXM4-80GB").model, "A100-80GB");
  EXPECT_EQ(mig::find_board("NVIDIA H100 80GB HBM3").model, "H100-80GB");
  EXPECT_EQ(mig::find_board("NVIDIA H100 NVL").model, "H100-94GB");
  EXPECT_EQ(mig::find_board("NVIDIA H200").model, "H200-141GB");
  EXPECT_EQ(mig::find_board("NVIDIA B200").model, "B200");
  EXPECT_EQ(mig::find_board("NVIDIA A30").model, "A30-24GB");
  // A MIG device reports its parent's name followed by its profile.
  EXPECT_EQ(mig::find_board("NVIDIA A100-SXM4-40GB MIG 1g.5gb").model, "A100-40GB");
}

TEST(MigCatalog, UnknownBoardIsAUsageErrorListingTheKnownOnes) {
  try {
    (void)mig::find_board("NVIDIA T4");
    FAIL() << "a T4 has no MIG";
  } catch (const usage_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("NVIDIA T4"));
    for (const char* model :
         {"A30-24GB", "A100-40GB", "A100-80GB", "H100-80GB", "H100-94GB", "H200-141GB", "B200"}) {
      EXPECT_THAT(error.what(), HasSubstr(model));
    }
  }
  EXPECT_THROW((void)mig::find_board(""), usage_error);
}

TEST(MigCatalog, FindsProfilesByNameOrId) {
  const auto& board = mig::find_board("A100-40GB");
  EXPECT_EQ(mig::find_profile(board, "3g.20gb").id, 9);
  EXPECT_EQ(mig::find_profile(board, "MIG 3G.20GB").name, "3g.20gb");
  EXPECT_EQ(mig::find_profile(board, "9").name, "3g.20gb");
  EXPECT_EQ(mig::find_profile(board, "20").name, "1g.5gb+me");
  EXPECT_EQ(mig::find_profile(board, "0").name, "7g.40gb");
  try {
    (void)mig::find_profile(board, "1g.10gb+me");
    FAIL() << "the A100-40GB has no 1g.10gb+me";
  } catch (const usage_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("1g.10gb+me"));
    EXPECT_THAT(error.what(), HasSubstr("1g.5gb (ID 19)"));
  }
  EXPECT_THROW((void)mig::find_profile(board, "42"), usage_error);
  // An unknown ID must not match a profile whose ID is unknown.
  EXPECT_THROW((void)mig::find_profile(mig::find_board("B200"), "-1"), usage_error);
}

} // namespace
} // namespace gpushare::test
