// Applying a MIG geometry and restoring the GPU, driven against tests/fixtures/nvidia-smi-standin:
// a program in nvidia-smi's place that answers with outputs recorded on an A100-SXM4-40GB,
// models the layout those outputs describe, logs every call and fails or interrupts on request.
// The recorded layout (1g.5gb, 2g.10gb with two 1c compute instances, 4g.20gb) must come back
// after every way out.

#include "common/interrupt.hpp"
#include "mig/geometry.hpp"
#include "mig/mig_lifecycle.hpp"
#include "mig/nvidia_smi.hpp"
#include "mig/profile_catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace gpushare::mig {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using namespace std::chrono_literals;

const std::string fixtures = std::string(GPUSHARE_SOURCE_DIR) + "/tests/fixtures/nvidia-smi";
const std::string standin_program =
    std::string(GPUSHARE_SOURCE_DIR) + "/tests/fixtures/nvidia-smi-standin";

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

using env = std::map<std::string, std::string>;

/// One modelled GPU: a private directory for the stand-in's state and call log.
class standin {
public:
  explicit standin(const std::map<std::string, std::string>& extra = {}, bool stateful = true) {
    std::string pattern = (std::filesystem::temp_directory_path() / "gpushare-smi-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    m_dir = pattern;
    nvidia_smi_options options;
    options.program = standin_program;
    options.timeout = 30s;
    options.environment = {{"GPUSHARE_SMI_FIXTURES", fixtures},
                           {"GPUSHARE_SMI_LOG", m_dir + "/calls.log"}};
    if (stateful) {
      options.environment["GPUSHARE_SMI_STATE"] = m_dir + "/state.json";
    }
    for (const auto& [name, value] : extra) {
      options.environment[name] = value;
    }
    m_smi = nvidia_smi(options);
  }
  standin(const standin&) = delete;
  standin& operator=(const standin&) = delete;
  ~standin() {
    std::error_code ignored;
    std::filesystem::remove_all(m_dir, ignored);
  }

  [[nodiscard]] const nvidia_smi& smi() const { return m_smi; }
  [[nodiscard]] const std::string& dir() const { return m_dir; }
  [[nodiscard]] bool log_exists() const { return std::filesystem::exists(m_dir + "/calls.log"); }

  /// Every call's arguments, in order.
  [[nodiscard]] std::vector<std::string> calls() const {
    std::vector<std::string> lines;
    std::istringstream text(read_file(m_dir + "/calls.log"));
    for (std::string line; std::getline(text, line);) {
      lines.push_back(line);
    }
    return lines;
  }

  /// The calls that change the GPU.
  [[nodiscard]] std::vector<std::string> mutations() const {
    std::vector<std::string> found;
    for (const auto& call : calls()) {
      for (const char* verb : {" -cgi ", " -cci ", " -dci", " -dgi"}) {
        if ((call + " ").find(verb) != std::string::npos) {
          found.push_back(call);
          break;
        }
      }
    }
    return found;
  }

private:
  std::string m_dir;
  nvidia_smi m_smi;
};

lifecycle_options options_for(std::vector<std::string> geometry) {
  lifecycle_options options;
  options.gpu = 0;
  options.geometry = std::move(geometry);
  options.config_capability = ""; // no driver here: the stand-in decides
  options.warn = [](const std::string&) {};
  return options;
}

/// The layout as a restore must reproduce it: profiles, placements and compute instance
/// profiles, without the IDs the driver reassigns.
std::vector<std::string> shape_of(const mig_layout& layout) {
  std::vector<std::string> shapes;
  for (const auto& gi : layout.gpu_instances) {
    std::vector<std::string> cis;
    for (const auto& ci : layout.compute_instances) {
      if (ci.gpu_instance_id == gi.id) {
        cis.push_back(ci.profile + "#" + std::to_string(ci.profile_id));
      }
    }
    std::sort(cis.begin(), cis.end());
    std::string shape =
        gi.profile + "@" + std::to_string(gi.where->start) + ":" + std::to_string(gi.where->size);
    for (const auto& ci : cis) {
      shape += " " + ci;
    }
    shapes.push_back(shape);
  }
  std::sort(shapes.begin(), shapes.end());
  return shapes;
}

const std::vector<std::string> recorded_shape{
    "1g.5gb@6:1 1g.5gb#0", "2g.10gb@4:2 1c.2g.10gb#0 1c.2g.10gb#0", "4g.20gb@0:4 4g.20gb#3"};

/// The recorded layout is destroyed compute instances first, in `-lci` order, with exact IDs.
const std::vector<std::string> clear_recorded{
    "mig -i 0 -gi 9 -ci 0 -dci", "mig -i 0 -gi 3 -ci 0 -dci", "mig -i 0 -gi 3 -ci 1 -dci",
    "mig -i 0 -gi 2 -ci 0 -dci", "mig -i 0 -gi 9 -dgi",       "mig -i 0 -gi 3 -dgi",
    "mig -i 0 -gi 2 -dgi"};

/// The recorded layout recreated at its placements, largest first, each compute instance in the
/// GPU instance the driver just created (the stand-in numbers them 1, 2, 3 on an empty GPU).
const std::vector<std::string> recreate_recorded{"mig -i 0 -cgi 5:0",     "mig -i 0 -gi 1 -cci 3",
                                                 "mig -i 0 -cgi 14:4",    "mig -i 0 -gi 2 -cci 0",
                                                 "mig -i 0 -gi 2 -cci 0", "mig -i 0 -cgi 19:6",
                                                 "mig -i 0 -gi 3 -cci 0"};

const std::vector<std::string> geometry{"3g.20gb", "4g.20gb"};

/// The creation commands for `geometry` at the placements the geometry search picks on the
/// recorded A100's live table.
std::vector<std::string> create_geometry() {
  const auto board = to_board_catalog(
      parse_gpu_instance_profiles(read_file(fixtures + "/a100-sxm4-40gb-lgip.txt")),
      parse_gpu_instance_placements(read_file(fixtures + "/a100-sxm4-40gb-lgipp.txt")), 0,
      "NVIDIA A100-SXM4-40GB");
  const auto result = validate_geometry(board, geometry);
  EXPECT_TRUE(result.valid);
  std::vector<std::string> commands;
  for (const auto& instance : result.placements) {
    commands.push_back("mig -i 0 -cgi " + std::to_string(find_profile(board, instance.profile).id) +
                       ":" + std::to_string(instance.where.start) + " -C");
  }
  return commands;
}

std::vector<std::string> slice(const std::vector<std::string>& all, std::size_t from,
                               std::size_t count) {
  if (from >= all.size()) {
    return {};
  }
  return {all.begin() + static_cast<std::ptrdiff_t>(from),
          all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), from + count))};
}

TEST(NvidiaSmiProgram, ReadsRecordedOutputsThroughTheProgram) {
  standin gpu({}, false);
  const auto profiles = gpu.smi().gpu_instance_profiles(0);
  EXPECT_EQ(profiles.profiles.size(), 7u);
  const auto mode = gpu.smi().mig_mode(0);
  EXPECT_EQ(mode.current, mig_mode_value::enabled);
  EXPECT_EQ(mig_mode_problem(mode), "");
  EXPECT_THAT(gpu.calls(),
              ElementsAre("mig -i 0 -lgip", "-i 0 --query-gpu=index,name,uuid,mig.mode.current,"
                                            "mig.mode.pending --format=csv,noheader"));
}

TEST(NvidiaSmiProgram, ListLayoutJoinsMigDevicesWithTheirInstances) {
  standin gpu;
  const mig_layout layout = list_layout(gpu.smi(), 0);
  EXPECT_EQ(layout.gpu_name, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(layout.gpu_uuid, "GPU-9e4aeb94-01c0-5173-4811-4ca60f77b3a9");
  EXPECT_EQ(shape_of(layout), recorded_shape);
  ASSERT_EQ(layout.devices.size(), 4u);
  const auto by_uuid = [&](const std::string& uuid) {
    return *std::find_if(layout.devices.begin(), layout.devices.end(),
                         [&](const auto& d) { return d.uuid == uuid; });
  };
  const auto second = by_uuid("MIG-239565ce-30e3-52d7-8197-5630d3ce21fa");
  EXPECT_EQ(second.gpu_instance_id, 3);
  EXPECT_EQ(second.compute_instance_id, 1);
  EXPECT_EQ(second.profile, "1c.2g.10gb");
  const auto small = by_uuid("MIG-20301a31-77fa-59ec-b0b8-7ef543821f29");
  EXPECT_EQ(small.gpu_instance_id, 9);
  EXPECT_EQ(small.compute_instance_id, 0);
  for (const auto& call : gpu.calls()) {
    EXPECT_THAT(call, HasSubstr("-i 0")) << "every call names the GPU: " << call;
  }
  const auto board = live_catalog(gpu.smi(), 0, layout.gpu_name);
  EXPECT_EQ(board.origin, catalog_source::nvidia_smi);
  EXPECT_EQ(board.profiles.size(), 7u);
}

TEST(NvidiaSmiProgram, FailuresNameTheCommandAndQuoteNvidiaSmi) {
  nvidia_smi_options slow;
  slow.program = "sleep";
  slow.timeout = 200ms;
  try {
    (void)nvidia_smi(slow).run({"5"});
    FAIL() << "no timeout";
  } catch (const nvidia_smi_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("did not finish"));
  }
  nvidia_smi_options missing;
  missing.program = "/nonexistent/nvidia-smi";
  try {
    (void)nvidia_smi(missing).gpu_instances(0);
    FAIL() << "ran a missing program";
  } catch (const nvidia_smi_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("--nvidia-smi"));
  }
  standin unknown_board(env{{"GPUSHARE_SMI_BOARD", "no-such-board"}}, false);
  try {
    (void)unknown_board.smi().gpu_instances(0);
    FAIL() << "a failed read passed";
  } catch (const nvidia_smi_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("exit code 2"));
    EXPECT_THAT(failure.what(), HasSubstr("-lgi"));
  }
  standin refusing(env{{"GPUSHARE_SMI_FAIL_AT", "1"}});
  try {
    (void)refusing.smi().create_gpu_instance(0, 9, 4, true);
    FAIL() << "a refused creation passed";
  } catch (const nvidia_smi_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("-cgi 9:4 -C"));
    EXPECT_THAT(failure.what(), HasSubstr("Insufficient Resources"));
    EXPECT_FALSE(failure.permission_denied());
  }
}

TEST(MigLifecycle, AppliesTheGeometryAndRestoresTheRecordedLayoutCommandByCommand) {
  standin gpu;
  mig_lifecycle lifecycle(gpu.smi(), options_for(geometry));
  int calls_of_body = 0;
  std::size_t mutations_before_body = 0;
  mig_layout applied;
  lifecycle.run([&](const mig_layout& layout) {
    ++calls_of_body;
    applied = layout;
    mutations_before_body = gpu.mutations().size();
  });
  EXPECT_EQ(calls_of_body, 1);
  EXPECT_EQ(lifecycle.restore_failure(), "");

  // The body saw the geometry with a MIG device (and UUID) per instance.
  ASSERT_EQ(applied.gpu_instances.size(), 2u);
  ASSERT_EQ(applied.devices.size(), 2u);
  for (const auto& device : applied.devices) {
    EXPECT_THAT(device.uuid, StartsWith("MIG-"));
    EXPECT_GE(device.gpu_instance_id, 1);
  }

  const auto mutations = gpu.mutations();
  std::vector<std::string> apply = clear_recorded;
  for (const auto& command : create_geometry()) {
    apply.push_back(command);
  }
  EXPECT_EQ(mutations_before_body, apply.size());
  EXPECT_EQ(slice(mutations, 0, apply.size()), apply);
  // Restore: the geometry's compute instances, then its GPU instances, by their real IDs.
  std::vector<std::string> destroy_geometry = slice(mutations, apply.size(), 4);
  std::vector<std::string> expected_destroy;
  for (const auto& gi : applied.gpu_instances) {
    expected_destroy.push_back("mig -i 0 -gi " + std::to_string(gi.id) + " -ci 0 -dci");
  }
  for (const auto& gi : applied.gpu_instances) {
    expected_destroy.push_back("mig -i 0 -gi " + std::to_string(gi.id) + " -dgi");
  }
  std::sort(destroy_geometry.begin(), destroy_geometry.begin() + 2);
  std::sort(destroy_geometry.begin() + 2, destroy_geometry.end());
  std::sort(expected_destroy.begin(), expected_destroy.begin() + 2);
  std::sort(expected_destroy.begin() + 2, expected_destroy.end());
  EXPECT_EQ(destroy_geometry, expected_destroy);
  EXPECT_EQ(slice(mutations, apply.size() + 4, 100), recreate_recorded);

  EXPECT_EQ(gpu.calls().front(),
            "-i 0 --query-gpu=index,name,uuid,mig.mode.current,mig.mode.pending "
            "--format=csv,noheader")
      << "MIG mode is checked before anything else";
  EXPECT_EQ(shape_of(list_layout(gpu.smi(), 0)), recorded_shape);
}

TEST(MigLifecycle, PlanListsTheSameCommandsAndRunsNothing) {
  standin gpu;
  mig_layout recorded;
  recorded.gpu = 0;
  recorded.gpu_instances =
      parse_gpu_instances(read_file(fixtures + "/a100-sxm4-40gb-lgi.txt")).instances;
  recorded.compute_instances =
      parse_compute_instances(read_file(fixtures + "/a100-sxm4-40gb-lci.txt")).instances;
  const auto board = to_board_catalog(
      parse_gpu_instance_profiles(read_file(fixtures + "/a100-sxm4-40gb-lgip.txt")),
      parse_gpu_instance_placements(read_file(fixtures + "/a100-sxm4-40gb-lgipp.txt")), 0,
      "NVIDIA A100-SXM4-40GB");
  const lifecycle_plan plan = plan_lifecycle(gpu.smi(), 0, recorded, board, geometry, true);
  EXPECT_FALSE(gpu.log_exists()) << "planning ran nvidia-smi";

  std::vector<std::string> apply;
  for (const auto& command : plan.apply) {
    EXPECT_EQ(command.argv.front(), standin_program);
    apply.push_back(format_command({command.argv.begin() + 1, command.argv.end()}));
    EXPECT_FALSE(command.purpose.empty());
  }
  std::vector<std::string> expected = clear_recorded;
  for (const auto& command : create_geometry()) {
    expected.push_back(command);
  }
  EXPECT_EQ(apply, expected);
  ASSERT_EQ(plan.restore.size(), 4u + recreate_recorded.size());
  EXPECT_THAT(format_command(plan.restore[0].argv), HasSubstr("-dci"));
  EXPECT_THAT(format_command(plan.restore[0].argv), HasSubstr("<GI of "));
  EXPECT_EQ(format_command({plan.restore[4].argv.begin() + 1, plan.restore[4].argv.end()}),
            "mig -i 0 -cgi 5:0");
  EXPECT_EQ(format_command({plan.restore[5].argv.begin() + 1, plan.restore[5].argv.end()}),
            "mig -i 0 -gi '<GI of 4g.20gb@0:4>' -cci 3");
}

TEST(MigLifecycle, DryRunOnlyReads) {
  standin gpu;
  const mig_lifecycle lifecycle(gpu.smi(), options_for(geometry));
  const lifecycle_plan plan = lifecycle.dry_run();
  EXPECT_EQ(shape_of(plan.recorded), recorded_shape);
  EXPECT_EQ(plan.apply.size(), clear_recorded.size() + 2);
  EXPECT_TRUE(gpu.mutations().empty()) << "a dry run changed the GPU";
  EXPECT_FALSE(gpu.calls().empty());
  EXPECT_EQ(shape_of(list_layout(gpu.smi(), 0)), recorded_shape);
}

/// A failure at every mutating step of the apply leaves the GPU as it was recorded.
class MigLifecycleFailingStep : public ::testing::TestWithParam<int> {};

TEST_P(MigLifecycleFailingStep, StillRestoresTheRecordedLayout) {
  const int step = GetParam();
  standin gpu(env{{"GPUSHARE_SMI_FAIL_AT", std::to_string(step)}});
  mig_lifecycle lifecycle(gpu.smi(), options_for(geometry));
  bool body_ran = false;
  try {
    lifecycle.run([&](const mig_layout&) { body_ran = true; });
    FAIL() << "step " << step << " failed without an error";
  } catch (const nvidia_smi_error& failure) {
    EXPECT_THAT(failure.what(), Not(HasSubstr("restore")));
  }
  EXPECT_FALSE(body_ran);
  EXPECT_EQ(lifecycle.restore_failure(), "");
  const auto mutations = gpu.mutations();
  ASSERT_GT(mutations.size(), static_cast<std::size_t>(step));
  EXPECT_EQ(slice(mutations, mutations.size() - recreate_recorded.size(), 100), recreate_recorded)
      << "step " << step;
  EXPECT_EQ(shape_of(list_layout(gpu.smi(), 0)), recorded_shape) << "step " << step;
}

INSTANTIATE_TEST_SUITE_P(MigLifecycleEveryApplyStep, MigLifecycleFailingStep,
                         ::testing::Range(1, 10));

TEST(MigLifecycle, AnExceptionFromTheBodyRestoresAndPropagatesUnchanged) {
  standin gpu;
  mig_lifecycle lifecycle(gpu.smi(), options_for(geometry));
  try {
    lifecycle.run([](const mig_layout&) { throw std::runtime_error("tenant 2 crashed"); });
    FAIL() << "the body's exception vanished";
  } catch (const std::runtime_error& failure) {
    EXPECT_STREQ(failure.what(), "tenant 2 crashed");
  }
  EXPECT_EQ(slice(gpu.mutations(), gpu.mutations().size() - recreate_recorded.size(), 100),
            recreate_recorded);
  EXPECT_EQ(shape_of(list_layout(gpu.smi(), 0)), recorded_shape);
}

TEST(MigLifecycle, GeometryThatDoesNotFitChangesNothing) {
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"4g.20gb", "4g.20gb"}, std::vector<std::string>{"9g.99gb"},
        std::vector<std::string>{}}) {
    standin gpu;
    mig_lifecycle lifecycle(gpu.smi(), options_for(bad));
    EXPECT_THROW(lifecycle.run([](const mig_layout&) {}), usage_error);
    EXPECT_TRUE(gpu.mutations().empty());
  }
}

TEST(MigLifecycle, MigModeMustBeEnabledAndTheMessageSaysHow) {
  standin disabled(env{{"GPUSHARE_SMI_MIG_MODE", "Disabled,Disabled"}});
  mig_lifecycle off(disabled.smi(), options_for(geometry));
  try {
    off.run([](const mig_layout&) { FAIL() << "body ran with MIG disabled"; });
    FAIL() << "no error";
  } catch (const environment_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("nvidia-smi -i 0 -mig 1"));
    EXPECT_THAT(failure.what(), HasSubstr("root"));
    EXPECT_THAT(failure.what(), HasSubstr("reset"));
    EXPECT_THAT(failure.what(), HasSubstr("drain"));
  }
  EXPECT_TRUE(disabled.mutations().empty());

  standin pending(env{{"GPUSHARE_SMI_MIG_MODE", "Disabled,Enabled"}});
  mig_lifecycle waiting(pending.smi(), options_for(geometry));
  try {
    waiting.run([](const mig_layout&) {});
    FAIL() << "no error";
  } catch (const environment_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("pending"));
  }
  EXPECT_TRUE(pending.mutations().empty());
}

TEST(MigLifecycle, MissingPrivilegeIsExplainedAndNothingIsUndone) {
  standin gpu(env{{"GPUSHARE_SMI_FAIL_AT", "1"},
                  {"GPUSHARE_SMI_FAIL_EXIT", "4"},
                  {"GPUSHARE_SMI_FAIL_MESSAGE",
                   "Unable to destroy compute instance ID  0 from GPU  0 GPU instance ID  9: "
                   "Insufficient Permissions\nFailed to destroy compute instances: Insufficient "
                   "Permissions"}});
  mig_lifecycle lifecycle(gpu.smi(), options_for(geometry));
  try {
    lifecycle.run([](const mig_layout&) {});
    FAIL() << "no error";
  } catch (const nvidia_smi_error& failure) {
    EXPECT_TRUE(failure.permission_denied());
    EXPECT_THAT(failure.what(), HasSubstr("needs root"));
    EXPECT_THAT(failure.what(), HasSubstr("mig/config"));
  }
  EXPECT_EQ(gpu.mutations(), std::vector<std::string>{"mig -i 0 -gi 9 -ci 0 -dci"});
}

TEST(MigLifecycle, UnreadableConfigCapabilityStopsBeforeAnyChange) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "root may change MIG instances regardless of the capability file";
  }
  standin gpu;
  const std::string capability = gpu.dir() + "/config";
  std::ofstream(capability) << "DeviceFileMinor: 1\n";
  ASSERT_EQ(::chmod(capability.c_str(), 0), 0);
  lifecycle_options options = options_for(geometry);
  options.config_capability = capability;
  mig_lifecycle lifecycle(gpu.smi(), options);
  try {
    lifecycle.run([](const mig_layout&) {});
    FAIL() << "no error";
  } catch (const environment_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr(capability));
    EXPECT_THAT(failure.what(), HasSubstr("root"));
  }
  EXPECT_TRUE(gpu.mutations().empty());
}

TEST(MigLifecycle, RestoreFailureBehindAnErrorIsReportedWithCommandsAndTheErrorKept) {
  // 9 apply steps, then the first restore step fails.
  standin gpu(env{{"GPUSHARE_SMI_FAIL_AT", "10"}});
  lifecycle_options options = options_for(geometry);
  std::vector<std::string> warnings;
  options.warn = [&](const std::string& text) { warnings.push_back(text); };
  mig_lifecycle lifecycle(gpu.smi(), options);
  try {
    lifecycle.run([](const mig_layout&) { throw std::runtime_error("tenant 1 timed out"); });
    FAIL() << "no error";
  } catch (const std::runtime_error& failure) {
    EXPECT_STREQ(failure.what(), "tenant 1 timed out");
  }
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings.front(), lifecycle.restore_failure());
  EXPECT_THAT(lifecycle.restore_failure(), HasSubstr("could not restore"));
  EXPECT_THAT(lifecycle.restore_failure(), HasSubstr("by hand"));
  EXPECT_THAT(lifecycle.restore_failure(), HasSubstr("mig -i 0 -cgi 5:0"));
  EXPECT_THAT(lifecycle.restore_failure(), HasSubstr("-dgi"));
}

TEST(MigLifecycle, RestoreFailureAfterSuccessIsARestoreErrorWithExactCommands) {
  standin gpu(env{{"GPUSHARE_SMI_FAIL_AT", "10"}});
  mig_lifecycle lifecycle(gpu.smi(), options_for(geometry));
  mig_layout applied;
  try {
    lifecycle.run([&](const mig_layout& layout) { applied = layout; });
    FAIL() << "no error";
  } catch (const mig_restore_error& failure) {
    const auto& commands = failure.commands();
    for (const auto& gi : applied.gpu_instances) {
      EXPECT_THAT(commands, ::testing::Contains(HasSubstr("mig -i 0 -gi " + std::to_string(gi.id) +
                                                          " -ci 0 -dci")));
      EXPECT_THAT(commands, ::testing::Contains(
                                HasSubstr("mig -i 0 -gi " + std::to_string(gi.id) + " -dgi")));
    }
    EXPECT_THAT(commands, ::testing::Contains(HasSubstr("mig -i 0 -cgi 14:4")));
    EXPECT_THAT(commands, ::testing::Contains(HasSubstr("-cci 3")));
    EXPECT_THAT(failure.what(), HasSubstr("In use by another client"));
  }
  ASSERT_EQ(applied.gpu_instances.size(), 2u);
}

/// SIGINT and SIGTERM are raised for real; the handlers are reset afterwards.
class MigLifecycleInterrupt : public ::testing::Test {
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

TEST_F(MigLifecycleInterrupt, CtrlCDuringTheBodyRestores) {
  standin gpu;
  mig_lifecycle lifecycle(gpu.smi(), options_for(geometry));
  try {
    lifecycle.run([](const mig_layout&) {
      ASSERT_EQ(std::raise(SIGTERM), 0);
      throw_if_interrupted();
    });
    FAIL() << "no interruption";
  } catch (const interrupted_error& failure) {
    EXPECT_EQ(failure.signal_number(), SIGTERM);
  }
  EXPECT_EQ(shape_of(list_layout(gpu.smi(), 0)), recorded_shape);
}

TEST_F(MigLifecycleInterrupt, CtrlCBetweenCreationStepsStopsTheApplyAndRestores) {
  // SIGINT arrives while the first GPU instance of the geometry is being created.
  standin gpu(env{{"GPUSHARE_SMI_INTERRUPT_AT", "8"}});
  mig_lifecycle lifecycle(gpu.smi(), options_for(geometry));
  bool body_ran = false;
  try {
    lifecycle.run([&](const mig_layout&) { body_ran = true; });
    FAIL() << "no interruption";
  } catch (const interrupted_error& failure) {
    EXPECT_EQ(failure.signal_number(), SIGINT);
  }
  EXPECT_FALSE(body_ran);
  const auto mutations = gpu.mutations();
  ASSERT_GT(mutations.size(), 8u);
  EXPECT_EQ(mutations[7], create_geometry()[0]);
  EXPECT_THAT(mutations[8], HasSubstr("-dci")) << "the apply went on after Ctrl-C";
  EXPECT_EQ(shape_of(list_layout(gpu.smi(), 0)), recorded_shape);
}

} // namespace
} // namespace gpushare::mig
