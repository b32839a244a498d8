#pragma once
// The MPS control daemon the tool starts for itself. It lives in a fresh private directory
// (0700) that holds its pipe and log directories, runs in the foreground as our child so we
// own its process, and is always stopped: `quit`, then a kill if it does not exit in time,
// then the directory is removed. A daemon the tool did not start is never touched here.

#include "harness/subprocess.hpp"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace gpushare {

/// Longest pipe directory the control daemon accepts (its socket paths must fit sockaddr_un).
inline constexpr std::size_t max_mps_pipe_directory_length = 87;

struct mps_daemon_options {
  /// The control program; --mps-control overrides it.
  std::string control_program = "nvidia-cuda-mps-control";
  /// Where the private directory is created.
  std::string parent_directory = "/tmp";
  /// Variables for the daemon only, e.g. CUDA_VISIBLE_DEVICES to pick the device it serves.
  std::map<std::string, std::string> daemon_environment;
  std::chrono::milliseconds start_timeout{10000};
  std::chrono::milliseconds command_timeout{5000};
  std::chrono::milliseconds stop_timeout{10000};
};

class mps_daemon {
public:
  /// Creates the directory, starts `control_program -f` and waits until it answers a command.
  /// On failure nothing is left behind and environment_error says what happened, with the
  /// tail of the daemon's log.
  static mps_daemon start(const mps_daemon_options& options);

  mps_daemon(mps_daemon&& other) noexcept;
  mps_daemon& operator=(mps_daemon&& other) noexcept = delete;
  mps_daemon(const mps_daemon&) = delete;
  mps_daemon& operator=(const mps_daemon&) = delete;
  /// Stops the daemon if stop() was not called; never throws.
  ~mps_daemon();

  /// Sends one command through the front end and returns its answer without the trailing
  /// newline. Throws environment_error when the front end fails or times out.
  std::string command(const std::string& text) const;

  /// `quit`, wait, kill if needed, remove the directory. Idempotent. Returns how the daemon
  /// ended ("quit", or "killed after N ms").
  std::string stop();

  [[nodiscard]] bool running();
  [[nodiscard]] pid_t pid() const noexcept { return m_process.pid(); }
  [[nodiscard]] const std::string& directory() const noexcept { return m_directory; }
  [[nodiscard]] const std::string& pipe_directory() const noexcept { return m_pipe_directory; }
  [[nodiscard]] const std::string& log_directory() const noexcept { return m_log_directory; }
  /// What a client needs to reach this daemon (and nothing that would select a device).
  [[nodiscard]] std::map<std::string, std::string> client_environment() const;
  /// The last `lines` lines of the daemon's own output and of server.log, for error reports.
  [[nodiscard]] std::string log_tail(std::size_t lines = 20) const;

private:
  mps_daemon(mps_daemon_options options, std::string directory, child_process process);
  [[nodiscard]] std::map<std::string, std::string> front_end_environment() const;

  mps_daemon_options m_options;
  std::string m_directory;
  std::string m_pipe_directory;
  std::string m_log_directory;
  child_process m_process;
  bool m_stopped = false;
};

/// One command through the front end to the daemon behind `pipe_directory`; its answer
/// without the trailing newline. Throws environment_error when it fails, times out or is
/// rejected ("Unknown command").
[[nodiscard]] std::string mps_command(const std::string& control_program,
                                      const std::string& pipe_directory, const std::string& text,
                                      std::chrono::milliseconds timeout);

/// PIDs from an answer of get_server_list or get_client_list (one per line; "" is none).
[[nodiscard]] std::vector<int> parse_mps_pid_list(const std::string& answer);

/// Every client of every MPS server of the daemon: the processes that really run through MPS
/// (a CUDA client that cannot reach the daemon silently runs without it).
[[nodiscard]] std::vector<int> mps_client_pids(const std::string& control_program,
                                               const std::string& pipe_directory,
                                               std::chrono::milliseconds timeout);

/// The processes among `pids` that are no client of any server of the daemon: they could not
/// reach it and run without MPS. Throws environment_error when the lists cannot be read.
[[nodiscard]] std::vector<pid_t> mps_non_clients(const std::string& control_program,
                                                 const std::string& pipe_directory,
                                                 const std::vector<pid_t>& pids,
                                                 std::chrono::milliseconds timeout);

/// One line per MPS server of the daemon: "server PID: <get_server_status answer>" (ACTIVE,
/// FAULT, ...), or "server PID: status not readable: <why>" where the control program does not
/// know the command; "no MPS server running" when there is none. Throws environment_error when
/// even the server list cannot be read.
[[nodiscard]] std::vector<std::string> mps_server_states(const std::string& control_program,
                                                         const std::string& pipe_directory,
                                                         std::chrono::milliseconds timeout);

/// The last `lines` lines of a text file, "" when it cannot be read.
[[nodiscard]] std::string tail_of_file(const std::string& path, std::size_t lines);

} // namespace gpushare
