// Start skew of the tenant barrier: how far apart N tenants, each blocked reading its stdin
// pipe, wake up when the harness writes "go" to every pipe in one loop, as tenant_runner does.
// This is the floor under the start_skew_us of a multi-tenant report: the part that comes
// from the barrier and the scheduler alone, before a tenant touches the GPU.
//
// The tenants are fork()ed children that only read and write pipes and read the clock (all
// async-signal-safe calls), so they never touch the CUDA state this process may hold. They
// are kept for the whole benchmark: between rounds each is back in read() on its pipe, which
// is the state a real tenant waits in once it has reported "ready".
#include "harness/subprocess.hpp"
#include "harness/tenant_protocol.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <poll.h>
#include <sched.h>
#include <stdexcept>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <system_error>
#include <time.h>
#include <unistd.h>
#include <vector>

namespace {

[[noreturn]] void throw_system_error(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

std::uint64_t monotonic_ns() noexcept {
  timespec now{};
  // CLOCK_MONOTONIC cannot fail with a valid pointer; 0 would only make a skew look larger.
  (void)clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000000000u +
         static_cast<std::uint64_t>(now.tv_nsec);
}

// The child's whole life: wait for a line on `go_fd` exactly as a tenant waits for "go" (byte
// by byte up to the newline), stamp CLOCK_MONOTONIC, send the stamp on `wake_fd`, repeat
// until the pipe closes. Only async-signal-safe calls: the parent may have threads.
[[noreturn]] void sleeping_tenant(int go_fd, int wake_fd) noexcept {
  char c = 0;
  while (true) {
    const ssize_t got = read(go_fd, &c, 1);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      _exit(got == 0 ? 0 : 1); // closed: the benchmark is over
    }
    if (c != '\n') {
      continue;
    }
    timespec now{};
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) {
      _exit(2);
    }
    const std::uint64_t stamp = static_cast<std::uint64_t>(now.tv_sec) * 1000000000u +
                                static_cast<std::uint64_t>(now.tv_nsec);
    // 8 bytes are below PIPE_BUF, so the write is atomic: all or nothing.
    ssize_t wrote = 0;
    do {
      wrote = write(wake_fd, &stamp, sizeof(stamp));
    } while (wrote < 0 && errno == EINTR);
    if (wrote != static_cast<ssize_t>(sizeof(stamp))) {
      _exit(3);
    }
  }
}

struct barrier_round {
  std::uint64_t release_start_ns = 0; ///< before the first "go" is written
  std::uint64_t release_end_ns = 0;   ///< after the last one
  std::uint64_t first_wake_ns = 0;
  std::uint64_t last_wake_ns = 0;
};

// N forked tenants and the two pipes to each. The destructor closes the "go" pipes, which
// ends every child, and reaps them: no child outlives the benchmark.
class sleeping_tenants {
public:
  explicit sleeping_tenants(int count) {
    m_tenants.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
      spawn();
    }
  }
  sleeping_tenants(const sleeping_tenants&) = delete;
  sleeping_tenants& operator=(const sleeping_tenants&) = delete;

  ~sleeping_tenants() {
    for (const tenant& child : m_tenants) {
      (void)close(child.go_fd);
    }
    for (const tenant& child : m_tenants) {
      (void)close(child.wake_fd);
      int status = 0;
      while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }

  // Waits until every tenant is asleep in read(): releasing one still on its way back from the
  // previous round would measure a wake-up that never had to happen.
  void wait_until_blocked() const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (const tenant& child : m_tenants) {
      while (!is_sleeping(child.pid)) {
        if (std::chrono::steady_clock::now() > deadline) {
          throw std::runtime_error("tenant " + std::to_string(child.pid) +
                                   " did not block on its pipe within 10 s");
        }
        // On few cores the child may need this core to get back to read().
        (void)sched_yield();
      }
    }
  }

  // One barrier: "go" to every tenant in one loop, then every tenant's wake-up stamp.
  [[nodiscard]] barrier_round release() const {
    const std::string go = std::string(gpushare::tenant_go_line) + "\n";
    barrier_round round;
    round.release_start_ns = monotonic_ns();
    for (const tenant& child : m_tenants) {
      if (!gpushare::write_to_pipe(child.go_fd, go)) {
        throw std::runtime_error("tenant " + std::to_string(child.pid) + " closed its pipe");
      }
    }
    round.release_end_ns = monotonic_ns();
    round.first_wake_ns = UINT64_MAX;
    for (const tenant& child : m_tenants) {
      const std::uint64_t woke = read_stamp(child);
      round.first_wake_ns = std::min(round.first_wake_ns, woke);
      round.last_wake_ns = std::max(round.last_wake_ns, woke);
    }
    return round;
  }

private:
  struct tenant {
    pid_t pid = -1;
    int go_fd = -1;   ///< write end of the child's "go" pipe
    int wake_fd = -1; ///< read end of the child's wake-up stamp pipe
  };

  void spawn() {
    int go[2];
    int wake[2];
    if (pipe(go) != 0) {
      throw_system_error("pipe");
    }
    if (pipe(wake) != 0) {
      const int saved = errno;
      (void)close(go[0]);
      (void)close(go[1]);
      errno = saved;
      throw_system_error("pipe");
    }
    const pid_t pid = fork();
    if (pid < 0) {
      const int saved = errno;
      for (int fd : {go[0], go[1], wake[0], wake[1]}) {
        (void)close(fd);
      }
      errno = saved;
      throw_system_error("fork");
    }
    if (pid == 0) {
      // Drop the parent's ends, including those of earlier tenants: a child holding another
      // child's "go" write end would keep that pipe open after the parent closes it.
      for (const tenant& earlier : m_tenants) {
        (void)close(earlier.go_fd);
        (void)close(earlier.wake_fd);
      }
      (void)close(go[1]);
      (void)close(wake[0]);
      sleeping_tenant(go[0], wake[1]);
    }
    (void)close(go[0]);
    (void)close(wake[1]);
    m_tenants.push_back(tenant{pid, go[1], wake[0]});
  }

  // True when /proc says the process is in interruptible sleep; the children block nowhere
  // but in read() on their "go" pipe (the stamp pipe is drained before each round).
  static bool is_sleeping(pid_t pid) {
    const std::string path = "/proc/" + std::to_string(pid) + "/stat";
    std::FILE* file = std::fopen(path.c_str(), "r");
    if (file == nullptr) {
      throw_system_error("open " + path);
    }
    char buffer[512];
    const std::size_t got = std::fread(buffer, 1, sizeof(buffer) - 1, file);
    (void)std::fclose(file);
    buffer[got] = '\0';
    // "pid (comm) S ...": the command name may hold spaces and parentheses, the last ')' ends it.
    const std::string stat(buffer);
    const std::size_t close_paren = stat.rfind(')');
    if (close_paren == std::string::npos || close_paren + 2 >= stat.size()) {
      throw std::runtime_error("cannot parse " + path);
    }
    return stat[close_paren + 2] == 'S';
  }

  static std::uint64_t read_stamp(const tenant& child) {
    std::uint64_t stamp = 0;
    auto* bytes = reinterpret_cast<char*>(&stamp);
    std::size_t done = 0;
    while (done < sizeof(stamp)) {
      pollfd readable{child.wake_fd, POLLIN, 0};
      const int ready = poll(&readable, 1, 10000);
      if (ready < 0 && errno == EINTR) {
        continue;
      }
      if (ready < 0) {
        throw_system_error("poll");
      }
      if (ready == 0) {
        throw std::runtime_error("tenant " + std::to_string(child.pid) +
                                 " did not wake within 10 s");
      }
      const ssize_t got = read(child.wake_fd, bytes + done, sizeof(stamp) - done);
      if (got < 0 && errno == EINTR) {
        continue;
      }
      if (got < 0) {
        throw_system_error("read");
      }
      if (got == 0) {
        throw std::runtime_error("tenant " + std::to_string(child.pid) + " exited");
      }
      done += static_cast<std::size_t>(got);
    }
    return stamp;
  }

  std::vector<tenant> m_tenants;
};

double median_of(std::vector<double> values) {
  if (values.empty()) {
    return 0;
  }
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

// Iteration time: from the first "go" written to the last tenant awake. Counters (us):
// skew_us, the median over rounds of last minus first wake-up (what start_skew_us measures in
// a report); skew_max_us, the worst round; release_loop_us, the median time of the write loop.
void BM_barrier_release_skew(benchmark::State& state) {
  try {
    const sleeping_tenants tenants(static_cast<int>(state.range(0)));
    std::vector<double> skews_us;
    std::vector<double> loops_us;
    for (auto _ : state) {
      tenants.wait_until_blocked();
      const barrier_round round = tenants.release();
      state.SetIterationTime(static_cast<double>(round.last_wake_ns - round.release_start_ns) *
                             1e-9);
      skews_us.push_back(static_cast<double>(round.last_wake_ns - round.first_wake_ns) * 1e-3);
      loops_us.push_back(static_cast<double>(round.release_end_ns - round.release_start_ns) * 1e-3);
    }
    state.counters["skew_us"] = median_of(skews_us);
    state.counters["skew_max_us"] =
        skews_us.empty() ? 0.0 : *std::max_element(skews_us.begin(), skews_us.end());
    state.counters["release_loop_us"] = median_of(loops_us);
  } catch (const std::exception& error) {
    state.SkipWithError(error.what());
  }
}
BENCHMARK(BM_barrier_release_skew)
    ->ArgName("tenants")
    ->RangeMultiplier(2)
    ->Range(2, 64)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

} // namespace
