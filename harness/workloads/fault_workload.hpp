#pragma once
// The `fault` workload: a deliberate illegal memory access after a delay, for the
// fault-isolation experiment (what a crashing tenant does to the others under each way of
// sharing the GPU; under MPS on Volta and later, every client of the server is expected to
// fail with it).
//
// After the fault the CUDA context of this process is unusable: an illegal address is a
// sticky error, so every later CUDA call in the process (frees included) returns it again. The
// workload therefore gets exactly one faulting iteration: the first warm-up iteration, or with
// no warm-up (as the isolation experiment starts it, so that it faults after the harness has
// released it) the first timed one. Either way the error ends the tenant before any timing
// is reported.

#include "harness/records.hpp"
#include "harness/workload.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/device_buffer.hpp"

#include <cuda_runtime_api.h>

#include <cstdint>
#include <string>

namespace gpushare {

/// Spec keys: after_ms (delay before the fault, >= 0), blocks (>= 1). 0 FLOP, 0 bytes.
/// setup() allocates only the blocks' timestamps. verify() runs the delay kernel without the
/// faulting write and checks every block waited at least after_ms. run_iteration() runs the
/// faulting kernel and waits for it: it always throws (see raise_fault_outcome).
class fault_workload final : public workload {
public:
  /// Reads and checks the spec; touches no device. Throws usage_error for a bad key value.
  fault_workload(const workload_spec& spec, const workload_context& context);

  [[nodiscard]] std::string description() const override;
  [[nodiscard]] bool host_only() const override { return false; }
  void setup() override;
  verification_result verify() override;
  /// Throws cuda_error (cudaErrorIllegalAddress or cudaErrorLaunchFailure) naming the
  /// workload and saying the fault was intended; after it the process's context is unusable.
  void run_iteration() override;
  [[nodiscard]] double flops_per_iteration() const override { return 0.0; }
  [[nodiscard]] double bytes_per_iteration() const override { return 0.0; }

  [[nodiscard]] std::uint64_t after_ms() const noexcept { return m_after_ms; }
  [[nodiscard]] unsigned blocks() const noexcept { return m_blocks; }

private:
  void require_setup() const;

  workload_context m_context;
  std::uint64_t m_after_ms;
  unsigned m_blocks;
  kernels::cuda_stream m_stream;
  kernels::device_buffer m_times;
};

/// True for the statuses the faulting write is reported as: cudaErrorIllegalAddress, or
/// cudaErrorLaunchFailure, which some drivers report for the same fault.
[[nodiscard]] bool is_intended_fault_status(cudaError_t status) noexcept;

/// Turns the status the faulting kernel ended with into the exception run_iteration() throws:
/// an intended fault becomes a cuda_error with that status whose message names the workload,
/// the delay and the address and says the fault was intended; another CUDA error a cuda_error
/// saying it was not the intended fault; cudaSuccess (the write did not fault, so the
/// experiment did not happen) a check_error.
[[noreturn]] void raise_fault_outcome(cudaError_t status, std::uint64_t after_ms);

} // namespace gpushare
