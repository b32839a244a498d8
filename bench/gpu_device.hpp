#pragma once
// Whether this process can use a CUDA device, decided once and shared by every GPU benchmark,
// so that on a machine without one each benchmark is skipped with the same reason instead of
// failing on its first CUDA call.
//
// Naming convention the smoke test relies on (bench/check_benchmark_json.py): a benchmark that
// needs a device (CUDA, cuBLAS, NVML) is named BM_gpu_*, and may be skipped with a reason; every
// other benchmark must always produce a measurement.

#include <benchmark/benchmark.h>

#include <exception>
#include <string>

namespace gpushare::bench {

struct device_status {
  bool usable = false;
  std::string reason;         ///< why not, when not usable
  std::string name;           ///< "NVIDIA H100 80GB HBM3 (sm_90)", when usable
  int compute_capability = 0; ///< major * 10 + minor, when usable
};

/// Device 0 as cudaGetDeviceCount and cudaGetDeviceProperties describe it; probed on first use.
[[nodiscard]] const device_status& cuda_device();

/// Runs `body` when device 0 is usable, otherwise skips the benchmark with the reason. A
/// failing CUDA or cuBLAS call inside `body` (they throw) skips it with the error, so one
/// broken benchmark does not end the whole run.
template <typename Body> void run_on_gpu(benchmark::State& state, Body body) {
  const device_status& device = cuda_device();
  if (!device.usable) {
    state.SkipWithError(device.reason.c_str());
    return;
  }
  try {
    body();
  } catch (const std::exception& error) {
    state.SkipWithError(error.what());
  }
}

} // namespace gpushare::bench
