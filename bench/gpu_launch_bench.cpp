// What one tiny kernel launch and the ways of waiting for it cost: the floor under every
// per-iteration latency the harness reports. The kernel is `mixed` over one element with one
// FMA on one block, so the figures are launch and synchronisation overhead, not work.
#include "bench/gpu_device.hpp"
#include "common/cuda_check.hpp"
#include "kernels/cuda_event.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/device_buffer.hpp"
#include "kernels/mixed.hpp"

#include <cuda_runtime_api.h>

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace {

// One stream, two events and a one-element buffer, with the kernel's module already loaded so
// that lazy loading does not land in the first timed iteration.
class launch_fixture {
public:
  launch_fixture()
      : m_stream((select_device(), gpushare::kernels::cuda_stream::create_non_blocking())),
        m_data(sizeof(float)) {
    m_data.zero(m_stream.get());
    launch();
    m_stream.synchronize();
  }

  void launch() {
    gpushare::kernels::launch_mixed(m_data.as<float>(), 1, 1, 1,
                                    gpushare::kernels::mixed_default_block_threads, m_stream.get());
  }
  [[nodiscard]] cudaStream_t stream() const { return m_stream.get(); }
  [[nodiscard]] cudaEvent_t start() const { return m_start.get(); }
  [[nodiscard]] cudaEvent_t stop() const { return m_stop.get(); }

  /// Seconds between the start and stop events (both must have completed).
  [[nodiscard]] double event_seconds() const { return m_stop.elapsed_us_since(m_start) * 1e-6; }

private:
  static void select_device() { GPUSHARE_CUDA_CALL(cudaSetDevice(0)); }

  // Members are owners, so whatever the constructor created before a failure is released.
  gpushare::kernels::cuda_stream m_stream;
  gpushare::kernels::cuda_event m_start;
  gpushare::kernels::cuda_event m_stop;
  gpushare::kernels::device_buffer m_data;
};

using host_clock = std::chrono::steady_clock;

double seconds_since(host_clock::time_point start) {
  return std::chrono::duration<double>(host_clock::now() - start).count();
}

// Runs `body` with a ready fixture, or skips the benchmark with the reason it cannot run.
template <typename Body> void run_with_fixture(benchmark::State& state, Body body) {
  gpushare::bench::run_on_gpu(state, [&body] {
    launch_fixture fixture;
    body(fixture);
  });
}

// GPU-side span of one launch: from an event before it to an event after it.
void BM_gpu_launch_event_span(benchmark::State& state) {
  run_with_fixture(state, [&state](launch_fixture& fixture) {
    for (auto _ : state) {
      GPUSHARE_CUDA_CALL(cudaEventRecord(fixture.start(), fixture.stream()));
      fixture.launch();
      GPUSHARE_CUDA_CALL(cudaEventRecord(fixture.stop(), fixture.stream()));
      GPUSHARE_CUDA_CALL(cudaEventSynchronize(fixture.stop()));
      state.SetIterationTime(fixture.event_seconds());
    }
  });
}
BENCHMARK(BM_gpu_launch_event_span)->UseManualTime()->Unit(benchmark::kMicrosecond);

// Back-to-back launches between two events: the launch rate the GPU sustains when the host
// never waits. One iteration is `range(0)` launches.
void BM_gpu_launch_batch_event_span(benchmark::State& state) {
  const auto launches = state.range(0);
  run_with_fixture(state, [&state, launches](launch_fixture& fixture) {
    for (auto _ : state) {
      GPUSHARE_CUDA_CALL(cudaEventRecord(fixture.start(), fixture.stream()));
      for (std::int64_t i = 0; i < launches; ++i) {
        fixture.launch();
      }
      GPUSHARE_CUDA_CALL(cudaEventRecord(fixture.stop(), fixture.stream()));
      GPUSHARE_CUDA_CALL(cudaEventSynchronize(fixture.stop()));
      state.SetIterationTime(fixture.event_seconds());
    }
    state.SetItemsProcessed(state.iterations() * launches);
  });
}
BENCHMARK(BM_gpu_launch_batch_event_span)->Arg(64)->UseManualTime()->Unit(benchmark::kMicrosecond);

// Host time of the launch call alone (enqueue cost). The queue is drained outside the timed
// region so it never fills and blocks the launch.
void BM_gpu_launch_enqueue_host(benchmark::State& state) {
  run_with_fixture(state, [&state](launch_fixture& fixture) {
    std::size_t enqueued = 0;
    for (auto _ : state) {
      const auto start = host_clock::now();
      fixture.launch();
      state.SetIterationTime(seconds_since(start));
      if (++enqueued % 256 == 0) {
        GPUSHARE_CUDA_CALL(cudaStreamSynchronize(fixture.stream()));
      }
    }
    GPUSHARE_CUDA_CALL(cudaStreamSynchronize(fixture.stream()));
  });
}
BENCHMARK(BM_gpu_launch_enqueue_host)->UseManualTime()->Unit(benchmark::kMicrosecond);

// Launch + cudaStreamSynchronize on the host clock: the round trip a tenant's iteration pays.
void BM_gpu_launch_stream_sync_host(benchmark::State& state) {
  run_with_fixture(state, [&state](launch_fixture& fixture) {
    for (auto _ : state) {
      const auto start = host_clock::now();
      fixture.launch();
      GPUSHARE_CUDA_CALL(cudaStreamSynchronize(fixture.stream()));
      state.SetIterationTime(seconds_since(start));
    }
  });
}
BENCHMARK(BM_gpu_launch_stream_sync_host)->UseManualTime()->Unit(benchmark::kMicrosecond);

// Launch + event record + cudaEventSynchronize on the host clock.
void BM_gpu_launch_event_sync_host(benchmark::State& state) {
  run_with_fixture(state, [&state](launch_fixture& fixture) {
    for (auto _ : state) {
      const auto start = host_clock::now();
      fixture.launch();
      GPUSHARE_CUDA_CALL(cudaEventRecord(fixture.stop(), fixture.stream()));
      GPUSHARE_CUDA_CALL(cudaEventSynchronize(fixture.stop()));
      state.SetIterationTime(seconds_since(start));
    }
  });
}
BENCHMARK(BM_gpu_launch_event_sync_host)->UseManualTime()->Unit(benchmark::kMicrosecond);

// Synchronising a stream with nothing in flight: the fixed cost of the call itself.
void BM_gpu_stream_sync_idle(benchmark::State& state) {
  run_with_fixture(state, [&state](launch_fixture& fixture) {
    for (auto _ : state) {
      const auto start = host_clock::now();
      GPUSHARE_CUDA_CALL(cudaStreamSynchronize(fixture.stream()));
      state.SetIterationTime(seconds_since(start));
    }
  });
}
BENCHMARK(BM_gpu_stream_sync_idle)->UseManualTime()->Unit(benchmark::kMicrosecond);

// Recording an event on an idle stream and waiting for it.
void BM_gpu_event_record_sync_idle(benchmark::State& state) {
  run_with_fixture(state, [&state](launch_fixture& fixture) {
    for (auto _ : state) {
      const auto start = host_clock::now();
      GPUSHARE_CUDA_CALL(cudaEventRecord(fixture.stop(), fixture.stream()));
      GPUSHARE_CUDA_CALL(cudaEventSynchronize(fixture.stop()));
      state.SetIterationTime(seconds_since(start));
    }
  });
}
BENCHMARK(BM_gpu_event_record_sync_idle)->UseManualTime()->Unit(benchmark::kMicrosecond);

} // namespace
