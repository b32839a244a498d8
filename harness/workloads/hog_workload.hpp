#pragma once
// The `hog` workload: allocates device memory and holds it, for the memory-isolation
// experiment (does one tenant's memory use starve another, and where does each way of sharing
// stop it: an MPS pinned-memory limit, a MIG slice's own memory, or nothing).
//
// Its "iterations" are holding periods: each one sleeps hold_ms on the host while the memory
// stays allocated. Their timings say nothing about the GPU; what the hog reports is how much it
// got, in the result's memory_hold.

#include "harness/records.hpp"
#include "harness/workload.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/device_buffer.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace gpushare {

/// The fill pattern every held byte is set to, and read back as by verify().
inline constexpr unsigned char hog_fill_byte = 0xa5;

/// Spec keys: bytes (0 = all it can get), hold_ms (sleep per iteration), chunk (allocation
/// granularity). 0 FLOP and 0 bytes per iteration: the memory is written once, in setup().
class hog_workload final : public workload {
public:
  /// Reads and checks the spec; touches no device. Throws usage_error for a bad key value.
  hog_workload(const workload_spec& spec, const workload_context& context);

  [[nodiscard]] std::string description() const override;
  [[nodiscard]] bool host_only() const override { return false; }
  /// Allocates chunk by chunk (plan_chunks) and sets every byte to hog_fill_byte, so the
  /// memory is resident. An out-of-memory failure with bytes=0 ends the allocation and is
  /// recorded (a limit was found); with an explicit bytes it throws a cuda_error naming the
  /// bytes wanted and got. Any other CUDA failure throws.
  void setup() override;
  /// Reads a sample of bytes of every chunk back and compares them with hog_fill_byte.
  verification_result verify() override;
  /// Sleeps hold_ms on the host, the memory still held; wakes for SIGINT/SIGTERM.
  void run_iteration() override;
  [[nodiscard]] double flops_per_iteration() const override { return 0.0; }
  [[nodiscard]] double bytes_per_iteration() const override { return 0.0; }
  /// Puts the record of what was held into result.memory_hold.
  void add_evidence(workload_result& result) override;

  /// What setup() got; all zero before it.
  [[nodiscard]] const memory_hold_record& hold() const noexcept { return m_hold; }

private:
  workload_context m_context;
  std::uint64_t m_bytes;
  std::uint64_t m_hold_ms;
  std::uint64_t m_chunk;
  kernels::cuda_stream m_stream;
  std::vector<kernels::device_buffer> m_chunks;
  memory_hold_record m_hold;
};

/// Headroom bytes=0 leaves of `free_bytes`: the larger of 256 MiB and 5 % of it. Taking every
/// free byte would leave this process's own context unable to grow (the driver allocates on
/// demand for kernels' local memory and for page tables of the mappings) and fail the hog on
/// something else than the limit it is probing; 256 MiB covers a context's own needs on a small
/// card, 5 % the page tables and fragmentation that grow with the tens of GiB a large card
/// maps. It also keeps the number stable while other tenants start and free memory moves.
[[nodiscard]] std::uint64_t hog_safety_margin(std::uint64_t free_bytes) noexcept;

/// What bytes=0 asks for: free_bytes minus hog_safety_margin, 0 when the margin takes it all.
[[nodiscard]] std::uint64_t all_it_can_get(std::uint64_t free_bytes) noexcept;

/// The allocation sizes for `wanted` bytes in chunks of `chunk`: full chunks, then the
/// remainder, if any, as a last smaller chunk. Their sum is `wanted`; empty for 0. Throws
/// std::invalid_argument for chunk 0.
[[nodiscard]] std::vector<std::uint64_t> plan_chunks(std::uint64_t wanted, std::uint64_t chunk);

} // namespace gpushare
