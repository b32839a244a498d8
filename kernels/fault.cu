#include "kernels/fault.hpp"

namespace gpushare::kernels {
namespace {

__device__ inline std::uint64_t global_timer_ns() {
  std::uint64_t now = 0;
  // volatile + memory clobber: every read must really happen, in program order.
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now)::"memory");
  return now;
}

__global__ void fault_kernel(std::uint64_t delay_ns, std::uint64_t* times, bool fault,
                             std::uintptr_t target) {
  const std::uint64_t start = global_timer_ns();
  std::uint64_t now = start;
  // Unsigned difference: a timer that stepped backwards ends the wait instead of hanging.
  while (now - start < delay_ns) {
    now = global_timer_ns();
  }
  // Stored before the fault so verify() (fault == false) sees the same delay the faulting
  // launch waits.
  times[2 * static_cast<std::size_t>(blockIdx.x)] = start;
  times[2 * static_cast<std::size_t>(blockIdx.x) + 1] = now;
  if (fault) {
    // Volatile: the store has no reader the compiler can see, and it must still be issued.
    *reinterpret_cast<volatile std::uint64_t*>(target) = now;
  }
}

} // namespace

cudaError_t launch_fault(std::uint64_t delay_ns, unsigned blocks, std::uint64_t* times, bool fault,
                         cudaStream_t stream) {
  if (blocks == 0) {
    return cudaSuccess;
  }
  fault_kernel<<<blocks, 1, 0, stream>>>(delay_ns, times, fault, fault_target_address);
  return cudaGetLastError();
}

} // namespace gpushare::kernels
