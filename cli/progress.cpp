#include "cli/progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace gpushare::cli {
namespace {

// Forking a tenant, creating its CUDA context, verifying and warming up: seconds, not ms.
constexpr double tenant_startup_s = 3.0;
// A step timed by iteration count has no planned duration; this is only a placeholder.
constexpr double unplanned_phase_s = 5.0;

double phase_seconds(const run_config& step) {
  if (!step.duration_s) {
    return unplanned_phase_s;
  }
  return *step.duration_s * std::max(step.repetitions, 1);
}

} // namespace

progress_style choose_progress_style(bool quiet) {
  if (quiet) {
    return progress_style::none;
  }
  const char* ci = std::getenv("CI");
  if (ci != nullptr && *ci != '\0' && std::strcmp(ci, "0") != 0 && std::strcmp(ci, "false") != 0) {
    return progress_style::none;
  }
  return isatty(STDERR_FILENO) != 0 ? progress_style::live : progress_style::lines;
}

double estimated_step_seconds(const run_config& step) {
  if (step.mode == "calibrate") {
    // 8 GEMM series and 4 copy series of (warm-up + sizing + repetitions) batches of ~40 ms.
    return tenant_startup_s + 12 * 0.04 * (std::max(step.repetitions, 1) + 3);
  }
  if (step.mode == "streams") {
    const double phases = 2.0 * static_cast<double>(step.stream_counts.size()) + 4;
    return tenant_startup_s + phases * phase_seconds(step);
  }
  if (step.mode == "isolation") {
    // Per mechanism: the memory and fault scenarios (3 s each plus start-up and, under MPS, the
    // recovery probe) and two sharing runs of 3 tenants (3 alone + 1 together).
    const bool host = step.isolation_workloads == "host";
    const double startup = host ? 0.2 : tenant_startup_s;
    const double mechanisms =
        step.isolation_mechanisms.empty() ? 4.0 : double(step.isolation_mechanisms.size());
    const double scenarios = 2 * (2 * startup + (host ? 1.0 : 3.0));
    const double sharing = 2 * 4 * (startup + phase_seconds(step));
    return mechanisms * (scenarios + sharing);
  }
  // Tenant modes: each tenant alone, then all together. host-* instruments start at once.
  const bool host_only =
      !step.workloads.empty() &&
      std::all_of(step.workloads.begin(), step.workloads.end(),
                  [](const std::string& workload) { return workload.rfind("host-", 0) == 0; });
  const double startup = host_only ? 0.2 : tenant_startup_s;
  const auto tenants = static_cast<double>(std::max<std::size_t>(step.workloads.size(), 1));
  const double solo = tenants * (startup + phase_seconds(step));
  const double shared = startup + phase_seconds(step);
  return solo + shared + (step.mode == "mps" ? 1.0 : 0.0);
}

std::string format_eta(double seconds) {
  const auto total = static_cast<long long>(std::llround(std::max(seconds, 0.0)));
  if (total < 60) {
    return fmt::format("{} s", total);
  }
  if (total < 3600) {
    return fmt::format("{} min {:02} s", total / 60, total % 60);
  }
  return fmt::format("{} h {:02} min", total / 3600, (total % 3600) / 60);
}

progress_display::progress_display(std::ostream& out, progress_style style)
    : m_out(out), m_style(style) {}

progress_display::~progress_display() {
  const bool was_live = m_thread.joinable();
  stop_thread();
  if (was_live) {
    m_out << "\r\033[K" << std::flush; // an error or Ctrl-C: its own line follows
  }
}

void progress_display::begin(std::size_t index, std::size_t total, const std::string& what,
                             double estimate_s, double after_s) {
  stop_thread();
  m_prefix = fmt::format("[{}/{}] {}", index + 1, total, what);
  m_estimate_s = estimate_s;
  m_after_s = after_s;
  m_started = std::chrono::steady_clock::now();
  if (m_style == progress_style::lines) {
    m_out << fmt::format("{} (about {}; about {} left in all)\n", m_prefix, format_eta(estimate_s),
                         format_eta(estimate_s + after_s))
          << std::flush;
  } else if (m_style == progress_style::live) {
    m_stop = false;
    m_thread = std::thread([this] { redraw_until_stopped(); });
  }
}

void progress_display::end() {
  const bool was_live = m_thread.joinable();
  stop_thread();
  if (was_live) {
    const double spent =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count();
    m_out << fmt::format("\r\033[K{}: {}\n", m_prefix, format_eta(spent)) << std::flush;
  }
}

std::string progress_display::status_line() const {
  const double spent =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count();
  // An overrunning step adds to the wait instead of letting the ETA go negative.
  const double left = std::max(m_estimate_s - spent, 0.0) + m_after_s;
  return fmt::format("{}: {} of about {}; about {} left in all", m_prefix, format_eta(spent),
                     format_eta(std::max(m_estimate_s, spent)), format_eta(left));
}

void progress_display::redraw_until_stopped() {
  std::unique_lock<std::mutex> lock(m_mutex);
  do {
    m_out << "\r\033[K" << status_line() << std::flush;
  } while (!m_wake.wait_for(lock, std::chrono::milliseconds(500), [this] { return m_stop; }));
}

void progress_display::stop_thread() {
  if (!m_thread.joinable()) {
    return;
  }
  {
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_all();
  m_thread.join();
}

} // namespace gpushare::cli
