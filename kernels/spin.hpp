#pragma once
// `spin`: each block busy-waits a requested time on the GPU's global timer and records when it
// started and stopped. Used to measure the time-slice quantum and the context-switch cost: a
// block that is switched out keeps seeing the timer advance, so its recorded interval shows
// the time it was not running.
//
// The timer is PTX %globaltimer, in nanoseconds. Its resolution is coarse on some GPUs (it is
// updated every microsecond or less often, depending on the architecture and driver), so an
// interval can overshoot the request by up to one update step. That is why the check is
// end - start >= requested and never equality.
//
// Block 0 also keeps a trace of its run segments: the stretches during which consecutive timer
// readings were at most a gap threshold apart. A larger jump between two readings means the
// block was not running in between (its context was switched out), so the segment before the
// jump is closed and a new one opened. Segments accumulate over kernel launches until the host
// clears the trace, so one trace can cover every timed iteration of a run.

#include "kernels/hd.hpp"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace gpushare::kernels {

/// True when a block that recorded [start_ns, end_ns] on the global timer spun at least
/// `requested_ns`. A timer that went backwards (end < start) never satisfies the request.
GPUSHARE_HD inline bool spin_satisfied(std::uint64_t start_ns, std::uint64_t end_ns,
                                       std::uint64_t requested_ns) {
  return end_ns >= start_ns && end_ns - start_ns >= requested_ns;
}

// Layout of a run-segment trace in 64-bit words: a header of two counters, then three words
// per kept segment (start, end, flags). One thread writes it, so it needs no atomics.
inline constexpr std::uint64_t spin_trace_kept_word = 0;    ///< segments stored
inline constexpr std::uint64_t spin_trace_dropped_word = 1; ///< segments that did not fit
inline constexpr std::uint64_t spin_trace_header_words = 2;
inline constexpr std::uint64_t spin_trace_words_per_segment = 3;
/// Flag bits of a segment: whether a gap (the block switched out) comes before / after it.
/// Without them the segment is bounded by the kernel's own start / end.
inline constexpr std::uint64_t spin_segment_after_gap = 1;
inline constexpr std::uint64_t spin_segment_before_gap = 2;
/// Segments one trace keeps (192 KiB): at a 2 ms time slice, 16 s of one tenant's running time,
/// several times a default-suite shared phase (5 repetitions of 0.5 s).
inline constexpr std::uint64_t spin_trace_default_capacity = 8192;

/// Words a trace of `capacity` segments occupies.
GPUSHARE_HD inline std::uint64_t spin_trace_words(std::uint64_t capacity) {
  return spin_trace_header_words + spin_trace_words_per_segment * capacity;
}

/// Appends one segment to `trace` (spin_trace_words(capacity) words), or counts it as dropped
/// when `capacity` segments are already kept.
GPUSHARE_HD inline void append_run_segment(std::uint64_t* trace, std::uint64_t capacity,
                                           std::uint64_t start_ns, std::uint64_t end_ns,
                                           std::uint64_t flags) {
  const std::uint64_t kept = trace[spin_trace_kept_word];
  if (kept >= capacity) {
    ++trace[spin_trace_dropped_word];
    return;
  }
  std::uint64_t* slot = trace + spin_trace_header_words + spin_trace_words_per_segment * kept;
  slot[0] = start_ns;
  slot[1] = end_ns;
  slot[2] = flags;
  trace[spin_trace_kept_word] = kept + 1;
}

/// The segment being built: where it started, the latest reading, and how it was opened.
struct run_segment_tracker {
  std::uint64_t segment_start_ns = 0;
  std::uint64_t previous_ns = 0;
  std::uint64_t flags = 0;
};

/// A tracker whose first segment opens at the kernel's first reading.
GPUSHARE_HD inline run_segment_tracker start_run_segments(std::uint64_t first_ns) {
  run_segment_tracker tracker;
  tracker.segment_start_ns = first_ns;
  tracker.previous_ns = first_ns;
  tracker.flags = 0;
  return tracker;
}

/// Feeds one timer reading. A forward jump of more than `gap_ns` since the previous reading
/// closes the current segment at the previous reading and opens the next one at `now_ns`.
/// A reading behind the previous one is ignored, so a segment never ends before it starts.
GPUSHARE_HD inline void track_run_segment(run_segment_tracker& tracker, std::uint64_t now_ns,
                                          std::uint64_t gap_ns, std::uint64_t* trace,
                                          std::uint64_t capacity) {
  if (now_ns < tracker.previous_ns) {
    return;
  }
  if (now_ns - tracker.previous_ns > gap_ns) {
    append_run_segment(trace, capacity, tracker.segment_start_ns, tracker.previous_ns,
                       tracker.flags | spin_segment_before_gap);
    tracker.segment_start_ns = now_ns;
    tracker.flags = spin_segment_after_gap;
  }
  tracker.previous_ns = now_ns;
}

/// Closes the last segment at the kernel's last reading.
GPUSHARE_HD inline void finish_run_segments(const run_segment_tracker& tracker,
                                            std::uint64_t* trace, std::uint64_t capacity) {
  append_run_segment(trace, capacity, tracker.segment_start_ns, tracker.previous_ns, tracker.flags);
}

/// Where block 0 keeps its run-segment trace; a null `trace` records none.
struct spin_trace_target {
  std::uint64_t* trace = nullptr; ///< device buffer of spin_trace_words(capacity) words
  std::uint64_t capacity = 0;     ///< segments it can keep
  std::uint64_t gap_ns = 5'000;   ///< a larger jump between readings closes a segment
};

/// Enqueues `blocks` blocks (one thread each) on `stream`. Block b reads the global timer,
/// spins until it has advanced by at least `requested_ns`, then stores the first and last timer
/// values it read in times[2*b] and times[2*b + 1] (device buffer of 2*blocks values,
/// nanoseconds). Block 0 appends its run segments to `trace` when it has a buffer. blocks == 0
/// enqueues nothing.
void launch_spin(std::uint64_t requested_ns, unsigned blocks, std::uint64_t* times,
                 const spin_trace_target& trace, cudaStream_t stream);

} // namespace gpushare::kernels
