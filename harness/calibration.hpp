#pragma once
// --mode calibrate: the physical limits of the card, measured in the same run as the sharing
// figures they bound, so clocks, power limit and driver are the same.
//
//   gemm peak      cuBLAS GEMM per dtype at sizes large enough to fill every SM; the best
//                  median over the sizes is the peak. Inputs are the gemm workload's pattern
//                  (never zeros: zeros draw less power and would flatter the clocks).
//   device memory  cudaMemcpyAsync device to device, and the triad kernel on arrays far
//                  beyond L2; bytes read + bytes written per second. The memory limit is the
//                  better of the two (a kernel may stream faster than the driver's copy).
//   host <-> device pinned host memory, one direction at a time.
//   launch         one tiny kernel: launch and wait (round trip), and many launches then one
//                  wait (the per-launch cost when the queue never runs dry).
//
// GEMM and copy times come from CUDA events around batches of back-to-back calls, sized so that
// one repetition lasts about `target_repetition_ms`: long against event resolution, short
// enough that the whole calibration takes seconds. Launch latency is timed on the host clock,
// because the round trip is what a tenant's iteration pays.

#include "harness/records.hpp"

#include <cstdint>
#include <vector>

namespace gpushare {

struct calibration_settings {
  int device = 0;
  int repetitions = 5;
  int warmup = 2;
  double noise_threshold = default_noise_threshold;
  double target_repetition_ms = 40;
  std::vector<std::string> gemm_dtypes{"fp32", "tf32", "fp16", "bf16"};
  std::vector<int> gemm_sizes{4096, 8192};
  /// Device copy size; reduced to a quarter of free memory on small devices.
  std::uint64_t device_copy_bytes = 1ull << 30;
  std::uint64_t host_copy_bytes = 256ull << 20;
  int launches_per_repetition = 2000;
};

/// Measures every limit on `gpu` and destroys the CUDA context it used before returning (also
/// on failure). A dtype the GPU cannot multiply is listed in `skipped`, not measured. Throws
/// cuda_error on CUDA failures, interrupted_error on SIGINT/SIGTERM.
[[nodiscard]] calibration_result run_calibration(const calibration_settings& settings,
                                                 const gpu_info& gpu);

/// How many calls of `single_us` fill one repetition of `target_us` (at least 1, at most
/// `most`). Exposed for tests.
[[nodiscard]] int calls_per_repetition(double single_us, double target_us, int most);

} // namespace gpushare
