#include "harness/workloads/triad_workload.hpp"

#include "common/cuda_check.hpp"
#include "common/error.hpp"
#include "harness/workloads/device_download.hpp"
#include "harness/workloads/output_check.hpp"
#include "harness/workloads/quantity_text.hpp"
#include "harness/workloads/sample_indices.hpp"
#include "harness/workloads/spec_values.hpp"
#include "kernels/pattern.hpp"
#include "kernels/triad.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstddef>
#include <vector>

namespace gpushare {

triad_workload::triad_workload(const workload_spec& spec, const workload_context& context)
    : m_context(context),
      m_type(spec_dtype(spec, "dtype", {kernels::dtype::fp32, kernels::dtype::fp64})),
      m_n(spec_count(spec, "n", 1, std::uint64_t{1} << 40)) {}

std::string triad_workload::description() const {
  return fmt::format("STREAM triad a = b + {}*c, {}, n={} elements ({} per iteration)",
                     kernels::triad_scalar, kernels::dtype_name(m_type), m_n,
                     format_bytes(bytes_per_iteration()));
}

void triad_workload::setup() {
  GPUSHARE_CUDA_CALL(cudaSetDevice(m_context.device));
  m_stream = kernels::cuda_stream::create_non_blocking();
  const std::size_t bytes = static_cast<std::size_t>(m_n) * kernels::dtype_size(m_type);
  m_a = kernels::device_buffer(bytes);
  m_b = kernels::device_buffer(bytes);
  m_c = kernels::device_buffer(bytes);
  kernels::fill_pattern(m_b.data(), m_type, m_n, kernels::triad_seed_b, 1.0f, m_stream.get());
  kernels::fill_pattern(m_c.data(), m_type, m_n, kernels::triad_seed_c, 1.0f, m_stream.get());
  m_stream.synchronize();
}

void triad_workload::require_setup() const {
  if (m_a.data() == nullptr) {
    throw error("triad workload used before setup()", exit_code::usage);
  }
}

void triad_workload::enqueue() {
  if (m_type == kernels::dtype::fp64) {
    kernels::launch_triad(m_a.as<double>(), m_b.as<double>(), m_c.as<double>(),
                          kernels::triad_scalar, m_n, m_stream.get());
  } else {
    kernels::launch_triad(m_a.as<float>(), m_b.as<float>(), m_c.as<float>(),
                          static_cast<float>(kernels::triad_scalar), m_n, m_stream.get());
  }
}

verification_result triad_workload::verify() {
  require_setup();
  m_a.zero(m_stream.get()); // stale results from earlier iterations must not count
  enqueue();
  const std::vector<std::uint64_t> indices = sample_indices(m_n, triad_verify_samples);
  return check_triad_output(m_type, indices,
                            download_elements(m_a, m_type, indices, m_stream.get()));
}

void triad_workload::run_iteration() {
  require_setup();
  enqueue();
  m_stream.synchronize();
}

double triad_workload::flops_per_iteration() const {
  return 2.0 * static_cast<double>(m_n);
}

double triad_workload::bytes_per_iteration() const {
  return 3.0 * static_cast<double>(m_n) * static_cast<double>(kernels::dtype_size(m_type));
}

verification_result check_triad_output(kernels::dtype type,
                                       const std::vector<std::uint64_t>& indices,
                                       const std::vector<double>& actual) {
  output_check check("a");
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const double value = i < actual.size() ? actual[i] : std::nan("");
    check.compare(indices[i], kernels::triad_reference_value(type, indices[i]), value, 0.0);
  }
  return check.result(fmt::format("{} {} elements, bit-exact against the host fma", indices.size(),
                                  kernels::dtype_name(type)));
}

} // namespace gpushare
