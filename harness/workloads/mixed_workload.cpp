#include "harness/workloads/mixed_workload.hpp"

#include "common/cuda_check.hpp"
#include "common/error.hpp"
#include "harness/workloads/device_download.hpp"
#include "harness/workloads/output_check.hpp"
#include "harness/workloads/quantity_text.hpp"
#include "harness/workloads/sample_indices.hpp"
#include "harness/workloads/spec_values.hpp"
#include "kernels/mixed.hpp"
#include "kernels/pattern.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace gpushare {

int mixed_fma_for_intensity(double intensity) {
  if (!std::isfinite(intensity) || intensity < 0.0 ||
      intensity * 4.0 > static_cast<double>(mixed_max_fma_per_element)) {
    throw usage_error(fmt::format("workload mixed: intensity={} must be in [0, {}] FLOP/byte",
                                  intensity, mixed_max_fma_per_element / 4));
  }
  return std::max(1, static_cast<int>(std::lround(intensity * 4.0)));
}

mixed_workload::mixed_workload(const workload_spec& spec, const workload_context& context)
    : m_context(context), m_n(spec_count(spec, "n", 1, std::uint64_t{1} << 40)),
      m_fma_per_element(mixed_fma_for_intensity(spec.get_double("intensity"))) {}

std::string mixed_workload::description() const {
  return fmt::format("mixed-intensity kernel, n={} floats, {} FMA per element ({:.2f} FLOP/byte, "
                     "{} per iteration)",
                     m_n, m_fma_per_element, kernels::mixed_intensity(m_fma_per_element),
                     format_flop(flops_per_iteration()));
}

void mixed_workload::setup() {
  GPUSHARE_CUDA_CALL(cudaSetDevice(m_context.device));
  m_stream = kernels::cuda_stream::create_non_blocking();
  m_data = kernels::device_buffer(static_cast<std::size_t>(m_n) * sizeof(float));
  fill();
  m_stream.synchronize();
}

void mixed_workload::require_setup() const {
  if (m_data.data() == nullptr) {
    throw error("mixed workload used before setup()", exit_code::usage);
  }
}

void mixed_workload::fill() {
  kernels::fill_pattern(m_data.data(), kernels::dtype::fp32, m_n, mixed_seed, 1.0f, m_stream.get());
}

void mixed_workload::enqueue() {
  kernels::launch_mixed(m_data.as<float>(), m_n, m_fma_per_element, 0,
                        kernels::mixed_default_block_threads, m_stream.get());
}

verification_result mixed_workload::verify() {
  require_setup();
  // The kernel works in place, so timed iterations have moved the data on: start again from
  // the pattern so exactly one pass is compared.
  fill();
  enqueue();
  const std::vector<std::uint64_t> indices = mixed_verify_indices(m_n, m_fma_per_element);
  return check_mixed_output(
      m_fma_per_element, indices,
      download_elements(m_data, kernels::dtype::fp32, indices, m_stream.get()));
}

void mixed_workload::run_iteration() {
  require_setup();
  enqueue();
  m_stream.synchronize();
}

double mixed_workload::flops_per_iteration() const {
  return 2.0 * m_fma_per_element * static_cast<double>(m_n);
}

double mixed_workload::bytes_per_iteration() const {
  return 8.0 * static_cast<double>(m_n);
}

std::vector<std::uint64_t> mixed_verify_indices(std::uint64_t n, int fma_per_element) {
  const auto chain = static_cast<std::uint64_t>(std::max(fma_per_element, 1));
  return sample_indices(n, std::clamp<std::uint64_t>(mixed_verify_fma_budget / chain, 1024, 65536));
}

verification_result check_mixed_output(int fma_per_element,
                                       const std::vector<std::uint64_t>& indices,
                                       const std::vector<double>& actual) {
  output_check check("data");
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const float expected =
        kernels::mixed_element(kernels::pattern_value(indices[i], mixed_seed), fma_per_element);
    const double value = i < actual.size() ? actual[i] : std::nan("");
    check.compare(indices[i], static_cast<double>(expected), value, 0.0);
  }
  return check.result(fmt::format("{} elements after one pass of {} FMA, bit-exact", indices.size(),
                                  fma_per_element));
}

} // namespace gpushare
