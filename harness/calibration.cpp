#include "harness/calibration.hpp"

#include "common/cuda_check.hpp"
#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "kernels/cublas_handle.hpp"
#include "kernels/cuda_event.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/device_buffer.hpp"
#include "kernels/gemm.hpp"
#include "kernels/gemm_reference.hpp"
#include "kernels/mixed.hpp"
#include "kernels/pattern.hpp"
#include "kernels/pinned_buffer.hpp"
#include "kernels/triad.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>

namespace gpushare {
namespace {

using kernels::cuda_event;
using kernels::cuda_stream;
using kernels::device_buffer;

constexpr int max_calls_per_repetition = 100'000;

/// Device time of `calls` back-to-back enqueues of `enqueue` on `stream` [us].
double timed_batch(const cuda_stream& stream, int calls, const std::function<void()>& enqueue) {
  cuda_event start;
  cuda_event stop;
  start.record(stream.get());
  for (int i = 0; i < calls; ++i) {
    enqueue();
  }
  stop.record(stream.get());
  stop.synchronize();
  return stop.elapsed_us_since(start);
}

/// Rates per repetition of `work_per_call` units each, in units per microsecond: warms up,
/// sizes the batch from one timed call, then times `repetitions` batches.
std::vector<double> rates_per_us(const calibration_settings& settings, const cuda_stream& stream,
                                 double work_per_call, const std::function<void()>& enqueue) {
  for (int i = 0; i < settings.warmup; ++i) {
    throw_if_interrupted();
    (void)timed_batch(stream, 1, enqueue);
  }
  const double single_us = timed_batch(stream, 1, enqueue);
  const int calls = calls_per_repetition(single_us, 1000.0 * settings.target_repetition_ms,
                                         max_calls_per_repetition);
  std::vector<double> rates;
  for (int repetition = 0; repetition < settings.repetitions; ++repetition) {
    throw_if_interrupted();
    const double elapsed_us = timed_batch(stream, calls, enqueue);
    rates.push_back(work_per_call * calls / std::max(elapsed_us, 1e-3));
  }
  return rates;
}

std::optional<gemm_peak> measure_gemm(const calibration_settings& settings,
                                      const cuda_stream& stream, const kernels::cublas_handle& blas,
                                      const std::string& dtype_text, calibration_result& result) {
  const auto type = kernels::parse_dtype(dtype_text);
  if (!type || !kernels::gemm_supports(*type)) {
    throw usage_error(fmt::format("calibrate: '{}' is not a GEMM dtype", dtype_text));
  }
  try {
    kernels::require_gemm_support(*type, settings.device);
  } catch (const usage_error& unsupported) {
    result.skipped.push_back(fmt::format("gemm {}: {}", dtype_text, unsupported.what()));
    return std::nullopt;
  }
  gemm_peak peak;
  peak.dtype = dtype_text;
  std::size_t free_bytes = 0;
  std::size_t total_bytes = 0;
  GPUSHARE_CUDA_CALL(cudaMemGetInfo(&free_bytes, &total_bytes));
  for (const int size : settings.gemm_sizes) {
    const kernels::gemm_problem problem = kernels::make_gemm_problem(*type, size, size, size);
    const std::size_t elements = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
    const std::size_t bytes = 3 * elements * kernels::dtype_size(*type);
    if (bytes > free_bytes / 2) {
      result.skipped.push_back(fmt::format("gemm {} at {}: needs {} MiB, {} MiB free", dtype_text,
                                           size, bytes >> 20, free_bytes >> 20));
      continue;
    }
    device_buffer a(elements * kernels::dtype_size(*type));
    device_buffer b(elements * kernels::dtype_size(*type));
    device_buffer c(elements * kernels::dtype_size(*type));
    kernels::fill_pattern(a.data(), *type, elements, problem.seed_a, problem.scale_a, stream.get());
    kernels::fill_pattern(b.data(), *type, elements, problem.seed_b, problem.scale_b, stream.get());
    const double flops = 2.0 * std::pow(static_cast<double>(size), 3);
    std::vector<double> tflops = rates_per_us(settings, stream, flops, [&] {
      kernels::launch_gemm(blas, *type, size, size, size, a.data(), b.data(), c.data(),
                           stream.get());
    });
    for (double& rate : tflops) {
      rate /= 1e6; // FLOP per us -> TFLOP per s
    }
    const sample_summary summary = summarize(tflops, settings.noise_threshold);
    peak.sizes_tried.push_back(size);
    peak.medians.push_back(summary.median);
    if (peak.size == 0 || summary.median > peak.tflops.median) {
      peak.size = size;
      peak.tflops = summary;
    }
  }
  if (peak.size == 0) {
    return std::nullopt;
  }
  return peak;
}

/// Bytes a copy may use: `wanted`, or a quarter of free memory when that is less (the copy
/// holds two buffers), in whole MiB.
std::uint64_t copy_size(std::uint64_t wanted) {
  std::size_t free_bytes = 0;
  std::size_t total_bytes = 0;
  GPUSHARE_CUDA_CALL(cudaMemGetInfo(&free_bytes, &total_bytes));
  const std::uint64_t bound = static_cast<std::uint64_t>(free_bytes) / 4;
  return std::max<std::uint64_t>(std::min(wanted, bound) & ~((1ull << 20) - 1), 1ull << 20);
}

bandwidth_figure measure_device_copy(const calibration_settings& settings,
                                     const cuda_stream& stream) {
  bandwidth_figure figure;
  figure.bytes = copy_size(settings.device_copy_bytes);
  figure.counted = "read + written (2 x bytes per copy)";
  device_buffer source(figure.bytes);
  device_buffer target(figure.bytes);
  kernels::fill_pattern(source.data(), kernels::dtype::fp32, figure.bytes / sizeof(float), 0x5eed,
                        1.0f, stream.get());
  std::vector<double> rates =
      rates_per_us(settings, stream, 2.0 * static_cast<double>(figure.bytes), [&] {
        GPUSHARE_CUDA_CALL(cudaMemcpyAsync(target.data(), source.data(), figure.bytes,
                                           cudaMemcpyDeviceToDevice, stream.get()));
      });
  for (double& rate : rates) {
    rate /= 1e3; // bytes per us -> GB per s
  }
  figure.gb_per_s = summarize(rates, settings.noise_threshold);
  return figure;
}

/// Three arrays of half the copy size each: as far beyond L2 as the copy, within the same
/// memory budget (a quarter of free memory per half-size array at most).
bandwidth_figure measure_device_triad(const calibration_settings& settings,
                                      const cuda_stream& stream) {
  bandwidth_figure figure;
  const std::uint64_t array_bytes = copy_size(settings.device_copy_bytes / 2);
  const std::size_t n = array_bytes / sizeof(float);
  figure.bytes = 3 * static_cast<std::uint64_t>(n) * sizeof(float);
  figure.counted = "read + written (triad: 3 x n x 4 bytes per call)";
  device_buffer a(n * sizeof(float));
  device_buffer b(n * sizeof(float));
  device_buffer c(n * sizeof(float));
  kernels::fill_pattern(b.data(), kernels::dtype::fp32, n, kernels::triad_seed_b, 1.0f,
                        stream.get());
  kernels::fill_pattern(c.data(), kernels::dtype::fp32, n, kernels::triad_seed_c, 1.0f,
                        stream.get());
  std::vector<double> rates =
      rates_per_us(settings, stream, static_cast<double>(figure.bytes), [&] {
        kernels::launch_triad(a.as<float>(), b.as<float>(), c.as<float>(),
                              static_cast<float>(kernels::triad_scalar), n, stream.get());
      });
  for (double& rate : rates) {
    rate /= 1e3;
  }
  figure.gb_per_s = summarize(rates, settings.noise_threshold);
  return figure;
}

bandwidth_figure measure_host_copy(const calibration_settings& settings, const cuda_stream& stream,
                                   bool to_device) {
  bandwidth_figure figure;
  figure.bytes = copy_size(settings.host_copy_bytes);
  figure.counted = "bytes copied (one direction, pinned host memory)";
  kernels::pinned_buffer<unsigned char> host(figure.bytes);
  std::memset(host.get(), 0x5a, figure.bytes);
  device_buffer device(figure.bytes);
  std::vector<double> rates =
      rates_per_us(settings, stream, static_cast<double>(figure.bytes), [&] {
        if (to_device) {
          GPUSHARE_CUDA_CALL(cudaMemcpyAsync(device.data(), host.get(), figure.bytes,
                                             cudaMemcpyHostToDevice, stream.get()));
        } else {
          GPUSHARE_CUDA_CALL(cudaMemcpyAsync(host.get(), device.data(), figure.bytes,
                                             cudaMemcpyDeviceToHost, stream.get()));
        }
      });
  for (double& rate : rates) {
    rate /= 1e3;
  }
  figure.gb_per_s = summarize(rates, settings.noise_threshold);
  return figure;
}

/// The kernel is `mixed` over one element with one FMA in one block: nothing but launch and
/// completion. Host clock, because the round trip is what a tenant's iteration pays.
void measure_launch(const calibration_settings& settings, const cuda_stream& stream,
                    calibration_result& result) {
  device_buffer element(sizeof(float));
  element.zero(stream.get());
  const auto launch = [&] {
    kernels::launch_mixed(element.as<float>(), 1, 1, 1, kernels::mixed_default_block_threads,
                          stream.get());
  };
  const int launches = std::max(settings.launches_per_repetition, 1);
  for (int i = 0; i < 100; ++i) {
    launch();
  }
  stream.synchronize();
  std::vector<double> round_trip;
  std::vector<double> back_to_back;
  using clock = std::chrono::steady_clock;
  for (int repetition = 0; repetition < settings.repetitions; ++repetition) {
    throw_if_interrupted();
    auto start = clock::now();
    for (int i = 0; i < launches; ++i) {
      launch();
      stream.synchronize();
    }
    round_trip.push_back(std::chrono::duration<double, std::micro>(clock::now() - start).count() /
                         launches);
    start = clock::now();
    for (int i = 0; i < launches; ++i) {
      launch();
    }
    stream.synchronize();
    back_to_back.push_back(std::chrono::duration<double, std::micro>(clock::now() - start).count() /
                           launches);
  }
  result.launch_round_trip_us = summarize(round_trip, settings.noise_threshold);
  result.launch_back_to_back_us = summarize(back_to_back, settings.noise_threshold);
}

} // namespace

int calls_per_repetition(double single_us, double target_us, int most) {
  if (!(single_us > 0) || !std::isfinite(single_us)) {
    return std::max(1, std::min(most, 1));
  }
  const double calls = std::ceil(target_us / single_us);
  return static_cast<int>(std::clamp(calls, 1.0, static_cast<double>(std::max(most, 1))));
}

calibration_result run_calibration(const calibration_settings& settings, const gpu_info& gpu) {
  if (settings.repetitions < 1) {
    throw usage_error("calibrate: at least one repetition is needed");
  }
  GPUSHARE_CUDA_CALL(cudaSetDevice(settings.device));
  // Tenants run after this in other processes; this context must not hold memory meanwhile.
  struct context_release {
    ~context_release() { (void)cudaDeviceReset(); }
  } release_context_at_exit;
  calibration_result result;
  result.l2_cache_bytes = static_cast<std::uint64_t>(std::max(gpu.l2_cache_bytes, 0));
  result.gpu_name = gpu.name;
  // With MIG enabled, CUDA's device is one instance; "unknown" is not a whole GPU either.
  result.whole_gpu = gpu.mig_mode == "disabled" || gpu.mig_mode == "unsupported";
  const cuda_stream stream = cuda_stream::create_non_blocking();
  {
    const kernels::cublas_handle blas = kernels::cublas_handle::create();
    for (const std::string& dtype : settings.gemm_dtypes) {
      if (auto peak = measure_gemm(settings, stream, blas, dtype, result)) {
        result.gemm.push_back(std::move(*peak));
      }
    }
  }
  result.device_copy = measure_device_copy(settings, stream);
  result.device_triad = measure_device_triad(settings, stream);
  result.host_to_device = measure_host_copy(settings, stream, true);
  result.device_to_host = measure_host_copy(settings, stream, false);
  measure_launch(settings, stream, result);
  return result;
}

} // namespace gpushare
