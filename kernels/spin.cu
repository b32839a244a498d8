#include "common/cuda_check.hpp"
#include "kernels/spin.hpp"

namespace gpushare::kernels {
namespace {

__device__ inline std::uint64_t global_timer_ns() {
  std::uint64_t now = 0;
  // volatile + memory clobber: every read must really happen, in program order.
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now)::"memory");
  return now;
}

__global__ void spin_kernel(std::uint64_t requested_ns, std::uint64_t* times,
                            spin_trace_target trace) {
  const std::uint64_t start = global_timer_ns();
  std::uint64_t now = start;
  // One block is enough: a context switch takes the whole context off the GPU, and one
  // writer keeps the trace free of atomics.
  const bool tracing = blockIdx.x == 0 && trace.trace != nullptr;
  run_segment_tracker tracker = start_run_segments(start);
  // Unsigned difference: a timer that stepped backwards ends the loop instead of hanging the
  // GPU, and the host check (spin_satisfied) then reports the interval as failed.
  while (now - start < requested_ns) {
    now = global_timer_ns();
    if (tracing) {
      track_run_segment(tracker, now, trace.gap_ns, trace.trace, trace.capacity);
    }
  }
  if (tracing) {
    finish_run_segments(tracker, trace.trace, trace.capacity);
  }
  times[2 * static_cast<std::size_t>(blockIdx.x)] = start;
  times[2 * static_cast<std::size_t>(blockIdx.x) + 1] = now;
}

} // namespace

void launch_spin(std::uint64_t requested_ns, unsigned blocks, std::uint64_t* times,
                 const spin_trace_target& trace, cudaStream_t stream) {
  if (blocks == 0) {
    return;
  }
  spin_kernel<<<blocks, 1, 0, stream>>>(requested_ns, times, trace);
  GPUSHARE_CHECK_LAUNCH();
}

} // namespace gpushare::kernels
