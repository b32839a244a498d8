#pragma once
// What a long run is doing and how long it will take: on a terminal a status line that shows
// the step, its tenant count, the time spent and an estimate of what is left, redrawn twice
// a second; in a log one line per step; nothing with --quiet or under CI (the variable CI is
// set), where the report and the tables say everything.

#include "harness/run_config.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

namespace gpushare::cli {

enum class progress_style { none, lines, live };

/// none with --quiet or when the environment variable CI is set (non-empty, not "0" or
/// "false"); live when stderr is a terminal; lines otherwise.
[[nodiscard]] progress_style choose_progress_style(bool quiet);

/// A rough duration of one step [s], for the ETA only (never to time anything): tenant phases
/// from repetitions x duration plus process start-up, streams from its phase count,
/// calibration from its fixed batch sizes. Steps timed by iteration count get a guess.
[[nodiscard]] double estimated_step_seconds(const run_config& step);

/// "45 s", "2 min 05 s", "1 h 02 min".
[[nodiscard]] std::string format_eta(double seconds);

class progress_display {
public:
  progress_display(std::ostream& out, progress_style style);
  progress_display(const progress_display&) = delete;
  progress_display& operator=(const progress_display&) = delete;
  ~progress_display(); ///< stops the redraw thread and clears the status line

  /// Step `index` (0-based) of `total` starts; `estimate_s` is its own estimate and
  /// `after_s` that of every step after it.
  void begin(std::size_t index, std::size_t total, const std::string& what, double estimate_s,
             double after_s);
  /// The step finished (or failed): the live line is replaced by a final one.
  void end();

private:
  [[nodiscard]] std::string status_line() const;
  void redraw_until_stopped();
  void stop_thread();

  std::ostream& m_out;
  progress_style m_style;
  std::string m_prefix; ///< "[3/12] mps with 4 tenants"
  double m_estimate_s = 0;
  double m_after_s = 0;
  std::chrono::steady_clock::time_point m_started;
  std::thread m_thread;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
};

} // namespace gpushare::cli
