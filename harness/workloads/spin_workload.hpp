#pragma once
// The `spin` workload: blocks that busy-wait a given time on the GPU's global timer, to
// measure the time-slice quantum and the context-switch cost.

#include "harness/records.hpp"
#include "harness/workload.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/device_buffer.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace gpushare {

/// Spec keys: us (microseconds >= 0 each block spins), blocks (>= 1), gap_us (>= 1: a jump of
/// the global timer larger than this between two readings of block 0 is a gap in its run
/// segments). Per iteration one kernel of `blocks` single-thread blocks on its own
/// non-blocking stream; 0 FLOP, 0 bytes. The run segments of all timed iterations go into the
/// result's spin_trace.
class spin_workload final : public workload {
public:
  /// Reads and checks the spec; touches no device. Throws usage_error for a bad key value.
  spin_workload(const workload_spec& spec, const workload_context& context);

  [[nodiscard]] std::string description() const override;
  [[nodiscard]] bool host_only() const override { return false; }
  void setup() override;
  verification_result verify() override;
  void run_iteration() override;
  [[nodiscard]] double flops_per_iteration() const override { return 0.0; }
  [[nodiscard]] double bytes_per_iteration() const override { return 0.0; }
  void on_timing_start() override;
  void add_evidence(workload_result& result) override;

  /// Requested spin per block [us] and block count.
  [[nodiscard]] std::uint64_t spin_us() const noexcept { return m_us; }
  [[nodiscard]] unsigned blocks() const noexcept { return m_blocks; }
  /// Gap threshold of the run-segment trace [us].
  [[nodiscard]] std::uint64_t gap_us() const noexcept { return m_gap_us; }

  /// Start and end global-timer values [ns] of every block from the last iteration or
  /// verify(), as 2*blocks values (start, end per block). Copies from the device.
  [[nodiscard]] std::vector<std::uint64_t> last_block_times();

  /// Forgets the run segments recorded so far (asynchronously, on the workload's stream).
  void clear_trace();
  /// Block 0's run segments since the last clear_trace() (or setup()). Copies from the device.
  [[nodiscard]] run_segment_trace trace();

private:
  void require_setup() const;
  void enqueue();

  workload_context m_context;
  std::uint64_t m_us;
  unsigned m_blocks;
  std::uint64_t m_gap_us;
  kernels::cuda_stream m_stream;
  kernels::device_buffer m_times;
  kernels::device_buffer m_trace;
};

/// Checks that every block's recorded interval (times[2b], times[2b+1], nanoseconds) satisfies
/// spin_satisfied for `requested_ns`. max_abs_error is the largest shortfall in microseconds
/// (0 when every block spun long enough), tolerance 0; the detail names the first block that
/// fell short or, on success, the shortest and longest elapsed time. An odd or empty `times`
/// fails.
[[nodiscard]] verification_result check_spin_times(const std::vector<std::uint64_t>& times,
                                                   std::uint64_t requested_ns);

/// Why the run segments of one kernel whose block 0 recorded [start_ns, end_ns] are not what
/// the kernel must produce, or "" when they are: at least one segment, the first opening at
/// start_ns and, unless segments were dropped, the last closing at end_ns, each ending no
/// earlier than it starts, and consecutive segments separated by a gap over the threshold with
/// matching flags.
[[nodiscard]] std::string run_segments_problem(const run_segment_trace& trace,
                                               std::uint64_t start_ns, std::uint64_t end_ns);

/// Turns a trace buffer as the kernel leaves it (kernels/spin.hpp: two counters, then start,
/// end and flags per kept segment; `words` may stop after the kept segments) into a record.
/// Throws std::runtime_error when the counters promise more segments than `words` holds.
[[nodiscard]] run_segment_trace decode_run_segments(const std::vector<std::uint64_t>& words,
                                                    std::uint64_t gap_threshold_ns);

} // namespace gpushare
