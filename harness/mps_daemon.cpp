#include "harness/mps_daemon.hpp"

#include "common/error.hpp"
#include "harness/private_directory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <thread>
#include <utility>

namespace gpushare {
namespace {

namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;

constexpr const char* daemon_output_name = "control-foreground.log";

} // namespace

std::string tail_of_file(const std::string& path, std::size_t lines) {
  std::ifstream file(path);
  if (!file) {
    return "";
  }
  std::deque<std::string> last;
  for (std::string line; std::getline(file, line);) {
    last.push_back(line);
    if (last.size() > lines) {
      last.pop_front();
    }
  }
  std::string text;
  for (const auto& line : last) {
    text += line + '\n';
  }
  return text;
}

mps_daemon::mps_daemon(mps_daemon_options options, std::string directory, child_process process)
    : m_options(std::move(options)), m_directory(std::move(directory)),
      m_pipe_directory((fs::path(m_directory) / "pipe").string()),
      m_log_directory((fs::path(m_directory) / "log").string()), m_process(std::move(process)) {}

mps_daemon::mps_daemon(mps_daemon&& other) noexcept
    : m_options(std::move(other.m_options)), m_directory(std::move(other.m_directory)),
      m_pipe_directory(std::move(other.m_pipe_directory)),
      m_log_directory(std::move(other.m_log_directory)), m_process(std::move(other.m_process)),
      m_stopped(std::exchange(other.m_stopped, true)) {}

mps_daemon mps_daemon::start(const mps_daemon_options& options) {
  const std::string directory =
      make_private_directory(options.parent_directory, "gpushare-mps-", {"pipe", "log"});
  // The daemon's sockets live in the pipe directory and socket paths are short (sockaddr_un).
  // With a pipe directory longer than 87 bytes the 535 daemon exits with code 1 and no log
  // line (measured), so refuse with a reason instead.
  const std::string pipe_directory = (fs::path(directory) / "pipe").string();
  if (pipe_directory.size() > max_mps_pipe_directory_length) {
    fs::remove_all(directory);
    throw environment_error(fmt::format("the MPS pipe directory {} is {} bytes long, more than "
                                        "the {} its sockets allow; choose a shorter parent "
                                        "directory",
                                        pipe_directory, pipe_directory.size(),
                                        max_mps_pipe_directory_length));
  }
  process_spec spec;
  spec.argv = {options.control_program, "-f"};
  spec.set_environment = options.daemon_environment;
  spec.set_environment["CUDA_MPS_PIPE_DIRECTORY"] = (fs::path(directory) / "pipe").string();
  spec.set_environment["CUDA_MPS_LOG_DIRECTORY"] = (fs::path(directory) / "log").string();
  child_process process = [&] {
    try {
      return child_process::spawn(spec,
                                  (fs::path(directory) / "log" / daemon_output_name).string());
    } catch (...) {
      fs::remove_all(directory);
      throw;
    }
  }();
  mps_daemon daemon(options, directory, std::move(process));

  // The daemon creates its control socket some time after it starts; it is ready once the
  // front end gets an answer through it.
  const auto deadline = steady::now() + options.start_timeout;
  std::string last_answer;
  while (true) {
    if (!daemon.running()) {
      const std::string ended = describe_wait_status(daemon.m_process.status().value_or(0));
      const std::string log = daemon.log_tail();
      daemon.stop();
      throw environment_error(fmt::format("the MPS control daemon {} exited ({}) before answering; "
                                          "its log: {}",
                                          options.control_program, ended,
                                          log.empty() ? "(empty)" : log));
    }
    if (fs::exists(fs::path(daemon.m_pipe_directory) / "control")) {
      process_spec probe{
          {options.control_program}, daemon.front_end_environment(), "get_server_list\n"};
      const process_outcome answer = run_process(probe, options.command_timeout);
      if (answer.exit_code == 0) {
        return daemon;
      }
      last_answer = answer.out + answer.err;
    }
    if (steady::now() >= deadline) {
      const std::string log = daemon.log_tail();
      daemon.stop();
      throw environment_error(fmt::format(
          "the MPS control daemon {} did not answer within {} ms (last answer: {}); its log: {}",
          options.control_program, options.start_timeout.count(),
          last_answer.empty() ? "none" : last_answer, log.empty() ? "(empty)" : log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

mps_daemon::~mps_daemon() {
  try {
    stop();
  } catch (...) {
    // A destructor cannot report; stop() already killed and reaped the process first.
  }
}

std::map<std::string, std::string> mps_daemon::front_end_environment() const {
  return {{"CUDA_MPS_PIPE_DIRECTORY", m_pipe_directory},
          {"CUDA_MPS_LOG_DIRECTORY", m_log_directory}};
}

std::map<std::string, std::string> mps_daemon::client_environment() const {
  return {{"CUDA_MPS_PIPE_DIRECTORY", m_pipe_directory}};
}

bool mps_daemon::running() {
  return !m_stopped && m_process.running();
}

std::string mps_daemon::command(const std::string& text) const {
  return mps_command(m_options.control_program, m_pipe_directory, text, m_options.command_timeout);
}

std::string mps_command(const std::string& control_program, const std::string& pipe_directory,
                        const std::string& text, std::chrono::milliseconds timeout) {
  process_spec spec{{control_program}, {{"CUDA_MPS_PIPE_DIRECTORY", pipe_directory}}, text + "\n"};
  const process_outcome answer = run_process(spec, timeout);
  if (answer.timed_out) {
    throw environment_error(
        fmt::format("MPS command '{}' got no answer within {} ms", text, timeout.count()));
  }
  if (answer.exit_code != 0) {
    throw environment_error(
        fmt::format("MPS command '{}' failed ({}): {}", text,
                    answer.signal != 0 ? "killed" : "exit code " + std::to_string(answer.exit_code),
                    answer.out + answer.err));
  }
  // The front end exits 0 even for a command the daemon rejects; the answer says so.
  if (answer.out.rfind("Unknown command", 0) == 0) {
    throw environment_error(fmt::format("MPS command '{}' was rejected: {}", text, answer.out));
  }
  std::string result = answer.out;
  while (!result.empty() && (result.back() == '\n' || result.back() == '\r')) {
    result.pop_back();
  }
  return result;
}

std::vector<int> parse_mps_pid_list(const std::string& answer) {
  std::vector<int> pids;
  std::size_t begin = 0;
  while (begin < answer.size()) {
    const auto end = answer.find('\n', begin);
    std::string line =
        answer.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    begin = end == std::string::npos ? answer.size() : end + 1;
    // Blanks around a pid (a carriage return, an indent) say nothing; any other text does.
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) {
      continue;
    }
    line = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
    if (line.find_first_not_of("0123456789") != std::string::npos || line.size() > 9) {
      throw environment_error("unexpected line in an MPS process list: '" + line + "'");
    }
    pids.push_back(std::stoi(line));
  }
  return pids;
}

std::vector<int> mps_client_pids(const std::string& control_program,
                                 const std::string& pipe_directory,
                                 std::chrono::milliseconds timeout) {
  std::vector<int> clients;
  for (const int server : parse_mps_pid_list(
           mps_command(control_program, pipe_directory, "get_server_list", timeout))) {
    const auto of_server = parse_mps_pid_list(mps_command(
        control_program, pipe_directory, "get_client_list " + std::to_string(server), timeout));
    clients.insert(clients.end(), of_server.begin(), of_server.end());
  }
  return clients;
}

std::vector<pid_t> mps_non_clients(const std::string& control_program,
                                   const std::string& pipe_directory,
                                   const std::vector<pid_t>& pids,
                                   std::chrono::milliseconds timeout) {
  const std::vector<int> clients = mps_client_pids(control_program, pipe_directory, timeout);
  std::vector<pid_t> outside;
  for (const pid_t pid : pids) {
    if (std::find(clients.begin(), clients.end(), pid) == clients.end()) {
      outside.push_back(pid);
    }
  }
  return outside;
}

std::vector<std::string> mps_server_states(const std::string& control_program,
                                           const std::string& pipe_directory,
                                           std::chrono::milliseconds timeout) {
  std::vector<std::string> states;
  for (const int server : parse_mps_pid_list(
           mps_command(control_program, pipe_directory, "get_server_list", timeout))) {
    try {
      states.push_back(
          fmt::format("server {}: {}", server,
                      mps_command(control_program, pipe_directory,
                                  "get_server_status " + std::to_string(server), timeout)));
    } catch (const environment_error& unreadable) {
      states.push_back(
          fmt::format("server {}: status not readable: {}", server, unreadable.what()));
    }
  }
  if (states.empty()) {
    states.emplace_back("no MPS server running");
  }
  return states;
}

std::string mps_daemon::stop() {
  if (m_stopped) {
    return "already stopped";
  }
  std::string how;
  if (m_process.running()) {
    // Only a daemon that made its control socket can take `quit`; one that did not, or that
    // does not answer, is terminated at once instead of waited for.
    bool quit_sent = false;
    if (fs::exists(fs::path(m_pipe_directory) / "control")) {
      process_spec quit{{m_options.control_program}, front_end_environment(), "quit\n"};
      quit_sent = run_process(quit, m_options.command_timeout).exit_code == 0;
    }
    if (quit_sent && m_process.wait_for(m_options.stop_timeout)) {
      how = "quit";
    } else if (!quit_sent) {
      m_process.terminate(std::chrono::milliseconds(1000));
      how = "terminated: it could not take quit";
    } else {
      m_process.terminate(std::chrono::milliseconds(1000));
      how =
          fmt::format("killed after {} ms without exiting on quit", m_options.stop_timeout.count());
    }
  } else {
    how = "had already exited";
  }
  m_stopped = true;
  std::error_code ignored;
  fs::remove_all(m_directory, ignored);
  return how;
}

std::string mps_daemon::log_tail(std::size_t lines) const {
  std::string text;
  const auto add = [&](const char* name) {
    const std::string tail = tail_of_file((fs::path(m_log_directory) / name).string(), lines);
    if (!tail.empty()) {
      text += fmt::format("[{}]\n{}", name, tail);
    }
  };
  add(daemon_output_name);
  add("control.log");
  add("server.log");
  return text;
}

} // namespace gpushare
