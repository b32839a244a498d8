#pragma once
// --mode streams: what CUDA streams buy inside one process.
//
// Kernel overlap: K independent kernels, each deliberately too small to fill the GPU (a fixed
// small grid of a compute-bound kernel), enqueued round-robin on S streams. With one stream
// they run back to back; with S they may run side by side.
//
// Copy pipeline: a buffer in pinned host memory is cut into chunks; each chunk is copied to the
// device, transformed by a kernel and copied back. With S streams, one chunk's copies overlap
// another chunk's kernel (the copy engines work beside the SMs).
//
// Both report speedup = T(1 stream) / T(S streams) against an ideal bound computed from stages
// timed separately (see ideal_* below), and efficiency = speedup / ideal.

#include "harness/records.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace gpushare {

/// The most hardware work queues (host-to-device connections) a CUDA context can have; the
/// driver reads CUDA_DEVICE_MAX_CONNECTIONS (1-32) when the context is created.
inline constexpr int max_device_connections = 32;

struct streams_settings {
  int device = 0;
  std::vector<int> stream_counts{1, 2, 4, 8}; ///< must contain 1
  int kernels = 32;
  int chunks = 16;
  std::uint64_t pipeline_bytes = 256ull << 20;
  int warmup_batches = 3;
  int repetitions = 5;
  std::optional<std::uint64_t> batches_per_repetition; ///< default 5
  std::optional<double> duration_s;                    ///< per repetition, instead of batches
  double noise_threshold = default_noise_threshold;
  /// Target run time of one overlap kernel: long against launch cost (a few us), short
  /// enough that a batch of K kernels stays in the tens of milliseconds. [us]
  double target_kernel_us = 200;
};

/// Runs both experiments on `gpu` and destroys the CUDA context it used before returning (also
/// on failure). Throws cuda_error on CUDA failures and check_error when the pipeline's output
/// differs from the host reference.
[[nodiscard]] streams_result run_streams_experiment(const streams_settings& settings,
                                                    const gpu_info& gpu);

/// Ideal speedup of K equal kernels on S streams when at most `capacity` fit on the GPU at
/// once: K waves of one kernel against ceil(K / min(S, capacity)) waves.
[[nodiscard]] double ideal_kernel_overlap_speedup(int kernels, int streams, int capacity);

/// Lower bound on the pipeline's time with S streams [same unit as the stage totals]: the
/// larger of (a) the busiest engine — for each stage, its total plus the other stages of one
/// chunk before and after it (fill and drain); with a single copy engine both copy directions
/// share it, so its bound is their sum — and (b) one stream's own chunks run back to back.
[[nodiscard]] double ideal_pipeline_time(double h2d_total, double kernel_total, double d2h_total,
                                         int chunks, int streams, int copy_engines);

} // namespace gpushare
