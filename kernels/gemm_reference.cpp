#include "kernels/gemm_reference.hpp"

#include "common/error.hpp"
#include "kernels/gemm.hpp"
#include "kernels/pattern.hpp"
#include "kernels/precision.hpp"

#include <cmath>
#include <cstddef>
#include <string>

namespace gpushare::kernels {

gemm_problem make_gemm_problem(dtype type, int m, int n, int k) {
  if (!gemm_supports(type)) {
    throw usage_error("gemm: dtype " + std::string(dtype_name(type)) +
                      " is not supported (use fp32, tf32, fp16 or bf16)");
  }
  if (m <= 0 || n <= 0 || k <= 0) {
    throw usage_error("gemm: sizes must be positive, got m=" + std::to_string(m) +
                      " n=" + std::to_string(n) + " k=" + std::to_string(k));
  }
  gemm_problem problem;
  problem.type = type;
  problem.m = m;
  problem.n = n;
  problem.k = k;
  // Split 2^-shift between A and B so neither input gets small enough to lose exactness.
  int k_exponent = 0;
  while ((std::int64_t{1} << k_exponent) < k) {
    ++k_exponent;
  }
  const int shift = k_exponent > 10 ? k_exponent - 10 : 0;
  problem.scale_a = std::ldexp(1.0f, -(shift / 2));
  problem.scale_b = std::ldexp(1.0f, -(shift - shift / 2));
  return problem;
}

float gemm_a_value(const gemm_problem& problem, int row, int col) {
  const auto index = static_cast<std::uint64_t>(row) +
                     static_cast<std::uint64_t>(col) * static_cast<std::uint64_t>(problem.m);
  return pattern_value(index, problem.seed_a, problem.scale_a);
}

float gemm_b_value(const gemm_problem& problem, int row, int col) {
  const auto index = static_cast<std::uint64_t>(row) +
                     static_cast<std::uint64_t>(col) * static_cast<std::uint64_t>(problem.k);
  return pattern_value(index, problem.seed_b, problem.scale_b);
}

double gemm_reference_element(const gemm_problem& problem, int row, int col) {
  double sum = 0.0;
  for (int kk = 0; kk < problem.k; ++kk) {
    sum += static_cast<double>(gemm_a_value(problem, row, kk)) *
           static_cast<double>(gemm_b_value(problem, kk, col));
  }
  return sum;
}

double gemm_tolerance(const gemm_problem& problem, double reference) {
  const double product_scale =
      static_cast<double>(problem.scale_a) * static_cast<double>(problem.scale_b);
  if (problem.type == dtype::fp32 || problem.type == dtype::tf32) {
    // At least one input product's magnitude, so a zero reference does not demand 2^-147.
    return 4.0 * ulp_of(std::fmax(std::fabs(reference), product_scale), dtype::fp32);
  }
  const double largest_output = static_cast<double>(problem.k) * product_scale;
  return ulp_of(reference, problem.type) + 4.0 * ulp_of(largest_output, dtype::fp32);
}

} // namespace gpushare::kernels
