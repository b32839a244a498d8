// Signals end a run at the next check point with exit code 130; they are raised here for real.

#include "common/interrupt.hpp"
#include "harness/measure.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace gpushare {
namespace {

class Interrupt : public ::testing::Test {
protected:
  void SetUp() override {
    clear_interrupt();
    install_interrupt_handlers();
  }
  void TearDown() override {
    clear_interrupt();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
  }
};

TEST_F(Interrupt, NothingPendingByDefault) {
  EXPECT_FALSE(interrupt_requested());
  EXPECT_NO_THROW(throw_if_interrupted());
}

TEST_F(Interrupt, SigintIsReportedWithExitCode130) {
  ASSERT_EQ(std::raise(SIGINT), 0);
  EXPECT_TRUE(interrupt_requested());
  try {
    throw_if_interrupted();
    FAIL() << "no exception";
  } catch (const interrupted_error& failure) {
    EXPECT_EQ(failure.code(), exit_code::interrupted);
    EXPECT_EQ(static_cast<int>(failure.code()), 130);
    EXPECT_EQ(failure.signal_number(), SIGINT);
    EXPECT_NE(std::string(failure.what()).find("SIGINT"), std::string::npos);
  }
}

TEST_F(Interrupt, MeasurementStopsBeforeTheNextIteration) {
  const auto spec = parse_workload_spec("host-sleep:us=100");
  auto work = make_workload(spec, {});
  ASSERT_EQ(std::raise(SIGTERM), 0);
  measure_settings settings;
  settings.iterations = 1000;
  try {
    (void)measure_workload(*work, spec, settings);
    FAIL() << "measurement ran to the end despite SIGTERM";
  } catch (const interrupted_error& failure) {
    EXPECT_EQ(failure.signal_number(), SIGTERM);
  }
}

} // namespace
} // namespace gpushare
