// Which figure stands for an isolation cell, the unit its name implies and how it is written,
// and when a cell is a host-* test instrument. Figures are written for the tests.

#include "report/isolation_figures.hpp"
#include "sample_records.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <string>
#include <utility>

namespace gpushare::report {
namespace {

isolation_cell cell_of(const std::string& property, std::map<std::string, double> figures) {
  isolation_cell cell;
  cell.mechanism = "mps";
  cell.property = property;
  cell.verdict = "partial";
  cell.figures = std::move(figures);
  return cell;
}

TEST(IsolationFigures, TheKeyFigureIsThePropertysOwnElseTheFirstFiniteByName) {
  const auto latency =
      key_figure(cell_of("latency", {{"a_count", 3}, {"victim_p99_inflation", 2.5}}));
  ASSERT_TRUE(latency);
  EXPECT_EQ(latency->name, "victim_p99_inflation") << "preferred although not first by name";
  EXPECT_EQ(latency->value, 2.5);

  const auto compute = key_figure(
      cell_of("compute", {{"victim_slowdown", 1.3}, {"victim_share_of_guarantee", 0.8}, {"b", 1}}));
  ASSERT_TRUE(compute);
  EXPECT_EQ(compute->name, "victim_share_of_guarantee");

  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto fallback = key_figure(cell_of(
      "fault", {{"recovery_ms", nan}, {"tenant0_finished_ms", 5000}, {"victims_failed", 1}}));
  ASSERT_TRUE(fallback) << "a measured figure that is not finite is passed over";
  EXPECT_EQ(fallback->name, "victims_failed") << "a timestamp is no key figure";
  EXPECT_FALSE(key_figure(cell_of("compute", {{"guaranteed_share", 0.5}})))
      << "a setting is no key figure";
  isolation_cell untested = cell_of("latency", {{"victim_p99_inflation", 2.5}});
  untested.verdict = "untested";
  EXPECT_FALSE(key_figure(untested)) << "an untested cell's figures speak for nothing";
  isolation_cell invalid = cell_of("latency", {{"victim_p99_inflation", 2.5}});
  invalid.flags = {"invalid"};
  EXPECT_FALSE(key_figure(invalid));

  EXPECT_FALSE(key_figure(cell_of("memory", {})));
  EXPECT_FALSE(key_figure(cell_of("memory", {{"hog_held_bytes", nan}})));
  EXPECT_EQ(key_figure_text(cell_of("memory", {})), "-");
  EXPECT_EQ(key_figure_text(cell_of("memory", {{"hog_held_bytes", 8'321'499'136.0}})),
            "hog_held_bytes 7.75 GiB");
}

TEST(IsolationFigures, TheNameGivesTheUnitAndTheFormat) {
  EXPECT_EQ(figure_unit("hog_held_bytes"), "B");
  EXPECT_EQ(figure_unit("recovery_ms"), "ms");
  EXPECT_EQ(figure_unit("victim_p99_us"), "us");
  EXPECT_EQ(figure_unit("gap_ns"), "ns");
  EXPECT_EQ(figure_unit("thread_pct"), "%");
  EXPECT_EQ(figure_unit("victim_p99_inflation"), "x");
  EXPECT_EQ(figure_unit("victim_share_of_guarantee"), "");
  EXPECT_EQ(figure_unit("victim_failed"), "");
  EXPECT_EQ(figure_unit("terms"), "") << "a suffix only counts after an underscore";
  EXPECT_TRUE(figure_higher_is_better("victim_share_of_guarantee"));
  EXPECT_FALSE(figure_higher_is_better("recovery_ms"));
  // A jitter ratio of the shared phase is neither a share nor better when higher.
  EXPECT_EQ(format_figure("victim_jitter_shared", 1.016), "1.02x");
  EXPECT_FALSE(figure_higher_is_better("victim_jitter_shared"));

  EXPECT_EQ(format_figure("recovery_ms", 850.5), "851 ms");
  EXPECT_EQ(format_figure("victim_p99_us", 42.5), "42.5 us");
  EXPECT_EQ(format_figure("gap_ns", 850), "850 ns");
  EXPECT_EQ(format_figure("hog_held_bytes", 10'200'547'328.0), "9.50 GiB");
  EXPECT_EQ(format_figure("thread_pct", 50), "50.0 %");
  EXPECT_EQ(format_figure("victim_slowdown", 1.4), "1.40x");
  EXPECT_EQ(format_figure("victim_share_of_guarantee", 0.935), "93.5 %");
  EXPECT_EQ(format_figure("victim_failed", 1), "1") << "a count without decimals";
  EXPECT_EQ(format_figure("victim_score", 0.12345), "0.123");
  EXPECT_EQ(format_figure("recovery_ms", std::numeric_limits<double>::infinity()), "n/a");
}

TEST(IsolationFigures, HostInstrumentsAreFlaggedOrFoundInTheTenants) {
  const isolation_result isolation = *test::make_isolation_run().isolation;
  EXPECT_FALSE(cell_host_only(isolation.cells[0]));
  EXPECT_TRUE(cell_host_only(isolation.cells[5])) << "flagged host_instruments_only";
  isolation_cell unflagged = isolation.cells[5];
  unflagged.flags.clear();
  EXPECT_TRUE(cell_host_only(unflagged)) << "its tenants ran host-sleep and host-crash";
  unflagged.tenants.clear();
  EXPECT_FALSE(cell_host_only(unflagged));
}

} // namespace
} // namespace gpushare::report
