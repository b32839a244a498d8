#include "cli/help_text.hpp"

#include "common/version.hpp"
#include "harness/workload_spec.hpp"

#include <fmt/format.h>

namespace gpushare::cli {

std::string version_text() {
  return fmt::format("gpushare-bench {} (git {}{})", tool_version(), tool_git_sha(),
                     tool_git_dirty() ? ", modified" : "");
}

std::string help_footer() {
  return fmt::format(
      R"(Modes (--mode):
  streams     One process. (1) K independent small kernels on 1 stream against S streams;
              (2) a chunked host->device copy, kernel, device->host copy pipeline in pinned
              memory on 1 against S streams. Reports speedup = T(1 stream) / T(S streams),
              the ideal speedup bound computed from separately timed stages, and
              efficiency = speedup / ideal.
  timeslice   N tenant processes (--tenants, --workload) share the GPU without MPS. Each is
              measured alone (solo), then all together behind a barrier (shared). Reports per
              tenant slowdown (median iteration time shared / solo), p99 inflation,
              throughput; overall throughput ratio, Jain fairness, mechanism overhead
              (mean slowdown / N - 1) and start skew. With two or more spin tenants it is
              also the time-slice probe: their kernels record on the GPU's global timer
              when they ran, which gives the time slice and the context-switch gap.
  mps         The same, the shared phase through an MPS control daemon the tool starts in a
              private 0700 directory and always stops (--mps-thread-pct, --mps-mem-limit,
              --mps-priority per tenant). A daemon already running is never touched: the run
              is refused unless --mps-use-existing. Processes not meant to be MPS clients
              (solo and timeslice tenants, MIG tenants, the calibrate and streams worker) get
              an empty CUDA_MPS_PIPE_DIRECTORY of their own, so no daemon captures them;
              with --mps-use-existing they inherit the harness's instead, except in mig
              and isolation runs.
  mig         One tenant per MIG instance of GPU --device (nvidia-smi's GPU index): the
              instances that exist, or --mig-geometry G created for the run with
              --mig-apply (the old layout is restored afterwards, also on failure and
              Ctrl-C; --dry-run prints the nvidia-smi commands). Each tenant alone on its
              instance, then all together: interference = shared / solo (about 1.0 when
              the hardware partitions hold). Needs MIG enabled; see also 'mig --help'.
  isolation   The measured isolation matrix: for timeslice, mps, mps-limited (every client
              held to its share by CUDA_MPS_PINNED_DEVICE_MEM_LIMIT and
              CUDA_MPS_ACTIVE_THREAD_PERCENTAGE) and mig, four scenarios: memory (a hog takes
              all it can, then a victim allocates its promised 40 %), fault (a tenant makes an
              illegal memory access while two victims run; under MPS the server state, the
              time until a new client runs and the log tail), latency (an infer victim's p99
              alone vs beside gemm and triad) and compute (a gemm victim's throughput against
              its guaranteed share). Each cell gets isolated / partial / none / untested by a
              stated rule, with its evidence, next to the reference articles' claims.
              --isolation-mechanisms LIST, --isolation-workloads host (test instruments).
  calibrate   The card's own limits, measured now: cuBLAS GEMM peak per dtype (fp32, tf32,
              fp16, bf16; best of m=n=k 4096 and 8192), device memory bandwidth (the better
              of a device-to-device copy and the triad kernel, bytes read + written), pinned
              host<->device bandwidth, kernel launch latency. Later runs of the same
              invocation give every gemm, triad and mixed result as a fraction of its limit;
              a rate more than 10 % above its limit's interval is impossible, so that run
              fails (exit 1) instead of becoming a record.
  all         The measurements of a suite, one combined report: --suite FILE, or the
              embedded default suite (calibrate; streams; timeslice and mps with 2, 4 and 8
              GEMM tenants; the time-slice probe with 2 spin tenants; an open-loop infer
              victim beside 3 GEMM aggressors; mig; isolation). Show it with
              'gpushare-bench suite --print'; a suite file has the same form.

Workloads (--workload name:key=value,...; integers accept Ki, Mi, Gi suffixes):
{}
  host-* workloads are test instruments: their figures are never GPU results.

Statistics: every figure is the median of --repetitions repetitions with a distribution-free
interval (95 % when R >= 6; with fewer repetitions the report states the interval's actual
coverage); a figure whose coefficient of variation exceeds --max-noise (5 %) is flagged "noisy".
With --max-repetitions M, tenants' solo phases repeat past --repetitions until the CV is under
--max-noise or M is reached, and the shared phase runs the most any tenant needed alone.

Telemetry: NVML (loaded at run time) is sampled every --telemetry-interval ms during every
tenant phase, the streams experiment and the calibration; a phase on a power-capped, thermally or hardware slowed GPU is flagged
"throttled", one whose busy SM clock moved by more than --max-clock-drift "clock_drift".
Without a driver the report says why telemetry is unavailable and the run measures anyway.

Output: tables on stdout (unless --quiet), progress and errors on stderr, and with --json FILE
the complete versioned report (schema in report/schema/report.schema.json), rewritten after
every phase so an interrupted run keeps what it measured.

Tenants, and the queries, calibration and streams experiment the harness needs CUDA for, are this program
re-executed (fork + exec): the harness process itself never initialises CUDA. Without --iterations or --duration, tenant modes time each
repetition for 0.5 s so that all tenants run for the same time. A tenant that crashes or
outlives --tenant-timeout is reported with its workload, exit code or signal and stderr tail;
the others' results are kept.

Exit codes: 0 success; 1 a correctness check failed (or a rate above the calibrated limit); 2 usage, configuration or environment
error (no GPU, no driver, bad option); 3 a tenant failed; 130 interrupted (SIGINT/SIGTERM:
tenants and daemon are stopped, the report keeps what was measured).

Examples:
  gpushare-bench probe
  gpushare-bench --mode streams --streams 1,2,4,8 --json streams.json
  gpushare-bench --mode mps --tenants 4 --workload gemm:dtype=bf16 --json mps.json
  gpushare-bench --mode timeslice --workload infer:batch=1 --workload gemm --workload gemm
  gpushare-bench --mode mig --workload infer:batch=8 --json mig.json
  gpushare-bench mig validate --gpu A100-80GB --geometry 3g.40gb,2g.20gb,2g.20gb
  gpushare-bench --mode all --json report.json
  gpushare-bench compare baseline.json report.json --threshold 5
  gpushare-bench report results/*.json -o report/
  gpushare-bench suite --print > my.suite && gpushare-bench --suite my.suite
)",
      workload_catalog_help());
}

} // namespace gpushare::cli
