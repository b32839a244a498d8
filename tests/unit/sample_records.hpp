#pragma once
// Small builders of measurement records for the writer tests: the values are made up and
// chosen to be easy to recognise in rendered output, never presented as measurements.

#include "harness/records.hpp"

namespace gpushare::test {

/// A 5-repetition summary with the given median and interval; mean, stdev and cv are derived
/// from them so every field has a distinct, checkable value.
inline sample_summary summary_of(double median, double low, double high, bool noisy = false) {
  sample_summary summary;
  summary.count = 5;
  summary.median = median;
  summary.ci_low = low;
  summary.ci_high = high;
  summary.ci_coverage = 0.9375;
  summary.mean = (low + median + high) / 3;
  summary.stdev = (high - low) / 4;
  summary.cv = summary.stdev / summary.mean;
  summary.min = low;
  summary.max = high;
  summary.noisy = noisy;
  return summary;
}

/// A streams point whose interval spans 2 % either side of `time_us`.
inline stream_point point_of(int streams, double time_us, double speedup, double ideal,
                             bool noisy = false) {
  stream_point point;
  point.streams = streams;
  point.time_us = summary_of(time_us, time_us * 0.98, time_us * 1.02, noisy);
  point.speedup = speedup;
  point.ideal_speedup = ideal;
  point.efficiency = speedup / ideal;
  return point;
}

/// One H100 as the tool would describe it, with NVML and no MPS daemon.
inline environment_info h100_environment() {
  environment_info environment;
  environment.cuda_available = true;
  environment.cuda_driver_version = 13000;
  environment.cuda_runtime_version = 12080;
  environment.driver_release = "580.95.05";
  environment.nvml_status = "ok";
  gpu_info gpu;
  gpu.name = "NVIDIA H100 80GB HBM3";
  gpu.uuid = "GPU-12345678-9abc-def0-1234-56789abcdef0";
  gpu.pci_bus_id = "0000:17:00.0";
  gpu.compute_capability_major = 9;
  gpu.sm_count = 132;
  gpu.memory_bytes = 85'520'809'984ull;
  gpu.mig_mode = "disabled";
  gpu.compute_mode = "default";
  gpu.sm_clock_max_mhz = 1980;
  gpu.memory_clock_max_mhz = 2619;
  gpu.async_engine_count = 3;
  gpu.l2_cache_bytes = 52'428'800;
  environment.gpus.push_back(gpu);
  return environment;
}

/// Both streams experiments with three and two stream counts; the 8-stream point is noisy.
inline streams_result sample_streams() {
  streams_result streams;
  kernel_overlap_result& overlap = streams.kernel_overlap;
  overlap.kernels = 32;
  overlap.blocks_per_kernel = 4;
  overlap.threads_per_block = 256;
  overlap.fma_per_element = 2048;
  overlap.elements_per_kernel = 1024;
  overlap.concurrent_capacity = 132;
  overlap.single_kernel_us = summary_of(31.2, 30.9, 31.8);
  overlap.sizing_note = "4 blocks per kernel so all 32 kernels can be resident at once";
  overlap.points = {point_of(1, 1000, 1, 1), point_of(2, 510, 1.961, 2),
                    point_of(8, 140, 7.143, 8, true)};
  copy_pipeline_result& pipeline = streams.copy_pipeline;
  pipeline.total_bytes = 256ull << 20;
  pipeline.chunks = 16;
  pipeline.chunk_bytes = 16ull << 20;
  pipeline.copy_engines = 2;
  pipeline.fma_per_element = 64;
  pipeline.h2d_us = summary_of(10'500, 10'400, 10'600);
  pipeline.kernel_us = summary_of(3'200, 3'150, 3'300);
  pipeline.d2h_us = summary_of(10'300, 10'200, 10'500);
  pipeline.sizing_note = "256 MiB each way in 16 chunks: copies dominate";
  pipeline.points = {point_of(1, 24'000, 1, 1), point_of(4, 11'500, 2.087, 2.28)};
  return streams;
}

/// Limits in the range an H100 SXM reaches (written for tests, not measured): fp16 GEMM
/// 700 TFLOP/s, fp32 50, device memory 2,900 GB/s by copy and 3,000 by triad (read +
/// written), 50 MiB of L2.
inline calibration_result sample_calibration() {
  calibration_result calibration;
  gemm_peak fp16;
  fp16.dtype = "fp16";
  fp16.size = 8192;
  fp16.tflops = summary_of(700, 690, 705);
  fp16.sizes_tried = {4096, 8192};
  fp16.medians = {610, 700};
  gemm_peak fp32 = fp16;
  fp32.dtype = "fp32";
  fp32.tflops = summary_of(50, 49.5, 50.5);
  fp32.medians = {48, 50};
  calibration.gemm = {fp32, fp16};
  calibration.device_copy = bandwidth_figure{1ull << 30, summary_of(2900, 2880, 2910),
                                             "read + written (2 x bytes per copy)"};
  calibration.device_triad = bandwidth_figure{3ull * (512ull << 20), summary_of(3000, 2990, 3010),
                                              "read + written (triad)"};
  calibration.gpu_name = "NVIDIA H100 80GB HBM3";
  calibration.host_to_device =
      bandwidth_figure{256ull << 20, summary_of(53, 52.5, 53.4), "bytes copied"};
  calibration.device_to_host =
      bandwidth_figure{256ull << 20, summary_of(54, 53.1, 54.2, true), "bytes copied"};
  calibration.launch_round_trip_us = summary_of(6.5, 6.3, 6.9);
  calibration.launch_back_to_back_us = summary_of(2.1, 2.0, 2.2);
  calibration.l2_cache_bytes = 50ull << 20;
  calibration.skipped = {"gemm bf16 at 16384: needs 1536 MiB, 1024 MiB free"};
  return calibration;
}

} // namespace gpushare::test
