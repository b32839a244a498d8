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

/// Spec keys: us (microseconds >= 0 each block spins), blocks (>= 1). Per iteration one
/// kernel of `blocks` single-thread blocks on its own non-blocking stream; 0 FLOP, 0 bytes.
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

  /// Requested spin per block [us] and block count.
  [[nodiscard]] std::uint64_t spin_us() const noexcept { return m_us; }
  [[nodiscard]] unsigned blocks() const noexcept { return m_blocks; }

  /// Start and end global-timer values [ns] of every block from the last iteration or
  /// verify(), as 2*blocks values (start, end per block). Copies from the device.
  [[nodiscard]] std::vector<std::uint64_t> last_block_times();

private:
  void require_setup() const;
  void enqueue();

  workload_context m_context;
  std::uint64_t m_us;
  unsigned m_blocks;
  kernels::cuda_stream m_stream;
  kernels::device_buffer m_times;
};

/// Checks that every block's recorded interval (times[2b], times[2b+1], nanoseconds) satisfies
/// spin_satisfied for `requested_ns`. max_abs_error is the largest shortfall in microseconds
/// (0 when every block spun long enough), tolerance 0; the detail names the first block that
/// fell short or, on success, the shortest and longest elapsed time. An odd or empty `times`
/// fails.
[[nodiscard]] verification_result check_spin_times(const std::vector<std::uint64_t>& times,
                                                   std::uint64_t requested_ns);

} // namespace gpushare
