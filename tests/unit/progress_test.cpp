// The progress display: when it speaks, what it estimates, and what a terminal and a log see.

#include "cli/progress.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace gpushare::cli {
namespace {

using ::testing::HasSubstr;

/// Sets CI for the lifetime of the object and puts the old value back.
class scoped_ci {
public:
  explicit scoped_ci(const char* value) {
    if (const char* old = std::getenv("CI")) {
      m_old = old;
    }
    if (value != nullptr) {
      setenv("CI", value, 1);
    } else {
      unsetenv("CI");
    }
  }
  ~scoped_ci() {
    if (m_old) {
      setenv("CI", m_old->c_str(), 1);
    } else {
      unsetenv("CI");
    }
  }
  scoped_ci(const scoped_ci&) = delete;
  scoped_ci& operator=(const scoped_ci&) = delete;

private:
  std::optional<std::string> m_old;
};

run_config tenant_step(const char* mode, int tenants, const char* workload, double duration,
                       int repetitions) {
  run_config step;
  step.mode = mode;
  step.workloads.assign(static_cast<std::size_t>(tenants), workload);
  step.tenants = tenants;
  step.duration_s = duration;
  step.repetitions = repetitions;
  return step;
}

TEST(Progress, QuietAndCiSilenceIt) {
  EXPECT_EQ(choose_progress_style(true), progress_style::none);
  {
    const scoped_ci ci("true");
    EXPECT_EQ(choose_progress_style(false), progress_style::none);
  }
  {
    const scoped_ci ci("false");
    // A terminal gets the live line, a log (ctest) one line per step.
    EXPECT_EQ(choose_progress_style(false),
              isatty(STDERR_FILENO) != 0 ? progress_style::live : progress_style::lines);
  }
}

TEST(Progress, EstimatesGrowWithTenantsRepetitionsAndDuration) {
  const double two = estimated_step_seconds(tenant_step("timeslice", 2, "gemm", 0.5, 5));
  const double eight = estimated_step_seconds(tenant_step("timeslice", 8, "gemm", 0.5, 5));
  const double longer = estimated_step_seconds(tenant_step("timeslice", 2, "gemm", 1.0, 5));
  const double more = estimated_step_seconds(tenant_step("timeslice", 2, "gemm", 0.5, 10));
  EXPECT_GT(eight, two);
  EXPECT_GT(longer, two);
  EXPECT_GT(more, two);
  // 2 solo phases and 1 shared, 2.5 s each, plus start-up.
  EXPECT_GE(two, 3 * 2.5);
  EXPECT_LT(estimated_step_seconds(tenant_step("timeslice", 2, "host-sleep:us=200", 0.5, 5)), two)
      << "host-* instruments start without a CUDA context";
  EXPECT_GT(estimated_step_seconds(tenant_step("mps", 2, "gemm", 0.5, 5)), two)
      << "the MPS daemon starts too";
  run_config calibrate;
  calibrate.mode = "calibrate";
  EXPECT_GT(estimated_step_seconds(calibrate), 0);
}

TEST(Progress, EtaText) {
  EXPECT_EQ(format_eta(0), "0 s");
  EXPECT_EQ(format_eta(44.6), "45 s");
  EXPECT_EQ(format_eta(125), "2 min 05 s");
  EXPECT_EQ(format_eta(3720), "1 h 02 min");
  EXPECT_EQ(format_eta(-3), "0 s");
}

TEST(Progress, LinesStyleWritesOneLinePerStep) {
  std::ostringstream out;
  {
    progress_display display(out, progress_style::lines);
    display.begin(2, 12, "mps with 4 tenants", 40, 80);
    display.end();
  }
  EXPECT_EQ(out.str(), "[3/12] mps with 4 tenants (about 40 s; about 2 min 00 s left in all)\n");
}

TEST(Progress, LiveStyleRedrawsThenLeavesOneFinalLine) {
  std::ostringstream out;
  {
    progress_display display(out, progress_style::live);
    display.begin(0, 2, "timeslice with 2 tenants", 30, 10);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    display.end();
  }
  const std::string text = out.str();
  EXPECT_THAT(text, HasSubstr("\r\033[K[1/2] timeslice with 2 tenants: 0 s of about 30 s; about "
                              "40 s left in all"));
  EXPECT_THAT(text, HasSubstr("\r\033[K[1/2] timeslice with 2 tenants: 0 s\n"));
  EXPECT_EQ(text.back(), '\n');
}

TEST(Progress, NoneStyleWritesNothing) {
  std::ostringstream out;
  {
    progress_display display(out, progress_style::none);
    display.begin(0, 1, "streams", 10, 0);
    display.end();
  }
  EXPECT_TRUE(out.str().empty());
}

} // namespace
} // namespace gpushare::cli
