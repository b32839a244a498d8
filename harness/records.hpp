#pragma once
// Plain result records. Measurement code fills them; writers in report/ only read them. No
// CUDA handles, no streams, no formatting here.

#include "harness/histogram.hpp"
#include "harness/run_config.hpp"
#include "harness/statistics.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gpushare {

inline constexpr const char* report_schema_version = "1.7.0";

struct tool_info {
  std::string name = "gpushare-bench";
  std::string version;
  std::string git_sha;
  bool git_dirty = false;
};

struct host_info {
  std::string hostname;
  std::string os;        ///< uname: sysname release machine
  std::string cpu_model; ///< from /proc/cpuinfo, "" if unknown
  unsigned cpu_count = 0;
};

/// What NVML says about one GPU. A query the GPU does not support (NVML_ERROR_NOT_SUPPORTED)
/// is listed in `unsupported`, one that failed otherwise in `errors`; its value stays empty.
struct nvml_gpu_record {
  std::string name;
  std::string pci_bus_id;
  std::optional<bool> mig_current; ///< MIG mode in force
  std::optional<bool> mig_pending; ///< MIG mode after the next GPU reset
  std::string compute_mode;        ///< default | exclusive_thread | prohibited | exclusive_process
  std::optional<bool> persistence_mode;
  std::optional<bool> ecc_current;
  std::optional<bool> ecc_pending;
  std::optional<double> power_limit_w; ///< enforced power limit
  std::optional<int> applications_sm_clock_mhz;
  std::optional<int> applications_memory_clock_mhz;
  std::optional<int> max_sm_clock_mhz;
  std::optional<int> max_memory_clock_mhz;
  std::optional<int> pcie_generation; ///< current link generation
  std::optional<int> pcie_width;      ///< current link width (lanes)
  std::optional<int> pcie_max_generation;
  std::optional<int> pcie_max_width;
  std::vector<std::string> unsupported; ///< queries this GPU does not support
  std::vector<std::string> errors;      ///< "query: NVML's reason" for each failed query
};

struct gpu_info {
  int index = 0; ///< CUDA device ordinal
  std::string name;
  /// "GPU-xxxxxxxx-..." as nvidia-smi prints it; "MIG-..." when NVML says this CUDA device is
  /// a MIG instance (what CUDA_VISIBLE_DEVICES and an MPS daemon on it take)
  std::string uuid;
  std::string pci_bus_id; ///< "0000:17:00.0"
  int compute_capability_major = 0;
  int compute_capability_minor = 0;
  int sm_count = 0;
  std::uint64_t memory_bytes = 0;
  std::string mig_mode; ///< enabled | disabled | unsupported | unknown
  /// Why unknown, a change pending a GPU reset, or the MIG instance CUDA runs on; "" otherwise
  std::string mig_detail;
  /// The whole GPU's uuid when this CUDA device is a MIG instance (NVML and telemetry speak
  /// of the GPU); "" otherwise.
  std::string mig_parent_uuid{};
  std::string compute_mode; ///< default | exclusive_process | prohibited | unknown
  int sm_clock_max_mhz = 0;
  int memory_clock_max_mhz = 0;
  int async_engine_count = 0; ///< copy engines usable concurrently with kernels
  int l2_cache_bytes = 0;
  /// NVML's record of the GPU (of a MIG instance's GPU), matched by uuid; empty when NVML is
  /// unavailable or the GPU unknown
  std::optional<nvml_gpu_record> nvml;
};

/// The GPU that NVML and telemetry speak of for this CUDA device: itself, or the GPU a MIG
/// instance belongs to; "" for a MIG instance whose GPU is unknown (a MIG device has no power,
/// clock or utilisation counters of its own).
[[nodiscard]] inline std::string whole_gpu_uuid(const gpu_info& gpu) {
  if (!gpu.mig_parent_uuid.empty()) {
    return gpu.mig_parent_uuid;
  }
  return gpu.uuid.rfind("MIG-", 0) == 0 ? std::string() : gpu.uuid;
}

/// whole_gpu_uuid when it is known to name a whole GPU ("GPU-..."), for comparing with what
/// nvidia-smi calls GPU N; "" otherwise.
[[nodiscard]] inline std::string comparable_gpu_uuid(const gpu_info& gpu) {
  std::string uuid = whole_gpu_uuid(gpu);
  const bool known = gpu.mig_mode != "unknown" || !gpu.mig_parent_uuid.empty();
  return known && uuid.rfind("GPU-", 0) == 0 ? uuid : std::string();
}

/// What the tool found about MPS on this machine (it never touches a daemon it did not start).
struct mps_status {
  bool daemon_running = false;
  std::vector<int> control_pids; ///< nvidia-cuda-mps-control processes
  std::vector<int> server_pids;  ///< nvidia-cuda-mps-server processes
  std::string pipe_directory;    ///< CUDA_MPS_PIPE_DIRECTORY or the default
};

struct environment_info {
  bool cuda_available = false;
  std::string unavailable_reason; ///< why not, when cuda_available is false
  int cuda_driver_version = 0;    ///< cudaDriverGetVersion, e.g. 13000
  int cuda_runtime_version = 0;   ///< cudaRuntimeGetVersion
  std::string driver_release;     ///< NVML, e.g. "580.95.05"; "" if NVML is unavailable
  std::string nvml_status;        ///< "ok" or why NVML could not be used
  std::string nvml_version;       ///< nvmlSystemGetNVMLVersion; "" if the library is missing
  std::vector<gpu_info> gpus;
  mps_status mps;
};

/// Outcome of checking a workload's device output against its host reference.
struct verification_result {
  bool checked = false; ///< false for workloads without device output (host-*)
  bool passed = false;
  std::uint64_t elements_checked = 0;
  double max_abs_error = 0;
  double tolerance = 0;
  std::string detail; ///< first mismatch, or how the check was done
};

/// A workload's measured rate against the matching physical limit of the card, measured by
/// --mode calibrate in the same run (see harness/physical_limits.hpp).
struct limit_check {
  std::string limit;      ///< e.g. "gemm_fp16_tflops", "device_memory_gb_per_s"
  double achieved = 0;    ///< the workload's median rate, in the limit's unit
  double limit_value = 0; ///< the calibrated median
  double fraction = 0;    ///< achieved / limit_value; NaN when there is no usable limit
  /// False when the limit does not bound this workload (a working set that fits in L2, a
  /// library GEMM below the FMA peak, tenants not measured at the same time, a calibration
  /// flagged untrustworthy); such a fraction above 1 is no error.
  bool enforced = true;
  std::string note;      ///< why not enforced; "" otherwise
  double limit_high = 0; ///< upper end of the calibrated median's interval: what is enforced
};

/// A stretch of time during which the spin kernel's block 0 ran without a gap, in global-timer
/// nanoseconds (%globaltimer is GPU-wide, so segments of different tenants can be compared).
struct run_segment {
  std::uint64_t start_ns = 0;
  std::uint64_t end_ns = 0;
  /// A gap (the block switched out) comes before / after it; otherwise the kernel's own start
  /// / end bounds it, and its length says nothing about the time slice.
  bool after_gap = false;
  bool before_gap = false;
};

/// The run segments of every timed iteration of a spin workload (kernels/spin.hpp).
struct run_segment_trace {
  std::uint64_t gap_threshold_ns = 0; ///< a larger jump between timer readings is a gap
  std::vector<run_segment> segments;  ///< in the order they ran
  std::uint64_t dropped = 0;          ///< later segments that did not fit the device buffer
};

/// How much device memory a hog workload got and held (memory-isolation experiment).
struct memory_hold_record {
  std::uint64_t bytes_requested = 0;   ///< the spec's bytes; 0 = all it can get
  std::uint64_t bytes_target = 0;      ///< what it tried to allocate (for 0: free minus margin)
  std::uint64_t bytes_held = 0;        ///< allocated, touched and held through the iterations
  std::uint64_t chunk_bytes = 0;       ///< allocation granularity: a limit stops it at a chunk
  std::uint64_t free_bytes_before = 0; ///< cudaMemGetInfo's free memory before allocating
  /// How the allocation stopped short of bytes_target (the failed chunk and CUDA's error);
  /// "" when it got the target.
  std::string allocation_error;
};

/// One workload measured in one process: the building block of tenant results.
struct workload_result {
  std::string workload;    ///< canonical spec, e.g. "gemm:dtype=fp16,k=4096,m=4096,n=4096"
  std::string description; ///< human sentence, including sizes and why
  bool host_only = false;  ///< host-* test instrument: never a GPU figure
  verification_result verification;
  double flops_per_iteration = 0;
  double bytes_per_iteration = 0;
  std::uint64_t iterations = 0;     ///< timed iterations over all repetitions
  sample_summary iteration_time_us; ///< per repetition: mean iteration time [us]
  sample_summary throughput_per_s;  ///< per repetition: iterations per second
  latency_histogram histogram;      ///< every timed iteration [ns]
  latency_summary latency_us;
  std::vector<double> repetition_iteration_time_us; ///< the samples behind iteration_time_us
  std::vector<double> repetition_throughput_per_s;  ///< the samples behind throughput_per_s
  /// CLOCK_MONOTONIC (system-wide) at the start of the first timed iteration [ns].
  std::uint64_t first_iteration_start_ns = 0;
  /// Against the calibrated limits, when the run measured them (filled by the harness, never
  /// by the tenant).
  std::vector<limit_check> limits;
  /// spin: when block 0 ran during the timed iterations.
  std::optional<run_segment_trace> spin_trace;
  /// hog: the device memory it held during the timed iterations.
  std::optional<memory_hold_record> memory_hold;
};

/// One tenant of a multi-tenant run (the streams mode has none).
/// The MIG compute instance a tenant ran on (--mode mig).
struct mig_instance_record {
  std::string uuid;    ///< "MIG-...": the tenant's CUDA_VISIBLE_DEVICES
  std::string profile; ///< GPU instance profile, e.g. "3g.40gb"
  int gpu_instance_id = -1;
  int compute_instance_id = -1;
  std::optional<int> placement_start; ///< memory slice the GPU instance starts at
  std::optional<int> placement_size;  ///< memory slices it covers
};

struct tenant_record {
  int id = 0;
  /// --mode isolation: victim | aggressor | probe; "" in the other modes.
  std::string role;
  std::string workload;
  std::string status; ///< ok | failed | timeout | skipped
  /// Variables the harness gave this tenant (MPS pipe directory and per-client settings).
  std::map<std::string, std::string> environment;
  std::optional<workload_result> solo;
  std::optional<workload_result> shared;
  std::optional<double> slowdown;      ///< median iteration time shared / solo
  std::optional<double> p99_inflation; ///< p99 shared / p99 solo
  std::string failure;                 ///< phase and how it ended, when status is not ok
  std::string stderr_tail;             ///< last lines the tenant wrote to stderr, on failure
  std::optional<mig_instance_record> mig_instance; ///< --mode mig: the instance it ran on
  /// --mode mig: solo throughput on its instance / solo throughput of the same workload on the
  /// whole GPU, when a run of this report measured that.
  std::optional<double> fraction_of_full_gpu;
};

/// The MPS control daemon a run went through.
struct mps_daemon_record {
  bool started_by_tool = true; ///< false with --mps-use-existing
  std::string control_program;
  std::string pipe_directory;
  int pid = 0;
  std::string stopped;  ///< how it ended: "quit", "killed ...", "" when not ours
  std::string log_tail; ///< control and server log tail, kept when the run failed
};

/// One point of a streams curve: S streams against 1 stream.
struct stream_point {
  int streams = 1;
  sample_summary time_us;   ///< the whole batch, per repetition [us]
  double speedup = 1;       ///< median T(1 stream) / median T(S streams)
  double ideal_speedup = 1; ///< bound from the separately timed stages
  double efficiency = 1;    ///< speedup / ideal_speedup
};

/// K independent small kernels on 1 stream against S streams.
struct kernel_overlap_result {
  int kernels = 0;
  unsigned blocks_per_kernel = 0;
  unsigned threads_per_block = 0;
  int fma_per_element = 0;
  std::uint64_t elements_per_kernel = 0;
  int concurrent_capacity = 0; ///< kernels of this size the GPU can hold resident at once
  sample_summary single_kernel_us;
  std::string sizing_note; ///< which size was used and why
  std::vector<stream_point> points;
};

/// A chunked host -> device -> kernel -> host pipeline (pinned memory) on 1 against S streams.
struct copy_pipeline_result {
  std::uint64_t total_bytes = 0;
  int chunks = 0;
  std::uint64_t chunk_bytes = 0;
  int copy_engines = 0;
  int fma_per_element = 0;
  sample_summary h2d_us; ///< all chunks, copies alone
  sample_summary kernel_us;
  sample_summary d2h_us;
  std::string sizing_note;
  std::vector<stream_point> points;
};

struct streams_result {
  kernel_overlap_result kernel_overlap;
  copy_pipeline_result copy_pipeline;
};

/// The best rate one GEMM dtype reached over the sizes tried.
struct gemm_peak {
  std::string dtype;
  int size = 0;                 ///< m = n = k of the best size
  sample_summary tflops;        ///< per repetition [TFLOP/s]
  std::vector<int> sizes_tried; ///< m = n = k
  std::vector<double> medians;  ///< median TFLOP/s per size tried
};

/// A copy rate: bytes per second over repetitions of back-to-back copies.
struct bandwidth_figure {
  std::uint64_t bytes = 0; ///< per copy
  sample_summary gb_per_s; ///< 1e9 bytes per second
  std::string counted;     ///< which bytes count, e.g. "read + written"
};

/// --mode calibrate: the card's own limits, measured with the same clocks and driver as the
/// runs they bound.
struct calibration_result {
  std::vector<gemm_peak> gemm;
  /// Device memory: cudaMemcpy device to device, every byte read and written counted (the
  /// convention of triad's 3 * n * size), so memory-bound workloads compare directly.
  std::optional<bandwidth_figure> device_copy;
  /// Device memory through the triad kernel on arrays far beyond L2: a kernel can stream
  /// faster than the driver's copy, so the memory limit is the better of the two.
  std::optional<bandwidth_figure> device_triad;
  std::optional<bandwidth_figure> host_to_device; ///< pinned host memory
  std::optional<bandwidth_figure> device_to_host; ///< pinned host memory
  sample_summary launch_round_trip_us;            ///< launch one tiny kernel and wait for it
  sample_summary launch_back_to_back_us;          ///< per launch, many launches then one wait
  std::uint64_t l2_cache_bytes = 0; ///< working sets below twice this are not memory bound
  std::string gpu_name;             ///< the device measured
  /// False when CUDA's device was one MIG instance: its limits do not bound other instances,
  /// nor their sum.
  bool whole_gpu = true;
  std::vector<std::string> skipped; ///< what could not be measured here and why
};

/// Figures over all tenants of a run; empty for modes they do not apply to.
struct aggregate_figures {
  std::optional<double> start_skew_us;
  std::optional<double> throughput_ratio;
  std::optional<double> fairness;
  std::optional<double> mechanism_overhead;
  /// --mode mig: the largest shared / solo median iteration time over the instances (1.0 =
  /// the instances do not disturb each other).
  std::optional<double> interference;
};

/// Counters of one GPU at one instant (DCGM exporter names in report/json_records.cpp); a
/// counter the GPU does not report is empty.
struct telemetry_sample {
  double t_ms = 0; ///< since the phase started
  std::optional<double> gpu_util_pct;
  std::optional<double> mem_copy_util_pct;
  std::optional<double> fb_used_mib;
  std::optional<double> power_w;
  std::optional<double> sm_clock_mhz;
  std::optional<double> mem_clock_mhz;
  std::optional<double> gpu_temp_c;
  std::optional<std::uint64_t> clocks_event_reasons; ///< NVML bitmask
};

/// Mean and maximum of one counter over a phase; empty when no sample had it.
struct telemetry_stat {
  std::optional<double> mean;
  std::optional<double> max;
};

/// One GPU over one phase: its samples and what they say about the phase.
struct gpu_phase_telemetry {
  std::string gpu_uuid;
  std::vector<telemetry_sample> samples;
  telemetry_stat gpu_util_pct;
  telemetry_stat mem_copy_util_pct;
  telemetry_stat fb_used_mib;
  telemetry_stat power_w;
  telemetry_stat sm_clock_mhz;
  telemetry_stat mem_clock_mhz;
  telemetry_stat gpu_temp_c;
  std::vector<std::string> clocks_event_reasons; ///< names of every reason seen
  std::optional<double> sm_clock_drift;          ///< (max - min) / max SM clock
  bool throttled = false;   ///< a thermal, power or hardware-slowdown reason was seen
  bool clock_drift = false; ///< sm_clock_drift above the threshold
  /// Largest memory each process held on the GPU during the phase [bytes], by pid.
  std::map<unsigned, std::uint64_t> process_memory_bytes;
  std::uint64_t read_errors = 0; ///< counter reads that failed (not "not supported")
  std::string last_read_error;
};

/// Telemetry of one tenant phase (a solo phase of one tenant, or the shared phase).
struct phase_telemetry {
  std::string phase;         ///< solo | shared
  std::optional<int> tenant; ///< the tenant of a solo phase
  double interval_ms = 0;
  std::uint64_t samples = 0;     ///< sampling rounds (each reads every GPU)
  telemetry_stat sample_cost_us; ///< the sampler's own time per round
  std::vector<gpu_phase_telemetry> gpus;
  std::vector<std::string> flags; ///< throttled, clock_drift
};

/// Whether the run sampled GPU telemetry, and why not.
struct telemetry_status {
  std::string status = "unavailable"; ///< available | unavailable | disabled
  std::string reason;                 ///< why not, when not available
  double interval_ms = 0;
  double max_clock_drift = 0;
};

/// Median and spread of a set of durations; the percentiles interpolate between ranks.
struct percentile_summary {
  std::size_t count = 0;
  double median = 0;
  double p10 = 0;
  double p90 = 0;
};

/// The time slice and context-switch gap read from the spin traces of a shared phase
/// (harness/timeslice_probe.hpp). Figures are empty when the tenants did not alternate; the
/// note then says why.
struct timeslice_probe_result {
  std::vector<int> tenants; ///< ids of the tenants whose traces were analysed
  /// Run segments with a gap on both sides: how long a tenant ran before it was switched out.
  std::optional<percentile_summary> quantum_us;
  /// From a tenant being switched out to another traced tenant starting to run.
  std::optional<percentile_summary> switch_gap_us;
  std::uint64_t gaps = 0;                        ///< gaps inside kernels, over all tenants
  std::uint64_t gaps_filled_by_other_tenant = 0; ///< ... in which another traced tenant started
  std::uint64_t dropped_segments = 0;            ///< over all traces
  std::string note;                              ///< what limits the figures, or ""
};

enum class run_status { ok, skipped, failed };

/// How a --mode mig run got its instances and what it left behind.
struct mig_run_record {
  std::string gpu_uuid;
  std::string layout;                ///< "existing", or "applied" with --mig-apply
  std::vector<std::string> geometry; ///< GPU instance profiles measured, in tenant order
  std::string profile_table;         ///< "nvidia-smi" (live) or "builtin" (the catalog)
  /// With --mig-apply: "restored", or what failed and the commands to run by hand.
  std::string restore;
};

/// What happened to the MPS daemon in a fault scenario.
struct mps_fault_record {
  /// get_server_list / get_server_status answers after the fault, one line per server, or why
  /// they could not be read.
  std::vector<std::string> server_states;
  /// From the end of the faulting phase to the first new client that ran; empty when none ran
  /// before the deadline.
  std::optional<double> recovery_ms;
  int recovery_attempts = 0;
  /// The distinct ways new clients failed before one ran (e.g. the server was not ready).
  std::vector<std::string> recovery_failures;
  std::string log_tail; ///< control and server log after the fault
  std::string cleanup;  ///< how the daemon was brought back or torn down
};

/// One cell of the measured isolation matrix: one property of one mechanism, what was seen
/// and the verdict a stated rule gives it (harness/isolation_verdict.hpp).
struct isolation_cell {
  std::string mechanism; ///< timeslice | mps | mps-limited | mig
  std::string property;  ///< memory | fault | latency | compute
  std::string verdict;   ///< isolated | partial | none | untested
  std::string rule;      ///< the rule the verdict follows, in words
  std::string evidence;  ///< what was observed, in words, with the CUDA errors seen
  /// The figures behind the verdict by name (e.g. "victim_p99_inflation",
  /// "victim_share_of_guarantee", "recovery_ms", "hog_held_bytes").
  std::map<std::string, double> figures;
  /// Every process of the scenario, with its role, outcome and measured result.
  std::vector<tenant_record> tenants;
  std::vector<std::string> flags; ///< e.g. host_instruments_only, noisy
  /// Fault scenarios under MPS: the daemon's state, the recovery and the cleanup.
  std::optional<mps_fault_record> mps_fault;
};

/// A documented claim about a mechanism, next to what this card showed.
struct isolation_claim {
  std::string mechanism;
  std::string property; ///< memory | fault | latency | compute | overhead
  std::string claim;    ///< as the source states it, e.g. "none", "~10-15%"
  std::string source;   ///< where it is stated
  std::string holds;    ///< yes | no | untested
  std::string basis;    ///< the measured figure or verdict it was judged on, and the rule
};

/// --mode isolation: the measured matrix and the documented claims it was checked against.
struct isolation_result {
  std::vector<isolation_cell> cells;
  std::vector<isolation_claim> claims;
};

struct run_record {
  std::string mode;
  run_status status = run_status::ok;
  std::string reason; ///< why skipped or failed
  std::vector<std::pair<std::string, std::string>> params;
  std::optional<streams_result> streams;
  std::optional<calibration_result> calibration;
  std::vector<tenant_record> tenants;
  std::optional<mps_daemon_record> mps;
  std::optional<mig_run_record> mig;
  aggregate_figures aggregate;
  /// The shared phase's summed rate of all tenants against each limit they share.
  std::vector<limit_check> limits;
  std::vector<std::string> flags; ///< e.g. "noisy", "throttled", "verification_failed"
  double wall_time_s = 0;
  std::vector<phase_telemetry> telemetry; ///< one per tenant phase, when sampled
  /// When at least two tenants ran spin in the shared phase.
  std::optional<timeslice_probe_result> timeslice_probe;
  /// --mode isolation.
  std::optional<isolation_result> isolation;
};

struct error_record {
  std::string where; ///< phase or mode, e.g. "streams" or "startup"
  std::string message;
  int exit_code = 0;
};

/// Everything one invocation produced; the JSON file is a rendering of this.
struct report_document {
  tool_info tool;
  std::string created_at; ///< ISO 8601, UTC
  std::vector<std::string> argv;
  host_info host;
  environment_info environment;
  run_config config;
  telemetry_status telemetry;
  std::vector<run_record> runs;
  std::vector<error_record> errors;
};

[[nodiscard]] const char* to_string(run_status status);
/// The inverse of to_string(run_status); empty for any other text.
[[nodiscard]] std::optional<run_status> run_status_from_string(std::string_view text);

} // namespace gpushare
