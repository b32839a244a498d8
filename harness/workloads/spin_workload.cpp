#include "harness/workloads/spin_workload.hpp"

#include "common/cuda_check.hpp"
#include "common/error.hpp"
#include "harness/workloads/spec_values.hpp"
#include "kernels/spin.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <limits>

namespace gpushare {
namespace {

// A day: longer spins are certainly a typo, and the product stays far from overflow.
constexpr std::uint64_t max_spin_us = 86'400'000'000ULL;
// Blocks of one thread; a million is far past any GPU's resident capacity.
constexpr int max_spin_blocks = 1 << 20;

} // namespace

spin_workload::spin_workload(const workload_spec& spec, const workload_context& context)
    : m_context(context), m_us(spec_count(spec, "us", 0, max_spin_us)),
      m_blocks(static_cast<unsigned>(spec_int(spec, "blocks", 1, max_spin_blocks))) {}

std::string spin_workload::description() const {
  return fmt::format("GPU spin of {} us on the global timer in {} block{} (time-slice probe)", m_us,
                     m_blocks, m_blocks == 1 ? "" : "s");
}

void spin_workload::setup() {
  GPUSHARE_CUDA_CALL(cudaSetDevice(m_context.device));
  m_stream = kernels::cuda_stream::create_non_blocking();
  m_times = kernels::device_buffer(2 * static_cast<std::size_t>(m_blocks) * sizeof(std::uint64_t));
  m_times.zero(m_stream.get());
  m_stream.synchronize();
}

void spin_workload::require_setup() const {
  if (m_times.data() == nullptr) {
    throw error("spin workload used before setup()", exit_code::usage);
  }
}

void spin_workload::enqueue() {
  kernels::launch_spin(m_us * 1000, m_blocks, m_times.as<std::uint64_t>(), m_stream.get());
}

std::vector<std::uint64_t> spin_workload::last_block_times() {
  require_setup();
  std::vector<std::uint64_t> times(2 * static_cast<std::size_t>(m_blocks));
  m_times.copy_to_host(times.data(), times.size() * sizeof(std::uint64_t), m_stream.get());
  return times;
}

verification_result spin_workload::verify() {
  require_setup();
  m_times.zero(m_stream.get());
  enqueue();
  return check_spin_times(last_block_times(), m_us * 1000);
}

void spin_workload::run_iteration() {
  require_setup();
  enqueue();
  m_stream.synchronize();
}

verification_result check_spin_times(const std::vector<std::uint64_t>& times,
                                     std::uint64_t requested_ns) {
  verification_result result;
  result.checked = true;
  result.tolerance = 0.0;
  if (times.empty() || times.size() % 2 != 0) {
    result.passed = false;
    result.detail =
        fmt::format("spin: expected a start and an end per block, got {} values", times.size());
    return result;
  }
  const std::size_t blocks = times.size() / 2;
  std::uint64_t shortest = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t longest = 0;
  std::size_t failures = 0;
  std::string first_failure;
  for (std::size_t block = 0; block < blocks; ++block) {
    const std::uint64_t start = times[2 * block];
    const std::uint64_t end = times[2 * block + 1];
    if (kernels::spin_satisfied(start, end, requested_ns)) {
      shortest = std::min(shortest, end - start);
      longest = std::max(longest, end - start);
      continue;
    }
    ++failures;
    // A backwards interval counts as no spin at all.
    const std::uint64_t elapsed = end >= start ? end - start : 0;
    const double shortfall_us = static_cast<double>(requested_ns - elapsed) / 1000.0;
    result.max_abs_error = std::max(result.max_abs_error, shortfall_us);
    if (failures == 1) {
      first_failure = fmt::format(
          "block {}: expected elapsed >= {:.3f} us, got {:.3f} us (start {} ns, end {} ns)", block,
          static_cast<double>(requested_ns) / 1000.0,
          end >= start ? static_cast<double>(end - start) / 1000.0
                       : -static_cast<double>(start - end) / 1000.0,
          start, end);
    }
  }
  result.elements_checked = blocks;
  result.passed = failures == 0;
  if (result.passed) {
    result.detail =
        fmt::format("all {} blocks spun >= {:.3f} us on the global timer "
                    "(elapsed min {:.3f} us, max {:.3f} us)",
                    blocks, static_cast<double>(requested_ns) / 1000.0,
                    static_cast<double>(shortest) / 1000.0, static_cast<double>(longest) / 1000.0);
  } else {
    result.detail = fmt::format("{}; {} of {} blocks fell short", first_failure, failures, blocks);
  }
  return result;
}

} // namespace gpushare
