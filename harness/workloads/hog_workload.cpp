#include "harness/workloads/hog_workload.hpp"

#include "common/cuda_check.hpp"
#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "harness/workloads/sample_indices.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <thread>

namespace gpushare {
namespace {

constexpr std::uint64_t mib = std::uint64_t{1} << 20;
constexpr std::uint64_t minimum_margin = 256 * mib;
// Bytes read back per chunk: enough to catch a chunk that was never set (or set elsewhere)
// without one copy per byte of a card's worth of memory.
constexpr std::uint64_t samples_per_chunk = 32;
// A held iteration wakes this often to see SIGINT/SIGTERM, which the measurement loop only
// checks between iterations.
constexpr auto interrupt_poll = std::chrono::milliseconds(50);

std::string bytes_text(std::uint64_t bytes) {
  return fmt::format("{} B ({:.2f} GiB)", bytes, static_cast<double>(bytes) / (1024.0 * mib));
}

std::uint64_t spec_value(const workload_spec& spec, const std::string& key) {
  // The catalog bounds every key to non-negative values.
  return static_cast<std::uint64_t>(spec.get_int(key));
}

} // namespace

std::uint64_t hog_safety_margin(std::uint64_t free_bytes) noexcept {
  return std::max(minimum_margin, free_bytes / 20);
}

std::uint64_t all_it_can_get(std::uint64_t free_bytes) noexcept {
  const std::uint64_t margin = hog_safety_margin(free_bytes);
  return free_bytes > margin ? free_bytes - margin : 0;
}

std::vector<std::uint64_t> plan_chunks(std::uint64_t wanted, std::uint64_t chunk) {
  if (chunk == 0) {
    throw std::invalid_argument("plan_chunks: a chunk of 0 bytes");
  }
  std::vector<std::uint64_t> sizes(wanted / chunk, chunk);
  if (wanted % chunk != 0) {
    sizes.push_back(wanted % chunk);
  }
  return sizes;
}

hog_workload::hog_workload(const workload_spec& spec, const workload_context& context)
    : m_context(context), m_bytes(spec_value(spec, "bytes")),
      m_hold_ms(spec_value(spec, "hold_ms")), m_chunk(spec_value(spec, "chunk")) {
  if (m_chunk == 0) {
    throw usage_error("workload hog: chunk must be at least 1 byte");
  }
}

std::string hog_workload::description() const {
  const std::string amount =
      m_bytes == 0 ? "all the device memory it can get (free memory minus the larger of 256 MiB "
                     "and 5 %)"
                   : bytes_text(m_bytes) + " of device memory";
  return fmt::format("memory hog: allocates {} in chunks of {}, sets every byte, and holds it; "
                     "each iteration is a holding period of {} ms on the host, not GPU work",
                     amount, bytes_text(m_chunk), m_hold_ms);
}

void hog_workload::setup() {
  GPUSHARE_CUDA_CALL(cudaSetDevice(m_context.device));
  m_stream = kernels::cuda_stream::create_non_blocking();
  std::size_t free_bytes = 0;
  std::size_t total_bytes = 0;
  GPUSHARE_CUDA_CALL(cudaMemGetInfo(&free_bytes, &total_bytes));
  m_hold = {};
  m_hold.bytes_requested = m_bytes;
  m_hold.free_bytes_before = free_bytes;
  m_hold.bytes_target = m_bytes == 0 ? all_it_can_get(free_bytes) : m_bytes;
  m_hold.chunk_bytes = m_chunk;
  m_chunks.clear();
  if (m_bytes > std::max<std::uint64_t>(free_bytes, total_bytes)) {
    // Fails as the allocation would, before a plan of that many chunks fills host memory.
    throw cuda_error(fmt::format("workload hog: wanted {}, but the device has {} in all: {}",
                                 bytes_text(m_bytes), bytes_text(total_bytes),
                                 cudaGetErrorName(cudaErrorMemoryAllocation)),
                     static_cast<int>(cudaErrorMemoryAllocation));
  }

  const std::vector<std::uint64_t> plan = plan_chunks(m_hold.bytes_target, m_chunk);
  m_chunks.reserve(plan.size());
  for (std::size_t i = 0; i < plan.size(); ++i) {
    throw_if_interrupted();
    try {
      m_chunks.emplace_back(static_cast<std::size_t>(plan[i]));
    } catch (const cuda_error& failure) {
      if (failure.status() != static_cast<int>(cudaErrorMemoryAllocation)) {
        throw;
      }
      // The runtime keeps the out-of-memory status as this thread's last error, where the
      // next launch check would report it as its own; it is not sticky, so it can be cleared.
      const cudaError_t pending = cudaGetLastError();
      if (pending != cudaSuccess && pending != cudaErrorMemoryAllocation) {
        GPUSHARE_CUDA_CALL(pending);
      }
      m_hold.allocation_error =
          fmt::format("chunk {} of {} ({}) failed after {} held: {} ({})", i + 1, plan.size(),
                      bytes_text(plan[i]), bytes_text(m_hold.bytes_held),
                      cudaGetErrorName(cudaErrorMemoryAllocation),
                      cudaGetErrorString(cudaErrorMemoryAllocation));
      if (m_bytes != 0) {
        throw cuda_error(fmt::format("workload hog: wanted {}, got {}: {}", bytes_text(m_bytes),
                                     bytes_text(m_hold.bytes_held), m_hold.allocation_error),
                         static_cast<int>(cudaErrorMemoryAllocation));
      }
      break;
    }
    // Written, not only allocated: the pages are then certainly backed by device memory.
    GPUSHARE_CUDA_CALL(cudaMemsetAsync(m_chunks.back().data(), hog_fill_byte,
                                       m_chunks.back().size_bytes(), m_stream.get()));
    m_hold.bytes_held += plan[i];
  }
  m_stream.synchronize();
}

verification_result hog_workload::verify() {
  verification_result result;
  result.checked = true;
  result.tolerance = 0.0;
  if (m_chunks.empty()) {
    result.passed = true;
    result.detail =
        m_hold.allocation_error.empty()
            ? "nothing to check: the hog was asked to hold 0 bytes"
            : "nothing to check: no chunk could be allocated (" + m_hold.allocation_error + ")";
    return result;
  }
  std::uint64_t mismatches = 0;
  std::string first_mismatch;
  for (std::size_t c = 0; c < m_chunks.size(); ++c) {
    const kernels::device_buffer& chunk = m_chunks[c];
    const std::vector<std::uint64_t> offsets =
        sample_indices(chunk.size_bytes(), samples_per_chunk);
    std::vector<unsigned char> values(offsets.size(), 0);
    for (std::size_t i = 0; i < offsets.size(); ++i) {
      GPUSHARE_CUDA_CALL(cudaMemcpyAsync(&values[i], chunk.as<unsigned char>() + offsets[i], 1,
                                         cudaMemcpyDeviceToHost, m_stream.get()));
    }
    m_stream.synchronize();
    for (std::size_t i = 0; i < offsets.size(); ++i) {
      if (values[i] == hog_fill_byte) {
        continue;
      }
      if (mismatches++ == 0) {
        first_mismatch = fmt::format("chunk {} byte {}: expected {:#04x}, got {:#04x}", c,
                                     offsets[i], hog_fill_byte, values[i]);
      }
    }
    result.elements_checked += offsets.size();
  }
  result.passed = mismatches == 0;
  result.max_abs_error = mismatches == 0 ? 0.0 : 1.0;
  result.detail =
      result.passed
          ? fmt::format(
                "{} sampled bytes of {} chunks ({} held) read back as the fill byte {:#04x}",
                result.elements_checked, m_chunks.size(), bytes_text(m_hold.bytes_held),
                hog_fill_byte)
          : fmt::format("{}; {} of {} sampled bytes differ", first_mismatch, mismatches,
                        result.elements_checked);
  return result;
}

void hog_workload::run_iteration() {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(m_hold_ms);
  while (true) {
    throw_if_interrupted();
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) {
      return;
    }
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(until - now, interrupt_poll));
  }
}

void hog_workload::add_evidence(workload_result& result) {
  result.memory_hold = m_hold;
}

} // namespace gpushare
