#include "harness/telemetry_sampler.hpp"

#include "harness/telemetry_fields.hpp"

#include <algorithm>
#include <cstdint>

namespace gpushare {
namespace {

telemetry_stat stat_of(const std::vector<double>& values) {
  telemetry_stat stat;
  if (values.empty()) {
    return stat;
  }
  double sum = 0;
  for (const double value : values) {
    sum += value;
  }
  stat.mean = sum / static_cast<double>(values.size());
  stat.max = *std::max_element(values.begin(), values.end());
  return stat;
}

/// Idle clocks are not drift: between iterations, and while tenants start, the GPU drops to
/// its idle clock by design. Only samples of a busy GPU count.
bool busy(const telemetry_sample& sample) {
  if (sample.clocks_event_reasons &&
      (*sample.clocks_event_reasons & clocks_event_reason::gpu_idle) != 0) {
    return false;
  }
  return !sample.gpu_util_pct || *sample.gpu_util_pct > 0;
}

void add_once(std::vector<std::string>& flags, const char* flag) {
  if (std::find(flags.begin(), flags.end(), flag) == flags.end()) {
    flags.emplace_back(flag);
  }
}

} // namespace

gpu_phase_telemetry summarize_gpu(const std::string& gpu_uuid,
                                  const std::vector<telemetry_reading>& readings,
                                  double max_clock_drift) {
  gpu_phase_telemetry gpu;
  gpu.gpu_uuid = gpu_uuid;
  std::uint64_t reasons = 0;
  std::vector<double> busy_sm_clocks;
  for (const telemetry_reading& reading : readings) {
    gpu.samples.push_back(reading.counters);
    const telemetry_sample& sample = reading.counters;
    reasons |= sample.clocks_event_reasons.value_or(0);
    if (sample.sm_clock_mhz && busy(sample)) {
      busy_sm_clocks.push_back(*sample.sm_clock_mhz);
    }
    for (const auto& [pid, bytes] : reading.process_memory_bytes) {
      std::uint64_t& largest = gpu.process_memory_bytes[pid];
      largest = std::max(largest, bytes);
    }
    gpu.read_errors += reading.failed_reads;
    if (!reading.first_error.empty()) {
      gpu.last_read_error = reading.first_error;
    }
  }
  for (const telemetry_field& field : telemetry_fields) {
    std::vector<double> values;
    for (const telemetry_sample& sample : gpu.samples) {
      if (const auto& value = sample.*field.value) {
        values.push_back(*value);
      }
    }
    gpu.*field.stat = stat_of(values);
  }
  gpu.clocks_event_reasons = clocks_event_reason_names(reasons);
  gpu.throttled = (reasons & clocks_event_reason::throttling) != 0;
  if (!busy_sm_clocks.empty()) {
    const auto [low, high] = std::minmax_element(busy_sm_clocks.begin(), busy_sm_clocks.end());
    if (*high > 0) {
      gpu.sm_clock_drift = (*high - *low) / *high;
      gpu.clock_drift = *gpu.sm_clock_drift > max_clock_drift;
    }
  }
  return gpu;
}

void add_telemetry_flags(const std::vector<phase_telemetry>& phases,
                         std::vector<std::string>& flags) {
  for (const phase_telemetry& phase : phases) {
    for (const std::string& flag : phase.flags) {
      add_once(flags, flag.c_str());
    }
  }
}

telemetry_sampler::telemetry_sampler(const telemetry_settings& settings, std::string phase,
                                     std::optional<int> tenant)
    : m_settings(settings), m_phase(std::move(phase)), m_tenant(tenant),
      m_start(std::chrono::steady_clock::now()), m_readings(settings.gpu_uuids.size()) {}

telemetry_sampler::~telemetry_sampler() {
  join();
}

void telemetry_sampler::start() {
  m_start = std::chrono::steady_clock::now();
  sample_once();
  m_thread = std::thread([this] { run(); });
}

void telemetry_sampler::run() {
  auto next = m_start + m_settings.interval;
  std::unique_lock<std::mutex> lock(m_mutex);
  while (!m_wake.wait_until(lock, next, [this] { return m_stopping; })) {
    lock.unlock();
    try {
      sample_once();
    } catch (const std::exception& failure) {
      m_thread_error = failure.what();
      return;
    }
    lock.lock();
    // A slow round does not make the next one come early: ticks stay on the grid and a
    // missed tick is skipped rather than sampled twice.
    const auto now = std::chrono::steady_clock::now();
    while (next <= now) {
      next += m_settings.interval;
    }
  }
}

void telemetry_sampler::join() {
  if (!m_thread.joinable()) {
    return;
  }
  {
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  m_thread.join();
}

void telemetry_sampler::sample_once() {
  if (m_settings.source == nullptr) {
    return;
  }
  const auto begin = std::chrono::steady_clock::now();
  const double t_ms = std::chrono::duration<double, std::milli>(begin - m_start).count();
  for (std::size_t i = 0; i < m_settings.gpu_uuids.size(); ++i) {
    telemetry_reading reading = m_settings.source->read(m_settings.gpu_uuids[i]);
    reading.counters.t_ms = t_ms;
    m_readings[i].push_back(std::move(reading));
  }
  m_round_cost_us.push_back(
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - begin).count());
}

phase_telemetry telemetry_sampler::stop() {
  if (m_thread.joinable()) {
    join();
    if (m_thread_error.empty()) {
      // Telemetry qualifies a measurement; a failing last read must not fail the phase.
      try {
        sample_once();
      } catch (const std::exception& failure) {
        m_thread_error = failure.what();
      }
    }
  }
  phase_telemetry phase;
  phase.phase = m_phase;
  phase.tenant = m_tenant;
  phase.interval_ms = std::chrono::duration<double, std::milli>(m_settings.interval).count();
  phase.samples = m_round_cost_us.size();
  phase.sample_cost_us = stat_of(m_round_cost_us);
  if (!m_thread_error.empty()) {
    add_once(phase.flags, "telemetry_stopped");
  }
  for (std::size_t i = 0; i < m_settings.gpu_uuids.size(); ++i) {
    phase.gpus.push_back(
        summarize_gpu(m_settings.gpu_uuids[i], m_readings[i], m_settings.max_clock_drift));
    if (phase.gpus.back().throttled) {
      add_once(phase.flags, "throttled");
    }
    if (phase.gpus.back().clock_drift) {
      add_once(phase.flags, "clock_drift");
    }
    if (!m_thread_error.empty()) {
      // The flag alone would leave the reader guessing why the timeline ends early.
      phase.gpus.back().last_read_error = "sampling stopped: " + m_thread_error;
    }
  }
  return phase;
}

} // namespace gpushare
