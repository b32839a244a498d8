#include "harness/workloads/fault_workload.hpp"

#include "common/cuda_check.hpp"
#include "common/error.hpp"
#include "harness/workloads/spec_values.hpp"
#include "harness/workloads/spin_workload.hpp"
#include "kernels/fault.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <vector>

namespace gpushare {
namespace {

// An hour: a longer wait is a typo, and the nanosecond product stays far from overflow.
constexpr std::uint64_t max_after_ms = 3'600'000;
// One-thread blocks; the fault needs one, more only spread it over SMs.
constexpr int max_fault_blocks = 65535;

} // namespace

fault_workload::fault_workload(const workload_spec& spec, const workload_context& context)
    : m_context(context), m_after_ms(spec_count(spec, "after_ms", 0, max_after_ms)),
      m_blocks(static_cast<unsigned>(spec_int(spec, "blocks", 1, max_fault_blocks))) {}

std::string fault_workload::description() const {
  return fmt::format("DELIBERATE FAULT: waits {} ms on the GPU's global timer in {} block{}, "
                     "then writes to the unmapped address {:#x} (an intended illegal memory "
                     "access for the fault-isolation experiment; it leaves this tenant's CUDA "
                     "context unusable)",
                     m_after_ms, m_blocks, m_blocks == 1 ? "" : "s", kernels::fault_target_address);
}

void fault_workload::setup() {
  GPUSHARE_CUDA_CALL(cudaSetDevice(m_context.device));
  m_stream = kernels::cuda_stream::create_non_blocking();
  m_times = kernels::device_buffer(2 * static_cast<std::size_t>(m_blocks) * sizeof(std::uint64_t));
  m_times.zero(m_stream.get());
  m_stream.synchronize();
}

void fault_workload::require_setup() const {
  if (m_times.data() == nullptr) {
    throw error("fault workload used before setup()", exit_code::usage);
  }
}

verification_result fault_workload::verify() {
  require_setup();
  m_times.zero(m_stream.get());
  GPUSHARE_CUDA_CALL(kernels::launch_fault(m_after_ms * 1'000'000, m_blocks,
                                           m_times.as<std::uint64_t>(), false, m_stream.get()));
  std::vector<std::uint64_t> times(2 * static_cast<std::size_t>(m_blocks));
  m_times.copy_to_host(times.data(), times.size() * sizeof(std::uint64_t), m_stream.get());
  verification_result result = check_spin_times(times, m_after_ms * 1'000'000);
  result.detail = "the delay kernel without its faulting write (fault=0): " + result.detail;
  return result;
}

void fault_workload::run_iteration() {
  require_setup();
  cudaError_t status = kernels::launch_fault(m_after_ms * 1'000'000, m_blocks,
                                             m_times.as<std::uint64_t>(), true, m_stream.get());
  if (status == cudaSuccess) {
    // Not cuda_stream::synchronize(): its error would not say the fault was intended.
    status = cudaStreamSynchronize(m_stream.get());
  }
  raise_fault_outcome(status, m_after_ms);
}

bool is_intended_fault_status(cudaError_t status) noexcept {
  return status == cudaErrorIllegalAddress || status == cudaErrorLaunchFailure;
}

void raise_fault_outcome(cudaError_t status, std::uint64_t after_ms) {
  if (status == cudaSuccess) {
    throw check_error(
        fmt::format("workload fault: the write to {:#x} after {} ms did not fault, so no fault was "
                    "injected; the fault-isolation experiment did not happen",
                    kernels::fault_target_address, after_ms));
  }
  if (is_intended_fault_status(status)) {
    throw cuda_error(
        fmt::format("workload fault: intended illegal memory access (write to {:#x} after {} ms) "
                    "raised {} ({}), as the fault-isolation experiment wants; this tenant's CUDA "
                    "context is now unusable",
                    kernels::fault_target_address, after_ms, cudaGetErrorName(status),
                    cudaGetErrorString(status)),
        static_cast<int>(status));
  }
  throw cuda_error(fmt::format("workload fault: the faulting kernel ended with {} ({}), which is "
                               "not the intended illegal memory access",
                               cudaGetErrorName(status), cudaGetErrorString(status)),
                   static_cast<int>(status));
}

} // namespace gpushare
