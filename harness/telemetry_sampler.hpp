#pragma once
// Samples GPU counters on a thread while a tenant phase runs, and summarises them per GPU:
// mean and max of each counter, the clocks event reasons seen, how far the SM clock moved,
// and the two trust flags a phase can earn (throttled, clock_drift).

#include "harness/records.hpp"
#include "harness/telemetry_source.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace gpushare {

inline constexpr std::chrono::milliseconds default_telemetry_interval{50};
inline constexpr double default_max_clock_drift = 0.05;

struct telemetry_settings {
  telemetry_source* source = nullptr; ///< null: no telemetry (disabled or unavailable)
  std::vector<std::string> gpu_uuids; ///< the GPUs the phase uses
  std::chrono::milliseconds interval = default_telemetry_interval;
  double max_clock_drift = default_max_clock_drift; ///< fraction of the SM clock
};

class telemetry_sampler {
public:
  telemetry_sampler(const telemetry_settings& settings, std::string phase,
                    std::optional<int> tenant = std::nullopt);
  telemetry_sampler(const telemetry_sampler&) = delete;
  telemetry_sampler& operator=(const telemetry_sampler&) = delete;
  ~telemetry_sampler(); ///< stops and joins the thread when stop() was not called

  /// Takes a sample now and then one every interval on a thread of its own.
  void start();
  /// Stops the thread (with one last sample, so a short phase has its end) and summarises.
  [[nodiscard]] phase_telemetry stop();
  /// One round: reads every GPU once. The thread calls it; tests call it to step through a
  /// recorded series deterministically.
  void sample_once();

private:
  void run();
  void join();

  telemetry_settings m_settings;
  std::string m_phase;
  std::optional<int> m_tenant;
  std::chrono::steady_clock::time_point m_start;
  std::vector<std::vector<telemetry_reading>> m_readings; ///< per GPU, per round
  std::vector<double> m_round_cost_us;
  /// Why the sampling thread stopped early; an exception must not escape a thread (that would
  /// end the harness with its tenants still running).
  std::string m_thread_error;
  std::thread m_thread;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stopping = false;
};

/// The summary of one GPU's readings over a phase (exposed for tests).
[[nodiscard]] gpu_phase_telemetry summarize_gpu(const std::string& gpu_uuid,
                                                const std::vector<telemetry_reading>& readings,
                                                double max_clock_drift);

/// Adds "throttled" and "clock_drift" to `flags` (once each) when a phase earned them.
void add_telemetry_flags(const std::vector<phase_telemetry>& phases,
                         std::vector<std::string>& flags);

} // namespace gpushare
