// Geometry parsing and validation: counts, slice totals and the exhaustive placement search,
// including geometries that a greedy left-to-right fill wrongly rejects.

#include "common/error.hpp"
#include "mig/geometry.hpp"
#include "mig/profile_catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gpushare::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const mig::board_catalog& a100() {
  return mig::find_board("A100-40GB");
}

std::uint64_t slots(const mig::placement& p) {
  return ((std::uint64_t{1} << p.size) - 1) << p.start;
}

/// The fill people (and `nvidia-smi mig -cgi` in the given order) do by hand: each instance in
/// turn takes its first placement that is still free, and is never moved again.
bool greedy_left_to_right_fits(const mig::board_catalog& board,
                               const std::vector<std::string>& profiles) {
  std::uint64_t taken = 0;
  for (const auto& name : profiles) {
    bool placed = false;
    for (const auto& p : mig::find_profile(board, name).placements) {
      if ((slots(p) & taken) == 0) {
        taken |= slots(p);
        placed = true;
        break;
      }
    }
    if (!placed) {
      return false;
    }
  }
  return true;
}

/// Checks a valid result: one placement per instance, in order, each one of its profile's
/// documented placements, none overlapping.
void expect_sound(const mig::board_catalog& board, const std::vector<std::string>& profiles,
                  const mig::validation_result& result) {
  ASSERT_TRUE(result.valid) << result.reason;
  ASSERT_EQ(result.placements.size(), profiles.size());
  std::uint64_t taken = 0;
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    const auto& profile = mig::find_profile(board, profiles[i]);
    EXPECT_EQ(result.placements[i].profile, profile.name);
    const auto& where = result.placements[i].where;
    EXPECT_NE(std::find(profile.placements.begin(), profile.placements.end(), where),
              profile.placements.end())
        << profile.name << " at " << where.start;
    EXPECT_EQ(slots(where) & taken, 0u) << "overlap at instance " << i;
    taken |= slots(where);
  }
}

TEST(MigGeometry, ParsesCommaSeparatedProfiles) {
  EXPECT_THAT(mig::parse_geometry("3g.40gb,2g.20gb,2g.20gb"),
              ElementsAre("3g.40gb", "2g.20gb", "2g.20gb"));
  EXPECT_THAT(mig::parse_geometry("  3g.40gb ,\t2g.20gb  "), ElementsAre("3g.40gb", "2g.20gb"));
  EXPECT_THAT(mig::parse_geometry("9,14"), ElementsAre("9", "14"));
}

TEST(MigGeometry, ExpandsRepetitions) {
  EXPECT_THAT(mig::parse_geometry("3g.40gb,2x2g.20gb"),
              ElementsAre("3g.40gb", "2g.20gb", "2g.20gb"));
  EXPECT_THAT(mig::parse_geometry("3 x 1g.10gb"), ElementsAre("1g.10gb", "1g.10gb", "1g.10gb"));
  EXPECT_THAT(mig::parse_geometry("2X1g.5gb+me"), ElementsAre("1g.5gb+me", "1g.5gb+me"));
  // A name that starts with digits is not a repetition.
  EXPECT_THAT(mig::parse_geometry("1g.10gb"), ElementsAre("1g.10gb"));
}

TEST(MigGeometry, RejectsMalformedGeometries) {
  for (const char* text : {"", "   ", "3g.40gb,,1g.10gb", "3g.40gb,", ",1g.10gb", "0x1g.10gb",
                           "65x1g.10gb", "9999x1g.10gb", "2x"}) {
    EXPECT_THROW((void)mig::parse_geometry(text), usage_error) << '"' << text << '"';
  }
}

TEST(MigGeometry, ValidGeometriesGetOnePlacementPerInstanceInOrder) {
  for (const std::vector<std::string>& geometry : std::vector<std::vector<std::string>>{
           {"7g.40gb"},
           {"4g.20gb", "3g.20gb"},
           {"3g.20gb", "3g.20gb"},
           {"2g.10gb", "2g.10gb", "2g.10gb", "1g.5gb"},
           {"1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb"},
           {"1g.10gb", "1g.10gb", "1g.10gb", "1g.10gb"},
           {"1g.5gb+me", "2g.10gb", "4g.20gb"},
           {"9", "14", "19", "19"}}) {
    expect_sound(a100(), geometry, mig::validate_geometry(a100(), geometry));
  }
}

// Greedy counterexample 1. Greedy in the given order: 3g.20gb takes its first placement 0:4
// (slices 0-3); the first 2g.10gb finds 0 and 2 taken and takes 4:2; the second 2g.10gb can
// only start at 0, 2 or 4, all taken, so greedy says "does not fit". But 3g.20gb at 4:4 and the
// two 2g.10gb at 0:2 and 2:2 use all 8 slices without overlap: the geometry is valid.
TEST(MigGeometry, AcceptsWhatAGreedyFillRejects3g2g2g) {
  const std::vector<std::string> geometry{"3g.20gb", "2g.10gb", "2g.10gb"};
  ASSERT_FALSE(greedy_left_to_right_fits(a100(), geometry));
  const auto result = mig::validate_geometry(a100(), geometry);
  expect_sound(a100(), geometry, result);
  ASSERT_TRUE(result.valid);
  EXPECT_EQ(result.placements[0].where, (mig::placement{4, 4}));
}

// Greedy counterexample 2. Greedy: 1g.5gb takes 0:1; 4g.20gb has the single placement 0:4,
// which now overlaps, so greedy fails. Placing 4g.20gb at 0:4 and 1g.5gb at 4:1 works.
TEST(MigGeometry, AcceptsWhatAGreedyFillRejects1gThen4g) {
  const std::vector<std::string> geometry{"1g.5gb", "4g.20gb"};
  ASSERT_FALSE(greedy_left_to_right_fits(a100(), geometry));
  expect_sound(a100(), geometry, mig::validate_geometry(a100(), geometry));
}

// Greedy counterexample 3 (H100-80GB): three 1g.20gb, then a 2g.20gb. Greedy gives the
// 1g.20gb 0:2, 2:2 and 4:2; 2g.20gb can only start at 0, 2 or 4, all taken. With 2g.20gb at
// 0:2 and the 1g.20gb at 2:2, 4:2 and 6:2 all four fit.
TEST(MigGeometry, AcceptsWhatAGreedyFillRejectsOnH100) {
  const auto& h100 = mig::find_board("H100-80GB");
  const std::vector<std::string> geometry{"1g.20gb", "1g.20gb", "1g.20gb", "2g.20gb"};
  ASSERT_FALSE(greedy_left_to_right_fits(h100, geometry));
  expect_sound(h100, geometry, mig::validate_geometry(h100, geometry));
}

TEST(MigGeometry, CountOverTheMaximumIsNamed) {
  auto result = mig::validate_geometry(a100(), {"4g.20gb", "4g.20gb"});
  EXPECT_FALSE(result.valid);
  EXPECT_THAT(result.reason, HasSubstr("2 x 4g.20gb"));
  EXPECT_THAT(result.reason, HasSubstr("at most 1"));

  result = mig::validate_geometry(a100(), mig::parse_geometry("2x1g.5gb+me"));
  EXPECT_FALSE(result.valid);
  EXPECT_THAT(result.reason, HasSubstr("1g.5gb+me"));

  result = mig::validate_geometry(a100(), mig::parse_geometry("5x1g.10gb"));
  EXPECT_FALSE(result.valid);
  EXPECT_THAT(result.reason, HasSubstr("at most 4"));
}

TEST(MigGeometry, TooManySlicesAreNamed) {
  auto result = mig::validate_geometry(a100(), {"3g.20gb", "3g.20gb", "1g.5gb"});
  EXPECT_FALSE(result.valid);
  EXPECT_THAT(result.reason, HasSubstr("9 memory slices"));

  result = mig::validate_geometry(a100(), {"4g.20gb", "2g.10gb", "2g.10gb"});
  EXPECT_FALSE(result.valid);
  EXPECT_THAT(result.reason, HasSubstr("8 compute slices"));

  result = mig::validate_geometry(a100(), {"7g.40gb", "1g.5gb"});
  EXPECT_FALSE(result.valid);
}

TEST(MigGeometry, UnknownProfileIsAUsageError) {
  EXPECT_THROW((void)mig::validate_geometry(a100(), {"3g.40gb"}), usage_error);
  EXPECT_THROW((void)mig::validate_geometry(a100(), {"1"}), usage_error);
}

// On the real boards every geometry within its counts and slice totals can be placed, so the
// "no free slot" answer needs a board whose placements clash: two memory slices each for
// "2g" at {0,2}, and "1g" only at slices 1 and 3. 2g,1g,1g fits the totals (4 of 4 slices),
// but wherever 2g goes it covers one of the two 1g slots.
TEST(MigGeometry, NoFreeSlotNamesTheProfileLeftOut) {
  mig::board_catalog board;
  board.model = "toy";
  board.compute_slices = 4;
  board.memory_slices = 4;
  mig::gpu_instance_profile two;
  two.name = "2g";
  two.compute_slices = 2;
  two.memory_slices = 2;
  two.max_instances = 2;
  two.placements = {{0, 2}, {2, 2}};
  mig::gpu_instance_profile one;
  one.name = "1g";
  one.compute_slices = 1;
  one.memory_slices = 1;
  one.max_instances = 2;
  one.placements = {{1, 1}, {3, 1}};
  board.profiles = {two, one};

  const std::vector<std::string> geometry{"1g", "2g", "1g"};
  const auto result = mig::validate_geometry(board, geometry);
  EXPECT_FALSE(result.valid);
  EXPECT_THAT(result.reason, HasSubstr("no free slot left for 1g"));
  EXPECT_THAT(result.reason, HasSubstr("{1,3}:1"));
  // Without the 2g both 1g fit, and with one 1g the 2g fits: the search backtracks correctly.
  expect_sound(board, {"1g", "1g"}, mig::validate_geometry(board, {"1g", "1g"}));
  expect_sound(board, {"1g", "2g"}, mig::validate_geometry(board, {"1g", "2g"}));
}

/// Independent oracle: tries every combination of placements, no ordering, no pruning.
bool brute_force_fits(const std::vector<const mig::gpu_instance_profile*>& instances) {
  std::function<bool(std::size_t, std::uint64_t)> go = [&](std::size_t i, std::uint64_t taken) {
    if (i == instances.size()) {
      return true;
    }
    for (const auto& p : instances[i]->placements) {
      if ((slots(p) & taken) == 0 && go(i + 1, taken | slots(p))) {
        return true;
      }
    }
    return false;
  };
  return go(0, 0);
}

// Every non-empty multiset of A100-40GB profiles within the per-profile maximums (3839): the
// validator must agree with the oracle plus the count and compute rules, and every "valid"
// must come with a sound placement.
TEST(MigGeometry, AgreesWithBruteForceOnEveryA100Geometry) {
  const auto& board = a100();
  std::vector<int> counts(board.profiles.size(), 0);
  int checked = 0;
  std::function<void(std::size_t)> each = [&](std::size_t p) {
    if (p == board.profiles.size()) {
      std::vector<std::string> names;
      std::vector<const mig::gpu_instance_profile*> instances;
      int compute = 0;
      for (std::size_t i = 0; i < counts.size(); ++i) {
        for (int k = 0; k < counts[i]; ++k) {
          names.push_back(board.profiles[i].name);
          instances.push_back(&board.profiles[i]);
          compute += board.profiles[i].compute_slices;
        }
      }
      if (names.empty()) {
        return;
      }
      ++checked;
      const bool expected = compute <= board.compute_slices && brute_force_fits(instances);
      const auto result = mig::validate_geometry(board, names);
      ASSERT_EQ(result.valid, expected) << ::testing::PrintToString(names) << result.reason;
      if (expected) {
        expect_sound(board, names, result);
      } else {
        EXPECT_FALSE(result.reason.empty());
      }
      return;
    }
    for (int k = 0; k <= board.profiles[p].max_instances; ++k) {
      counts[p] = k;
      each(p + 1);
    }
    counts[p] = 0;
  };
  each(0);
  EXPECT_EQ(checked, 8 * 2 * 5 * 4 * 3 * 2 * 2 - 1);
}

TEST(MigGeometry, FormatsPlacementsLikeNvidiaSmi) {
  EXPECT_EQ(mig::format_placements({{0, 2}, {2, 2}, {4, 2}}), "{0,2,4}:2");
  EXPECT_EQ(mig::format_placements({{0, 8}}), "{0}:8");
  EXPECT_EQ(mig::format_placements({}), "none");
}

} // namespace
} // namespace gpushare::test
