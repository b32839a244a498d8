#pragma once
// The resolved configuration of one invocation: what the CLI parsed, with defaults applied.
// It is recorded verbatim in the report so a run can be repeated.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gpushare {

struct run_config {
  std::string mode; ///< streams | timeslice | mps | mig | isolation | calibrate | all
  std::vector<std::string> workloads; ///< canonical workload specs, one per tenant
  int repetitions = 5;                ///< at least this many (--repetitions, --min-repetitions)
  int max_repetitions = 0; ///< more while noisy, up to this many; 0 = exactly `repetitions`
  int warmup_iterations = 3;
  std::optional<std::uint64_t> iterations; ///< per repetition; exclusive with duration_s
  std::optional<double> duration_s;        ///< per repetition [seconds]
  int device = 0;
  std::vector<int> stream_counts{1, 2, 4, 8};  ///< streams mode: S values to compare
  int overlap_kernels = 32;                    ///< streams mode: K independent kernels
  int pipeline_chunks = 16;                    ///< streams mode: chunks of the copy pipeline
  std::uint64_t pipeline_bytes = 256ull << 20; ///< streams mode: bytes moved each way
  double noise_threshold = 0.05;               ///< CV above which a figure is flagged noisy
  std::string json_path;                       ///< "" = no JSON file
  bool quiet = false;
  int tenants = 0; ///< tenant modes: 0 = one per --workload, or 2 of the default workload
  std::optional<double> tenant_timeout_s;  ///< per phase; default derived from the plan
  std::vector<std::string> mps_thread_pct; ///< one value for all tenants, or one per tenant
  std::vector<std::string> mps_mem_limit;  ///< e.g. "2G" or "0=2G"
  std::vector<std::string> mps_priority;   ///< 0 normal, 1 below normal
  bool mps_use_existing = false;
  std::string mps_control = "nvidia-cuda-mps-control";
  std::string suite;        ///< --suite FILE; "" = the embedded default suite (for --mode all)
  std::string mig_geometry; ///< --mode mig: GPU instance profiles to create, e.g. "3g.40gb,4g.40gb"
  bool mig_apply = false;   ///< allow destroying and recreating the GPU's MIG instances
  bool dry_run = false;     ///< print the commands --mig-apply would run, run nothing
  std::string nvidia_smi = "nvidia-smi";
  /// --mode isolation: the mechanisms to measure (empty = all) and the workload set, "gpu" or
  /// "host" (test instruments).
  std::vector<std::string> isolation_mechanisms;
  std::string isolation_workloads = "gpu";
  int telemetry_interval_ms = 50; ///< GPU counters sampled this often per phase; 0 = off
  double max_clock_drift = 0.05;  ///< SM clock range over a phase, as a fraction, before flagging
};

} // namespace gpushare
