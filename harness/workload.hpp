#pragma once
// The interface every workload implements. One workload instance lives in one process and
// owns its device buffers; the measurement loop (measure.hpp) drives it.

#include "harness/records.hpp"
#include "harness/workload_spec.hpp"

#include <memory>
#include <string>

namespace gpushare {

struct workload_context {
  int device = 0; ///< CUDA device ordinal to run on
};

class workload {
public:
  virtual ~workload() = default;
  workload() = default;
  workload(const workload&) = delete;
  workload& operator=(const workload&) = delete;

  /// One sentence with the sizes used, e.g. "cuBLAS GEMM fp16, m=n=k=4096 (137.4 GFLOP)".
  [[nodiscard]] virtual std::string description() const = 0;
  /// True for host-* test instruments, whose figures are never GPU results.
  [[nodiscard]] virtual bool host_only() const = 0;
  /// Selects the device, allocates and initialises inputs. Throws cuda_error on failure.
  virtual void setup() = 0;
  /// Runs once and compares the device output with the host reference. Must be called after
  /// setup(); timings only count when it passed.
  virtual verification_result verify() = 0;
  /// One timed iteration: enqueue the work and wait until it has finished.
  virtual void run_iteration() = 0;
  [[nodiscard]] virtual double flops_per_iteration() const = 0;
  [[nodiscard]] virtual double bytes_per_iteration() const = 0;
  /// Called once after warm-up, before the barrier that starts timing (device work after the
  /// barrier would delay the start): evidence a workload collects on the device must leave out
  /// set-up, verification and warm-up.
  virtual void on_timing_start() {}
  /// Called once after the last timed iteration: adds what the workload collected since
  /// on_timing_start() to the result (the spin workload's run segments).
  virtual void add_evidence(workload_result& /*result*/) {}
};

/// Builds the workload a parsed spec names. Throws usage_error for an unknown name.
[[nodiscard]] std::unique_ptr<workload> make_workload(const workload_spec& spec,
                                                      const workload_context& context);

} // namespace gpushare
