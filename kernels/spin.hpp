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

/// Enqueues `blocks` blocks (one thread each) on `stream`. Block b reads the global timer,
/// spins until it has advanced by at least `requested_ns`, then stores the first and last timer
/// values it read in times[2*b] and times[2*b + 1] (device buffer of 2*blocks values,
/// nanoseconds). blocks == 0 enqueues nothing.
void launch_spin(std::uint64_t requested_ns, unsigned blocks, std::uint64_t* times,
                 cudaStream_t stream);

} // namespace gpushare::kernels
