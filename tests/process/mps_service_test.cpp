// The MPS service script written by the real binary, run against the real control daemon
// (Debian's nvidia-cuda-mps, installed by scripts/setup.sh; it starts, answers and quits
// without a GPU) in a private pipe and log directory: start applies the defaults, status sees
// the daemon, stop leaves no process and no file behind.

#include "common/error.hpp"
#include "harness/mps_daemon.hpp"
#include "harness/private_directory.hpp"
#include "harness/subprocess.hpp"
#include "run_binary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace gpushare {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

/// The real control program from PATH, as the existing MPS tests run it.
std::string find_control_program() {
  return find_program("nvidia-cuda-mps-control").value_or("");
}

std::vector<std::string> null_separated(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<std::string> items;
  for (std::string item; std::getline(in, item, '\0');) {
    items.push_back(item);
  }
  return items;
}

/// Live control daemons (started with -d or -f) whose CUDA_MPS_PIPE_DIRECTORY is `pipe`. A
/// zombie has an empty command line, so an exited daemon not yet reaped is not counted.
std::vector<int> daemons_serving(const std::string& pipe) {
  std::vector<int> pids;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator("/proc", ignored)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const auto args = null_separated(entry.path() / "cmdline");
    if (args.size() < 2 || fs::path(args[0]).filename() != "nvidia-cuda-mps-control" ||
        (args[1] != "-d" && args[1] != "-f")) {
      continue;
    }
    for (const auto& variable : null_separated(entry.path() / "environ")) {
      if (variable == "CUDA_MPS_PIPE_DIRECTORY=" + pipe) {
        pids.push_back(std::stoi(name));
      }
    }
  }
  return pids;
}

std::vector<std::string> entries_of(const std::string& directory) {
  std::vector<std::string> names;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(directory, ignored)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

class MpsService : public ::testing::Test {
protected:
  void SetUp() override {
    m_control = find_control_program();
    ASSERT_FALSE(m_control.empty()) << "nvidia-cuda-mps-control is not on PATH: run "
                                       "scripts/setup.sh (Debian package nvidia-cuda-mps)";
    m_pipe = m_directory.path() + "/pipe";
    m_log = m_directory.path() + "/log";
    m_output = m_directory.path() + "/svc";
    m_script = m_output + "/gpushare-mps.sh";
  }

  void TearDown() override {
    // Whatever a failed assertion left running is stopped, so no daemon outlives the test.
    for (const int pid : daemons_serving(m_pipe)) {
      (void)::kill(pid, SIGKILL);
    }
  }

  /// Writes the files through the real binary with `extra` options added.
  void generate(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"k8s",           "mps-service", "--thread-pct", "40",
                                  "--mem-limit",   "4G,1=512M",   "--pipe-dir",   m_pipe,
                                  "--log-dir",     m_log,         "--control",    m_control,
                                  "--script-path", m_script,      "-o",           m_output};
    args.insert(args.end(), extra.begin(), extra.end());
    const test::binary_run run = test::run_gpushare(args);
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }

  process_outcome script(const std::string& action,
                         const std::map<std::string, std::string>& environment = {}) {
    return run_process({{"bash", m_script, action}, environment, ""}, 60s);
  }

  std::string command(const std::string& text) { return mps_command(m_control, m_pipe, text, 5s); }

  // Short: the pipe directory must stay within the daemon's socket path limit.
  scoped_private_directory m_directory{"/tmp", "gsms-"};
  std::string m_control;
  std::string m_pipe;
  std::string m_log;
  std::string m_output;
  std::string m_script;
};

TEST_F(MpsService, StartAppliesTheDefaultsAndStopLeavesNothing) {
  generate();
  const process_outcome stopped_status = script("status");
  EXPECT_EQ(stopped_status.exit_code, 3) << stopped_status.out << stopped_status.err;

  const process_outcome started = script("start");
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  EXPECT_THAT(started.err, HasSubstr("started (pid"));

  const std::vector<int> daemons = daemons_serving(m_pipe);
  ASSERT_EQ(daemons.size(), 1u) << "one control daemon in the private pipe directory";
  std::ifstream pid_file(m_pipe + "/gpushare-mps.pid");
  int recorded = 0;
  pid_file >> recorded;
  EXPECT_EQ(recorded, daemons[0]) << "the unit's PIDFile names the daemon";

  // The daemon itself answers with the defaults the script set.
  EXPECT_EQ(command("get_default_active_thread_percentage"), "40.0");
  EXPECT_EQ(command("get_default_device_pinned_mem_limit 0"), "4G");
  EXPECT_EQ(command("get_default_device_pinned_mem_limit 1"), "512M");
  EXPECT_TRUE(fs::exists(m_log + "/control.log"));

  const process_outcome status = script("status");
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("running: control daemon pid " + std::to_string(daemons[0])));
  EXPECT_THAT(status.out, HasSubstr("default active thread percentage: 40.0"));

  const process_outcome stopped = script("stop");
  ASSERT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err;
  EXPECT_TRUE(daemons_serving(m_pipe).empty()) << "the daemon is gone";
  EXPECT_THAT(entries_of(m_pipe), ::testing::IsEmpty()) << "no socket, lock or PID file is left";
  EXPECT_EQ(script("status").exit_code, 3);
  EXPECT_THROW((void)command("get_server_list"), environment_error);
}

TEST_F(MpsService, StartingTwiceKeepsOneDaemon) {
  generate();
  ASSERT_EQ(script("start").exit_code, 0);
  const process_outcome again = script("start");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("already answers"));
  EXPECT_EQ(daemons_serving(m_pipe).size(), 1u);
  EXPECT_EQ(script("stop").exit_code, 0);
  EXPECT_TRUE(daemons_serving(m_pipe).empty());
}

TEST_F(MpsService, StopWithoutADaemonSucceedsAndCleansUp) {
  generate();
  fs::create_directories(m_pipe);
  std::ofstream(m_pipe + "/control_lock") << "";
  const process_outcome stopped = script("stop");
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_THAT(entries_of(m_pipe), ::testing::IsEmpty());
}

TEST_F(MpsService, AMissingControlProgramIsReportedAndStartsNothing) {
  generate();
  const process_outcome started =
      script("start", {{"GPUSHARE_MPS_CONTROL", "/nonexistent/nvidia-cuda-mps-control"}});
  EXPECT_EQ(started.exit_code, 2);
  EXPECT_THAT(started.err, HasSubstr("cannot run /nonexistent/nvidia-cuda-mps-control"));
  EXPECT_FALSE(fs::exists(m_pipe)) << "nothing is created before the program is found";
}

TEST_F(MpsService, ADefaultTheDaemonDoesNotTakeFailsTheStartAndStopsIt) {
  // A front end that drops the thread percentage on its way to the real daemon, as a daemon
  // that rejects a value does: it answers and exits 0 but keeps its old value. Named like the
  // real program, so the script's process search finds the daemon it starts.
  const std::string wrapper_dir = m_directory.path() + "/bin";
  fs::create_directories(wrapper_dir);
  const std::string wrapper = wrapper_dir + "/nvidia-cuda-mps-control";
  std::ofstream(wrapper) << "#!/usr/bin/env bash\n"
                            "if (($# > 0)); then exec \"$REAL_CONTROL\" \"$@\"; fi\n"
                            "read -r line\n"
                            "if [[ $line == set_default_active_thread_percentage* ]]; then\n"
                            "  line=get_default_active_thread_percentage\n"
                            "fi\n"
                            "printf '%s\\n' \"$line\" | \"$REAL_CONTROL\"\n";
  fs::permissions(wrapper, fs::perms::owner_all);
  generate();
  const process_outcome started =
      script("start", {{"GPUSHARE_MPS_CONTROL", wrapper}, {"REAL_CONTROL", m_control}});
  EXPECT_EQ(started.exit_code, 1) << started.err;
  EXPECT_THAT(started.err, HasSubstr("did not take active thread percentage 40 (it answers "
                                     "'100.0')"));
  EXPECT_TRUE(daemons_serving(m_pipe).empty()) << "a daemon without its defaults is stopped";
  EXPECT_THAT(entries_of(m_pipe), ::testing::IsEmpty());
}

TEST_F(MpsService, SystemdAcceptsTheUnit) {
  const process_outcome probe =
      run_process({{"sh", "-c", "command -v systemd-analyze"}, {}, ""}, 5s);
  if (probe.exit_code != 0) {
    GTEST_SKIP() << "systemd-analyze is not installed, so the unit cannot be verified here";
  }
  generate();
  const process_outcome verified =
      run_process({{"systemd-analyze", "verify", m_output + "/nvidia-mps.service"}, {}, ""}, 60s);
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_EQ(verified.out + verified.err, "") << "systemd-analyze reports parse problems on stderr";
}

} // namespace
} // namespace gpushare
