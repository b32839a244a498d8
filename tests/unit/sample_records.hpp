#pragma once
// Small builders of measurement records for the writer and reader tests: the values are made
// up and chosen to be easy to recognise in rendered output, never presented as measurements.

#include "harness/records.hpp"

#include <cstdint>
#include <string>
#include <utility>

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

inline latency_histogram make_histogram() {
  latency_histogram histogram;
  // A body around 1.5 ms and a tail: values below and above 2048 ns exercise both the exact
  // and the log-linear part of the bucket layout.
  for (std::uint64_t i = 0; i < 1000; ++i) {
    histogram.record(1'400'000 + i * 200);
  }
  for (std::uint64_t value : {900ull, 1'500ull, 2'047ull, 2'048ull, 9'999'999ull}) {
    histogram.record(value);
  }
  return histogram;
}

inline workload_result make_gemm_result(double median_us) {
  workload_result result;
  result.workload = "gemm:dtype=fp16,k=4096,m=4096,n=4096";
  result.description = "cuBLAS GEMM fp16, m=n=k=4096 (137.4 GFLOP)";
  result.verification.checked = true;
  result.verification.passed = true;
  result.verification.elements_checked = 4096;
  result.verification.max_abs_error = 0.0125;
  result.verification.tolerance = 0.05;
  result.verification.detail = "4096 sampled elements against the host reference";
  result.flops_per_iteration = 2.0 * 4096.0 * 4096.0 * 4096.0;
  result.bytes_per_iteration = 3.0 * 4096.0 * 4096.0 * 2.0;
  result.histogram = make_histogram();
  result.iterations = result.histogram.count();
  result.iteration_time_us = summary_of(median_us, median_us * 0.98, median_us * 1.03);
  result.throughput_per_s =
      summary_of(1e6 / median_us, 1e6 / (median_us * 1.03), 1e6 / (median_us * 0.98), true);
  result.latency_us = summarize_latency(result.histogram);
  return result;
}

inline workload_result make_host_sleep_result() {
  workload_result result;
  result.workload = "host-sleep:ms=2";
  result.description = "host-sleep: sleeps 2 ms on the host, no GPU";
  result.host_only = true;
  result.histogram.record(2'000'000);
  result.histogram.record(2'100'000);
  result.iterations = 2;
  result.iteration_time_us = summary_of(2050, 2000, 2100);
  result.throughput_per_s = summary_of(487.8, 476.2, 500);
  result.latency_us = summarize_latency(result.histogram);
  return result;
}

/// A hog tenant's result: `held` of `target` bytes held in 256 MiB chunks, 2 holding periods.
inline workload_result make_hog_result(std::uint64_t requested, std::uint64_t target,
                                       std::uint64_t held, std::string allocation_error) {
  workload_result result;
  result.workload = "hog:bytes=" + std::to_string(requested) + ",chunk=268435456,hold_ms=100";
  result.description = "memory hog: allocates, sets every byte, and holds it";
  result.verification.checked = true;
  result.verification.passed = true;
  result.verification.elements_checked = 32 * (held >> 28);
  result.verification.detail = "sampled bytes read back as the fill byte 0xa5";
  result.histogram.record(100'080'000);
  result.histogram.record(100'120'000);
  result.iterations = 2;
  result.iteration_time_us = summary_of(100'100, 100'080, 100'120);
  result.throughput_per_s = summary_of(9.99, 9.988, 9.992);
  result.latency_us = summarize_latency(result.histogram);
  memory_hold_record hold;
  hold.bytes_requested = requested;
  hold.bytes_target = target;
  hold.bytes_held = held;
  hold.chunk_bytes = 268'435'456;
  hold.free_bytes_before = 84'767'014'912;
  hold.allocation_error = std::move(allocation_error);
  result.memory_hold = hold;
  return result;
}

/// One process of an isolation scenario.
inline tenant_record isolation_tenant(int id, std::string role, std::string workload,
                                      std::string status) {
  tenant_record tenant;
  tenant.id = id;
  tenant.role = std::move(role);
  tenant.workload = std::move(workload);
  tenant.status = std::move(status);
  return tenant;
}

/// A --mode isolation run, written for the layout (not measured): under mps a hog takes the
/// memory the victim needs (none) and a fault ends the co-running victim while the daemon
/// recovers (none, with the daemon's record); mps-limited bounds latency in part; mig keeps
/// memory apart (isolated) but its compute cell could not run (untested); the timeslice fault
/// cell ran host-* test instruments only. Five documented claims, one of each holds value and
/// one about overhead.
inline run_record make_isolation_run() {
  run_record run;
  run.mode = "isolation";
  run.params = {{"mechanisms", "timeslice,mps,mps-limited,mig"}};
  run.wall_time_s = 95.5;
  isolation_result isolation;

  isolation_cell memory;
  memory.mechanism = "mps";
  memory.property = "memory";
  memory.verdict = "none";
  memory.rule = "isolated when the victim allocates its 1 GiB while the hog holds all it can get";
  memory.evidence = "the hog held 71.0 GiB; the victim's allocation of 1 GiB failed with "
                    "cudaErrorMemoryAllocation";
  memory.figures = {{"hog_held_bytes", 76'235'669'504.0}, {"victim_allocation_failed", 1.0}};
  tenant_record hog =
      isolation_tenant(1, "aggressor", "hog:bytes=0,chunk=268435456,hold_ms=100", "ok");
  hog.shared = make_hog_result(0, 80'528'664'166, 76'235'669'504, "chunk 285 of 300 failed");
  tenant_record starved =
      isolation_tenant(0, "victim", "hog:bytes=1073741824,chunk=268435456,hold_ms=100", "failed");
  starved.failure = "shared: exit code 1: cudaErrorMemoryAllocation after 0 B held";
  memory.tenants = {starved, hog};

  isolation_cell fault;
  fault.mechanism = "mps";
  fault.property = "fault";
  fault.verdict = "none";
  fault.rule = "isolated when the victim finishes while another client faults";
  fault.evidence = "the victim ended with cudaErrorIllegalAddress when the aggressor faulted";
  fault.figures = {{"recovery_ms", 850.5}, {"victims_failed", 1.0}};
  tenant_record victim =
      isolation_tenant(0, "victim", "gemm:dtype=fp16,k=4096,m=4096,n=4096", "failed");
  victim.solo = make_gemm_result(1500);
  victim.failure = "shared: exit code 1: cudaErrorIllegalAddress";
  tenant_record faulting = isolation_tenant(1, "aggressor", "fault:after_ms=100", "failed");
  faulting.failure = "shared: exit code 1: cudaErrorIllegalAddress (expected)";
  tenant_record probe = isolation_tenant(2, "probe", "triad:n=1048576", "ok");
  fault.tenants = {victim, faulting, probe};
  mps_fault_record daemon;
  daemon.server_states = {"server 4242: faulted client 4300 removed", "server 4250: ACTIVE"};
  daemon.recovery_ms = 850.5;
  daemon.recovery_attempts = 3;
  daemon.recovery_failures = {"cudaErrorMpsServerNotReady"};
  daemon.log_tail = "[2025-01-02 03:04:05] Server 4242 exited with status 0\n";
  daemon.cleanup = "quit the control daemon and started a fresh one";
  fault.mps_fault = daemon;

  isolation_cell latency;
  latency.mechanism = "mps-limited";
  latency.property = "latency";
  latency.verdict = "partial";
  latency.rule = "isolated below 1.5x p99 inflation, none above 5x";
  latency.evidence = "the infer victim's p99 grew 3.25x next to a saturating gemm";
  latency.figures = {{"victim_p99_inflation", 3.25}, {"victim_slowdown", 1.4}};
  tenant_record infer = isolation_tenant(0, "victim", "infer:batch=1", "ok");
  infer.environment = {{"CUDA_MPS_ACTIVE_THREAD_PERCENTAGE", "50"}};
  infer.solo = make_gemm_result(200);
  infer.shared = make_gemm_result(280);
  infer.slowdown = 1.4;
  infer.p99_inflation = 3.25;
  tenant_record load =
      isolation_tenant(1, "aggressor", "gemm:dtype=fp16,k=4096,m=4096,n=4096", "ok");
  load.shared = make_gemm_result(2900);
  latency.tenants = {infer, load};

  isolation_cell mig_memory;
  mig_memory.mechanism = "mig";
  mig_memory.property = "memory";
  mig_memory.verdict = "isolated";
  mig_memory.rule = memory.rule;
  mig_memory.evidence = "the hog held its instance's 9.50 GiB; the victim got its 1 GiB";
  mig_memory.figures = {{"hog_held_bytes", 10'200'547'328.0}, {"victim_allocation_failed", 0.0}};

  isolation_cell mig_compute;
  mig_compute.mechanism = "mig";
  mig_compute.property = "compute";
  mig_compute.verdict = "untested";
  mig_compute.rule = "isolated when the victim keeps 90 % of its solo throughput";
  mig_compute.evidence = "needs two compute instances; one was found";

  isolation_cell host_fault;
  host_fault.mechanism = "timeslice";
  host_fault.property = "fault";
  host_fault.verdict = "isolated";
  host_fault.rule = fault.rule;
  host_fault.evidence = "host-sleep victim finished while host-crash crashed";
  host_fault.figures = {{"victims_kept_running", 1.0}};
  host_fault.flags = {"host_instruments_only"};
  tenant_record sleeper = isolation_tenant(0, "victim", "host-sleep:ms=2", "ok");
  sleeper.solo = make_host_sleep_result();
  sleeper.shared = make_host_sleep_result();
  sleeper.slowdown = 1.02;
  tenant_record crasher = isolation_tenant(1, "aggressor", "host-crash:after=2", "failed");
  crasher.failure = "shared: killed by signal 11";
  host_fault.tenants = {sleeper, crasher};

  isolation.cells = {memory, fault, latency, mig_memory, mig_compute, host_fault};
  isolation.claims = {
      {"mps", "memory", "none between clients", "NVIDIA MPS documentation, 2.3.3", "yes",
       "mps memory verdict none (hog_held_bytes 71.0 GiB)"},
      {"mps", "fault", "a fault ends every client of the server", "NVIDIA MPS documentation", "yes",
       "mps fault verdict none"},
      {"mps-limited", "latency", "bounded by the thread limit", "vendor talk", "no",
       "victim_p99_inflation 3.25x, above the 1.5x bound"},
      {"mig", "compute", "full isolation", "NVIDIA MIG user guide", "untested",
       "mig compute cell untested"},
      {"mps", "overhead", "~10-15%", "conference talk", "untested", "not measured by this run"}};
  run.isolation = isolation;
  return run;
}

/// Every record type populated, with values that are easy to recognise in the output.
inline report_document make_full_document() {
  report_document document;
  document.tool.version = "0.1.0";
  document.tool.git_sha = "0123456789ab";
  document.tool.git_dirty = true;
  document.created_at = "2025-01-02T03:04:05Z";
  document.argv = {"gpushare-bench", "--mode", "all", "--json", "out.json"};
  document.host = {"node-17", "Linux 6.8.0 x86_64", "AMD EPYC 9654 96-Core Processor", 192};

  document.environment = test::h100_environment();
  environment_info& environment = document.environment;
  environment.gpus.front().mig_detail = "enable pending a GPU reset";
  environment.mps.daemon_running = true;
  environment.mps.control_pids = {101};
  environment.mps.server_pids = {202, 203};
  environment.mps.pipe_directory = "/tmp/nvidia-mps";

  run_config& config = document.config;
  config.mode = "all";
  config.workloads = {"gemm:dtype=fp16,k=4096,m=4096,n=4096", "host-sleep:ms=2"};
  config.duration_s = 2.5;
  config.json_path = "out.json";

  run_record calibrate_run;
  calibrate_run.mode = "calibrate";
  calibrate_run.wall_time_s = 4.5;
  calibrate_run.flags = {"noisy"};
  calibrate_run.calibration = test::sample_calibration();

  run_record streams_run;
  streams_run.mode = "streams";
  streams_run.params = {{"stream_counts", "1,2,4,8"}, {"overlap_kernels", "32"}};
  streams_run.flags = {"noisy"};
  streams_run.wall_time_s = 12.5;
  streams_result streams;
  streams.kernel_overlap.kernels = 32;
  streams.kernel_overlap.blocks_per_kernel = 4;
  streams.kernel_overlap.threads_per_block = 256;
  streams.kernel_overlap.fma_per_element = 2048;
  streams.kernel_overlap.elements_per_kernel = 1024;
  streams.kernel_overlap.concurrent_capacity = 132;
  streams.kernel_overlap.single_kernel_us = summary_of(31.2, 30.9, 31.8);
  streams.kernel_overlap.sizing_note = "4 blocks per kernel so 32 kernels fit at once";
  streams.kernel_overlap.points = {point_of(1, 1000, 1, 1), point_of(2, 510, 1.96, 2),
                                   point_of(8, 140, 7.14, 8)};
  streams.copy_pipeline.total_bytes = 256ull << 20;
  streams.copy_pipeline.chunks = 16;
  streams.copy_pipeline.chunk_bytes = 16ull << 20;
  streams.copy_pipeline.copy_engines = 2;
  streams.copy_pipeline.fma_per_element = 64;
  streams.copy_pipeline.h2d_us = summary_of(10'500, 10'400, 10'600);
  streams.copy_pipeline.kernel_us = summary_of(3'200, 3'150, 3'300);
  streams.copy_pipeline.d2h_us = summary_of(10'300, 10'200, 10'500);
  streams.copy_pipeline.sizing_note = "256 MiB each way: copies dominate";
  streams.copy_pipeline.points = {point_of(1, 24'000, 1, 1), point_of(4, 11'500, 2.09, 2.28)};
  streams_run.streams = streams;

  run_record timeslice_run;
  timeslice_run.mode = "timeslice";
  timeslice_run.params = {{"tenants", "2"}};
  timeslice_run.wall_time_s = 30.25;
  tenant_record gemm_tenant;
  gemm_tenant.id = 0;
  gemm_tenant.workload = "gemm:dtype=fp16,k=4096,m=4096,n=4096";
  gemm_tenant.status = "ok";
  gemm_tenant.solo = make_gemm_result(1500);
  gemm_tenant.shared = make_gemm_result(2850);
  gemm_tenant.slowdown = 1.9;
  gemm_tenant.solo->limits = {limit_check{"gemm_fp16_tflops", 91.6, 700, 91.6 / 700, true, ""}};
  tenant_record sleep_tenant;
  sleep_tenant.id = 1;
  sleep_tenant.workload = "host-sleep:ms=2";
  sleep_tenant.status = "timeout";
  sleep_tenant.solo = make_host_sleep_result();
  timeslice_run.tenants = {gemm_tenant, sleep_tenant};
  timeslice_run.aggregate.start_skew_us = 42.5;
  timeslice_run.aggregate.throughput_ratio = 0.95;
  timeslice_run.aggregate.fairness = 0.99;

  run_record mig_run;
  mig_run.mode = "mig";
  mig_run.status = run_status::skipped;
  mig_run.reason = "MIG mode is disabled on GPU 0";

  run_record mps_run;
  mps_run.mode = "mps";
  mps_run.status = run_status::failed;
  mps_run.reason = "nvidia-cuda-mps-control not found";

  // The tenant run comes first: the schema check breaks runs[0].tenants[0] on purpose.
  // Telemetry of the timeslice run: two samples of a power-capped GPU (values written for the
  // layout, not measured), one counter the GPU did not report.
  phase_telemetry phase;
  phase.phase = "shared";
  phase.interval_ms = 50;
  phase.samples = 2;
  phase.sample_cost_us = {180.0, 240.0};
  phase.flags = {"throttled"};
  gpu_phase_telemetry sampled;
  sampled.gpu_uuid = environment.gpus.front().uuid;
  telemetry_sample first;
  first.t_ms = 0.4;
  first.gpu_util_pct = 97;
  first.sm_clock_mhz = 1980;
  first.power_w = 698.5;
  first.clocks_event_reasons = 0x4;
  telemetry_sample second = first;
  second.t_ms = 50.3;
  second.sm_clock_mhz = 1950;
  sampled.samples = {first, second};
  sampled.gpu_util_pct = {97.0, 97.0};
  sampled.sm_clock_mhz = {1965.0, 1980.0};
  sampled.power_w = {698.5, 698.5};
  sampled.clocks_event_reasons = {"sw_power_cap"};
  sampled.sm_clock_drift = 30.0 / 1980.0;
  sampled.throttled = true;
  sampled.process_memory_bytes = {{4242, 2'147'483'648ull}};
  phase.gpus.push_back(sampled);
  timeslice_run.telemetry.push_back(phase);
  timeslice_run.flags.emplace_back("throttled");
  document.telemetry.status = "available";
  document.telemetry.interval_ms = 50;
  document.telemetry.max_clock_drift = 0.05;
  nvml_gpu_record nvml;
  nvml.name = environment.gpus.front().name;
  nvml.pci_bus_id = "00000000:17:00.0";
  nvml.mig_current = false;
  nvml.mig_pending = true;
  nvml.compute_mode = "default";
  nvml.persistence_mode = true;
  nvml.ecc_current = true;
  nvml.ecc_pending = true;
  nvml.power_limit_w = 700;
  nvml.max_sm_clock_mhz = 1980;
  nvml.max_memory_clock_mhz = 2619;
  nvml.pcie_generation = 5;
  nvml.pcie_width = 16;
  nvml.unsupported = {"nvmlDeviceGetApplicationsClock(SM)"};
  document.environment.gpus.front().nvml = nvml;
  document.environment.nvml_version = "13.580.95.05";
  // Two spin tenants with run-segment traces and what the probe made of them: timeslice with
  // figures, mps with none and its note. Written for the layout, not measured.
  const auto spin_tenant = [](int id, std::uint64_t offset_ns) {
    tenant_record tenant;
    tenant.id = id;
    tenant.workload = "spin:blocks=1,gap_us=5,us=20000";
    tenant.status = "ok";
    workload_result shared;
    shared.workload = tenant.workload;
    shared.iterations = 2;
    shared.verification.checked = true;
    shared.verification.passed = true;
    run_segment_trace trace;
    trace.gap_threshold_ns = 5000;
    trace.dropped = 1;
    trace.segments = {{1'000'000 + offset_ns, 1'700'000 + offset_ns, false, true},
                      {5'730'000 + offset_ns, 7'730'000 + offset_ns, true, true},
                      {11'790'000 + offset_ns, 12'500'000 + offset_ns, true, false}};
    shared.spin_trace = trace;
    tenant.shared = shared;
    return tenant;
  };
  run_record probe_run;
  probe_run.mode = "timeslice";
  probe_run.params = {{"tenants", "2"}};
  probe_run.tenants = {spin_tenant(0, 0), spin_tenant(1, 2'030'000)};
  timeslice_probe_result probe;
  probe.tenants = {0, 1};
  probe.quantum_us = percentile_summary{2, 2000.0, 2000.0, 2000.0};
  probe.switch_gap_us = percentile_summary{3, 30.0, 30.0, 30.0};
  probe.gaps = 4;
  probe.gaps_filled_by_other_tenant = 3;
  probe.dropped_segments = 2;
  probe.note = "2 segments did not fit the trace buffers";
  probe_run.timeslice_probe = probe;
  run_record mps_probe_run = probe_run;
  mps_probe_run.mode = "mps";
  timeslice_probe_result concurrent;
  concurrent.tenants = {0, 1};
  concurrent.note = "no traced tenant was switched out while it spun";
  mps_probe_run.timeslice_probe = concurrent;

  // Memory isolation under MPS: a hog that takes all it can get is stopped by the pinned-memory
  // limit at a chunk boundary, next to one that asked for 1 GiB and got it.
  run_record hog_run;
  hog_run.mode = "mps";
  hog_run.params = {{"tenants", "2"}};
  tenant_record greedy;
  greedy.id = 0;
  greedy.workload = "hog:bytes=0,chunk=268435456,hold_ms=100";
  greedy.status = "ok";
  greedy.environment = {{"CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "0=8G"}};
  greedy.shared = make_hog_result(
      0, 80'528'664'166, 8'321'499'136,
      "chunk 32 of 300 (268435456 B (0.25 GiB)) failed after 8321499136 B (7.75 GiB) held: "
      "cudaErrorMemoryAllocation (out of memory)");
  tenant_record modest;
  modest.id = 1;
  modest.workload = "hog:bytes=1073741824,chunk=268435456,hold_ms=100";
  modest.status = "ok";
  modest.shared = make_hog_result(1'073'741'824, 1'073'741'824, 1'073'741'824, "");
  hog_run.tenants = {greedy, modest};

  timeslice_run.limits = {limit_check{"gemm_fp16_tflops", 48.2, 700, 48.2 / 700, true, ""}};
  document.runs = {timeslice_run, streams_run, mig_run,
                   mps_run,       probe_run,   mps_probe_run,
                   calibrate_run, hog_run,     make_isolation_run()};
  document.errors.push_back({"mps", "nvidia-cuda-mps-control not found in PATH", 2});
  return document;
}

} // namespace gpushare::test
