#pragma once
// --mode isolation as the command line runs it: for each mechanism (timeslice; mps through a
// private daemon; mps-limited, the same with every client held to its share by
// CUDA_MPS_PINNED_DEVICE_MEM_LIMIT and CUDA_MPS_ACTIVE_THREAD_PERCENTAGE; mig when the GPU has
// at least two MIG instances already: the aggressors on the first, the victims on the second)
// four scenarios:
//
//   memory   a hog takes all the device memory it can get, then a victim allocates the share
//            it was promised;
//   fault    a tenant makes an illegal memory access while two victims run; under MPS the
//            daemon's server state, the time until a new client runs again and the log tail
//            are recorded, then the daemon is torn down;
//   latency  an open-loop infer victim alone, then beside gemm and triad aggressors;
//   compute  a gemm victim alone, then beside two more of the same gemm, against its guaranteed
//            share.
//
// Each becomes a cell with a verdict from harness/isolation_verdict.hpp, and the cells are held
// against the reference articles' claims. Every MPS scenario gets a fresh daemon that is always
// stopped; nothing is left running.

#include "harness/records.hpp"
#include "harness/run_config.hpp"

#include <string>
#include <vector>

namespace gpushare::cli {

/// Every mechanism the mode knows, in the order it measures them.
[[nodiscard]] const std::vector<std::string>& isolation_mechanism_names();

/// The scenarios' workloads: "gpu" (hog, fault, infer, gemm, triad, spin) or "host" (host-*
/// test instruments: a host-crash tenant instead of the fault, host-sleep victims and
/// aggressors; memory is untested since they hold no device memory).
[[nodiscard]] const std::vector<std::string>& isolation_workload_sets();

/// Measures `config.isolation_mechanisms` (empty: all). `gpu` is the GPU --device (nullptr for
/// the host set): its uuid goes to the MPS daemon and its memory sizes the promised share.
/// Failures of one scenario become untested cells; only an interruption (or a usage error)
/// ends the run.
[[nodiscard]] run_record measure_isolation(const run_config& config, const gpu_info* gpu);

} // namespace gpushare::cli
