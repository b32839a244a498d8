#include "harness/workloads/infer_workload.hpp"

#include "common/cuda_check.hpp"
#include "common/error.hpp"
#include "harness/workloads/device_download.hpp"
#include "harness/workloads/output_check.hpp"
#include "harness/workloads/quantity_text.hpp"
#include "harness/workloads/spec_values.hpp"
#include "kernels/gemm.hpp"
#include "kernels/infer.hpp"
#include "kernels/infer_reference.hpp"
#include "kernels/pattern.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <vector>

namespace gpushare {

infer_workload::infer_workload(const workload_spec& spec, const workload_context& context)
    : m_context(context),
      m_problem(kernels::make_infer_problem(
          spec_dtype(spec, "dtype",
                     {kernels::dtype::fp16, kernels::dtype::bf16, kernels::dtype::fp32}),
          spec_int(spec, "batch", 1, INT_MAX), spec_int(spec, "hidden", 1, INT_MAX),
          spec_int(spec, "layers", 1, INT_MAX))) {}

std::string infer_workload::description() const {
  return fmt::format("decode step {}, batch={}, hidden={}, layers={}: cuBLAS GEMM + bias/ReLU "
                     "per layer ({} per iteration)",
                     kernels::dtype_name(m_problem.type), m_problem.batch, m_problem.hidden,
                     m_problem.layers, format_flop(flops_per_iteration()));
}

void infer_workload::setup() {
  GPUSHARE_CUDA_CALL(cudaSetDevice(m_context.device));
  kernels::require_gemm_support(m_problem.type, m_context.device);
  m_stream = kernels::cuda_stream::create_non_blocking();
  m_blas = kernels::cublas_handle::create();
  const std::size_t size = kernels::dtype_size(m_problem.type);
  const std::size_t weights = kernels::infer_weight_elements(m_problem);
  const std::size_t bias = kernels::infer_bias_elements(m_problem);
  const std::size_t activations = kernels::infer_activation_elements(m_problem);
  m_weights = kernels::device_buffer(weights * size);
  m_bias = kernels::device_buffer(bias * size);
  m_input = kernels::device_buffer(activations * size);
  for (kernels::device_buffer& buffer : m_activations) {
    buffer = kernels::device_buffer(activations * size);
  }
  kernels::fill_pattern(m_weights.data(), m_problem.type, weights, m_problem.seed_weights,
                        m_problem.weight_scale, m_stream.get());
  kernels::fill_pattern(m_bias.data(), m_problem.type, bias, m_problem.seed_bias, 1.0f,
                        m_stream.get());
  kernels::fill_pattern(m_input.data(), m_problem.type, activations, m_problem.seed_input, 1.0f,
                        m_stream.get());
  m_stream.synchronize();
}

void infer_workload::require_setup() const {
  if (m_input.data() == nullptr) {
    throw error("infer workload used before setup()", exit_code::usage);
  }
}

kernels::infer_buffers infer_workload::buffers() const {
  kernels::infer_buffers buffers;
  buffers.weights = m_weights.data();
  buffers.bias = m_bias.data();
  buffers.input = m_input.data();
  buffers.activations[0] = m_activations[0].data();
  buffers.activations[1] = m_activations[1].data();
  return buffers;
}

verification_result infer_workload::verify() {
  require_setup();
  for (kernels::device_buffer& buffer : m_activations) {
    buffer.zero(m_stream.get()); // stale results from earlier iterations must not count
  }
  const kernels::infer_problem checked = infer_verification_problem(m_problem);
  const void* output = kernels::launch_infer_step(m_blas, checked, buffers(), m_stream.get());
  const kernels::device_buffer& result =
      output == m_activations[0].data() ? m_activations[0] : m_activations[1];
  const std::vector<std::uint64_t> indices = infer_verify_indices(checked);
  verification_result verification = check_infer_output(
      checked, indices, download_elements(result, m_problem.type, indices, m_stream.get()));
  if (checked.layers < m_problem.layers) {
    verification.detail += fmt::format(" (the first {} of {} layers, to keep the host reference "
                                       "short)",
                                       checked.layers, m_problem.layers);
  }
  return verification;
}

void infer_workload::run_iteration() {
  require_setup();
  static_cast<void>(kernels::launch_infer_step(m_blas, m_problem, buffers(), m_stream.get()));
  m_stream.synchronize();
}

double infer_workload::flops_per_iteration() const {
  return kernels::infer_flops(m_problem);
}

double infer_workload::bytes_per_iteration() const {
  return kernels::infer_bytes(m_problem);
}

kernels::infer_problem infer_verification_problem(const kernels::infer_problem& problem) {
  const double hidden = problem.hidden;
  const double fitting = std::floor(infer_verify_work_budget / (2.0 * hidden * hidden));
  kernels::infer_problem checked = problem;
  checked.layers = static_cast<int>(std::clamp(fitting, 1.0, static_cast<double>(problem.layers)));
  return checked;
}

std::vector<std::uint64_t> infer_verify_indices(const kernels::infer_problem& problem) {
  const double hidden = problem.hidden;
  // Generating the weights costs as much as one column's multiply-adds.
  const double per_column = static_cast<double>(problem.layers) * hidden * hidden;
  const double fitting = std::floor(infer_verify_work_budget / per_column) - 1.0;
  const int columns =
      static_cast<int>(std::clamp(fitting, 1.0, static_cast<double>(problem.batch)));
  std::vector<std::uint64_t> indices(static_cast<std::size_t>(problem.hidden) *
                                     static_cast<std::size_t>(columns));
  for (std::size_t i = 0; i < indices.size(); ++i) {
    indices[i] = i;
  }
  return indices;
}

verification_result check_infer_output(const kernels::infer_problem& problem,
                                       const std::vector<std::uint64_t>& indices,
                                       const std::vector<double>& actual) {
  const auto rows = static_cast<std::uint64_t>(problem.hidden);
  std::uint64_t columns = 1;
  for (const std::uint64_t index : indices) {
    columns = std::max(columns, index / rows + 1);
  }
  const kernels::infer_reference_result reference =
      kernels::infer_reference(problem, static_cast<int>(columns));
  const double tolerance = kernels::infer_tolerance(problem, reference.max_abs_activation);
  output_check check("output", [rows](std::uint64_t index) {
    return fmt::format("[row {}, batch {}]", index % rows, index / rows);
  });
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const std::uint64_t index = indices[i];
    const double expected = index < reference.output.size()
                                ? static_cast<double>(reference.output[index])
                                : std::nan("");
    const double value = i < actual.size() ? actual[i] : std::nan("");
    check.compare(index, expected, value, tolerance);
  }
  return check.result(fmt::format("{} outputs ({} of {} batch columns) after {} layers against "
                                  "the host chain",
                                  indices.size(), reference.columns, problem.batch,
                                  problem.layers));
}

} // namespace gpushare
