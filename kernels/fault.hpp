#pragma once
// `fault`: a deliberate illegal memory access, for the fault-isolation experiment. Each block
// busy-waits a requested time on the GPU's global timer (as `spin` does), records when it
// started and stopped, and then, when asked to, writes through an address that no CUDA
// allocation can ever occupy, which the GPU reports as a fatal fault of the whole context.
//
// The target is the null page. Neither the CUDA driver nor the Linux kernel ever maps it: the
// driver's unified address space starts far above it, and Linux refuses user mappings below
// vm.mmap_min_addr (64 KiB by default), so even a GPU that can resolve host page tables (HMM,
// ATS on Grace) finds nothing there and the access cannot succeed. A very high address would
// also fault, but whether it lies inside the GPU's virtual address width (49 bits or more,
// by architecture) changes which error is raised; the null page faults the same way everywhere.
//
// The address is a kernel argument, not a constant in the kernel: a store to a null pointer
// the compiler can see is undefined behaviour it may turn into a trap or drop, while a store
// through a volatile pointer of unknown value must be issued.

#include <cuda_runtime_api.h>

#include <cstdint>

namespace gpushare::kernels {

/// The address the faulting write goes to: inside the null page (see above). Not 0 itself, so
/// a fault report (compute-sanitizer, Xid 31 in the kernel log) shows this kernel's address
/// rather than an ordinary null-pointer bug.
inline constexpr std::uintptr_t fault_target_address = 0xfa0;

/// Enqueues `blocks` blocks (one thread each) on `stream`. Block b reads the global timer,
/// spins until it has advanced by at least `delay_ns`, stores the first and last readings in
/// times[2*b] and times[2*b + 1] (device buffer of 2*blocks values, nanoseconds) and then, when
/// `fault` is true, writes through fault_target_address. Returns the launch status
/// (cudaGetLastError) instead of throwing, so the caller can tell a launch that failed from the
/// intended fault and from one already pending; the fault itself surfaces at the next
/// synchronisation as cudaErrorIllegalAddress (some drivers report cudaErrorLaunchFailure).
/// blocks == 0 enqueues nothing and returns cudaSuccess.
[[nodiscard]] cudaError_t launch_fault(std::uint64_t delay_ns, unsigned blocks,
                                       std::uint64_t* times, bool fault, cudaStream_t stream);

} // namespace gpushare::kernels
