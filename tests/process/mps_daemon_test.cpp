// The real MPS control daemon (Debian's nvidia-cuda-mps, installed by scripts/setup.sh): it
// starts, answers and quits without a GPU, so the whole lifecycle is tested here for real.
// Broken daemons are played by real programs that fail the way a daemon can fail.

#include "common/error.hpp"
#include "harness/mps_daemon.hpp"
#include "harness/mps_detect.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace gpushare {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

class MpsDaemon : public ::testing::Test {
protected:
  void SetUp() override {
    // Short: the daemon's pipe directory must stay within max_mps_pipe_directory_length.
    m_parent = fs::temp_directory_path() /
               ("gsmt-" + std::to_string(getpid()) + "-" + std::to_string(++s_counter));
    fs::remove_all(m_parent);
    fs::create_directories(m_parent);
    m_options.parent_directory = m_parent.string();
    m_options.start_timeout = 10s;
  }
  void TearDown() override {
    EXPECT_TRUE(fs::is_empty(m_parent)) << "a private MPS directory was left behind";
    fs::remove_all(m_parent);
  }

  /// A stand-in daemon: an executable script in the test directory.
  std::string script(const std::string& name, const std::string& body) {
    const fs::path path = m_parent.parent_path() / (m_parent.filename().string() + "-" + name);
    std::ofstream(path) << "#!/bin/bash\n" << body << "\n";
    fs::permissions(path, fs::perms::owner_all);
    m_scripts.push_back(path);
    return path.string();
  }

  static inline int s_counter = 0;
  fs::path m_parent;
  std::vector<fs::path> m_scripts;
  mps_daemon_options m_options;

  ~MpsDaemon() override {
    for (const auto& path : m_scripts) {
      fs::remove(path);
    }
  }
};

TEST_F(MpsDaemon, StartsInAPrivateDirectoryAnswersAndQuits) {
  mps_daemon daemon = mps_daemon::start(m_options);
  const pid_t pid = daemon.pid();
  EXPECT_TRUE(process_exists(pid));
  struct stat info {};
  ASSERT_EQ(stat(daemon.directory().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  EXPECT_TRUE(fs::exists(fs::path(daemon.pipe_directory()) / "control"));
  EXPECT_EQ(fs::path(daemon.pipe_directory()).parent_path(), fs::path(daemon.directory()));

  EXPECT_EQ(daemon.command("get_default_active_thread_percentage"), "100.0");
  EXPECT_EQ(daemon.command("set_default_active_thread_percentage 50"), "50.0");
  EXPECT_EQ(daemon.command("get_default_active_thread_percentage"), "50.0");
  EXPECT_EQ(daemon.command("get_server_list"), "") << "no GPU client, so no server";

  const auto client = daemon.client_environment();
  EXPECT_EQ(client.size(), 1u);
  EXPECT_EQ(client.at("CUDA_MPS_PIPE_DIRECTORY"), daemon.pipe_directory());
  EXPECT_THAT(daemon.log_tail(), HasSubstr("get_default_active_thread_percentage"));

  const std::string directory = daemon.directory();
  EXPECT_EQ(daemon.stop(), "quit");
  EXPECT_FALSE(process_exists(pid));
  EXPECT_FALSE(fs::exists(directory));
  EXPECT_EQ(daemon.stop(), "already stopped");
}

TEST_F(MpsDaemon, ProbeSeesTheRunningDaemonAndNotAfterItStopped) {
  mps_daemon daemon = mps_daemon::start(m_options);
  const auto contains = [](const std::vector<int>& pids, pid_t pid) {
    return std::find(pids.begin(), pids.end(), pid) != pids.end();
  };
  const mps_status running = detect_mps("/proc", daemon.pipe_directory().c_str());
  EXPECT_TRUE(running.daemon_running);
  EXPECT_TRUE(contains(running.control_pids, daemon.pid()));
  EXPECT_EQ(running.pipe_directory, daemon.pipe_directory());
  const pid_t pid = daemon.pid();
  daemon.stop();
  EXPECT_FALSE(contains(detect_mps("/proc", nullptr).control_pids, pid));
}

TEST_F(MpsDaemon, WithoutGpuClientsThereIsNoServerAndNoClient) {
  mps_daemon daemon = mps_daemon::start(m_options);
  EXPECT_TRUE(mps_client_pids(m_options.control_program, daemon.pipe_directory(), 5s).empty());
  // So every process is outside MPS, this one included; a stopped daemon cannot say.
  EXPECT_EQ(mps_non_clients(m_options.control_program, daemon.pipe_directory(), {getpid()}, 5s),
            std::vector<pid_t>{getpid()});
  EXPECT_EQ(mps_server_states(m_options.control_program, daemon.pipe_directory(), 5s),
            std::vector<std::string>{"no MPS server running"});
  const std::string pipe = daemon.pipe_directory();
  daemon.stop();
  EXPECT_THROW((void)mps_non_clients(m_options.control_program, pipe, {getpid()}, 5s),
               environment_error);
}

TEST(MpsPidList, ParsesOnePidPerLine) {
  EXPECT_EQ(parse_mps_pid_list(""), std::vector<int>{});
  EXPECT_EQ(parse_mps_pid_list("4242\n"), std::vector<int>{4242});
  EXPECT_EQ(parse_mps_pid_list("17\n23\n"), (std::vector<int>{17, 23}));
  EXPECT_EQ(parse_mps_pid_list(" 17\r\n\t23 \n \n"), (std::vector<int>{17, 23}));
  EXPECT_THROW((void)parse_mps_pid_list("17 23\n"), environment_error) << "two fields";
  EXPECT_THROW((void)parse_mps_pid_list("Server 17 not found\n"), environment_error);
}

TEST_F(MpsDaemon, RejectedCommandsAndAStoppedDaemonAreErrors) {
  mps_daemon daemon = mps_daemon::start(m_options);
  try {
    (void)daemon.command("no_such_command");
    FAIL() << "no exception";
  } catch (const environment_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("'no_such_command' was rejected"));
  }
  daemon.stop();
  try {
    (void)daemon.command("get_server_list");
    FAIL() << "no exception";
  } catch (const environment_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("failed (exit code 1)"));
  }
}

TEST_F(MpsDaemon, TooLongASocketPathIsRefusedBeforeStarting) {
  const fs::path deep = m_parent / std::string(90, 'd');
  fs::create_directories(deep);
  m_options.parent_directory = deep.string();
  try {
    (void)mps_daemon::start(m_options);
    FAIL() << "no exception";
  } catch (const environment_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("more than the 87 its sockets allow"));
  }
  EXPECT_TRUE(fs::is_empty(deep));
  fs::remove(deep);
}

TEST_F(MpsDaemon, DestructorStopsTheDaemon) {
  pid_t pid = -1;
  {
    mps_daemon daemon = mps_daemon::start(m_options);
    pid = daemon.pid();
  }
  EXPECT_FALSE(process_exists(pid));
}

TEST_F(MpsDaemon, MissingProgramIsReportedAndLeavesNothing) {
  m_options.control_program = "/nonexistent/nvidia-cuda-mps-control";
  try {
    (void)mps_daemon::start(m_options);
    FAIL() << "no exception";
  } catch (const environment_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("cannot run /nonexistent/nvidia-cuda-mps-control"));
  }
}

TEST_F(MpsDaemon, ADaemonThatDiesAtStartIsReportedWithItsLog) {
  m_options.control_program = script("dies", "echo 'cannot start: no permission' ; exit 3");
  try {
    (void)mps_daemon::start(m_options);
    FAIL() << "no exception";
  } catch (const environment_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("exited (exit code 3) before answering"));
    EXPECT_THAT(failure.what(), HasSubstr("cannot start: no permission"));
  }
}

TEST_F(MpsDaemon, ADaemonThatNeverAnswersIsKilledAfterTheTimeout) {
  // A sleep whose name no other process on the machine has, so pgrep finds only ours.
  const std::string marker = "gpushare-silent-daemon-" + std::to_string(getpid());
  m_options.control_program = script("silent", "exec -a " + marker + " sleep 60");
  m_options.start_timeout = 300ms;
  try {
    (void)mps_daemon::start(m_options);
    FAIL() << "no exception";
  } catch (const environment_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("did not answer within 300 ms"));
  }
  // The stand-in must be gone too: no process still runs the script's sleep in our group.
  const process_outcome left = run_process({{"pgrep", "-f", "^" + marker}, {}, ""}, 5s);
  EXPECT_NE(left.exit_code, 0) << "still running: " << left.out;
}

} // namespace
} // namespace gpushare
