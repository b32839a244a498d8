#pragma once
// Running external programs (nvidia-cuda-mps-control, later nvidia-smi and tenants) the safe
// way: an argument vector exec'd directly, never a shell; every wait bounded by a timeout; a
// child that outlives its timeout is killed with its whole process group and reaped.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace gpushare {

struct process_spec {
  /// argv[0] is the program: a path, or a name looked up in PATH.
  std::vector<std::string> argv;
  /// Variables set for the child on top of this process's environment.
  std::map<std::string, std::string> set_environment;
  /// Fed to the child's standard input, which is then closed.
  std::string input;
  /// Variables of this process's environment the child must not see (an MPS client must not
  /// inherit CUDA_VISIBLE_DEVICES: the daemon's own selects its device).
  std::vector<std::string> unset_environment{};
};

struct process_outcome {
  int exit_code = -1; ///< -1 when killed by a signal or timed out
  int signal = 0;     ///< the signal that ended it, 0 if it exited
  bool timed_out = false;
  std::string out;
  std::string err;
};

/// Where `program` would be started from: itself when it names a path (it has a '/') and is an
/// executable file; otherwise the first executable file of that name in a directory of PATH.
/// Empty when there is none.
[[nodiscard]] std::optional<std::string> find_program(const std::string& program);

/// Runs to completion or until `timeout`, capturing stdout and stderr. Throws
/// environment_error naming the program when it cannot be started (e.g. not installed).
[[nodiscard]] process_outcome run_process(const process_spec& spec,
                                          std::chrono::milliseconds timeout);

/// A long-lived child (a daemon in the foreground) whose stdout and stderr go to a file. The
/// destructor kills and reaps it if it is still running: no orphan survives its owner.
class child_process {
public:
  /// Throws environment_error when the program cannot be started or the file not opened.
  static child_process spawn(const process_spec& spec, const std::string& output_path);
  /// As spawn(), but stdin and stdout are pipes to us (input_fd(), output_fd()); stderr goes
  /// to `error_path`. spec.input is ignored.
  static child_process spawn_piped(const process_spec& spec, const std::string& error_path);

  /// No process: running() is false; useful as a placeholder before spawn.
  child_process() = default;
  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&& other) noexcept;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  ~child_process();

  [[nodiscard]] pid_t pid() const noexcept { return m_pid; }
  /// Our end of the child's stdin / stdout pipe, -1 when not piped or closed.
  [[nodiscard]] int input_fd() const noexcept { return m_input; }
  [[nodiscard]] int output_fd() const noexcept { return m_output; }
  void close_input() noexcept;
  void close_output() noexcept;
  /// True until the child has exited and been reaped.
  [[nodiscard]] bool running();
  /// Waits up to `timeout` for the child to exit; its wait status, or nullopt if still running.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  /// SIGTERM to the child's process group, then SIGKILL after `grace`; always reaps.
  void terminate(std::chrono::milliseconds grace);
  /// Wait status once reaped (see waitpid), nullopt while running.
  [[nodiscard]] std::optional<int> status() const noexcept { return m_status; }

private:
  explicit child_process(pid_t pid, int input = -1, int output = -1) noexcept
      : m_pid(pid), m_input(input), m_output(output) {}
  pid_t m_pid = -1;
  int m_input = -1;
  int m_output = -1;
  std::optional<int> m_status;
};

/// Writes to a pipe whose reader may already be gone without raising SIGPIPE (which would
/// kill the whole process): returns false when the reader has closed it, true when all of
/// `text` was written.
bool write_to_pipe(int fd, const std::string& text) noexcept;

/// "exit code N" or "signal NAME" for a waitpid status.
[[nodiscard]] std::string describe_wait_status(int status);

} // namespace gpushare
