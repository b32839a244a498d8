#include "harness/workloads/spin_workload.hpp"

#include "common/cuda_check.hpp"
#include "common/error.hpp"
#include "harness/workloads/spec_values.hpp"
#include "kernels/spin.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <stdexcept>

namespace gpushare {
namespace {

// A day: longer spins are certainly a typo, and the product stays far from overflow.
constexpr std::uint64_t max_spin_us = 86'400'000'000ULL;
// Blocks of one thread; a million is far past any GPU's resident capacity.
constexpr int max_spin_blocks = 1 << 20;
// A second without a timer reading would be a hung GPU, not a time slice.
constexpr std::uint64_t max_gap_us = 1'000'000;

} // namespace

spin_workload::spin_workload(const workload_spec& spec, const workload_context& context)
    : m_context(context), m_us(spec_count(spec, "us", 0, max_spin_us)),
      m_blocks(static_cast<unsigned>(spec_int(spec, "blocks", 1, max_spin_blocks))),
      m_gap_us(spec_count(spec, "gap_us", 3, max_gap_us)) {}

std::string spin_workload::description() const {
  return fmt::format("GPU spin of {} us on the global timer in {} block{} (time-slice probe; "
                     "block 0 traces its run segments, gaps over {} us)",
                     m_us, m_blocks, m_blocks == 1 ? "" : "s", m_gap_us);
}

void spin_workload::setup() {
  GPUSHARE_CUDA_CALL(cudaSetDevice(m_context.device));
  m_stream = kernels::cuda_stream::create_non_blocking();
  m_times = kernels::device_buffer(2 * static_cast<std::size_t>(m_blocks) * sizeof(std::uint64_t));
  m_times.zero(m_stream.get());
  m_trace = kernels::device_buffer(kernels::spin_trace_words(kernels::spin_trace_default_capacity) *
                                   sizeof(std::uint64_t));
  m_trace.zero(m_stream.get());
  m_stream.synchronize();
}

void spin_workload::require_setup() const {
  if (m_times.data() == nullptr) {
    throw error("spin workload used before setup()", exit_code::usage);
  }
}

void spin_workload::enqueue() {
  kernels::spin_trace_target trace;
  trace.trace = m_trace.as<std::uint64_t>();
  trace.capacity = kernels::spin_trace_default_capacity;
  trace.gap_ns = m_gap_us * 1000;
  kernels::launch_spin(m_us * 1000, m_blocks, m_times.as<std::uint64_t>(), trace, m_stream.get());
}

std::vector<std::uint64_t> spin_workload::last_block_times() {
  require_setup();
  std::vector<std::uint64_t> times(2 * static_cast<std::size_t>(m_blocks));
  m_times.copy_to_host(times.data(), times.size() * sizeof(std::uint64_t), m_stream.get());
  return times;
}

void spin_workload::clear_trace() {
  require_setup();
  m_trace.zero(m_stream.get());
}

run_segment_trace spin_workload::trace() {
  require_setup();
  std::vector<std::uint64_t> words(kernels::spin_trace_header_words);
  m_trace.copy_to_host(words.data(), words.size() * sizeof(std::uint64_t), m_stream.get());
  const std::uint64_t kept =
      std::min(words[kernels::spin_trace_kept_word], kernels::spin_trace_default_capacity);
  words.resize(kernels::spin_trace_words(kept));
  m_trace.copy_to_host(words.data(), words.size() * sizeof(std::uint64_t), m_stream.get());
  return decode_run_segments(words, m_gap_us * 1000);
}

void spin_workload::on_timing_start() {
  clear_trace();
  m_stream.synchronize();
}

void spin_workload::add_evidence(workload_result& result) {
  result.spin_trace = trace();
}

verification_result spin_workload::verify() {
  require_setup();
  m_times.zero(m_stream.get());
  clear_trace();
  enqueue();
  const std::vector<std::uint64_t> times = last_block_times();
  verification_result result = check_spin_times(times, m_us * 1000);
  if (!result.passed) {
    return result;
  }
  const std::string problem = run_segments_problem(trace(), times[0], times[1]);
  if (!problem.empty()) {
    result.passed = false;
    result.detail = "run segments of block 0: " + problem;
  }
  return result;
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

std::string run_segments_problem(const run_segment_trace& trace, std::uint64_t start_ns,
                                 std::uint64_t end_ns) {
  const std::vector<run_segment>& segments = trace.segments;
  if (segments.empty()) {
    return trace.dropped == 0 ? "none recorded"
                              : fmt::format("none kept, {} dropped", trace.dropped);
  }
  if (segments.front().start_ns != start_ns || segments.front().after_gap) {
    return fmt::format("the first starts at {} ns{}, the kernel at {} ns",
                       segments.front().start_ns, segments.front().after_gap ? " after a gap" : "",
                       start_ns);
  }
  // A full buffer (a long spin switched out thousands of times) keeps the earliest segments;
  // only then may the last one kept end before the kernel does.
  if (trace.dropped == 0 && (segments.back().end_ns != end_ns || segments.back().before_gap)) {
    return fmt::format("the last ends at {} ns{}, the kernel at {} ns", segments.back().end_ns,
                       segments.back().before_gap ? " before a gap" : "", end_ns);
  }
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const run_segment& segment = segments[i];
    if (segment.end_ns < segment.start_ns) {
      return fmt::format("segment {} ends at {} ns, before it starts at {} ns", i, segment.end_ns,
                         segment.start_ns);
    }
    if (i + 1 == segments.size()) {
      break;
    }
    const run_segment& next = segments[i + 1];
    if (!segment.before_gap || !next.after_gap) {
      return fmt::format("segments {} and {} are not separated by a gap", i, i + 1);
    }
    if (next.start_ns <= segment.end_ns ||
        next.start_ns - segment.end_ns <= trace.gap_threshold_ns) {
      return fmt::format("the gap between segments {} and {} is {} ns, not over the {} ns "
                         "threshold",
                         i, i + 1,
                         next.start_ns >= segment.end_ns ? next.start_ns - segment.end_ns : 0,
                         trace.gap_threshold_ns);
    }
  }
  return "";
}

run_segment_trace decode_run_segments(const std::vector<std::uint64_t>& words,
                                      std::uint64_t gap_threshold_ns) {
  if (words.size() < kernels::spin_trace_header_words) {
    throw std::runtime_error(
        fmt::format("spin trace: {} words, fewer than its two counters", words.size()));
  }
  const std::uint64_t kept = words[kernels::spin_trace_kept_word];
  const std::uint64_t available =
      (words.size() - kernels::spin_trace_header_words) / kernels::spin_trace_words_per_segment;
  if (kept > available) {
    throw std::runtime_error(fmt::format(
        "spin trace: the counter says {} segments, the buffer holds {}", kept, available));
  }
  run_segment_trace trace;
  trace.gap_threshold_ns = gap_threshold_ns;
  trace.dropped = words[kernels::spin_trace_dropped_word];
  trace.segments.reserve(kept);
  for (std::uint64_t i = 0; i < kept; ++i) {
    const std::uint64_t* slot =
        words.data() + kernels::spin_trace_header_words + kernels::spin_trace_words_per_segment * i;
    run_segment segment;
    segment.start_ns = slot[0];
    segment.end_ns = slot[1];
    segment.after_gap = (slot[2] & kernels::spin_segment_after_gap) != 0;
    segment.before_gap = (slot[2] & kernels::spin_segment_before_gap) != 0;
    trace.segments.push_back(segment);
  }
  return trace;
}

} // namespace gpushare
