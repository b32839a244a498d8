#include "harness/tenant_runner.hpp"

#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "harness/mps_daemon.hpp"
#include "harness/subprocess.hpp"
#include "harness/tenant_protocol.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <poll.h>
#include <unistd.h>

namespace gpushare {
namespace {

using steady = std::chrono::steady_clock;

enum class stage { starting, ready, released, finished };

struct running_tenant {
  const tenant_plan* plan = nullptr;
  child_process process;
  tenant_message_reader reader;
  stage at = stage::starting;
  tenant_outcome outcome;
  std::string stderr_path;
  bool finish_reported = false; ///< on_finished was called for it
};

void write_line(int fd, const std::string& line) {
  // A tenant that died before reading cannot take the line; its exit is then reported from
  // its wait status.
  (void)write_to_pipe(fd, line + "\n");
}

double elapsed_ms(steady::time_point since) {
  return std::chrono::duration<double, std::milli>(steady::now() - since).count();
}

void finish(running_tenant& tenant, steady::time_point phase_start) {
  tenant.at = stage::finished;
  tenant.outcome.finished_ms = elapsed_ms(phase_start);
}

void fail(running_tenant& tenant, const std::string& status, const std::string& why,
          steady::time_point phase_start) {
  finish(tenant, phase_start);
  tenant.outcome.status = status;
  tenant.outcome.failure = why;
}

/// Handles what a tenant said; returns false when its output ended.
bool read_from(running_tenant& tenant, steady::time_point phase_start) {
  char buffer[65536];
  const ssize_t got = read(tenant.process.output_fd(), buffer, sizeof(buffer));
  if (got < 0 && errno == EINTR) {
    return true;
  }
  if (got <= 0) {
    return false;
  }
  tenant.reader.feed(std::string_view(buffer, static_cast<std::size_t>(got)));
  try {
    while (auto message = tenant.reader.next()) {
      switch (message->what) {
      case tenant_message::kind::ready:
        tenant.at = stage::ready;
        break;
      case tenant_message::kind::error:
        fail(tenant, "failed", message->error, phase_start);
        break;
      case tenant_message::kind::result:
        tenant.outcome.result = std::move(message->result);
        finish(tenant, phase_start);
        if (tenant.outcome.result->verification.checked &&
            !tenant.outcome.result->verification.passed) {
          fail(tenant, "failed",
               "verification failed: " + tenant.outcome.result->verification.detail, phase_start);
        }
        break;
      }
    }
  } catch (const std::exception& bad) {
    fail(tenant, "failed", bad.what(), phase_start);
  }
  return true;
}

} // namespace

std::string current_executable() {
  char path[PATH_MAX] = {};
  const ssize_t length = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (length <= 0) {
    throw environment_error(
        fmt::format("cannot find this program's path (/proc/self/exe): {}", std::strerror(errno)));
  }
  return std::string(path, static_cast<std::size_t>(length));
}

std::vector<std::string> tenant_command_line(const tenant_plan& tenant,
                                             const tenant_launch& launch) {
  std::vector<std::string> argv{
      launch.program,
      "tenant",
      "--workload",
      tenant.spec.canonical(),
      "--repetitions",
      std::to_string(launch.settings.repetitions),
      "--max-repetitions",
      std::to_string(launch.settings.max_repetitions),
      "--warmup",
      std::to_string(tenant.warmup_iterations.value_or(launch.settings.warmup_iterations)),
      "--device",
      std::to_string(launch.device),
      "--noise",
      fmt::format("{}", launch.settings.noise_threshold)};
  if (launch.settings.duration_s) {
    argv.insert(argv.end(), {"--duration", fmt::format("{}", *launch.settings.duration_s)});
  } else {
    argv.insert(
        argv.end(),
        {"--iterations", std::to_string(launch.settings.iterations.value_or(default_iterations))});
  }
  return argv;
}

std::vector<tenant_outcome> run_tenant_phase(const std::vector<tenant_plan>& tenants,
                                             const tenant_launch& launch,
                                             const released_hook& on_released,
                                             const finished_hook& on_finished) {
  const auto phase_start = steady::now();
  std::vector<running_tenant> running;
  running.reserve(tenants.size()); // `owners` below points into it while tenants join
  const auto spawn = [&](const tenant_plan& plan) {
    running_tenant tenant{&plan,
                          child_process{},
                          tenant_message_reader(launch.settings.noise_threshold),
                          stage::starting,
                          {},
                          {}};
    tenant.outcome.id = plan.id;
    tenant.stderr_path =
        (std::filesystem::path(launch.scratch_directory) / fmt::format("tenant-{}.stderr", plan.id))
            .string();
    process_spec spec{tenant_command_line(plan, launch), plan.environment, "",
                      plan.unset_environment};
    if (!launch.mps_free_pipe_directory.empty()) {
      spec.set_environment.emplace("CUDA_MPS_PIPE_DIRECTORY", launch.mps_free_pipe_directory);
    }
    tenant.process = child_process::spawn_piped(spec, tenant.stderr_path);
    running.push_back(std::move(tenant));
  };
  for (const tenant_plan& plan : tenants) {
    if (!plan.join_after_release) {
      spawn(plan);
    }
  }

  const auto report_finished = [&] {
    for (auto& tenant : running) {
      if (tenant.at == stage::finished && !tenant.finish_reported) {
        tenant.finish_reported = true;
        if (on_finished) {
          on_finished(tenant.outcome.id);
        }
      }
    }
  };
  const auto deadline = steady::now() + launch.timeout;
  bool released = false;
  while (true) {
    // Interrupted: the child_process destructors kill and reap every tenant on the way out.
    throw_if_interrupted();
    report_finished();
    bool all_finished = true;
    bool all_past_start = true;
    for (const auto& tenant : running) {
      all_finished = all_finished && tenant.at == stage::finished;
      all_past_start = all_past_start && tenant.at != stage::starting;
    }
    if (all_finished) {
      break;
    }
    if (!released && all_past_start) {
      // The barrier: every tenant that got ready is released in one tight loop.
      std::vector<pid_t> pids;
      for (auto& tenant : running) {
        if (tenant.at == stage::ready) {
          write_line(tenant.process.input_fd(), tenant_go_line);
          tenant.at = stage::released;
          pids.push_back(tenant.process.pid());
        }
      }
      released = true;
      // Joiners first: the hook may take seconds (it asks the MPS daemon for its clients), and
      // a joiner must act while the others still run.
      for (const tenant_plan& plan : tenants) {
        if (plan.join_after_release) {
          spawn(plan);
        }
      }
      if (on_released && !pids.empty()) {
        on_released(pids);
      }
      continue;
    }
    if (released) {
      // Tenants that joined after the barrier start timing as soon as they are ready.
      std::vector<pid_t> joined;
      for (auto& tenant : running) {
        if (tenant.at == stage::ready) {
          write_line(tenant.process.input_fd(), tenant_go_line);
          tenant.at = stage::released;
          joined.push_back(tenant.process.pid());
        }
      }
      if (on_released && !joined.empty()) {
        on_released(joined);
      }
    }
    if (steady::now() >= deadline) {
      for (auto& tenant : running) {
        if (tenant.at != stage::finished) {
          tenant.process.terminate(std::chrono::milliseconds(500));
          fail(tenant, "timeout",
               fmt::format("killed after the tenant timeout of {} s",
                           std::chrono::duration<double>(launch.timeout).count()),
               phase_start);
        }
      }
      break;
    }

    std::vector<pollfd> fds;
    std::vector<running_tenant*> owners;
    for (auto& tenant : running) {
      if (tenant.at != stage::finished && tenant.process.output_fd() >= 0) {
        fds.push_back({tenant.process.output_fd(), POLLIN, 0});
        owners.push_back(&tenant);
      }
    }
    if (poll(fds.data(), fds.size(), 50) < 0 && errno != EINTR) {
      throw error(fmt::format("poll on tenant pipes failed: {}", std::strerror(errno)),
                  exit_code::usage);
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        continue;
      }
      running_tenant& tenant = *owners[i];
      if (!read_from(tenant, phase_start)) {
        tenant.process.close_output();
        if (tenant.at != stage::finished) {
          const auto status = tenant.process.wait_for(std::chrono::milliseconds(2000));
          fail(tenant, "failed",
               status ? describe_wait_status(*status) + " without a result"
                      : "closed its output without a result",
               phase_start);
        }
      }
    }
  }

  report_finished();
  // A tenant that has sent its result still tears its CUDA context down, which for one that
  // holds most of the card's memory, or an MPS client after a fault, can take seconds; killing
  // an MPS client that is still tearing down can leave its server stuck (and the next
  // scenario's recovery time with it), so they get a generous grace, together, before the
  // signals; an interrupt ends the grace at once.
  constexpr std::chrono::milliseconds exit_grace{10'000};
  constexpr std::chrono::milliseconds exit_poll{50};
  const auto exit_deadline = steady::now() + exit_grace;
  for (auto& tenant : running) {
    tenant.process.close_input();
  }
  for (auto& tenant : running) {
    bool exited = tenant.process.wait_for(std::chrono::milliseconds(0)).has_value();
    while (!exited && steady::now() < exit_deadline && !interrupt_requested()) {
      exited = tenant.process.wait_for(exit_poll).has_value();
    }
    if (!exited) {
      tenant.process.terminate(std::chrono::milliseconds(500));
    }
    if (tenant.outcome.status != "ok") {
      tenant.outcome.stderr_tail = tail_of_file(tenant.stderr_path, 15);
    }
    std::filesystem::remove(tenant.stderr_path);
  }
  // In the order of `tenants`: tenants that joined after the barrier were spawned last.
  std::vector<tenant_outcome> outcomes;
  for (const tenant_plan& plan : tenants) {
    const auto started =
        std::find_if(running.begin(), running.end(),
                     [&](const running_tenant& tenant) { return tenant.plan == &plan; });
    if (started != running.end()) {
      outcomes.push_back(std::move(started->outcome));
      continue;
    }
    tenant_outcome never;
    never.id = plan.id;
    never.status = "failed";
    never.failure = "not started: the phase ended before the barrier released the other tenants";
    outcomes.push_back(std::move(never));
  }
  return outcomes;
}

} // namespace gpushare
