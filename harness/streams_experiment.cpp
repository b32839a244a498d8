#include "harness/streams_experiment.hpp"

#include "common/cuda_check.hpp"
#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "kernels/cuda_event.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/device_buffer.hpp"
#include "kernels/mixed.hpp"
#include "kernels/pinned_buffer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>

namespace gpushare {
namespace {

using kernels::cuda_event;
using kernels::cuda_stream;
using kernels::device_buffer;
using kernels::pinned_buffer;

// Resident grids per device for compute capability 7.0 and newer (CUDA C++ Programming Guide,
// "Features and Technical Specifications"): the hardware limit on kernels running at once.
constexpr int max_resident_grids = 128;
constexpr int default_batches_per_repetition = 5;

/// Streams beyond this many share hardware queues and serialise behind each other, so the
/// ideal bounds count no more (CUDA_DEVICE_MAX_CONNECTIONS, default 8, at most 32).
int device_work_queues() {
  constexpr int driver_default = 8;
  const char* text = std::getenv("CUDA_DEVICE_MAX_CONNECTIONS");
  const int value = text != nullptr ? std::atoi(text) : driver_default;
  return value >= 1 ? std::min(value, max_device_connections) : driver_default;
}

/// Runs `batch_us` (one timed batch, returns its device time) for warm-up and repetitions and
/// summarises the per-repetition mean batch time.
sample_summary time_batches(const streams_settings& settings,
                            const std::function<double()>& batch_us) {
  for (int i = 0; i < settings.warmup_batches; ++i) {
    throw_if_interrupted();
    (void)batch_us();
  }
  const auto duration = std::chrono::duration<double>(settings.duration_s.value_or(0.0));
  const std::uint64_t batches = settings.batches_per_repetition.value_or(
      static_cast<std::uint64_t>(default_batches_per_repetition));
  std::vector<double> repetitions;
  for (int repetition = 0; repetition < settings.repetitions; ++repetition) {
    const auto start = std::chrono::steady_clock::now();
    double total_us = 0;
    std::uint64_t done = 0;
    while (settings.duration_s ? (done == 0 || std::chrono::steady_clock::now() - start < duration)
                               : done < batches) {
      throw_if_interrupted();
      total_us += batch_us();
      ++done;
    }
    repetitions.push_back(total_us / static_cast<double>(done));
  }
  return summarize(repetitions, settings.noise_threshold);
}

/// Starts every stream at one event and joins them into the first, so the events on the first
/// stream bracket the work of all of them.
class fan_out {
public:
  explicit fan_out(int streams) {
    for (int i = 0; i < streams; ++i) {
      m_streams.push_back(cuda_stream::create_non_blocking());
      m_done.emplace_back();
    }
  }
  [[nodiscard]] cudaStream_t stream(std::size_t i) const {
    return m_streams[i % m_streams.size()].get();
  }
  [[nodiscard]] std::size_t size() const { return m_streams.size(); }

  void begin() {
    m_start.record(m_streams[0].get());
    for (std::size_t i = 1; i < m_streams.size(); ++i) {
      GPUSHARE_CUDA_CALL(cudaStreamWaitEvent(m_streams[i].get(), m_start.get(), 0));
    }
  }
  /// Joins, waits, and returns the device time since begin() [us].
  double end() {
    for (std::size_t i = 1; i < m_streams.size(); ++i) {
      m_done[i].record(m_streams[i].get());
      GPUSHARE_CUDA_CALL(cudaStreamWaitEvent(m_streams[0].get(), m_done[i].get(), 0));
    }
    m_stop.record(m_streams[0].get());
    m_stop.synchronize();
    return m_stop.elapsed_us_since(m_start);
  }

private:
  std::vector<cuda_stream> m_streams;
  std::vector<cuda_event> m_done;
  cuda_event m_start;
  cuda_event m_stop;
};

double median_of(const std::function<double()>& measure, int count) {
  std::vector<double> values;
  for (int i = 0; i < count; ++i) {
    values.push_back(measure());
  }
  return median(values);
}

kernel_overlap_result measure_kernel_overlap(const streams_settings& settings,
                                             const gpu_info& gpu) {
  kernel_overlap_result result;
  const int widest =
      *std::max_element(settings.stream_counts.begin(), settings.stream_counts.end());
  result.kernels = settings.kernels;
  result.threads_per_block = kernels::mixed_default_block_threads;
  // One block per SM for 1/widest of the SMs: a kernel alone leaves the rest idle, and the
  // widest configuration can just fill the GPU with one block per SM.
  result.blocks_per_kernel = static_cast<unsigned>(std::max(1, gpu.sm_count / widest));
  result.elements_per_kernel = std::uint64_t{result.blocks_per_kernel} * result.threads_per_block;
  const int resident_blocks =
      kernels::mixed_max_blocks_per_sm(result.threads_per_block) * gpu.sm_count;
  result.concurrent_capacity =
      std::min({max_resident_grids, device_work_queues(),
                std::max(1, resident_blocks / static_cast<int>(result.blocks_per_kernel))});

  const device_buffer buffer(result.elements_per_kernel *
                             static_cast<std::size_t>(settings.kernels) * sizeof(float));
  float* const data = buffer.as<float>();
  fan_out single(1);
  // On the stream the kernels use: a legacy-stream memset would not order with them.
  GPUSHARE_CUDA_CALL(cudaMemsetAsync(data, 0, buffer.size_bytes(), single.stream(0)));
  const auto one_kernel_us = [&](int fma) {
    single.begin();
    kernels::launch_mixed(data, result.elements_per_kernel, fma, result.blocks_per_kernel,
                          result.threads_per_block, single.stream(0));
    return single.end();
  };

  // The kernel's speed is unknown before it runs on this card: time a probe length and scale
  // the FMA chain so one kernel takes about target_kernel_us.
  constexpr int probe_fma = 4096;
  (void)one_kernel_us(probe_fma);
  const double probe_us = median_of([&] { return one_kernel_us(probe_fma); }, 3);
  const double scaled = probe_fma * settings.target_kernel_us / std::max(probe_us, 1.0);
  result.fma_per_element = static_cast<int>(std::clamp(scaled, 64.0, double{1 << 24}));
  result.single_kernel_us =
      time_batches(settings, [&] { return one_kernel_us(result.fma_per_element); });
  result.sizing_note = fmt::format(
      "each kernel is {} block(s) x {} threads, 1/{} of the {} SMs, so one kernel cannot fill "
      "the GPU and up to {} can run side by side ({} hardware work queues); {} dependent FMAs "
      "per thread make one kernel take {:.0f} us alone (target {:.0f} us, long against launch "
      "overhead)",
      result.blocks_per_kernel, result.threads_per_block, widest, gpu.sm_count,
      result.concurrent_capacity, device_work_queues(), result.fma_per_element,
      result.single_kernel_us.median, settings.target_kernel_us);

  for (const int streams : settings.stream_counts) {
    fan_out lanes(streams);
    const auto batch = [&] {
      lanes.begin();
      for (int i = 0; i < settings.kernels; ++i) {
        kernels::launch_mixed(data + static_cast<std::size_t>(i) * result.elements_per_kernel,
                              result.elements_per_kernel, result.fma_per_element,
                              result.blocks_per_kernel, result.threads_per_block,
                              lanes.stream(static_cast<std::size_t>(i)));
      }
      return lanes.end();
    };
    stream_point point;
    point.streams = streams;
    point.time_us = time_batches(settings, batch);
    point.ideal_speedup =
        ideal_kernel_overlap_speedup(settings.kernels, streams, result.concurrent_capacity);
    result.points.push_back(point);
  }
  return result;
}

float pipeline_input(std::size_t i) {
  // Distinct, exactly representable values in [-0.5, 0.5).
  return static_cast<float>((i * 2654435761u >> 12) & 1023u) / 1024.0f - 0.5f;
}

copy_pipeline_result measure_copy_pipeline(const streams_settings& settings, const gpu_info& gpu) {
  copy_pipeline_result result;
  result.chunks = settings.chunks;
  result.copy_engines = gpu.async_engine_count;
  const std::size_t chunk_elements = std::max<std::size_t>(
      1, settings.pipeline_bytes / sizeof(float) / static_cast<std::size_t>(settings.chunks));
  const std::size_t total_elements = chunk_elements * static_cast<std::size_t>(settings.chunks);
  result.chunk_bytes = chunk_elements * sizeof(float);
  result.total_bytes = total_elements * sizeof(float);

  pinned_buffer<float> host_in(total_elements);
  pinned_buffer<float> host_out(total_elements);
  const device_buffer device_memory(total_elements * sizeof(float));
  float* const device = device_memory.as<float>();
  for (std::size_t i = 0; i < total_elements; ++i) {
    host_in[i] = pipeline_input(i);
  }
  const auto h2d = [&](std::size_t chunk, cudaStream_t stream) {
    const std::size_t offset = chunk * chunk_elements;
    GPUSHARE_CUDA_CALL(cudaMemcpyAsync(device + offset, host_in.get() + offset, result.chunk_bytes,
                                       cudaMemcpyHostToDevice, stream));
  };
  const auto kernel = [&](std::size_t chunk, int fma, cudaStream_t stream) {
    kernels::launch_mixed(device + chunk * chunk_elements, chunk_elements, fma, 0,
                          kernels::mixed_default_block_threads, stream);
  };
  const auto d2h = [&](std::size_t chunk, cudaStream_t stream) {
    const std::size_t offset = chunk * chunk_elements;
    GPUSHARE_CUDA_CALL(cudaMemcpyAsync(host_out.get() + offset, device + offset, result.chunk_bytes,
                                       cudaMemcpyDeviceToHost, stream));
  };
  const auto chunks = static_cast<std::size_t>(settings.chunks);

  // A balanced pipeline shows the most overlap: scale the kernel so one chunk's kernel takes
  // about as long as one chunk's copy.
  fan_out single(1);
  const auto time_stage = [&](const std::function<void(std::size_t, cudaStream_t)>& stage) {
    single.begin();
    for (std::size_t c = 0; c < chunks; ++c) {
      stage(c, single.stream(0));
    }
    return single.end();
  };
  constexpr int probe_fma = 64;
  (void)time_stage(h2d);
  const double copy_us = median_of([&] { return time_stage(h2d); }, 3);
  const double probe_kernel_us = median_of(
      [&] { return time_stage([&](std::size_t c, cudaStream_t s) { kernel(c, probe_fma, s); }); },
      3);
  result.fma_per_element = static_cast<int>(
      std::clamp(probe_fma * copy_us / std::max(probe_kernel_us, 1.0), 1.0, double{1 << 20}));
  const int fma = result.fma_per_element;

  result.h2d_us = time_batches(settings, [&] { return time_stage(h2d); });
  result.kernel_us = time_batches(settings, [&] {
    return time_stage([&](std::size_t c, cudaStream_t s) { kernel(c, fma, s); });
  });
  result.d2h_us = time_batches(settings, [&] { return time_stage(d2h); });
  result.sizing_note = fmt::format(
      "{} MiB in pinned host memory, {} chunks of {} KiB; the kernel runs {} FMAs per element so "
      "one chunk's kernel takes about as long as its host-to-device copy (balanced stages show "
      "the most overlap); {} copy engine(s)",
      result.total_bytes >> 20, result.chunks, result.chunk_bytes >> 10, fma, result.copy_engines);

  for (const int streams : settings.stream_counts) {
    fan_out lanes(streams);
    const auto batch = [&] {
      lanes.begin();
      for (std::size_t c = 0; c < chunks; ++c) {
        const cudaStream_t stream = lanes.stream(c);
        h2d(c, stream);
        kernel(c, fma, stream);
        d2h(c, stream);
      }
      return lanes.end();
    };
    stream_point point;
    point.streams = streams;
    point.time_us = time_batches(settings, batch);
    point.ideal_speedup =
        ideal_pipeline_time(result.h2d_us.median, result.kernel_us.median, result.d2h_us.median,
                            result.chunks, 1, result.copy_engines) /
        ideal_pipeline_time(result.h2d_us.median, result.kernel_us.median, result.d2h_us.median,
                            result.chunks, std::min(streams, device_work_queues()),
                            result.copy_engines);
    result.points.push_back(point);
  }

  // The overlap kernel is the same code as this one, so checking the pipeline's output
  // against the host reference covers both experiments.
  const std::size_t stride = std::max<std::size_t>(1, total_elements / 65536);
  for (std::size_t i = 0; i < total_elements; i += stride) {
    const float expected = kernels::mixed_element(host_in[i], fma);
    if (host_out[i] != expected) {
      throw check_error(fmt::format(
          "streams copy pipeline: element {} is {} on the device but {} in the host reference; "
          "timings were discarded",
          i, host_out[i], expected));
    }
  }
  return result;
}

void fill_speedups(std::vector<stream_point>& points) {
  const auto baseline = std::find_if(points.begin(), points.end(),
                                     [](const stream_point& p) { return p.streams == 1; });
  if (baseline == points.end()) {
    throw std::logic_error("streams experiment without its 1-stream baseline");
  }
  const double one_stream_us = baseline->time_us.median;
  for (auto& point : points) {
    point.speedup = one_stream_us / point.time_us.median;
    point.efficiency = point.speedup / point.ideal_speedup;
  }
}

} // namespace

double ideal_kernel_overlap_speedup(int kernels, int streams, int capacity) {
  const int side_by_side = std::max(1, std::min(streams, capacity));
  const int waves = (kernels + side_by_side - 1) / side_by_side;
  return static_cast<double>(kernels) / waves;
}

double ideal_pipeline_time(double h2d_total, double kernel_total, double d2h_total, int chunks,
                           int streams, int copy_engines) {
  const double n = chunks;
  const double h = h2d_total / n;
  const double k = kernel_total / n;
  const double d = d2h_total / n;
  double engine_bound = 0;
  if (copy_engines >= 2) {
    engine_bound = std::max({h2d_total + k + d, h + kernel_total + d, h + k + d2h_total});
  } else {
    engine_bound = std::max(h2d_total + d2h_total, h + kernel_total + d);
  }
  const int side_by_side = std::max(1, std::min(streams, chunks));
  const double per_stream = std::ceil(n / side_by_side) * (h + k + d);
  return std::max(engine_bound, per_stream);
}

streams_result run_streams_experiment(const streams_settings& settings, const gpu_info& gpu) {
  if (std::find(settings.stream_counts.begin(), settings.stream_counts.end(), 1) ==
      settings.stream_counts.end()) {
    throw std::invalid_argument("stream_counts must contain 1, the baseline");
  }
  GPUSHARE_CUDA_CALL(cudaSetDevice(settings.device));
  // Tenant modes run after this one in the same process: the context this experiment creates
  // must be gone before tenants start, or it would hold memory and, on a GPU in
  // EXCLUSIVE_PROCESS mode, keep the MPS server and the tenants off the device.
  struct context_release {
    ~context_release() { (void)cudaDeviceReset(); }
  } release_context_at_exit;
  streams_result result;
  result.kernel_overlap = measure_kernel_overlap(settings, gpu);
  fill_speedups(result.kernel_overlap.points);
  result.copy_pipeline = measure_copy_pipeline(settings, gpu);
  fill_speedups(result.copy_pipeline.points);
  return result;
}

} // namespace gpushare
