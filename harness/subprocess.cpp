#include "harness/subprocess.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>

extern char** environ;

namespace gpushare {
namespace {

using steady = std::chrono::steady_clock;

/// Owns a file descriptor; closes it once.
class descriptor {
public:
  descriptor() = default;
  explicit descriptor(int fd) noexcept : m_fd(fd) {}
  descriptor(descriptor&& other) noexcept : m_fd(other.release()) {}
  descriptor& operator=(descriptor&& other) noexcept {
    reset(other.release());
    return *this;
  }
  descriptor(const descriptor&) = delete;
  descriptor& operator=(const descriptor&) = delete;
  ~descriptor() { reset(-1); }
  [[nodiscard]] int get() const noexcept { return m_fd; }
  int release() noexcept {
    const int fd = m_fd;
    m_fd = -1;
    return fd;
  }
  void reset(int fd) noexcept {
    if (m_fd >= 0) {
      (void)close(m_fd);
    }
    m_fd = fd;
  }

private:
  int m_fd = -1;
};

struct pipe_pair {
  descriptor read_end;
  descriptor write_end;
};

pipe_pair make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw error(fmt::format("pipe2 failed: {}", std::strerror(errno)), exit_code::usage);
  }
  return {descriptor(fds[0]), descriptor(fds[1])};
}

/// The environment block for the child: ours without `removed`, with `overrides` replacing or
/// adding entries.
class environment_block {
public:
  environment_block(const std::map<std::string, std::string>& overrides,
                    const std::vector<std::string>& removed) {
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string text(*entry);
      const std::string name = text.substr(0, text.find('='));
      if (overrides.count(name) == 0 &&
          std::find(removed.begin(), removed.end(), name) == removed.end()) {
        m_storage.push_back(text);
      }
    }
    for (const auto& [name, value] : overrides) {
      m_storage.push_back(name + "=" + value);
    }
    for (auto& entry : m_storage) {
      m_pointers.push_back(entry.data());
    }
    m_pointers.push_back(nullptr);
  }
  [[nodiscard]] char* const* get() noexcept { return m_pointers.data(); }

private:
  std::vector<std::string> m_storage;
  std::vector<char*> m_pointers;
};

/// Starts the child in its own process group (so a timeout can kill everything it started)
/// with the given descriptors as stdin, stdout and stderr.
pid_t spawn_with(const process_spec& spec, int stdin_fd, int stdout_fd, int stderr_fd) {
  if (spec.argv.empty()) {
    throw std::invalid_argument("spawn: empty argument vector");
  }
  std::vector<std::string> argv_storage = spec.argv;
  std::vector<char*> argv;
  for (auto& arg : argv_storage) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  environment_block environment(spec.set_environment, spec.unset_environment);

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attributes);
  posix_spawn_file_actions_adddup2(&actions, stdin_fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, stderr_fd, STDERR_FILENO);
  posix_spawnattr_setpgroup(&attributes, 0);
  // The child must not inherit our SIGINT/SIGTERM handlers' ignore state or blocked signals.
  sigset_t no_signals;
  sigemptyset(&no_signals);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int status =
      posix_spawnp(&pid, argv[0], &actions, &attributes, argv.data(), environment.get());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (status != 0) {
    throw environment_error(fmt::format("cannot run {}: {}", spec.argv[0], std::strerror(status)));
  }
  return pid;
}

void kill_group(pid_t pid, int signal_number) {
  if (::kill(-pid, signal_number) != 0 && errno == ESRCH) {
    (void)::kill(pid, signal_number);
  }
}

} // namespace

bool write_to_pipe(int fd, const std::string& text) noexcept {
  // Block SIGPIPE for this thread while writing; a SIGPIPE raised by a closed pipe stays
  // pending and is consumed below, so it is never delivered.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
  std::size_t done = 0;
  bool broken = false;
  while (done < text.size()) {
    const ssize_t wrote = write(fd, text.data() + done, text.size() - done);
    if (wrote < 0 && errno == EINTR) {
      continue;
    }
    if (wrote < 0 && errno == EAGAIN) {
      break; // non-blocking and full: the child is not reading; it gets what fitted
    }
    if (wrote <= 0) {
      broken = true;
      break;
    }
    done += static_cast<std::size_t>(wrote);
  }
  if (broken) {
    const timespec no_wait{0, 0};
    while (sigtimedwait(&pipe_signal, nullptr, &no_wait) == SIGPIPE) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return !broken && done == text.size();
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) {
    return fmt::format("exit code {}", WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    const char* name = sigabbrev_np(WTERMSIG(status));
    return fmt::format("signal SIG{}", name != nullptr ? name : std::to_string(WTERMSIG(status)));
  }
  return fmt::format("wait status {}", status);
}

std::optional<std::string> find_program(const std::string& program) {
  const auto executable = [](const std::filesystem::path& path) {
    std::error_code ignored;
    return access(path.c_str(), X_OK) == 0 && !std::filesystem::is_directory(path, ignored);
  };
  if (program.find('/') != std::string::npos) {
    return executable(program) ? std::optional<std::string>(program) : std::nullopt;
  }
  const char* path = std::getenv("PATH");
  const std::string directories = path != nullptr ? path : "";
  std::size_t start = 0;
  while (start <= directories.size()) {
    const std::size_t end = std::min(directories.find(':', start), directories.size());
    const std::string directory = directories.substr(start, end - start);
    if (!directory.empty() && executable(std::filesystem::path(directory) / program)) {
      return (std::filesystem::path(directory) / program).string();
    }
    start = end + 1;
  }
  return std::nullopt;
}

process_outcome run_process(const process_spec& spec, std::chrono::milliseconds timeout) {
  pipe_pair in = make_pipe();
  pipe_pair out = make_pipe();
  pipe_pair err = make_pipe();
  const pid_t pid = spawn_with(spec, in.read_end.get(), out.write_end.get(), err.write_end.get());
  in.read_end.reset(-1);
  out.write_end.reset(-1);
  err.write_end.reset(-1);

  // Small inputs (commands) fit the pipe buffer; a child that does not read cannot block us
  // because the write end is non-blocking.
  (void)fcntl(in.write_end.get(), F_SETFL, O_NONBLOCK);
  if (!spec.input.empty()) {
    (void)write_to_pipe(in.write_end.get(), spec.input);
  }
  in.write_end.reset(-1);

  process_outcome outcome;
  const auto deadline = steady::now() + timeout;
  std::array<pollfd, 2> fds{{{out.read_end.get(), POLLIN, 0}, {err.read_end.get(), POLLIN, 0}}};
  std::array<std::string*, 2> sinks{&outcome.out, &outcome.err};
  int open_pipes = 2;
  while (open_pipes > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    if (left <= 0) {
      outcome.timed_out = true;
      break;
    }
    const int ready = poll(fds.data(), fds.size(), static_cast<int>(left));
    if (ready < 0 && errno != EINTR) {
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        continue;
      }
      char buffer[4096];
      const ssize_t got = read(fds[i].fd, buffer, sizeof(buffer));
      if (got > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_pipes;
      }
    }
  }
  int status = 0;
  if (outcome.timed_out) {
    kill_group(pid, SIGKILL);
  } else {
    // The pipes closed; the child exits right after, but give it the rest of the timeout.
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (steady::now() >= deadline) {
        outcome.timed_out = true;
        kill_group(pid, SIGKILL);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (!outcome.timed_out) {
      outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      outcome.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
      return outcome;
    }
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  outcome.signal = SIGKILL;
  return outcome;
}

child_process child_process::spawn(const process_spec& spec, const std::string& output_path) {
  descriptor output(open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (output.get() < 0) {
    throw environment_error(fmt::format("cannot open {} for {}: {}", output_path, spec.argv.at(0),
                                        std::strerror(errno)));
  }
  descriptor null_input(open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (null_input.get() < 0) {
    throw environment_error(fmt::format("cannot open /dev/null: {}", std::strerror(errno)));
  }
  return child_process(spawn_with(spec, null_input.get(), output.get(), output.get()));
}

child_process child_process::spawn_piped(const process_spec& spec, const std::string& error_path) {
  descriptor errors(open(error_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (errors.get() < 0) {
    throw environment_error(fmt::format("cannot open {} for {}: {}", error_path, spec.argv.at(0),
                                        std::strerror(errno)));
  }
  pipe_pair in = make_pipe();
  pipe_pair out = make_pipe();
  const pid_t pid = spawn_with(spec, in.read_end.get(), out.write_end.get(), errors.get());
  return child_process(pid, in.write_end.release(), out.read_end.release());
}

child_process::child_process(child_process&& other) noexcept
    : m_pid(std::exchange(other.m_pid, -1)), m_input(std::exchange(other.m_input, -1)),
      m_output(std::exchange(other.m_output, -1)), m_status(other.m_status) {}

child_process& child_process::operator=(child_process&& other) noexcept {
  std::swap(m_pid, other.m_pid);
  std::swap(m_input, other.m_input);
  std::swap(m_output, other.m_output);
  std::swap(m_status, other.m_status);
  return *this;
}

child_process::~child_process() {
  close_input();
  close_output();
  if (m_pid > 0 && !m_status) {
    terminate(std::chrono::milliseconds(0));
  }
}

void child_process::close_input() noexcept {
  if (m_input >= 0) {
    (void)close(m_input);
    m_input = -1;
  }
}

void child_process::close_output() noexcept {
  if (m_output >= 0) {
    (void)close(m_output);
    m_output = -1;
  }
}

bool child_process::running() {
  if (m_pid <= 0 || m_status) {
    return false;
  }
  int status = 0;
  const pid_t reaped = waitpid(m_pid, &status, WNOHANG);
  if (reaped == m_pid) {
    m_status = status;
    return false;
  }
  if (reaped < 0 && errno == ECHILD) {
    // Reaped elsewhere: gone, with its status lost. Report it as killed, never as success.
    m_status = SIGKILL;
    return false;
  }
  return true;
}

std::optional<int> child_process::wait_for(std::chrono::milliseconds timeout) {
  const auto deadline = steady::now() + timeout;
  while (running()) {
    if (steady::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return m_status;
}

void child_process::terminate(std::chrono::milliseconds grace) {
  if (!running()) {
    return;
  }
  kill_group(m_pid, SIGTERM);
  if (wait_for(grace)) {
    return;
  }
  kill_group(m_pid, SIGKILL);
  int status = 0;
  while (waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
  }
  m_status = status;
}

} // namespace gpushare
