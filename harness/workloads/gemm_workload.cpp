#include "harness/workloads/gemm_workload.hpp"

#include "common/cuda_check.hpp"
#include "common/error.hpp"
#include "harness/workloads/device_download.hpp"
#include "harness/workloads/output_check.hpp"
#include "harness/workloads/quantity_text.hpp"
#include "harness/workloads/sample_indices.hpp"
#include "harness/workloads/spec_values.hpp"
#include "kernels/gemm.hpp"
#include "kernels/pattern.hpp"

#include <fmt/format.h>

#include <climits>
#include <cmath>
#include <cstddef>
#include <vector>

namespace gpushare {
namespace {

std::size_t elements(int rows, int cols) {
  return static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
}

} // namespace

gemm_workload::gemm_workload(const workload_spec& spec, const workload_context& context)
    : m_context(context),
      m_problem(kernels::make_gemm_problem(spec_dtype(spec, "dtype",
                                                      {kernels::dtype::fp32, kernels::dtype::tf32,
                                                       kernels::dtype::fp16, kernels::dtype::bf16}),
                                           spec_int(spec, "m", 1, INT_MAX),
                                           spec_int(spec, "n", 1, INT_MAX),
                                           spec_int(spec, "k", 1, INT_MAX))) {}

std::string gemm_workload::description() const {
  const std::string sizes =
      m_problem.m == m_problem.n && m_problem.n == m_problem.k
          ? fmt::format("m=n=k={}", m_problem.m)
          : fmt::format("m={}, n={}, k={}", m_problem.m, m_problem.n, m_problem.k);
  return fmt::format("cuBLAS GEMM {}, {} ({} per iteration)", kernels::dtype_name(m_problem.type),
                     sizes, format_flop(flops_per_iteration()));
}

void gemm_workload::setup() {
  GPUSHARE_CUDA_CALL(cudaSetDevice(m_context.device));
  kernels::require_gemm_support(m_problem.type, m_context.device);
  m_stream = kernels::cuda_stream::create_non_blocking();
  m_blas = kernels::cublas_handle::create();
  const std::size_t size = kernels::dtype_size(m_problem.type);
  const std::size_t a_elements = elements(m_problem.m, m_problem.k);
  const std::size_t b_elements = elements(m_problem.k, m_problem.n);
  m_a = kernels::device_buffer(a_elements * size);
  m_b = kernels::device_buffer(b_elements * size);
  m_c = kernels::device_buffer(elements(m_problem.m, m_problem.n) * size);
  kernels::fill_pattern(m_a.data(), m_problem.type, a_elements, m_problem.seed_a, m_problem.scale_a,
                        m_stream.get());
  kernels::fill_pattern(m_b.data(), m_problem.type, b_elements, m_problem.seed_b, m_problem.scale_b,
                        m_stream.get());
  m_stream.synchronize();
}

void gemm_workload::require_setup() const {
  if (m_c.data() == nullptr) {
    throw error("gemm workload used before setup()", exit_code::usage);
  }
}

void gemm_workload::enqueue() {
  kernels::launch_gemm(m_blas, m_problem.type, m_problem.m, m_problem.n, m_problem.k, m_a.data(),
                       m_b.data(), m_c.data(), m_stream.get());
}

verification_result gemm_workload::verify() {
  require_setup();
  // Zero C first so a GEMM that silently wrote nothing cannot pass on stale results.
  m_c.zero(m_stream.get());
  enqueue();
  const std::vector<std::uint64_t> indices = gemm_verify_indices(m_problem);
  return check_gemm_output(m_problem, indices,
                           download_elements(m_c, m_problem.type, indices, m_stream.get()));
}

void gemm_workload::run_iteration() {
  require_setup();
  enqueue();
  m_stream.synchronize();
}

double gemm_workload::flops_per_iteration() const {
  return 2.0 * static_cast<double>(m_problem.m) * static_cast<double>(m_problem.n) *
         static_cast<double>(m_problem.k);
}

double gemm_workload::bytes_per_iteration() const {
  const double m = m_problem.m;
  const double n = m_problem.n;
  const double k = m_problem.k;
  return (m * k + k * n + m * n) * static_cast<double>(kernels::dtype_size(m_problem.type));
}

std::vector<std::uint64_t> gemm_verify_indices(const kernels::gemm_problem& problem) {
  return sample_indices(elements(problem.m, problem.n), gemm_verify_samples);
}

verification_result check_gemm_output(const kernels::gemm_problem& problem,
                                      const std::vector<std::uint64_t>& indices,
                                      const std::vector<double>& actual) {
  const auto rows = static_cast<std::uint64_t>(problem.m);
  output_check check("C", [rows](std::uint64_t index) {
    return fmt::format("[row {}, col {}]", index % rows, index / rows);
  });
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const std::uint64_t index = indices[i];
    const auto row = static_cast<int>(index % rows);
    const auto col = static_cast<int>(index / rows);
    const double expected = kernels::gemm_reference_element(problem, row, col);
    const double value = i < actual.size() ? actual[i] : std::nan("");
    check.compare(index, expected, value, kernels::gemm_tolerance(problem, expected));
  }
  return check.result(fmt::format("{} sampled entries of the {}x{} C against a double reference",
                                  indices.size(), problem.m, problem.n));
}

} // namespace gpushare
