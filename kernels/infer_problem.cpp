#include "kernels/infer_problem.hpp"

#include "common/error.hpp"
#include "kernels/pattern.hpp"

#include <cmath>
#include <string>

namespace gpushare::kernels {

infer_problem make_infer_problem(dtype type, int batch, int hidden, int layers) {
  if (type != dtype::fp16 && type != dtype::bf16 && type != dtype::fp32) {
    throw usage_error("infer: dtype " + std::string(dtype_name(type)) +
                      " is not supported (use fp16, bf16 or fp32)");
  }
  if (batch <= 0 || hidden <= 0 || layers <= 0) {
    throw usage_error("infer: sizes must be positive, got batch=" + std::to_string(batch) +
                      " hidden=" + std::to_string(hidden) + " layers=" + std::to_string(layers));
  }
  infer_problem problem;
  problem.type = type;
  problem.batch = batch;
  problem.hidden = hidden;
  problem.layers = layers;
  int hidden_exponent = 0; // ceil(log2(hidden))
  while ((std::int64_t{1} << hidden_exponent) < hidden) {
    ++hidden_exponent;
  }
  problem.weight_scale = std::ldexp(1.0f, -((hidden_exponent + 1) / 2));
  return problem;
}

std::size_t infer_weight_elements(const infer_problem& problem) {
  return static_cast<std::size_t>(problem.layers) * static_cast<std::size_t>(problem.hidden) *
         static_cast<std::size_t>(problem.hidden);
}

std::size_t infer_bias_elements(const infer_problem& problem) {
  return static_cast<std::size_t>(problem.layers) * static_cast<std::size_t>(problem.hidden);
}

std::size_t infer_activation_elements(const infer_problem& problem) {
  return static_cast<std::size_t>(problem.hidden) * static_cast<std::size_t>(problem.batch);
}

float infer_weight_value(const infer_problem& problem, int layer, int row, int col) {
  const auto hidden = static_cast<std::uint64_t>(problem.hidden);
  const std::uint64_t index = static_cast<std::uint64_t>(layer) * hidden * hidden +
                              static_cast<std::uint64_t>(row) +
                              static_cast<std::uint64_t>(col) * hidden;
  return pattern_value(index, problem.seed_weights, problem.weight_scale);
}

float infer_bias_value(const infer_problem& problem, int layer, int row) {
  const std::uint64_t index =
      static_cast<std::uint64_t>(layer) * static_cast<std::uint64_t>(problem.hidden) +
      static_cast<std::uint64_t>(row);
  return pattern_value(index, problem.seed_bias);
}

float infer_input_value(const infer_problem& problem, int row, int col) {
  const std::uint64_t index =
      static_cast<std::uint64_t>(row) +
      static_cast<std::uint64_t>(col) * static_cast<std::uint64_t>(problem.hidden);
  return pattern_value(index, problem.seed_input);
}

double infer_flops(const infer_problem& problem) {
  const double h = problem.hidden;
  const double b = problem.batch;
  return problem.layers * (2.0 * h * h * b + h * b);
}

double infer_bytes(const infer_problem& problem) {
  const double h = problem.hidden;
  const double b = problem.batch;
  const double gemm_elements = h * h + 2.0 * h * b;    // W and X read, Y written
  const double elementwise_elements = 2.0 * h * b + h; // Y read and written, bias read
  return problem.layers * (gemm_elements + elementwise_elements) *
         static_cast<double>(dtype_size(problem.type));
}

} // namespace gpushare::kernels
