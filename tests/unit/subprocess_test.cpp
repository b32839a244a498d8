// External programs run with argument vectors and timeouts; real programs from coreutils.

#include "common/error.hpp"
#include "harness/subprocess.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

namespace gpushare {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

TEST(Subprocess, CapturesOutputAndExitCode) {
  const process_outcome printed = run_process({{"printf", "out %s", "text"}, {}, ""}, 5s);
  EXPECT_EQ(printed.exit_code, 0);
  EXPECT_EQ(printed.out, "out text");
  EXPECT_FALSE(printed.timed_out);
  const process_outcome failed = run_process({{"false"}, {}, ""}, 5s);
  EXPECT_EQ(failed.exit_code, 1);
  const process_outcome to_stderr = run_process({{"ls", "/nonexistent-gpushare-path"}, {}, ""}, 5s);
  EXPECT_NE(to_stderr.exit_code, 0);
  EXPECT_THAT(to_stderr.err, HasSubstr("nonexistent-gpushare-path"));
}

TEST(Subprocess, FeedsInputAndSetsEnvironment) {
  EXPECT_EQ(run_process({{"cat"}, {}, "get_server_list\n"}, 5s).out, "get_server_list\n");
  const process_outcome env = run_process({{"env"}, {{"GPUSHARE_TEST_VALUE", "42"}}, ""}, 5s);
  EXPECT_THAT(env.out, HasSubstr("GPUSHARE_TEST_VALUE=42\n"));
}

TEST(Subprocess, ProgramsAreFoundInPathOrByTheirOwnPath) {
  const std::optional<std::string> sh = find_program("sh");
  ASSERT_TRUE(sh);
  EXPECT_EQ(sh->substr(sh->rfind('/')), "/sh");
  EXPECT_EQ(find_program(*sh), sh) << "a path is taken as it is";
  EXPECT_FALSE(find_program("gpushare-no-such-program"));
  EXPECT_FALSE(find_program("/tmp")) << "a directory is no program";
  EXPECT_FALSE(find_program("/nonexistent-gpushare-dir/sh"));
}

TEST(Subprocess, UnsetVariablesAreNotInherited) {
  ASSERT_EQ(setenv("GPUSHARE_TEST_INHERITED", "1", 1), 0);
  const process_outcome kept = run_process({{"env"}, {}, ""}, 5s);
  EXPECT_THAT(kept.out, HasSubstr("GPUSHARE_TEST_INHERITED=1\n"));
  process_spec spec{{"env"}, {{"GPUSHARE_TEST_VALUE", "7"}}, ""};
  spec.unset_environment = {"GPUSHARE_TEST_INHERITED"};
  const process_outcome removed = run_process(spec, 5s);
  EXPECT_THAT(removed.out, Not(HasSubstr("GPUSHARE_TEST_INHERITED")));
  EXPECT_THAT(removed.out, HasSubstr("GPUSHARE_TEST_VALUE=7\n"));
  ASSERT_EQ(unsetenv("GPUSHARE_TEST_INHERITED"), 0);
}

TEST(Subprocess, ArgumentsReachTheProgramVerbatimWithoutAShell) {
  const std::string hostile = "$(echo injected); echo also `id` > /dev/null";
  const process_outcome printed = run_process({{"printf", "%s", hostile}, {}, ""}, 5s);
  EXPECT_EQ(printed.out, hostile);
}

TEST(Subprocess, TimeoutKillsTheChild) {
  const process_outcome slept = run_process({{"sleep", "30"}, {}, ""}, 200ms);
  EXPECT_TRUE(slept.timed_out);
  EXPECT_EQ(slept.signal, SIGKILL);
  EXPECT_EQ(slept.exit_code, -1);
}

TEST(Subprocess, MissingProgramIsAnEnvironmentError) {
  try {
    (void)run_process({{"/nonexistent/gpushare-tool"}, {}, ""}, 1s);
    FAIL() << "no exception";
  } catch (const environment_error& failure) {
    EXPECT_THAT(failure.what(), HasSubstr("cannot run /nonexistent/gpushare-tool"));
  }
}

TEST(ChildProcess, TerminateEndsAndReapsIt) {
  child_process child = child_process::spawn({{"sleep", "30"}, {}, ""}, "/dev/null");
  const pid_t pid = child.pid();
  EXPECT_TRUE(child.running());
  EXPECT_FALSE(child.wait_for(50ms).has_value());
  child.terminate(2s);
  EXPECT_FALSE(child.running());
  ASSERT_TRUE(child.status().has_value());
  EXPECT_TRUE(WIFSIGNALED(*child.status()));
  EXPECT_EQ(WTERMSIG(*child.status()), SIGTERM);
  EXPECT_FALSE(process_exists(pid));
}

TEST(ChildProcess, DestructorLeavesNoOrphan) {
  pid_t pid = -1;
  {
    child_process child = child_process::spawn({{"sleep", "30"}, {}, ""}, "/dev/null");
    pid = child.pid();
    EXPECT_TRUE(process_exists(pid));
  }
  EXPECT_FALSE(process_exists(pid));
}

TEST(ChildProcess, ReportsTheExitStatus) {
  child_process child = child_process::spawn({{"false"}, {}, ""}, "/dev/null");
  const auto status = child.wait_for(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(describe_wait_status(*status), "exit code 1");
}

TEST(Subprocess, WritingToAClosedPipeFailsWithoutKillingUs) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]); // no reader: a plain write would raise SIGPIPE and end this process
  EXPECT_FALSE(write_to_pipe(fds[1], "go\n"));
  close(fds[1]);
  int open_pipe[2];
  ASSERT_EQ(pipe(open_pipe), 0);
  EXPECT_TRUE(write_to_pipe(open_pipe[1], "go\n"));
  char buffer[8] = {};
  EXPECT_EQ(read(open_pipe[0], buffer, sizeof(buffer)), 3);
  close(open_pipe[0]);
  close(open_pipe[1]);
}

TEST(Subprocess, InputForAChildThatExitsAtOnceIsNotFatal) {
  // `true` exits without reading; feeding it must never kill the caller with SIGPIPE.
  const std::string input(200000, 'x');
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(run_process({{"true"}, {}, input}, 5s).exit_code, 0);
  }
}

TEST(Subprocess, DescribesWaitStatuses) {
  EXPECT_EQ(describe_wait_status(0), "exit code 0");
  EXPECT_EQ(describe_wait_status(SIGKILL), "signal SIGKILL");
  EXPECT_EQ(describe_wait_status(SIGSEGV), "signal SIGSEGV");
}

} // namespace
} // namespace gpushare
