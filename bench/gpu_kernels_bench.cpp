// Peak figures of the kernels the workloads run, alone on an idle GPU: what a tenant could
// reach without sharing, to put the shared figures of a report in proportion. GEMM goes
// through the same cuBLAS call as the gemm workload (kernels/gemm), triad through the same
// kernel as the triad workload. Times come from CUDA events around each launch, so host-side
// launch overhead and the benchmark loop stay out of the figures.
#include "bench/gpu_device.hpp"
#include "common/cuda_check.hpp"
#include "kernels/cublas_handle.hpp"
#include "kernels/cuda_event.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/device_buffer.hpp"
#include "kernels/dtype.hpp"
#include "kernels/gemm.hpp"
#include "kernels/pattern.hpp"
#include "kernels/triad.hpp"

#include <cuda_runtime_api.h>

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

namespace kernels = gpushare::kernels;

// Pattern seeds of the benchmarks' inputs; any values work as long as they are not zeros,
// which some GPUs multiply faster and at lower power than real data.
constexpr std::uint32_t seed_a = 0xa11u;
constexpr std::uint32_t seed_b = 0xb11u;

void select_device() {
  GPUSHARE_CUDA_CALL(cudaSetDevice(0));
}

// Times `enqueue` between two events per iteration and returns the total GPU seconds.
template <typename Enqueue>
double time_with_events(benchmark::State& state, cudaStream_t stream, Enqueue enqueue) {
  const kernels::cuda_event start;
  const kernels::cuda_event stop;
  // One untimed run: cuBLAS picks and loads its kernel and lazy module loading happens here,
  // not in the first timed iteration.
  enqueue();
  GPUSHARE_CUDA_CALL(cudaStreamSynchronize(stream));
  double total_seconds = 0;
  for (auto _ : state) {
    start.record(stream);
    enqueue();
    stop.record(stream);
    stop.synchronize();
    const double seconds = stop.elapsed_us_since(start) * 1e-6;
    state.SetIterationTime(seconds);
    total_seconds += seconds;
  }
  return total_seconds;
}

// C = A * B, square n x n, in `type`: TFLOP/s counts 2 n^3 floating-point operations per GEMM.
void BM_gpu_gemm(benchmark::State& state, kernels::dtype type) {
  gpushare::bench::run_on_gpu(state, [&state, type] {
    select_device();
    // Throws with the compute capability needed (e.g. bf16 before Ampere): skipped, with why.
    kernels::require_gemm_support(type, 0);
    const auto n = static_cast<int>(state.range(0));
    const auto elements = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
    const kernels::cuda_stream stream = kernels::cuda_stream::create_non_blocking();
    const kernels::cublas_handle handle = kernels::cublas_handle::create();
    const kernels::device_buffer a(elements * kernels::dtype_size(type));
    const kernels::device_buffer b(elements * kernels::dtype_size(type));
    const kernels::device_buffer c(elements * kernels::dtype_size(type));
    kernels::fill_pattern(a.data(), type, elements, seed_a, 1.0f, stream.get());
    kernels::fill_pattern(b.data(), type, elements, seed_b, 1.0f, stream.get());
    const double seconds = time_with_events(state, stream.get(), [&] {
      kernels::launch_gemm(handle, type, n, n, n, a.data(), b.data(), c.data(), stream.get());
    });
    const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * n;
    if (seconds > 0) {
      state.counters["TFLOP/s"] = flops * static_cast<double>(state.iterations()) / seconds / 1e12;
    }
  });
}

// Registered by hand so each dtype appears by name ("BM_gpu_gemm/fp16/n:4096"), not as an
// index into a list.
const bool gemm_registered = [] {
  for (const kernels::dtype type :
       {kernels::dtype::fp32, kernels::dtype::tf32, kernels::dtype::fp16, kernels::dtype::bf16}) {
    const std::string name = "BM_gpu_gemm/" + std::string(kernels::dtype_name(type));
    benchmark::RegisterBenchmark(name.c_str(), BM_gpu_gemm, type)
        ->ArgName("n")
        ->Arg(1024)
        ->Arg(4096)
        ->Arg(8192)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

// a = b + s * c over n fp32 elements: GB/s counts the two loads and one store per element
// (STREAM's convention; write-allocate traffic is not counted).
void BM_gpu_triad(benchmark::State& state) {
  gpushare::bench::run_on_gpu(state, [&state] {
    select_device();
    const auto n = static_cast<std::size_t>(state.range(0));
    const kernels::cuda_stream stream = kernels::cuda_stream::create_non_blocking();
    const kernels::device_buffer a(n * sizeof(float));
    const kernels::device_buffer b(n * sizeof(float));
    const kernels::device_buffer c(n * sizeof(float));
    kernels::fill_pattern(b.data(), kernels::dtype::fp32, n, kernels::triad_seed_b, 1.0f,
                          stream.get());
    kernels::fill_pattern(c.data(), kernels::dtype::fp32, n, kernels::triad_seed_c, 1.0f,
                          stream.get());
    const double seconds = time_with_events(state, stream.get(), [&] {
      kernels::launch_triad(a.as<float>(), b.as<float>(), c.as<float>(),
                            static_cast<float>(kernels::triad_scalar), n, stream.get());
    });
    const double bytes = 3.0 * static_cast<double>(n) * sizeof(float);
    if (seconds > 0) {
      state.counters["GB/s"] = bytes * static_cast<double>(state.iterations()) / seconds / 1e9;
    }
  });
}
// 2^20 elements (12 MiB in all) stay in the L2 cache of recent data-centre GPUs; 2^26
// (768 MiB) is far larger than any L2, so that one is device-memory bandwidth.
BENCHMARK(BM_gpu_triad)
    ->ArgName("n")
    ->Arg(1 << 20)
    ->Arg(1 << 26)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

} // namespace
